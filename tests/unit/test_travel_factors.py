"""Factors with provenance: foreign trains above zero, the secretariat's view, loading a list."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from bot.__main__ import main
from bot.report import TransportMode
from bot.travel import TravelCalculator, available_lists, check_trip, load_factor_list
from bot.travel.factors import BUILTIN_DIR, install_factor_list
from tests.unit.test_travel_emissions import COMPLETE_ROWS, HEADER

SHIPPED = ("co2emissiefactoren-2025", "co2emissiefactoren-2026")


@pytest.mark.parametrize("version", SHIPPED)
def test_a_train_journey_abroad_is_above_zero(version: str) -> None:
    calc = TravelCalculator(emission_list_version=version)
    result = check_trip(calc, "Parijs", mode=TransportMode.TREIN)
    assert result.factor_kg_per_unit > 0
    assert result.kg_co2e == pytest.approx(result.km * result.factor_kg_per_unit, abs=0.1)
    assert result.kg_co2e > 10
    assert "buitenland" in result.factor_class


def test_every_row_of_every_shipped_list_says_where_it_comes_from() -> None:
    for version in SHIPPED:
        for row in load_factor_list(version).rows:
            assert row.source and row.retrieved == "2026-12-01"
            assert not row.verified, "no value was read on the list itself"
    for version in SHIPPED:
        seconded = [r for r in load_factor_list(version).rows if r.secondary_source]
        assert {(r.mode.value, r.factor_class) for r in seconded} >= {
            ("trein", "buitenland"),
            ("auto", "elektrisch"),
        }
        assert all(
            "2026-12-01" in r.secondary_source or "read 2026-12-01" in r.secondary_source
            for r in seconded
        )
    ferry = load_factor_list("co2emissiefactoren-2025").factor_for(TransportMode.VEERBOOT, 100)
    assert "https://" in ferry.source and "Veerboot, gemiddeld" in ferry.source


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_loading_a_valid_list_puts_it_where_the_bot_finds_it(tmp_path: Path) -> None:
    source = _write(tmp_path / "download.csv", COMPLETE_ROWS)
    drop = tmp_path / "lijsten"
    loaded = install_factor_list(source, drop, "co2emissiefactoren-2030")
    assert loaded.path == drop / "co2emissiefactoren-2030.csv"
    assert "co2emissiefactoren-2030" in available_lists(drop)
    calc = TravelCalculator(
        emission_list_version="co2emissiefactoren-2030", emission_factors_dir=drop
    )
    assert calc.list_version == "co2emissiefactoren-2030"


@pytest.mark.parametrize(
    ("rows", "name", "problem"),
    [
        ([r for r in COMPLETE_ROWS if not r.startswith("bus")], "lijst", "geen factor voor bus"),
        (
            [r.replace("0.01,", "0,") if r.startswith("trein") else r for r in COMPLETE_ROWS],
            "lijst",
            "treinfactor is 0",
        ),
        ([*COMPLETE_ROWS, "trein,snel,,,pkm,veel,test,2030,false,1.0,,"], "lijst", "regel 8"),
        (COMPLETE_ROWS, "Lijst 2030!", "Ongeldige lijstnaam"),
        (  # an unquoted comma in the last column would silently cut the note short
            [*COMPLETE_ROWS[:-1], COMPLETE_ROWS[-1] + "ferry, North Sea"],
            "lijst",
            r"regel 7: meer velden dan de kopregel heeft \(12\)",
        ),
        (
            [r.replace("1000,,pkm", "1200,,pkm") for r in COMPLETE_ROWS],
            "lijst",
            "sluiten niet aan",
        ),
    ],
)
def test_loading_a_bad_list_is_refused_with_a_clear_message_and_nothing_written(
    tmp_path: Path, rows: list[str], name: str, problem: str
) -> None:
    source = _write(tmp_path / "download.csv", rows)
    drop = tmp_path / "lijsten"
    with pytest.raises(ValueError, match=problem):
        install_factor_list(source, drop, name)
    assert not drop.exists() or not any(drop.iterdir())


def test_loading_a_file_without_the_columns_or_of_another_kind_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "lijst.csv"
    bad.write_text("Categorie;Eenheid;WTW\nTrein;pkm;0,019\n", encoding="utf-8")
    with pytest.raises(ValueError, match="kolommen ontbreken: mode, source, year, verified"):
        install_factor_list(bad, tmp_path / "d")
    broken = tmp_path / "lijst.xlsx"
    broken.write_bytes(b"PK\x03\x04")
    with pytest.raises(ValueError, match="geen geldig Excel-bestand"):
        install_factor_list(broken, tmp_path / "d")
    old_excel = tmp_path / "lijst.xls"
    old_excel.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ValueError, match=r"alleen een CSV- of Excel-bestand \(.xlsx\)"):
        install_factor_list(old_excel, tmp_path / "d")
    assert not (tmp_path / "d").exists()


#: The same list as COMPLETE_ROWS, as the secretariat might keep it in Excel: a title above
#: the header, Dutch column names, decimal commas, 'ja'/'nee'.
XLSX_HEADER = [
    "Vervoerwijze", "Klasse", "Vanaf km", "Tot km", "Eenheid", "Kg CO2/eenheid (WTW)",
    "Bron", "Jaar", "Geverifieerd", "Toelichting",
]  # fmt: skip
XLSX_ROWS: list[list[object]] = [
    ["Vliegtuig", "kort", 0, 1000, "pkm", 0.3, "test", 2030, "nee", None],
    ["vliegtuig", "lang", 1000, None, "pkm", "0,2", "test", 2030, "nee", None],
    ["auto", "onbekend", None, None, "vkm", 0.2, "test", 2030, "nee", None],
    ["bus", "gemiddeld", None, None, "pkm", 0.1, "test", 2030, "nee", None],
    ["trein", "elektrisch", None, None, "pkm", 0.01, "test", 2030, "nee", "NS"],
    ["veerboot", "voetpassagier", None, None, "pkm", 0.02, "test", 2030, "nee", None],
]


def _xlsx(path: Path, rows: list[list[object]], header: list[str] = XLSX_HEADER) -> Path:
    workbook = openpyxl.Workbook()
    notes = workbook.active
    assert notes is not None
    notes.title = "Uitleg"
    notes.append(["Deze lijst komt van co2emissiefactoren.nl"])
    sheet = workbook.create_sheet("Factoren 2030")
    sheet.append(["Emissiefactoren personenvervoer 2030"])
    sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_an_excel_list_is_read_by_column_name_and_stored_as_csv(tmp_path: Path) -> None:
    drop = tmp_path / "lijsten"
    loaded = install_factor_list(_xlsx(tmp_path / "lijst.xlsx", XLSX_ROWS), drop, "excel-2030")
    assert loaded.path == drop / "excel-2030.csv"
    flight = loaded.factor_for(TransportMode.VLIEGTUIG, 1500)
    assert (flight.factor_class, flight.kg_co2e_wtw, flight.band_min_km) == ("lang", 0.2, 1000)
    assert loaded.factor_for(TransportMode.TREIN, 100).note == "NS"
    assert load_factor_list("excel-2030", drop).rows == loaded.rows


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda rows, header: (rows, [h for h in header if h != "Eenheid"]),
            r"blad 'Factoren 2030': kolommen ontbreken: unit \(kopregel gezocht; rij 3",
        ),
        (
            lambda rows, header: ([*rows[:3], [*rows[3][:5], "veel", *rows[3][6:]]], header),
            r"blad 'Factoren 2030', rij 7, kolom 'Kg CO2/eenheid \(WTW\)' \(F\) \('veel'\): "
            "is geen getal",
        ),
        (
            lambda rows, header: ([[*rows[0][:3], 800, *rows[0][4:]], *rows[1:]], header),
            "vliegtuigbanden sluiten niet aan bij 800 km",
        ),
        (
            lambda rows, header: ([[*rows[0][:4], "per km", *rows[0][5:]], *rows[1:]], header),
            r"rij 4, kolom 'Eenheid' \(E\) \('per km'\): moet pkm of vkm zijn",
        ),
        (
            lambda rows, header: ([["boot", *rows[5][1:]], *rows[:5]], header),
            "rij 4, kolom 'Vervoerwijze' .*: is geen bekende vervoerwijze",
        ),
    ],
)
def test_a_bad_excel_list_names_sheet_row_and_column(
    tmp_path: Path,
    change: Callable[[list[list[object]], list[str]], tuple[list[list[object]], list[str]]],
    problem: str,
) -> None:
    rows, header = change([list(row) for row in XLSX_ROWS], list(XLSX_HEADER))
    source = _xlsx(tmp_path / "lijst.xlsx", rows, header)
    with pytest.raises(ValueError, match=problem):
        install_factor_list(source, tmp_path / "d", "x")
    assert not (tmp_path / "d").exists()


def test_an_excel_list_is_treated_as_hostile(tmp_path: Path) -> None:
    source = _xlsx(tmp_path / "formule.xlsx", XLSX_ROWS)
    workbook = openpyxl.load_workbook(source)
    workbook["Factoren 2030"]["F6"] = "=0.1*3"
    workbook.save(source)
    with pytest.raises(ValueError, match=r"blad 'Factoren 2030', rij 6, kolom F: een formule"):
        install_factor_list(source, tmp_path / "d", "x")
    many = _xlsx(tmp_path / "lang.xlsx", XLSX_ROWS * 100)
    with pytest.raises(ValueError, match="meer dan 500 gevulde rijen"):
        install_factor_list(many, tmp_path / "d", "x")
    huge = tmp_path / "groot.xlsx"
    huge.write_bytes(b"PK" + b"\0" * 3_000_000)
    with pytest.raises(ValueError, match="groter dan 2 MB"):
        install_factor_list(huge, tmp_path / "d", "x")
    bomb = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * 30_000_000)
    with pytest.raises(ValueError, match="pakt uit tot meer dan 20 MB"):
        install_factor_list(bomb, tmp_path / "d", "x")
    official = _xlsx(
        tmp_path / "officieel.xlsx",
        [["Vliegtuig < 700 km", "pkm", 0.234]],
        ["", "Eenheid", "Kg CO2-eq/eenheid (WTW)"],
    )
    with pytest.raises(ValueError, match=r"lijkt de lijst van co2emissiefactoren\.nl zelf"):
        install_factor_list(official, tmp_path / "d", "x")
    assert not (tmp_path / "d").exists()


def test_factors_command_shows_provenance_and_loads_a_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EMISSION_FACTORS_DIR", str(tmp_path / "lijsten"))
    (tmp_path / "lijsten").mkdir()
    assert main(["factors"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Emissielijst co2emissiefactoren-2025")
    assert "0 van 11 factoren geverifieerd bij de bron; 2 alleen in een secundaire bron" in out
    assert "  secundaire bron: github.com/rospocroccante/fiets-of-ov-frontend" in out
    assert "- trein, buitenland: 0.019 kg CO2e per pkm (NIET geverifieerd" in out
    assert out.count("  bron: ") == 11
    assert "- veerboot: 'autopassagier' als de reiziger met de auto aan boord ging" in out
    assert "ook het Nederlandse deel" in out
    source = _write(tmp_path / "nieuw-2030.csv", COMPLETE_ROWS)
    assert main(["factors", "load", str(source)]) == 0
    assert "Geladen als nieuw-2030" in capsys.readouterr().out
    assert main(["factors", "--version", "nieuw-2030"]) == 0
    assert "Emissielijst nieuw-2030" in capsys.readouterr().out
    assert main(["factors", "load", str(BUILTIN_DIR / "bestaat-niet.csv")]) == 2
    assert "niet gevonden" in capsys.readouterr().err


def test_a_ferry_with_the_car_on_board_uses_the_car_passenger_row() -> None:
    calc = TravelCalculator()
    home = calc.planner.home
    [london] = calc.resolve_places("Londen")
    [harwich] = calc.resolve_places("Harwich")
    ferry = TransportMode.VEERBOOT
    with_car = [
        calc.planner.leg(TransportMode.AUTO, home, harwich, return_trip=False),
        calc.planner.leg(ferry, harwich, home, return_trip=False),
    ]
    on_foot = [
        calc.planner.leg(TransportMode.TREIN, home, london, return_trip=False),
        calc.planner.leg(ferry, london, home, return_trip=False),
    ]
    [_, by_car] = calc.emissions(with_car, persons=2)
    [_, by_foot] = calc.emissions(on_foot, persons=2)
    assert (by_car.factor_class, by_car.factor_kg_per_unit) == ("autopassagier", 0.1295)
    assert by_car.kg_co2e == pytest.approx(by_car.km * 2 * 0.1295)
    assert (by_foot.factor_class, by_foot.factor_kg_per_unit) == ("voetpassagier", 0.0187)


def test_factors_command_loads_an_excel_list_and_names_a_bad_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EMISSION_FACTORS_DIR", str(tmp_path / "lijsten"))
    good = _xlsx(tmp_path / "officieel-2030.xlsx", XLSX_ROWS)
    assert main(["factors", "load", str(good)]) == 0
    assert "Geladen als officieel-2030" in capsys.readouterr().out
    assert (tmp_path / "lijsten" / "officieel-2030.csv").is_file()
    bad_rows = [list(row) for row in XLSX_ROWS]
    bad_rows[2][5] = "-0,2"
    bad = _xlsx(tmp_path / "kapot.xlsx", bad_rows)
    assert main(["factors", "load", str(bad)]) == 2
    assert (
        "blad 'Factoren 2030', rij 6, kolom 'Kg CO2/eenheid (WTW)' (F) ('-0,2'): moet minstens 0"
        in (capsys.readouterr().err)
    )


def test_a_comma_inside_quotes_is_kept_whole(tmp_path: Path) -> None:
    rows = [*COMPLETE_ROWS[:-1], COMPLETE_ROWS[-1] + '"ferry, North Sea"']
    loaded = install_factor_list(_write(tmp_path / "d.csv", rows), tmp_path / "l", "lijst-2030")
    assert loaded.rows[-1].note == "ferry, North Sea"


def test_a_tab_separated_row_with_too_many_fields_names_the_tab(tmp_path: Path) -> None:
    source = tmp_path / "lijst.tsv.csv"
    lines = [HEADER, *COMPLETE_ROWS[:-1], COMPLETE_ROWS[-1] + "ferry,North Sea"]
    source.write_text("\n".join(line.replace(",", "\t") for line in lines) + "\n")
    with pytest.raises(ValueError, match=r"regel 7: .*Staat er een tab in een tekst"):
        install_factor_list(source, tmp_path / "l", "lijst-2030")

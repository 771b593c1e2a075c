"""The council's yearly report made by `reisverslag jaarrapport` from a store of generated
years, read back with pypdf: key figures against the store and the export, vector charts."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject

from bot.__main__ import main
from bot.annual import YearReports
from bot.annual.document import annual_view, render_annual_pdf
from bot.export import TOTALS_SHEET, export_xlsx
from bot.report import Place, RailCheck, Report, TransportMode
from bot.store import Store
from testkit.generated_reports import DEPARTMENTS, generated_year, store_reports

YEAR = 2025
NEW_LIST_FROM = date(2025, 10, 1)


@pytest.fixture(scope="module")
def years() -> dict[int, list[Report]]:
    """Three generated years; 2025 switches to the 2026 factor list in October."""
    return {
        2023: generated_year(2023, 30),
        2024: generated_year(2024, 45),
        YEAR: generated_year(YEAR, 60, new_list_from=NEW_LIST_FROM),
    }


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory, years: dict[int, list[Report]]) -> str:
    """A SQLite store holding every generated year."""
    path = tmp_path_factory.mktemp("annual") / "reisverslag.sqlite3"
    with Store.open(f"sqlite:///{path}") as store:
        for reports in years.values():
            store_reports(store, reports)
    return f"sqlite:///{path}"


def _make(database: str, year: int, out: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Run `reisverslag jaarrapport` against the store."""
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.chdir(out.parent)
    return main(["jaarrapport", "--year", str(year), "--out", str(out)])


@pytest.fixture(scope="module")
def pdf(database: str, tmp_path_factory: pytest.TempPathFactory) -> PdfReader:
    """The 2025 report made by the command line, opened again."""
    out = tmp_path_factory.mktemp("pdf") / "jaarrapport-2025.pdf"
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert _make(database, YEAR, out, monkeypatch) == 0
    return PdfReader(out)


def _text(reader: PdfReader) -> str:
    """All text of the PDF."""
    return "\n".join(page.extract_text() for page in reader.pages)


def _number(text: str) -> float:
    """'12.345' / '2,5' / '−1.040' as a float."""
    return float(text.replace("−", "-").replace("±", "").replace(".", "").replace(",", "."))


def _key_figures(reader: PdfReader) -> dict[str, tuple[str, str, str, str]]:
    """Label -> (this year, last year, change, change %) from the key figures table."""
    header = f"Kerncijfer {YEAR} {YEAR - 1} Verschil %"
    figures = {}
    for page in reader.pages[:2]:  # the table may go on, under its header, on page 2
        lines = page.extract_text().splitlines()
        if header not in lines:
            continue
        for line in lines[lines.index(header) + 1 :]:
            match = re.fullmatch(r"(.+?) (\S+) (\S+) ([+−±]\S+) ([+−±]\S+%|–)", line)
            if match is None:
                break
            label, *values = match.groups()
            figures[label] = (values[0], values[1], values[2], values[3])
    return figures


def _expected(reports: list[Report]) -> dict[str, float]:
    """The store's totals, summed here straight from the reports' emission lines."""
    totals: dict[str, float] = {
        "Reizen": len(reports),
        "Reizigers": len({r.traveller.user_ref for r in reports}),
        "Personen op reis (som)": sum(r.persons for r in reports),
        "Bestemmingen": len({(p.name, p.country) for r in reports for p in r.destinations}),
        "Totaal km": sum(line.km for r in reports for line in r.emissions),
        "Totaal kg CO2e": sum(line.kg_co2e for r in reports for line in r.emissions),
        "Uitzonderingen 8-uursregel": sum(
            1 for r in reports if r.rail_check and r.rail_check.justification_required
        ),
    }
    for mode in TransportMode:
        lines = [line for r in reports for line in r.emissions if line.mode is mode]
        totals[f"{mode.label}: km"] = sum(line.km for line in lines)
        totals[f"{mode.label}: kg CO2e"] = sum(line.kg_co2e for line in lines)
    return totals


def test_generated_year_is_varied(years: dict[int, list[Report]]) -> None:
    reports = years[YEAR]
    assert len(reports) >= 50
    assert len({r.traveller.department for r in reports}) == len(DEPARTMENTS)
    assert {m for r in reports for m in r.modes} >= {
        TransportMode.VLIEGTUIG, TransportMode.TREIN, TransportMode.BUS, TransportMode.AUTO,
    }  # fmt: skip
    assert {r.emission_list_version for r in reports} == {
        "co2emissiefactoren-2025",
        "co2emissiefactoren-2026",
    }


def test_key_figures_equal_the_store_and_last_year(
    pdf: PdfReader, years: dict[int, list[Report]]
) -> None:
    shown = _key_figures(pdf)
    now, before = _expected(years[YEAR]), _expected(years[YEAR - 1])
    for label, value in now.items():
        if label not in shown:  # a mode used in neither year is left out
            assert value == 0 and before[label] == 0, label
            continue
        current, previous, change, pct = shown[label]
        assert _number(current) == round(value), label
        assert _number(previous) == round(before[label]), label
        assert _number(change) == round(value) - round(before[label]), label
        if round(before[label]):
            expected_pct = 100 * (round(value) - round(before[label])) / round(before[label])
            assert _number(pct.rstrip("%")) == pytest.approx(expected_pct, abs=0.05), label
        else:
            assert pct == "–", label
    assert {"Reizen", "Reizigers", "Bestemmingen", "Totaal km", "Totaal kg CO2e"} <= set(shown)
    assert "Vliegtuig: kg CO2e" in shown and "Trein: km" in shown


def test_key_figures_equal_the_export(pdf: PdfReader, years: dict[int, list[Report]]) -> None:
    sheet = load_workbook(io.BytesIO(export_xlsx(years[YEAR], YEAR)))[TOTALS_SHEET]
    exported = {row[0]: row[1:4] for row in sheet.iter_rows(min_row=2, max_row=7, values_only=True)}
    shown = _key_figures(pdf)
    assert _number(shown["Reizen"][0]) == exported["Totaal"][0]
    assert _number(shown["Totaal km"][0]) == round(exported["Totaal"][1])
    assert _number(shown["Totaal kg CO2e"][0]) == round(exported["Totaal"][2])
    for mode in TransportMode:
        trips, km, kg = exported[mode.label]
        if trips:
            assert _number(shown[f"{mode.label}: km"][0]) == round(km)
            assert _number(shown[f"{mode.label}: kg CO2e"][0]) == round(kg)


def _figures(reader: PdfReader) -> Iterator[tuple[str, DictionaryObject]]:
    """Every /Figure element of the structure tree with its alt text."""
    stack = [reader.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop().get_object()
        if not isinstance(node, DictionaryObject):
            continue
        if node.get("/S") == "/Figure":
            yield str(node.get("/Alt", "")), node
        kids = node.get("/K")
        stack.extend(kids if isinstance(kids, list) else [kids] if kids is not None else [])


def _marked_content(reader: PdfReader, figure: DictionaryObject) -> list[tuple[bytes, str]]:
    """(operator, XObject subtype for 'Do') drawn inside one figure's marked content."""
    page_number = figure.raw_get("/Pg").idnum
    page = next(p for p in reader.pages if p.indirect_reference.idnum == page_number)
    kids = figure["/K"]
    mcids = {int(k) for k in (kids if isinstance(kids, list) else [kids]) if isinstance(k, int)}
    operations = ContentStream(page.get_contents(), reader).operations
    xobjects = page["/Resources"].get("/XObject", {})
    drawn: list[tuple[bytes, str]] = []
    depth = 0
    for operands, operator in operations:
        if depth:
            if operator in (b"BDC", b"BMC"):
                depth += 1
            elif operator == b"EMC":
                depth -= 1
            if depth:
                kind = (
                    str(xobjects[operands[0]].get_object()["/Subtype"]) if operator == b"Do" else ""
                )
                drawn.append((operator, kind))
        elif (
            operator == b"BDC"
            and operands[0] == "/Figure"
            and int(operands[1].get("/MCID", -1)) in mcids
        ):
            depth = 1
    return drawn


def test_each_chart_is_a_vector_figure_with_alt_text(pdf: PdfReader) -> None:
    figures = dict(_figures(pdf))
    alts = sorted(figures)
    assert len(alts) == 3
    assert any(alt.startswith("Staafdiagram: kg CO2e per maand in 2025") for alt in alts)
    assert any(alt.startswith("Staafdiagram: reizen en kg CO2e per bestemming") for alt in alts)
    assert any(alt.startswith("Gestapeld staafdiagram per jaar. In 2025:") for alt in alts)
    for alt, figure in figures.items():
        drawn = _marked_content(pdf, figure)
        operators = [operator for operator, _kind in drawn]
        fills = sum(1 for op in operators if op in (b"f", b"f*", b"B", b"b"))
        assert fills >= 10, alt  # bars, legend patches: drawn as paths
        assert b"TJ" in operators or b"Tj" in operators, alt  # labels stay text
        assert {kind for _op, kind in drawn if kind} <= {"/Form"}, alt  # no raster image
    for page in pdf.pages:
        xobjects = page["/Resources"].get("/XObject", {})
        assert all(x.get_object().get("/Subtype") != "/Image" for x in xobjects.values())


def test_tables_two_factor_lists_and_no_names(
    pdf: PdfReader, years: dict[int, list[Report]]
) -> None:
    text = _text(pdf)
    flat = text.replace("\n", " ")
    reports = years[YEAR]
    travellers = len({r.traveller.user_ref for r in reports})
    assert (
        f"In {YEAR} zijn {len(reports)} buitenlandse dienstreizen gemaakt door {travellers} medewerkers"
        in flat
    )
    assert "gebruiken 2 emissiefactorenlijsten: co2emissiefactoren-2025" in text.replace("\n", " ")
    version_counts = {"co2emissiefactoren-2025": 0, "co2emissiefactoren-2026": 0}
    for report in years[YEAR]:
        version_counts[report.emission_list_version] += 1
    for version, count in version_counts.items():
        assert f"{version} ({count} verslagen; bestand {version}.csv)" in flat
    # Each factor's source leads with its Dutch label; the full provenance follows.
    assert "CO2emissiefactoren.nl, lijst 2025, zoals door derden geciteerd (herkomst: cited" in flat
    assert "Uitzonderingen op de 8-uursregel" in text and "Totalen per afdeling" in text
    exceptions = [r for r in years[YEAR] if r.rail_check and r.rail_check.justification_required]
    assert exceptions
    for report in exceptions:
        assert f"{report.period.departure:%d-%m-%Y}" in text
    for department in DEPARTMENTS:
        assert department.split()[0] in text
    assert not any(r.traveller.name in text for r in years[YEAR])  # names only when set


def test_a_year_on_one_list_has_no_warning_and_names_when_set(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, years: dict[int, list[Report]]
) -> None:
    monkeypatch.setenv("PUBLISH_TRAVELLER_NAMES", "true")
    out = tmp_path / "jaarrapport-2024.pdf"
    assert _make(database, 2024, out, monkeypatch) == 0
    text = _text(PdfReader(out))
    assert "emissiefactorenlijsten" not in text
    named = [r for r in years[2024] if r.rail_check and r.rail_check.justification_required]
    assert any(r.traveller.name in text for r in named)


def test_a_year_without_reports_says_so(
    database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "jaarrapport-2019.pdf"
    assert _make(database, 2019, out, monkeypatch) == 1
    assert "Geen verslagen van reizen in 2019" in capsys.readouterr().err
    assert not out.exists()


def test_odd_place_names_and_justifications_are_shown_as_typed() -> None:
    odd = Place(name="Sint $\\Maarten$ & <Co>", country="Land", country_code="XX")
    base = generated_year(YEAR, 1, seed=11)[0]
    report = base.model_copy(
        update={
            "destinations": [odd],
            "modes": [TransportMode.VLIEGTUIG],
            "rail_check": RailCheck(
                destination=odd.name,
                hours=3,
                estimated=True,
                source="schatting",
                threshold_hours=8,
                flown=True,
            ),
            "justification": "Crisis </td><b>echt</b> $x$",
            "justification_flagged": False,
        }
    )
    view = annual_view(
        YearReports(year=YEAR, reports=[report], previous=[], history=[report]),
        rail_hours=lambda place: None,
        threshold_hours=8,
        made_on=date(2026, 1, 5),
    )
    text = _text(PdfReader(io.BytesIO(render_annual_pdf(view))))
    packed = "".join(text.split())  # narrow table cells wrap anywhere
    assert "Sint$\\Maarten$&<Co>" in packed
    assert "Crisis</td><b>echt</b>$x$" in packed
    assert "ca. 3 Crisis" in text  # an estimated train time says so

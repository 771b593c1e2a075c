"""The yearly overview for the council: trips, transport, km and CO2, the 8-hour exceptions.

One row per report, built from the report's own fields (its EmissionLines and its
period), so the overview says exactly what the documents say. XLSX (openpyxl) with
three sheets, or CSV in the dialect Dutch Excel opens directly (`;`, decimal comma,
UTF-8 with BOM).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.figures import YearFigures, in_order, rule_applies, year_figures
from bot.formatting import MONTH_NAMES, format_number
from bot.report import Report, TransportMode

__all__ = [
    "EXCEPTIONS_SHEET",
    "FORMULA_TRIGGERS",
    "MONTHS",
    "TOTALS_SHEET",
    "TRIPS_SHEET",
    "ExportFormat",
    "export_csv",
    "export_xlsx",
    "neutralise_formula",
    "trip_header",
    "trip_row",
    "write_export",
]

ExportFormat = Literal["xlsx", "csv"]

TRIPS_SHEET = "Reizen"
TOTALS_SHEET = "Totalen"
EXCEPTIONS_SHEET = "Uitzonderingen 8-uursregel"

MONTHS = MONTH_NAMES

# Excel stores number formats locale-free; Dutch Excel shows them as 1.918 and 2,5.
_DATE = "dd-mm-yyyy"
_KM = "#,##0"
_KG = "#,##0.0"
_DAYS = "0.0"
_HOURS = "0.0"
_COUNT = "0"
_TEXT = "@"

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_TOTAL_FONT = Font(bold=True)


@dataclass(frozen=True)
class _Column:
    """One column: header, value from a report, number format, width."""

    header: str
    value: Callable[[Report], Any]
    number_format: str
    width: int


def _yes_no(value: bool) -> str:
    """'ja' / 'nee'."""
    return "ja" if value else "nee"


def _mode_km(mode: TransportMode) -> Callable[[Report], float]:
    """Km of one mode in a report (0 when not used)."""
    return lambda report: sum(line.km for line in report.emissions if line.mode is mode)


def _mode_kg(mode: TransportMode) -> Callable[[Report], float]:
    """Kg CO2e of one mode in a report (0 when not used)."""
    return lambda report: sum(line.kg_co2e for line in report.emissions if line.mode is mode)


def _countries(report: Report) -> str:
    """Countries of the destinations, each once, in order."""
    return ", ".join(dict.fromkeys(place.country for place in report.destinations if place.country))


def _rail_figures(report: Report) -> str:
    """The train time the bot found and the traveller's figure, when someone flew."""
    check = report.rail_check
    return check.figures_text() if check and check.flown else ""


_COLUMNS: tuple[_Column, ...] = (
    _Column("Reiziger", lambda r: r.traveller.name, _TEXT, 22),
    _Column("Afdeling", lambda r: r.traveller.department, _TEXT, 22),
    _Column("Vertrek", lambda r: r.period.departure, _DATE, 12),
    _Column("Terugkomst", lambda r: r.period.return_date, _DATE, 12),
    _Column("Dagen", lambda r: r.period.days, _DAYS, 8),
    _Column("Bestemmingen", lambda r: ", ".join(p.name for p in r.destinations), _TEXT, 26),
    _Column("Landen", _countries, _TEXT, 22),
    _Column("Personen", lambda r: r.persons, _COUNT, 10),
    _Column("Vervoer", lambda r: ", ".join(m.value for m in r.modes), _TEXT, 18),
    *(
        column
        for mode in TransportMode
        for column in (
            _Column(f"{mode.label} km", _mode_km(mode), _KM, 12),
            _Column(f"{mode.label} kg CO2e", _mode_kg(mode), _KG, 14),
        )
    ),
    _Column("Totaal km", lambda r: r.total_km, _KM, 12),
    _Column("Totaal kg CO2e", lambda r: r.total_kg_co2e, _KG, 14),
    _Column("Emissielijst", lambda r: r.emission_list_version, _TEXT, 24),
    _Column("8-uursregel van toepassing", lambda r: _yes_no(rule_applies(r)), _TEXT, 14),
    _Column("Toelichting", lambda r: r.justification or "", _TEXT, 40),
    _Column("Gemarkeerd", lambda r: _yes_no(r.justification_flagged), _TEXT, 12),
    _Column("Treinreis (bot en reiziger)", lambda r: _rail_figures(r), _TEXT, 40),
    _Column("Verslag-id", lambda r: r.report_id, _TEXT, 34),
)


def trip_header() -> list[str]:
    """The column headers of the 'Reizen' sheet and of the CSV."""
    return [column.header for column in _COLUMNS]


def trip_row(report: Report) -> list[Any]:
    """One report as a row of typed values (dates, floats, ints, text)."""
    return [column.value(report) for column in _COLUMNS]


# --- XLSX --------------------------------------------------------------------------------------


#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _store_as_text(cell: Cell, value: str) -> None:
    """Keep typed text literal: a string cell, shown as typed, never parsed as a formula."""
    cell.data_type = "s"  # openpyxl would otherwise store '=…' as a live formula
    if value.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True  # Excel keeps it text even when the cell is edited


def _style_header(sheet: Worksheet, row: int, count: int) -> None:
    """White bold text on dark blue, wrapped, for the header cells of one row."""
    for column in range(1, count + 1):
        cell = sheet.cell(row=row, column=column)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _write_table(
    sheet: Worksheet,
    start_row: int,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    formats: Sequence[str],
    total: Sequence[Any] | None = None,
) -> int:
    """A header, rows with number formats, an optional bold total row; the next free row."""
    for column, header in enumerate(headers, 1):
        sheet.cell(row=start_row, column=column, value=header)
    _style_header(sheet, start_row, len(headers))
    row_number = start_row
    for row in [*rows, *([total] if total is not None else [])]:
        row_number += 1
        for column, (value, number_format) in enumerate(zip(row, formats, strict=True), 1):
            cell = sheet.cell(row=row_number, column=column, value=value)
            if isinstance(value, str):
                _store_as_text(cell, value)
            cell.number_format = number_format
            if row is total:
                cell.font = _TOTAL_FONT
    return row_number + 1


def _trips_sheet(sheet: Worksheet, reports: Sequence[Report]) -> None:
    """Sheet 'Reizen': one row per trip."""
    _write_table(
        sheet,
        1,
        trip_header(),
        [trip_row(report) for report in reports],
        [column.number_format for column in _COLUMNS],
    )
    for index, column in enumerate(_COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    if reports:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(_COLUMNS))}{len(reports) + 1}"


def _totals_sheet(sheet: Worksheet, figures: YearFigures) -> None:
    """Sheet 'Totalen': trips, km and kg per mode, and per month of departure."""
    by_mode = [[m.mode.label, m.trips, m.km, m.kg_co2e] for m in figures.by_mode]
    total = figures.total
    next_row = _write_table(
        sheet,
        1,
        ["Vervoer", "Reizen", "km", "kg CO2e"],
        by_mode,
        [_TEXT, _COUNT, _KM, _KG],
        ["Totaal", total.trips, total.km, total.kg_co2e],
    )
    by_month = [
        [m.name, m.totals.trips, m.totals.days, m.totals.km, m.totals.kg_co2e]
        for m in figures.by_month
    ]
    _write_table(
        sheet,
        next_row + 1,
        ["Maand (vertrek)", "Reizen", "Dagen", "km", "kg CO2e"],
        by_month,
        [_TEXT, _COUNT, _DAYS, _KM, _KG],
        ["Totaal", total.trips, total.days, total.km, total.kg_co2e],
    )
    for letter, width in zip("ABCDE", (18, 10, 10, 12, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"


def _exceptions_sheet(sheet: Worksheet, figures: YearFigures) -> None:
    """Sheet 'Uitzonderingen 8-uursregel': every trip where the rule fired."""
    rows = []
    for report in figures.exceptions:
        check = report.rail_check
        assert check is not None  # an exception is a trip whose 8-hour check fired
        rows.append(
            [
                report.traveller.name,
                report.traveller.department,
                report.period.departure,
                check.destination,
                check.hours,
                _yes_no(check.estimated),
                report.justification or "",
                _yes_no(report.justification_flagged),
            ]
        )
    headers = [
        "Reiziger",
        "Afdeling",
        "Vertrek",
        "Bestemming",
        "Treinreis (uur)",
        "Geschat",
        "Toelichting",
        "Gemarkeerd",
    ]
    _write_table(sheet, 1, headers, rows, [_TEXT, _TEXT, _DATE, _TEXT, _HOURS, _TEXT, _TEXT, _TEXT])
    for letter, width in zip("ABCDEFGH", (22, 22, 12, 20, 12, 10, 60, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2, min_col=7, max_col=7):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"


def export_xlsx(reports: Sequence[Report], year: int) -> bytes:
    """The overview as an XLSX workbook: Reizen, Totalen, Uitzonderingen 8-uursregel."""
    figures = year_figures(reports, year)
    workbook = Workbook()
    trips = workbook.active
    assert trips is not None
    trips.title = TRIPS_SHEET
    _trips_sheet(trips, figures.reports)
    _totals_sheet(workbook.create_sheet(TOTALS_SHEET), figures)
    _exceptions_sheet(workbook.create_sheet(EXCEPTIONS_SHEET), figures)
    workbook.properties.title = f"Buitenlandse dienstreizen {year}"
    workbook.properties.creator = "reisverslag"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- CSV ---------------------------------------------------------------------------------------


def _csv_value(value: Any, number_format: str) -> str:
    """A cell as Dutch Excel reads it: dd-mm-yyyy, decimal comma, no thousands separator."""
    if isinstance(value, date):
        return f"{value:%d-%m-%Y}"
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, int | float):
        return format_number(value, 0 if number_format == _COUNT else 2, grouping=False)
    return neutralise_formula(str(value))


def neutralise_formula(text: str) -> str:
    """The OWASP rule for CSV: text that a spreadsheet would run as a formula gets a leading '."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def export_csv(reports: Sequence[Report]) -> bytes:
    """The 'Reizen' rows as CSV: `;`-separated, UTF-8 with BOM, decimal comma."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(trip_header())
    for report in in_order(reports):
        writer.writerow(
            _csv_value(value, column.number_format)
            for value, column in zip(trip_row(report), _COLUMNS, strict=True)
        )
    return buffer.getvalue().encode("utf-8-sig")


def write_export(
    reports: Sequence[Report], year: int, out_path: Path, fmt: str | None = None
) -> Path:
    """Write the overview of `year` to `out_path` (format from `fmt` or the extension)."""
    chosen = fmt or ("csv" if out_path.suffix.lower() == ".csv" else "xlsx")
    if chosen not in ("xlsx", "csv"):
        raise ValueError(f"unknown export format {chosen!r} (xlsx or csv)")
    content = export_xlsx(reports, year) if chosen == "xlsx" else export_csv(reports)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = out_path.with_name(out_path.name + ".tmp")
    temporary.write_bytes(content)
    temporary.replace(out_path)
    return out_path

"""The public register: a static website of the reports, opened from disk or any web server.

`index.html` lists every report with filters (year, department, destination, transport
mode; plain HTML selects, so the keyboard works) and the year's totals from
`bot.figures.year_figures`, the numbers of the export. Each report has a page with the
form's questions and answers and its PDF beside it. Nothing is loaded from elsewhere: the
style sheet and the filter script are files in the folder. The traveller's name is left
out (page and PDF) unless `show_names`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from bot.figures import in_order, year_figures
from bot.formatting import format_count, format_date_long
from bot.render.documents import document_filename, html_to_pdf
from bot.render.templating import TEMPLATES_DIR, render_template
from bot.render.view import AUTHOR_LABEL, DocumentView, document_view
from bot.report import Report, join_dutch

__all__ = ["RegisterEntry", "YearSummary", "public_view", "write_register"]

_ORGANISATION = "Gemeente Den Haag"
_ASSETS = ("register.css", "register.js")
#: Marks a folder as a register this command wrote, so writing it again may replace it.
_MARKER = ".reisverslag-register"


@dataclass(frozen=True)
class RegisterEntry:
    """One report as the register shows it."""

    page: str
    pdf: str
    pdf_size: str
    year: int
    departure: str
    departure_iso: str
    period: str
    destinations: tuple[str, ...]
    destination_label: str
    countries: str
    department: str
    traveller: str
    modes: tuple[str, ...]
    modes_label: str
    persons: str
    km: str
    kg_co2e: str
    list_version: str
    view: DocumentView


@dataclass(frozen=True)
class YearSummary:
    """A year's totals, the same as the export's."""

    year: int
    trips: str
    km: str
    kg_co2e: str
    exceptions: str


def public_view(report: Report, show_names: bool) -> DocumentView:
    """The report's document view, without the author's name unless names are published."""
    view = document_view(report)
    if show_names:
        return view
    return replace(view, closing=tuple(line for line in view.closing if line.label != AUTHOR_LABEL))


def _page_stem(report: Report) -> str:
    """'verslag-dienstreis-2025-04-27-wenen-1a2b3c4d': readable, unique, safe as a file name."""
    digest = hashlib.sha256(report.report_id.encode("utf-8")).hexdigest()[:8]
    return f"{document_filename(report, 'x')[:-2]}-{digest}"


def _size(content: bytes) -> str:
    """'123 kB'."""
    return f"{max(1, round(len(content) / 1024))} kB"


def _entry(report: Report, stem: str, pdf: bytes, show_names: bool) -> RegisterEntry:
    """The register's view of one report."""
    names = tuple(dict.fromkeys(place.name for place in report.destinations))
    return RegisterEntry(
        page=f"verslagen/{stem}.html",
        pdf=f"{stem}.pdf",
        pdf_size=_size(pdf),
        year=report.period.departure.year,
        departure=f"{report.period.departure:%d-%m-%Y}",
        departure_iso=report.period.departure.isoformat(),
        period=report.period.describe(),
        destinations=names,
        destination_label=join_dutch(list(names)),
        countries=join_dutch(
            list(dict.fromkeys(p.country for p in report.destinations if p.country))
        ),
        department=report.traveller.department.strip() or "onbekend",
        traveller=report.traveller.name if show_names else "",
        modes=tuple(mode.value for mode in report.modes),
        modes_label=report.modes_text(),
        persons=report.persons_text(),
        km=format_count(report.total_km),
        kg_co2e=format_count(report.total_kg_co2e),
        list_version=report.emission_list_version or "onbekend",
        view=public_view(report, show_names),
    )


def _summaries(reports: Sequence[Report]) -> list[YearSummary]:
    """Per year, newest first: trips, km, kg CO2e and 8-hour exceptions."""
    years = sorted({r.period.departure.year for r in reports}, reverse=True)
    summaries = []
    for year in years:
        figures = year_figures([r for r in reports if r.period.departure.year == year], year)
        summaries.append(
            YearSummary(
                year=year,
                trips=format_count(figures.total.trips),
                km=format_count(figures.total.km),
                kg_co2e=format_count(figures.total.kg_co2e),
                exceptions=format_count(len(figures.exceptions)),
            )
        )
    return summaries


def _options(values: list[str]) -> list[str]:
    """Distinct values in Dutch alphabetical order (case-insensitive)."""
    return sorted(set(values), key=lambda value: (value.casefold(), value))


def _write(path: Path, content: str | bytes) -> None:
    """Write one file of the site."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def write_register(
    reports: Sequence[Report], out_dir: Path, show_names: bool = False, made_on: date | None = None
) -> Path:
    """Write the site into `out_dir` (replacing an earlier register there); the index page."""
    made = format_date_long(made_on or date.today())
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / _MARKER).exists():
        raise ValueError(
            f"De map {out_dir} bestaat al en is geen eerder register: kies een nieuwe of lege map."
        )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        entries = []
        for report in reversed(in_order(reports)):  # newest trip first
            stem = _page_stem(report)
            entry_view = public_view(report, show_names)
            pdf = html_to_pdf(render_template("verslag.html", view=entry_view, print_layout=True))
            entry = _entry(report, stem, pdf, show_names)
            _write(staging / "verslagen" / entry.pdf, pdf)
            _write(
                staging / entry.page,
                render_template(
                    "register_verslag.html", entry=entry, organisation=_ORGANISATION, made_on=made
                ),
            )
            entries.append(entry)
        filters = {
            "years": sorted({e.year for e in entries}, reverse=True),
            "departments": _options([e.department for e in entries]),
            "destinations": _options([d for e in entries for d in e.destinations]),
            "modes": _options([m for e in entries for m in e.modes]),
        }
        _write(
            staging / "index.html",
            render_template(
                "register_index.html",
                entries=entries,
                filters=filters,
                summaries=_summaries(reports),
                organisation=_ORGANISATION,
                made_on=made,
                show_names=show_names,
            ),
        )
        for asset in _ASSETS:
            shutil.copyfile(TEMPLATES_DIR / "register" / asset, staging / asset)
        _write(staging / _MARKER, "Register van reisverslag; wordt bij opnieuw maken vervangen.\n")
        for path in staging.rglob("*"):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)  # a site for everyone to read
        os.chmod(staging, 0o755)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir / "index.html"

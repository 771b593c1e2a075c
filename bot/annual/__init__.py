"""The council's yearly report on travel abroad (A4 PDF with charts), made from the store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bot.annual.document import (
    AnnualView,
    NoReportsError,
    YearReports,
    annual_view,
    render_annual_html,
)
from bot.config import Settings
from bot.render.documents import html_to_pdf
from bot.report import Place
from bot.store import Store

__all__ = [
    "AnnualView",
    "NoReportsError",
    "YearReports",
    "annual_report_filename",
    "annual_report_html",
    "annual_report_pdf",
    "year_reports",
]


def year_reports(store: Store, year: int) -> YearReports:
    """The year's reports, the year before, and every report up to the year, from the store."""
    history = [r for r in store.reports.all() if r.period.departure.year <= year]
    return YearReports(
        year=year,
        reports=[r for r in history if r.period.departure.year == year],
        previous=[r for r in history if r.period.departure.year == year - 1],
        history=history,
    )


def annual_report_filename(year: int) -> str:
    """'jaarrapport-buitenlandse-dienstreizen-2025.pdf'."""
    return f"jaarrapport-buitenlandse-dienstreizen-{year}.pdf"


def annual_report_html(
    store: Store,
    year: int,
    settings: Settings,
    rail_hours: Callable[[Place], float | None],
    made_on: date,
) -> str:
    """The yearly report of `year` as the HTML page of its PDF (lay it out with
    `html_to_pdf(..., tagged=True)`); NoReportsError when the year has no reports."""
    view = annual_view(
        year_reports(store, year),
        rail_hours=rail_hours,
        threshold_hours=settings.rail_threshold_hours,
        factor_dir=settings.emission_factors_dir,
        show_names=settings.publish_traveller_names,
        made_on=made_on,
    )
    return render_annual_html(view)


def annual_report_pdf(
    store: Store,
    year: int,
    settings: Settings,
    rail_hours: Callable[[Place], float | None],
    made_on: date,
) -> bytes:
    """The yearly report of `year` as PDF; NoReportsError when the year has no reports."""
    return html_to_pdf(annual_report_html(store, year, settings, rail_hours, made_on), tagged=True)

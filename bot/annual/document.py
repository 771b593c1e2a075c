"""The council's yearly report on travel abroad: key figures, charts and tables as an A4 PDF.

Every figure comes from `bot.figures.year_figures`, the same function the export uses; this
module only arranges them into a view that `templates/jaarrapport.html` formats.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.annual.charts import co2_per_month_svg, destinations_svg, rule_share_svg
from bot.figures import GroupTotal, RuleShare, YearFigures, rule_share_by_year, year_figures
from bot.formatting import format_count, format_date_long, format_number
from bot.i18n import msg
from bot.render.documents import html_to_pdf
from bot.render.templating import render_template
from bot.report import Place, Report, TransportMode, join_dutch
from bot.travel.factors import FactorRow, load_factor_list

__all__ = [
    "AnnualView",
    "Chart",
    "KeyFigure",
    "NoReportsError",
    "YearReports",
    "annual_view",
    "render_annual_html",
    "render_annual_pdf",
]

_ORGANISATION = "Gemeente Den Haag"
_UNIT_LABELS = {"pkm": "per reizigerskm", "vkm": "per voertuigkm"}
#: Years shown in the 8-hour share chart, counting back from the report's year.
SHARE_YEARS = 6


class NoReportsError(ValueError):
    """The year has no reports: there is nothing to report on."""


@dataclass(frozen=True)
class YearReports:
    """What the report is made of: the year, the year before, and every earlier year."""

    year: int
    reports: Sequence[Report]
    previous: Sequence[Report]
    history: Sequence[Report]


@dataclass(frozen=True)
class KeyFigure:
    """One line of the key figures: this year, last year, the change."""

    label: str
    current: str
    previous: str
    change: str
    change_pct: str
    emphasis: bool = False


@dataclass(frozen=True)
class Chart:
    """A chart as an SVG data URI, with its title, caption and text alternative."""

    key: str
    title: str
    caption: str
    alt: str
    uri: str


@dataclass(frozen=True)
class ExceptionRow:
    """One use of the 8-hour exception."""

    departure: str
    destination: str
    department: str
    traveller: str
    rail_hours: str
    justification: str
    flagged: str


@dataclass(frozen=True)
class FactorTable:
    """One emission factor list with the rows it holds and how many reports used it."""

    version: str
    reports: int
    file: str
    rows: tuple[tuple[str, ...], ...]
    sources: tuple[str, ...]
    missing: bool


@dataclass(frozen=True)
class AnnualView:
    """Everything the template shows, as ready-made strings."""

    organisation: str
    year: int
    previous_year: int
    made_on: str
    summary: tuple[str, ...]
    versions_note: str
    key_figures: tuple[KeyFigure, ...]
    charts: tuple[Chart, ...]
    exceptions: tuple[ExceptionRow, ...]
    show_names: bool
    departments: tuple[tuple[str, ...], ...]
    department_total: tuple[str, ...]
    factor_tables: tuple[FactorTable, ...]
    threshold: str


def _change(current: float, previous: float, decimals: int) -> tuple[str, str]:
    """('+1.234', '+12,3%') against last year; '–' for a percentage of nothing."""
    difference = round(current, decimals) - round(previous, decimals)
    sign = "+" if difference > 0 else "−" if difference < 0 else "±"
    absolute = f"{sign}{format_count(abs(difference), decimals)}"
    if round(previous, decimals) == 0:
        return absolute, "–"
    pct = 100 * difference / round(previous, decimals)
    pct_sign = "+" if pct > 0 else "−" if pct < 0 else "±"
    return absolute, f"{pct_sign}{format_number(abs(pct), 1)}%"


def _key_figure(
    label: str, current: float, previous: float, decimals: int = 0, emphasis: bool = False
) -> KeyFigure:
    """A key figure line with its change against last year."""
    change, change_pct = _change(current, previous, decimals)
    return KeyFigure(
        label=label,
        current=format_count(current, decimals),
        previous=format_count(previous, decimals),
        change=change,
        change_pct=change_pct,
        emphasis=emphasis,
    )


def _key_figures(now: YearFigures, before: YearFigures) -> tuple[KeyFigure, ...]:
    """Trips, travellers, destinations, km and kg in total and per mode used in either year."""
    lines = [
        _key_figure("Reizen", now.total.trips, before.total.trips, emphasis=True),
        _key_figure("Reizigers", now.travellers, before.travellers),
        _key_figure("Personen op reis (som)", now.persons, before.persons),
        _key_figure("Bestemmingen", now.destinations, before.destinations),
        _key_figure("Reisdagen", now.total.days, before.total.days, 1),
        _key_figure("Totaal km", now.total.km, before.total.km, emphasis=True),
        _key_figure("Totaal kg CO2e", now.total.kg_co2e, before.total.kg_co2e, emphasis=True),
    ]
    for mode in TransportMode:
        this, last = now.mode(mode), before.mode(mode)
        if this.trips or last.trips:
            lines.append(_key_figure(f"{mode.label}: km", this.km, last.km))
            lines.append(_key_figure(f"{mode.label}: kg CO2e", this.kg_co2e, last.kg_co2e))
    lines.append(
        _key_figure("Uitzonderingen 8-uursregel", len(now.exceptions), len(before.exceptions))
    )
    return tuple(lines)


def _svg_uri(svg: str) -> str:
    """An SVG document as a data URI for an <img>."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _charts(figures: YearFigures, shares: Sequence[RuleShare], threshold: str) -> list[Chart]:
    """The three charts with their captions and text alternatives."""
    top = figures.by_destination[0]
    busiest = max(figures.by_month, key=lambda m: m.totals.kg_co2e)
    charts = [
        Chart(
            key="co2-per-maand",
            title="CO2-uitstoot per maand, per vervoermiddel",
            caption="Kg CO2e van de reizen die in die maand vertrokken, gestapeld per vervoermiddel.",
            alt=(
                f"Staafdiagram: kg CO2e per maand in {figures.year}. De meeste uitstoot in "
                f"{busiest.name}: {format_count(busiest.totals.kg_co2e)} kg."
            ),
            uri=_svg_uri(co2_per_month_svg(figures)),
        ),
        Chart(
            key="bestemmingen",
            title="Reizen en CO2-uitstoot per bestemming",
            caption=(
                "Per hoofdbestemming (de eerste bestemming van het verslag); de hoogste "
                "uitstoot bovenaan."
            ),
            alt=(
                f"Staafdiagram: reizen en kg CO2e per bestemming. Bovenaan {top.name}: "
                f"{top.trips} reizen, {format_count(top.kg_co2e)} kg CO2e."
            ),
            uri=_svg_uri(destinations_svg(figures)),
        ),
    ]
    if shares:
        last = shares[-1]
        charts.append(
            Chart(
                key="trein-of-vliegtuig",
                title=f"Bestemmingen binnen {threshold} uur per trein: hoe werd er gereisd?",
                caption=(
                    f"Aandeel van de reizen naar bestemmingen die binnen {threshold} uur per "
                    "trein bereikbaar zijn. Gevlogen reizen volgens de 8-uurscontrole in het "
                    "verslag; niet gevlogen reizen volgens de treintijdentabel (of, voor een "
                    "plaats die er niet in staat, de geschatte treintijd)."
                ),
                alt=(
                    f"Gestapeld staafdiagram per jaar. In {last.year}: {last.flown} van de "
                    f"{last.trips} reizen binnen {threshold} uur gevlogen, {last.train} per trein."
                ),
                uri=_svg_uri(rule_share_svg(shares)),
            )
        )
    return charts


def _exception_rows(figures: YearFigures, show_names: bool) -> tuple[ExceptionRow, ...]:
    """Every trip where the 8-hour rule fired."""
    rows = []
    for report in figures.exceptions:
        check = report.rail_check
        assert check is not None and check.hours is not None  # the rule fired on known hours
        approx = "ca. " if check.estimated else ""
        rows.append(
            ExceptionRow(
                departure=f"{report.period.departure:%d-%m-%Y}",
                destination=check.destination,
                department=report.traveller.department,
                traveller=report.traveller.name if show_names else "",
                rail_hours=f"{approx}{format_number(check.hours)}",
                justification=report.justification or "",
                flagged="ja" if report.justification_flagged else "nee",
            )
        )
    return tuple(rows)


def _group_row(group: GroupTotal) -> tuple[str, ...]:
    """A department as a table row."""
    return (
        group.name,
        format_count(group.trips),
        format_count(group.travellers),
        format_count(group.km),
        format_count(group.kg_co2e),
        format_count(group.exceptions),
    )


def _band(row: FactorRow) -> str:
    """'700–2.500 km', 'vanaf 2.500 km' or '' when the row has no distance band."""
    if row.band_min_km is None and row.band_max_km is None:
        return ""
    low = format_count(row.band_min_km or 0)
    if row.band_max_km is None:
        return f"vanaf {low} km"
    return f"{low}–{format_count(row.band_max_km)} km"


def _source_note(row: FactorRow) -> str:
    """A row's source for the council: its Dutch label first, then the full provenance."""
    return f"{row.source_label} (herkomst: {row.source})" if row.source_label else row.source


def _factor_tables(figures: YearFigures, factor_dir: Path | None) -> tuple[FactorTable, ...]:
    """Each factor list the year's reports used, read from its versioned file."""
    tables = []
    for version, count in figures.list_versions.items():
        try:
            factor_list = load_factor_list(version, factor_dir)
        except ValueError:
            tables.append(FactorTable(version, count, "", (), (), missing=True))
            continue
        sources = list(dict.fromkeys(map(_source_note, factor_list.rows)))
        rows = tuple(
            (
                row.mode.label,
                row.factor_class,
                _band(row),
                f"{format_number(row.kg_co2e_wtw, 3)} kg {_UNIT_LABELS[row.unit]}",
                "ja" if row.verified else "nee",
                row.retrieved,
                f"[{sources.index(_source_note(row)) + 1}]",
            )
            for row in factor_list.rows
        )
        tables.append(
            FactorTable(version, count, factor_list.path.name, rows, tuple(sources), missing=False)
        )
    return tuple(tables)


def _versions_note(figures: YearFigures) -> str:
    """A warning when the year's reports used more than one factor list."""
    if len(figures.list_versions) < 2:
        return ""
    parts = [
        f"{version} ({count} {'verslag' if count == 1 else 'verslagen'})"
        for version, count in figures.list_versions.items()
    ]
    return (
        f"Let op: de verslagen van {figures.year} gebruiken {len(parts)} "
        f"emissiefactorenlijsten: {join_dutch(parts)}. Elk verslag is berekend met de lijst "
        "die gold toen het werd opgesteld; de uitstoot is niet herrekend. De lijsten staan "
        "achterin."
    )


def _plural(count: int, one: str, many: str) -> str:
    """'1 reis', '3 reizen'."""
    return f"{count} {one if count == 1 else many}"


def _summary(now: YearFigures, before: YearFigures) -> tuple[str, ...]:
    """Two or three sentences a council member reads first."""
    kg_change = _change(now.total.kg_co2e, before.total.kg_co2e, 0)[1]
    compared = (
        f" ({kg_change} ten opzichte van {before.year})"
        if before.total.trips and before.total.kg_co2e
        else ""
    )
    trips = now.total.trips
    sentences = [
        f"In {now.year} {'is' if trips == 1 else 'zijn'} "
        f"{_plural(trips, 'buitenlandse dienstreis', 'buitenlandse dienstreizen')} gemaakt door "
        f"{_plural(now.travellers, 'medewerker', 'medewerkers')}, naar "
        f"{_plural(now.destinations, 'bestemming', 'bestemmingen')}. Samen "
        f"{format_count(now.total.km)} km en {format_count(now.total.kg_co2e)} kg "
        f"CO2-equivalent{compared}.",
    ]
    if not before.total.trips:
        sentences.append(
            f"Over {before.year} zijn geen verslagen ingeleverd; in de vergelijking staat "
            f"{before.year} daarom op 0."
        )
    exceptions = len(now.exceptions)
    if exceptions:
        flagged = sum(1 for r in now.exceptions if r.justification_flagged)
        if exceptions == 1:
            verdict = (
                "de toelichting noemt alleen tijdwinst of gemak en is gemarkeerd"
                if flagged
                else "de toelichting is niet gemarkeerd"
            )
        else:
            verdict = (
                f"{flagged} van de {exceptions} toelichtingen "
                f"{'noemt' if flagged == 1 else 'noemen'} alleen tijdwinst of gemak en "
                f"{'is' if flagged == 1 else 'zijn'} gemarkeerd"
            )
        sentences.append(
            f"Bij {_plural(exceptions, 'reis', 'reizen')} is gevlogen naar een bestemming binnen "
            f"8 uur per trein (de uitzondering op de 8-uursregel); {verdict}."
        )
    else:
        sentences.append("De uitzondering op de 8-uursregel is niet gebruikt.")
    return tuple(sentences)


def annual_view(
    data: YearReports,
    *,
    rail_hours: Callable[[Place], float | None],
    threshold_hours: float,
    factor_dir: Path | None = None,
    show_names: bool = False,
    made_on: date,
) -> AnnualView:
    """The yearly report's view; NoReportsError when the year has no reports."""
    if not data.reports:
        raise NoReportsError(
            msg(
                "Geen verslagen van reizen in {year}: er is geen jaarrapport gemaakt.",
                year=data.year,
            )
        )
    now = year_figures(data.reports, data.year)
    before = year_figures(data.previous, data.year - 1)
    shares = [
        s
        for s in rule_share_by_year(data.history, rail_hours, threshold_hours)
        if data.year - SHARE_YEARS < s.year <= data.year
    ]
    threshold = format_number(threshold_hours)
    return AnnualView(
        organisation=_ORGANISATION,
        year=data.year,
        previous_year=data.year - 1,
        made_on=format_date_long(made_on),
        summary=_summary(now, before),
        versions_note=_versions_note(now),
        key_figures=_key_figures(now, before),
        charts=tuple(_charts(now, shares, threshold)),
        exceptions=_exception_rows(now, show_names),
        show_names=show_names,
        departments=tuple(_group_row(g) for g in now.by_department),
        department_total=(
            "Totaal",
            format_count(now.total.trips),
            format_count(now.travellers),
            format_count(now.total.km),
            format_count(now.total.kg_co2e),
            format_count(len(now.exceptions)),
        ),
        factor_tables=_factor_tables(now, factor_dir),
        threshold=threshold,
    )


def render_annual_html(view: AnnualView) -> str:
    """The yearly report as the HTML page its PDF is laid out from (`html_to_pdf`, tagged)."""
    return render_template("jaarrapport.html", view=view)


def render_annual_pdf(view: AnnualView) -> bytes:
    """The yearly report as a tagged A4 PDF (WeasyPrint, charts as vector drawings)."""
    return html_to_pdf(render_annual_html(view), tagged=True)

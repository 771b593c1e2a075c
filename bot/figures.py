"""A year's totals, computed once: the export, the council's yearly report and the register
all read these, so every figure they show is the same.

Every total is a sum over the reports' own EmissionLines and periods (what the documents
say); a trip counts in the year and month of its departure, and with its first destination.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.formatting import MONTH_NAMES
from bot.report import Place, Report, TransportMode

__all__ = [
    "GroupTotal",
    "ModeTotal",
    "MonthTotal",
    "RuleShare",
    "Totals",
    "YearFigures",
    "in_order",
    "rule_applies",
    "rule_share_by_year",
    "traveller_key",
    "year_figures",
]


@dataclass(frozen=True)
class Totals:
    """Trips, travel days, km and kg CO2e of a set of reports."""

    trips: int
    days: float
    km: float
    kg_co2e: float


@dataclass(frozen=True)
class ModeTotal:
    """One transport mode: trips using it, its km and its kg CO2e."""

    mode: TransportMode
    trips: int
    km: float
    kg_co2e: float


@dataclass(frozen=True)
class MonthTotal:
    """One month of departure, with its kg CO2e split by mode."""

    month: int
    name: str
    totals: Totals
    kg_by_mode: dict[TransportMode, float]


@dataclass(frozen=True)
class GroupTotal:
    """A destination or department: trips, distinct travellers, km, kg, 8-hour exceptions."""

    name: str
    trips: int
    travellers: int
    km: float
    kg_co2e: float
    exceptions: int


@dataclass(frozen=True)
class RuleShare:
    """Trips of one year to places within the train-time threshold, by how they got there."""

    year: int
    flown: int
    train: int
    other_ground: int

    @property
    def trips(self) -> int:
        """All trips to places within the threshold."""
        return self.flown + self.train + self.other_ground


@dataclass(frozen=True)
class YearFigures:
    """Everything counted for one year of reports."""

    year: int
    reports: tuple[Report, ...]
    total: Totals
    by_mode: tuple[ModeTotal, ...]
    by_month: tuple[MonthTotal, ...]
    by_destination: tuple[GroupTotal, ...]
    by_department: tuple[GroupTotal, ...]
    exceptions: tuple[Report, ...]
    travellers: int
    persons: int
    destinations: int
    list_versions: dict[str, int]

    def mode(self, mode: TransportMode) -> ModeTotal:
        """The total of one mode."""
        return next(total for total in self.by_mode if total.mode is mode)


def in_order(reports: Iterable[Report]) -> list[Report]:
    """Reports by departure, then traveller, then id."""
    return sorted(
        reports, key=lambda r: (r.period.departure, r.traveller.name.lower(), r.report_id)
    )


def rule_applies(report: Report) -> bool:
    """Whether the 8-hour rule fired: flown where the train was within the threshold."""
    return bool(report.rail_check and report.rail_check.justification_required)


def traveller_key(report: Report) -> str:
    """Who reported: the account when known, else the name (for counting distinct travellers)."""
    return report.traveller.user_ref or report.traveller.name.strip().lower()


def _totals(reports: Sequence[Report]) -> Totals:
    """Sums over a set of reports."""
    return Totals(
        trips=len(reports),
        days=sum(r.period.days for r in reports),
        km=sum(r.total_km for r in reports),
        kg_co2e=sum(r.total_kg_co2e for r in reports),
    )


def _mode_totals(reports: Sequence[Report]) -> tuple[ModeTotal, ...]:
    """Per transport mode, in the form's order."""
    totals = []
    for mode in TransportMode:
        lines = [line for r in reports for line in r.emissions if line.mode is mode]
        totals.append(
            ModeTotal(
                mode=mode,
                trips=sum(1 for r in reports if any(line.mode is mode for line in r.emissions)),
                km=sum(line.km for line in lines),
                kg_co2e=sum(line.kg_co2e for line in lines),
            )
        )
    return tuple(totals)


def _month_totals(reports: Sequence[Report]) -> tuple[MonthTotal, ...]:
    """Per month of departure, January to December."""
    months = []
    for month in range(1, 13):
        trips = [r for r in reports if r.period.departure.month == month]
        months.append(
            MonthTotal(
                month=month,
                name=MONTH_NAMES[month - 1],
                totals=_totals(trips),
                kg_by_mode={m.mode: m.kg_co2e for m in _mode_totals(trips)},
            )
        )
    return tuple(months)


def _grouped(reports: Sequence[Report], key: Callable[[Report], str]) -> tuple[GroupTotal, ...]:
    """Totals per group, most CO2 first, then by name."""
    groups: dict[str, list[Report]] = {}
    for report in reports:
        groups.setdefault(key(report), []).append(report)
    totals = [
        GroupTotal(
            name=name,
            trips=len(members),
            travellers=len({traveller_key(r) for r in members}),
            km=sum(r.total_km for r in members),
            kg_co2e=sum(r.total_kg_co2e for r in members),
            exceptions=sum(1 for r in members if rule_applies(r)),
        )
        for name, members in groups.items()
    ]
    return tuple(sorted(totals, key=lambda g: (-g.kg_co2e, -g.trips, g.name.lower())))


def _main_destination(report: Report) -> str:
    """The first destination of a report, by name."""
    return report.destinations[0].name


def _list_versions(reports: Sequence[Report]) -> dict[str, int]:
    """Emission factor list version -> number of reports that used it ('' never counted)."""
    counts: Counter[str] = Counter()
    for report in reports:
        versions = {line.list_version for line in report.emissions}
        versions.add(report.emission_list_version)
        counts.update(v for v in versions if v)
    return dict(sorted(counts.items()))


def year_figures(reports: Iterable[Report], year: int) -> YearFigures:
    """Every total of one year's reports."""
    ordered = in_order(reports)
    return YearFigures(
        year=year,
        reports=tuple(ordered),
        total=_totals(ordered),
        by_mode=_mode_totals(ordered),
        by_month=_month_totals(ordered),
        by_destination=_grouped(ordered, _main_destination),
        by_department=_grouped(ordered, lambda r: r.traveller.department.strip() or "onbekend"),
        exceptions=tuple(r for r in ordered if rule_applies(r)),
        travellers=len({traveller_key(r) for r in ordered}),
        persons=sum(r.persons for r in ordered),
        destinations=len({(p.name, p.country) for r in ordered for p in r.destinations}),
        list_versions=_list_versions(ordered),
    )


def _within_threshold(
    report: Report, rail_hours: Callable[[Place], float | None], threshold_hours: float
) -> bool:
    """Whether a destination of the trip lies within the train-time threshold.

    A flown trip keeps the 8-hour check stored with its report; for a trip that did not fly
    the train-time table (`rail_hours`) is asked about each destination.
    """
    if report.rail_check is not None:
        return report.rail_check.within_threshold
    hours = [h for h in (rail_hours(place) for place in report.destinations) if h is not None]
    return bool(hours) and min(hours) <= threshold_hours


def rule_share_by_year(
    reports: Iterable[Report],
    rail_hours: Callable[[Place], float | None],
    threshold_hours: float,
) -> tuple[RuleShare, ...]:
    """Per year of departure: trips within the threshold flown, by train, or otherwise overland."""
    counts: dict[int, Counter[str]] = {}
    for report in reports:
        if not _within_threshold(report, rail_hours, threshold_hours):
            continue
        if TransportMode.VLIEGTUIG in report.modes:
            how = "flown"
        elif TransportMode.TREIN in report.modes:
            how = "train"
        else:
            how = "other_ground"
        counts.setdefault(report.period.departure.year, Counter())[how] += 1
    return tuple(
        RuleShare(year=year, flown=c["flown"], train=c["train"], other_ground=c["other_ground"])
        for year, c in sorted(counts.items())
    )

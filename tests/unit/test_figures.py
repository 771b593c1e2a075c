"""A year's totals, computed once for the export, the yearly report and the register."""

from __future__ import annotations

from datetime import date

import pytest

from bot.figures import rule_share_by_year, year_figures
from bot.report import Place, RailCheck, Report, TransportMode, Traveller, TripPeriod
from testkit.example_report import example_report
from tests.unit.test_export import berlin_train_and_bus, line, paris_flight

BRUSSEL = Place(name="Brussel", country="België", country_code="BE")


def brussels(year: int, mode: TransportMode, report_id: str) -> Report:
    """A day trip to Brussels (2 hours by train) by `mode`, with no 8-hour check stored."""
    return example_report(
        report_id=report_id,
        traveller=Traveller(name="Z. Zwart", department="Economie", user_ref="telegram:9"),
        period=TripPeriod(departure=date(year, 3, 1), return_date=date(year, 3, 1)),
        destinations=[BRUSSEL],
        modes=[mode],
        emissions=[line(mode, 350.0, 36.4)],
        rail_check=None,
        legs=[],
    )


def test_totals_per_mode_month_department_and_destination() -> None:
    reports = [paris_flight(), example_report(), berlin_train_and_bus()]
    figures = year_figures(reports, 2025)
    assert [r.report_id for r in figures.reports] == ["voorbeeld-wenen-2025", "berlijn", "parijs"]
    assert figures.total.trips == 3 and figures.total.km == 800 + 1919 + 3900
    assert figures.mode(TransportMode.VLIEGTUIG).trips == 2
    assert figures.mode(TransportMode.BUS).kg_co2e == pytest.approx(202.8)
    june = figures.by_month[5]
    assert june.totals.trips == 2 and june.kg_by_mode[TransportMode.VLIEGTUIG] == 187.2
    assert [g.name for g in figures.by_destination] == ["Wenen", "Berlijn", "Parijs"]
    economie = next(g for g in figures.by_department if g.name == "Economie")
    assert (economie.trips, economie.exceptions) == (1, 1)
    assert [r.report_id for r in figures.exceptions] == ["parijs"]
    assert (figures.travellers, figures.persons, figures.destinations) == (3, 6, 4)
    assert figures.list_versions == {"co2emissiefactoren-2025": 3}


def test_travellers_count_each_account_once_and_versions_per_report() -> None:
    first = brussels(2025, TransportMode.TREIN, "a")
    second = brussels(2025, TransportMode.BUS, "b").model_copy(
        update={"emission_list_version": "co2emissiefactoren-2026"}
    )
    figures = year_figures([first, second], 2025)
    assert figures.travellers == 1
    assert figures.list_versions == {"co2emissiefactoren-2025": 2, "co2emissiefactoren-2026": 1}


FLOWN_TO_BRUSSELS = RailCheck(
    destination="Brussel", hours=2, estimated=False, source="t", threshold_hours=8, flown=True
)


def test_rule_share_counts_trips_within_the_threshold_by_how_they_went() -> None:
    flown_near = paris_flight()  # its own check: 3,5 hours, flown
    flown_far = example_report()  # Vienna: 12,5 hours, not within 8
    reports = [
        flown_near,
        flown_far,
        berlin_train_and_bus(),  # no check stored: the table says 6 hours
        brussels(2024, TransportMode.TREIN, "t"),
        brussels(2024, TransportMode.AUTO, "c"),
        brussels(2024, TransportMode.VLIEGTUIG, "v").model_copy(
            update={"rail_check": FLOWN_TO_BRUSSELS, "justification": "Crisis."}
        ),
    ]
    table = {"Berlijn": 6.0, "Brussel": 2.0}
    shares = rule_share_by_year(reports, lambda place: table.get(place.name), 8)
    assert [(s.year, s.flown, s.train, s.other_ground) for s in shares] == [
        (2024, 1, 1, 1),
        (2025, 1, 1, 0),
    ]
    assert rule_share_by_year(reports, lambda place: None, 8)[-1].train == 0

"""Years of generated reports: many departments, destinations, modes and two factor lists.

Emissions are computed from the shipped factor lists (flight band by one-way distance), so
the reports look like the bot's own; the numbers are made up but consistent.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from bot.report import (
    EmissionLine,
    Place,
    RailCheck,
    Report,
    TransportMode,
    Traveller,
    TripPeriod,
)
from bot.store import Store
from bot.travel.factors import load_factor_list
from testkit.example_report import EXAMPLE_FREE_TEXT

__all__ = ["DEPARTMENTS", "generated_year", "store_reports"]

DEPARTMENTS = (
    "Digitale Stad",
    "Economie",
    "Stedelijke Ontwikkeling",
    "Internationale Zaken",
    "Bestuursdienst",
    "Onderwijs, Cultuur en Welzijn",
)

# name, country, code, lat, lon, one-way km, train hours from Den Haag (None: no rail option)
_DESTINATIONS = (
    ("Brussel", "België", "BE", 50.85, 4.35, 175, 2.0),
    ("Parijs", "Frankrijk", "FR", 48.86, 2.35, 400, 3.5),
    ("Londen", "Verenigd Koninkrijk", "GB", 51.51, -0.13, 360, 4.5),
    ("Keulen", "Duitsland", "DE", 50.94, 6.96, 230, 2.7),
    ("Frankfurt am Main", "Duitsland", "DE", 50.11, 8.68, 380, 4.0),
    ("Berlijn", "Duitsland", "DE", 52.52, 13.40, 610, 6.0),
    ("Genève", "Zwitserland", "CH", 46.20, 6.15, 690, 7.5),
    ("München", "Duitsland", "DE", 48.14, 11.58, 660, 7.0),
    ("Wenen", "Oostenrijk", "AT", 48.21, 16.37, 960, 12.5),
    ("Kopenhagen", "Denemarken", "DK", 55.68, 12.57, 620, 10.5),
    ("Barcelona", "Spanje", "ES", 41.39, 2.17, 1240, None),
    ("Lissabon", "Portugal", "PT", 38.72, -9.14, 1850, None),
    ("Helsinki", "Finland", "FI", 60.17, 24.94, 1500, None),
    ("New York", "Verenigde Staten", "US", 40.71, -74.01, 5860, None),
)
_NAMES = (
    "A. Bakker", "B. Visser", "C. Jansen", "D. de Boer", "E. Mulder", "F. Smit", "G. Meijer",
    "H. de Groot", "I. Bos", "J. Vos", "K. Peters", "L. Hendriks", "M. van Dijk", "N. Dekker",
    "O. Brouwer", "P. de Wit", "Q. Dijkstra", "R. Smits", "S. de Graaf", "T. van der Meer",
)  # fmt: skip
_JUSTIFICATIONS = (
    ("Spoedoverleg na de overstroming: de trein kwam pas de volgende dag aan.", False),
    ("De trein was goedkoper met het vliegtuig en het scheelt reistijd.", True),
    ("Staking bij de spoorwegen op de dag van vertrek.", False),
    ("Het was sneller en makkelijker.", True),
)


def _flight_line(km_one_way: float, persons: int, version: str) -> EmissionLine:
    """A return flight for the whole party with the list's band factor."""
    row = load_factor_list(version).factor_for(TransportMode.VLIEGTUIG, km_one_way)
    units = 2 * km_one_way * persons
    return EmissionLine(
        mode=TransportMode.VLIEGTUIG, km=2 * km_one_way, kg_co2e=units * row.kg_co2e_wtw,
        factor_kg_per_unit=row.kg_co2e_wtw, unit="pkm", units=units,
        factor_class=row.factor_class, factor_source=row.source, factor_verified=row.verified,
        list_version=version,
    )  # fmt: skip


def _ground_line(mode: TransportMode, km: float, persons: int, version: str) -> EmissionLine:
    """A return trip over land with the list's factor (per car for the car)."""
    row = load_factor_list(version).factor_for(mode, km)
    units = 2 * km * (1 if mode is TransportMode.AUTO else persons)
    return EmissionLine(
        mode=mode, km=2 * km, kg_co2e=units * row.kg_co2e_wtw,
        factor_kg_per_unit=row.kg_co2e_wtw, unit=row.unit, units=units,
        factor_class=row.factor_class, factor_source=row.source, factor_verified=row.verified,
        list_version=version,
    )  # fmt: skip


def _report(rng: random.Random, year: int, index: int, new_list_from: date | None) -> Report:
    """One plausible trip of `year`."""
    name, country, code, lat, lon, km, hours = rng.choice(_DESTINATIONS)
    place = Place(name=name, country=country, country_code=code, latitude=lat, longitude=lon)
    departure = date(year, 1, 1) + timedelta(days=rng.randrange(0, 360))
    period = TripPeriod(departure=departure, return_date=departure + timedelta(rng.randrange(4)))
    persons = rng.choice((1, 1, 1, 2, 3))
    version = (
        "co2emissiefactoren-2026"
        if new_list_from and departure >= new_list_from
        else "co2emissiefactoren-2025"
    )
    near = hours is not None and hours <= 8
    roll = rng.random()
    if near and roll < 0.6:
        modes = [TransportMode.TREIN]
    elif near and roll < 0.7:
        modes = [rng.choice((TransportMode.BUS, TransportMode.AUTO))]
    elif name == "Londen" and roll < 0.8:
        modes = [TransportMode.TREIN, TransportMode.VEERBOOT]
    elif hours is not None and not near and roll < 0.15:
        modes = [TransportMode.TREIN]
    else:
        modes = [TransportMode.VLIEGTUIG]
    if modes == [TransportMode.VLIEGTUIG]:
        emissions = [_flight_line(km, persons, version)]
        rail_check = RailCheck(
            destination=name, hours=hours, estimated=False, source="tabel",
            threshold_hours=8, flown=True,
        )  # fmt: skip
    else:
        emissions = [_ground_line(mode, km, persons, version) for mode in modes]
        rail_check = None
    justification, flagged = (
        rng.choice(_JUSTIFICATIONS)
        if rail_check and rail_check.justification_required
        else ("", False)
    )
    traveller_number = rng.randrange(len(_NAMES))
    return Report(
        report_id=f"gen-{year}-{index:03d}",
        traveller=Traveller(
            name=_NAMES[traveller_number],
            department=DEPARTMENTS[traveller_number % len(DEPARTMENTS)],
            user_ref=f"telegram:{1000 + traveller_number}",
        ),
        persons=persons,
        period=period,
        destinations=[place],
        modes=modes,
        emissions=emissions,
        emission_list_version=version,
        rail_check=rail_check,
        justification=justification or None,
        justification_flagged=flagged,
        submitted_at=datetime.combine(period.return_date + timedelta(days=2), datetime.min.time()),
        **EXAMPLE_FREE_TEXT,
    )


def generated_year(
    year: int, count: int, seed: int = 7, new_list_from: date | None = None
) -> list[Report]:
    """`count` reports departing in `year`; from `new_list_from` on with the 2026 factor list."""
    rng = random.Random(f"{seed}-{year}")
    return [_report(rng, year, index, new_list_from) for index in range(count)]


def store_reports(store: Store, reports: list[Report]) -> None:
    """Save each report as its traveller's."""
    for report in reports:
        store.reports.add(report.traveller.user_ref, report, datetime(2026, 1, 5, tzinfo=UTC))

"""TravelCalculator: the interview's TripCalculator, built from places, airports, factors and rail times."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from bot.dialogs.ports import TripCalculator
from bot.i18n import msg
from bot.report import EmissionLine, Leg, Place, RailCheck, TransportMode
from bot.travel.factors import FactorList, FactorRow, load_factor_list
from bot.travel.geo import haversine_km
from bot.travel.places import Gazetteer, gazetteer
from bot.travel.rail import RailPlanner, RailTime, is_weak_justification
from bot.travel.routes import RoutePlanner

if TYPE_CHECKING:
    from bot.config import Settings

__all__ = ["TravelCalculator", "as_trip_calculator"]

#: 8-hour checks remembered per route (the interview asks for one several times per message).
RAIL_CHECK_CACHE_SIZE = 4096


class TravelCalculator:
    """Places, routes, distances, emissions and the 8-hour rule (implements TripCalculator)."""

    def __init__(
        self,
        *,
        home_city: str = "Den Haag",
        home_airports: list[str] | None = None,
        rail_threshold_hours: float = 8.0,
        emission_list_version: str = "co2emissiefactoren-2025",
        emission_factors_dir: Path | None = None,
    ) -> None:
        """Load (or reuse) the data; ValueError in Dutch for a bad setting."""
        if rail_threshold_hours <= 0:
            raise ValueError("De treingrens moet meer dan 0 uur zijn.")
        self.places: Gazetteer = gazetteer()
        homes = self.places.resolve(home_city)
        if len(homes) != 1 or not homes[0].has_coordinates:
            raise ValueError(f"Thuisplaats '{home_city}' is geen eenduidige, bekende plaats.")
        self._home = homes[0]
        self.planner = RoutePlanner(self.places, self._home, home_airports or ["AMS", "RTM", "EIN"])
        self.factors: FactorList = load_factor_list(emission_list_version, emission_factors_dir)
        self.rail = RailPlanner(self._home, self.places.europe, rail_threshold_hours)
        self.rail_threshold_hours = rail_threshold_hours
        self._rail_checks = functools.lru_cache(maxsize=RAIL_CHECK_CACHE_SIZE)(self._rail_check)

    @classmethod
    def from_settings(cls, settings: Settings) -> TravelCalculator:
        """Build from the application's settings."""
        return cls(
            home_city=settings.home_city,
            home_airports=settings.home_airports,
            rail_threshold_hours=settings.rail_threshold_hours,
            emission_list_version=settings.emission_list_version,
            emission_factors_dir=settings.emission_factors_dir,
        )

    @property
    def home(self) -> Place:
        """Where trips start: Den Haag by default."""
        return self._home

    @property
    def list_version(self) -> str:
        """Version of the emission factor list in use."""
        return self.factors.version

    def resolve_places(self, text: str) -> list[Place]:
        """'Wenen en Bratislava' -> two destinations abroad, in the order typed."""
        places = self.places.resolve(text)
        domestic = [place for place in places if place.country_code == self._home.country_code]
        journey_from_home = len(domestic) < len(places) and all(p == self._home for p in domestic)
        if domestic and not journey_from_home:  # 'Den Haag – Brussel – … – Den Haag' is fine
            country = self.places.country_name(self._home.country_code)
            raise ValueError(
                msg(
                    "{place} ligt in {country}. Dit verslag is voor dienstreizen naar het "
                    "buitenland. Noem de plaats(en) in het buitenland die je bezocht, "
                    "bijvoorbeeld 'Wenen en Bratislava'.",
                    place=domestic[0].name,
                    country=country,
                )
            )
        return places

    def propose_legs(self, destinations: list[Place], modes: list[TransportMode]) -> list[Leg]:
        """The most likely route for these destinations and modes (flights via airports)."""
        return self.planner.propose(destinations, modes)

    def parse_legs(
        self,
        text: str,
        destinations: list[Place],
        modes: list[TransportMode],
        proposed: list[Leg],
    ) -> list[Leg]:
        """A traveller's description or correction of the route ('heen met de trein, ...')."""
        return self.planner.parse(text, destinations, modes, proposed)

    def describe_legs(self, legs: list[Leg]) -> str:
        """Dutch lines, one per leg, for confirming the route on a small screen."""
        return self.planner.describe(legs)

    def great_circle_km(self, origin: Place, destination: Place) -> float | None:
        """Great-circle km between two places (None when one has no known location)."""
        if origin.latitude is None or origin.longitude is None:
            return None
        if destination.latitude is None or destination.longitude is None:
            return None
        return haversine_km(
            origin.latitude, origin.longitude, destination.latitude, destination.longitude
        )

    def rail_time(self, place: Place) -> RailTime:
        """Train hours from the home station to a place (rail network, estimate or None)."""
        return self.rail.lookup(place)

    def rail_check(self, destinations: list[Place], legs: list[Leg]) -> RailCheck | None:
        """The 8-hour rule for the flown destination nearest by train (None when nothing flew);
        remembered per route, as the data it comes from does not change while running."""
        return self._rail_checks(tuple(destinations), tuple(legs))

    def _rail_check(
        self, destinations: tuple[Place, ...], legs: tuple[Leg, ...]
    ) -> RailCheck | None:
        """`rail_check` without the memory."""
        flown = [
            place
            for place in destinations
            if any(
                leg.mode == TransportMode.VLIEGTUIG and place in (leg.destination, leg.origin)
                for leg in legs
            )
        ]
        if not flown:
            flown_elsewhere = [
                leg.destination
                for leg in legs
                if leg.mode == TransportMode.VLIEGTUIG and leg.destination != self.home
            ]
            if not flown_elsewhere:
                return None
            flown = flown_elsewhere
        times = [(place, self.rail.lookup(place)) for place in flown]
        place, time = min(
            times, key=lambda item: item[1].hours if item[1].hours is not None else float("inf")
        )
        return RailCheck(
            destination=place.name,
            hours=time.hours,
            estimated=time.estimated,
            source=time.source,
            threshold_hours=self.rail_threshold_hours,
            flown=True,
            route=time.route,
            lower_bound=time.lower_bound,
            computed_hours=time.hours,
        )

    def factor_for(self, leg: Leg, car_on_board: bool = False) -> FactorRow:
        """The emission factor row that applies to one leg."""
        return self.factors.factor_for(leg.mode, leg.km_one_way, leg.fuel, car_on_board)

    def emissions(self, legs: list[Leg], persons: int) -> list[EmissionLine]:
        """Km and kg CO2e per mode for the whole party: pkm x persons, vkm x cars."""
        if persons < 1:
            raise ValueError("Het aantal personen moet minstens 1 zijn.")
        lines = []
        modes = list(dict.fromkeys(leg.mode for leg in legs))
        for mode in modes:
            mode_legs = [leg for leg in legs if leg.mode == mode]
            rows = [self.factor_for(leg, _car_on_board(leg, legs)) for leg in mode_legs]
            units = [
                leg.km * row.uplift * (persons if row.unit == "pkm" else leg.cars)
                for leg, row in zip(mode_legs, rows, strict=True)
            ]
            kg = sum(u * row.kg_co2e_wtw for u, row in zip(units, rows, strict=True))
            total_units = sum(units)
            distinct = list(dict.fromkeys(rows))
            unit_names = {row.unit for row in rows}
            lines.append(
                EmissionLine(
                    mode=mode,
                    km=sum(leg.km for leg in mode_legs),
                    kg_co2e=kg,
                    factor_kg_per_unit=(
                        distinct[0].kg_co2e_wtw
                        if len(distinct) == 1
                        else (kg / total_units if total_units else 0.0)
                    ),
                    unit="vkm" if unit_names == {"vkm"} else "pkm",
                    units=total_units,
                    factor_class=" + ".join(row.factor_class for row in distinct),
                    factor_source=" | ".join(dict.fromkeys(row.source for row in distinct)),
                    factor_source_labels=tuple(
                        dict.fromkeys(row.source_label or row.source for row in distinct)
                    ),
                    factor_verified=all(row.verified for row in distinct),
                    list_version=self.factors.version,
                    return_trip=all(leg.return_trip for leg in mode_legs),
                )
            )
        return lines

    def is_weak_justification(self, text: str) -> bool:
        """True when a justification names only efficiency (time, convenience, price)."""
        return is_weak_justification(text)


def _car_on_board(leg: Leg, legs: list[Leg]) -> bool:
    """A ferry leg that starts or ends where a car leg does: the car went on the ferry."""
    if leg.mode != TransportMode.VEERBOOT:
        return False
    ends = {leg.origin, leg.destination}
    return any(
        other.mode == TransportMode.AUTO and ends & {other.origin, other.destination}
        for other in legs
    )


def as_trip_calculator(calc: TravelCalculator) -> TripCalculator:
    """The calculator as the interview's port (mypy checks that it fits the Protocol)."""
    return calc

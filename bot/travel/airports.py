"""Airports: scheduled ones from data/scheduled_airports.csv, any other IATA code from airportsdata.

A destination's airport is its city's main passenger airport from the curated table
`data/city_airports.csv` (every capital and the most likely destinations). Elsewhere it is
the airport with the most traffic for the place: among the scheduled airports within
`PRIMARY_RADIUS_KM` that have routes, the one with the highest routes × exp(-km /
`TRAFFIC_DISTANCE_KM`), times `FOREIGN_WEIGHT` for an airport in another country; routes from
`data/airport_routes.csv` (OpenFlights, see data/README.md for the measured hit rate). Without such an airport: the nearest *large* one within
the radius, else the nearest airport with scheduled service. The scheduled airports are the
large and medium airports that OurAirports marks as having scheduled service (copied with
name and coordinates into `data/scheduled_airports.csv`, source column per row; heliports,
seaplane bases, closed fields and metropolitan codes filtered out by
`scripts/filter_scheduled_airports.py`). Those coordinates are used because airportsdata 20260905 puts a few
busy airports tens of km off (BRU 42 km, LGG 32 km, LUX 30 km; see data/README.md).
Schiphol (AMS) to Vienna (VIE) is 959 km either way.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import airportsdata
from pydantic import BaseModel, ConfigDict, Field

from bot.travel._data import DATA_DIR, read_rows
from bot.travel.geo import fold, haversine_km

__all__ = [
    "FOREIGN_WEIGHT",
    "PRIMARY_RADIUS_KM",
    "TRAFFIC_DISTANCE_KM",
    "Airport",
    "airport_by_code",
    "city_airport",
    "curated_airports",
    "find_airport_by_name",
    "primary_airport",
]

#: Airports farther than this from a place are not its airport (unless nothing is nearer).
PRIMARY_RADIUS_KM = 100.0
#: Traffic counts less with distance: an airport this many km farther needs e (2.7) times the routes.
TRAFFIC_DISTANCE_KM = 20.0
#: An airport in another country counts for this share of its traffic (Basel-Mulhouse still serves Basel).
FOREIGN_WEIGHT = 0.25

_NAME_NOISE = re.compile(
    r"\b(?:international|internationale|intl|airport|aeroport|aeropuerto)\b", re.I
)
_AIRPORT_WORDS = {"airport", "luchthaven", "vliegveld", "vliegveldje", "international", "de", "het"}


@dataclass(frozen=True)
class Airport:
    """An airport with an IATA code."""

    iata: str
    name: str
    city: str
    country_code: str
    latitude: float
    longitude: float
    scheduled: bool
    large: bool = False
    routes: int = 0

    @property
    def short_name(self) -> str:
        """'Amsterdam Airport Schiphol' -> 'Amsterdam Schiphol'."""
        return re.sub(r"\s+", " ", _NAME_NOISE.sub("", self.name)).strip(" -") or self.name

    def km_to(self, other: Airport) -> float:
        """Great-circle distance to another airport."""
        return haversine_km(self.latitude, self.longitude, other.latitude, other.longitude)


class _ScheduledRow(BaseModel):
    """A row of data/scheduled_airports.csv."""

    model_config = ConfigDict(extra="ignore")

    iata: str = Field(min_length=3, max_length=3)
    name: str
    country_code: str = Field(min_length=2, max_length=2)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    type: str
    source: str = Field(min_length=1)


class _RoutesRow(BaseModel):
    """A row of data/airport_routes.csv."""

    model_config = ConfigDict(extra="ignore")

    iata: str = Field(min_length=3, max_length=3)
    routes: int = Field(ge=0)
    source: str = Field(min_length=1)


class _CityRow(BaseModel):
    """A row of data/city_airports.csv."""

    model_config = ConfigDict(extra="ignore")

    geonameid: int
    iata: str = Field(min_length=3, max_length=3)
    source: str = Field(min_length=1)


@functools.cache
def _all_airports() -> dict[str, Airport]:
    """Every airport with an IATA code, keyed by code: the scheduled table over airportsdata."""
    known = airportsdata.load("IATA")
    routes = {
        row.iata: row.routes for row in read_rows(DATA_DIR / "airport_routes.csv", _RoutesRow)
    }
    airports = {
        code: Airport(
            iata=code,
            name=str(row["name"]),
            city=str(row["city"]),
            country_code=str(row["country"]),
            latitude=float(row["lat"]),
            longitude=float(row["lon"]),
            scheduled=False,
        )
        for code, row in known.items()
    }
    for scheduled in read_rows(DATA_DIR / "scheduled_airports.csv", _ScheduledRow):
        listed = known.get(scheduled.iata)
        airports[scheduled.iata] = Airport(
            iata=scheduled.iata,
            name=scheduled.name,
            city=str(listed["city"])
            if listed and listed["country"] == scheduled.country_code
            else "",
            country_code=scheduled.country_code,
            latitude=scheduled.latitude,
            longitude=scheduled.longitude,
            scheduled=True,
            large=scheduled.type == "large_airport",
            routes=routes.get(scheduled.iata, 0),
        )
    return airports


@functools.cache
def _scheduled() -> tuple[Airport, ...]:
    """Airports with scheduled passenger service."""
    return tuple(a for a in _all_airports().values() if a.scheduled)


def airport_by_code(code: str) -> Airport | None:
    """The airport with this IATA code (any airport airportsdata knows)."""
    return _all_airports().get(code.strip().upper())


def _traffic_score(km: float, airport: Airport, country_code: str) -> float:
    """Routes, discounted by distance and for an airport across a border."""
    abroad = FOREIGN_WEIGHT if country_code and airport.country_code != country_code.upper() else 1
    return airport.routes * abroad * math.exp(-km / TRAFFIC_DISTANCE_KM)


@functools.lru_cache(maxsize=1024)
def primary_airport(latitude: float, longitude: float, country_code: str = "") -> Airport:
    """A place's commercial airport when the curated table has none (see module docstring)."""
    by_distance = sorted(
        ((haversine_km(latitude, longitude, a.latitude, a.longitude), a) for a in _scheduled()),
        key=lambda pair: pair[0],
    )
    near = [(km, a) for km, a in by_distance if km <= PRIMARY_RADIUS_KM]
    served = [(km, a) for km, a in near if a.routes > 0]
    if served:
        return max(served, key=lambda pair: _traffic_score(pair[0], pair[1], country_code))[1]
    return next((a for _, a in near if a.large), by_distance[0][1])


@functools.cache
def curated_airports() -> dict[int, str]:
    """Geonames id -> IATA code of the city's main airport (data/city_airports.csv)."""
    return {row.geonameid: row.iata for row in read_rows(DATA_DIR / "city_airports.csv", _CityRow)}


def city_airport(geonameid: int) -> Airport | None:
    """The curated main airport of a city, None when the table has no row for it."""
    code = curated_airports().get(geonameid)
    return airport_by_code(code) if code else None


def find_airport_by_name(text: str) -> Airport | None:
    """A scheduled airport whose name or city holds every word typed ('Schiphol', 'Charleroi')."""
    words = [w for w in fold(text).split() if w not in _AIRPORT_WORDS]
    if not words:
        return None
    hits = [a for a in _scheduled() if all(w in fold(f"{a.name} {a.city}").split() for w in words)]
    return hits[0] if len(hits) == 1 else None

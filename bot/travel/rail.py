"""Train travel times from Den Haag (the 8-hour rule) and the check on weak justifications.

Hours come from `data/rail_times_den_haag.csv` (a source per row) when the destination
is within `TABLE_MATCH_KM` of a table row. Otherwise they are estimated as

    hours = great-circle km from Den Haag / speed,

with `speed` the least-squares fit through the origin on the table rows
(sum(km^2) / sum(km * hours)); on the shipped 15 rows that is about 81 km/h
(R^2 0.81, RMSE 1.5 h). Estimates are labelled as such. Places without a rail link
to Den Haag (outside Europe, or in `NO_RAIL_LINK_COUNTRIES`) get hours None:
a train is no option there, so a flight needs no justification.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from bot.report import Place
from bot.travel._data import DATA_DIR, read_rows
from bot.travel.geo import fold, haversine_km
from bot.travel.places import Gazetteer

__all__ = [
    "NO_RAIL_LINK_COUNTRIES",
    "TABLE_MATCH_KM",
    "RailTable",
    "RailTime",
    "is_weak_justification",
    "rail_table",
]

#: A destination this close to a table row uses that row.
TABLE_MATCH_KM = 25.0
#: European countries without a rail link to the continent (islands).
NO_RAIL_LINK_COUNTRIES = frozenset({"IE", "IS", "CY", "MT", "FO"})


class _RailRow(BaseModel):
    """A row of data/rail_times_den_haag.csv."""

    model_config = ConfigDict(extra="forbid")

    destination: str
    hours: float = Field(gt=0, lt=100)
    source: str = Field(min_length=1)
    retrieved: str
    verified: bool
    note: str = ""


@dataclass(frozen=True)
class RailTime:
    """Hours by train from Den Haag, whether estimated, and where the figure comes from."""

    hours: float | None
    estimated: bool
    source: str


@dataclass(frozen=True)
class _Row:
    """A table row with the coordinates of its destination."""

    place: Place
    hours: float
    source: str
    km: float


class RailTable:
    """The train-time table and the estimate for places not in it."""

    def __init__(self, places: Gazetteer) -> None:
        """Load the table and place each row (every destination must resolve uniquely)."""
        home = places.resolve("Den Haag")[0]
        self.home = home
        self.rows: list[_Row] = []
        for row in read_rows(DATA_DIR / "rail_times_den_haag.csv", _RailRow):
            resolved = places.resolve(row.destination)
            if len(resolved) != 1 or not resolved[0].has_coordinates:
                raise ValueError(f"rail_times_den_haag.csv: '{row.destination}' is niet eenduidig")
            place = resolved[0]
            self.rows.append(
                _Row(place=place, hours=row.hours, source=row.source, km=self._km_from_home(place))
            )
        self.speed_kmh = sum(r.km**2 for r in self.rows) / sum(r.km * r.hours for r in self.rows)
        self.europe = places.europe

    def _km_from_home(self, place: Place) -> float:
        """Great-circle km from Den Haag."""
        assert place.latitude is not None and place.longitude is not None
        assert self.home.latitude is not None and self.home.longitude is not None
        return haversine_km(
            self.home.latitude, self.home.longitude, place.latitude, place.longitude
        )

    def lookup(self, place: Place) -> RailTime:
        """Train hours from Den Haag to a place: table row, estimate, or None (no rail link)."""
        if not place.has_coordinates:
            return RailTime(None, True, "ligging onbekend: geen schatting mogelijk")
        if place.country_code and (
            place.country_code not in self.europe or place.country_code in NO_RAIL_LINK_COUNTRIES
        ):
            return RailTime(
                None,
                False,
                "geen treinverbinding vanuit Den Haag (buiten het vasteland van Europa)",
            )
        km = self._km_from_home(place)
        for row in self.rows:
            assert row.place.latitude is not None and row.place.longitude is not None
            assert place.latitude is not None and place.longitude is not None
            if (
                haversine_km(
                    row.place.latitude, row.place.longitude, place.latitude, place.longitude
                )
                <= TABLE_MATCH_KM
            ):
                return RailTime(row.hours, False, row.source)
        hours = round(km / self.speed_kmh * 2) / 2
        return RailTime(
            hours,
            True,
            f"schatting: {km:.0f} km hemelsbreed / {self.speed_kmh:.0f} km/u "
            "(gemiddelde van de treintijdentabel), afgerond op een half uur",
        )


@functools.cache
def rail_table(places: Gazetteer) -> RailTable:
    """The process-wide rail table for a gazetteer."""
    return RailTable(places)


@functools.cache
def _justification_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Efficiency and urgency word starts from data/justification_words.json, folded."""
    data = json.loads((DATA_DIR / "justification_words.json").read_text(encoding="utf-8"))
    efficiency = tuple(sorted({fold(w) for w in data["efficiency"] if fold(w)}))
    urgency = tuple(sorted({fold(w) for w in data["urgency"] if fold(w)}))
    return efficiency, urgency


def _mentions(text: str, starts: tuple[str, ...]) -> bool:
    """Whether any entry occurs at the start of a word in folded text."""
    return any(re.search(rf"\b{re.escape(start)}", text) for start in starts)


def is_weak_justification(text: str) -> bool:
    """True when a justification names efficiency (time, price, convenience) and no urgency."""
    folded = fold(text)
    efficiency, urgency = _justification_words()
    return _mentions(folded, efficiency) and not _mentions(folded, urgency)

"""Train travel times for the 8-hour rule: shortest paths over a versioned rail network.

The network is two data files, every row with its source:

- `data/rail_stations.csv`: stations (a city can have several, like Paris and London), each
  with the minimum time to change trains there;
- `data/rail_links.csv`: direct trains with their fastest scheduled daytime minutes, ferries,
  and the walks or metro rides between two stations of one city (kind `overstap`).

A journey's minutes are the sum of its links plus, at every change, the boarding margin
`max(transfer_min of the station, check_in_min of the next link)`; walks between stations
carry their own minutes. Nothing is added at the start station. The shortest journey is
Dijkstra's algorithm (networkx) over that weighted graph.

A place within `STATION_MATCH_KM` of a station is served by that station. Up to
`ACCESS_MAX_KM` the bot adds an estimate for the last stretch (`ACCESS_MIN_PER_KM`) and
labels the time as an estimate. Farther from the network, a place more than
`LOWER_BOUND_KMH` x threshold away in a straight line is provably beyond the threshold
(no European train averages more than that over the straight line, see data/README.md);
anything else gets a labelled estimate that the traveller confirms.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field

from bot.formatting import format_duration, format_number
from bot.i18n import Localized, join_and, msg
from bot.report import Place, rail_hours_text
from bot.travel._data import DATA_DIR, read_rows
from bot.travel.geo import EARTH_RADIUS_KM, fold, haversine_km

__all__ = [
    "ACCESS_MAX_KM",
    "ACCESS_MIN_PER_KM",
    "LOWER_BOUND_KMH",
    "NO_RAIL_LINK_COUNTRIES",
    "STATION_MATCH_KM",
    "Journey",
    "RailNetwork",
    "RailPlanner",
    "RailTime",
    "Station",
    "is_weak_justification",
    "rail_network",
]

#: A place this close to a station is served by it (the city itself).
STATION_MATCH_KM = 15.0
#: Up to this distance from a station the bot estimates the last stretch.
ACCESS_MAX_KM = 60.0
#: Minutes per straight-line km for that last stretch (regional train or bus, ~46 km/h).
ACCESS_MIN_PER_KM = 1.3
#: No train journey in Europe averages more than this over the straight line (data/README.md).
LOWER_BOUND_KMH = 250.0
#: Minutes per straight-line km beyond the network, for a labelled estimate only (~60 km/h).
BEYOND_MIN_PER_KM = 1.0
#: European countries without a rail or rail-and-ferry link in the network (islands).
NO_RAIL_LINK_COUNTRIES = frozenset({"IS", "CY", "MT", "FO"})
#: Train times remembered per planner, one per place asked about (a place is looked up on
#: every message of an interview that flew; the least recently asked go first).
LOOKUP_CACHE_SIZE = 4096

LinkKind = Literal["trein", "veerboot", "overstap"]


class _StationRow(BaseModel):
    """A row of data/rail_stations.csv."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Z0-9]{2,5}$")
    name: str = Field(min_length=1)
    city: str = Field(min_length=1)
    country: str = Field(pattern=r"^[A-Z]{2}$")
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    transfer_min: int = Field(ge=0, le=120)
    note: str = ""
    #: English names where they differ (empty: the same); the city's as the gazetteer has it.
    name_en: str = ""
    city_en: str = ""


class _LinkRow(BaseModel):
    """A row of data/rail_links.csv."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    origin: str = Field(alias="from")
    to: str
    minutes: int = Field(gt=0, lt=2000)
    kind: LinkKind
    check_in_min: int = Field(default=0, ge=0, le=120)
    source: str = Field(min_length=1)
    url: str = ""
    checked: date | None = None
    verified: bool
    note: str = ""


@dataclass(frozen=True)
class Station:
    """A station of the network."""

    id: str
    name: str
    city: str
    country: str
    latitude: float
    longitude: float
    transfer_min: int
    name_en: str = ""
    city_en: str = ""

    def city_in(self, language: str) -> str:
        """The station's city written for `language` (Dutch as the data has it)."""
        return self.city_en or self.city if language == "en" else self.city

    def name_in(self, language: str) -> str:
        """The station's name written for `language`."""
        return self.name_en or self.name if language == "en" else self.name


@dataclass(frozen=True)
class Link:
    """A direct train, ferry or change of station between two stations."""

    minutes: int
    kind: LinkKind
    check_in_min: int
    source: str


@dataclass(frozen=True)
class Journey:
    """The fastest journey between two stations: its minutes and the stations on the way."""

    minutes: int
    stations: tuple[Station, ...]
    links: tuple[Link, ...]

    def route(self, multi_station_cities: frozenset[str]) -> str:
        """'trein Den Haag – Rotterdam – Parijs-Noord – Parijs-Montparnasse – Bordeaux, met
        overstap in Rotterdam en Parijs' (station and city names in the reader's language)."""

        def names(language: str) -> str:
            return " – ".join(
                station.name_in(language)
                if station.city in multi_station_cities
                else station.city_in(language)
                for station in self.stations
            )

        kinds = {link.kind for link in self.links}
        mode = msg("trein en veerboot") if "veerboot" in kinds else msg("trein")
        text = msg("{mode} {stations}", mode=mode, stations=Localized(names))
        if self._through_channel_tunnel():
            text = msg("{route} (door de Kanaaltunnel)", route=text)
        changing = {station.city: station for station in self.stations[1:-1]}
        if changing:
            cities = [Localized(station.city_in) for station in changing.values()]
            text = msg("{route}, met overstap in {cities}", route=text, cities=join_and(cities))
        return text

    def _through_channel_tunnel(self) -> bool:
        """Whether a train link crosses between Great Britain and the continent."""
        islands = {"GB", "IE"}
        for link, (a, b) in zip(self.links, itertools.pairwise(self.stations), strict=True):
            if link.kind == "trein" and (a.country in islands) != (b.country in islands):
                return True
        return False


@dataclass(frozen=True)
class RailTime:
    """Train time from the home station to a place, with how it was found and the route.

    `hours` is None when no train goes there. `lower_bound` means the place is at least
    `hours` away (proven by distance), not about `hours`.
    """

    hours: float | None
    estimated: bool
    source: str
    route: str = ""
    lower_bound: bool = False

    @property
    def minutes(self) -> int | None:
        """Exact minutes (hours are always whole minutes / 60)."""
        return None if self.hours is None else round(self.hours * 60)

    def describe(self, threshold_hours: float) -> str:
        """'ca. 6 u 40' or 'meer dan 8 u 40', rounded for display only (never across the threshold)."""
        return rail_hours_text(self.hours, self.lower_bound, threshold_hours)


class RailNetwork:
    """Stations and links from the data files, as a weighted graph."""

    def __init__(self) -> None:
        """Load and check both files: unknown station ids or duplicate links raise ValueError."""
        rows = read_rows(DATA_DIR / "rail_stations.csv", _StationRow)
        self.stations: dict[str, Station] = {}
        for row in rows:
            if row.id in self.stations:
                raise ValueError(f"rail_stations.csv: station '{row.id}' staat er twee keer in")
            self.stations[row.id] = Station(
                row.id,
                row.name,
                row.city,
                row.country,
                row.latitude,
                row.longitude,
                row.transfer_min,
                row.name_en,
                row.city_en,
            )
        cities: dict[str, int] = {}
        for station in self.stations.values():
            cities[station.city] = cities.get(station.city, 0) + 1
        self.multi_station_cities = frozenset(city for city, n in cities.items() if n > 1)
        #: The stations by latitude (ties in file order), for searches that look only nearby.
        self._by_latitude = sorted(
            enumerate(self.stations.values()), key=lambda item: item[1].latitude
        )
        self._latitudes = [station.latitude for _, station in self._by_latitude]
        self.graph: Any = nx.Graph()
        self.graph.add_nodes_from(self.stations)
        for link in read_rows(DATA_DIR / "rail_links.csv", _LinkRow):
            for end in (link.origin, link.to):
                if end not in self.stations:
                    raise ValueError(f"rail_links.csv: onbekend station '{end}'")
            if link.origin == link.to or self.graph.has_edge(link.origin, link.to):
                raise ValueError(f"rail_links.csv: verbinding {link.origin}-{link.to} dubbel")
            self.graph.add_edge(
                link.origin,
                link.to,
                link=Link(link.minutes, link.kind, link.check_in_min, link.source),
            )

    def by_distance(self, latitude: float, longitude: float) -> list[tuple[Station, float]]:
        """All stations with their straight-line distance in km from a point, nearest first."""
        return sorted(
            (
                (station, haversine_km(latitude, longitude, station.latitude, station.longitude))
                for station in self.stations.values()
            ),
            key=lambda item: item[1],
        )

    def nearest(self, latitude: float, longitude: float) -> tuple[Station, float]:
        """The station nearest to a point and its straight-line distance in km."""
        return self.nearby(latitude, longitude)[0]

    def nearby(
        self, latitude: float, longitude: float, within_km: float = 0.0
    ) -> list[tuple[Station, float]]:
        """The start of `by_distance`: the nearest station and every station within
        `within_km`, nearest first, in the same order (ties in file order).

        Walks the stations outward by latitude and stops where the latitude difference
        alone puts every station left farther away than both the nearest found and
        `within_km` (a great circle is never shorter than its north-south component)."""
        found: list[tuple[float, int, Station]] = []
        best = math.inf
        below = bisect.bisect_left(self._latitudes, latitude) - 1
        above = below + 1
        phi = math.radians(latitude)
        while below >= 0 or above < len(self._by_latitude):
            gap_below = phi - math.radians(self._latitudes[below]) if below >= 0 else math.inf
            gap_above = (
                math.radians(self._latitudes[above]) - phi
                if above < len(self._by_latitude)
                else math.inf
            )
            if gap_below <= gap_above:
                order, station = self._by_latitude[below]
                gap, below = gap_below, below - 1
            else:
                order, station = self._by_latitude[above]
                gap, above = gap_above, above + 1
            # Margin: the bound and the haversine are rounded differently.
            if EARTH_RADIUS_KM * gap > max(best, within_km) + 1e-6:
                break
            km = haversine_km(latitude, longitude, station.latitude, station.longitude)
            found.append((km, order, station))
            best = min(best, km)
        found.sort(key=lambda item: (item[0], item[1]))
        return [(station, km) for km, _, station in found if km <= max(best, within_km)]

    @functools.cache  # noqa: B019 - one network per process, a few hundred origins at most
    def _from(self, origin: str) -> tuple[dict[str, int], dict[str, list[str]]]:
        """Minutes and station paths from one station to every station it reaches."""

        def weight(u: str, _v: str, data: dict[str, Link]) -> int:
            link = data["link"]
            if u == origin or link.kind == "overstap":
                return link.minutes
            return link.minutes + max(self.stations[u].transfer_min, link.check_in_min)

        minutes, paths = nx.single_source_dijkstra(self.graph, origin, weight=weight)
        return minutes, paths

    def journey(self, origin: str, destination: str) -> Journey | None:
        """The fastest journey between two stations, or None when they are not connected."""
        minutes, paths = self._from(origin)
        if destination not in minutes:
            return None
        ids = paths[destination]
        links = tuple(self.graph.edges[a, b]["link"] for a, b in itertools.pairwise(ids))
        return Journey(
            minutes=int(minutes[destination]),
            stations=tuple(self.stations[i] for i in ids),
            links=links,
        )


@functools.cache
def rail_network() -> RailNetwork:
    """The process-wide rail network."""
    return RailNetwork()


class RailPlanner:
    """Train times from one home station to any place: network, estimate or lower bound."""

    def __init__(
        self,
        home: Place,
        europe: frozenset[str],
        threshold_hours: float,
        network: RailNetwork | None = None,
    ) -> None:
        """Find the home station; ValueError in Dutch when the home city has none."""
        self.network = network or rail_network()
        if home.latitude is None or home.longitude is None:
            raise ValueError(f"Thuisplaats '{home.name}' heeft geen bekende ligging.")
        station, km = self.network.nearest(home.latitude, home.longitude)
        if km > STATION_MATCH_KM:
            raise ValueError(
                f"Thuisplaats '{home.name}' ligt niet bij een station van het spoormodel "
                f"(dichtstbijzijnde: {station.name}, {format_number(km, 0)} km)."
            )
        self.home = home
        self.home_station = station
        #: Every station of the home city (London, Paris): journeys start at the best one.
        self.home_stations = [
            candidate
            for candidate, distance in self.network.nearby(
                home.latitude, home.longitude, STATION_MATCH_KM
            )
            if distance <= STATION_MATCH_KM and candidate.city == station.city
        ]
        self.europe = europe
        self.threshold_hours = threshold_hours
        self._lookups = functools.lru_cache(maxsize=LOOKUP_CACHE_SIZE)(self._find)

    def _journey(self, station: Station) -> Journey | None:
        """The fastest journey from any home station to a station."""
        journeys = [
            journey
            for home in self.home_stations
            if (journey := self.network.journey(home.id, station.id)) is not None
        ]
        return min(journeys, key=lambda item: item.minutes, default=None)

    def lookup(self, place: Place) -> RailTime:
        """Train hours from the home station to a place, with the route (remembered per
        place: the network and the data files do not change while the process runs)."""
        return self._lookups(place)

    def _find(self, place: Place) -> RailTime:
        """`lookup` without the memory."""
        if place.latitude is None or place.longitude is None:
            return RailTime(None, True, msg("ligging onbekend: geen schatting mogelijk"))
        if place.country_code and (
            place.country_code not in self.europe or place.country_code in NO_RAIL_LINK_COUNTRIES
        ):
            return RailTime(
                None,
                False,
                msg(
                    "geen treinverbinding vanuit {home} (buiten het vasteland van Europa)",
                    home=self.home.name,
                ),
            )
        nearby = self.network.nearby(place.latitude, place.longitude, STATION_MATCH_KM)
        station, km = nearby[0]
        served = [
            journey
            for candidate, distance in nearby
            if distance <= STATION_MATCH_KM and (journey := self._journey(candidate)) is not None
        ]
        if served:
            journey = min(served, key=lambda item: item.minutes)
            return RailTime(
                journey.minutes / 60,
                False,
                msg("spoormodel: snelste ritten volgens dienstregeling plus overstaptijden"),
                route=journey.route(self.network.multi_station_cities),
            )
        journey = self._journey(station)
        straight_km = haversine_km(
            self.home_station.latitude, self.home_station.longitude, place.latitude, place.longitude
        )
        if journey is not None and km <= ACCESS_MAX_KM:
            access = math.ceil(km * ACCESS_MIN_PER_KM)
            return RailTime(
                (journey.minutes + access) / 60,
                True,
                msg(
                    "schatting: spoormodel tot {station} plus ca. {minutes} min voor de "
                    "laatste {km} km",
                    station=station.name,
                    minutes=access,
                    km=format_number(km, 0),
                ),
                route=journey.route(self.network.multi_station_cities),
            )
        bound_hours = straight_km / LOWER_BOUND_KMH
        if bound_hours > self.threshold_hours:
            return RailTime(
                math.floor(bound_hours * 60) / 60,
                False,
                msg(
                    "{km} km hemelsbreed; geen trein haalt gemiddeld meer dan {speed} km/u, "
                    "dus minstens {duration}",
                    km=format_number(straight_km, 0),
                    speed=format(LOWER_BOUND_KMH, ".0f"),
                    duration=format_duration(bound_hours, None, approx=False),
                ),
                lower_bound=True,
            )
        if journey is None:
            return RailTime(
                None, True, msg("geen verbinding in het spoormodel: geen schatting mogelijk")
            )
        beyond = math.ceil(km * BEYOND_MIN_PER_KM)
        return RailTime(
            (journey.minutes + beyond) / 60,
            True,
            msg(
                "schatting: spoormodel tot {station} plus ca. {minutes} min voor de laatste "
                "{km} km (buiten het spoormodel)",
                station=station.name,
                minutes=beyond,
                km=format_number(km, 0),
            ),
            route=journey.route(self.network.multi_station_cities),
        )


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

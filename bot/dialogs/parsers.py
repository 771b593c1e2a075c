"""Turn a traveller's chat message into a typed answer, or refuse it in friendly Dutch.

Every parser takes the text exactly as typed and returns a typed value, or raises
`ValueError` whose message says, in one or two short Dutch sentences, what was
wrong and what would be accepted (with an example). Nothing here does I/O or reads
the clock: `parse_period` gets `today` from the caller.

Behaviour choices (the lead and the tests rely on them):

- Persons: digits or Dutch number words up to 99 ("eenentwintig"), "ik alleen" = 1,
  "met z'n drieën" = 3, "ik en 2 collega's" = 3. Two colleagues without "ik" is
  refused (does the traveller count themself?), and so is a total that does not add
  up ("2 personen: ik en 2 collega's"). 0, negative and 100+ are refused.
- Period: one date is a day trip. Without a year, the most recent year that puts the
  whole trip in the past is taken (a trip ending today counts as ended); when the
  trip in the current year has started but not yet ended, it is refused as "not
  ended" instead of silently moving it a year back. Trips that started more than
  two years (731 days) before `today` and trips longer than 92 days are refused as
  likely typos (the traveller is asked to check the year or the dates). A weekday named
  without a year chooses the most recent past year (within those two years) in which the
  dates fall on it. A weekday that fits no such year, or not the year typed, is refused
  with the whole period fixed as choices (`NeedsChoice`): the same dates with their real
  weekdays, and the nearest earlier year in which the weekdays fit. Weekdays alone
  ("maandagochtend t/m maandagmiddag") are the most recent such days that have passed. A
  return date before the departure is refused as such; a period only wraps into the next
  year when that gives a trip of at most 92 days ("28 december t/m 3 januari"). On a day
  trip with one part of day, that part is the departure's. "nacht" counts
  as "avond"; a clock time sets the part of day (before 12 ochtend, before 18
  middag, else avond). A duration typed along ("2,5 dag (...)") is ignored: the
  duration is computed from the dates.
- Modes: numbers follow `TransportMode` order; typos within one edit (two for long
  words) of a known word are accepted when they point to a single mode. Local
  transport (metro, tram, fiets, lopen) is not a mode of the form: it is ignored next
  to a real mode and refused on its own, with an explanation.
- Fuel: a hybrid (also plug-in) counts as petrol, the conservative class for a car
  that burns petrol; LPG, CNG and hydrogen count as unknown (no own factor class).
- Free text: kept exactly as typed; only whole blank lines at the very start and end
  are dropped (with the line break that ends the last kept line). Where a sentence is
  expected (`parse_sentence`) it needs a letter and is at most `MAX_ANSWER_CHARS` long.
- Short text: whitespace (line breaks too) is collapsed to single spaces; it needs a letter.
- Hours: "7.30" is read as a decimal (7,3 uur); use "7:30" or "7 uur 30" for minutes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar

from rapidfuzz.distance import OSA

from bot.dialogs.errors import Choice, NeedsChoice, TooLong
from bot.dialogs.vocabulary import FUEL_WORDS, MODE_PHRASES, MODE_WORDS
from bot.formatting import MONTH_NAMES, format_date_long, format_day, format_number
from bot.report import CarFuel, DayPart, TransportMode, TripPeriod

__all__ = [
    "MAX_ANSWER_CHARS",
    "MAX_PERSONS",
    "MAX_PLAN_AHEAD_DAYS",
    "MAX_TRIP_AGE_DAYS",
    "MAX_TRIP_DAYS",
    "parse_free_text",
    "parse_fuel",
    "parse_hours",
    "parse_modes",
    "parse_number_choice",
    "parse_period",
    "parse_persons",
    "parse_sentence",
    "parse_short_text",
    "parse_yes_no",
    "period_example",
    "quoted",
]

MAX_PERSONS = 99
MAX_TRIP_AGE_DAYS = 731
MAX_TRIP_DAYS = 92
#: How far ahead a planned trip may be announced.
MAX_PLAN_AHEAD_DAYS = 366

_T = TypeVar("_T")

# --------------------------------------------------------------------------- helpers

_CHARACTER_MAP = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u0060": "'",
        "\u00b4": "'",
        "\u00a0": " ",
    }
)
_END_PUNCTUATION = " .,;:!?"


def _words(spaced: str) -> frozenset[str]:
    """The set of space-separated words in a vocabulary string."""
    return frozenset(spaced.split())


def _normalise(text: str) -> str:
    """Lower case, no accents, one kind of dash and quote, single spaces, no end punctuation."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_CHARACTER_MAP))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = plain.translate(_CHARACTER_MAP).lower()
    return " ".join(plain.split()).strip(_END_PUNCTUATION)


def quoted(text: str, limit: int = 40) -> str:
    """The traveller's text, on one line and shortened, between Dutch quotes."""
    shown = " ".join(text.split())
    if len(shown) > limit:
        shown = shown[: limit - 1].rstrip() + "…"
    return f"‘{shown}’"


def _is_blank(text: str) -> bool:
    """True when the text holds only whitespace and invisible format characters."""
    return all(char.isspace() or unicodedata.category(char) == "Cf" for char in text)


def _fuzzy_lookup(word: str, vocabulary: Mapping[str, _T]) -> _T | None:
    """The value of the one vocabulary entry within a small typo distance of `word`, if any."""
    if len(word) < 4:
        return None
    allowed = 1 if len(word) <= 6 else 2
    best_distance = allowed + 1
    best_values: set[_T] = set()
    for key, value in vocabulary.items():
        if len(key) < 4:
            continue
        distance = OSA.distance(word, key, score_cutoff=allowed + 1)
        if distance < best_distance:
            best_distance, best_values = distance, {value}
        elif distance == best_distance:
            best_values.add(value)
    if best_distance <= allowed and len(best_values) == 1:
        return next(iter(best_values))
    return None


_UNITS = {
    "een": 1,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "acht": 8,
    "negen": 9,
}
_TEENS = {
    "nul": 0,
    "tien": 10,
    "elf": 11,
    "twaalf": 12,
    "dertien": 13,
    "veertien": 14,
    "vijftien": 15,
    "zestien": 16,
    "zeventien": 17,
    "achttien": 18,
    "negentien": 19,
    "honderd": 100,
}
_TENS = {
    "twintig": 20,
    "dertig": 30,
    "veertig": 40,
    "vijftig": 50,
    "zestig": 60,
    "zeventig": 70,
    "tachtig": 80,
    "negentig": 90,
}


def _number_word(word: str) -> int | None:
    """Value of a Dutch number word without accents ('drie', 'tweeentwintig'), else None."""
    for table in (_UNITS, _TEENS, _TENS):
        if word in table:
            return table[word]
    for unit, unit_value in _UNITS.items():
        rest = word.removeprefix(unit + "en")
        if rest != word and rest in _TENS:
            return unit_value + _TENS[rest]
    return None


# --------------------------------------------------------------------------- persons

_PERSONS_EXAMPLE = "Typ een aantal van 1 tot 99, bijvoorbeeld ‘1’ of ‘3 personen’."
_COLLECTIVES = {
    "tweeen": 2,
    "drieen": 3,
    "vieren": 4,
    "vijven": 5,
    "zessen": 6,
    "zevenen": 7,
    "achten": 8,
    "negenen": 9,
    "tienen": 10,
    "elven": 11,
    "twaalven": 12,
}
_PERSON_NOUNS = {
    "persoon",
    "personen",
    "pers",
    "p",
    "mensen",
    "man",
    "deelnemers",
    "deelnemer",
    "reizigers",
    "reiziger",
}
_COMPANION_NOUNS = _words("collega collegas collega's medewerker medewerkers anderen andere ander")
_SINGULAR_COMPANIONS = _words("collega medewerker")
_FIRST_PERSON = {"ik", "mij", "mijzelf", "ikzelf", "mezelf", "alleen"}
_PERSONS_FILLERS = {
    "en",
    "of",
    "met",
    "z'n",
    "zn",
    "zijn",
    "ons",
    "we",
    "wij",
    "waren",
    "was",
    "er",
    "in",
    "totaal",
    "de",
    "het",
    "reis",
    "gemaakt",
    "mijn",
    "nog",
    "plus",
    "+",
    "&",
}


def parse_persons(text: str) -> int:
    """'1', 'twee', '3 personen', 'ik alleen', 'met z'n drieën' -> number of travellers (1-99)."""
    tokens = re.findall(r"-?\d+(?:[.,]\d+)?|[a-z]+(?:'[a-z]+)*|'[a-z]+|[+&]", _normalise(text))
    totals: set[int] = set()
    companions: list[int] = []
    plain: list[int] = []
    first_person_seen = False
    companion_named = False
    pending: int | None = None

    def settle_pending() -> None:
        nonlocal pending
        if pending is not None:
            (companions if first_person_seen else plain).append(pending)
            pending = None

    for token in tokens:
        if re.fullmatch(r"-?\d+[.,]\d+", token):
            raise ValueError(f"{quoted(token)} is geen heel aantal personen. {_PERSONS_EXAMPLE}")
        value = int(token) if re.fullmatch(r"-?\d+", token) else _number_word(token)
        if value is not None:
            settle_pending()
            pending = value
        elif token in _COLLECTIVES:
            settle_pending()
            totals.add(_COLLECTIVES[token])
        elif token in _PERSON_NOUNS:
            if pending is not None and not first_person_seen:
                totals.add(pending)
                pending = None
        elif token in _COMPANION_NOUNS:
            companion_named = True
            if pending is not None:
                companions.append(pending)
                pending = None
            elif token in _SINGULAR_COMPANIONS:
                companions.append(1)  # 'ik en mijn collega'

        elif token in _FIRST_PERSON:
            settle_pending()
            first_person_seen = True
        elif token not in _PERSONS_FILLERS:
            raise ValueError(
                f"Ik herken geen aantal personen in {quoted(text)}. {_PERSONS_EXAMPLE}"
            )
    settle_pending()

    if first_person_seen:
        totals.update(plain)  # '3 (ik en 2 collega's)'
    if len(totals) > 1 or (not totals and len(set(plain)) > 1):
        raise ValueError(f"Ik zie meer dan één aantal in {quoted(text)}. {_PERSONS_EXAMPLE}")
    if totals:
        count = totals.pop()
        if first_person_seen and companions and count != 1 + sum(companions):
            raise ValueError(f"Dat telt niet op in {quoted(text)}. {_PERSONS_EXAMPLE}")
    elif first_person_seen:
        if companion_named and not companions:
            raise ValueError(f"Met hoeveel personen was je in totaal? {_PERSONS_EXAMPLE}")
        count = 1 + sum(companions)
    elif companions:
        raise ValueError(
            "Tel je jezelf mee? Typ het totale aantal personen, "
            "bijvoorbeeld ‘3’ of ‘ik en 2 collega's’."
        )
    elif plain:
        count = plain[0]
    elif not tokens and _is_blank(text):
        raise ValueError(f"Dit antwoord mag niet leeg zijn. {_PERSONS_EXAMPLE}")
    else:
        raise ValueError(f"Ik herken geen aantal personen in {quoted(text)}. {_PERSONS_EXAMPLE}")

    if count < 1:
        raise ValueError(f"Er moet minstens 1 persoon op reis zijn geweest. {_PERSONS_EXAMPLE}")
    if count > MAX_PERSONS:
        raise ValueError(f"{count} personen is meer dan het formulier toelaat. {_PERSONS_EXAMPLE}")
    return count


# --------------------------------------------------------------------------- period

_PERIOD_EXAMPLE = "Typ bijvoorbeeld ‘27 april t/m 29 april’ of ‘27-04-2025 – 29-04-2025’."
_MONTH_NAMES = ("", *MONTH_NAMES)
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES) if name} | {
    "jan": 1,
    "feb": 2,
    "febr": 2,
    "mrt": 3,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "okt": 10,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_WEEKDAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_WEEKDAYS = {name: number for number, name in enumerate(_WEEKDAY_NAMES)} | {
    "ma": 0,
    "di": 1,
    "din": 1,
    "wo": 2,
    "woe": 2,
    "do": 3,
    "don": 3,
    "vr": 4,
    "vrij": 4,
    "za": 5,
    "zat": 5,
    "zo": 6,
    "zon": 6,
}
_DAY_PARTS = {
    "ochtend": DayPart.OCHTEND,
    "ochtends": DayPart.OCHTEND,
    "morgen": DayPart.OCHTEND,
    "morgens": DayPart.OCHTEND,
    "voormiddag": DayPart.OCHTEND,
    "middag": DayPart.MIDDAG,
    "middags": DayPart.MIDDAG,
    "namiddag": DayPart.MIDDAG,
    "avond": DayPart.AVOND,
    "avonds": DayPart.AVOND,
    "nacht": DayPart.AVOND,
    "nachts": DayPart.AVOND,
}
_DAY_PART_ORDER = {DayPart.OCHTEND: 0, DayPart.MIDDAG: 1, DayPart.AVOND: 2}
_DAYS_AGO = {"vandaag": 0, "van": 0, "gisteren": 1, "gister": 1, "eergisteren": 2, "eergister": 2}
_SEPARATOR_WORDS = {"tot", "en", "terug", "terugreis", "terugkomst", "teruggekomen", "thuis"}
_SEPARATOR_WORDS |= {"thuiskomst", "retour", "until", "to", "tem", "tm"}
_PERIOD_FILLERS = {
    "van",
    "vanaf",
    "op",
    "de",
    "den",
    "het",
    "om",
    "in",
    "rond",
    "vertrek",
    "vertrekdag",
    "vertrokken",
    "heen",
    "heenreis",
    "aankomst",
    "'s",
    "s",
    "dag",
    "dagje",
    "dagreis",
    "dagtrip",
    "ik",
    "we",
    "wij",
    "vroeg",
    "laat",
    "eind",
    "begin",
}
_FUZZY_DATE_WORDS = {
    name: ("month", number) for name, number in _MONTHS.items() if len(name) > 4
} | {name: ("weekday", number) for number, name in enumerate(_WEEKDAY_NAMES)}
_HYPHENATED_DAY_PART = r"(?<=[a-z])\s*-\s*(?=(?:{})\b)".format("|".join(_DAY_PARTS))
_DURATION = r"\b\d+(?:[.,]5)?\s*(?:dag|dagen)\b"
_MONTH_PATTERN = "|".join(sorted(_MONTHS, key=len, reverse=True))
_PERIOD_TOKEN = re.compile(
    rf"""
    (?P<iso>\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}})(?!\d)
  | (?P<time>\d{{1,2}}:\d{{2}}(?:\s*(?:uur|u)\b)?|\d{{1,2}}(?:[.u]\d{{2}})?\s*(?:uur|u)\b)
  | (?P<numdate>\d{{1,2}}[-/.]\d{{1,2}}(?:[-/.](?:\d{{4}}|\d{{2}}))?)
      (?!\d)(?!\s*(?:{_MONTH_PATTERN})\b)
  | (?P<sep>t/m|t\.\s?m\.?|t\.e\.m\.?|tot\s+en\s+met|-|/)
  | (?P<number>\d+)(?:(?:ste|de|e)(?![a-z]))?
  | (?P<word>[a-z]+(?:'[a-z]+)?|'[a-z]+)
  | (?P<space>[\s,;()\[\]]+)
  | (?P<other>.)
    """,
    re.VERBOSE,
)


@dataclass
class _DateParts:
    """What one side of a period says: day, month, year, weekday and part of day."""

    day: int | None = None
    month: int | None = None
    year: int | None = None
    weekday: int | None = None
    part: DayPart | None = None
    words: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """True when nothing date-like was said."""
        return (self.day, self.month, self.year, self.weekday, self.part) == (None,) * 5


def _date_text(day: int, month: int, year: int | None = None) -> str:
    """'27 april' or '27 april 2025'."""
    text = f"{day} {_MONTH_NAMES[month]}"
    return f"{text} {year}" if year else text


def _part_of_word(word: str) -> tuple[str, DayPart] | None:
    """Split 'zondagavond' or 'gisteravond' into ('zondag', AVOND)."""
    for part_word, part in _DAY_PARTS.items():
        stem = word.removesuffix(part_word)
        if stem != word and (stem in _WEEKDAY_NAMES or stem in _DAYS_AGO):
            return stem, part
    return None


def _part_of_time(hour: int) -> DayPart:
    """Part of day of a clock hour."""
    if hour < 12:
        return DayPart.OCHTEND
    return DayPart.MIDDAG if hour < 18 else DayPart.AVOND


class _PeriodReader:
    """Reads a period message into at most two `_DateParts`, left to right."""

    def __init__(self, text: str, today: date) -> None:
        self.text = text
        self.today = today
        self.sides: list[_DateParts] = [_DateParts()]

    @property
    def current(self) -> _DateParts:
        """The side being read."""
        return self.sides[-1]

    def fail(self, message: str) -> ValueError:
        """A refusal with the period example appended."""
        return ValueError(f"{message} {_PERIOD_EXAMPLE}")

    def next_side(self) -> None:
        """Start reading the return side."""
        if not self.current.is_empty:
            self.sides.append(_DateParts())

    def set_date(self, day: int, month: int | None, year: int | None) -> None:
        """Record a day (with month and year when known), starting a new side if needed."""
        if self.current.day is not None:
            self.next_side()
        side = self.current
        if (month and side.month and month != side.month) or (
            year and side.year and year != side.year
        ):
            raise self.fail(f"Ik zie twee verschillende data in {quoted(self.text)}.")
        side.day = day
        side.month = month or side.month
        side.year = year or side.year

    def set_month(self, month: int) -> None:
        """Record a month name."""
        if self.current.month not in (None, month):
            raise self.fail(f"Ik zie twee maanden bij één datum in {quoted(self.text)}.")
        self.current.month = month

    def set_year(self, year: int) -> None:
        """Record a four-digit year."""
        if not 1900 <= year <= 2100:
            raise self.fail(f"{year} is geen jaartal dat ik verwacht.")
        if self.current.year not in (None, year):
            raise self.fail(f"Ik zie twee jaartallen bij één datum in {quoted(self.text)}.")
        self.current.year = year

    def set_weekday(self, weekday: int) -> None:
        """Record a weekday name; a second one starts the return side."""
        if self.current.weekday is not None:
            self.next_side()
        self.current.weekday = weekday

    def set_part(self, part: DayPart) -> None:
        """Record a part of the day."""
        if self.current.part not in (None, part):
            raise self.fail(f"Ik zie twee dagdelen bij één datum in {quoted(self.text)}.")
        self.current.part = part

    def set_days_ago(self, days: int) -> None:
        """Record 'vandaag', 'gisteren' or 'eergisteren'."""
        day = self.today - timedelta(days=days)
        self.set_date(day.day, day.month, day.year)

    def read_word(self, word: str) -> None:
        """Record one word of the message."""
        compound = _part_of_word(word)
        if compound:
            stem, part = compound
            if stem in _WEEKDAY_NAMES:
                self.set_weekday(_WEEKDAYS[stem])
            else:
                self.set_days_ago(_DAYS_AGO[stem])
            self.set_part(part)
        elif word in _WEEKDAYS:
            self.set_weekday(_WEEKDAYS[word])
        elif word in _DAY_PARTS:
            self.set_part(_DAY_PARTS[word])
        elif word in _MONTHS:
            self.set_month(_MONTHS[word])
        elif word in _DAYS_AGO and word != "van":
            self.set_days_ago(_DAYS_AGO[word])
        elif word in _SEPARATOR_WORDS:
            self.next_side()
        elif word in _PERIOD_FILLERS:
            pass
        elif (kind_and_number := _fuzzy_lookup(word, _FUZZY_DATE_WORDS)) is not None:
            kind, number = kind_and_number
            self.set_month(number) if kind == "month" else self.set_weekday(number)
        else:
            raise self.unknown(word)

    def unknown(self, piece: str) -> ValueError:
        """A refusal naming the piece that is not understood."""
        if re.search(r"\d|vandaag|gister", self.text.lower()):
            return self.fail(f"Ik begrijp {quoted(piece)} niet in deze datum.")
        return self.fail(f"Ik herken geen datum in {quoted(self.text)}.")

    def read(self) -> list[_DateParts]:
        """All sides of the message, empty ones dropped."""
        normalised = re.sub(_HYPHENATED_DAY_PART, " ", _normalise(self.text))  # 'zondag-avond'
        normalised = re.sub(_DURATION, " ", normalised)  # '2,5 dag (zondagavond 27 april ...)'
        for match in _PERIOD_TOKEN.finditer(normalised):
            kind, piece = match.lastgroup, match.group()
            if kind == "iso":
                year, month, day = (int(n) for n in re.split(r"[-/.]", piece))
                self.set_date(day, month, year)
            elif kind == "numdate":
                self.set_date(*_numeric_date(piece))
            elif kind == "time":
                self.set_part(_part_of_time(int(re.findall(r"\d+", piece)[0])))
            elif kind == "sep":
                self.next_side()
            elif kind == "number":
                value = int(match.group("number"))
                if len(match.group("number")) == 4:
                    self.set_year(value)
                elif len(match.group("number")) <= 2:
                    self.set_date(value, None, None)
                else:
                    raise self.unknown(piece)
            elif kind == "word":
                self.read_word(piece)
            elif kind == "other":
                raise self.unknown(piece)
        return [side for side in self.sides if not side.is_empty]


def _numeric_date(piece: str) -> tuple[int, int, int | None]:
    """'27-4-2025' -> (27, 4, 2025); '27/4' -> (27, 4, None); two-digit years are 20xx."""
    day, month, *rest = (int(number) for number in re.split(r"[-/.]", piece))
    if not rest:
        return day, month, None
    return day, month, rest[0] + 2000 if rest[0] < 100 else rest[0]


def _weekday_name(day: date) -> str:
    """Dutch weekday name of a date."""
    return _WEEKDAY_NAMES[day.weekday()]


def _build_date(day: int, month: int, year: int) -> date | None:
    """The date, or None when it does not exist (29 February in a common year)."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _nearest_years(start: _DateParts, end: _DateParts, today: date) -> tuple[date, date]:
    """Departure and return dates in the year (last, this or next) that puts them nearest today."""
    assert start.day and start.month and end.day and end.month
    wraps = _wraps(start, end)
    found: list[tuple[int, date, date]] = []
    for year in (today.year, today.year + 1, today.year - 1):
        departure = _build_date(start.day, start.month, year - wraps)
        return_date = _build_date(end.day, end.month, year)
        if departure is None or return_date is None:
            continue
        distance = max((departure - today).days, (today - return_date).days, 0)
        found.append((distance, departure, return_date))
    if not found:
        raise ValueError(f"{_date_text(start.day, start.month)} bestaat niet. {_PERIOD_EXAMPLE}")
    _, departure, return_date = min(found, key=lambda item: item[0])
    return departure, return_date


def _wraps(start: _DateParts, end: _DateParts) -> bool:
    """Whether the return date falls in the next year ('28 december t/m 3 januari').

    Only a short trip wraps: '10 november t/m 9 november' is a return before the departure,
    not a trip of a year."""
    assert start.day and start.month and end.day and end.month
    if (start.month, start.day) <= (end.month, end.day):
        return False
    departure = _build_date(start.day, start.month, 2001) or date(2001, 2, 28)
    return_date = _build_date(end.day, end.month, 2002) or date(2002, 2, 28)
    return (return_date - departure).days + 1 <= MAX_TRIP_DAYS


def _weekdays_match(start: _DateParts, end: _DateParts, departure: date, back: date) -> bool:
    """Whether every weekday named fits its date."""
    return start.weekday in (None, departure.weekday()) and end.weekday in (None, back.weekday())


def _resolve_years(
    start: _DateParts, end: _DateParts, today: date, allow_future: bool = False
) -> tuple[date, date]:
    """Departure and return dates, inferring missing years so that the trip lies in the past
    (or, with `allow_future`, nearest to today). A weekday named chooses the year: the most
    recent past year, within `MAX_TRIP_AGE_DAYS`, in which the dates fall on those weekdays."""
    assert start.day and start.month and end.day and end.month
    wraps = _wraps(start, end)
    if allow_future and not (start.year or end.year):
        return _nearest_years(start, end, today)
    if start.year or end.year:
        end_year = end.year or (start.year or 0) + wraps
        start_year = start.year or end_year - wraps
        candidates = [(start_year, end_year)]
    else:
        candidates = [(year - wraps, year) for year in range(today.year, today.year - 5, -1)]
    inferred = not (start.year or end.year)
    fallback: tuple[date, date] | None = None
    for index, (start_year, end_year) in enumerate(candidates):
        departure = _build_date(start.day, start.month, start_year)
        return_date = _build_date(end.day, end.month, end_year)
        if departure is None or return_date is None:
            if inferred:
                continue  # 29 February: try an earlier (leap) year
            side, year = (start, start_year) if departure is None else (end, end_year)
            shown = _date_text(side.day or 1, side.month or 1, year)
            raise ValueError(f"{shown} bestaat niet. {_PERIOD_EXAMPLE}")
        if not inferred:
            return departure, return_date
        matches = _weekdays_match(start, end, departure, return_date)
        if index == 0 and departure <= today < return_date and matches:
            return departure, return_date  # under way: refused as not ended by the caller
        if return_date <= today or return_date < departure:
            fallback = fallback or (departure, return_date)
            if matches and (today - departure).days <= MAX_TRIP_AGE_DAYS:
                return departure, return_date
    if fallback is not None:
        return fallback  # the weekday does not fit: refused with a fix by the caller
    raise ValueError(f"Ik vind geen jaar waarin deze reis al voorbij is. {_PERIOD_EXAMPLE}")


def _period_text(
    departure: date, start_part: DayPart | None, back: date, end_part: DayPart | None
) -> str:
    """A period as the traveller can type it back, with the year."""
    return TripPeriod(
        departure=departure, departure_part=start_part, return_date=back, return_part=end_part
    ).as_text()


def _check_weekdays(
    start: _DateParts, end: _DateParts, departure: date, back: date, today: date, year_given: bool
) -> None:
    """Refuse weekday names that do not match their dates, offering the whole period fixed."""
    wrong = [
        (side, day)
        for side, day in ((start, departure), (end, back))
        if side.weekday is not None and side.weekday != day.weekday()
    ]
    if not wrong:
        return
    side, day = wrong[0]
    assert side.weekday is not None
    verb = "was" if day <= today else "is"
    message = (
        f"{_date_text(day.day, day.month, day.year)} {verb} een {_weekday_name(day)}, "
        f"geen {_WEEKDAY_NAMES[side.weekday]}."
    )
    fixes = [_period_text(departure, start.part, back, end.part)]
    for years_back in range(1, 12):
        earlier_departure = _build_date(departure.day, departure.month, departure.year - years_back)
        earlier_back = _build_date(back.day, back.month, back.year - years_back)
        if earlier_departure is None or earlier_back is None:
            continue
        if (today - earlier_departure).days > MAX_TRIP_AGE_DAYS:
            break
        if _weekdays_match(start, end, earlier_departure, earlier_back):
            named = _period_text(earlier_departure, start.part, earlier_back, end.part)
            fixes.insert(0, named)
            break
    options = " of ".join(f"‘{fix}’" for fix in fixes)
    if len(fixes) == 1 and not year_given:
        older = next(
            (
                year
                for year in range(departure.year - 1, departure.year - 12, -1)
                if (earlier := _build_date(departure.day, departure.month, year)) is not None
                and earlier.weekday() == side.weekday
            ),
            None,
        )
        if older is not None:
            message += (
                f" Een {_WEEKDAY_NAMES[side.weekday]} was {_date_text(departure.day, departure.month)}"
                f" het laatst in {older}: meer dan 2 jaar geleden."
            )
    raise NeedsChoice(
        f"{message} Bedoel je {options}? Kies hieronder of typ de datum opnieuw.",
        [Choice(fix, _short_period(fix, today)) for fix in fixes],
    )


def _short_period(text: str, today: date) -> str:
    """'27-04-2025 avond t/m 29-04-2025': a period fix short enough for a phone's button."""
    period = parse_period(text, today, allow_future=True)

    def day(value: date, part: DayPart | None) -> str:
        return f"{value:%d-%m-%Y}" + (f" {part.value}" if part else "")

    start = day(period.departure, period.departure_part)
    if period.return_date == period.departure and period.return_part is None:
        return start
    return f"{start} t/m {day(period.return_date, period.return_part)}"


def _weekday_only(start: _DateParts, end: _DateParts, today: date) -> tuple[date, date]:
    """'maandagochtend t/m woensdag' without dates: the most recent such days that have passed."""
    assert start.weekday is not None
    latest = today - timedelta(days=(today.weekday() - start.weekday) % 7)
    for weeks in range(3):
        departure = latest - timedelta(weeks=weeks)
        end_weekday = start.weekday if end.weekday is None else end.weekday
        back = departure + timedelta(days=(end_weekday - departure.weekday()) % 7)
        if back <= today:
            return departure, back
    raise ValueError("Noem ook de datum, bijvoorbeeld ‘zondag 27 april t/m dinsdag 29 april’.")


def period_example(today: date) -> str:
    """An example period that works when typed back today: Sunday evening to Tuesday of a
    week that has passed ('zondagavond 23 november t/m dinsdag 25 november')."""
    last_tuesday = today - timedelta(days=(today.weekday() - 1) % 7 or 7)
    sunday = last_tuesday - timedelta(days=2)
    return f"{format_day(sunday, DayPart.AVOND)} t/m {format_day(last_tuesday)}"


def parse_period(text: str, today: date, allow_future: bool = False) -> TripPeriod:
    """'zondagavond 27 april t/m dinsdag 29 april' -> TripPeriod of a trip that has ended.

    With `allow_future` (announcing a planned trip) the trip may lie ahead, up to
    `MAX_PLAN_AHEAD_DAYS`; a date without a year is taken in the year nearest today.
    """
    if _is_blank(text):
        raise ValueError(f"Dit antwoord mag niet leeg zijn. {_PERIOD_EXAMPLE}")
    reader = _PeriodReader(text, today)
    sides = reader.read()
    only_weekdays = bool(sides) and all(
        side.weekday is not None and (side.day, side.month, side.year) == (None,) * 3
        for side in sides
    )
    if only_weekdays and len(sides) <= 2 and not allow_future:
        start, end = sides[0], sides[-1] if len(sides) == 2 else _DateParts()
        departure, return_date = _weekday_only(start, end, today)
        return _period(departure, start.part, return_date, end.part)
    if not sides or all(side.day is None for side in sides):
        if any(side.weekday is not None for side in sides):
            raise ValueError(
                "Noem ook de datum, bijvoorbeeld ‘zondag 27 april t/m dinsdag 29 april’."
            )
        if any(side.month is not None for side in sides):
            raise ValueError("Noem ook de dag, bijvoorbeeld ‘27 april t/m 29 april’.")
        raise reader.fail(f"Ik herken geen datum in {quoted(text)}.")
    if len(sides) > 2:
        raise ValueError(
            "Typ één vertrekdag en één terugkomstdag, bijvoorbeeld ‘27 april t/m 29 april’."
        )
    start, end = sides[0], sides[-1] if len(sides) == 2 else _DateParts()
    if start.day is None:
        raise ValueError("Noem ook de vertrekdag, bijvoorbeeld ‘27 april t/m 29 april’.")
    if end.day is None:
        if end.month is not None or end.year is not None or end.weekday is not None:
            raise ValueError("Noem ook de terugkomstdag, bijvoorbeeld ‘27 april t/m 29 april’.")
        end = _DateParts(start.day, start.month, start.year, start.weekday, end.part)
    start.month = start.month or end.month
    end.month = end.month or start.month
    if start.month is None:
        raise ValueError("Noem ook de maand, bijvoorbeeld ‘27 april’ of ‘27-4’.")
    for side in (start, end):
        assert side.day is not None and side.month is not None
        if not 1 <= side.month <= 12:
            raise reader.fail(f"Maand {side.month} bestaat niet.")
        if _build_date(side.day, side.month, 2000) is None:
            raise reader.fail(f"{_date_text(side.day, side.month)} bestaat niet.")

    year_given = bool(start.year or end.year)
    departure, return_date = _resolve_years(start, end, today, allow_future)
    _check_order(departure, start.part, return_date, end.part)
    _check_weekdays(start, end, departure, return_date, today, year_given)
    if allow_future and (departure - today).days > MAX_PLAN_AHEAD_DAYS:
        raise ValueError(
            f"{format_date_long(departure).capitalize()} is meer dan een jaar vooruit. "
            "Controleer het jaartal."
        )
    if return_date > today and not allow_future:
        raise ValueError(
            f"De reis is nog niet afgelopen: je komt terug op {format_date_long(return_date)}. "
            "Vul het verslag in na terugkomst."
        )
    if (today - departure).days > MAX_TRIP_AGE_DAYS:
        raise ValueError(
            f"{format_date_long(departure).capitalize()} is meer dan 2 jaar geleden. "
            "Controleer het jaartal: typ een reis van de afgelopen 2 jaar."
        )
    if (return_date - departure).days + 1 > MAX_TRIP_DAYS:
        raise ValueError(
            f"Een reis van {(return_date - departure).days + 1} dagen? Controleer de data. "
            f"{_PERIOD_EXAMPLE}"
        )
    return _period(departure, start.part, return_date, end.part)


def _period(
    departure: date, start_part: DayPart | None, back: date, end_part: DayPart | None
) -> TripPeriod:
    """The period; on a day trip with one part of day, that part is the departure's."""
    if departure == back and start_part is None:
        start_part, end_part = end_part, None
    _check_order(departure, start_part, back, end_part)
    return TripPeriod(
        departure=departure, departure_part=start_part, return_date=back, return_part=end_part
    )


def _check_order(
    departure: date, start_part: DayPart | None, back: date, end_part: DayPart | None
) -> None:
    """Refuse a return before the departure."""
    same_day_backwards = (
        departure == back
        and start_part is not None
        and end_part is not None
        and _DAY_PART_ORDER[end_part] < _DAY_PART_ORDER[start_part]
    )
    if back < departure or same_day_backwards:
        raise ValueError(
            f"De terugkomst ({format_date_long(back)}) ligt vóór het vertrek "
            f"({format_date_long(departure)}). Typ eerst de vertrekdag, dan de terugkomst, "
            "bijvoorbeeld ‘27 april t/m 29 april’."
        )


# --------------------------------------------------------------------------- modes

_MODE_FILLERS = _words(
    "en met de het een per plus ook nog heen terug retour naar van via eigen huur gehuurde "
    "gehuurd elektrische elektrisch of zowel als daarna dan vervolgens 'n mijn onze ter te "
    "plaatse plekke lokaal daar zaak airlines"
)
_LOCAL_TRANSPORT = _words("metro tram fiets fietsen ovfiets lopen lopend voet ov")
_MODES = list(TransportMode)


def _mode_options() -> str:
    """'1 vliegtuig, 2 trein, 3 bus, 4 auto of 5 veerboot'."""
    options = [f"{number} {mode.value}" for number, mode in enumerate(_MODES, start=1)]
    return ", ".join(options[:-1]) + " of " + options[-1]


def parse_modes(text: str) -> list[TransportMode]:
    """'trein en bus', '1, 3', 'KLM' -> transport modes, once each, in the form's order."""
    normalised = _normalise(text)
    for phrase, word in MODE_PHRASES.items():
        normalised = normalised.replace(phrase, word)
    found: set[TransportMode] = set()
    local_named = False
    for token in re.findall(r"\d+|[a-z]+(?:'[a-z]+)?", normalised.replace("ov-fiets", "ovfiets")):
        if token.isdigit():
            number = int(token)
            if not 1 <= number <= len(_MODES):
                raise ValueError(f"Nummer {token} bestaat niet. Kies {_mode_options()}.")
            found.add(_MODES[number - 1])
        elif token in MODE_WORDS:
            found.add(MODE_WORDS[token])
        elif token in _MODE_FILLERS:
            continue
        elif token in _LOCAL_TRANSPORT:
            local_named = True
        elif (mode := _fuzzy_lookup(token, MODE_WORDS)) is not None:
            found.add(mode)
        else:
            raise ValueError(
                f"Ik ken {quoted(token)} niet als vervoermiddel. "
                f"Kies {_mode_options()}, bijvoorbeeld ‘trein en bus’ of ‘1, 3’."
            )
    if not found and local_named:
        raise ValueError(
            "Vervoer ter plaatse (metro, tram, fiets, lopen) telt niet mee. "
            f"Hoe reisde je heen en terug? Kies {_mode_options()}."
        )
    if not found:
        raise ValueError(
            f"Welk vervoermiddel? Kies {_mode_options()}, bijvoorbeeld ‘vliegtuig’ of ‘2’."
        )
    return [mode for mode in _MODES if mode in found]


# --------------------------------------------------------------------------- yes / no

_YES_NO_EXAMPLE = "Antwoord met ‘ja’ of ‘nee’."
_YES_WORDS = _words(
    "ja j y yes yep yup jep jup jawel jazeker zeker klopt correct akkoord ok oke okay okee "
    "prima goed graag juist precies inderdaad absoluut natuurlijk uiteraard sure"
)
_NO_WORDS = _words("nee n no nope neen nein nah neuh geen niet nooit helaas")
_NEGATIONS = {"niet", "geen", "nee", "nooit"}
_YES_FILLERS = _words("hoor dat is het dan maar wel zo hoor dank je u bedankt hoor allemaal")
_YES_SYMBOLS = ("👍", "✅", "✔", "👌", "🙂", "😀", "😊")
_NO_SYMBOLS = ("👎", "❌", "✖", "🚫")


def parse_yes_no(text: str) -> bool:
    """'ja', 'klopt', '👍' -> True; 'nee', 'geen', '👎' -> False."""
    normalised = _normalise(text)
    words = re.findall(r"[a-z]+", normalised)
    if not words:
        has_yes = any(symbol in text for symbol in _YES_SYMBOLS)
        has_no = any(symbol in text for symbol in _NO_SYMBOLS)
        if has_yes != has_no:
            return has_yes
        raise ValueError(f"Ik begrijp {quoted(text)} niet. {_YES_NO_EXAMPLE}")
    first = re.sub(r"^ja+$", "ja", re.sub(r"^ne+$", "nee", words[0]))  # 'jaaa', 'neee'
    if first in _NO_WORDS:
        return False
    if first in _YES_WORDS:
        if not _NEGATIONS.intersection(words):
            return True
        if set(words) <= _YES_WORDS | _NEGATIONS | _YES_FILLERS and first != "ja":
            return False  # 'klopt niet', 'akkoord? niet'
    elif first in _YES_FILLERS and words[-1] in _YES_WORDS and not _NEGATIONS.intersection(words):
        return True  # 'dat klopt', 'is goed'
    elif first in _YES_FILLERS and words[-1] in _NEGATIONS:
        return False  # 'dat klopt niet'
    raise ValueError(f"Ik weet niet zeker of {quoted(text)} ja of nee is. {_YES_NO_EXAMPLE}")


# --------------------------------------------------------------------------- free text


def parse_free_text(text: str) -> str:
    """The answer exactly as typed; only blank lines at the very start and end are dropped."""
    if _is_blank(text):
        raise ValueError("Dit antwoord mag niet leeg zijn. Typ je antwoord in een of meer zinnen.")
    lines = text.splitlines(keepends=True)
    while _is_blank(lines[0]):
        lines.pop(0)
    while _is_blank(lines[-1]):
        lines.pop()
    lines[-1] = lines[-1].rstrip("\r\n\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85")
    return "".join(lines)


#: The longest answer to a free-text question: about a page of the form. Longer answers are
#: refused with their length; the text stays in the chat (or terminal) to shorten and resend.
MAX_ANSWER_CHARS = 3000


def _has_letters(text: str) -> bool:
    """Whether the text holds at least one letter (of any script)."""
    return any(unicodedata.category(char).startswith("L") for char in text)


def parse_sentence(text: str, max_len: int = MAX_ANSWER_CHARS) -> str:
    """An answer in words (purpose, results, ...): free text with letters, at most `max_len`."""
    kept = parse_free_text(text)
    if not _has_letters(kept):
        raise ValueError(
            f"Ik verwacht hier een antwoord in woorden, niet alleen {quoted(kept)}. "
            "Typ een of meer zinnen."
        )
    if len(kept) > max_len:
        raise TooLong(
            f"Je antwoord is {format_number(len(kept), 0)} tekens; het maximum is "
            f"{format_number(max_len, 0)}. Je tekst staat hierboven nog: kort hem in en stuur "
            "hem opnieuw."
        )
    return kept


def parse_short_text(text: str, max_len: int = 120) -> str:
    """A name or department: one line with single spaces, with letters, at most `max_len` long."""
    single_line = " ".join(text.split())
    if not any(char.isalnum() for char in single_line):
        raise ValueError("Dit antwoord mag niet leeg zijn. Typ een korte tekst op één regel.")
    if not _has_letters(single_line):
        raise ValueError(
            f"Ik verwacht hier een naam in letters, niet {quoted(single_line)}. "
            "Typ een korte tekst op één regel."
        )
    if len(single_line) > max_len:
        raise ValueError(
            f"Dat is te lang ({len(single_line)} tekens). "
            f"Houd het kort: hoogstens {max_len} tekens."
        )
    return single_line


# --------------------------------------------------------------------------- hours

_HOURS_EXAMPLE = "Typ bijvoorbeeld ‘12,5’, ‘7 uur 30’ of ‘7:30’."
_HOUR_UNITS = _words("uur uren u h hr hrs hour hours uurtjes")
_MINUTE_UNITS = _words("min mins minuut minuten m minutes")
_HOURS_FILLERS = _words(
    "ca circa ongeveer ong zo'n zon rond de ruim bijna krap iets meer minder dan en max "
    "maximaal minimaal minstens totaal in reistijd per met trein bus enkele reis enkel een "
    "is was duurt duurde het naar nachttrein treinreis reizen reis"
)


def _hours_words_to_digits(normalised: str) -> str:
    """'zeven en een half uur' -> '7,5 uur'; 'anderhalf' -> '1,5'."""
    text = re.sub(r"\banderhalf\b", "1,5", normalised)
    text = re.sub(r"\been half\b", "half", text)
    text = re.sub(
        r"[a-z]+",
        lambda m: str(v) if (v := _number_word(m.group())) is not None else m.group(),
        text,
    )
    text = re.sub(r"(\d+) en half\b", r"\1,5", text)
    return re.sub(r"\bhalf\b", "0,5", text)


def parse_hours(text: str) -> float:
    """'12,5', 'ca. 7 uur', '7 uur 30', '7:30' -> hours as a number (more than 0, less than 100)."""
    normalised = _hours_words_to_digits(_normalise(text))
    normalised = re.sub(r"(?<!\d)[.,]|[.,](?!\d)", " ", normalised)  # 'ca.', 'ongeveer, 7'

    amounts: list[tuple[float, str | None]] = []
    for token in re.findall(
        r"\d+(?:[.,]\d+)?(?::\d{2})?|[a-z]+(?:'[a-z]+)?|[^\s\da-z±~]", normalised
    ):
        if token[0].isdigit():
            if ":" in token:
                hours, minutes = token.split(":")
                if int(minutes) >= 60:
                    raise ValueError(f"{quoted(token)} is geen tijdsduur. {_HOURS_EXAMPLE}")
                amounts.append((float(hours.replace(",", ".")) + int(minutes) / 60, "clock"))
            else:
                amounts.append((float(token.replace(",", ".")), None))
        elif token in _HOUR_UNITS or token in _MINUTE_UNITS:
            unit = amounts[-1][1] if amounts else "none"
            if unit not in (None, "clock") or (unit == "clock" and token in _MINUTE_UNITS):
                raise ValueError(f"Ik herken geen aantal uren in {quoted(text)}. {_HOURS_EXAMPLE}")
            amounts[-1] = (amounts[-1][0], "h" if token in _HOUR_UNITS else "m")
        elif token not in _HOURS_FILLERS:
            raise ValueError(f"Ik herken geen aantal uren in {quoted(text)}. {_HOURS_EXAMPLE}")
    hours = _hours_from_amounts(amounts, text)
    if not 0 < hours < 100:
        raise ValueError(f"Een reistijd moet tussen 0 en 100 uur liggen. {_HOURS_EXAMPLE}")
    return hours


def _hours_from_amounts(amounts: list[tuple[float, str | None]], text: str) -> float:
    """Combine '7 uur' and '30 min' style pieces into hours."""
    if len(amounts) == 1:
        value, unit = amounts[0]
        return value / 60 if unit == "m" else value  # None, 'h' or 'clock' (7:30)
    if len(amounts) == 2:
        (hours, hours_unit), (minutes, minutes_unit) = amounts
        if hours_unit in (None, "h") and minutes_unit in (None, "m") and minutes.is_integer():
            if minutes >= 60:
                raise ValueError(
                    f"{int(minutes)} minuten is geen geldig aantal minuten. {_HOURS_EXAMPLE}"
                )
            return hours + minutes / 60
    raise ValueError(f"Ik herken geen aantal uren in {quoted(text)}. {_HOURS_EXAMPLE}")


# --------------------------------------------------------------------------- fuel

_FUEL_FILLERS = _words("ik het de een auto rijdt reed op met was is auto's taxi huurauto of en")
_FUEL_PHRASES = (
    (r"\bplug[- ]?in\b", "plugin"),
    (r"\beuro ?95\b", "euro95"),
    (r"\b(?:ik )?weet (?:ik )?(?:het )?niet\b|\bgeen idee\b", "onbekend"),
)
_FUELS = list(CarFuel)


def _fuel_options() -> str:
    """'1 onbekend, 2 benzine, 3 diesel of 4 elektrisch'."""
    options = [f"{number} {fuel.value}" for number, fuel in enumerate(_FUELS, start=1)]
    return ", ".join(options[:-1]) + " of " + options[-1]


def parse_fuel(text: str) -> CarFuel:
    """'diesel', 'EV', 'weet niet', 'hybride' -> the fuel class of the car."""
    normalised = _normalise(text)
    for pattern, replacement in _FUEL_PHRASES:
        normalised = re.sub(pattern, replacement, normalised)
    tokens = re.findall(r"\d+|[a-z0-9]+", normalised)
    if len(tokens) == 1 and tokens[0].isdigit() and 1 <= int(tokens[0]) <= len(_FUELS):
        return _FUELS[int(tokens[0]) - 1]
    found: set[CarFuel] = set()
    for token in tokens:
        fuel = FUEL_WORDS.get(token) or _fuzzy_lookup(token, FUEL_WORDS)
        if fuel is not None:
            found.add(fuel)
        elif token not in _FUEL_FILLERS:
            raise ValueError(
                f"Ik herken {quoted(token)} niet als brandstof. Kies {_fuel_options()}."
            )
    if len(found) != 1:
        raise ValueError(f"Welke brandstof? Kies {_fuel_options()}, bijvoorbeeld ‘diesel’.")
    return found.pop()


# --------------------------------------------------------------------------- choices


def parse_number_choice(text: str, choices: list[str]) -> str:
    """A choice by its number (1-based) or its label (case, accents and small typos ignored)."""
    options = "; ".join(f"{number} {choice}" for number, choice in enumerate(choices, start=1))
    normalised = _normalise(text)
    if normalised.isdigit():
        number = int(normalised)
        if 1 <= number <= len(choices):
            return choices[number - 1]
        raise ValueError(f"Nummer {normalised} bestaat niet. Kies uit: {options}.")
    by_label = {_normalise(choice): choice for choice in choices}
    if normalised in by_label:
        return by_label[normalised]
    match = _fuzzy_lookup(normalised, by_label)
    if match is not None:
        return match
    raise ValueError(f"Kies een nummer of typ een van de keuzes: {options}.")

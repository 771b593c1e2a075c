"""Turn a traveller's chat message into a typed answer, or refuse it in friendly Dutch.

Every parser takes the text exactly as typed and returns a typed value, or raises
`ValueError` whose message says, in one or two short Dutch sentences, what was
wrong and what would be accepted (with an example). Nothing here does I/O or reads
the clock: `parse_period` gets `today` from the caller.

Language: every parser that reads words takes `language` ("nl" default, or "en"). Dutch reads
exactly what it read before. English reads the English words *and* the Dutch ones: an
international colleague in The Hague still types 'ja', 'trein' or a fix the bot offered in
Dutch, and no Dutch word of these vocabularies means something else in English. The reverse
is not done: the Dutch reading stays the tested spec, and a few English words would clash
with it (English 'van' is a vehicle, Dutch 'van' is 'from'; 'gas' is petrol to an American,
natural gas to a Dutch driver). English dates are read day first ('4/5' is 4 May; the hint
says so), with ordinals ('27th'), the month before the days ('April 27-29'), 'morning',
'afternoon', 'evening', 'night', 'am'/'pm', 'today', 'yesterday', 'last night' and 'the day
before yesterday'. Year rules, weekday checks and limits are the Dutch ones (same code).
Period hints are built from `today`, so each works when typed back on any date.

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

from babel.dates import format_date, get_day_names, get_month_names
from rapidfuzz.distance import OSA

from bot.dialogs.errors import Choice, NeedsChoice, TooLong
from bot.dialogs.labels import FUEL_NAMES, MODE_NAMES, numbered_options
from bot.dialogs.vocabulary import ENGLISH_MODE_WORDS, FUEL_WORDS, MODE_PHRASES, MODE_WORDS
from bot.formatting import MONTH_NAMES, format_date_long, format_day, format_number
from bot.i18n import N_, Text, msg
from bot.report import CarFuel, DayPart, TransportMode, TripPeriod

__all__ = [
    "MAX_ANSWER_CHARS",
    "MAX_PERSONS",
    "MAX_PLAN_AHEAD_DAYS",
    "MAX_TRIP_AGE_DAYS",
    "MAX_TRIP_DAYS",
    "dates_example",
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


_NUMBERS_EN = {
    name: number
    for number, name in enumerate(
        (
            *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
            *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"),
            *("seventeen", "eighteen", "nineteen"),
        )
    )
} | {"hundred": 100}
_TENS_EN = {
    name: 10 * number
    for number, name in enumerate(
        ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"), start=2
    )
}


def _number_word(word: str, language: str = "nl") -> int | None:
    """Value of a number word without accents ('drie', 'tweeentwintig'; in English also
    'three', 'twentyone'), else None."""
    for table in (_UNITS, _TEENS, _TENS):
        if word in table:
            return table[word]
    for unit, unit_value in _UNITS.items():
        rest = word.removeprefix(unit + "en")
        if rest != word and rest in _TENS:
            return unit_value + _TENS[rest]
    if language == "en":
        for tens, tens_value in _TENS_EN.items():
            rest = word.removeprefix(tens)
            if rest == "":
                return tens_value
            if rest != word and 0 < _NUMBERS_EN.get(rest, 0) < 10:
                return tens_value + _NUMBERS_EN[rest]
        return _NUMBERS_EN.get(word)
    return None


# --------------------------------------------------------------------------- persons

_PERSONS_EXAMPLE = N_("Typ een aantal van 1 tot 99, bijvoorbeeld ‘1’ of ‘3 personen’.")
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


@dataclass(frozen=True)
class _PersonWords:
    """The words a number of travellers may hold in one language (English reads Dutch too)."""

    collectives: Mapping[str, int]
    person_nouns: frozenset[str]
    companion_nouns: frozenset[str]
    singular_companions: frozenset[str]
    first_person: frozenset[str]
    fillers: frozenset[str]


_PERSON_WORDS = {
    "nl": _PersonWords(
        _COLLECTIVES,
        frozenset(_PERSON_NOUNS),
        _COMPANION_NOUNS,
        _SINGULAR_COMPANIONS,
        frozenset(_FIRST_PERSON),
        frozenset(_PERSONS_FILLERS),
    ),
    "en": _PersonWords(
        _COLLECTIVES | {"both": 2},
        frozenset(_PERSON_NOUNS)
        | _words("people person persons us travellers traveller travelers traveler pax")
        | _words("participants participant"),
        _COMPANION_NOUNS
        | _words("colleague colleagues coworker coworkers co workers others other staff"),
        _SINGULAR_COMPANIONS | _words("colleague coworker"),
        frozenset(_FIRST_PERSON) | _words("i me myself alone solo"),
        frozenset(_PERSONS_FILLERS)
        | _words("and with the of a an in total were was there we my our just only all team")
        | _words("group party including incl plus travelled traveled went"),
    ),
}


def parse_persons(text: str, language: str = "nl") -> int:
    """'1', 'twee', '3 personen', 'ik alleen', 'met z'n drieën' -> number of travellers (1-99).

    In English also 'three of us', '3 people', 'just me', 'me and 2 colleagues', 'a group of 12'.
    """
    words = _PERSON_WORDS[language]
    normalised = _normalise(text)
    if language == "en":
        normalised = re.sub(r"(?<=[a-z])-(?=[a-z])", "", normalised)  # 'twenty-one', 'co-workers'
        units = "one|two|three|four|five|six|seven|eight|nine"
        normalised = re.sub(rf"\b({'|'.join(_TENS_EN)}) (?=(?:{units})\b)", r"\1", normalised)
    tokens = re.findall(r"-?\d+(?:[.,]\d+)?|[a-z]+(?:'[a-z]+)*|'[a-z]+|[+&]", normalised)
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
            raise ValueError(
                msg(
                    "{token} is geen heel aantal personen. {example}",
                    token=quoted(token),
                    example=msg(_PERSONS_EXAMPLE),
                )
            )
        value = int(token) if re.fullmatch(r"-?\d+", token) else _number_word(token, language)
        if value is not None:
            settle_pending()
            pending = value
        elif token in words.collectives:
            settle_pending()
            totals.add(words.collectives[token])
        elif token in words.person_nouns:
            if pending is not None and not first_person_seen:
                totals.add(pending)
                pending = None
        elif token in words.companion_nouns:
            companion_named = True
            if pending is not None:
                companions.append(pending)
                pending = None
            elif token in words.singular_companions:
                companions.append(1)  # 'ik en mijn collega'

        elif token in words.first_person:
            settle_pending()
            first_person_seen = True
        elif token not in words.fillers:
            raise ValueError(
                msg(
                    "Ik herken geen aantal personen in {text}. {example}",
                    text=quoted(text),
                    example=msg(_PERSONS_EXAMPLE),
                )
            )
    settle_pending()

    if first_person_seen:
        totals.update(plain)  # '3 (ik en 2 collega's)'
    if len(totals) > 1 or (not totals and len(set(plain)) > 1):
        raise ValueError(
            msg(
                "Ik zie meer dan één aantal in {text}. {example}",
                text=quoted(text),
                example=msg(_PERSONS_EXAMPLE),
            )
        )
    if totals:
        count = totals.pop()
        if first_person_seen and companions and count != 1 + sum(companions):
            raise ValueError(
                msg(
                    "Dat telt niet op in {text}. {example}",
                    text=quoted(text),
                    example=msg(_PERSONS_EXAMPLE),
                )
            )
    elif first_person_seen:
        if companion_named and not companions:
            raise ValueError(
                msg(
                    "Met hoeveel personen was je in totaal? {example}",
                    example=msg(_PERSONS_EXAMPLE),
                )
            )
        count = 1 + sum(companions)
    elif companions:
        raise ValueError(
            msg(
                "Tel je jezelf mee? Typ het totale aantal personen, bijvoorbeeld ‘3’ "
                "of ‘ik en 2 collega's’."
            )
        )
    elif plain:
        count = plain[0]
    elif not tokens and _is_blank(text):
        raise ValueError(
            msg("Dit antwoord mag niet leeg zijn. {example}", example=msg(_PERSONS_EXAMPLE))
        )
    else:
        raise ValueError(
            msg(
                "Ik herken geen aantal personen in {text}. {example}",
                text=quoted(text),
                example=msg(_PERSONS_EXAMPLE),
            )
        )

    if count < 1:
        raise ValueError(
            msg(
                "Er moet minstens 1 persoon op reis zijn geweest. {example}",
                example=msg(_PERSONS_EXAMPLE),
            )
        )
    if count > MAX_PERSONS:
        raise ValueError(
            msg(
                "{count} personen is meer dan het formulier toelaat. {example}",
                count=count,
                example=msg(_PERSONS_EXAMPLE),
            )
        )
    return count


# --------------------------------------------------------------------------- period

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
_MONTHS_EN = {
    str(name).lower(): number
    for width in ("wide", "abbreviated")
    for number, name in get_month_names(width, locale="en").items()
} | {"sept": 9}
_WEEKDAY_NAMES_EN = tuple(
    str(name).lower() for _, name in sorted(get_day_names(locale="en").items())
)
_WEEKDAYS_EN = (
    {name: number for number, name in enumerate(_WEEKDAY_NAMES_EN)}
    | {
        str(name).lower(): number
        for number, name in get_day_names("abbreviated", locale="en").items()
    }
    | {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}
)
_DAY_PARTS_EN = {
    "morning": DayPart.OCHTEND,
    "am": DayPart.OCHTEND,
    "afternoon": DayPart.MIDDAG,
    "noon": DayPart.MIDDAG,
    "midday": DayPart.MIDDAG,
    "lunchtime": DayPart.MIDDAG,
    "evening": DayPart.AVOND,
    "night": DayPart.AVOND,
    "pm": DayPart.MIDDAG,
}
_DAYS_AGO_EN = {"today": 0, "yesterday": 1}
_SEPARATOR_WORDS_EN = _words("till til through thru back returned returning return home and")
_PERIOD_FILLERS_EN = _words(
    "from on the of at around about departure departed departing left leaving leave outbound "
    "arrival arrived i we us day trip early late mid start end beginning this last in"
)
#: English phrases read as one word: 'the day before yesterday', 'last night'.
_PERIOD_PHRASES_EN = (
    (r"\bday before yesterday\b", "daybeforeyesterday"),
    (r"\blast night\b|\btonight\b", "yesterday night"),
    (r"\bthis (morning|afternoon|evening)\b", r"today \1"),
    (r"\b([ap])\.m\b\.?", r"\1m"),  # 'p.m.' -> 'pm'
)


@dataclass(frozen=True)
class _DateWords:
    """The words a period may hold in one language (English also reads the Dutch ones)."""

    months: Mapping[str, int]
    weekdays: Mapping[str, int]
    weekday_names: tuple[str, ...]
    day_parts: Mapping[str, DayPart]
    days_ago: Mapping[str, int]
    separators: frozenset[str]
    fillers: frozenset[str]
    phrases: tuple[tuple[str, str], ...] = ()

    @property
    def fuzzy(self) -> dict[str, tuple[str, int]]:
        """Month and weekday names long enough to be read with a small typo."""
        return {
            name: ("month", number) for name, number in self.months.items() if len(name) > 4
        } | {name: ("weekday", number) for name, number in self.weekdays.items() if len(name) > 4}


_DATE_WORDS = {
    "nl": _DateWords(
        _MONTHS,
        _WEEKDAYS,
        _WEEKDAY_NAMES,
        _DAY_PARTS,
        _DAYS_AGO,
        frozenset(_SEPARATOR_WORDS),
        frozenset(_PERIOD_FILLERS),
    ),
    "en": _DateWords(
        _MONTHS | _MONTHS_EN,
        _WEEKDAYS | _WEEKDAYS_EN,
        _WEEKDAY_NAMES + _WEEKDAY_NAMES_EN,
        _DAY_PARTS | _DAY_PARTS_EN,
        _DAYS_AGO | _DAYS_AGO_EN | {"daybeforeyesterday": 2},
        frozenset(_SEPARATOR_WORDS) | _SEPARATOR_WORDS_EN,
        frozenset(_PERIOD_FILLERS) | _PERIOD_FILLERS_EN,
        _PERIOD_PHRASES_EN,
    ),
}
_HYPHENATED_DAY_PART = r"(?<=[a-z])\s*-\s*(?=(?:{})\b)".format("|".join(_DAY_PARTS | _DAY_PARTS_EN))
_DURATION = r"\b\d+(?:[.,]5)?\s*(?:dag|dagen|days?)\b"
_MONTH_PATTERN = "|".join(sorted(_MONTHS | _MONTHS_EN, key=len, reverse=True))
#: 'April 27-29' (the English order): the month is said once, before both days.
_MONTH_FIRST_RANGE = re.compile(
    rf"\b({_MONTH_PATTERN})\s+(\d{{1,2}})\s*-\s*(\d{{1,2}})\b(?![-/.]\d)"
)
_PERIOD_TOKEN = re.compile(
    rf"""
    (?P<iso>\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}})(?!\d)
  | (?P<time>\d{{1,2}}(?::\d{{2}})?\s*(?:am|pm)\b
      | \d{{1,2}}:\d{{2}}(?:\s*(?:uur|u|h)\b)?|\d{{1,2}}(?:[.u]\d{{2}})?\s*(?:uur|u)\b)
  | (?P<numdate>\d{{1,2}}[-/.]\d{{1,2}}(?:[-/.](?:\d{{4}}|\d{{2}}))?)
      (?!\d)(?!\s*(?:{_MONTH_PATTERN})\b)
  | (?P<sep>t/m|t\.\s?m\.?|t\.e\.m\.?|tot\s+en\s+met|-|/)
  | (?P<number>\d+)(?:(?:ste|de|e|st|nd|rd|th)(?![a-z]))?
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


def _part_of_time(piece: str) -> DayPart:
    """Part of day of a clock time ('14:30', '9 uur', '3 pm')."""
    hour = int(re.findall(r"\d+", piece)[0])
    if piece.endswith("pm") and hour < 12:
        hour += 12
    if hour < 12:
        return DayPart.OCHTEND
    return DayPart.MIDDAG if hour < 18 else DayPart.AVOND


class _PeriodReader:
    """Reads a period message into at most two `_DateParts`, left to right."""

    def __init__(self, text: str, today: date, language: str = "nl") -> None:
        self.text = text
        self.today = today
        self.language = language
        self.words = _DATE_WORDS[language]
        self.sides: list[_DateParts] = [_DateParts()]

    @property
    def current(self) -> _DateParts:
        """The side being read."""
        return self.sides[-1]

    def fail(self, message: str) -> ValueError:
        """A refusal with the period example appended."""
        return ValueError(
            msg("{message} {hint}", message=message, hint=_period_hint(self.today, self.language))
        )

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
            raise self.fail(
                msg("Ik zie twee verschillende data in {text}.", text=quoted(self.text))
            )
        side.day = day
        side.month = month or side.month
        side.year = year or side.year

    def set_month(self, month: int) -> None:
        """Record a month name."""
        if self.current.month not in (None, month):
            raise self.fail(
                msg("Ik zie twee maanden bij één datum in {text}.", text=quoted(self.text))
            )
        self.current.month = month

    def set_year(self, year: int) -> None:
        """Record a four-digit year."""
        if not 1900 <= year <= 2100:
            raise self.fail(msg("{year} is geen jaartal dat ik verwacht.", year=year))
        if self.current.year not in (None, year):
            raise self.fail(
                msg("Ik zie twee jaartallen bij één datum in {text}.", text=quoted(self.text))
            )
        self.current.year = year

    def set_weekday(self, weekday: int) -> None:
        """Record a weekday name; a second one starts the return side."""
        if self.current.weekday is not None:
            self.next_side()
        self.current.weekday = weekday

    def set_part(self, part: DayPart) -> None:
        """Record a part of the day."""
        if self.current.part not in (None, part):
            raise self.fail(
                msg("Ik zie twee dagdelen bij één datum in {text}.", text=quoted(self.text))
            )
        self.current.part = part

    def set_days_ago(self, days: int) -> None:
        """Record 'vandaag', 'gisteren' or 'eergisteren'."""
        day = self.today - timedelta(days=days)
        self.set_date(day.day, day.month, day.year)

    def read_word(self, word: str) -> None:
        """Record one word of the message."""
        words = self.words
        compound = _part_of_word(word)
        if compound:
            stem, part = compound
            if stem in _WEEKDAY_NAMES:
                self.set_weekday(_WEEKDAYS[stem])
            else:
                self.set_days_ago(_DAYS_AGO[stem])
            self.set_part(part)
        elif word in words.weekdays:
            self.set_weekday(words.weekdays[word])
        elif word in words.day_parts:
            self.set_part(words.day_parts[word])
        elif word in words.months:
            self.set_month(words.months[word])
        elif word in words.days_ago and word != "van":
            self.set_days_ago(words.days_ago[word])
        elif word in words.separators:
            self.next_side()
        elif word in words.fillers:
            pass
        elif (kind_and_number := _fuzzy_lookup(word, words.fuzzy)) is not None:
            kind, number = kind_and_number
            self.set_month(number) if kind == "month" else self.set_weekday(number)
        else:
            raise self.unknown(word)

    def unknown(self, piece: str) -> ValueError:
        """A refusal naming the piece that is not understood."""
        if re.search(r"\d|vandaag|gister|today|yesterday", self.text.lower()):
            return self.fail(msg("Ik begrijp {piece} niet in deze datum.", piece=quoted(piece)))
        return self.fail(msg("Ik herken geen datum in {text}.", text=quoted(self.text)))

    def read(self) -> list[_DateParts]:
        """All sides of the message, empty ones dropped."""
        normalised = re.sub(_HYPHENATED_DAY_PART, " ", _normalise(self.text))  # 'zondag-avond'
        normalised = re.sub(_DURATION, " ", normalised)  # '2,5 dag (zondagavond 27 april ...)'
        for pattern, replacement in self.words.phrases:
            normalised = re.sub(pattern, replacement, normalised)
        normalised = _MONTH_FIRST_RANGE.sub(r"\1 \2 - \3", normalised)  # 'april 27-29'
        for match in _PERIOD_TOKEN.finditer(normalised):
            kind, piece = match.lastgroup, match.group()
            if kind == "iso":
                year, month, day = (int(n) for n in re.split(r"[-/.]", piece))
                self.set_date(day, month, year)
            elif kind == "numdate":
                self.set_date(*_numeric_date(piece))
            elif kind == "time":
                self.set_part(_part_of_time(piece))
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


def _nearest_years(
    start: _DateParts, end: _DateParts, today: date, language: str = "nl"
) -> tuple[date, date]:
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
        shown = _date_text(start.day, start.month)
        raise ValueError(
            msg("{shown} bestaat niet. {hint}", shown=shown, hint=_period_hint(today, language))
        )
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
    start: _DateParts,
    end: _DateParts,
    today: date,
    allow_future: bool = False,
    language: str = "nl",
) -> tuple[date, date]:
    """Departure and return dates, inferring missing years so that the trip lies in the past
    (or, with `allow_future`, nearest to today). A weekday named chooses the year: the most
    recent past year, within `MAX_TRIP_AGE_DAYS`, in which the dates fall on those weekdays."""
    assert start.day and start.month and end.day and end.month
    wraps = _wraps(start, end)
    if allow_future and not (start.year or end.year):
        return _nearest_years(start, end, today, language)
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
            raise ValueError(
                msg("{shown} bestaat niet. {hint}", shown=shown, hint=_period_hint(today, language))
            )
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
    hint = _period_hint(today, language)
    raise ValueError(msg("Ik vind geen jaar waarin deze reis al voorbij is. {hint}", hint=hint))


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
    message: Text = msg(
        N_("{date} was een {weekday}, geen {named}.")
        if verb == "was"
        else N_("{date} is een {weekday}, geen {named}."),
        date=_date_text(day.day, day.month, day.year),
        weekday=_weekday_name(day),
        named=_WEEKDAY_NAMES[side.weekday],
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
    options: str = (
        msg("‘{first}’ of ‘{second}’", first=fixes[0], second=fixes[1])
        if len(fixes) == 2
        else " of ".join(f"‘{fix}’" for fix in fixes)
    )
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
            message = msg(
                "{message} Een {named} was {date} het laatst in {year}: meer dan 2 jaar geleden.",
                message=message,
                named=_WEEKDAY_NAMES[side.weekday],
                date=_date_text(departure.day, departure.month),
                year=older,
            )
    raise NeedsChoice(
        msg(
            "{message} Bedoel je {options}? Kies hieronder of typ de datum opnieuw.",
            message=message,
            options=options,
        ),
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


def _weekday_only(
    start: _DateParts, end: _DateParts, today: date, language: str = "nl"
) -> tuple[date, date]:
    """'maandagochtend t/m woensdag' without dates: the most recent such days that have passed."""
    assert start.weekday is not None
    latest = today - timedelta(days=(today.weekday() - start.weekday) % 7)
    for weeks in range(3):
        departure = latest - timedelta(weeks=weeks)
        end_weekday = start.weekday if end.weekday is None else end.weekday
        back = departure + timedelta(days=(end_weekday - departure.weekday()) % 7)
        if back <= today:
            return departure, back
    raise ValueError(
        msg("Noem ook de datum, bijvoorbeeld ‘{example}’.", example=period_example(today, language))
    )


def _example_week(today: date) -> tuple[date, date]:
    """The Sunday and Tuesday of the last week whose Tuesday has passed: examples built on
    them work when typed back on any date (the trip has ended, within two years)."""
    last_tuesday = today - timedelta(days=(today.weekday() - 1) % 7 or 7)
    return last_tuesday - timedelta(days=2), last_tuesday


def _english_day(day: date, part: DayPart | None = None, weekday: bool = True) -> str:
    """'Sunday evening 23 November' (or '23 November'): an English date as typed."""
    parts = {DayPart.OCHTEND: " morning", DayPart.MIDDAG: " afternoon", DayPart.AVOND: " evening"}
    name = format_date(day, "EEEE", locale="en") + (parts[part] if part else "") + " "
    return (name if weekday else "") + format_date(day, "d MMMM", locale="en")


def period_example(today: date, language: str = "nl") -> str:
    """An example period that works when typed back today: Sunday evening to Tuesday of a
    week that has passed ('zondagavond 23 november t/m dinsdag 25 november', in English
    'Sunday evening 23 November to Tuesday 25 November')."""
    sunday, tuesday = _example_week(today)
    if language == "en":
        return f"{_english_day(sunday, DayPart.AVOND)} to {_english_day(tuesday)}"
    return f"{format_day(sunday, DayPart.AVOND)} t/m {format_day(tuesday)}"


def dates_example(today: date, language: str = "nl") -> str:
    """A plain example period without weekdays that works when typed back today
    ('23 november t/m 25 november', '23 November to 25 November')."""
    sunday, tuesday = _example_week(today)
    if language == "en":
        return f"{_english_day(sunday, weekday=False)} to {_english_day(tuesday, weekday=False)}"
    return f"{_date_text(sunday.day, sunday.month)} t/m {_date_text(tuesday.day, tuesday.month)}"


def _period_hint(today: date, language: str = "nl") -> str:
    """'Typ bijvoorbeeld ‘…’ of ‘…’.': two examples that work when typed back today."""
    _, tuesday = _example_week(today)
    sunday = tuesday - timedelta(days=2)
    if language == "en":
        return (
            f"For example ‘{dates_example(today, language)}’ or "
            f"‘{sunday:%d/%m/%Y} – {tuesday:%d/%m/%Y}’ (day first: 4/5 is 4 May)."
        )
    return (
        f"Typ bijvoorbeeld ‘{dates_example(today, language)}’ of "
        f"‘{sunday:%d-%m-%Y} – {tuesday:%d-%m-%Y}’."
    )


def parse_period(
    text: str, today: date, allow_future: bool = False, language: str = "nl"
) -> TripPeriod:
    """'zondagavond 27 april t/m dinsdag 29 april' -> TripPeriod of a trip that has ended.

    With `allow_future` (announcing a planned trip) the trip may lie ahead, up to
    `MAX_PLAN_AHEAD_DAYS`; a date without a year is taken in the year nearest today.
    In English ('Sunday evening 27 April to Tuesday 29 April') the Dutch words are read too.
    """
    hint = _period_hint(today, language)
    example = dates_example(today, language)
    if _is_blank(text):
        raise ValueError(msg("Dit antwoord mag niet leeg zijn. {hint}", hint=hint))
    reader = _PeriodReader(text, today, language)
    sides = reader.read()
    only_weekdays = bool(sides) and all(
        side.weekday is not None and (side.day, side.month, side.year) == (None,) * 3
        for side in sides
    )
    if only_weekdays and len(sides) <= 2 and not allow_future:
        start, end = sides[0], sides[-1] if len(sides) == 2 else _DateParts()
        departure, return_date = _weekday_only(start, end, today, language)
        return _period(departure, start.part, return_date, end.part, example)
    if not sides or all(side.day is None for side in sides):
        if any(side.weekday is not None for side in sides):
            raise ValueError(
                msg(
                    "Noem ook de datum, bijvoorbeeld ‘{example}’.",
                    example=period_example(today, language),
                )
            )
        if any(side.month is not None for side in sides):
            raise ValueError(msg("Noem ook de dag, bijvoorbeeld ‘{example}’.", example=example))
        raise reader.fail(msg("Ik herken geen datum in {text}.", text=quoted(text)))
    if len(sides) > 2:
        raise ValueError(
            msg(
                "Typ één vertrekdag en één terugkomstdag, bijvoorbeeld ‘{example}’.",
                example=example,
            )
        )
    start, end = sides[0], sides[-1] if len(sides) == 2 else _DateParts()
    if start.day is None:
        raise ValueError(msg("Noem ook de vertrekdag, bijvoorbeeld ‘{example}’.", example=example))
    if end.day is None:
        if end.month is not None or end.year is not None or end.weekday is not None:
            raise ValueError(
                msg("Noem ook de terugkomstdag, bijvoorbeeld ‘{example}’.", example=example)
            )
        end = _DateParts(start.day, start.month, start.year, start.weekday, end.part)
    start.month = start.month or end.month
    end.month = end.month or start.month
    if start.month is None:
        raise ValueError(msg("Noem ook de maand, bijvoorbeeld ‘{example}’.", example=example))
    for side in (start, end):
        assert side.day is not None and side.month is not None
        if not 1 <= side.month <= 12:
            raise reader.fail(msg("Maand {month} bestaat niet.", month=side.month))
        if _build_date(side.day, side.month, 2000) is None:
            raise reader.fail(msg("{date} bestaat niet.", date=_date_text(side.day, side.month)))

    year_given = bool(start.year or end.year)
    departure, return_date = _resolve_years(start, end, today, allow_future, language)
    _check_order(departure, start.part, return_date, end.part, example)
    _check_weekdays(start, end, departure, return_date, today, year_given)
    if allow_future and (departure - today).days > MAX_PLAN_AHEAD_DAYS:
        raise ValueError(
            msg(
                "{date} is meer dan een jaar vooruit. Controleer het jaartal.",
                date=format_date_long(departure).capitalize(),
            )
        )
    if return_date > today and not allow_future:
        raise ValueError(
            msg(
                "De reis is nog niet afgelopen: je komt terug op {date}. "
                "Vul het verslag in na terugkomst.",
                date=format_date_long(return_date),
            )
        )
    if (today - departure).days > MAX_TRIP_AGE_DAYS:
        raise ValueError(
            msg(
                "{date} is meer dan 2 jaar geleden. Controleer het jaartal: typ een "
                "reis van de afgelopen 2 jaar.",
                date=format_date_long(departure).capitalize(),
            )
        )
    if (return_date - departure).days + 1 > MAX_TRIP_DAYS:
        raise ValueError(
            msg(
                "Een reis van {days} dagen? Controleer de data. {hint}",
                days=(return_date - departure).days + 1,
                hint=hint,
            )
        )
    return _period(departure, start.part, return_date, end.part, example)


def _period(
    departure: date,
    start_part: DayPart | None,
    back: date,
    end_part: DayPart | None,
    example: str,
) -> TripPeriod:
    """The period; on a day trip with one part of day, that part is the departure's."""
    if departure == back and start_part is None:
        start_part, end_part = end_part, None
    _check_order(departure, start_part, back, end_part, example)
    return TripPeriod(
        departure=departure, departure_part=start_part, return_date=back, return_part=end_part
    )


def _check_order(
    departure: date, start_part: DayPart | None, back: date, end_part: DayPart | None, example: str
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
            msg(
                "De terugkomst ({back}) ligt vóór het vertrek "
                "({departure}). Typ eerst de vertrekdag, dan de terugkomst, "
                "bijvoorbeeld ‘{example}’.",
                back=format_date_long(back),
                departure=format_date_long(departure),
                example=example,
            )
        )


# --------------------------------------------------------------------------- modes

_MODE_FILLERS = _words(
    "en met de het een per plus ook nog heen terug retour naar van via eigen huur gehuurde "
    "gehuurd elektrische elektrisch of zowel als daarna dan vervolgens 'n mijn onze ter te "
    "plaatse plekke lokaal daar zaak airlines"
)
_LOCAL_TRANSPORT = _words("metro tram fiets fietsen ovfiets lopen lopend voet ov")
_MODES = list(TransportMode)
#: Per language: the mode words, the fillers and local transport (English reads Dutch too).
_MODE_VOCABULARY = {
    "nl": (MODE_WORDS, _MODE_FILLERS, _LOCAL_TRANSPORT),
    "en": (
        MODE_WORDS | ENGLISH_MODE_WORDS,
        _MODE_FILLERS
        | _words("by and with the a an then back return returned there to from via also both")
        | _words("way ways out outbound inbound own hire hired company private my our on in")
        | _words("of took we i travelled traveled went going electric hybrid diesel petrol"),
        _LOCAL_TRANSPORT
        | _words("subway underground tube bike bikes bicycle cycling cycled walk walked walking")
        | _words("foot public transport"),
    ),
}


def _mode_options() -> Text:
    """'1 vliegtuig, 2 trein, 3 bus, 4 auto of 5 veerboot'."""
    return numbered_options([MODE_NAMES[mode] for mode in _MODES])


def parse_modes(text: str, language: str = "nl") -> list[TransportMode]:
    """'trein en bus', '1, 3', 'KLM' -> transport modes, once each, in the form's order
    (in English also 'plane', 'flew', 'night train', 'car', 'coach', 'ferry')."""
    mode_words, fillers, local_transport = _MODE_VOCABULARY[language]
    normalised = _normalise(text)
    if language == "en":  # 'by train to Paris, flew back': the places are the route's
        normalised = re.sub(r"\b(?:to|from|via)\s+.+?(?=\s*(?:[,;]|\band\b|$))", "", normalised)
    for phrase, word in MODE_PHRASES.items():
        normalised = normalised.replace(phrase, word)
    found: set[TransportMode] = set()
    local_named = False
    for token in re.findall(r"\d+|[a-z]+(?:'[a-z]+)?", normalised.replace("ov-fiets", "ovfiets")):
        if token.isdigit():
            number = int(token)
            if not 1 <= number <= len(_MODES):
                raise ValueError(
                    msg(
                        "Nummer {token} bestaat niet. Kies {mode}.",
                        token=token,
                        mode=_mode_options(),
                    )
                )
            found.add(_MODES[number - 1])
        elif token in mode_words:
            found.add(mode_words[token])
        elif token in fillers:
            continue
        elif token in local_transport:
            local_named = True
        elif (mode := _fuzzy_lookup(token, mode_words)) is not None:
            found.add(mode)
        else:
            raise ValueError(
                msg(
                    "Ik ken {token} niet als vervoermiddel. Kies {mode}, bijvoorbeeld "
                    "‘trein en bus’ of ‘1, 3’.",
                    token=quoted(token),
                    mode=_mode_options(),
                )
            )
    if not found and local_named:
        raise ValueError(
            msg(
                "Vervoer ter plaatse (metro, tram, fiets, lopen) telt niet mee. Hoe "
                "reisde je heen en terug? Kies {mode}.",
                mode=_mode_options(),
            )
        )
    if not found:
        raise ValueError(
            msg(
                "Welk vervoermiddel? Kies {mode}, bijvoorbeeld ‘vliegtuig’ of ‘2’.",
                mode=_mode_options(),
            )
        )
    return [mode for mode in _MODES if mode in found]


# --------------------------------------------------------------------------- yes / no

_YES_NO_EXAMPLE = N_("Antwoord met ‘ja’ of ‘nee’.")
_YES_WORDS = _words(
    "ja j y yes yep yup jep jup jawel jazeker zeker klopt correct akkoord ok oke okay okee "
    "prima goed graag juist precies inderdaad absoluut natuurlijk uiteraard sure"
)
_NO_WORDS = _words("nee n no nope neen nein nah neuh geen niet nooit helaas")
_NEGATIONS = {"niet", "geen", "nee", "nooit"}
_YES_FILLERS = _words("hoor dat is het dan maar wel zo hoor dank je u bedankt hoor allemaal")
_YES_SYMBOLS = ("👍", "✅", "✔", "👌", "🙂", "😀", "😊")
_NO_SYMBOLS = ("👎", "❌", "✖", "🚫")


@dataclass(frozen=True)
class _YesNoWords:
    """The words of a yes or a no in one language (English reads the Dutch ones too)."""

    yes: frozenset[str]
    no: frozenset[str]
    negations: frozenset[str]
    fillers: frozenset[str]


_YES_NO_WORDS = {
    "nl": _YesNoWords(_YES_WORDS, _NO_WORDS, frozenset(_NEGATIONS), _YES_FILLERS),
    "en": _YesNoWords(
        _YES_WORDS | _words("yeah yea yess right true course indeed definitely certainly"),
        _NO_WORDS | _words("none not never nothing negative"),
        frozenset(_NEGATIONS) | _words("not no never none don't didn't isn't wasn't"),
        _YES_FILLERS | _words("that s it is was thats please thanks thank you of all"),
    ),
}


def parse_yes_no(text: str, language: str = "nl") -> bool:
    """'ja', 'klopt', '👍' -> True; 'nee', 'geen', '👎' -> False (in English also 'yes',
    'yeah', 'that's right' -> True; 'no', 'nope', 'none' -> False)."""
    vocabulary = _YES_NO_WORDS[language]
    normalised = _normalise(text)
    words = re.findall(r"[a-z]+(?:'t\b)?", normalised)
    if not words:
        has_yes = any(symbol in text for symbol in _YES_SYMBOLS)
        has_no = any(symbol in text for symbol in _NO_SYMBOLS)
        if has_yes != has_no:
            return has_yes
        raise ValueError(
            msg(
                "Ik begrijp {text} niet. {example}", text=quoted(text), example=msg(_YES_NO_EXAMPLE)
            )
        )
    first = re.sub(r"^ja+$", "ja", re.sub(r"^ne+$", "nee", words[0]))  # 'jaaa', 'neee'
    yes, negations, fillers = vocabulary.yes, vocabulary.negations, vocabulary.fillers
    if first in vocabulary.no:
        return False
    if first in yes:
        if not negations.intersection(words):
            return True
        if set(words) <= yes | negations | fillers and first not in ("ja", "yes"):
            return False  # 'klopt niet', 'akkoord? niet'
    elif first in fillers and words[-1] in yes and not negations.intersection(words):
        return True  # 'dat klopt', 'is goed'
    elif first in fillers and words[-1] in negations:
        return False  # 'dat klopt niet'
    elif first in fillers and set(words) <= yes | negations | fillers and words[-1] in yes:
        return False  # 'that's not right', 'dat is niet goed' (a negation between them)
    raise ValueError(
        msg(
            "Ik weet niet zeker of {text} ja of nee is. {example}",
            text=quoted(text),
            example=msg(_YES_NO_EXAMPLE),
        )
    )


# --------------------------------------------------------------------------- free text


def parse_free_text(text: str) -> str:
    """The answer exactly as typed; only blank lines at the very start and end are dropped."""
    if _is_blank(text):
        raise ValueError(
            msg("Dit antwoord mag niet leeg zijn. Typ je antwoord in een of meer zinnen.")
        )
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
            msg(
                "Ik verwacht hier een antwoord in woorden, niet alleen {text}. Typ een "
                "of meer zinnen.",
                text=quoted(kept),
            )
        )
    if len(kept) > max_len:
        raise TooLong(
            msg(
                "Je antwoord is {length} tekens; het maximum is "
                "{limit}. Je tekst staat hierboven nog: kort hem in en stuur "
                "hem opnieuw.",
                length=format_number(len(kept), 0),
                limit=format_number(max_len, 0),
            )
        )
    return kept


def parse_short_text(text: str, max_len: int = 120) -> str:
    """A name or department: one line with single spaces, with letters, at most `max_len` long."""
    single_line = " ".join(text.split())
    if not any(char.isalnum() for char in single_line):
        raise ValueError(msg("Dit antwoord mag niet leeg zijn. Typ een korte tekst op één regel."))
    if not _has_letters(single_line):
        raise ValueError(
            msg(
                "Ik verwacht hier een naam in letters, niet {text}. Typ een "
                "korte tekst op één regel.",
                text=quoted(single_line),
            )
        )
    if len(single_line) > max_len:
        raise ValueError(
            msg(
                "Dat is te lang ({length} tekens). Houd het kort: hoogstens {limit} tekens.",
                length=len(single_line),
                limit=max_len,
            )
        )
    return single_line


# --------------------------------------------------------------------------- hours

_HOURS_EXAMPLE = N_("Typ bijvoorbeeld ‘12,5’, ‘7 uur 30’ of ‘7:30’.")
_HOUR_UNITS = _words("uur uren u h hr hrs hour hours uurtjes")
_MINUTE_UNITS = _words("min mins minuut minuten m minutes")
_HOURS_FILLERS = _words(
    "ca circa ongeveer ong zo'n zon rond de ruim bijna krap iets meer minder dan en max "
    "maximaal minimaal minstens totaal in reistijd per met trein bus enkele reis enkel een "
    "is was duurt duurde het naar nachttrein treinreis reizen reis"
)


_HOURS_FILLERS_EN = _words(
    "about around approx approximately roughly some just over under almost nearly less more "
    "than by train the a it takes took is was journey trip travel time one way"
)


def _hours_words_to_digits(normalised: str, language: str = "nl") -> str:
    """'zeven en een half uur' -> '7,5 uur'; 'anderhalf' -> '1,5'; in English
    'seven and a half hours' -> '7,5 hours', 'an hour and a half' -> '1,5 hours'."""
    text = re.sub(r"\banderhalf\b", "1,5", normalised)
    text = re.sub(r"\been half\b", "half", text)
    if language == "en":
        text = re.sub(r"\ban hour and a half\b", "1,5 hours", text)
        text = re.sub(r"\band a half\b", "en half", text)
        text = re.sub(r"\ban? (?=hour\b)", "1 ", text)
    text = re.sub(
        r"[a-z]+",
        lambda m: str(v) if (v := _number_word(m.group(), language)) is not None else m.group(),
        text,
    )
    text = re.sub(r"(\d+) en half\b", r"\1,5", text)
    return re.sub(r"\bhalf\b", "0,5", text)


def parse_hours(text: str, language: str = "nl") -> float:
    """'12,5', 'ca. 7 uur', '7 uur 30', '7:30' -> hours as a number (more than 0, less than 100).

    In English also '9.5', 'about 7 hours 30', 'seven and a half hours'; '7.30' is 7,3 hours
    in either language (use '7:30' for minutes)."""
    fillers = _HOURS_FILLERS | _HOURS_FILLERS_EN if language == "en" else _HOURS_FILLERS
    normalised = _hours_words_to_digits(_normalise(text), language)
    normalised = re.sub(r"(?<!\d)[.,]|[.,](?!\d)", " ", normalised)  # 'ca.', 'ongeveer, 7'

    amounts: list[tuple[float, str | None]] = []
    for token in re.findall(
        r"\d+(?:[.,]\d+)?(?::\d{2})?|[a-z]+(?:'[a-z]+)?|[^\s\da-z±~]", normalised
    ):
        if token[0].isdigit():
            if ":" in token:
                hours, minutes = token.split(":")
                if int(minutes) >= 60:
                    raise ValueError(
                        msg(
                            "{token} is geen tijdsduur. {example}",
                            token=quoted(token),
                            example=msg(_HOURS_EXAMPLE),
                        )
                    )
                amounts.append((float(hours.replace(",", ".")) + int(minutes) / 60, "clock"))
            else:
                amounts.append((float(token.replace(",", ".")), None))
        elif token in _HOUR_UNITS or token in _MINUTE_UNITS:
            unit = amounts[-1][1] if amounts else "none"
            if unit not in (None, "clock") or (unit == "clock" and token in _MINUTE_UNITS):
                raise ValueError(
                    msg(
                        "Ik herken geen aantal uren in {text}. {example}",
                        text=quoted(text),
                        example=msg(_HOURS_EXAMPLE),
                    )
                )
            amounts[-1] = (amounts[-1][0], "h" if token in _HOUR_UNITS else "m")
        elif token not in fillers:
            raise ValueError(
                msg(
                    "Ik herken geen aantal uren in {text}. {example}",
                    text=quoted(text),
                    example=msg(_HOURS_EXAMPLE),
                )
            )
    hours = _hours_from_amounts(amounts, text)
    if not 0 < hours < 100:
        raise ValueError(
            msg(
                "Een reistijd moet tussen 0 en 100 uur liggen. {example}",
                example=msg(_HOURS_EXAMPLE),
            )
        )
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
                    msg(
                        "{minutes} minuten is geen geldig aantal minuten. {example}",
                        minutes=int(minutes),
                        example=msg(_HOURS_EXAMPLE),
                    )
                )
            return hours + minutes / 60
    raise ValueError(
        msg(
            "Ik herken geen aantal uren in {text}. {example}",
            text=quoted(text),
            example=msg(_HOURS_EXAMPLE),
        )
    )


# --------------------------------------------------------------------------- fuel

_FUEL_FILLERS = _words("ik het de een auto rijdt reed op met was is auto's taxi huurauto of en")
_FUEL_PHRASES = (
    (r"\bplug[- ]?in\b", "plugin"),
    (r"\beuro ?95\b", "euro95"),
    (r"\b(?:ik )?weet (?:ik )?(?:het )?niet\b|\bgeen idee\b", "onbekend"),
)
_FUELS = list(CarFuel)


def _fuel_options() -> Text:
    """'1 onbekend, 2 benzine, 3 diesel of 4 elektrisch'."""
    return numbered_options([FUEL_NAMES[fuel] for fuel in _FUELS])


_FUEL_FILLERS_EN = _words("i it the a an car cars drove was is on with or and my our rental we")
_FUEL_PHRASES_EN = (
    (r"\b(?:i )?(?:do ?n'?t|did ?n'?t) know\b|\bno idea\b|\bnot sure\b", "onbekend"),
    (r"\bnatural gas\b", "aardgas"),
)


def parse_fuel(text: str, language: str = "nl") -> CarFuel:
    """'diesel', 'EV', 'weet niet', 'hybride' -> the fuel class of the car (in English also
    'petrol', 'hybrid', 'electric', 'don't know')."""
    english = language == "en"
    fillers = _FUEL_FILLERS | _FUEL_FILLERS_EN if english else _FUEL_FILLERS
    normalised = _normalise(text)
    for pattern, replacement in _FUEL_PHRASES + (_FUEL_PHRASES_EN if english else ()):
        normalised = re.sub(pattern, replacement, normalised)
    tokens = re.findall(r"\d+|[a-z0-9]+", normalised)
    if len(tokens) == 1 and tokens[0].isdigit() and 1 <= int(tokens[0]) <= len(_FUELS):
        return _FUELS[int(tokens[0]) - 1]
    found: set[CarFuel] = set()
    for token in tokens:
        fuel = FUEL_WORDS.get(token) or _fuzzy_lookup(token, FUEL_WORDS)
        if fuel is not None:
            found.add(fuel)
        elif token not in fillers:
            raise ValueError(
                msg(
                    "Ik herken {token} niet als brandstof. Kies {fuel}.",
                    token=quoted(token),
                    fuel=_fuel_options(),
                )
            )
    if len(found) != 1:
        raise ValueError(
            msg("Welke brandstof? Kies {fuel}, bijvoorbeeld ‘diesel’.", fuel=_fuel_options())
        )
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
        raise ValueError(
            msg(
                "Nummer {normalised} bestaat niet. Kies uit: {options}.",
                normalised=normalised,
                options=options,
            )
        )
    by_label = {_normalise(choice): choice for choice in choices}
    if normalised in by_label:
        return by_label[normalised]
    match = _fuzzy_lookup(normalised, by_label)
    if match is not None:
        return match
    raise ValueError(msg("Kies een nummer of typ een van de keuzes: {options}.", options=options))

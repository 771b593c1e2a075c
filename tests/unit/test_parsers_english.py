"""English answers read by the parsers when the traveller's language is English (issue 15)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.dialogs.errors import NeedsChoice
from bot.dialogs.parsers import (
    parse_fuel,
    parse_hours,
    parse_modes,
    parse_period,
    parse_persons,
    parse_yes_no,
)
from bot.report import CarFuel, DayPart, TransportMode, TripPeriod

TODAY = date(2026, 12, 1)  # a Tuesday
PLANE, TRAIN, BUS, CAR, FERRY = list(TransportMode)
EVENING, MORNING, AFTERNOON = DayPart.AVOND, DayPart.OCHTEND, DayPart.MIDDAG


def period(
    start: date, end: date, start_part: DayPart | None = None, end_part: DayPart | None = None
) -> TripPeriod:
    return TripPeriod(
        departure=start, departure_part=start_part, return_date=end, return_part=end_part
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The weekdays choose the year, as in Dutch: 27 April was a Sunday in 2025.
        ("Sunday evening 27 April to Tuesday 29 April", period(date(2025, 4, 27), date(2025, 4, 29), EVENING)),
        ("sunday-evening 27 april till tuesday 29 april", period(date(2025, 4, 27), date(2025, 4, 29), EVENING)),
        ("Sun 27 Apr - Tue 29 Apr", period(date(2025, 4, 27), date(2025, 4, 29))),
        ("27-29 April", period(date(2026, 4, 27), date(2026, 4, 29))),
        ("April 27-29", period(date(2026, 4, 27), date(2026, 4, 29))),
        ("April 27 to April 29, 2025", period(date(2025, 4, 27), date(2025, 4, 29))),
        ("from 3 March until 5 March 2025", period(date(2025, 3, 3), date(2025, 3, 5))),
        ("27th April to the 29th", period(date(2026, 4, 27), date(2026, 4, 29))),
        ("the 1st of May through the 3rd of May", period(date(2026, 5, 1), date(2026, 5, 3))),
        ("22nd to 23rd November", period(date(2026, 11, 22), date(2026, 11, 23))),
        ("Monday morning to Wednesday afternoon", period(date(2026, 11, 23), date(2026, 11, 25), MORNING, AFTERNOON)),
        ("yesterday", period(date(2026, 11, 30), date(2026, 11, 30))),
        ("yesterday evening to today", period(date(2026, 11, 30), date(2026, 12, 1), EVENING)),
        ("last night", period(date(2026, 11, 30), date(2026, 11, 30), EVENING)),
        ("the day before yesterday", period(date(2026, 11, 29), date(2026, 11, 29))),
        ("left 27 April at 3 pm, back 29 April 10 a.m.", period(date(2026, 4, 27), date(2026, 4, 29), AFTERNOON, MORNING)),
        ("27/04/2025 – 29/04/2025", period(date(2025, 4, 27), date(2025, 4, 29))),
        # Day first, never the US order.
        ("4/5", period(date(2026, 5, 4), date(2026, 5, 4))),
        ("4/5 to 6/5", period(date(2026, 5, 4), date(2026, 5, 6))),
        # Dutch is still read in English.
        ("zondagavond 27 april t/m dinsdag 29 april", period(date(2025, 4, 27), date(2025, 4, 29), EVENING)),
    ],
)  # fmt: skip
def test_english_periods(text: str, expected: TripPeriod) -> None:
    assert parse_period(text, TODAY, language="en") == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Sunday 27 April 2026 to Tuesday 29 April 2026", "27 april 2026 was een maandag"),
        ("29 April to 27 April 2025", "vóór het vertrek"),
        ("13/13", "Maand 13 bestaat niet"),
        ("4/5/2030", "nog niet afgelopen"),
        ("sometime in spring", "day first: 4/5 is 4 May"),
    ],
)
def test_english_periods_refused_as_in_dutch(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_period(text, TODAY, language="en")


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("1", 1),
        ("two", 2),
        ("Three", 3),
        ("three of us", 3),
        ("the three of us", 3),
        ("3 people", 3),
        ("just me", 1),
        ("only me", 1),
        ("I travelled alone", 1),
        ("me and two colleagues", 3),
        ("me + 2 colleagues", 3),
        ("me and a colleague", 2),
        ("both of us", 2),
        ("we were four", 4),
        ("a group of 12", 12),
        ("twenty-one people", 21),
        ("ninety nine", 99),
        ("ik en 2 collega's", 3),
    ],
)
def test_english_persons(text: str, count: int) -> None:
    assert parse_persons(text, "en") == count


@pytest.mark.parametrize(
    "text", ["2 colleagues", "a few", "3 people: me and 3 colleagues", "zero", "a hundred"]
)
def test_english_persons_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_persons(text, "en")


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("yes", True),
        ("Yes.", True),
        ("yeah", True),
        ("yep", True),
        ("y", True),
        ("sure", True),
        ("that's right", True),
        ("correct", True),
        ("no", False),
        ("nope", False),
        ("none", False),
        ("n", False),
        ("not really", False),
        ("no thanks", False),
        ("that's not right", False),
        ("ja", True),
        ("nee", False),
    ],
)
def test_english_yes_no(text: str, answer: bool) -> None:
    assert parse_yes_no(text, "en") is answer


@pytest.mark.parametrize("text", ["maybe", "yes and no", "I think so"])
def test_english_yes_no_unclear(text: str) -> None:
    with pytest.raises(ValueError):
        parse_yes_no(text, "en")


@pytest.mark.parametrize(
    ("text", "modes"),
    [
        ("plane", [PLANE]),
        ("flight", [PLANE]),
        ("flew", [PLANE]),
        ("KLM", [PLANE]),
        ("aeroplane", [PLANE]),
        ("train", [TRAIN]),
        ("Eurostar", [TRAIN]),
        ("night train", [TRAIN]),
        ("ICE", [TRAIN]),
        ("high-speed train", [TRAIN]),
        ("car", [CAR]),
        ("diesel car", [CAR]),
        ("petrol car", [CAR]),
        ("hybrid car", [CAR]),
        ("electric car", [CAR]),
        ("rental car", [CAR]),
        ("bus", [BUS]),
        ("coach", [BUS]),
        ("ferry", [FERRY]),
        ("boat", [FERRY]),
        ("by train to Paris, flew back", [PLANE, TRAIN]),
        ("car and ferry", [CAR, FERRY]),
        ("train and the metro", [TRAIN]),
        ("1, 3", [PLANE, BUS]),
        ("trein en bus", [TRAIN, BUS]),
    ],
)
def test_english_modes(text: str, modes: list[TransportMode]) -> None:
    assert parse_modes(text, "en") == modes


@pytest.mark.parametrize("text", ["rocket", "tram", "walked", "by"])
def test_english_modes_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_modes(text, "en")


@pytest.mark.parametrize(
    ("text", "fuel"),
    [
        ("petrol", CarFuel.BENZINE),
        ("gasoline", CarFuel.BENZINE),
        ("hybrid", CarFuel.BENZINE),
        ("plug-in hybrid", CarFuel.BENZINE),
        ("diesel", CarFuel.DIESEL),
        ("electric", CarFuel.ELEKTRISCH),
        ("it was an electric car", CarFuel.ELEKTRISCH),
        ("don't know", CarFuel.ONBEKEND),
        ("no idea", CarFuel.ONBEKEND),
        ("LPG", CarFuel.ONBEKEND),
    ],
)
def test_english_fuel(text: str, fuel: CarFuel) -> None:
    assert parse_fuel(text, "en") is fuel


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("9.5", 9.5),
        ("9,5", 9.5),
        ("7:30", 7.5),
        ("about 7 hours 30", 7.5),
        ("seven and a half hours", 7.5),
        ("an hour and a half", 1.5),
        ("roughly 11 hours", 11.0),
    ],
)
def test_english_hours(text: str, hours: float) -> None:
    assert parse_hours(text, "en") == pytest.approx(hours)


def test_dutch_stays_dutch_where_the_words_differ() -> None:
    """The language decides: the Dutch reading does not change with the English words."""
    assert parse_persons("3 personen") == 3
    with pytest.raises(ValueError):
        parse_persons("three of us")  # Dutch traveller: refused with a Dutch example
    assert parse_period("27 mei t/m 29 mei", TODAY) == period(date(2026, 5, 27), date(2026, 5, 29))
    assert parse_period("27 may to 29 may", TODAY, language="en") == period(
        date(2026, 5, 27), date(2026, 5, 29)
    )


ENGLISH_LIKE = st.lists(
    st.sampled_from(
        [
            *["27th", "April", "may", "to", "till", "-", "4/5", "2025", "Sunday", "evening"],
            *["yesterday", "last", "night", "day", "before", "3", "pm", "a.m.", "the", "of"],
            *["three", "twenty-one", "us", "me", "just", "colleagues", "a", "group", "yes"],
            *["no", "none", "not", "plane", "flew", "night train", "car", "hybrid", "by"],
            *["back", "from", "Paris", "hours", "and a half", "an hour", "😀", "\n", "’"],
        ]
    ),
    max_size=8,
).map(" ".join)
ENGLISH_PARSERS = [
    lambda text: parse_period(text, TODAY, language="en"),
    lambda text: parse_period(text, TODAY, allow_future=True, language="en"),
    lambda text: parse_persons(text, "en"),
    lambda text: parse_yes_no(text, "en"),
    lambda text: parse_modes(text, "en"),
    lambda text: parse_fuel(text, "en"),
    lambda text: parse_hours(text, "en"),
]


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=60), ENGLISH_LIKE))
def test_no_english_parser_raises_anything_but_value_error(text: str) -> None:
    for parser in ENGLISH_PARSERS:
        try:
            parser(text)
        except ValueError as error:
            assert str(error).strip(), text


def test_a_wrong_english_weekday_offers_fixes_that_work_when_chosen() -> None:
    with pytest.raises(NeedsChoice) as offered:
        parse_period("Sunday evening 27 April 2026 to Tuesday 29 April 2026", TODAY, language="en")
    values = [choice.value for choice in offered.value.choices]
    assert len(values) == 2
    for value in values:
        fixed = parse_period(value, TODAY, language="en")
        assert (fixed.departure.day, fixed.departure.month, fixed.departure_part) == (
            27,
            4,
            EVENING,
        )

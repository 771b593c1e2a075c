"""The interview core in English (issue 15, point 4): English answers give the Dutch run's facts."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import pytest

from bot.dialogs import Interview, InterviewState, Reply
from bot.dialogs.parsers import dates_example, parse_period, period_example
from bot.report import Report, TransportMode
from testkit.example_trip import EXAMPLE_ANSWERS, EXAMPLE_MESSAGES
from testkit.example_trip_en import EXAMPLE_ANSWERS_EN, EXAMPLE_NOW
from tests.unit.test_interview import trip

ZONE = ZoneInfo("Europe/Amsterdam")
PLANE, TRAIN = TransportMode.VLIEGTUIG, TransportMode.TREIN


def restored(interview: Interview, now: datetime) -> Interview:
    """The same interview after a trip through JSON; the language comes from the state."""
    state = InterviewState.model_validate_json(interview.state_data().model_dump_json())
    return Interview(trip(), now, state=state, user_ref="test:en")


def answer_by_key(
    answers: dict[str, str], now: datetime = EXAMPLE_NOW, language: Literal["nl", "en"] = "en"
) -> tuple[Interview, Reply]:
    """Answer each question asked with the answer under its key, until the report is done."""
    interview = Interview(trip(), now, user_ref="test:en", language=language)
    reply = interview.start()
    asked: list[str] = []
    while reply.report is None:
        assert reply.prompt is not None, reply.messages
        key = reply.prompt.key
        assert key in answers, (key, reply.messages, reply.prompt.text)
        assert asked[-1:] != [key], f"{key} asked again: {reply.messages} {reply.prompt.text}"
        asked.append(key)
        interview = restored(interview, now)
        reply = interview.handle(answers[key])
    return interview, reply


def run(
    messages: list[str],
    now: datetime,
    language: Literal["nl", "en"] = "en",
    interview: Interview | None = None,
) -> tuple[Interview, Reply]:
    """Send the messages in order to a new (or the given) interview in this language."""
    interview = interview or Interview(trip(), now, user_ref="test:en", language=language)
    reply = interview.start()
    for message in messages:
        interview = restored(interview, now)
        reply = interview.handle(message)
    return interview, reply


def facts(report: Report) -> dict[str, object]:
    """What the report says apart from the traveller's own words."""
    check = report.rail_check
    return {
        "persons": report.persons,
        "period": report.period,
        "destinations": [place.name for place in report.destinations],
        "modes": report.modes,
        "legs": [
            (leg.mode, leg.origin.name, leg.destination.name, round(leg.km), leg.return_trip)
            for leg in report.legs
        ],
        "emissions": [(line.mode, line.km, round(line.kg_co2e, 3)) for line in report.emissions],
        "rule": report.rule_text(),
        "justification_required": check.justification_required if check else None,
        "form": {
            answer.question: answer.text
            for answer in report.form_answers()
            if answer.question.startswith(("HOEVEEL", "HOELANG", "MET WELK", "WAT WAS DE CO2"))
        },
    }


def test_the_example_trip_in_english_gives_the_dutch_runs_facts() -> None:
    dutch = run(EXAMPLE_MESSAGES, EXAMPLE_NOW, language="nl")[1].report
    interview, reply = answer_by_key(EXAMPLE_ANSWERS_EN)
    english = reply.report
    assert dutch is not None and english is not None and interview.finished
    assert facts(english) == facts(dutch)
    # The facts themselves, so that two equally wrong runs do not pass.
    assert english.persons == 1 and english.modes == [PLANE]
    assert english.period.departure == date(2025, 4, 27) and english.period.days == 2.5
    assert [place.name for place in english.destinations] == ["Wenen", "Bratislava"]
    assert abs(english.legs[0].km - 1918) <= 3 and english.legs[0].return_trip
    assert english.rail_check is not None and not english.rail_check.justification_required
    # The document keeps the traveller's words as typed.
    assert english.purpose == EXAMPLE_ANSWERS_EN["purpose"]
    assert english.follow_up == EXAMPLE_ANSWERS_EN["follow_up"]


def test_the_language_is_kept_in_the_stored_state() -> None:
    interview, _ = run(["Vienna"], EXAMPLE_NOW)
    assert interview.state_data().language == "en"
    interview, reply = run(["Vienna", "27th April to the 29th", "three of us"], EXAMPLE_NOW)
    assert interview.state == "modes", reply.messages
    assert interview.answers["persons"] == 3


def test_a_dutch_interview_keeps_reading_dutch() -> None:
    interview, _ = run(
        ["Wenen", "zondagavond 27 april t/m dinsdag 29 april", "1"], EXAMPLE_NOW, "nl"
    )
    assert interview.state == "modes" and interview.state_data().language == "nl"


@pytest.mark.parametrize(
    ("route", "legs"),
    [
        ("by train to Vienna, flew back", [(TRAIN, "Den Haag", "Wenen", False), (PLANE, "Wenen", "Den Haag", False)]),
        ("out by train, back by plane", [(TRAIN, "Den Haag", "Wenen", False), (PLANE, "Wenen", "Den Haag", False)]),
        ("there and back by train", [(TRAIN, "Den Haag", "Wenen", True)]),
    ],
)  # fmt: skip
def test_english_route_phrases(route: str, legs: list[tuple[object, ...]]) -> None:
    interview, reply = run(
        ["Vienna", "27 April to 29 April 2025", "1", "train and plane", route], EXAMPLE_NOW
    )
    assert "legs" in interview.answers, (reply.messages, reply.prompt)
    assert [
        (leg.mode, leg.origin.name, leg.destination.name, leg.return_trip)
        for leg in interview.answers["legs"]
    ] == legs


def test_a_journey_from_home_in_english_names_the_places_abroad() -> None:
    interview, reply = run(
        ["The Hague – Brussels – Strasbourg – The Hague", "27-29 April 2025", "2 people", "car"],
        EXAMPLE_NOW,
    )
    assert [place.name for place in interview.answers["destinations"]] == ["Brussel", "Straatsburg"]
    assert interview.answers["persons"] == 2 and interview.state == "fuel", reply.messages
    interview, reply = run(["hybrid", "yes"], EXAMPLE_NOW, interview=interview)
    legs = interview.answers["legs"]
    assert [(leg.origin.name, leg.destination.name) for leg in legs] == [
        ("Den Haag", "Brussel"),
        ("Brussel", "Straatsburg"),
        ("Straatsburg", "Den Haag"),
    ]


def until(key: str, language: Literal["nl", "en"], answers: dict[str, str]) -> Reply:
    """Answer by key until the question `key` is asked; that reply."""
    interview = Interview(trip(), EXAMPLE_NOW, user_ref="test:en", language=language)
    reply = interview.start()
    while reply.prompt is not None and reply.prompt.key != key:
        interview = restored(interview, EXAMPLE_NOW)
        reply = interview.handle(answers[reply.prompt.key])
    assert reply.prompt is not None, reply.messages
    return reply


def test_an_english_reader_sees_english_place_names_and_the_form_keeps_the_dutch_ones() -> None:
    route = until("legs", "en", EXAMPLE_ANSWERS_EN).prompt
    assert route is not None
    assert "Vienna (VIE)" in route.text and "Wenen" not in route.text
    review = until("review", "en", EXAMPLE_ANSWERS_EN).prompt
    assert review is not None
    assert "Vienna (Austria), Bratislava (Slovakia)" in review.text
    assert "Wenen" not in review.text and "Oostenrijk" not in review.text
    dutch_review = until("review", "nl", EXAMPLE_ANSWERS).prompt
    assert dutch_review is not None and "Wenen (Oostenrijk), Bratislava (Slowakije)" in (
        dutch_review.text
    )
    report = answer_by_key(EXAMPLE_ANSWERS_EN)[1].report
    assert report is not None  # the form: the Dutch names, whatever the chat's language
    assert [place.label for place in report.destinations] == [
        "Wenen (Oostenrijk)",
        "Bratislava (Slowakije)",
    ]


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("Vienna", "Vienna"), ("Brussels", "Brussels"), ("Bratislava", "Bratislava")],
)
def test_a_place_is_named_as_a_reader_of_each_language_knows_it(typed: str, shown: str) -> None:
    place = trip().resolve_places(typed)[0]
    assert place.name_in("en") == shown and place.shown_name.render("en") == shown
    assert trip().home.label_in("en") == "The Hague (Netherlands)"
    assert trip().home.label_in("nl") == "Den Haag (Nederland)"


@pytest.mark.parametrize(
    ("typed", "language", "first"),
    [
        ("Frankfurt", "en", "Frankfurt am Main (Germany)"),
        ("Frankfurt", "nl", "Frankfurt am Main (Duitsland)"),
        ("Springfield", "en", "Springfield (United States), 170,188 inhabitants"),
        ("Springfield", "nl", "Springfield (Verenigde Staten), 170.188 inwoners"),
    ],
)
def test_the_buttons_for_an_ambiguous_place_read_in_the_travellers_language(
    typed: str, language: Literal["nl", "en"], first: str
) -> None:
    interview, reply = run([typed], EXAMPLE_NOW, language=language)
    assert reply.prompt is not None and reply.prompt.key == "destinations"
    assert reply.prompt.choices[0].label == first
    interview, reply = run([reply.prompt.choices[0].value], EXAMPLE_NOW, interview=interview)
    assert interview.answers["destinations"][0].label.startswith(first.split(" (")[0])


def test_the_8_hour_question_reads_in_english_route_included() -> None:
    interview, reply = run(
        ["Brussels", "27 April to 29 April 2025", "1", "plane", "yes"], EXAMPLE_NOW
    )
    assert interview.state == "justification" and reply.prompt is not None
    text = reply.prompt.text
    assert text.startswith("You flew to Brussels. By train that is about 1 h 45 (train ")
    assert (
        "(train The Hague – Rotterdam – Brussels, changing in Rotterdam), within the limit" in text
    )
    assert "met overstap" not in text and "(trein " not in text
    dutch = run(
        ["Brussel", "27 april t/m 29 april 2025", "1", "vliegtuig", "ja"], EXAMPLE_NOW, "nl"
    )
    assert dutch[1].prompt is not None
    assert (
        "(trein Den Haag – Rotterdam – Brussel, met overstap in Rotterdam)" in dutch[1].prompt.text
    )


def quoted_examples(message: str, typed: str) -> list[str]:
    """The examples between ‘’ in a refusal, without the traveller's own text quoted back."""
    return [q for q in re.findall(r"‘([^’]+)’", message) if q not in typed and "…" not in q]


@pytest.mark.parametrize("days", range(0, 3 * 366, 7))
def test_the_english_period_example_works_when_typed_back_on_any_date(days: int) -> None:
    now = datetime(2025, 1, 1, 9, 0, tzinfo=ZONE) + timedelta(days=days)
    interview, reply = run(["Vienna"], now)
    example = period_example(now.date(), "en")
    assert re.fullmatch(
        r"[A-Z][a-z]+day evening \d+ [A-Z][a-z]+ to [A-Z][a-z]+day \d+ [A-Z][a-z]+", example
    )
    prompt = interview.current_prompt()
    assert prompt is not None and f"‘{example}’" in prompt.text
    interview, reply = run([example], now, interview=interview)
    assert interview.state == "persons", reply.messages
    period = interview.answers["period"]
    assert period.departure.weekday() == 6 and period.departure_part == "avond"
    assert period.return_date < now.date() and period.days == 2.5


BAD_PERIODS = [
    "",
    "sometime in spring",
    "April",
    "Monday in April",
    "27 April to 29 April to 2 May",
    "29 April to 27 April 2025",
    "30 February",
    "1 January to 30 June",
    "17 May 2014",
]


@pytest.mark.parametrize("days", range(0, 3 * 366, 3))
def test_every_english_period_hint_works_when_typed_back_on_any_date(days: int) -> None:
    today = date(2025, 1, 1) + timedelta(days=days)
    examples: set[str] = set()
    for bad in BAD_PERIODS:
        with pytest.raises(ValueError) as refused:
            parse_period(bad, today, language="en")
        examples.update(quoted_examples(str(refused.value), bad))
    assert dates_example(today, "en") in examples
    assert any(re.fullmatch(r"\d\d/\d\d/\d{4} – \d\d/\d\d/\d{4}", e) for e in examples), examples
    for example in examples:
        period = parse_period(example, today, language="en")
        assert period.return_date < today and period.days >= 1, example


def test_dates_are_read_day_first_as_the_hint_says() -> None:
    with pytest.raises(ValueError, match=r"day first: 4/5 is 4 May"):
        parse_period("sometime", EXAMPLE_NOW.date(), language="en")
    period = parse_period("4/5", date(2025, 6, 1), language="en")
    assert period.departure == date(2025, 5, 4)


@pytest.mark.parametrize(
    ("key", "bad"),
    [
        ("persons", "a few"),
        ("persons", "2 colleagues"),
        ("modes", "rocket"),
        ("modes", "by"),
        ("has_follow_up", "maybe"),
    ],
)
def test_hints_of_other_questions_work_when_typed_back_in_english(key: str, bad: str) -> None:
    answers = {**EXAMPLE_ANSWERS_EN}
    before = {
        "persons": ["Vienna", "27 April to 29 April 2025"],
        "modes": ["Vienna", "27 April to 29 April 2025", "1"],
        "has_follow_up": ["Vienna", "27 April to 29 April 2025", "1", "plane", "yes"]
        + [answers[k] for k in ("purpose", "locations", "people_met", "results")],
    }[key]
    interview, reply = run([*before, bad], EXAMPLE_NOW)
    assert interview.state == key and reply.messages
    examples = quoted_examples(reply.messages[0], bad)
    assert examples, reply.messages
    for example in examples:
        typed, answer = run([example], EXAMPLE_NOW, interview=interview)
        assert typed.state != key, (example, answer.messages)


@pytest.mark.parametrize(
    ("english", "dutch"),
    [
        ("Brussels", "Brussel"),
        ("Vienna", "Wenen"),
        ("Munich", "München"),
        ("Cologne", "Keulen"),
        ("Geneva", "Genève"),
        ("Copenhagen", "Kopenhagen"),
        ("Prague", "Praag"),
        ("Lisbon", "Lissabon"),
        ("Warsaw", "Warschau"),
        ("Athens", "Athene"),
        ("Venice", "Venetië"),
        ("Antwerp", "Antwerpen"),
        ("Ghent", "Gent"),
        ("Bruges", "Brugge"),
        ("Strasbourg", "Straatsburg"),
        ("Hanover", "Hannover"),
        ("Brunswick", "Braunschweig"),
        ("Nuremberg", "Neurenberg"),
        ("Gothenburg", "Göteborg"),
        ("Genoa", "Genua"),
        ("Dunkirk", "Duinkerken"),
    ],
)
def test_english_place_names_are_the_dutch_places(english: str, dutch: str) -> None:
    assert [place.name for place in trip().resolve_places(english)] == [dutch]


@pytest.mark.parametrize(
    ("mode", "route", "expected"),
    [
        ("plane", "from RTM", (PLANE, "RTM", True, None)),
        ("plane", "plane 960 km", (PLANE, "AMS", True, 960.0)),
        ("train", "train 850 km return", (TRAIN, None, True, 850.0)),
        ("train", "train 850 km one way", (TRAIN, None, False, 850.0)),
        ("plane", "return flight", (PLANE, "AMS", True, None)),
    ],
)
def test_english_route_corrections(
    mode: str, route: str, expected: tuple[object, str | None, bool, float | None]
) -> None:
    interview, reply = run(["Vienna", "27 April to 29 April 2025", "1", mode, route], EXAMPLE_NOW)
    if interview.state == "legs" and reply.prompt is not None and reply.prompt.choices:
        interview, reply = run(["ja, dat klopt"], EXAMPLE_NOW, interview=interview)
    assert "legs" in interview.answers, (reply.messages, reply.prompt)
    leg = interview.answers["legs"][0]
    want_mode, airport, return_trip, km = expected
    assert (leg.mode, leg.origin_airport, leg.return_trip) == (want_mode, airport, return_trip)
    if km is not None:
        assert leg.km == km

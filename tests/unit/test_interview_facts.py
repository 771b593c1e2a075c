"""Every fact in the report is what the traveller meant (issue 11), through the interview core."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.console import format_prompt
from bot.dialogs import Interview, InterviewState, Reply
from bot.dialogs.parsers import MAX_ANSWER_CHARS, period_example
from bot.report import TransportMode, TripPeriod
from testkit.example_trip import example_answers, example_messages
from tests.unit.test_interview import trip

ZONE = ZoneInfo("Europe/Amsterdam")
#: A test clock: the day this issue was worked on, when 27 April fell on a Monday this year.
DECEMBER_2026 = datetime(2026, 12, 1, 10, 0, tzinfo=ZONE)
#: A trip to Vienna by plane, without follow-up, by a new traveller.
VIENNA = example_answers(
    destinations="Wenen",
    period="27 april t/m 29 april",
    purpose="Conferentie",
    locations="Stadhuis",
    people_met="CIO's",
    results="Kennis",
    has_follow_up="nee",
    follow_up=None,
    name="A. Jansen",
    department="Afdeling X",
)
FREE = example_messages(start="purpose", until="review", answers=VIENNA)
PLANE, TRAIN = TransportMode.VLIEGTUIG, TransportMode.TREIN
AT_ROUTE = example_messages(until="legs", answers={**VIENNA, "modes": "trein"})


def run(
    messages: list[str], now: datetime = DECEMBER_2026, interview: Interview | None = None
) -> tuple[Interview, Reply]:
    """Send each message to a fresh (or the given) interview, through JSON before every one."""
    interview = interview or Interview(trip(), now, user_ref="test:facts")
    reply = interview.start()
    for message in messages:
        state = InterviewState.model_validate_json(interview.state_data().model_dump_json())
        interview = Interview(trip(), now, state=state, user_ref="test:facts")
        reply = interview.handle(message)
    return interview, reply


def prompt_text(reply: Reply) -> str:
    assert reply.prompt is not None
    return reply.prompt.text


# --- 1. dates ----------------------------------------------------------------------------------


def test_the_golden_example_typed_without_year_takes_the_year_its_weekdays_name() -> None:
    interview, reply = run(["Wenen", "zondagavond 27 april t/m dinsdag 29 april"])
    assert interview.state == "persons"
    assert interview.answers["period"] == TripPeriod(
        departure=date(2025, 4, 27),
        departure_part="avond",
        return_date=date(2025, 4, 29),
    )
    assert "Genoteerd: 2,5 dag (zondagavond 27 april t/m dinsdag 29 april 2025)." in reply.messages


@pytest.mark.parametrize("days", range(0, 3 * 366, 5))
def test_the_questions_own_example_works_when_typed_back_on_any_date(days: int) -> None:
    now = datetime(2025, 1, 1, 9, 0, tzinfo=ZONE) + timedelta(days=days)
    interview, _ = run(["Wenen"], now)
    example = period_example(now.date())
    assert f"‘{example}’" in prompt_text(Reply(prompt=interview.current_prompt()))
    interview, reply = run([example], now, interview)
    assert interview.state == "persons", reply.messages
    period = interview.answers["period"]
    assert period.departure.weekday() == 6 and period.departure_part == "avond"
    assert (period.return_date - period.departure).days == 2
    assert period.return_date < now.date() and period.days == 2.5


def test_a_wrong_weekday_gets_the_whole_period_fixed_as_choices_that_work() -> None:
    interview, reply = run(["Wenen", "zondagavond 27 april t/m dinsdag 29 april 2026"])
    assert interview.state == "period" and reply.prompt is not None
    assert "27 april 2026 was een maandag, geen zondag" in reply.prompt.text
    values = [choice.value for choice in reply.prompt.choices]
    assert values == [
        "zondagavond 27 april 2025 t/m dinsdag 29 april 2025",
        "maandagavond 27 april 2026 t/m woensdag 29 april 2026",
    ]
    # Choosing a fix keeps the return date and the part of day (nothing is dropped).
    picked, _ = run(["1"], interview=interview)
    assert picked.answers["period"].describe() == (
        "2,5 dag (zondagavond 27 april t/m dinsdag 29 april 2025)"
    )
    typed, _ = run([values[1]], interview=interview)
    assert typed.answers["period"].describe() == (
        "2,5 dag (maandagavond 27 april t/m woensdag 29 april 2026)"
    )


@pytest.mark.parametrize(
    "text", ["5 t/m 3 maart 2025", "dinsdag 10 november t/m maandag 9 november"]
)
def test_a_return_before_the_departure_is_named_as_such(text: str) -> None:
    interview, reply = run(["Wenen", text])
    assert interview.state == "period"
    assert reply.messages and "ligt vóór het vertrek" in reply.messages[0]


def test_a_day_trip_keeps_both_parts_of_the_day() -> None:
    interview, _ = run(["Brussel", "maandagochtend t/m maandagmiddag"])
    period = interview.answers["period"]
    assert period.departure == period.return_date == date(2026, 11, 30)
    assert (period.departure_part, period.return_part) == ("ochtend", "middag")
    assert period.describe() == (
        "1 dag (maandagochtend 30 november t/m maandagmiddag 30 november 2026)"
    )


@pytest.mark.parametrize(
    "text",
    ["maandagmiddag 23 november", "23 november 's middags", "23 november t/m 23 november middag"],
)
def test_a_lone_part_of_day_counts_the_same_wherever_it_is_typed(text: str) -> None:
    interview, _ = run(["Brussel", text])
    assert interview.answers["period"].days == 0.5


def test_the_year_of_travel_is_in_the_review_and_the_report() -> None:
    interview, reply = run(
        ["Wenen", "zondagavond 27 april t/m dinsdag 29 april", "1", "vliegtuig", "klopt", *FREE]
    )
    assert interview.state == "review"
    assert "Reisperiode: 2,5 dag (zondagavond 27 april t/m dinsdag 29 april 2025)" in (
        prompt_text(reply)
    )
    answers = {a.question: a.text for a in interview.build_report().form_answers()}
    assert "29 april 2025" in answers["HOELANG DUURDE DE REIS?"]


# --- 2. transport and route stay in sync -----------------------------------------------------


def test_a_mode_added_by_the_route_reaches_the_transport_answer_review_and_report() -> None:
    interview, reply = run(
        [*AT_ROUTE[:3], "vliegtuig", "heen met de trein, terug met het vliegtuig"]
    )
    assert interview.answers["modes"] == [PLANE, TRAIN]
    assert "Vervoer aangepast aan de route: Vliegtuig, Trein." in reply.messages
    interview, reply = run(FREE, interview=interview)
    assert "Vervoer: Vliegtuig, Trein" in prompt_text(reply)
    assert interview.build_report().modes == [PLANE, TRAIN]


def test_replacing_a_train_route_by_a_flight_asks_the_justification() -> None:
    interview, reply = run(["Parijs", "27 april t/m 29 april", "1", "trein"])
    assert "Trein" in prompt_text(reply)
    interview, reply = run(["retour met het vliegtuig"], interview=interview)
    assert interview.answers["modes"] == [PLANE]
    assert interview.state == "justification", "Paris is within 8 hours by train"
    interview, reply = run(["Het was goedkoper", *FREE], interview=interview)
    report = interview.build_report()
    assert report.modes == [PLANE] and report.justification_flagged
    assert "⚠️ Je toelichting noemt alleen reistijd, gemak of prijs" in prompt_text(reply)


def test_night_train_out_and_klm_back_is_stored_the_right_way_round() -> None:
    interview, _ = run(
        [*AT_ROUTE[:3], "vliegtuig en trein", "heen met de nachttrein, terug met KLM"]
    )
    out, back = interview.answers["legs"]
    assert (out.mode, out.destination.name) == (TRAIN, "Wenen")
    assert (back.mode, back.destination.name) == (PLANE, "Den Haag")


@pytest.mark.parametrize(
    "places", ["Brussel en daarna Straatsburg", "Den Haag – Brussel – Straatsburg – Den Haag"]
)
def test_a_multi_city_trip_is_one_journey(places: str) -> None:
    interview, _ = run([places, "27 april t/m 29 april", "1", "trein"])
    assert [p.name for p in interview.answers["destinations"]] == ["Brussel", "Straatsburg"]
    interview, _ = run(["klopt"], interview=interview)
    stretches = [
        (leg.origin.name, leg.destination.name, leg.return_trip)
        for leg in interview.answers["legs"]
    ]
    assert stretches == [
        ("Den Haag", "Brussel", False),
        ("Brussel", "Straatsburg", False),
        ("Straatsburg", "Den Haag", False),
    ]


# --- 3. numbers --------------------------------------------------------------------------------


def test_negative_km_are_refused() -> None:
    interview, reply = run([*AT_ROUTE, "trein -1900 km"])
    assert interview.state == "legs" and "negatief" in reply.messages[0]


def test_km_far_from_the_great_circle_are_asked_back_once() -> None:
    interview, reply = run([*AT_ROUTE, "trein 9000 km"])
    assert interview.state == "legs"
    assert "Hemelsbreed is dat" in prompt_text(reply) and "9.000 km" in prompt_text(reply)
    assert reply.prompt is not None and reply.prompt.choices[0].label == "Ja, dat klopt"
    kept, _ = run(["1"], interview=interview)
    assert kept.state == "purpose"
    assert sum(leg.km for leg in kept.answers["legs"]) == pytest.approx(9000)
    again, reply = run(["Nee, ik pas het aan"], interview=interview)
    assert again.state == "legs" and "legs" not in again.answers
    plausible, _ = run([*AT_ROUTE, "trein 2100 km"])
    assert plausible.state == "purpose", "a real rail distance is not asked back"


def test_the_question_counter_never_changes_its_total() -> None:
    interview = Interview(trip(), DECEMBER_2026)
    reply = interview.start()
    seen = []
    for message in example_messages(until="review", answers=VIENNA):
        assert reply.prompt is not None and reply.prompt.progress is not None
        assert " van " not in reply.prompt.progress
        seen.append(int(reply.prompt.progress.removeprefix("Vraag ")))
        reply = interview.handle(message)
    assert seen == list(range(1, len(seen) + 1))


def test_the_review_does_not_mix_the_bots_numbering_with_the_forms() -> None:
    _, reply = run(example_messages(until="review", answers=VIENNA))
    text = prompt_text(reply)
    assert "Vraag 4" not in text and "8-uursregel: Nvt" in text
    assert not any(re.match(r"\d+\. ", line) for line in text.splitlines())


# --- 4. free text ------------------------------------------------------------------------------

AT_PURPOSE = example_messages(until="purpose", answers=VIENNA)


@pytest.mark.parametrize("text", ["🙂🙂", "!!!", "12345", "…", "👍 ✅"])
def test_sentences_need_words(text: str) -> None:
    interview, reply = run([*AT_PURPOSE, text])
    assert interview.state == "purpose" and "in woorden" in reply.messages[0]


def test_a_name_needs_letters() -> None:
    interview, reply = run([*AT_PURPOSE, *FREE[:5], "12345"])
    assert interview.state == "name" and "in letters" in reply.messages[0]


def test_a_smiley_as_number_of_persons_is_not_called_empty() -> None:
    interview, reply = run(["Wenen", "27 april t/m 29 april", "🙂"])
    assert interview.state == "persons"
    assert "Ik herken geen aantal personen in ‘🙂’" in reply.messages[0]


def test_a_very_long_answer_is_refused_with_its_length_and_the_limit() -> None:
    long_text = "Kennis gedeeld. " * 250
    interview, reply = run([*AT_PURPOSE, long_text])
    assert interview.state == "purpose"
    assert "Je antwoord is 4.000 tekens" in reply.messages[0]
    assert f"{MAX_ANSWER_CHARS:,}".replace(",", ".") in reply.messages[0]
    fits, _ = run([long_text[:MAX_ANSWER_CHARS]], interview=interview)
    assert fits.answers["purpose"] == long_text[:MAX_ANSWER_CHARS]


# --- 5. choices in the console ------------------------------------------------------------------


def test_a_typed_number_means_what_the_menu_shows() -> None:
    interview, reply = run([*AT_PURPOSE, *FREE])
    assert reply.prompt is not None
    assert format_prompt(reply.prompt).splitlines()[-len(reply.prompt.choices)] == (
        "  1. ✅ Versturen"
    )
    interview, reply = run(["1"], interview=interview)
    assert interview.state == "confirm" and reply.prompt is not None
    assert "  1. ✅ Ja, versturen" in format_prompt(reply.prompt)
    _, reply = run(["1"], interview=interview)
    assert reply.report is not None


def test_unchanged_can_be_chosen_by_its_number() -> None:
    interview, reply = run(["Wenen", "27 april t/m 29 april", "terug"])
    assert interview.state == "period" and reply.prompt is not None
    labels = [choice.label for choice in reply.prompt.choices]
    assert "Ongewijzigd" in labels
    interview, _ = run([str(labels.index("Ongewijzigd") + 1)], interview=interview)
    assert interview.state == "persons"
    assert interview.answers["period"].departure == date(2026, 4, 27)


def test_number_options_keep_meaning_the_number() -> None:
    interview, _ = run(["Wenen", "27 april t/m 29 april", "3", "terug"])
    assert interview.state == "persons"
    interview, _ = run(["5"], interview=interview)
    assert interview.answers["persons"] == 5


def test_typed_hours_are_hours_not_option_numbers() -> None:
    # Marseille is a borderline case on the rail network: the traveller's train time is asked.
    interview, reply = run(["Marseille", "27 april t/m 29 april", "1", "vliegtuig", "klopt"])
    assert interview.state == "rail_hours" and reply.prompt is not None
    assert "  Kies: ✅ Klopt" in format_prompt(reply.prompt)
    interview, _ = run(["1"], interview=interview)
    assert interview.answers["rail_hours"] == 1.0


def test_multi_choice_says_how_to_pick_several() -> None:
    _, reply = run(["Wenen", "27 april t/m 29 april", "1"])
    assert reply.prompt is not None
    assert "‘1, 3’ of ‘trein en bus’" in format_prompt(reply.prompt)


def test_suggestions_follow_the_message_and_go_when_another_answer_is_wrong() -> None:
    interview, reply = run(["Wenen", "zondag 27 april 2026"])
    assert reply.prompt is not None and reply.prompt.choices
    shown = format_prompt(reply.prompt).splitlines()
    assert shown[1].startswith("27 april 2026 was een maandag") and shown[2].startswith("  1. ")
    interview, reply = run(["morgen ofzo"], interview=interview)
    assert reply.prompt is not None and reply.prompt.choices == []
    assert reply.prompt.text.startswith("Wanneer was de reis?")


# --- 8. console finish (the core's part) --------------------------------------------------------


def test_cancel_does_not_name_a_telegram_command() -> None:
    _, reply = run(["Wenen", "annuleer", "ja"])
    assert reply.cancelled and "/nieuw" not in " ".join(reply.messages)


def test_where_names_the_question_title() -> None:
    interview, _ = run(["Wenen"])
    assert interview.where() == "de vraag ‘Reisperiode’"


# --- 9. no crash -------------------------------------------------------------------------------


@pytest.mark.parametrize("digit", ["⓷", "⑨", "²", "٣", "𝟓"])
def test_unicode_digits_never_crash(digit: str) -> None:
    for messages in (["Wenen", "27 april t/m 29 april", digit], [*AT_PURPOSE, *FREE, digit]):
        _, reply = run(messages)
        assert reply.prompt is not None


def test_back_after_editing_the_destination_from_the_review_asks_the_route_again() -> None:
    interview, _ = run([*AT_PURPOSE, *FREE, "wijzig:destinations", "Parijs"])
    assert interview.state == "legs" and "legs" not in interview.answers
    interview, _ = run(["terug", "terug"], interview=interview)
    assert interview.state == "legs" and "legs" not in interview.answers
    interview, reply = run(["klopt"], interview=interview)
    assert reply.prompt is not None


# --- 7. weak justification visible ---------------------------------------------------------------


def test_an_efficiency_only_reason_is_flagged_for_the_secretariat_and_the_traveller() -> None:
    from bot.telegram.delivery import secretariat_summary

    interview, reply = run(
        ["Parijs", "27 april t/m 29 april", "1", "vliegtuig", "klopt", "Sneller en goedkoper"]
    )
    assert any("geen geldige reden" in message for message in reply.messages)
    interview, reply = run(FREE, interview=interview)
    assert "⚠️ Je toelichting noemt alleen reistijd, gemak of prijs" in prompt_text(reply)
    report = interview.build_report()
    assert report.justification_flagged
    assert "toelichting noemt alleen efficiëntie (gemarkeerd)" in secretariat_summary(report)
    interview, reply = run(
        ["wijzig:justification", "Spoedoverleg na een crisis"], interview=interview
    )
    assert "⚠️" not in prompt_text(reply) and not interview.build_report().justification_flagged


@pytest.mark.parametrize(
    ("place", "mode"),
    [("Wenen", "vliegtuig"), ("Wenen", "trein"), ("Brussel en daarna Straatsburg", "auto")],
)
def test_every_route_example_works_when_typed_back(place: str, mode: str) -> None:
    interview, reply = run([place, "27 april t/m 29 april", "1", mode])
    if interview.state == "fuel":
        interview, reply = run(["diesel"], interview=interview)
    examples = re.findall(r"‘([^’]+)’", prompt_text(reply).split("bijvoorbeeld", 1)[1])
    assert len(examples) >= 2
    for example in examples:
        typed, answer = run([example], interview=interview)
        assert typed.state != "legs", (example, answer.messages, answer.prompt)
        assert typed.answers["legs"]


def test_the_rest_of_a_split_long_paste_is_not_kept_silently() -> None:
    """Telegram sends a long paste as several messages: the tail is asked back, not stored."""
    head, tail = "Kennis gedeeld. " * 250, "en daarna nog contacten gelegd."
    interview, reply = run([*AT_PURPOSE, head, tail])
    assert interview.state == "purpose" and "purpose" not in interview.answers
    assert "Je vorige bericht was te lang" in prompt_text(reply)
    assert "‘en daarna nog contacten gelegd.’" in prompt_text(reply)
    kept, _ = run(["Ja, dat klopt"], interview=interview)
    assert kept.answers["purpose"] == tail and kept.state == "locations"
    retyped, reply = run(["nee", "Conferentie bijgewoond"], interview=interview)
    assert retyped.answers["purpose"] == "Conferentie bijgewoond"

"""The interview core, driven with plain messages: no adapter, no I/O."""

from __future__ import annotations

import re
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.dialogs import Interview, InterviewState, Reply
from bot.dialogs.questions import question_by_key
from bot.report import TransportMode, Traveller
from bot.travel import TravelCalculator
from testkit.example_report import EXAMPLE_FREE_TEXT
from testkit.example_trip import EXAMPLE_MESSAGES, EXAMPLE_NOW, example_answers, example_messages


@cache
def trip() -> TravelCalculator:
    """The real travel calculator with the default settings."""
    return TravelCalculator.from_settings(Settings(_env_file=None))  # type: ignore[call-arg]


def new_interview(
    state: InterviewState | None = None, profile: Traveller | None = None
) -> Interview:
    """An interview on the example's date."""
    return Interview(trip(), EXAMPLE_NOW, state=state, profile=profile, user_ref="test:1")


def restored(interview: Interview) -> Interview:
    """The same interview after a trip through JSON, as after a restart."""
    json = interview.state_data().model_dump_json()
    return new_interview(InterviewState.model_validate_json(json), interview._profile)


def play(messages: list[str], interview: Interview | None = None) -> tuple[Interview, Reply]:
    """Send each message, restoring the interview from JSON before every one."""
    interview = interview or new_interview()
    reply = interview.start()
    for message in messages:
        interview = restored(interview)
        reply = interview.handle(message)
    return interview, reply


def test_example_trip_gives_the_example_report() -> None:
    interview, reply = play(EXAMPLE_MESSAGES)
    report = reply.report
    assert report is not None and interview.finished
    answers = {a.question: a.text for a in report.form_answers()}
    assert answers["HOEVEEL PERSONEN HEBBEN DE REIS GEMAAKT"] == "1 persoon"
    assert (
        answers["HOELANG DUURDE DE REIS?"]
        == "2,5 dag (zondagavond 27 april t/m dinsdag 29 april 2025)"
    )
    assert answers["MET WELK(E) VERVOERSMIDDEL(EN) IS DE REIS GEMAAKT?"] == "Vliegtuig"
    rule = report.rule_text()
    # The rail network gives about 11 hours; the example report's traveller wrote 12,5.
    assert re.fullmatch(r"Nvt \(treinreis naar Wenen is ca\. 1[01](,5)? uur\)\.", rule)
    assert [p.name for p in report.destinations] == ["Wenen", "Bratislava"]
    flight = report.emissions[0]
    assert flight.mode is TransportMode.VLIEGTUIG
    assert abs(flight.km - 1918) <= 3
    assert flight.kg_co2e == pytest.approx(flight.km * flight.factor_kg_per_unit)
    for key in ("purpose", "locations", "people_met", "results"):
        assert getattr(report, key) == EXAMPLE_FREE_TEXT[key]
    assert report.follow_up == EXAMPLE_FREE_TEXT["follow_up"]
    assert report.traveller == Traveller(
        name="J. de Vries", department="Digitale Stad", user_ref="test:1"
    )
    assert report.submitted_at == EXAMPLE_NOW


def test_every_question_round_trips_through_json() -> None:
    interview = new_interview()
    interview.start()
    for message in example_messages(until="confirm"):
        copy = restored(interview)
        assert copy.state == interview.state
        assert copy.current_prompt() == interview.current_prompt()
        assert copy.state_data() == interview.state_data()
        interview = copy
        interview.handle(message)


def test_progress_counts_the_questions_that_apply() -> None:
    interview = new_interview()
    first = interview.start().prompt
    assert first is not None and first.progress is not None
    assert first.progress == "Vraag 1"
    _, reply = play(example_messages(until="persons"), interview)
    assert reply.prompt is not None and reply.prompt.progress == "Vraag 3"


@pytest.mark.parametrize(
    ("messages", "expected_key", "fragment"),
    [
        (["Wenen"], "period", "datum"),
        (["Wenen", "morgen ofzo"], "period", "Ik herken"),
        (["Wenen", "zondag 28 april 2025"], "period", "maandag"),
        (["Wenen", "27 april t/m 29 april", "honderd"], "persons", ""),
        (["Wenen", "27 april t/m 29 april", "1", "raket"], "modes", "raket"),
        (["Wenen", "27 april t/m 29 april", "1", "vliegtuig", "klopt", "   "], "purpose", "leeg"),
    ],
)
def test_bad_input_gets_a_dutch_message_and_the_same_question(
    messages: list[str], expected_key: str, fragment: str
) -> None:
    interview, reply = play(messages)
    assert interview.state == expected_key
    if len(messages) > 1 or expected_key != "period":
        assert reply.prompt is not None
        explained = reply.messages[0] if reply.messages else reply.prompt.text
        assert explained != question_by_key(expected_key).prompt_text(interview.context())
        assert fragment.lower() in explained.lower(), "a refusal explains what was wrong"
    assert reply.prompt is not None and reply.prompt.key == expected_key


def test_back_goes_to_the_previous_question_and_keeps_the_answer() -> None:
    interview, reply = play(["Wenen", "27 april t/m 29 april", "terug"])
    assert interview.state == "period"
    assert reply.prompt is not None and reply.prompt.current_answer is not None
    assert "27 april" in reply.prompt.current_answer
    interview, reply = play(["ongewijzigd"], interview)
    assert interview.state == "persons"


def test_skip_is_refused_for_required_questions() -> None:
    interview, reply = play(["overslaan"])
    assert interview.state == "destinations"
    assert "verplicht" in reply.messages[0]


def test_start_over_needs_confirmation() -> None:
    interview, reply = play(["Wenen", "opnieuw"])
    assert reply.prompt is not None and reply.prompt.key == "bevestig_opnieuw"
    interview, reply = play(["nee"], interview)
    assert interview.state == "period" and "destinations" in interview.answers
    interview, reply = play(["opnieuw", "ja"], interview)
    assert interview.state == "destinations" and not interview.answers


def test_cancel_after_confirmation() -> None:
    _, reply = play(["Wenen", "annuleer", "ja"])
    assert reply.cancelled


def test_overview_and_help_repeat_the_question() -> None:
    interview, reply = play(["Parijs", "overzicht"])
    assert "Bestemming: Parijs" in reply.messages[0]
    assert reply.prompt is not None and reply.prompt.key == "period"
    _, reply = play(["help"], interview)
    assert "terug" in reply.messages[0] and reply.prompt is not None


def test_review_edit_returns_to_review() -> None:
    interview, reply = play(example_messages(until="review"))
    assert interview.state == "review"
    interview, reply = play(["wijzig:persons", "3"], interview)
    assert interview.state == "review"
    assert reply.prompt is not None and "3 personen" in reply.prompt.text


@pytest.mark.parametrize("leave", ["terug", "nee"])
def test_back_from_the_confirmation_goes_to_the_review_then_the_last_answer(leave: str) -> None:
    interview, _ = play(example_messages(until="confirm"))
    assert interview.state == "confirm"
    interview, _ = play([leave], interview)
    assert interview.state == "review"
    interview, reply = play(["terug"], interview)
    assert interview.state == "department", "not the review a second time"
    assert reply.prompt is not None and reply.prompt.current_answer == "Digitale Stad"


def test_an_interview_restored_for_every_message_stores_what_one_kept_in_memory_stores() -> None:
    """The stored state does not depend on whether the interview was rebuilt per message
    (as the chat does) or kept in memory: changed answers are stored changed, kept ones kept."""
    messages = [
        *example_messages(until="review"),
        "wijzig:destinations",
        "Parijs",
        "trein",
        "wijzig:persons",
        "3",
        "terug",
        "4",
    ]
    kept = new_interview()
    kept.start()
    rebuilt = restored(kept)
    for message in messages:
        kept.handle(message)
        rebuilt = restored(rebuilt)
        rebuilt.handle(message)
        assert rebuilt.state_data().model_dump(mode="json") == kept.state_data().model_dump(
            mode="json"
        )
    assert rebuilt.answers["persons"] == 4 and rebuilt.answers["destinations"][0].name == "Parijs"


def test_changing_the_destination_asks_the_route_again() -> None:
    interview, _ = play(example_messages(until="review"))
    interview, _reply = play(["wijzig:destinations", "Parijs"], interview)
    assert interview.state == "legs", "the route depends on the destination"
    assert "legs" not in interview.answers


def test_flight_to_paris_asks_a_justification_and_flags_efficiency() -> None:
    paris = example_answers(
        destinations="Parijs",
        period="27 april t/m 29 april",
        justification="Het was sneller en goedkoper",
        purpose="Overleg",
        locations="Stadhuis",
        people_met="Adviseurs",
        results="Kennis",
        has_follow_up="nee",
        follow_up=None,
        name="A. Jansen",
        department="Stedelijke Ontwikkeling",
    )
    interview, reply = play(example_messages(until="justification", answers=paris))
    assert interview.state == "justification"
    assert reply.prompt is not None and "Parijs" in reply.prompt.text
    interview, reply = play(["   "], interview)
    assert interview.state == "justification", "an empty justification is refused"
    interview, reply = play([paris["justification"]], interview)
    assert any("gemarkeerd" in m for m in reply.messages)
    interview, reply = play(example_messages(start="purpose", answers=paris), interview)
    report = reply.report
    assert report is not None
    assert report.rail_check is not None and report.rail_check.justification_required
    assert report.justification == "Het was sneller en goedkoper"
    assert report.justification_flagged
    assert report.rule_text() == "Het was sneller en goedkoper"


def test_train_to_london_asks_no_justification() -> None:
    messages = ["Londen", "27 april t/m 29 april", "2", "trein", "klopt"]
    interview, _reply = play(messages)
    assert interview.state == "purpose"
    assert "justification" not in interview.answers


def test_known_traveller_is_not_asked_for_name_again() -> None:
    profile = Traveller(name="J. de Vries", department="Digitale Stad", user_ref="test:1")
    interview, reply = play(example_messages(until="name"), new_interview(profile=profile))
    assert interview.state == "review"
    assert reply.prompt is not None and "J. de Vries" in reply.prompt.text


def test_finished_interview_refuses_more_input() -> None:
    interview, _ = play(EXAMPLE_MESSAGES)
    reply = interview.handle("nog iets")
    assert "al verstuurd" in reply.messages[0]


MESSAGES = st.one_of(
    st.sampled_from(
        [
            "terug",
            "overslaan",
            "overzicht",
            "opnieuw",
            "annuleer",
            "help",
            "ja",
            "nee",
            "klopt",
            "ongewijzigd",
            "versturen",
            "wijzig:persons",
            "1",
            "3",
            "Wenen",
            "Parijs",
            "vliegtuig",
            "trein en bus",
            "27 april t/m 29 april",
            "",
            "   ",
            "{{ 7*7 }}",
            "🚆",
        ]
    ),
    st.text(max_size=40),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MESSAGES, max_size=25))
def test_random_messages_never_crash_and_state_round_trips(messages: list[str]) -> None:
    interview = new_interview()
    interview.start()
    for message in messages:
        reply = interview.handle(message)
        assert (
            reply.prompt is not None
            or reply.report is not None
            or reply.cancelled
            or reply.messages
        )
        copy = restored(interview)
        assert copy.state_data() == interview.state_data()
        if reply.cancelled or interview.finished:
            break
        interview = copy


def test_place_without_known_location_asks_for_the_km() -> None:
    interview, reply = play(["Xyzdorp, Duitsland", "27 april t/m 29 april", "1", "auto"])
    if interview.state == "fuel":
        interview, reply = play(["onbekend"], interview)
    assert interview.state == "legs"
    assert reply.prompt is not None and "kilometers" in reply.prompt.text
    assert not any(c.value == "klopt" for c in reply.prompt.choices)
    interview, reply = play(["klopt"], interview)
    assert interview.state == "legs", "there is no route to confirm"
    interview, reply = play(["auto 420 km retour"], interview)
    assert interview.state == "purpose"
    assert sum(leg.km for leg in interview.answers["legs"]) == pytest.approx(420, abs=1)


def test_route_description_can_add_a_mode() -> None:
    messages = [
        "Wenen",
        "27 april t/m 29 april",
        "1",
        "vliegtuig",
        "heen met de trein, terug met het vliegtuig",
    ]
    interview, _ = play(messages)
    rest = [
        "Doel",
        "Plek",
        "Functies",
        "Kennis",
        "nee",
        "A. Jansen",
        "Afdeling X",
        "versturen",
        "ja",
    ]
    _, reply = play(rest, interview)
    assert reply.report is not None
    assert reply.report.modes == [TransportMode.VLIEGTUIG, TransportMode.TREIN]
    assert {line.mode for line in reply.report.emissions} == {
        TransportMode.VLIEGTUIG,
        TransportMode.TREIN,
    }


def test_resuming_welcomes_back_at_the_same_question() -> None:
    interview, _ = play(["Wenen"])
    reply = restored(interview).start()
    assert reply.messages == ["Welkom terug! We gaan verder waar je was."]
    assert reply.prompt is not None and reply.prompt.key == "period"

"""Any sequence of messages and button presses keeps the interview consistent and alive."""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.dialogs import QUESTIONS, Interview, InterviewState, Reply
from tests.unit.test_interview import trip

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))

#: Realistic answers to every question, the hints the bot gives, and known troublemakers.
ANSWERS = [
    # destinations
    "Wenen", "Parijs", "Brussel en daarna Straatsburg", "Berlijn", "Londen", "Barcelona",
    "Den Haag – Brussel – Straatsburg – Den Haag", "Xyzdorp, Duitsland", "Springfield",
    "Wenen en Bratislava",
    # period
    "27 april t/m 29 april", "zondagavond 27 april t/m dinsdag 29 april", "5 t/m 3 maart 2025",
    "dinsdag 10 november t/m maandag 9 november", "maandagochtend t/m maandagmiddag",
    "gisteren", "1-5-2026 t/m 3-5-2026", "31 december t/m 2 januari", "zondag 27 april 2026",
    # persons
    "ik en 2 collega's", "0", "100", "🙂",
    # modes
    "vliegtuig", "trein", "trein en bus", "1, 3", "auto", "KLM", "nachttrein", "veerboot en auto",
    "hybride",
    # route
    "klopt", "heen met de trein, terug met het vliegtuig", "retour met het vliegtuig",
    "trein 850 km", "trein -5 km", "auto 420 km retour", "trein 99999 km", "vanaf RTM",
    "heen met de nachttrein, terug met KLM", "trein naar Brussel, daarna trein naar Straatsburg",
    "enkele reis", "met de auto naar Antwerpen, 2 auto's", "9,5", "7:30",
    # free text
    "Conferentie bijgewoond", "Het was goedkoper en sneller", "- kennis\n- contacten", "!!!",
    "12345", "x" * 3500, "A. Jansen", "Dienst Publiekszaken",
]  # fmt: skip
COMMANDS = [
    "terug", "overslaan", "overzicht", "help", "opnieuw", "annuleer", "ja", "nee",
    "ongewijzigd", "versturen", "ja, dat klopt", "1", "2", "3", "5", "9", "⓷", "⑨", "²", "٣",
    "/terug", "  ", "", "{{ 7*7 }}", "<b>x</b>",
    *(f"wijzig:{q.key}" for q in QUESTIONS),
]  # fmt: skip


def fresh() -> Interview:
    interview = Interview(trip(), NOW, user_ref="test:fuzz")
    interview.start()
    return interview


def round_trip(interview: Interview) -> Interview:
    """The interview after its state went through JSON (as every adapter stores it)."""
    data = interview.state_data()
    state = InterviewState.model_validate_json(data.model_dump_json())
    copy = Interview(trip(), NOW, state=state, user_ref="test:fuzz")
    assert copy.state_data() == data
    return copy


def check_consistent(interview: Interview, reply: Reply) -> None:
    """Answers, modes, route and report agree with each other."""
    assert reply.prompt is not None or reply.report is not None or reply.cancelled
    if reply.cancelled:
        assert interview.answers == {}
        return
    answers = interview.answers
    if "legs" in answers and "modes" in answers:
        assert set(answers["modes"]) == {leg.mode for leg in answers["legs"]}
    if interview.state == "review" or reply.report is not None:
        report = reply.report or interview.build_report()
        assert report.period == answers["period"]
        assert report.destinations == answers["destinations"]
        assert report.legs == answers["legs"]
        assert report.modes == answers["modes"]
        assert {line.mode for line in report.emissions} == set(report.modes)
        required = report.rail_check is not None and report.rail_check.justification_required
        assert (report.justification is not None) == required


def button_press(interview: Interview, rng: random.Random) -> str | None:
    """The value of a button the traveller could press now, if any."""
    prompt = interview.current_prompt()
    if prompt is None or not prompt.choices:
        return None
    return rng.choice(prompt.choices).value


def garbage(rng: random.Random) -> str:
    """Any Unicode: letters, digits of other scripts, emoji, controls, combining marks."""
    return "".join(
        chr(rng.choice([rng.randrange(32, 0x2FF), rng.randrange(0x300, 0xD7FF)]))
        if rng.random() < 0.9
        else rng.choice(["\n", "\t", "\u200b", "🙂", "⓷", "١"])
        for _ in range(rng.randrange(0, 30))
    )


def message(interview: Interview, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.35:
        return button_press(interview, rng) or rng.choice(ANSWERS)
    if roll < 0.7:
        return rng.choice(ANSWERS)
    if roll < 0.9:
        return rng.choice(COMMANDS)
    return garbage(rng)


def feed(messages: int, seed: int) -> dict[str, int]:
    """Send `messages` messages; restart on cancel or finish. Counts what happened."""
    rng = random.Random(seed)
    interview = fresh()
    counts = {"reports": 0, "cancelled": 0, "reviews": 0}
    for _ in range(messages):
        reply = interview.handle(message(interview, rng))
        check_consistent(interview, reply)
        interview = round_trip(interview)
        counts["reviews"] += interview.state == "review"
        if reply.report is not None or reply.cancelled:
            counts["reports" if reply.report is not None else "cancelled"] += 1
            interview = fresh()
    return counts


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(ANSWERS + COMMANDS), st.integers(0, 9)), max_size=40))
def test_any_sequence_of_messages_and_presses_stays_consistent(steps: list[str | int]) -> None:
    interview = fresh()
    for step in steps:
        if isinstance(step, int):  # a button: the step-th option shown now
            prompt = interview.current_prompt()
            if prompt is None or not prompt.choices:
                continue
            step = prompt.choices[step % len(prompt.choices)].value
        reply = interview.handle(step)
        check_consistent(interview, reply)
        interview = round_trip(interview)
        if reply.report is not None or reply.cancelled:
            interview = fresh()


def test_a_short_seeded_run_reaches_reports_and_reviews() -> None:
    counts = feed(3_000, seed=11)
    assert counts["reviews"] > 0 and counts["cancelled"] > 0


@pytest.mark.slow
def test_forty_thousand_messages_never_crash() -> None:
    # 40,000 rather than 100,000 since the English parsers and catalogues (about 1.4 ms a
    # message): CI stays well inside its 15 minutes. Raise it locally for a longer run.
    counts = feed(40_000, seed=20261201)
    assert counts["reports"] > 0 and counts["reviews"] > 100

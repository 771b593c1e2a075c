"""The 8-hour rule in the interview: borderline cases ask the traveller and keep both figures."""

from __future__ import annotations

from functools import cache

from bot.config import Settings
from bot.dialogs import Interview, Reply
from bot.telegram.delivery import secretariat_summary
from bot.travel import RailTime, TravelCalculator
from testkit.example_trip import EXAMPLE_NOW, PERIOD_TEXT, example_answers, example_messages

JUSTIFICATION = "Spoedoverleg over de overstroming: de crisisstaf vroeg ons dezelfde dag te komen."


@cache
def trip() -> TravelCalculator:
    """The real travel calculator with the default settings (Den Haag, 8 hours)."""
    return TravelCalculator.from_settings(Settings(_env_file=None))  # type: ignore[call-arg]


def play(messages: list[str]) -> tuple[Interview, Reply]:
    """A fresh interview on the example's date, fed these messages."""
    interview = Interview(trip(), EXAMPLE_NOW, user_ref="test:1")
    reply = interview.start()
    for message in messages:
        reply = interview.handle(message)
    return interview, reply


def _prompt(reply: Reply) -> str:
    assert reply.prompt is not None
    return reply.prompt.text


TOULOUSE = example_messages(until="rail_hours", answers=example_answers(destinations="Toulouse"))


def _network(city: str) -> RailTime:
    [place] = trip().resolve_places(city)
    return trip().rail_time(place)


def test_borderline_case_says_so_and_shows_the_route() -> None:
    _, reply = play(TOULOUSE)
    prompt = _prompt(reply)
    toulouse = _network("Toulouse")
    assert toulouse.minutes is not None and abs(toulouse.minutes - 480) <= 45
    assert "grensgeval" in prompt and toulouse.describe(8) in prompt
    assert "trein Den Haag – Rotterdam – Parijs-Noord – Parijs-Montparnasse – Toulouse" in prompt


def test_the_hint_typed_back_is_accepted() -> None:
    _, reply = play([*TOULOUSE, "8 u 30"])
    # Both figures are over 8 hours: no justification, the next question is the purpose.
    assert "doel van de reis" in _prompt(reply)


def test_a_shorter_figure_from_the_traveller_decides_and_both_are_kept() -> None:
    _, reply = play([*TOULOUSE, "7 u 50"])
    assert "Licht toe waarom het vliegtuig nodig was" in _prompt(reply)
    assert "volgens jouw opgave" in _prompt(reply)
    answers = example_answers(
        destinations="Toulouse", rail_hours="7 u 50", justification=JUSTIFICATION
    )
    _, reply = play(example_messages(answers=answers))
    report = reply.report
    assert report is not None and report.rail_check is not None
    check = report.rail_check
    assert check.justification_required and check.borderline
    assert check.traveller_hours is not None and round(check.traveller_hours * 60) == 470
    assert check.computed_hours == _network("Toulouse").hours
    summary = secretariat_summary(report)
    bot_figure = _network("Toulouse").describe(8)
    assert f"Toulouse: {bot_figure} volgens de bot, reiziger: 7 u 50 (grensgeval)" in summary


def test_a_clear_case_asks_nothing_extra() -> None:
    _, reply = play(["Bordeaux", PERIOD_TEXT, "1", "vliegtuig", "klopt"])
    prompt = _prompt(reply)
    assert "grensgeval" not in prompt
    bordeaux = _network("Bordeaux")
    assert bordeaux.minutes is not None and bordeaux.minutes < 480 - 45
    assert (
        f"Met de trein is dat {bordeaux.describe(8)}" in prompt and "Parijs-Montparnasse" in prompt
    )


class _CountingTrip(TravelCalculator):
    """The real calculator, counting the 8-hour checks the interview asks it for."""

    calls = 0

    def rail_check(self, destinations, legs):  # type: ignore[no-untyped-def]
        self.calls += 1
        return super().rail_check(destinations, legs)


def test_one_check_per_message_and_a_changed_route_is_checked_afresh() -> None:
    counting = _CountingTrip()
    interview = Interview(counting, EXAMPLE_NOW)
    reply = interview.start()
    for message in [*TOULOUSE, "terug", "trein"]:
        # As the chat adapter does: a new interview from the stored state for every message.
        interview = Interview(counting, EXAMPLE_NOW, state=interview.state_data())
        counting.calls = 0
        reply = interview.handle(message)
        assert counting.calls <= 1, message
        if message == TOULOUSE[-1]:
            assert "Toulouse" in _prompt(reply) and "grensgeval" in _prompt(reply)
    # Back at the route, the flight replaced by the train: the check follows the new route.
    assert "doel van de reis" in _prompt(reply)
    assert interview.context().rail_check() is None

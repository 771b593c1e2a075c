"""The golden example trip as a traveller types it, by question key: one script for every channel.

Tests pick messages by the question they answer (`example_messages(until="purpose")`,
`EXAMPLE_ANSWERS["results"]`), never by position, so a new question shifts none of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dialogs.machine import CONFIRM, REVIEW
from bot.dialogs.questions import QUESTIONNAIRE, Questionnaire
from testkit.example_report import EXAMPLE_FREE_TEXT

__all__ = [
    "EXAMPLE_ANSWERS",
    "EXAMPLE_MESSAGES",
    "EXAMPLE_NOW",
    "PERIOD_TEXT",
    "example_answers",
    "example_messages",
]

#: The day the traveller fills in the report: a few days after the trip.
EXAMPLE_NOW = datetime(2025, 5, 2, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
PERIOD_TEXT = "zondagavond 27 april t/m dinsdag 29 april"

#: What the traveller types at each question the example trip asks (a button's value is typed
#: as its text), then at the review and the confirmation. Questions that do not apply to
#: this trip (fuel, rail hours, justification) have no entry.
EXAMPLE_ANSWERS: dict[str, str] = {
    "destinations": "Wenen en Bratislava",
    "period": PERIOD_TEXT,
    "persons": "1",
    "modes": "vliegtuig",
    "legs": "klopt",
    "purpose": EXAMPLE_FREE_TEXT["purpose"],
    "locations": EXAMPLE_FREE_TEXT["locations"],
    "people_met": EXAMPLE_FREE_TEXT["people_met"],
    "results": EXAMPLE_FREE_TEXT["results"],
    "has_follow_up": "ja",
    "follow_up": EXAMPLE_FREE_TEXT["follow_up"],
    "name": "J. de Vries",
    "department": "Digitale Stad",
    REVIEW: "versturen",
    CONFIRM: "ja",
}


def example_answers(**changes: str | None) -> dict[str, str]:
    """The example trip's answers with some changed; None: the question is not asked."""
    answers = {**EXAMPLE_ANSWERS, **changes}
    return {key: text for key, text in answers.items() if text is not None}


def example_messages(
    *,
    start: str | None = None,
    until: str | None = None,
    answers: Mapping[str, str] = EXAMPLE_ANSWERS,
    questions: Questionnaire = QUESTIONNAIRE,
) -> list[str]:
    """The messages in the order the interview asks for them, from the question `start`
    (included) up to the question `until` (not included); `review` and `confirm` count as
    questions. A key of `answers` that no question has is a mistake, not ignored."""
    order = [*questions.keys(), REVIEW, CONFIRM]
    unknown = set(answers) - set(order)
    if unknown:
        raise KeyError(f"no question for answers {sorted(unknown)}")
    for key in (start, until):
        if key is not None and key not in order:
            raise KeyError(f"no question {key!r}")
    keys = [key for key in order if key in answers]
    first = order.index(start) if start else 0
    last = order.index(until) if until else len(order)
    return [answers[key] for key in keys if first <= order.index(key) < last]


#: The whole trip, from the first question to the confirming "ja".
EXAMPLE_MESSAGES: list[str] = example_messages()

"""Shared pieces of the fault drills: the bot as a killable process, the script, the checks."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.dialogs import Interview, InterviewState
from bot.report import Report
from testkit.bot_harness import travel_calculator
from testkit.example_trip import EXAMPLE_MESSAGES, PERIOD_TEXT
from testkit.fake_telegram import FakeTelegram, UserClient
from testkit.process import BotProcess

__all__ = [
    "DRILL_SCRIPT",
    "comparable",
    "drill_bot",
    "expected_report",
    "reply_ending_turn",
]

#: The example trip with the year spelled out: the bot process runs on today's clock.
DRILL_PERIOD = "zondagavond 27 april 2025 t/m dinsdag 29 april 2025"
DRILL_SCRIPT = ["/start", *(DRILL_PERIOD if m == PERIOD_TEXT else m for m in EXAMPLE_MESSAGES)]
_VOLATILE = {"report_id", "submitted_at", "created_at"}
DRILL_ENV = {
    "OUTBOX_INTERVAL_SECONDS": "0.2",
    "LOG_LEVEL": "WARNING",
    "LIMIT_MESSAGES_PER_MINUTE": "1000",  # drills answer at machine speed
}


def drill_bot(
    server: FakeTelegram, database: Path | str, log: Path | None = None, **env: str
) -> BotProcess:
    """`python -m bot bot` as the drills run it: a quick outbox, a quiet log, and a message
    limit above machine-speed answers."""
    return BotProcess(server, database, log=log, **{**DRILL_ENV, **env})


async def reply_ending_turn(user: UserClient, timeout: float = 30.0) -> None:
    """Read replies until the bot asks a question (bold text or buttons)."""
    while True:
        reply = await user.next_reply(timeout)
        if reply.event == "sent" and (reply.buttons or "<b>" in (reply.text or "")):
            return


def expected_report(user_ref: str) -> Report:
    """The report the pure interview makes of the drill script (no Telegram, no faults)."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    trip = travel_calculator(settings)
    now = datetime.now(ZoneInfo(settings.timezone))
    state: InterviewState | None = None
    reply = None
    for text in DRILL_SCRIPT:
        interview = Interview(
            trip,
            now,
            state=state or InterviewState(),
            profile=None,
            user_ref=user_ref,
        )
        reply = interview.start() if text == "/start" else interview.handle(text)
        state = interview.state_data()
    assert reply is not None and reply.report is not None
    return reply.report


def comparable(report: Report) -> dict[str, Any]:
    """The report's fields without the ones that differ per run (ids, timestamps)."""
    return {k: v for k, v in report.model_dump(mode="json").items() if k not in _VOLATILE}

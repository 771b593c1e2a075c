"""Shared pieces of the fault drills: the bot as a killable process, the script, the checks."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.dialogs import Interview, InterviewState
from bot.report import Report
from tests.example_trip import EXAMPLE_MESSAGES, PERIOD_TEXT
from tests.support.bot_harness import travel_calculator
from tests.support.fake_telegram import FakeTelegram, UserClient

__all__ = [
    "DRILL_SCRIPT",
    "BotProcess",
    "comparable",
    "expected_report",
    "reply_ending_turn",
]

ROOT = Path(__file__).resolve().parents[2]
#: The example trip with the year spelled out: the bot process runs on today's clock.
DRILL_PERIOD = "zondagavond 27 april 2025 t/m dinsdag 29 april 2025"
DRILL_SCRIPT = ["/start", *(DRILL_PERIOD if m == PERIOD_TEXT else m for m in EXAMPLE_MESSAGES)]
_VOLATILE = {"report_id", "submitted_at", "created_at"}


class BotProcess:
    """`python -m bot bot` against the fake server, started and killed with -9 at will."""

    def __init__(
        self, server: FakeTelegram, database: Path | str, log: Path | None = None, **env: str
    ) -> None:
        """Remember the environment that points the bot at the fake and the database (a SQLite
        file, or a URL); `log` receives the process's stderr."""
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": server.token,
            "TELEGRAM_API_BASE_URL": server.base_url,
            "TELEGRAM_API_FILE_URL": server.base_file_url,
            "DATABASE_URL": database if isinstance(database, str) else f"sqlite:///{database}",
            "OUTBOX_INTERVAL_SECONDS": "0.2",
            "LOG_LEVEL": "WARNING",
            "LIMIT_MESSAGES_PER_MINUTE": "1000",  # drills answer at machine speed
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log = log

    def start(self) -> None:
        """Launch the bot process."""
        stderr = self.log.open("ab") if self.log is not None else subprocess.DEVNULL
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "bot"],
                env=self.env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        finally:
            if self.log is not None:
                stderr.close()  # type: ignore[union-attr]

    def kill(self) -> None:
        """kill -9 and reap."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        """Terminate politely (used at the end of a drill)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


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
            threshold_hours=settings.rail_threshold_hours,
        )
        reply = interview.start() if text == "/start" else interview.handle(text)
        state = interview.state_data()
    assert reply is not None and reply.report is not None
    return reply.report


def comparable(report: Report) -> dict[str, Any]:
    """The report's fields without the ones that differ per run (ids, timestamps)."""
    return {k: v for k, v in report.model_dump(mode="json").items() if k not in _VOLATILE}

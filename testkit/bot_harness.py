"""Runs the real reisverslag Telegram application against the fake Bot API server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.config import Settings
from bot.store import Store
from bot.telegram import build_application
from bot.telegram.app import metrics_of
from bot.travel import TravelCalculator
from testkit.fake_telegram import FakeTelegram

__all__ = ["RunningBot", "fast_retry", "running_bot", "shifted_clock", "travel_calculator"]

TRAVELLER_ID = 42
SECRETARIAT_ID = -1001234567890
#: Users who may act for the secretariat in tests (approve, export, announce on behalf).
SECRETARIAT_STAFF = [5, 7]


def shifted_clock(now: datetime) -> Callable[[], datetime]:
    """A clock that starts at `now` and runs at real speed (retries still come due)."""
    offset = now - datetime.now(now.tzinfo)
    return lambda: datetime.now(now.tzinfo) + offset


def fast_retry(attempts: int, retry_after: float | None) -> float:
    """Outbox backoff for tests: honour retry_after, otherwise retry almost at once."""
    return retry_after if retry_after is not None else 0.05


_TRIP: TravelCalculator | None = None


def travel_calculator(settings: Settings) -> TravelCalculator:
    """The real travel calculator (its data loads once per test session)."""
    global _TRIP
    if _TRIP is None:
        _TRIP = TravelCalculator.from_settings(settings)
    return _TRIP


@dataclass
class RunningBot:
    """The application under test with its store and settings."""

    application: Application[Any, Any, Any, Any, Any, Any]
    store: Store
    settings: Settings

    def updates_handled(self) -> int:
        """How many updates the bot has handled (replies sent), from its own metrics."""
        registry = metrics_of(self.application).registry
        return int(registry.get_sample_value("reisverslag_updates_handled_total") or 0)

    async def handled_everything(self, server: FakeTelegram, timeout: float = 10.0) -> None:
        """Wait until the bot has handled every update the server ever queued, and the server
        is idle: after this, a reply that has not come will not come (no quiet period bet)."""
        async with asyncio.timeout(timeout):
            while self.updates_handled() < server.updates_queued:
                await asyncio.sleep(0.01)
        await server.wait_idle()


def bot_settings(server: FakeTelegram, database: Path, **overrides: Any) -> Settings:
    """Settings pointing the bot at the fake server and a SQLite file."""
    values: dict[str, Any] = {
        "telegram_bot_token": server.token,
        "telegram_api_base_url": server.base_url,
        "telegram_api_file_url": server.base_file_url,
        "allowed_user_ids": [TRAVELLER_ID],
        "secretariat_chat_id": SECRETARIAT_ID,
        "secretariat_user_ids": SECRETARIAT_STAFF,
        "database_url": f"sqlite:///{database}",
        "outbox_interval_seconds": 0.2,
        # Tests answer at machine speed: whole interviews within a minute. The per-person
        # limit is tested on its own (tests/e2e/test_access.py) with a low value.
        "limit_messages_per_minute": 1000,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@asynccontextmanager
async def running_bot(
    server: FakeTelegram,
    database: Path,
    now: datetime | Callable[[], datetime],
    *,
    webhook: dict[str, Any] | None = None,
    **overrides: Any,
) -> AsyncIterator[RunningBot]:
    """Start the bot (long polling, or a webhook) and stop it cleanly afterwards.

    `now` is either the moment the bot's clock starts at (it then runs at real speed) or a
    clock the test sets by hand."""
    settings = bot_settings(server, database, **overrides)
    store = Store.open(settings.database_url)
    application = build_application(
        settings,
        store,
        travel_calculator(settings),
        now if callable(now) else shifted_clock(now),
        retry_delay=fast_retry,
    )
    await application.initialize()
    if application.post_init is not None:  # run_polling/run_webhook do this in production
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    if webhook:
        await application.updater.start_webhook(**webhook)
    else:
        await application.updater.start_polling(poll_interval=0, timeout=timedelta(seconds=1))
    try:
        yield RunningBot(application, store, settings)
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:  # run_polling/run_webhook do this too
            await application.post_shutdown(application)
        store.close()

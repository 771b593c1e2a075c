"""Drill: kill -9 the bot at 20 random points of the example interview; nothing typed is lost."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from bot.store import Store
from testkit.fake_telegram import FakeTelegram
from tests.drills.support import (
    DRILL_SCRIPT,
    comparable,
    drill_bot,
    expected_report,
    reply_ending_turn,
)

pytestmark = [pytest.mark.slow, pytest.mark.asyncio]

TRAVELLER = 42
KILLS = 20


async def test_killed_twenty_times_the_traveller_finishes_with_every_answer(
    tmp_path: Path,
) -> None:
    rng = random.Random(7)
    # Which message each kill follows (some messages see several kills), and how long after.
    kills = sorted(rng.randrange(len(DRILL_SCRIPT)) for _ in range(KILLS))
    database = tmp_path / "bot.sqlite3"
    async with FakeTelegram() as server:
        bot = drill_bot(server, database, ALLOWED_USER_IDS=str(TRAVELLER))
        jan = server.user(TRAVELLER, "Jan")
        bot.start()
        try:
            for index, text in enumerate(DRILL_SCRIPT):
                await jan.send(text)
                for _ in range(kills.count(index)):
                    await asyncio.sleep(rng.uniform(0.0, 0.4))  # mid-handling, or after
                    bot.kill()
                    bot.start()
                await reply_ending_turn(jan, timeout=60)  # the answer to `text`, before or after
            await _wait_for_report(database)
        finally:
            bot.stop()
    store = Store.open(f"sqlite:///{database}")
    try:
        reports = store.reports.of_traveller(f"telegram:{TRAVELLER}")
        assert len(reports) == 1
        assert comparable(reports[0]) == comparable(expected_report(f"telegram:{TRAVELLER}"))
        assert store.drafts.load(f"telegram:{TRAVELLER}") is None
    finally:
        store.close()


async def _wait_for_report(database: Path) -> None:
    """Poll the store (another process writes it) until the report is there."""
    for _ in range(200):
        store = Store.open(f"sqlite:///{database}")
        try:
            if store.reports.of_traveller(f"telegram:{TRAVELLER}"):
                return
        finally:
            store.close()
        await asyncio.sleep(0.1)

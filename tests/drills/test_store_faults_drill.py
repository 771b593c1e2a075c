"""Drill: the database locked or the disk full while a traveller's answer is saved."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bot.store import StoreUnavailable
from testkit.bot_harness import TRAVELLER_ID, RunningBot, running_bot
from testkit.example_trip import EXAMPLE_ANSWERS, EXAMPLE_NOW, example_messages
from testkit.fake_telegram import FakeTelegram, UserClient

pytestmark = [pytest.mark.slow, pytest.mark.asyncio]

USER_REF = f"telegram:{TRAVELLER_ID}"


async def _question(user: UserClient) -> str:
    """The next question the bot asks (its plain text)."""
    while True:
        reply = await user.next_reply(30)
        if reply.event == "sent" and (reply.buttons or "<b>" in (reply.text or "")):
            return reply.plain_text


async def _refused(user: UserClient) -> str:
    """The next plain message (the store's Dutch error)."""
    reply = await user.next_reply(30)
    return reply.plain_text


async def _first_answers(
    bot: RunningBot, jan: UserClient, until: str = "persons"
) -> dict[str, Any]:
    """/start and the answers before the question `until`; the stored draft state afterwards."""
    await jan.send("/start")
    await _question(jan)
    for text in example_messages(until=until):
        await jan.send(text)
        await _question(jan)
    draft = bot.store.drafts.load(USER_REF)
    assert draft is not None
    return draft.state


async def test_locked_database_tells_the_traveller_and_keeps_the_draft(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    async with FakeTelegram() as server, running_bot(server, database, EXAMPLE_NOW) as bot:
        jan = server.user(TRAVELLER_ID, "Jan")
        before = await _first_answers(bot, jan)
        locker = sqlite3.connect(database, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            await jan.send(EXAMPLE_ANSWERS["persons"])
            assert await _refused(jan) == StoreUnavailable().message
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        draft = bot.store.drafts.load(USER_REF)
        assert draft is not None and draft.state == before
        await jan.send(EXAMPLE_ANSWERS["persons"])
        assert "vervoer" in (await _question(jan)).lower()
        after = bot.store.drafts.load(USER_REF)
        assert after is not None and after.state != before


async def test_full_disk_tells_the_traveller_and_keeps_the_draft(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    async with FakeTelegram() as server, running_bot(server, database, EXAMPLE_NOW) as bot:
        jan = server.user(TRAVELLER_ID, "Jan")
        before = await _first_answers(bot, jan, "purpose")
        filler = sqlite3.connect(database, isolation_level=None)
        filler.execute("CREATE TABLE drill_filler (blob BLOB)")
        pages = filler.execute("PRAGMA page_count").fetchone()[0]

        @event.listens_for(bot.store.engine, "connect")
        def _cap_size(dbapi_connection: Any, _record: Any) -> None:
            """No room to grow, as on a full disk."""
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

        bot.store.engine.dispose()
        filler.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(sqlite3.OperationalError, match="full"):
            while True:  # use up the free pages too
                filler.execute("INSERT INTO drill_filler VALUES (zeroblob(512))")
        try:  # a long purpose needs a new page: there is none
            await jan.send((EXAMPLE_ANSWERS["purpose"] + " ") * 10)
            assert await _refused(jan) == StoreUnavailable().message
            draft = bot.store.drafts.load(USER_REF)
            assert draft is not None and draft.state == before
        finally:
            filler.execute("DROP TABLE drill_filler")
            filler.close()
        event.remove(bot.store.engine, "connect", _cap_size)
        bot.store.engine.dispose()
        await jan.send(EXAMPLE_ANSWERS["purpose"])
        assert "locaties" in (await _question(jan)).lower()

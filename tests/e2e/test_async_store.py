"""The one async facade: no store statement of a conversation runs on the event loop, not
even the Telegram update pipeline's (inbox, processed updates).

A whole report through the real Telegram stack, with every SQL statement the bot's engine
executes recorded with the thread it ran on. Statements on the event loop's thread would
make every other traveller wait for this one's disk.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from testkit.bot_harness import SECRETARIAT_ID, TRAVELLER_ID, running_bot
from testkit.conversation import answer, documents, reply_containing, reply_with_buttons
from testkit.example_trip import EXAMPLE_MESSAGES, EXAMPLE_NOW
from testkit.fake_telegram import FakeTelegram

pytestmark = pytest.mark.asyncio


async def test_no_statement_of_a_whole_report_runs_on_the_event_loop(tmp_path: Path) -> None:
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "bot.sqlite3", EXAMPLE_NOW) as bot,
    ):
        loop_thread = threading.get_ident()
        on_loop: list[str] = []
        elsewhere: list[str] = []

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            (on_loop if threading.get_ident() == loop_thread else elsewhere).append(statement)

        event.listen(bot.store.engine, "before_cursor_execute", record)
        server.group(SECRETARIAT_ID, "Secretariaat")
        jan = server.user(user_id=TRAVELLER_ID, first_name="Jan")
        await jan.send("/start")
        await reply_with_buttons(jan)
        for text in EXAMPLE_MESSAGES[:-2]:
            await answer(jan, text)
        await jan.click("✅ Versturen")
        await reply_with_buttons(jan)
        await jan.click("✅ Ja, versturen")
        await documents(server, TRAVELLER_ID, 2)
        await jan.send("/mijnverslagen")
        listing = await reply_containing(jan, "Je verslagen")
        await jan.click(listing.buttons[0], message=listing)
        await documents(server, TRAVELLER_ID, 4)
        event.remove(bot.store.engine, "before_cursor_execute", record)

    assert any("INSERT INTO reports" in s for s in elsewhere)  # the recorder saw the finish
    assert any("drafts" in s for s in elsewhere)
    assert any("INSERT INTO inbox" in s for s in elsewhere)  # the update pipeline too
    assert on_loop == []

"""The running bot keeps travellers' drafts in memory; a change made by another process on the
same database (an erasure from the command line, another instance) must win over that copy."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, event

from bot.store import Store
from bot.store.health import delivery_backlog
from bot.store.privacy import erase_personal_data
from bot.telegram.traveller import NO_DRAFT
from testkit.bot_harness import SECRETARIAT_ID, TRAVELLER_ID, running_bot
from testkit.conversation import answer, reply_containing, reply_with_buttons
from testkit.example_trip import EXAMPLE_MESSAGES, EXAMPLE_NOW
from testkit.fake_telegram import FakeTelegram, UserClient

TRAVELLER_REF = f"telegram:{TRAVELLER_ID}"


async def begin(server: FakeTelegram) -> UserClient:
    server.group(SECRETARIAT_ID, "Secretariaat")
    jan = server.user(user_id=TRAVELLER_ID, first_name="Jan")
    await jan.send("/start")
    await reply_with_buttons(jan)
    return jan


async def test_an_answer_builds_on_the_draft_as_stored_not_on_the_cached_copy(
    tmp_path: Path,
) -> None:
    database = tmp_path / "bot.sqlite3"
    async with FakeTelegram() as server, running_bot(server, database, EXAMPLE_NOW) as bot:
        jan = await begin(server)
        after_destination = await answer(jan, EXAMPLE_MESSAGES[0])
        earlier = bot.store.drafts.load(TRAVELLER_REF)
        assert earlier is not None
        after_period = await answer(jan, EXAMPLE_MESSAGES[1])
        assert after_period.plain_text != after_destination.plain_text
        # Another process puts the draft back to before the period was given.
        with Store.open(f"sqlite:///{database}") as other:
            other.drafts.save(TRAVELLER_REF, earlier.state)
        # The traveller gives the period again: it answers the period question once more
        # (the cached copy, already past it, would have taken it for the next question).
        again = await answer(jan, EXAMPLE_MESSAGES[1])
        assert again.plain_text == after_period.plain_text
        draft = bot.store.drafts.load(TRAVELLER_REF)
        assert draft is not None
        answers = draft.state["interview"]["answers"]
        assert "period" in answers and "persons" not in answers


async def test_a_draft_erased_elsewhere_is_not_sent_as_a_report(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    async with FakeTelegram() as server, running_bot(server, database, EXAMPLE_NOW) as bot:
        jan = await begin(server)
        for text in EXAMPLE_MESSAGES[:-1]:
            await answer(jan, text)
        with Store.open(f"sqlite:///{database}") as other:  # `reisverslag gegevens --verwijder`
            erased = erase_personal_data(other, TRAVELLER_REF, TRAVELLER_ID, EXAMPLE_NOW)
            assert erased.drafts == 1
        await jan.send(EXAMPLE_MESSAGES[-1])  # the final 'send it'
        await reply_containing(jan, NO_DRAFT)
        assert bot.store.reports.all() == []
        assert delivery_backlog(bot.store, EXAMPLE_NOW).outbox_waiting == 0


def transactions_of(engine: Engine) -> list[list[str]]:
    """The statements the engine runs from now on, one list per transaction."""
    transactions: list[list[str]] = []
    event.listen(engine, "begin", lambda _connection: transactions.append([]))
    event.listen(
        engine,
        "before_cursor_execute",
        lambda _c, _cursor, statement, *_: (
            transactions[-1].append(statement) if transactions else None
        ),
    )
    return transactions


async def test_after_a_restart_one_read_brings_back_draft_language_and_profile(
    tmp_path: Path,
) -> None:
    database = tmp_path / "bot.sqlite3"
    async with FakeTelegram() as server:
        async with running_bot(server, database, EXAMPLE_NOW):
            jan = await begin(server)
            await jan.send("/taal en")
            await reply_containing(jan, "I'll speak English with you now.")
        async with running_bot(server, database, EXAMPLE_NOW) as bot:
            transactions = transactions_of(bot.store.engine)
            reply = await answer(jan, "Vienna and Bratislava")
            # The draft was read back (the next question), and the /taal choice with it.
            assert "When was the trip?" in reply.plain_text
            [first_look] = [t for t in transactions if any("FROM drafts" in s for s in t)]
            assert any("FROM traveller_languages" in s for s in first_look)
            assert any("FROM travellers" in s for s in first_look)
            assert not any(
                "FROM traveller_languages" in s
                for t in transactions
                if t is not first_look
                for s in t
            )

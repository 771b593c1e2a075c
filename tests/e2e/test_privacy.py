"""AVG through the real bot and the fake Bot API: /mijngegevens, /verwijder, retention warnings
and deletion, and DEBUG logs without what travellers typed."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from unittest.mock import ANY

import pytest

from bot.logging_setup import CONTENT_LOGGERS, configure_logging
from bot.report import TITLE
from bot.store import AccessAction
from bot.telegram.privacy import sweep
from bot.telegram.services import Services
from bot.telegram.store import TelegramStore
from testkit.bot_harness import SECRETARIAT_ID, TRAVELLER_ID, running_bot
from testkit.conversation import answer, documents, reply_containing, reply_with_buttons
from testkit.example_trip import EXAMPLE_ANSWERS, EXAMPLE_NOW, example_messages
from testkit.fake_telegram import FakeTelegram, UserClient

pytestmark = pytest.mark.asyncio
TRAVELLER_REF = f"telegram:{TRAVELLER_ID}"


async def begin(server: FakeTelegram) -> UserClient:
    """The secretariat chat exists; the traveller starts and sees the first question."""
    server.group(SECRETARIAT_ID, "Secretariaat")
    jan = server.user(user_id=TRAVELLER_ID, first_name="Jan", username="jandevries")
    await jan.send("/start")
    await reply_with_buttons(jan)
    return jan


async def report_and_start_another(server: FakeTelegram, jan: UserClient) -> None:
    """Send the example report, then begin a second one and answer its first question."""
    for text in example_messages(until="confirm"):
        await jan.send(text)
        await reply_with_buttons(jan)
    await jan.send(EXAMPLE_ANSWERS["confirm"])
    # Read the form's chat summary too: left unread, its bold headings would pass for the next
    # question and every later reply would be read one message early (a race with /verwijder).
    await reply_containing(jan, TITLE)
    await documents(server, TRAVELLER_ID, 2)
    await jan.send("/nieuw")
    await reply_with_buttons(jan)
    await answer(jan, "Lissabon")


async def my_data(server: FakeTelegram, jan: UserClient) -> dict[str, object]:
    """Ask /mijngegevens and read the JSON file the bot sends."""
    await jan.send("/mijngegevens")
    while True:
        reply = await jan.next_reply(10)
        if reply.document is not None and reply.document.filename.startswith("mijngegevens"):
            break
    assert reply.document.filename.endswith(".json")
    assert "/verwijder" in (reply.caption or "")
    data: dict[str, object] = json.loads(reply.document.data)
    return data


async def test_my_data_sends_everything_stored_about_me_and_nothing_of_others(
    tmp_path: Path,
) -> None:
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "b.sqlite3", EXAMPLE_NOW) as bot,
    ):
        jan = await begin(server)
        await report_and_start_another(server, jan)
        bot.store.profiles.audit("telegram:77", AccessAction.GRANTED, None)
        piet = server.user(user_id=77, first_name="Piet")
        await piet.send("/start")
        await reply_with_buttons(piet)
        await answer(piet, "Oslo")

        data = await my_data(server, jan)
        text = json.dumps(data, ensure_ascii=False)
        assert data["account"]["name"] == "J. de Vries"  # type: ignore[index]
        assert data["account"]["department"] == "Digitale Stad"  # type: ignore[index]
        [report] = data["reports"]  # type: ignore[misc]
        assert (
            report["payload"]["purpose"] == bot.store.reports.of_traveller(TRAVELLER_REF)[0].purpose
        )
        assert "Lissabon" in json.dumps(data["draft"], ensure_ascii=False)
        assert [u["username"] for u in data["telegram_usernames"]] == ["jandevries"]  # type: ignore[attr-defined]
        assert data["messages_queued_or_recently_sent"]
        assert "Oslo" not in text and "Piet" not in text


async def test_erase_needs_confirmation_and_keeps_the_report_only_anonymised(
    tmp_path: Path,
) -> None:
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "b.sqlite3", EXAMPLE_NOW) as bot,
    ):
        jan = await begin(server)
        await report_and_start_another(server, jan)
        report_id = bot.store.reports.of_traveller(TRAVELLER_REF)[0].report_id

        await jan.send("/verwijder")
        question = await reply_containing(jan, "Wil je dat ik je gegevens verwijder")
        assert question.buttons == ["Ja, verwijder", "Nee, laat staan"]
        await jan.click("Nee, laat staan", message=question)
        assert "niets verwijderd" in (await jan.next_reply()).plain_text
        assert bot.store.drafts.load(TRAVELLER_REF) is not None

        # Someone else's forged "yes" for Jan does nothing.
        mallory = server.user(user_id=66, first_name="Mallory")
        bot.store.profiles.audit(
            "telegram:66", AccessAction.GRANTED, None
        )  # even a traveller with access
        forged = {
            "id": "forged",
            "from": mallory.user,
            "chat_instance": "m",
            "data": f"avg|{TRAVELLER_ID}|ja",
            "message": question.to_api(mallory.chat.chat, server.bot_user),
        }
        server.callback_queries["forged"] = forged
        await server.push_update({"callback_query": forged})
        await server.wait_for_call(
            "answerCallbackQuery",
            where=lambda call: call.params.get("callback_query_id") == "forged",
        )
        assert bot.store.drafts.load(TRAVELLER_REF) is not None
        assert bot.store.profiles.profile(TRAVELLER_REF) is not None

        await jan.send("/verwijder")
        question = await reply_containing(jan, "Wil je dat ik je gegevens verwijder")
        await jan.click("Ja, verwijder", message=question)
        done = await jan.next_reply()
        assert "Je gegevens zijn verwijderd" in done.plain_text
        assert "1 verstuurd(e) verslag(en) blijven in het register" in done.plain_text

        assert bot.store.drafts.load(TRAVELLER_REF) is None
        assert bot.store.profiles.profile(TRAVELLER_REF) is None
        assert TelegramStore(bot.store).user_id_for_username("jandevries") is None
        kept = bot.store.reports.get(report_id)
        assert kept is not None and kept.traveller.name == "J. de Vries"
        assert kept.traveller.user_ref == ""
        data = await my_data(server, jan)
        left = json.dumps(data, ensure_ascii=False)
        assert "de Vries" not in left and "Lissabon" not in left
        # Writing again records the @username again (the secretariat's /reis @naam needs it).
        assert data["telegram_usernames"] == [
            {"username": "jandevries", "telegram_user_id": 42, "updated_at": ANY}
        ]
        await jan.send("/mijnverslagen")
        assert "nog geen verslagen" in (await jan.next_reply()).plain_text
        # A new report asks for name and department again: nothing was kept in memory either.
        messages = example_messages(until="name")
        await jan.send("/nieuw")
        await reply_with_buttons(jan)
        for text in messages:
            question_after = await answer(jan, text)
        assert "naam" in question_after.plain_text.lower()


class HandClock:
    """A clock the test moves forward by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def test_idle_draft_warning_first_then_deletion(tmp_path: Path) -> None:
    clock = HandClock(EXAMPLE_NOW)
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "b.sqlite3", clock) as bot,
    ):
        svc: Services = bot.application.bot_data["services"]
        jan = await begin(server)
        await answer(jan, "Wenen")
        clock.now = EXAMPLE_NOW + timedelta(days=82)
        await asyncio.to_thread(sweep, svc)
        assert bot.store.drafts.load(TRAVELLER_REF) is not None
        clock.now = EXAMPLE_NOW + timedelta(days=83, hours=1)
        await asyncio.to_thread(sweep, svc)
        assert svc.outbox is not None
        svc.outbox.kick()
        warning = await reply_containing(jan, "Je onafgemaakte verslag ligt stil sinds")
        assert "02-05-2025" in warning.plain_text and "31-07-2025" in warning.plain_text
        clock.now = EXAMPLE_NOW + timedelta(days=90, hours=1)
        await asyncio.to_thread(sweep, svc)
        assert bot.store.drafts.load(TRAVELLER_REF) is None
        await jan.send("/start")
        first = await reply_with_buttons(jan)
        assert "Waar ben je naartoe geweest" in first.plain_text or "Vraag 1" in first.plain_text


async def test_idle_draft_warning_is_in_the_travellers_language(tmp_path: Path) -> None:
    clock = HandClock(EXAMPLE_NOW)
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "b.sqlite3", clock) as bot,
    ):
        svc: Services = bot.application.bot_data["services"]
        jan = server.user(user_id=TRAVELLER_ID, first_name="Jan", language_code="en-GB")
        await jan.send("/start")
        await reply_with_buttons(jan)
        await jan.send("/taal en")  # stored: the sweep reads the traveller's chosen language
        assert "Where did you travel to?" in (await reply_with_buttons(jan)).plain_text
        await answer(jan, "Vienna")
        clock.now = EXAMPLE_NOW + timedelta(days=83, hours=1)
        await asyncio.to_thread(sweep, svc)
        assert svc.outbox is not None
        svc.outbox.kick()
        warning = await reply_containing(jan, "Your unfinished report has not been touched since")
        assert "02-05-2025" in warning.plain_text and "from 31-07-2025" in warning.plain_text
        assert "Type /start to carry on" in warning.plain_text


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in CONTENT_LOGGERS}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, value in levels.items():
        logging.getLogger(name).setLevel(value)


@pytest.mark.parametrize("enabled", [False, True])
async def test_debug_logging_leaves_out_what_travellers_type_unless_enabled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], restore_logging: None, enabled: bool
) -> None:
    configure_logging("DEBUG", [], log_update_contents=enabled)
    secret = "Zanzibar-Geheimstraat"
    async with FakeTelegram() as server, running_bot(server, tmp_path / "b.sqlite3", EXAMPLE_NOW):
        jan = await begin(server)
        await answer(jan, secret)
    logged = capsys.readouterr().err
    assert logging.getLogger("bot.telegram").isEnabledFor(logging.DEBUG)
    assert (secret in logged) is enabled

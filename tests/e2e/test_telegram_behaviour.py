"""The Telegram channel under real conditions: restarts, stale buttons, strangers, groups, faults."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.store import AccessAction, Store
from bot.store.health import delivery_backlog
from bot.telegram.store import TelegramStore
from testkit.bot_harness import SECRETARIAT_ID, TRAVELLER_ID, running_bot
from testkit.conversation import answer, documents, reply_containing, reply_with_buttons
from testkit.example_trip import EXAMPLE_ANSWERS, EXAMPLE_NOW, example_messages
from testkit.fake_telegram import FakeTelegram, UserClient
from testkit.ptb import free_port

pytestmark = pytest.mark.asyncio
TRAVELLER_REF = f"telegram:{TRAVELLER_ID}"


async def begin(server: FakeTelegram) -> UserClient:
    """The secretariat chat exists; the traveller starts and sees the first question."""
    server.group(SECRETARIAT_ID, "Secretariaat")
    jan = server.user(user_id=TRAVELLER_ID, first_name="Jan")
    await jan.send("/start")
    await reply_with_buttons(jan)
    return jan


async def until_confirmation(jan: UserClient) -> None:
    """Answer the example up to the final 'send it?' question."""
    for text in example_messages(until="confirm"):
        await answer(jan, text)


async def test_restart_in_the_middle_continues_at_the_same_question(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    async with FakeTelegram() as server:
        async with running_bot(server, database, EXAMPLE_NOW):
            jan = await begin(server)
            for text in example_messages(until="modes"):
                question = await answer(jan, text)
            assert "Met welk vervoer" in question.plain_text
        async with running_bot(server, database, EXAMPLE_NOW) as bot:
            await jan.send("/start")
            again = await reply_with_buttons(jan)
            assert "Met welk vervoer" in again.plain_text
            question = await answer(jan, "vliegtuig")
            assert "route" in question.plain_text
            state = bot.store.drafts.load(TRAVELLER_REF)
            assert state is not None
            answers = state.state["interview"]["answers"]
            assert set(answers) >= {"destinations", "period", "persons", "modes"}


async def test_button_of_an_earlier_question_shows_where_we_are(tmp_path: Path) -> None:
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "b.sqlite3", EXAMPLE_NOW) as bot,
    ):
        jan = await begin(server)
        await answer(jan, "Wenen")
        persons = await answer(jan, "27 april t/m 29 april")
        assert "Met hoeveel personen" in persons.plain_text
        await jan.click("2", message=persons)
        edited = await jan.next_reply()
        assert edited.event == "edited" and "➡️ 2" in edited.plain_text and not edited.buttons
        modes = await reply_with_buttons(jan)
        assert "Met welk vervoer" in modes.plain_text
        # The keyboard is gone from the chat, but a slow client can still send the old button:
        # that keyboard was used, so the press is only acknowledged.
        late = await jan.click("1", message=persons)
        await bot.handled_everything(server)
        assert "al verwerkt" in (server.callback_answers[late].get("text") or "")
        assert jan.pending_replies() == []
        # A keyboard of an earlier question that was never used shows where we are now.
        await jan.send("overzicht")
        again = await reply_with_buttons(jan)
        assert "Met welk vervoer" in again.plain_text
        await answer(jan, "vliegtuig")
        await jan.click("Bus", message=again)
        here = await reply_with_buttons(jan)
        assert "route" in here.plain_text
        answers = [a.get("text") or "" for a in server.callback_answers.values()]
        assert any("eerdere vraag" in text for text in answers)


async def test_multi_choice_toggles_and_done(tmp_path: Path) -> None:
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "b.sqlite3", EXAMPLE_NOW) as bot,
    ):
        jan = await begin(server)
        for text in example_messages(until="modes"):
            modes = await answer(jan, text)
        await jan.click("Trein", message=modes)
        toggled = await jan.next_reply()
        assert "✅ Trein" in toggled.buttons
        await jan.click("Bus", message=modes)
        await jan.next_reply()
        await jan.click("Klaar", message=modes)
        shown = await jan.next_reply()
        assert "➡️ Trein, Bus" in shown.plain_text
        route = await reply_with_buttons(jan)
        assert "route" in route.plain_text
        draft = bot.store.drafts.load(TRAVELLER_REF)
        assert draft is not None and draft.state["interview"]["answers"]["modes"] == [
            "trein",
            "bus",
        ]


async def test_unknown_user_asks_access_and_the_secretariat_approves(tmp_path: Path) -> None:
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "b.sqlite3", EXAMPLE_NOW) as bot,
    ):
        secretariat = server.group(SECRETARIAT_ID, "Secretariaat")
        piet = server.user(user_id=77, first_name="Piet", username="piet")
        await piet.send("Hallo")
        assert "geen toegang" in (await piet.next_reply()).plain_text
        await piet.send("/start")
        assert "secretariaat" in (await piet.next_reply()).plain_text
        request = await server.watch(SECRETARIAT_ID, from_start=True).next_reply()
        assert "Piet" in request.plain_text and request.buttons == ["Toestaan", "Weigeren"]
        await piet.send("/nieuw")  # one reply per period to people without access
        await bot.handled_everything(server)
        assert piet.pending_replies() == []

        clerk = server.user(user_id=5, first_name="Clerk").in_chat(secretariat)
        await clerk.click("Toestaan", message=request)
        assert "nu toegang" in (await piet.next_reply()).plain_text
        await piet.send("/start")
        first = await reply_with_buttons(piet)
        assert "Waar ging de reis naartoe" in first.plain_text


async def test_group_chats_get_no_interview(tmp_path: Path) -> None:
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "b.sqlite3", EXAMPLE_NOW) as bot,
    ):
        other = server.group(-1009999999999, "Borrel")
        secretariat = server.group(SECRETARIAT_ID, "Secretariaat")
        jan = server.user(user_id=TRAVELLER_ID, first_name="Jan")
        await jan.in_chat(other).send("/start")
        await jan.in_chat(secretariat).send("/nieuw")
        await jan.in_chat(other).send("Wenen")
        await bot.handled_everything(server)
        assert server.messages(other.id) == []
        assert server.messages(secretariat.id) == []
        assert bot.store.drafts.load(TRAVELLER_REF) is None


async def test_photos_stickers_and_edits_get_a_dutch_reply_and_the_question(tmp_path: Path) -> None:
    async with FakeTelegram() as server, running_bot(server, tmp_path / "b.sqlite3", EXAMPLE_NOW):
        jan = await begin(server)
        await jan.send_photo()
        reply = (await jan.next_reply()).plain_text
        assert "alleen tekst" in reply and "Waar ging de reis naartoe" in reply
        await jan.send_sticker()
        reply = (await jan.next_reply()).plain_text
        assert "alleen tekst" in reply and "Waar ging de reis naartoe" in reply
        sent = await jan.send("Wenen")
        await reply_with_buttons(jan)
        await jan.edit(sent, "Parijs")
        assert "aangepast" in (await jan.next_reply()).plain_text
        await jan.send("x" * 4000)
        refusal = await jan.next_reply()
        assert refusal.plain_text, "a long wrong answer gets a message, not a crash"


async def test_delivery_survives_429_and_500_and_sends_each_document_once(tmp_path: Path) -> None:
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "b.sqlite3", EXAMPLE_NOW) as bot,
    ):
        jan = await begin(server)
        await until_confirmation(jan)
        server.faults.retry_after("sendDocument", seconds=1, times=1)
        server.faults.server_error("sendDocument", times=2)
        await jan.send("ja")
        traveller_docs = await documents(server, TRAVELLER_ID, 2)
        secretariat_docs = await documents(server, SECRETARIAT_ID, 2)
        await asyncio.sleep(0.5)  # let any duplicate show up before counting
        all_docs = [
            m
            for chat in (TRAVELLER_ID, SECRETARIAT_ID)
            for m in server.messages(chat)
            if m.document
        ]
        assert len(all_docs) == 4
        assert len(traveller_docs) == len(secretariat_docs) == 2
        assert sum(server.faults.injected.values()) >= 3
        assert delivery_backlog(bot.store, bot.store.now()).outbox_waiting == 0


async def test_double_tapped_confirmation_sends_once(tmp_path: Path) -> None:
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "b.sqlite3", EXAMPLE_NOW) as bot,
    ):
        jan = await begin(server)
        await until_confirmation(jan)
        confirm = jan.replies()[-1]
        await jan.click("✅ Ja, versturen", message=confirm)
        await jan.click("✅ Ja, versturen", message=confirm)
        await documents(server, TRAVELLER_ID, 2)
        await documents(server, SECRETARIAT_ID, 2)
        await bot.handled_everything(server)
        assert len(bot.store.reports.of_traveller(TRAVELLER_REF)) == 1
        summaries = [
            m for m in server.messages(SECRETARIAT_ID) if m.text and "Nieuw verslag" in m.text
        ]
        assert len(summaries) == 1
        assert len([m for m in server.messages(TRAVELLER_ID) if m.document]) == 2


async def test_webhook_mode_checks_the_secret(tmp_path: Path) -> None:
    port = free_port()
    webhook = {
        "listen": "127.0.0.1",
        "port": port,
        "url_path": "telegram",
        "webhook_url": f"http://127.0.0.1:{port}/telegram",
        "secret_token": "s3cret",
    }
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "b.sqlite3", EXAMPLE_NOW, webhook=webhook),
    ):
        assert server.webhook is not None and server.webhook.get("secret_token") == "s3cret"
        jan = await begin(server)
        first = jan.replies()[-1]
        assert "Waar ging de reis naartoe" in first.plain_text
        update = {
            "update_id": 999999,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": TRAVELLER_ID, "type": "private"},
                "from": {"id": TRAVELLER_ID, "is_bot": False, "first_name": "Jan"},
                "text": "Wenen",
            },
        }
        assert await server.post_to_webhook(update, secret_token="wrong") == 403


async def test_dates_can_be_picked_in_the_calendar(tmp_path: Path) -> None:
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "b.sqlite3", EXAMPLE_NOW) as bot,
    ):
        jan = await begin(server)
        period = await answer(jan, "Wenen")
        await jan.click("📅 Kies in de kalender", message=period)
        calendar = await jan.next_reply()
        assert "mei 2025" in calendar.buttons
        assert "31" not in calendar.buttons[calendar.buttons.index("mei 2025") :], "no future days"
        await jan.click("‹", message=calendar)
        april = await jan.next_reply()
        assert "april 2025" in april.buttons
        await jan.click("27", message=april)
        picked = await jan.next_reply()
        assert "•27•" in picked.buttons
        await jan.click("29", message=picked)
        shown = await jan.next_reply()
        assert "➡️ 27-04-2025 t/m 29-04-2025" in shown.plain_text
        persons = await reply_with_buttons(jan)
        assert "Met hoeveel personen" in persons.plain_text
        draft = bot.store.drafts.load(TRAVELLER_REF)
        assert draft is not None
        assert draft.state["interview"]["answers"]["period"]["departure"] == "2025-04-27"
        assert draft.state["interview"]["answers"]["period"]["return_date"] == "2025-04-29"


async def test_check_command_for_someone_planning_a_trip(tmp_path: Path) -> None:
    async with FakeTelegram() as server, running_bot(server, tmp_path / "b.sqlite3", EXAMPLE_NOW):
        jan = server.user(user_id=TRAVELLER_ID, first_name="Jan")
        await jan.send("/check Parijs")
        paris = (await jan.next_reply()).plain_text
        assert "Parijs" in paris and "km" in paris
        await jan.send("/check Qwxzrtplaats")
        assert "Qwxzrtplaats" in (await jan.next_reply()).plain_text
        await jan.send("/check Edinburg")
        options = (await jan.next_reply()).plain_text.splitlines()
        assert options[1] == (
            "• Edinburgh (Verenigd Koninkrijk): /check Edinburgh (Verenigd Koninkrijk)"
        )
        await jan.send(options[1].split(": ", 1)[1])
        assert "Edinburgh" in (await jan.next_reply()).plain_text
        await jan.send("/check")
        assert "/check Wenen" in (await jan.next_reply()).plain_text
        await jan.send("/help")
        help_text = (await jan.next_reply()).plain_text
        assert "/nieuw" in help_text and "/reis" in help_text and "/mijnverslagen" in help_text


async def test_my_reports_resends_only_own_documents(tmp_path: Path) -> None:
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "b.sqlite3", EXAMPLE_NOW) as bot,
    ):
        jan = await begin(server)
        await until_confirmation(jan)
        await jan.send("ja")
        await documents(server, TRAVELLER_ID, 2)
        await jan.send("/mijnverslagen")
        listing = await reply_containing(jan, "Je verslagen")
        assert listing.buttons == ["Wenen en Bratislava, 27-04-2025"]
        await jan.click("Wenen en Bratislava, 27-04-2025", message=listing)
        await documents(server, TRAVELLER_ID, 4)

        report_id = bot.store.reports.of_traveller(TRAVELLER_REF)[0].report_id
        mallory = server.user(user_id=66, first_name="Mallory")
        bot.store.profiles.audit("telegram:66", AccessAction.GRANTED, None)
        await mallory.send("/mijnverslagen")
        assert "nog geen verslagen" in (await mallory.next_reply()).plain_text
        forged = {
            "id": "forged",
            "from": mallory.user,
            "chat_instance": "m",
            "data": f"r|{report_id}|mine",
            "message": listing.to_api(mallory.chat.chat, server.bot_user),
        }
        server.callback_queries["forged"] = forged
        await server.push_update({"callback_query": forged})
        await server.wait_for_call(
            "answerCallbackQuery",
            where=lambda call: call.params.get("callback_query_id") == "forged",
        )
        assert "niet sturen" in server.callback_answers["forged"].get("text", "")
        await asyncio.sleep(0.5)
        assert not [m for m in server.messages(66) if m.document]


async def test_a_burst_of_messages_is_handled_in_order_and_nothing_is_lost(tmp_path: Path) -> None:
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "b.sqlite3", EXAMPLE_NOW) as bot,
    ):
        jan = await begin(server)
        burst = example_messages(until="has_follow_up")
        for text in burst:
            await jan.send(text)  # queued at once, no waiting for replies in between
        await jan.send_voice()
        await jan.send_location(52.08, 4.31)
        seen: list[str] = []
        while not (
            any("Zijn er vervolgafspraken" in text for text in seen)
            and sum("alleen tekst" in text for text in seen) == 1
            and sum("Spraakberichten staan" in text for text in seen) == 1
        ):
            seen.append((await jan.next_reply(timeout=15)).plain_text)
        draft = bot.store.drafts.load(TRAVELLER_REF)
        assert draft is not None
        answers = draft.state["interview"]["answers"]
        assert answers["results"] == EXAMPLE_ANSWERS["results"]
        assert answers["purpose"] == EXAMPLE_ANSWERS["purpose"]
        replies = [m.plain_text for m in server.messages(TRAVELLER_ID)]
        assert sum("alleen tekst" in text for text in replies) == 1, "location answered once"
        assert sum("Spraakberichten staan" in text for text in replies) == 1, "voice answered once"


async def inbox_emptied(store: Store, timeout: float = 5.0) -> None:
    """Wait until every received update has been handled (checked every 10 ms)."""
    async with asyncio.timeout(timeout):
        while TelegramStore(store).unfinished_updates():
            await asyncio.sleep(0.01)


async def test_an_update_confirmed_but_not_handled_before_a_crash_is_handled_at_start(
    tmp_path: Path,
) -> None:
    """Telegram forgets an update once the next getUpdates confirms it; if the bot died
    before handling it, only the inbox still has it."""
    database = tmp_path / "bot.sqlite3"
    async with FakeTelegram() as server:
        async with running_bot(server, database, EXAMPLE_NOW) as bot:
            jan = await begin(server)
            await inbox_emptied(bot.store)  # handled updates leave the inbox
        lost = {
            "update_id": 987654,
            "message": {
                "message_id": 4242,
                "date": int(EXAMPLE_NOW.timestamp()),
                "chat": {"id": TRAVELLER_ID, "type": "private", "first_name": "Jan"},
                "from": {"id": TRAVELLER_ID, "is_bot": False, "first_name": "Jan"},
                "text": "Wenen",
            },
        }
        store = Store.open(f"sqlite:///{database}")
        TelegramStore(store).receive_update(
            lost["update_id"], lost
        )  # received, confirmed, then the crash
        store.close()
        async with running_bot(server, database, EXAMPLE_NOW) as bot:
            question = await reply_with_buttons(jan)
            assert "Gevonden: Wenen" in question.plain_text
            assert "Wanneer was de reis" in question.plain_text
            draft = bot.store.drafts.load(TRAVELLER_REF)
            assert draft is not None and "destinations" in draft.state["interview"]["answers"]
            await inbox_emptied(bot.store)

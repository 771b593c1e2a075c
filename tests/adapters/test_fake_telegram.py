"""The fake Telegram Bot API server, proven against a real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession, ServerDisconnectedError
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.error import BadRequest, Conflict, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from testkit.fake_telegram import BOT_USERNAME, FakeTelegram, RateLimits
from testkit.ptb import application_builder, free_port, polling, webhook

pytest_plugins = ["testkit.fixtures"]

DOCX_BYTES = b"PK\x03\x04 pretend this is a Word document"
ANY_APPLICATION = Application[Any, Any, Any, Any, Any, Any]


async def greet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer /start with a question and two inline buttons."""
    assert update.effective_message is not None and update.effective_user is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Ja", callback_data="yes"),
                InlineKeyboardButton("Nee", callback_data="no"),
            ]
        ]
    )
    await update.effective_message.reply_text(
        f"Welkom <b>{update.effective_user.first_name}</b>! Doorgaan?",
        parse_mode="HTML",
        reply_markup=keyboard,
    )


async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Acknowledge a button and edit the question to show the choice."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(f"Gekozen: {query.data}")


async def send_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send a document upload to the chat."""
    assert update.effective_chat is not None
    await context.bot.send_chat_action(update.effective_chat.id, "upload_document")
    await context.bot.send_document(
        update.effective_chat.id,
        InputFile(DOCX_BYTES, filename="verslag.docx"),
        caption="Uw verslag",
    )


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeat a text message."""
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


async def describe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say what kind of message or update arrived, as PTB parsed it."""
    message = update.effective_message
    assert message is not None
    if update.edited_message is not None:
        kind = f"bewerkt: {message.text}"
    elif message.photo:
        kind = f"foto {message.photo[-1].width}"
    elif message.sticker:
        kind = f"sticker {message.sticker.emoji}"
    elif message.voice:
        duration = message.voice.duration
        seconds = duration.total_seconds() if isinstance(duration, timedelta) else duration
        kind = f"spraak {seconds:.0f}"
    elif message.location:
        kind = f"locatie {message.location.latitude}"
    else:
        kind = "onbekend"
    await message.reply_text(kind)


def build_bot(server: FakeTelegram, **builder_options: Any) -> ANY_APPLICATION:
    """Return a small bot: /start with buttons, button edits, /doc, echo and other messages."""
    builder = application_builder(server)
    for option, value in builder_options.items():
        builder = getattr(builder, option)(value)
    application = builder.build()
    application.add_handler(CommandHandler("start", greet))
    application.add_handler(CommandHandler("doc", send_document))
    application.add_handler(CallbackQueryHandler(choose))
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, echo))
    application.add_handler(MessageHandler(filters.ALL, describe))
    return application


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta durations, so reading retry_after or duration does not warn."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[ANY_APPLICATION]:
    """Run the small bot with long polling against the fake server."""
    async with polling(build_bot(fake_telegram)) as application:
        yield application


async def test_command_gets_a_reply_with_inline_buttons(
    fake_telegram: FakeTelegram, bot: ANY_APPLICATION
) -> None:
    """A /start command reaches the CommandHandler and its HTML reply is stored parsed."""
    jan = fake_telegram.user(42, "Jan")
    await jan.send("/start")
    reply = await jan.next_reply()
    assert reply.event == "sent"
    assert reply.plain_text == "Welkom Jan! Doorgaan?"
    assert reply.text == "Welkom <b>Jan</b>! Doorgaan?"
    assert reply.entities == [{"type": "bold", "offset": 7, "length": 3}]
    assert reply.buttons == ["Ja", "Nee"]
    assert reply.callback_data == ["yes", "no"]
    assert [call.method for call in fake_telegram.calls[:2]] == ["getMe", "deleteWebhook"]


async def test_click_answers_the_callback_and_edits_the_question(
    fake_telegram: FakeTelegram, bot: ANY_APPLICATION
) -> None:
    """Tapping a button sends a callback query; the bot answers it and edits the message."""
    jan = fake_telegram.user(42, "Jan")
    await jan.send("/start")
    question = await jan.next_reply()
    query_id = await jan.click("Nee")
    edited = await jan.next_reply()
    assert edited.event == "edited"
    assert edited.message_id == question.message_id
    assert edited.plain_text == "Gekozen: no"
    assert edited.buttons == []
    assert jan.last_reply is not None and jan.last_reply.plain_text == "Gekozen: no"
    await fake_telegram.wait_for_call("answerCallbackQuery")
    assert query_id in fake_telegram.callback_answers


async def test_a_button_can_be_found_by_its_callback_data(
    fake_telegram: FakeTelegram, bot: ANY_APPLICATION
) -> None:
    """click() accepts callback data as well as the button text."""
    jan = fake_telegram.user(42, "Jan")
    await jan.send("/start")
    await jan.next_reply()
    await jan.click("yes")
    assert (await jan.next_reply()).plain_text == "Gekozen: yes"


async def test_clicking_a_missing_button_names_the_keyboards(
    fake_telegram: FakeTelegram, bot: ANY_APPLICATION
) -> None:
    """A test that taps a button that is not there fails with a clear message."""
    jan = fake_telegram.user(42, "Jan")
    await jan.send("/start")
    await jan.next_reply()
    with pytest.raises(LookupError, match="Misschien"):
        await jan.click("Misschien")


async def test_text_is_echoed(fake_telegram: FakeTelegram, bot: ANY_APPLICATION) -> None:
    """Plain text reaches the text handler."""
    jan = fake_telegram.user(42, "Jan")
    await jan.send("Wenen, 27 april")
    assert (await jan.next_reply()).plain_text == "Wenen, 27 april"


async def test_document_upload_keeps_filename_and_bytes(
    fake_telegram: FakeTelegram, bot: ANY_APPLICATION
) -> None:
    """A multipart sendDocument is stored with its filename and content."""
    jan = fake_telegram.user(42, "Jan")
    await jan.send("/doc")
    reply = await jan.next_reply()
    assert reply.document is not None
    assert reply.document.filename == "verslag.docx"
    assert reply.document.data == DOCX_BYTES
    assert reply.caption == "Uw verslag"
    actions = fake_telegram.calls_to("sendChatAction")
    assert [call.params["action"] for call in actions] == ["upload_document"]


async def test_a_document_can_be_sent_again_by_file_id_and_downloaded(
    fake_telegram: FakeTelegram, bot: ANY_APPLICATION
) -> None:
    """The file_id returned for an upload can be sent again and downloaded by the bot."""
    jan = fake_telegram.user(42, "Jan")
    await jan.send("/doc")
    first = await jan.next_reply()
    assert first.document is not None
    again = await bot.bot.send_document(42, first.document.file_id)
    assert again.document is not None and again.document.file_name == "verslag.docx"
    telegram_file = await bot.bot.get_file(first.document.file_id)
    assert bytes(await telegram_file.download_as_bytearray()) == DOCX_BYTES


async def test_other_message_kinds_are_parsed_by_ptb(
    fake_telegram: FakeTelegram, bot: ANY_APPLICATION
) -> None:
    """Photos, stickers, voice notes, locations and edits arrive as PTB objects."""
    jan = fake_telegram.user(42, "Jan")
    await jan.send_photo()
    assert (await jan.next_reply()).plain_text == "foto 1280"
    await jan.send_sticker("🙂")
    assert (await jan.next_reply()).plain_text == "sticker 🙂"
    await jan.send_voice(duration=7)
    assert (await jan.next_reply()).plain_text == "spraak 7"
    await jan.send_location(52.08, 4.31)
    assert (await jan.next_reply()).plain_text == "locatie 52.08"
    sent = await jan.send("Wenen")
    await jan.next_reply()
    await jan.edit(sent, "Dublin")
    assert (await jan.next_reply()).plain_text == "bewerkt: Dublin"


async def test_group_chat_commands_with_the_bot_name(
    fake_telegram: FakeTelegram, bot: ANY_APPLICATION
) -> None:
    """A user in a group addresses /start@bot; the reply goes to the group."""
    group = fake_telegram.group(-1001234567890, "Secretariaat")
    piet = fake_telegram.user(7, "Piet").in_chat(group)
    await piet.send(f"/start@{BOT_USERNAME}")
    reply = await piet.next_reply()
    assert reply.chat_id == -1001234567890
    assert reply.plain_text == "Welkom Piet! Doorgaan?"
    assert fake_telegram.chat(-1001234567890).chat["type"] == "supergroup"


async def test_updates_are_confirmed_by_offset(
    fake_telegram: FakeTelegram, bot: ANY_APPLICATION
) -> None:
    """Every update is handed out once, in order, and the queue empties."""
    jan = fake_telegram.user(42, "Jan")
    for number in range(5):
        await jan.send(f"bericht {number}")
    replies = [(await jan.next_reply()).plain_text for _ in range(5)]
    assert sorted(replies) == [f"bericht {number}" for number in range(5)]
    await fake_telegram.wait_idle()
    assert not fake_telegram.updates
    update_ids = [
        update["update_id"]
        for call in fake_telegram.calls_to("getUpdates")
        for update in call.result or []
    ]
    assert update_ids == sorted(set(update_ids))


async def test_commands_and_chat_info(fake_telegram: FakeTelegram, bot: ANY_APPLICATION) -> None:
    """setMyCommands is stored per scope, read back by getMyCommands; getChat parses."""
    commands = [BotCommand("start", "Begin of ga verder"), BotCommand("help", "Uitleg")]
    assert await bot.bot.set_my_commands(commands, language_code="nl")
    assert tuple(await bot.bot.get_my_commands(language_code="nl")) == tuple(commands)
    assert await bot.bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.bot.set_my_commands([BotCommand("Nieuw-Verslag", "Fout")])
    fake_telegram.user(42, "Jan")
    chat = await bot.bot.get_chat(42)
    assert chat.first_name == "Jan" and chat.type == "private"


async def test_telegram_refusals_surface_as_bad_requests(
    fake_telegram: FakeTelegram, bot: ANY_APPLICATION
) -> None:
    """Unescaped HTML, unknown chats, unchanged edits and long callback data are refused."""
    fake_telegram.user(42, "Jan")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.bot.send_message(42, "1 < 2 <b>vet", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.bot.send_message(99, "hallo")
    message = await bot.bot.send_message(42, "hallo")
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.bot.edit_message_text("hallo", 42, message.message_id)
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x" * 65)]])
        await bot.bot.send_message(42, "te lang", reply_markup=keyboard)
    assert await bot.bot.delete_message(42, message.message_id)
    assert fake_telegram.messages(42)[-1].deleted


async def test_unknown_method_and_wrong_token_are_clear_errors(
    fake_telegram: FakeTelegram,
) -> None:
    """A method the fake does not serve answers 404 naming it; a wrong token answers 401."""
    async with ClientSession() as session:
        url = f"{fake_telegram.base_url}{fake_telegram.token}/sendPoll"
        async with session.post(url, json={"chat_id": 1}) as response:
            assert response.status == 404
            body = await response.json()
        assert body["ok"] is False
        assert "sendPoll" in body["description"]
        async with session.post(f"{fake_telegram.base_url}1:WRONG/getMe") as response:
            assert response.status == 401


async def test_retry_after_is_retried_by_the_rate_limiter(
    fake_telegram: FakeTelegram,
) -> None:
    """A 429 with retry_after on sendMessage is retried by AIORateLimiter; the reply arrives."""
    fake_telegram.faults.retry_after("sendMessage", seconds=1, times=1)
    application = build_bot(fake_telegram, rate_limiter=AIORateLimiter(max_retries=3))
    async with polling(application):
        jan = fake_telegram.user(42, "Jan")
        await jan.send("na een pauze")
        assert (await jan.next_reply()).plain_text == "na een pauze"
    outcomes = [call.outcome for call in fake_telegram.calls_to("sendMessage")]
    assert outcomes == ["fault:429", "ok"]
    assert fake_telegram.faults.injected["retry_after"] == 1


async def test_server_error_reaches_the_error_handler(fake_telegram: FakeTelegram) -> None:
    """A 500 on sendMessage surfaces in PTB as a NetworkError; nothing is stored."""
    fake_telegram.faults.server_error("sendMessage", times=1)
    errors: list[BaseException] = []
    handled = asyncio.Event()

    async def remember_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Keep the error PTB reports."""
        assert context.error is not None
        errors.append(context.error)
        handled.set()

    application = build_bot(fake_telegram)
    application.add_error_handler(remember_error)
    async with polling(application):
        jan = fake_telegram.user(42, "Jan")
        await jan.send("verloren")
        async with asyncio.timeout(5):
            await handled.wait()
        await jan.send("tweede poging")
        assert (await jan.next_reply()).plain_text == "tweede poging"
    assert len(errors) == 1
    assert isinstance(errors[0], NetworkError)
    assert "Internal Server Error" in str(errors[0])
    assert [m.plain_text for m in fake_telegram.messages(42)] == ["tweede poging"]


async def test_dropped_connection_before_and_after_processing(
    fake_telegram: FakeTelegram,
) -> None:
    """A dropped connection is a NetworkError; after processing, the message was still sent."""
    fake_telegram.user(42, "Jan")
    fake_telegram.faults.drop_connection("sendMessage", times=1)
    fake_telegram.faults.drop_connection("sendMessage", times=1, after_processing=True)
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as ptb_bot:
        with pytest.raises(NetworkError):
            await ptb_bot.send_message(42, "eerste")
        with pytest.raises(NetworkError):
            await ptb_bot.send_message(42, "tweede")
        await ptb_bot.send_message(42, "derde")
    assert [m.plain_text for m in fake_telegram.messages(42)] == ["tweede", "derde"]
    outcomes = [call.outcome for call in fake_telegram.calls_to("sendMessage")]
    assert outcomes == ["dropped", "dropped", "ok"]


async def test_stall_holds_a_call_and_is_released_by_shutdown() -> None:
    """A stalled call waits; stopping the server releases it without waiting the stall out."""
    server = FakeTelegram()
    await server.start()
    server.user(42, "Jan")
    server.faults.stall("sendMessage", seconds=600, times=1)
    async with Bot(server.token, base_url=server.base_url) as ptb_bot:
        send = asyncio.create_task(ptb_bot.send_message(42, "vast", read_timeout=700))
        await server.wait_for_call("sendMessage", answered=False)
        started = time.monotonic()
        await server.stop()
        with pytest.raises(NetworkError):
            await send
        print(f"\nstalled call released by server.stop() in {time.monotonic() - started:.3f} s")
    assert server.calls_to("sendMessage")[0].outcome == "stalled+dropped"


async def test_stall_then_processes_the_call(fake_telegram: FakeTelegram) -> None:
    """A short stall delays the answer, then the call is carried out."""
    fake_telegram.user(42, "Jan")
    fake_telegram.faults.stall("sendMessage", seconds=0.2, times=1)
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as ptb_bot:
        await ptb_bot.send_message(42, "later")
    assert [m.plain_text for m in fake_telegram.messages(42)] == ["later"]


async def test_faults_on_a_fraction_of_calls_are_repeatable() -> None:
    """Probabilistic faults come from a seeded random generator: same seed, same faults."""
    outcomes = []
    for _ in range(2):
        async with FakeTelegram(seed=7) as server:
            server.user(42, "Jan")
            server.faults.server_error(probability=0.3)
            async with Bot(server.token, base_url=server.base_url) as ptb_bot:
                for number in range(20):
                    with contextlib.suppress(NetworkError):
                        await ptb_bot.send_message(42, f"bericht {number}")
            outcomes.append([call.outcome for call in server.calls_to("sendMessage")])
    assert outcomes[0] == outcomes[1]
    assert 0 < outcomes[0].count("fault:500") < 20


async def test_rate_limits_answer_429_beyond_telegrams_limits() -> None:
    """Beyond 1 message per second to a chat or 30 overall, sends get 429s, counted."""
    async with FakeTelegram(rate_limits=RateLimits()) as server:
        for user_id in range(1, 41):
            server.user(user_id, f"Reiziger {user_id}")
        async with Bot(server.token, base_url=server.base_url) as ptb_bot:
            await ptb_bot.send_message(1, "eerste")
            with pytest.raises(TelegramError) as second:
                await ptb_bot.send_message(1, "tweede")
            results = await asyncio.gather(
                *(ptb_bot.send_message(user_id, "hallo") for user_id in range(2, 41)),
                return_exceptions=True,
            )
    assert type(second.value).__name__ == "RetryAfter"
    refused = [result for result in results if isinstance(result, Exception)]
    assert server.rate_limiter is not None
    assert len(refused) >= 39 - 29
    assert server.rate_limiter.rejected == len(refused) + 1
    assert server.rate_limiter.accepted == 30


async def test_stop_releases_the_long_poll_quickly(fake_telegram: FakeTelegram) -> None:
    """Stopping the application with a 30-second long poll pending does not wait for it."""
    application = build_bot(fake_telegram)
    async with polling(application, timeout=30):
        await fake_telegram.wait_for_poll()
        started = time.monotonic()
    stop_seconds = time.monotonic() - started
    print(f"\nApplication stop with a pending 30 s long poll took {stop_seconds:.3f} s")
    assert fake_telegram.calls_to("getUpdates")[-1].params["timeout"] == 0


async def test_server_stop_releases_a_pending_long_poll() -> None:
    """Stopping the server while a long poll waits answers it at once with no updates."""
    server = FakeTelegram()
    await server.start()
    async with Bot(server.token, base_url=server.base_url) as ptb_bot:
        poll = asyncio.create_task(ptb_bot.get_updates(timeout=30))
        await server.wait_for_poll()
        started = time.monotonic()
        await server.stop()
        assert await poll == ()
        print(
            f"\nserver.stop() with a pending 30 s long poll took {time.monotonic() - started:.3f} s"
        )


async def test_a_second_poller_ends_the_first_with_a_conflict(
    fake_telegram: FakeTelegram,
) -> None:
    """Two bot instances polling at once: the older long poll gets 409, as on Telegram."""
    answered: list[str] = []
    fake_telegram.call_listeners.append(lambda call: answered.append(call.outcome))
    async with (
        Bot(fake_telegram.token, base_url=fake_telegram.base_url) as first,
        Bot(fake_telegram.token, base_url=fake_telegram.base_url) as second,
    ):
        older = asyncio.create_task(first.get_updates(timeout=30))
        await fake_telegram.wait_for_poll()
        assert await second.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="other getUpdates request"):
            await older
    assert sorted(answered) == ["error:409", "ok", "ok", "ok"]


async def test_webhook_mode_delivers_updates_with_the_secret(fake_telegram: FakeTelegram) -> None:
    """In webhook mode updates are POSTed to the bot; a wrong secret is refused with 403."""
    application = build_bot(fake_telegram)
    async with webhook(application, secret_token="s3cret", url_path="hook") as url:
        assert fake_telegram.webhook["url"] == url
        assert fake_telegram.webhook["secret_token"] == "s3cret"
        jan = fake_telegram.user(42, "Jan")
        await jan.send("/start")
        assert (await jan.next_reply()).plain_text == "Welkom Jan! Doorgaan?"
        await jan.click("Ja")
        assert (await jan.next_reply()).plain_text == "Gekozen: yes"
        forged = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 42}}}
        assert await fake_telegram.post_to_webhook(forged, secret_token="wrong") == 403
        assert await fake_telegram.post_to_webhook(forged) == 403
        async with ClientSession() as session:
            getupdates = f"{fake_telegram.base_url}{fake_telegram.token}/getUpdates"
            async with session.post(getupdates) as response:
                assert response.status == 409
        await fake_telegram.wait_idle()
    assert all(status == 200 for _, status in fake_telegram.webhook_deliveries)


async def test_wait_idle_returns_after_the_bot_has_answered(
    fake_telegram: FakeTelegram, bot: ANY_APPLICATION
) -> None:
    """After wait_idle every queued update is handled and answered."""
    users = [fake_telegram.user(user_id, f"Reiziger {user_id}") for user_id in range(1, 11)]
    for user in users:
        await user.send("hallo")
    await fake_telegram.wait_idle()
    assert all(len(user.pending_replies()) == 1 for user in users)


async def test_runs_as_its_own_process() -> None:
    """`python -m testkit.fake_telegram --port N` serves the Bot API and its state."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "testkit.fake_telegram",
        "--port",
        str(port),
        stdout=asyncio.subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert process.stdout is not None
        base_url = (await asyncio.wait_for(process.stdout.readline(), 10)).decode().strip()
        assert base_url == f"http://127.0.0.1:{port}/bot"
        async with Bot("123456:TEST", base_url=base_url) as ptb_bot:
            assert ptb_bot.username == BOT_USERNAME
        state_url = f"http://127.0.0.1:{port}/_fake/state"
        async with ClientSession() as session, session.get(state_url) as response:
            state = await response.json()
        assert [call["method"] for call in state["calls"]] == ["getMe"]
    finally:
        process.kill()
        await process.wait()


async def test_dropped_connection_is_seen_by_a_plain_http_client(
    fake_telegram: FakeTelegram,
) -> None:
    """A dropped call closes the connection with no answer at all."""
    fake_telegram.faults.drop_connection("getMe", times=1)
    async with ClientSession() as session:
        with pytest.raises(ServerDisconnectedError):
            await session.post(f"{fake_telegram.base_url}{fake_telegram.token}/getMe")

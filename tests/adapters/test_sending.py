"""Long HTML reaches Telegram in parts it accepts, the buttons under the last one."""

from __future__ import annotations

import json

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram._utils.types import ODVInput
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import ExtBot
from telegram.request import BaseRequest, RequestData

from bot.dialogs import Choice, Kind, Prompt
from bot.render.chat import TELEGRAM_MESSAGE_LIMIT, utf16_length
from bot.telegram.http import AiohttpRequest
from bot.telegram.keyboards import prompt_keyboard, prompt_keyboard_json
from bot.telegram.ratelimit import TwoLaneRateLimiter
from bot.telegram.sending import post_message, send_html_to
from testkit.fake_telegram import FakeTelegram
from testkit.render_readback import squash, telegram_plain_text


async def test_long_html_goes_in_parts_with_the_buttons_on_the_last(
    fake_telegram: FakeTelegram,
) -> None:
    fake_telegram.user(7, "Jan")
    lines = [f"<b>Reis {n}</b> naar Wenen &amp; Bratislava 🚆 <i>{'x' * 60}</i>" for n in range(90)]
    text = "\n".join(lines)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Klaar", callback_data="a|q|0")]])
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as bot:
        await send_html_to(bot, 7, text, keyboard)
    sent = fake_telegram.calls_to("sendMessage")
    assert len(sent) >= 2 and all(call.status == 200 for call in sent)
    parts = [str(call.params["text"]) for call in sent]
    assert all(utf16_length(part) <= TELEGRAM_MESSAGE_LIMIT for part in parts)
    assert [("reply_markup" in call.params) for call in sent] == [False] * (len(sent) - 1) + [True]
    joined = "".join(telegram_plain_text(part) for part in parts)
    assert squash(joined) == squash(telegram_plain_text(text))


class RecordingRequest(BaseRequest):
    """A transport that keeps every request's endpoint and body and answers like Telegram."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, bytes | None]] = []

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    @property
    def read_timeout(self) -> float:
        """The default read timeout (unused: nothing waits)."""
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Record a sendMessage request and answer it with a message; getMe with the bot."""
        endpoint = url.rsplit("/", 1)[-1]
        if endpoint == "getMe":
            me = {"id": 123, "is_bot": True, "first_name": "Reisverslag", "username": "rv_bot"}
            return 200, json.dumps({"ok": True, "result": me}).encode()
        body = request_data.url_encoded_parameters().encode() if request_data else None
        self.sent.append((method, endpoint, body))
        message = {"message_id": len(self.sent), "date": 0, "chat": {"id": 7, "type": "private"}}
        return 200, json.dumps({"ok": True, "result": message}).encode()


async def test_post_message_sends_the_request_send_message_sends() -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("✅ Klopt", callback_data="a|q|0")],
            [InlineKeyboardButton("Nee", callback_data="a|q|1")],
        ]
    )
    request = RecordingRequest()
    bot = ExtBot("123:ABC", request=request, rate_limiter=TwoLaneRateLimiter())
    await bot.initialize()
    try:
        for markup in (keyboard, None):
            text = "<b>Vraag 5</b> Wenen &amp; Bratislava ✈️"
            await bot.send_message(7, text, parse_mode=ParseMode.HTML, reply_markup=markup)
            await post_message(bot, 7, text, parse_mode=ParseMode.HTML, reply_markup=markup)
        await bot.send_message(7, "platte tekst")
        await post_message(bot, 7, "platte tekst")
    finally:
        await bot.shutdown()
    assert len(request.sent) == 6
    for sent, posted in zip(request.sent[::2], request.sent[1::2], strict=True):
        assert posted == sent
    assert all(
        method == "POST" and endpoint == "sendMessage" for method, endpoint, _ in request.sent
    )


@pytest.mark.parametrize("kind", [Kind.CHOICE, Kind.MULTI, Kind.YES_NO])
async def test_a_cached_keyboard_is_sent_as_python_telegram_bot_sends_the_markup(
    kind: Kind,
) -> None:
    choices = [Choice("trein", "🚆 Trein"), Choice("auto", "Auto & “bus”"), Choice("x", "Ë")]
    prompt = Prompt(key="modes", text="Hoe?", kind=kind, choices=choices, language="nl")
    toggled = frozenset({"auto"})
    cached = prompt_keyboard_json(prompt, toggled)
    assert cached is prompt_keyboard_json(prompt, toggled)  # made once
    markup = prompt_keyboard(prompt, toggled)
    request = RecordingRequest()
    bot = ExtBot("123:ABC", request=request, rate_limiter=TwoLaneRateLimiter())
    await bot.initialize()
    try:
        await bot.send_message(7, "Hoe?", reply_markup=markup)
        await post_message(bot, 7, "Hoe?", reply_markup=cached)
    finally:
        await bot.shutdown()
    sent, posted = request.sent
    assert posted == sent
    other = Prompt(key="modes", text="Hoe?", kind=kind, choices=choices[:2], language="nl")
    assert prompt_keyboard_json(other, toggled) != cached  # another keyboard, another entry


async def test_post_message_keeps_the_retry_on_429_and_telegrams_errors(
    fake_telegram: FakeTelegram,
) -> None:
    user = fake_telegram.user(7, "Jan")
    fake_telegram.faults.retry_after("sendMessage", seconds=1, times=1)
    bot = ExtBot(
        fake_telegram.token,
        base_url=fake_telegram.base_url,
        request=AiohttpRequest(),
        rate_limiter=TwoLaneRateLimiter(max_retries=1),
    )
    async with bot:
        await post_message(bot, 7, "<b>na het wachten</b>", parse_mode=ParseMode.HTML)
        sent = fake_telegram.calls_to("sendMessage")
        assert [call.status for call in sent] == [429, 200]
        assert (await user.next_reply()).text == "<b>na het wachten</b>"
        user.block()
        with pytest.raises(Forbidden):
            await post_message(bot, 7, "geblokkeerd")
        with pytest.raises(BadRequest, match="Chat not found"):
            await post_message(bot, 99, "niemand")

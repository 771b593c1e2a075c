"""Telegram HTML sent in as many messages as Telegram's length limit needs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode

from bot.render import split_message

__all__ = ["post_message", "send_html", "send_html_to"]

#: Runs one send call (for example to turn Telegram's errors into retry decisions).
CallWrapper = Callable[[Awaitable[Any]], Awaitable[Any]]


async def post_message(
    bot: Bot,
    chat_id: int | str,
    text: str,
    *,
    parse_mode: str | None = None,
    reply_markup: InlineKeyboardMarkup | str | None = None,
) -> None:
    """`Bot.send_message` without turning Telegram's answer into a `Message`; the buttons as
    a markup or as its JSON already (`prompt_keyboard_json`: the same text on the wire).

    No reply of the bot reads that answer, and building the `Message` (its sender, chat,
    entities and buttons) was 12 % of the bot's CPU per update (py-spy, 300 updates/s). The
    request is the one `send_message` makes: `Bot._post` is its own path to the API (defaults,
    the rate limiter with its retry on 429, Telegram's errors as `TelegramError`s), which
    tests/adapters/test_sending.py holds to byte for byte.
    """
    data = {
        "chat_id": chat_id,
        "text": text,
        "parse_mode": parse_mode,
        "reply_markup": reply_markup,
    }
    await bot._post("sendMessage", data)


async def send_html_to(
    bot: Bot,
    chat_id: int | str,
    text: str,
    reply_markup: InlineKeyboardMarkup | str | None = None,
    *,
    wrap: CallWrapper | None = None,
) -> None:
    """Send HTML split at Telegram's 4096-character limit between tags, entities and lines
    (`split_message`); the buttons go with the last part. `wrap` runs each send call."""
    parts = split_message(text)
    for index, part in enumerate(parts):
        markup = reply_markup if index == len(parts) - 1 else None
        call = post_message(bot, chat_id, part, parse_mode=ParseMode.HTML, reply_markup=markup)
        await (wrap(call) if wrap is not None else call)


async def send_html(
    message: Message, text: str, reply_markup: InlineKeyboardMarkup | str | None = None
) -> None:
    """Send HTML in parts to the chat of `message`; the buttons go with the last part."""
    await send_html_to(message.get_bot(), message.chat_id, text, reply_markup)

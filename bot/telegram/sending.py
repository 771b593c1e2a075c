"""Telegram HTML sent in as many messages as Telegram's length limit needs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode

from bot.render import split_message

__all__ = ["send_html", "send_html_to"]

#: Runs one send call (for example to turn Telegram's errors into retry decisions).
CallWrapper = Callable[[Awaitable[Any]], Awaitable[Any]]


async def send_html_to(
    bot: Bot,
    chat_id: int | str,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
    *,
    wrap: CallWrapper | None = None,
) -> None:
    """Send HTML split at Telegram's 4096-character limit between tags, entities and lines
    (`split_message`); the buttons go with the last part. `wrap` runs each send call."""
    parts = split_message(text)
    for index, part in enumerate(parts):
        markup = reply_markup if index == len(parts) - 1 else None
        call = bot.send_message(chat_id, part, parse_mode=ParseMode.HTML, reply_markup=markup)
        await (wrap(call) if wrap is not None else call)


async def send_html(
    message: Message, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Send HTML in parts to the chat of `message`; the buttons go with the last part."""
    await send_html_to(message.get_bot(), message.chat_id, text, reply_markup)

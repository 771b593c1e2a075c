"""The start every button handler shares: the press decoded, stale or foreign buttons answered."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import CallbackQuery, Message, Update

from bot.i18n import N_, t
from bot.telegram.keyboards import Callback, parse_callback
from bot.telegram.services import user_ref_of

__all__ = ["STALE_BUTTON", "Press", "button_press"]

STALE_BUTTON = N_("Deze knop werkt niet meer.")


@dataclass(frozen=True)
class Press:
    """A button press with data this bot made: `<prefix>|<key>|<arg>`."""

    query: CallbackQuery
    callback: Callback
    message: Message | None  # None when Telegram no longer gives the message (too old)
    user_ref: str  # who pressed
    language: str  # the language of whoever pressed

    async def stale(self, text: str = STALE_BUTTON) -> None:
        """Answer a button that no longer applies, in the presser's language."""
        await self.query.answer(t(self.language, text))


async def button_press(
    update: Update, language: str, *, needs_message: bool = True, owner_in_key: bool = False
) -> Press | None:
    """The update's button press, or None after answering "Deze knop werkt niet meer." (in
    `language`) when the
    data is not the bot's, the message is gone (`needs_message`) or, with `owner_in_key`, the
    key names someone other than the person who pressed."""
    query = update.callback_query
    if query is None:
        return None
    callback = parse_callback(query.data)
    message = query.message if isinstance(query.message, Message) else None
    if (
        callback is None
        or (needs_message and message is None)
        or (owner_in_key and callback.key != str(query.from_user.id))
    ):
        await query.answer(t(language, STALE_BUTTON))
        return None
    return Press(query, callback, message, user_ref_of(query.from_user.id), language)

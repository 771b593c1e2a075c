"""Who may talk to the bot, and where: the guard in front of every handler, and approvals."""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.store import AccessStatus
from bot.telegram.keyboards import parse_callback
from bot.telegram.services import services, user_ref_of

__all__ = ["guard", "on_access_decision"]

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE

ASK_ACCESS = (
    "Je hebt nog geen toegang tot deze bot. Typ /start om toegang te vragen aan het secretariaat."
)
WAIT = "Je aanvraag ligt bij het secretariaat. Je krijgt bericht zodra je toegang hebt."


async def guard(update: Update, context: Context) -> None:
    """Runs before all handlers: stops updates from unknown users and from other group chats."""
    svc = services(context)
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        raise ApplicationHandlerStop
    if chat.type != ChatType.PRIVATE:
        if svc.is_secretariat(chat.id):
            return  # secretariat handlers are filtered on this chat
        raise ApplicationHandlerStop  # other groups: stay silent
    if svc.is_allowed(user.id):
        return
    message = update.effective_message
    if update.callback_query is not None:
        await update.callback_query.answer("Je hebt geen toegang.")
        raise ApplicationHandlerStop
    if message is None:
        raise ApplicationHandlerStop
    status = svc.store.access_status(user_ref_of(user.id))
    text = (message.text or "").split()[0].split("@")[0] if message.text else ""
    if status == AccessStatus.REJECTED:
        await message.reply_text("Het secretariaat heeft je aanvraag afgewezen.")
    elif status == AccessStatus.PENDING:
        await message.reply_text(WAIT)
    elif text == "/start" and svc.settings.secretariat_chat_id is not None:
        svc.store.set_access(
            user_ref_of(user.id),
            AccessStatus.PENDING,
            svc.clock(),
            telegram_user_id=user.id,
            chat_id=chat.id,
        )
        await context.bot.send_message(
            svc.settings.secretariat_chat_id,
            f"Toegangsaanvraag van {html.escape(user.full_name)}"
            f"{' (@' + html.escape(user.username) + ')' if user.username else ''}, id {user.id}.",
            parse_mode=ParseMode.HTML,
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton("Toestaan", callback_data=f"acc|{user.id}|ok"),
                        InlineKeyboardButton("Weigeren", callback_data=f"acc|{user.id}|no"),
                    ]
                ]
            ),
        )
        await message.reply_text(WAIT)
    else:
        await message.reply_text(ASK_ACCESS)
    raise ApplicationHandlerStop


async def on_access_decision(update: Update, context: Context) -> None:
    """A secretariat member pressed Toestaan or Weigeren on an access request."""
    svc = services(context)
    query = update.callback_query
    callback = parse_callback(query.data if query else None)
    if (
        query is None
        or callback is None
        or not svc.is_secretariat(query.message.chat.id if query.message else None)
    ):
        return
    user_id = int(callback.key)
    allowed = callback.arg == "ok"
    svc.store.set_access(
        user_ref_of(user_id),
        AccessStatus.ALLOWED if allowed else AccessStatus.REJECTED,
        svc.clock(),
        telegram_user_id=user_id,
        chat_id=user_id,
    )
    await query.answer("Toegestaan" if allowed else "Geweigerd")
    who = query.from_user.full_name if query.from_user else "het secretariaat"
    verdict = "toegestaan" if allowed else "geweigerd"
    if isinstance(query.message, Message):
        await query.message.edit_text(f"{query.message.text}\n\n{verdict.capitalize()} door {who}.")
    await context.bot.send_message(
        user_id,
        "Je hebt nu toegang. Typ /nieuw om een verslag te beginnen."
        if allowed
        else "Het secretariaat heeft je aanvraag afgewezen.",
    )
    log.info("access for user %s %s", user_id, verdict)

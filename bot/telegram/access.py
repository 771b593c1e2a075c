"""Who may talk to the bot, and where: the guard in front of every handler, access requests,
the secretariat's decisions on them, and /intrekken. Every decision is an audit line."""

from __future__ import annotations

import html
import logging
import time
from collections import OrderedDict

from telegram import Message, Update, User
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.i18n import N_, SECRETARIAT_LANGUAGE, language_from_code, t
from bot.store import AccessAction, OutboxItem
from bot.telegram.buttons import button_press
from bot.telegram.delivery import MESSAGE, schedule_flush
from bot.telegram.reminders import traveller_name
from bot.telegram.services import Services, services, user_ref_of

__all__ = ["guard", "on_access_decision", "on_revoke"]

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE

ASK_ACCESS = N_(
    "Je hebt nog geen toegang tot deze bot. Typ /start om toegang te vragen aan het secretariaat."
)
WAIT = N_("Je aanvraag ligt bij het secretariaat. Je krijgt bericht zodra je toegang hebt.")
REJECTED = N_("Het secretariaat heeft je aanvraag afgewezen.")
REVOKED = N_(
    "Het secretariaat heeft je toegang tot deze bot ingetrokken. "
    "Typ /start als je opnieuw toegang wilt vragen."
)
NO_SECRETARIAT = N_("Je hebt geen toegang tot deze bot.")
GRANTED_NOTICE = N_("Je hebt nu toegang. Typ /nieuw om een verslag te beginnen.")
REVOKED_NOTICE = N_("Het secretariaat heeft je toegang tot deze bot ingetrokken.")
_DESK = SECRETARIAT_LANGUAGE
_REPLIED = "stranger_replies"
_MAX_REMEMBERED = 10_000


def _first_word(message: Message) -> str:
    """The command or first word of a message, without @botname."""
    words = (message.text or "").split()
    return words[0].split("@")[0] if words else ""


def _may_reply(context: Context, state: tuple[int, int], minutes: float) -> bool:
    """One reply per period to a person without access, per state of their access (user id,
    newest audit line): a crowd cannot keep the bot busy, a decision is always told."""
    replied: OrderedDict[tuple[int, int], float] = context.application.bot_data.setdefault(
        _REPLIED, OrderedDict()
    )
    now = time.monotonic()
    last = replied.get(state)
    if last is not None and now - last < minutes * 60:
        return False
    replied[state] = now
    replied.move_to_end(state)
    while len(replied) > _MAX_REMEMBERED:
        replied.popitem(last=False)
    return True


def _request_message(user: User) -> str:
    """The secretariat's view of an access request (HTML)."""
    username = f" (@{html.escape(user.username)})" if user.username else ""
    return t(
        _DESK,
        N_("Toegangsaanvraag van {name}{username}, id {id}."),
        name=html.escape(user.full_name),
        username=username,
        id=user.id,
    )


async def guard(update: Update, context: Context) -> None:
    """Runs before all handlers: stops updates from people without access and other groups."""
    svc = services(context)
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        raise ApplicationHandlerStop
    if chat.type != ChatType.PRIVATE:
        if svc.is_secretariat(chat.id):
            return  # secretariat handlers are filtered on this chat
        raise ApplicationHandlerStop  # other groups: stay silent
    if await svc.is_allowed(user.id, update.update_id):
        return
    if update.callback_query is not None:
        language = language_from_code(user.language_code)
        await update.callback_query.answer(t(language, N_("Je hebt geen toegang.")))
        raise ApplicationHandlerStop
    message = update.effective_message
    if message is None:
        raise ApplicationHandlerStop
    asked = _first_word(message) == "/start" and await _request_access(svc, user)
    latest = await svc.service.query(svc.store.profiles.latest_access, user_ref_of(user.id))
    state = (user.id, latest.id if latest else 0)
    if _may_reply(context, state, svc.settings.stranger_reply_minutes) or asked:
        # Through the outbox's bulk lane, not as a reply here: a crowd of strangers then
        # never holds the update slots that travellers' messages need.
        text = t(
            language_from_code(user.language_code),
            _stranger_reply(svc, latest.action if latest else None),
        )
        await svc.service.query(
            svc.store.outbox.enqueue,
            [
                OutboxItem(
                    MESSAGE,
                    f"stranger-reply:{user.id}:{update.update_id}",
                    {"chat_id": chat.id, "html": html.escape(text, quote=False)},
                )
            ],
            svc.clock(),
        )
        schedule_flush(svc)
    raise ApplicationHandlerStop


async def _request_access(svc: Services, user: User) -> bool:
    """Queue an access request for the secretariat; False when one is open or not possible."""
    chat_id = svc.settings.secretariat_chat_id
    if chat_id is None:
        return False

    def request(audit_id: int) -> OutboxItem:
        return OutboxItem(
            MESSAGE,
            f"access-request:{user.id}:{audit_id}",
            {
                "chat_id": chat_id,
                "html": _request_message(user),
                "buttons": [
                    [
                        [t(_DESK, N_("Toestaan")), f"acc|{user.id}|ok"],
                        [t(_DESK, N_("Weigeren")), f"acc|{user.id}|no"],
                    ]
                ],
            },
        )

    if not await svc.service.request_access(user_ref_of(user.id), user.id, request):
        return False
    log.info("access requested by user %s", user.id)
    schedule_flush(svc)
    return True


def _stranger_reply(svc: Services, action: AccessAction | None) -> str:
    """What a person without access reads, by where their access stands."""
    if svc.settings.secretariat_chat_id is None:
        return NO_SECRETARIAT
    if action is AccessAction.REQUESTED:
        return WAIT
    if action is AccessAction.REJECTED:
        return REJECTED
    if action is AccessAction.REVOKED:
        return REVOKED
    return ASK_ACCESS


async def on_access_decision(update: Update, context: Context) -> None:
    """A secretariat member pressed Toestaan or Weigeren on an access request."""
    svc = services(context)
    # The secretariat works in Dutch; requests may wait for days.
    press = await button_press(update, _DESK, needs_message=False)
    if press is None:
        return
    query, callback, chat = press.query, press.callback, update.effective_chat
    if not svc.is_secretariat(chat.id if chat else None) or not callback.key.isdigit():
        await press.stale()
        return
    user_id = int(callback.key)
    allowed = callback.arg == "ok"
    action = AccessAction.GRANTED if allowed else AccessAction.REJECTED
    language = await svc.language_for(user_ref_of(user_id))
    notice = html.escape(t(language, GRANTED_NOTICE if allowed else REJECTED), quote=False)
    decided = await svc.service.decide_access(
        user_ref_of(user_id),
        action,
        user_ref_of(query.from_user.id),
        telegram_user_id=user_id,
        outbox=[
            OutboxItem(
                MESSAGE,
                f"access-{action.value}:{user_id}:{update.update_id}",
                {"chat_id": user_id, "html": notice},
            )
        ],
    )
    if not decided:
        await query.answer(
            t(_DESK, N_("Deze aanvraag is al afgehandeld of bestaat niet.")), show_alert=True
        )
        return
    schedule_flush(svc)
    await query.answer(t(_DESK, N_("Toegestaan") if allowed else N_("Geweigerd")))
    who = query.from_user.full_name
    if isinstance(query.message, Message):
        decided_by = N_("Toegestaan door {who}.") if allowed else N_("Geweigerd door {who}.")
        await query.message.edit_text(f"{query.message.text}\n\n{t(_DESK, decided_by, who=who)}")
    verdict = "granted" if allowed else "rejected"
    log.info("access for user %s %s by user %s", user_id, verdict, query.from_user.id)


async def on_revoke(update: Update, context: Context) -> None:
    """/intrekken id|@naam: withdraw a traveller's access (the list of granted access without)."""
    svc = services(context)
    message, sender = update.effective_message, update.effective_user
    assert message is not None and sender is not None
    args = context.args or []
    if not args:
        await message.reply_text(await svc.service.query(_granted_overview, svc))
        return
    who = args[0]
    user_id = (
        int(who)
        if who.isdigit()
        else await svc.telegram.off_loop(svc.telegram.user_id_for_username, who)
    )
    if user_id is None:
        await message.reply_text(
            t(_DESK, N_("{who} ken ik niet. Gebruik het Telegram-id."), who=who)
        )
        return
    user_ref = user_ref_of(user_id)
    name = await svc.service.query(traveller_name, svc.store, user_ref)
    if not await svc.is_allowed(user_id):
        await message.reply_text(
            t(_DESK, N_("{name} (id {id}) heeft geen toegang."), name=name, id=user_id)
        )
        return
    notice = OutboxItem(
        MESSAGE,
        f"access-revoked:{user_id}:{update.update_id}",
        {
            "chat_id": user_id,
            "html": html.escape(t(await svc.language_for(user_ref), REVOKED_NOTICE), quote=False),
        },
    )
    await svc.service.decide_access(
        user_ref,
        AccessAction.REVOKED,
        user_ref_of(sender.id),
        telegram_user_id=user_id,
        outbox=[notice],
    )
    await svc.telegram.off_loop(svc.telegram.clear_input, user_ref)
    schedule_flush(svc)
    listed = (
        t(_DESK, N_(" (Het id staat ook in ALLOWED_USER_IDS; de intrekking gaat voor.)"))
        if user_id in svc.settings.allowed_user_ids
        else ""
    )
    await message.reply_text(
        t(
            _DESK,
            N_("Toegang van {name} (id {id}) ingetrokken door {who}.{listed}"),
            name=name,
            id=user_id,
            who=sender.full_name,
            listed=listed,
        )
    )
    log.info("access for user %s revoked by user %s", user_id, sender.id)


def _granted_overview(svc: Services) -> str:
    """Usage of /intrekken and who has access through the secretariat (reads the store: runs
    in a store thread)."""
    granted = svc.store.profiles.granted_access()
    lines = [
        t(_DESK, N_("Gebruik: /intrekken gevolgd door het Telegram-id of @gebruikersnaam.")),
        t(
            _DESK,
            N_("Toegang via ALLOWED_USER_IDS: {count} personen."),
            count=len(svc.settings.allowed_user_ids),
        ),
    ]
    if granted:
        lines.append(t(_DESK, N_("Toegang via het secretariaat:")))
        lines += [
            t(
                _DESK,
                N_("• {name} (id {id}), sinds {day}"),
                name=traveller_name(svc.store, event.user_ref),
                id=event.user_ref.removeprefix("telegram:"),
                day=f"{event.at:%d-%m-%Y}",
            )
            for event in granted
        ]
    else:
        lines.append(t(_DESK, N_("Niemand heeft toegang via het secretariaat.")))
    return "\n".join(lines)

"""A traveller's AVG rights in the chat (/mijngegevens, /verwijder) and the retention job."""

from __future__ import annotations

import html
import json
import logging
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes

from bot.config import Settings
from bot.i18n import DEFAULT_LANGUAGE, N_, t
from bot.store import OutboxItem
from bot.store.privacy import (
    IdleDraft,
    RetentionPolicy,
    erase_personal_data,
    personal_data,
    run_retention,
)
from bot.telegram.buttons import button_press
from bot.telegram.delivery import MESSAGE, schedule_flush
from bot.telegram.services import Services, services, user_ref_of

__all__ = [
    "ERASE_QUESTION",
    "add_retention_job",
    "on_erase",
    "on_erase_decision",
    "on_my_data",
    "retention_policy",
    "retention_warning",
    "sweep",
]

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE

#: How often the retention job runs.
RETENTION_INTERVAL = timedelta(hours=1)

ERASE_QUESTION = N_(
    "Wil je dat ik je gegevens verwijder?\n\n"
    "Dan verdwijnen: je onafgemaakte verslag, je naam en afdeling, je Telegram-gebruikersnaam "
    "en de berichten die ik je stuurde.\n\n"
    "Je verstuurde verslagen blijven bewaard bij het secretariaat: ze horen bij het openbare "
    "register van dienstreizen. Ze worden wel losgekoppeld van je Telegram-account, dus "
    "/mijnverslagen toont ze daarna niet meer. Je toegang tot de bot blijft."
)


def retention_policy(settings: Settings) -> RetentionPolicy:
    """The RETENTION_* settings as the store's policy."""
    return RetentionPolicy(
        sent_outbox_days=settings.retention_sent_outbox_days,
        draft_days=settings.retention_draft_days,
        draft_warning_days=settings.retention_draft_warning_days,
        access_request_days=settings.retention_access_request_days,
        processed_update_days=settings.retention_processed_update_days,
    )


def _telegram_id(user_ref: str) -> int | None:
    """The Telegram user id in a `telegram:<id>` reference (their private chat has the same id)."""
    prefix, _, number = user_ref.partition(":")
    return int(number) if prefix == "telegram" and number.isdigit() else None


def retention_warning(
    idle: IdleDraft, zone: ZoneInfo, language: str = DEFAULT_LANGUAGE
) -> OutboxItem | None:
    """The message telling a traveller their idle draft will be deleted (None: no chat)."""
    chat_id = _telegram_id(idle.user_ref)
    if chat_id is None:
        return None
    since = idle.updated_at.astimezone(zone)
    until = idle.deleted_after.astimezone(zone)
    text = t(
        language,
        N_(
            "Je onafgemaakte verslag ligt stil sinds {since}. Om je gegevens niet langer "
            "te bewaren dan nodig, verwijder ik het vanaf {until}.\n\n"
            "Wil je het houden? Typ /start om verder te gaan; dan blijft het staan."
        ),
        since=f"{since:%d-%m-%Y}",
        until=f"{until:%d-%m-%Y}",
    )
    return OutboxItem(
        MESSAGE,
        f"retention:{idle.user_ref}:{idle.updated_at.isoformat()}",
        {"chat_id": chat_id, "html": html.escape(text)},
    )


def sweep(svc: Services) -> int:
    """Run the retention sweep once; how many items it deleted in total."""
    zone = ZoneInfo(svc.settings.timezone)
    result = run_retention(
        svc.store,
        retention_policy(svc.settings),
        svc.clock(),
        lambda idle: retention_warning(  # in the store's thread: the language read directly
            idle, zone, svc.store.profiles.language(idle.user_ref) or DEFAULT_LANGUAGE
        ),
    )
    deleted = (
        result.outbox_bodies + result.drafts + result.access_requests + result.processed_updates
    )
    level = logging.INFO if deleted or result.warned else logging.DEBUG
    log.log(
        level,
        "retention: deleted %d sent outbox item(s), %d idle draft(s), %d access request(s), "
        "%d update id(s); warned %d traveller(s)",
        result.outbox_bodies,
        result.drafts,
        result.access_requests,
        result.processed_updates,
        len(result.warned),
    )
    return deleted


async def _retention_job(context: Context) -> None:
    svc = services(context)
    await svc.service.query(sweep, svc)
    schedule_flush(svc)


async def on_my_data(update: Update, context: Context) -> None:
    """/mijngegevens: everything stored about the traveller, as a JSON file."""
    svc = services(context)
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    now = svc.clock()
    language = await svc.language_of(user)
    data = await svc.service.query(personal_data, svc.store, user_ref_of(user.id), user.id, now)
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    await message.reply_document(
        document=body,
        filename=f"mijngegevens-{now:%Y-%m-%d}.json",
        caption=t(
            language,
            N_(
                "Alles wat de bot over je heeft opgeslagen. Wil je het laten verwijderen? "
                "Typ /verwijder."
            ),
        ),
    )


async def on_erase(update: Update, context: Context) -> None:
    """/verwijder: ask for confirmation before erasing the traveller's data."""
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    language = await services(context).language_of(user)
    yes, no = t(language, N_("Ja, verwijder")), t(language, N_("Nee, laat staan"))
    await message.reply_text(
        t(language, ERASE_QUESTION),
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(yes, callback_data=f"avg|{user.id}|ja"),
                    InlineKeyboardButton(no, callback_data=f"avg|{user.id}|nee"),
                ]
            ]
        ),
    )


async def on_erase_decision(update: Update, context: Context) -> None:
    """The traveller answered the /verwijder question (only their own buttons count)."""
    svc = services(context)
    language = await svc.language_of(update.effective_user)  # before the erasure forgets the choice
    press = await button_press(update, language, needs_message=False, owner_in_key=True)
    if press is None:
        return
    query, message, user_ref = press.query, press.message, press.user_ref
    if press.callback.arg != "ja":
        nothing = t(language, N_("Er is niets verwijderd."))
        await query.answer(nothing)
        if message is not None:
            await message.edit_text(nothing)
        return
    async with svc.lock(user_ref):
        erased = await svc.service.query(
            erase_personal_data, svc.store, user_ref, query.from_user.id, svc.clock()
        )
        svc.forget(user_ref)
    context.application.bot_data.get("usernames_seen", {}).pop(query.from_user.id, None)
    log.info("personal data of a traveller erased on request")
    await query.answer(t(language, N_("Verwijderd.")))
    lines = [t(language, N_("Je gegevens zijn verwijderd."))]
    if erased.reports_anonymised:
        lines.append(
            t(
                language,
                N_(
                    "{count} verstuurd(e) verslag(en) blijven in het register, "
                    "los van je Telegram-account."
                ),
                count=erased.reports_anonymised,
            )
        )
    lines.append(t(language, N_("Typ /nieuw als je later weer een verslag wilt maken.")))
    text = "\n".join(lines)
    if message is not None:
        await message.edit_text(html.escape(text), parse_mode=ParseMode.HTML)
    else:
        await context.bot.send_message(query.from_user.id, text)


def add_retention_job(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Schedule the hourly retention job."""
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _retention_job, interval=RETENTION_INTERVAL, first=timedelta(minutes=1)
        )

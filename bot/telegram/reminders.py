"""Reminders over Telegram: the periodic job, the buttons, the secretariat's overdue list.

A due reminder is marked sent and its message queued in the outbox in one unit of work
(the remind use case, `bot.service.trips.remind`), so none is sent twice and none is lost across a restart;
the outbox worker delivers it through the application's bot (rate limited) and keeps
it queued on a 429 or a network error until a later run.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes

from bot.config import Settings
from bot.dialogs import NeedsChoice
from bot.dialogs.interview import prefilled_state
from bot.formatting import format_day
from bot.i18n import DEFAULT_LANGUAGE, N_, SECRETARIAT_LANGUAGE, join_and, msg, t, translate
from bot.outbox import Sender
from bot.reminders import (
    WorkingHours,
    deadline_of,
    overdue_trips,
    snooze_until,
)
from bot.report import DayPart, TripPeriod
from bot.service.trips import reconcile_trip
from bot.store import Account, OutboxItem, Store, Trip, TripStatus
from bot.telegram.buttons import button_press
from bot.telegram.delivery import MESSAGE, schedule_flush, telegram_call
from bot.telegram.services import Services, TelegramDraft, services
from bot.telegram.traveller import edit_markup, send_prompt
from bot.travel.places import gazetteer

__all__ = [
    "CANCEL_REASON",
    "REMINDER",
    "TelegramNotifier",
    "add_reminder_jobs",
    "chat_of",
    "escalate_overdue",
    "on_reminder_button",
    "overdue_html",
    "reconcile_trip",
    "register_trip",
    "reminder_senders",
    "run_reminders",
    "send_due_reminders",
    "take_cancel_reason",
    "traveller_name",
    "trip_dates",
    "trip_label",
]

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE

#: Outbox kind of a reminder message (HTML with the three buttons).
REMINDER = "telegram_reminder"
#: Pending input kind: the traveller's next message is why the report is not needed.
CANCEL_REASON = "cancel_reason"
REMINDER_INTERVAL_SECONDS = 60.0


def trip_dates(trip: Trip) -> str:
    """'27-04 t/m 29-04-2025'."""
    if trip.departure == trip.return_date:
        return f"{trip.return_date:%d-%m-%Y}"
    return msg(
        "{start} t/m {end}",
        start=trip.departure.strftime("%d-%m"),
        end=trip.return_date.strftime("%d-%m-%Y"),
    )


def shown_destination(destination: str, language: str) -> str:
    """A trip's destination as the secretariat typed it (Dutch); for another reader the
    places' names in that language when the gazetteer knows them all ('Vienna and Bratislava')."""
    if language == DEFAULT_LANGUAGE:
        return destination
    try:
        places = gazetteer().resolve(destination)
    except (ValueError, NeedsChoice):
        return destination
    return translate(language, join_and([place.shown_name for place in places])) or destination


def trip_label(trip: Trip) -> str:
    """'Wenen, 27-04 t/m 29-04-2025'."""
    return f"{trip.destination}, {trip_dates(trip)}"


def chat_of(account: Account | None, user_ref: str) -> int | None:
    """The private chat of a traveller: stored, else their Telegram id (the same in Telegram)."""
    if account is not None and account.chat_id is not None:
        return account.chat_id
    if account is not None and account.telegram_user_id is not None:
        return account.telegram_user_id
    prefix, _, number = user_ref.partition(":")
    return int(number) if prefix == "telegram" and number.lstrip("-").isdigit() else None


async def register_trip(
    svc: Services,
    user_ref: str,
    destination: str,
    period: TripPeriod,
    by: str,
    notice: Callable[[Trip], Sequence[OutboxItem]] = lambda _trip: (),
) -> Trip:
    """Store a planned trip and schedule its reminders (the announce-a-trip use case)."""
    return await svc.service.announce_trip(
        user_ref, destination, period.departure, period.return_date, by, notice
    )


NOTHING_NEEDED = N_("Voor deze reis is niets meer nodig.")


def _keyboard(trip_id: str, first: bool, language: str = DEFAULT_LANGUAGE) -> InlineKeyboardMarkup:
    """'Verder' (or 'Beginnen'), 'Later', 'Niet nodig'."""
    go = N_("Beginnen") if first else N_("Verder")
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(language, go), callback_data=f"rem|{trip_id}|go"),
                InlineKeyboardButton(
                    t(language, N_("Later")), callback_data=f"rem|{trip_id}|later"
                ),
                InlineKeyboardButton(
                    t(language, N_("Niet nodig")), callback_data=f"rem|{trip_id}|no"
                ),
            ]
        ]
    )


def _reminder_html(
    trip: Trip, first: bool, settings: Settings, has_draft: bool, language: str = DEFAULT_LANGUAGE
) -> str:
    """The text of a reminder: the invitation after return, later ones, the deadline."""
    where = html.escape(shown_destination(trip.destination, language))
    deadline = format_day(deadline_of(trip.return_date, settings))
    if first:
        return t(
            language,
            N_(
                "Welkom terug uit {where}! Zullen we het verslag van je dienstreis maken? "
                "Bestemming en data heb ik al ingevuld; het kost een paar minuten.\n"
                "Graag uiterlijk {deadline}."
            ),
            where=where,
            deadline=deadline,
        )
    return t(
        language,
        N_(
            "Herinnering: Je verslag is nog niet af (reis naar {where}, {dates}). "
            "Graag uiterlijk {deadline}. Met ‘Verder’ ga je door waar je was."
        )
        if has_draft
        else N_(
            "Herinnering: Je verslag is nog niet begonnen (reis naar {where}, {dates}). "
            "Graag uiterlijk {deadline}. Met ‘Verder’ ga je door waar je was."
        ),
        where=where,
        dates=trip_dates(trip),
        deadline=deadline,
    )


def reminder_senders(bot: Bot, store: Store) -> dict[str, Sender]:
    """The outbox sender for reminder messages (HTML text with the three buttons)."""

    async def send_reminder(payload: dict[str, Any]) -> None:
        """Send one reminder, unless its trip was reported or cancelled in the meantime."""
        trip = await asyncio.to_thread(store.trips.get, payload["trip_id"])
        if trip is None or trip.status is not TripStatus.PLANNED:
            return
        await telegram_call(
            bot.send_message(
                payload["chat_id"],
                payload["html"],
                parse_mode=ParseMode.HTML,
                reply_markup=_keyboard(
                    trip.trip_id,
                    payload.get("first", False),
                    str(payload.get("language", DEFAULT_LANGUAGE)),
                ),
            )
        )

    return {REMINDER: send_reminder}


@dataclass(frozen=True)
class TelegramNotifier:
    """Reminders as Telegram messages with the three buttons, as the service's `Notifier`."""

    settings: Settings

    def reminder(
        self,
        trip: Trip,
        account: Account | None,
        reminder_id: int,
        *,
        first: bool,
        has_draft: bool,
        language: str,
    ) -> OutboxItem | None:
        """The reminder for the traveller's private chat; None when it is not known."""
        chat_id = chat_of(account, trip.user_ref)
        if chat_id is None:
            return None
        return OutboxItem(
            REMINDER,
            f"reminder:{reminder_id}",
            {
                "chat_id": chat_id,
                "trip_id": trip.trip_id,
                "html": _reminder_html(trip, first, self.settings, has_draft, language),
                "first": first,
                "language": language,
            },
        )


async def send_due_reminders(svc: Services, *, force: bool = False, batch: int = 1000) -> int:
    """Queue every due reminder (the remind use case); how many were queued."""
    return await svc.service.remind(
        TelegramNotifier(svc.settings), svc.has_access, force=force, batch=batch
    )


def overdue_html(svc: Services) -> str | None:
    """The secretariat's list of reports past their deadline, or None when there are none
    (reads the store: call it in a store thread, `svc.service.query(overdue_html, svc)`)."""
    today = WorkingHours.from_settings(svc.settings).working_day_of(svc.clock())
    trips = [t for t in svc.store.trips.planned() if not reconcile_trip(svc.store, t)]
    overdue = overdue_trips(trips, today, svc.settings)
    if not overdue:
        return None
    desk = SECRETARIAT_LANGUAGE
    lines = [t(desk, N_("<b>Verslagen over de termijn ({count})</b>"), count=len(overdue))]
    for item in overdue:
        line = (
            N_("• {name}: {trip}; termijn {deadline}, {days} dag te laat")
            if item.days_late == 1
            else N_("• {name}: {trip}; termijn {deadline}, {days} dagen te laat")
        )
        lines.append(
            t(
                desk,
                line,
                name=html.escape(traveller_name(svc.store, item.trip.user_ref)),
                trip=html.escape(trip_label(item.trip)),
                deadline=f"{item.deadline:%d-%m-%Y}",
                days=item.days_late,
            )
        )
    return "\n".join(lines)


def traveller_name(store: Store, user_ref: str) -> str:
    """'J. de Vries (Digitale Stad)', or the user reference when the name is not known yet."""
    profile = store.profiles.profile(user_ref)
    if profile is None:
        return user_ref
    return f"{profile.name} ({profile.department})" if profile.department else profile.name


async def escalate_overdue(svc: Services) -> bool:
    """Queue the overdue list for the secretariat, at most once per working day; whether queued."""
    chat = svc.settings.secretariat_chat_id
    hours = WorkingHours.from_settings(svc.settings)
    now = svc.clock()
    if chat is None or not hours.is_working_moment(now):
        return False
    text = await svc.service.query(overdue_html, svc)
    if text is None:
        return False
    day = hours.working_day_of(now)
    item = OutboxItem(MESSAGE, f"escalation:{day.isoformat()}", {"chat_id": chat, "html": text})
    return await svc.service.query(svc.store.outbox.enqueue, [item], now) == 1


async def run_reminders(svc: Services, *, force: bool = False) -> int:
    """One round: queue due reminders and the overdue list, then deliver; reminders queued."""
    queued = await send_due_reminders(svc, force=force)
    await escalate_overdue(svc)
    if svc.outbox is not None:
        await svc.outbox.flush()
    return queued


async def _reminder_job(context: Context) -> None:
    """The periodic job (every minute)."""
    try:
        await run_reminders(services(context))
    except Exception:  # the next run tries again; nothing was marked sent without its message
        log.exception("reminder round failed")


# --- the buttons and the reason ----------------------------------------------------------------


async def on_reminder_button(update: Update, context: Context) -> None:
    """'Verder' / 'Later' / 'Niet nodig' under a reminder."""
    svc = services(context)
    language = await svc.language_of(update.effective_user)
    press = await button_press(update, language)
    if press is None or press.message is None:
        return
    query, callback, message, user_ref = press.query, press.callback, press.message, press.user_ref
    trip = await svc.service.query(svc.store.trips.get, callback.key)
    if trip is None or trip.user_ref != user_ref:  # someone else's trip, or erased
        await press.stale()
        return
    if svc.was_answered(message.chat_id, message.message_id):
        # the second tap of a double tap
        await query.answer(t(language, N_("Dit is al verwerkt.")))
        return
    svc.mark_answered(message.chat_id, message.message_id)  # no await in between: one tap wins
    if trip.status is not TripStatus.PLANNED:
        await query.answer(t(language, NOTHING_NEEDED))
        await edit_markup(message, None)
        return
    if callback.arg == "later":
        until = snooze_until(svc.clock(), svc.settings)
        await svc.service.snooze(trip.trip_id, until)
        await query.answer(t(language, N_("Goed, ik herinner je later.")))
        await edit_markup(message, None)
        day = until.astimezone(WorkingHours.from_settings(svc.settings).zone).date()
        await message.reply_text(
            t(language, N_("Ik herinner je weer op {day}."), day=format_day(day))
        )
    elif callback.arg == "no":
        await svc.telegram.off_loop(
            svc.telegram.expect_input,
            user_ref,
            CANCEL_REASON,
            {"trip_id": trip.trip_id},
            svc.clock(),
        )
        await query.answer()
        await edit_markup(message, None)
        await message.reply_text(
            t(
                language,
                N_(
                    "Waarom is een verslag van de reis naar {where} niet nodig? Bijvoorbeeld: de "
                    "reis is niet doorgegaan. Typ de reden; die gaat naar het secretariaat."
                ),
                where=shown_destination(trip.destination, language),
            )
        )
    elif callback.arg == "go":
        await query.answer()
        await edit_markup(message, None)
        await _continue(svc, message, user_ref, trip, language)
    else:
        await press.stale()


async def _continue(
    svc: Services, message: Message, user_ref: str, trip: Trip, language: str
) -> None:
    """Resume the draft at its question, or start one with destination and dates filled in."""
    async with svc.lock(user_ref):
        draft = await svc.load_draft(user_ref)
        if draft is None:
            answers: dict[str, Any] = {
                "period": TripPeriod(departure=trip.departure, return_date=trip.return_date)
            }
            try:
                answers["destinations"] = svc.trip.resolve_places(trip.destination)
            except (ValueError, NeedsChoice):
                log.info("destination %r of trip %s not resolved", trip.destination, trip.trip_id)
            start = "period" if "destinations" in answers else "destinations"
            state = prefilled_state(svc.trip, svc.clock(), answers, start_at=start)
            draft = TelegramDraft(
                interview=state.model_copy(update={"started": True, "language": language}),
                trip_id=trip.trip_id,
            )
            await svc.save_draft(user_ref, draft)
            await message.reply_text(
                t(
                    language,
                    N_(
                        "We beginnen. Bestemming en data heb ik ingevuld; klopt de periode, kies "
                        "dan ‘Ongewijzigd’, of typ hem met dagdelen, bijvoorbeeld ‘{example}’."
                    ),
                    example=_with_parts(trip),
                )
            )
        else:
            await message.reply_text(t(language, N_("We gaan verder waar je was:")))
        prompt = (await svc.interview(user_ref, draft)).current_prompt()
        await send_prompt(message, prompt, frozenset(draft.toggled))


def _with_parts(trip: Trip) -> str:
    """The trip's own dates with parts of day, as an example that works when typed back."""
    return TripPeriod(
        departure=trip.departure,
        departure_part=DayPart.OCHTEND if trip.return_date == trip.departure else DayPart.AVOND,
        return_date=trip.return_date,
        return_part=DayPart.MIDDAG if trip.return_date == trip.departure else None,
    ).as_text()


async def take_cancel_reason(svc: Services, message: Message, user_ref: str, trip_id: str) -> None:
    """The traveller's reason: cancel the trip, stop its reminders, tell the secretariat."""
    reason = (message.text or "").strip()
    language = await svc.language_of(message.from_user)
    if not reason:
        await message.reply_text(t(language, N_("Typ de reden in een bericht.")))
        return
    await svc.telegram.off_loop(svc.telegram.clear_input, user_ref)
    name = await svc.service.query(traveller_name, svc.store, user_ref)
    chat = svc.settings.secretariat_chat_id

    def notice(trip: Trip) -> list[OutboxItem]:
        if chat is None:
            return []
        text = t(
            SECRETARIAT_LANGUAGE,
            N_("<b>Geen verslag nodig</b>\n{name}: {trip}\nReden: {reason}"),
            name=html.escape(name),
            trip=html.escape(trip_label(trip)),
            reason=html.escape(reason),
        )
        return [OutboxItem(MESSAGE, f"cancelled:{trip_id}", {"chat_id": chat, "html": text})]

    if await svc.service.cancel_trip(user_ref, trip_id, reason, notice) is None:
        await message.reply_text(t(language, NOTHING_NEEDED))
        return
    schedule_flush(svc)
    await message.reply_text(
        t(
            language,
            N_(
                "Dank je. De herinneringen voor deze reis zijn gestopt en het secretariaat is "
                "ingelicht."
            ),
        )
    )


async def remember_username(update: Update, context: Context) -> None:
    """Remember @usernames of people who write to the bot, for the secretariat's /reis @naam."""
    user = update.effective_user
    if user is None or not user.username:
        return
    seen: dict[int, str] = context.application.bot_data.setdefault("usernames_seen", {})
    if seen.get(user.id) == user.username:
        return
    svc = services(context)
    if not await svc.is_allowed(user.id):
        return
    await svc.telegram.off_loop(svc.telegram.remember_username, user.username, user.id, svc.clock())
    seen[user.id] = user.username


def add_reminder_jobs(
    application: Application[Any, Any, Any, Any, Any, Any], settings: Settings
) -> None:
    """Schedule the periodic reminder job (every minute)."""
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _reminder_job, interval=REMINDER_INTERVAL_SECONDS, first=REMINDER_INTERVAL_SECONDS
        )

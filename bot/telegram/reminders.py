"""Reminders over Telegram: the periodic job, the buttons, the secretariat's overdue list.

A due reminder is marked sent and its message queued in the outbox in one transaction
(`Store.mark_reminder_sent`), so none is sent twice and none is lost across a restart;
the outbox worker delivers it through the application's bot (rate limited) and keeps
it queued on a 429 or a network error until a later run.
"""

from __future__ import annotations

import html
import logging
from collections import defaultdict
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, TypeHandler

from bot.config import Settings
from bot.dialogs import NeedsChoice
from bot.dialogs.interview import prefilled_state
from bot.formatting import format_day
from bot.outbox import Sender
from bot.reminders import (
    WorkingHours,
    activity_postponement,
    covers,
    deadline_of,
    overdue_trips,
    reminder_schedule,
    snooze_until,
)
from bot.report import DayPart, TripPeriod
from bot.store import OutboxItem, Reminder, Store, Trip, TripStatus
from bot.telegram.delivery import MESSAGE, schedule_flush, telegram_call
from bot.telegram.keyboards import parse_callback
from bot.telegram.services import Services, TelegramDraft, services, user_ref_of
from bot.telegram.traveller import edit_markup, send_prompt

__all__ = [
    "CANCEL_REASON",
    "REMINDER",
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
    return f"{trip.departure:%d-%m} t/m {trip.return_date:%d-%m-%Y}"


def trip_label(trip: Trip) -> str:
    """'Wenen, 27-04 t/m 29-04-2025'."""
    return f"{trip.destination}, {trip_dates(trip)}"


def chat_of(store: Store, user_ref: str) -> int | None:
    """The private chat of a traveller: stored, else their Telegram id (the same in Telegram)."""
    account = store.get_account(user_ref)
    if account is not None and account.chat_id is not None:
        return account.chat_id
    if account is not None and account.telegram_user_id is not None:
        return account.telegram_user_id
    prefix, _, number = user_ref.partition(":")
    return int(number) if prefix == "telegram" and number.lstrip("-").isdigit() else None


def register_trip(
    svc: Services, user_ref: str, destination: str, period: TripPeriod, by: str
) -> Trip:
    """Store a planned trip and schedule its reminders."""
    now = svc.clock()
    trip = svc.store.add_trip(user_ref, destination, period.departure, period.return_date, by, now)
    svc.store.schedule_reminders(
        trip.trip_id, reminder_schedule(trip.return_date, svc.settings), now
    )
    return trip


def reconcile_trip(store: Store, trip: Trip) -> bool:
    """Mark the trip reported when a report of its traveller covers its dates; whether it was."""
    for report in store.reports_for(trip.user_ref):
        if covers(report.period.departure, report.period.return_date, [trip]):
            store.set_trip_status(trip.trip_id, TripStatus.REPORTED, report_id=report.report_id)
            return True
    return False


def _keyboard(trip_id: str, first: bool) -> InlineKeyboardMarkup:
    """'Verder' (or 'Beginnen'), 'Later', 'Niet nodig'."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "Beginnen" if first else "Verder", callback_data=f"rem|{trip_id}|go"
                ),
                InlineKeyboardButton("Later", callback_data=f"rem|{trip_id}|later"),
                InlineKeyboardButton("Niet nodig", callback_data=f"rem|{trip_id}|no"),
            ]
        ]
    )


def _reminder_html(trip: Trip, first: bool, settings: Settings, has_draft: bool) -> str:
    """The text of a reminder: the invitation after return, later ones, the deadline."""
    where = html.escape(trip.destination)
    deadline = format_day(deadline_of(trip.return_date, settings))
    if first:
        return (
            f"Welkom terug uit {where}! Zullen we het verslag van je dienstreis maken? "
            f"Bestemming en data heb ik al ingevuld; het kost een paar minuten.\n"
            f"Graag uiterlijk {deadline}."
        )
    state = "Je verslag is nog niet af" if has_draft else "Je verslag is nog niet begonnen"
    return (
        f"Herinnering: {state} (reis naar {where}, {trip_dates(trip)}). "
        f"Graag uiterlijk {deadline}. Met ‘Verder’ ga je door waar je was."
    )


def reminder_senders(bot: Bot, store: Store) -> dict[str, Sender]:
    """The outbox sender for reminder messages (HTML text with the three buttons)."""

    async def send_reminder(payload: dict[str, Any]) -> None:
        """Send one reminder, unless its trip was reported or cancelled in the meantime."""
        trip = store.get_trip(payload["trip_id"])
        if trip is None or trip.status is not TripStatus.PLANNED:
            return
        await telegram_call(
            bot.send_message(
                payload["chat_id"],
                payload["html"],
                parse_mode=ParseMode.HTML,
                reply_markup=_keyboard(trip.trip_id, payload.get("first", False)),
            )
        )

    return {REMINDER: send_reminder}


def _has_access(svc: Services, trip: Trip) -> bool:
    """Whether the trip's Telegram traveller (still) has access to the bot."""
    user_id = trip.user_ref.removeprefix("telegram:")
    return not user_id.lstrip("-").isdigit() or svc.is_allowed(int(user_id))


async def send_due_reminders(svc: Services, *, force: bool = False, batch: int = 1000) -> int:
    """Queue every due reminder (outside working hours only when forced); how many were queued.

    When several reminders of one trip are due at once (the bot was down), only the
    newest is sent; the older ones are marked sent without a message. `batch` bounds how
    many due reminders are read per round; each trip's are all considered together.
    """
    store, settings, now = svc.store, svc.settings, svc.clock()
    if not force and not WorkingHours.from_settings(settings).is_working_moment(now):
        return 0
    by_trip: dict[str, list[Reminder]] = defaultdict(list)
    for reminder in store.due_reminders(now, limit=batch):
        by_trip[reminder.trip_id].append(reminder)
    queued = 0
    for trip_id in by_trip:
        # A batch can hold only the oldest of a trip's due reminders: read them all.
        due = store.due_reminders(now, limit=100, trip_id=trip_id)
        trip = store.get_trip(trip_id)
        if trip is None or trip.status is not TripStatus.PLANNED or not _has_access(svc, trip):
            store.cancel_reminders(trip_id, now)  # a traveller without access gets nothing
            continue
        if reconcile_trip(store, trip):
            continue
        draft = store.load_draft(trip.user_ref)
        newest = due[-1]
        later = activity_postponement(newest.due_at, draft.updated_at if draft else None, settings)
        if later is not None:
            store.snooze_reminders(trip_id, later)
            continue
        earlier = [r for r in store.reminders_for(trip_id) if r.sent_at is not None]
        first = draft is None and not earlier
        for older in due[:-1]:
            store.mark_reminder_sent(older.id, now)
        chat_id = chat_of(store, trip.user_ref)
        if chat_id is None:
            log.warning("no chat for %s: reminder %s not sent", trip.user_ref, newest.id)
            store.mark_reminder_sent(newest.id, now)
            continue
        item = OutboxItem(
            REMINDER,
            f"reminder:{newest.id}",
            {
                "chat_id": chat_id,
                "trip_id": trip_id,
                "html": _reminder_html(trip, first, settings, draft is not None),
                "first": first,
            },
        )
        if store.mark_reminder_sent(newest.id, now, [item]):
            queued += 1
    return queued


def overdue_html(svc: Services) -> str | None:
    """The secretariat's list of reports past their deadline, or None when there are none."""
    today = WorkingHours.from_settings(svc.settings).working_day_of(svc.clock())
    trips = [t for t in svc.store.planned_trips() if not reconcile_trip(svc.store, t)]
    overdue = overdue_trips(trips, today, svc.settings)
    if not overdue:
        return None
    lines = [f"<b>Verslagen over de termijn ({len(overdue)})</b>"]
    for item in overdue:
        lines.append(
            f"• {html.escape(traveller_name(svc.store, item.trip.user_ref))}: "
            f"{html.escape(trip_label(item.trip))}; termijn {item.deadline:%d-%m-%Y}, "
            f"{item.days_late} {'dag' if item.days_late == 1 else 'dagen'} te laat"
        )
    return "\n".join(lines)


def traveller_name(store: Store, user_ref: str) -> str:
    """'J. de Vries (Digitale Stad)', or the user reference when the name is not known yet."""
    profile = store.get_profile(user_ref)
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
    text = overdue_html(svc)
    if text is None:
        return False
    day = hours.working_day_of(now)
    item = OutboxItem(MESSAGE, f"escalation:{day.isoformat()}", {"chat_id": chat, "html": text})
    return svc.store.enqueue([item], now) == 1


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
    query = update.callback_query
    assert query is not None
    callback = parse_callback(query.data)
    message = query.message
    user_ref = user_ref_of(query.from_user.id)
    trip = svc.store.get_trip(callback.key) if callback else None
    if (
        callback is None
        or trip is None
        or trip.user_ref != user_ref
        or not isinstance(message, Message)
    ):
        await query.answer("Deze knop werkt niet meer.")
        return
    if svc.was_answered(message.chat_id, message.message_id):
        await query.answer("Dit is al verwerkt.")  # the second tap of a double tap
        return
    svc.mark_answered(message.chat_id, message.message_id)  # no await in between: one tap wins
    if trip.status is not TripStatus.PLANNED:
        await query.answer("Voor deze reis is niets meer nodig.")
        await edit_markup(message, None)
        return
    if callback.arg == "later":
        until = snooze_until(svc.clock(), svc.settings)
        svc.store.snooze_reminders(trip.trip_id, until)
        await query.answer("Goed, ik herinner je later.")
        await edit_markup(message, None)
        await message.reply_text(
            f"Ik herinner je weer op {format_day(until.astimezone(WorkingHours.from_settings(svc.settings).zone).date())}."
        )
    elif callback.arg == "no":
        svc.store.expect_input(user_ref, CANCEL_REASON, {"trip_id": trip.trip_id}, svc.clock())
        await query.answer()
        await edit_markup(message, None)
        await message.reply_text(
            f"Waarom is een verslag van de reis naar {trip.destination} niet nodig? "
            "Bijvoorbeeld: de reis is niet doorgegaan. Typ de reden; die gaat naar het secretariaat."
        )
    elif callback.arg == "go":
        await query.answer()
        await edit_markup(message, None)
        await _continue(svc, message, user_ref, trip)
    else:
        await query.answer("Deze knop werkt niet meer.")


async def _continue(svc: Services, message: Message, user_ref: str, trip: Trip) -> None:
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
                interview=state.model_copy(update={"started": True}), trip_id=trip.trip_id
            )
            await svc.save_draft(user_ref, draft)
            await message.reply_text(
                "We beginnen. Bestemming en data heb ik ingevuld; klopt de periode, kies dan "
                "‘Ongewijzigd’, of typ hem met dagdelen, bijvoorbeeld "
                f"‘{_with_parts(trip)}’."
            )
        else:
            await message.reply_text("We gaan verder waar je was:")
        prompt = svc.interview(user_ref, draft).current_prompt()
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
    if not reason:
        await message.reply_text("Typ de reden in een bericht.")
        return
    trip = svc.store.get_trip(trip_id)
    svc.store.clear_input(user_ref)
    if trip is None or trip.status is not TripStatus.PLANNED:
        await message.reply_text("Voor deze reis is niets meer nodig.")
        return
    now = svc.clock()
    svc.store.set_trip_status(trip_id, TripStatus.CANCELLED, now, cancel_reason=reason[:2000])
    chat = svc.settings.secretariat_chat_id
    if chat is not None:
        text = (
            f"<b>Geen verslag nodig</b>\n{html.escape(traveller_name(svc.store, user_ref))}: "
            f"{html.escape(trip_label(trip))}\nReden: {html.escape(reason)}"
        )
        svc.store.enqueue(
            [OutboxItem(MESSAGE, f"cancelled:{trip_id}", {"chat_id": chat, "html": text})], now
        )
        schedule_flush(svc)
    await message.reply_text(
        "Dank je. De herinneringen voor deze reis zijn gestopt en het secretariaat is ingelicht."
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
    if not await svc.allowed(user.id):
        return
    await svc.telegram.off_loop(svc.telegram.remember_username, user.username, user.id, svc.clock())
    seen[user.id] = user.username


def add_reminder_jobs(
    application: Application[Any, Any, Any, Any, Any, Any], settings: Settings
) -> None:
    """Register the reminder buttons and the periodic reminder job (every minute)."""
    application.add_handler(TypeHandler(Update, remember_username), group=-3)
    application.add_handler(CallbackQueryHandler(on_reminder_button, pattern=r"^rem\|"))
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _reminder_job, interval=REMINDER_INTERVAL_SECONDS, first=REMINDER_INTERVAL_SECONDS
        )

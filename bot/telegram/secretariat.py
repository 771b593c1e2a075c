"""Trips announced ahead (/reis) and the secretariat's desk: /openstaand, /verslagen, /export,
/herinner. Secretariat commands only work in the chat SECRETARIAT_CHAT_ID."""

from __future__ import annotations

import html
import logging
from typing import Any

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    ApplicationHandlerStop,
    ContextTypes,
)

from bot.dialogs import NeedsChoice
from bot.dialogs.parsers import parse_period
from bot.dialogs.ports import TripCalculator
from bot.export import export_csv, export_xlsx
from bot.i18n import DEFAULT_LANGUAGE, N_, SECRETARIAT_LANGUAGE, msg, t, translate
from bot.reminders import WorkingHours, deadline_of
from bot.report import TripPeriod, join_dutch
from bot.store import OutboxItem
from bot.telegram.delivery import MESSAGE, schedule_flush
from bot.telegram.reminders import (
    CANCEL_REASON,
    reconcile_trip,
    register_trip,
    run_reminders,
    take_cancel_reason,
    traveller_name,
    trip_label,
)
from bot.telegram.sending import send_html
from bot.telegram.services import Services, services, user_ref_of

__all__ = [
    "PLANNED_TRIP",
    "SECRETARIAT_BOT_COMMANDS",
    "parse_trip_announcement",
]

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE

#: Pending input kind: the traveller's next message is a trip to announce.
PLANNED_TRIP = "planned_trip"
_EXAMPLE = N_("Bijvoorbeeld: ‘Wenen 27-04 t/m 29-04’ of ‘Parijs 3 juni’.")
_MAX_LISTED_REPORTS = 40

_DESK = SECRETARIAT_LANGUAGE

SECRETARIAT_BOT_COMMANDS = [
    BotCommand("openstaand", t(_DESK, N_("Wie heeft nog geen verslag ingeleverd"))),
    BotCommand("verslagen", t(_DESK, N_("Verslagen van een jaar: /verslagen 2025"))),
    BotCommand("export", t(_DESK, N_("Jaaroverzicht als Excel en CSV: /export 2025"))),
    BotCommand("jaarrapport", t(_DESK, N_("Jaarrapport voor de raad als PDF: /jaarrapport 2025"))),
    BotCommand("herinner", t(_DESK, N_("Herinneringen die klaarstaan nu versturen"))),
    BotCommand("reis", t(_DESK, N_("Reis aanmelden: /reis @naam Wenen 27-04 t/m 29-04"))),
]


def parse_trip_announcement(text: str, today: Any, trip: TripCalculator) -> tuple[str, TripPeriod]:
    """'Wenen en Bratislava 27-04 t/m 29-04' -> ('Wenen en Bratislava', period); may lie ahead."""
    words = text.split()
    if words and words[0].lower() == "naar":
        words = words[1:]
    for split in range(1, len(words)):
        try:
            period = parse_period(" ".join(words[split:]), today, allow_future=True)
        except ValueError:
            continue
        typed = " ".join(words[:split]).strip(" ,")
        try:
            destination = join_dutch([place.name for place in trip.resolve_places(typed)])
        except (ValueError, NeedsChoice):
            destination = typed
        return destination or typed, period
    raise ValueError(
        msg(
            "Ik lees hier geen bestemming met data in. Typ bestemming en data. {example}",
            example=msg(_EXAMPLE),
        )
    )


def _today(svc: Services) -> Any:
    """Today's date in the municipality's time zone."""
    return WorkingHours.from_settings(svc.settings).working_day_of(svc.clock())


def _announced(destination: str, period: TripPeriod, language: str = DEFAULT_LANGUAGE) -> str:
    """The confirmation of a registered trip."""
    return t(
        language,
        N_(
            "Genoteerd: reis naar {destination}, {period}. De dag na terugkomst stuur ik een "
            "uitnodiging om het verslag te maken, met bestemming en data al ingevuld."
        ),
        destination=destination,
        period=period.describe(),
    )


# --- travellers: /reis and the pending input ---------------------------------------------------


async def on_trip_command(update: Update, context: Context) -> None:
    """/reis [bestemming data]: announce a planned trip (asks when nothing follows)."""
    svc = services(context)
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    user_ref = user_ref_of(user.id)
    text = " ".join(context.args or [])
    if not text:
        await svc.telegram.off_loop(
            svc.telegram.expect_input, user_ref, PLANNED_TRIP, {}, svc.clock()
        )
        language = await svc.language_of(user)
        await message.reply_text(
            t(language, N_("Waar ga je naartoe, en wanneer? {example}"), example=msg(_EXAMPLE))
        )
        return
    await _announce(svc, message, user_ref, text)


async def _announce(svc: Services, message: Message, user_ref: str, text: str) -> bool:
    """Register the trip typed in `text` for the sender; whether it was understood."""
    language = await svc.language_of(message.from_user)
    try:
        destination, period = parse_trip_announcement(text, _today(svc), svc.trip)
    except ValueError as error:
        said = error.args[0] if len(error.args) == 1 and isinstance(error.args[0], str) else ""
        await message.reply_text(translate(language, said or str(error)))
        return False
    await register_trip(svc, user_ref, destination, period, user_ref)
    await svc.telegram.off_loop(svc.telegram.clear_input, user_ref)
    await message.reply_text(_announced(destination, period, language))
    return True


async def on_pending_text(update: Update, context: Context) -> None:
    """Text that answers a question asked outside the interview (/reis, 'Niet nodig')."""
    svc = services(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.text is None:
        return
    user_ref = user_ref_of(user.id)
    pending, allowed = await svc.pending_and_allowed(user.id, update.update_id)
    if pending is None or not allowed:
        return
    kind, payload = pending
    if message.text.strip().lower() in ("annuleer", "stop", "laat maar", "cancel", "never mind"):
        await svc.telegram.off_loop(svc.telegram.clear_input, user_ref)
        await message.reply_text(t(await svc.language_of(user), N_("Goed, laten we het zo.")))
    elif kind == PLANNED_TRIP:
        await _announce(svc, message, user_ref, message.text)
    elif kind == CANCEL_REASON:
        await take_cancel_reason(svc, message, user_ref, str(payload.get("trip_id", "")))
    else:
        await svc.telegram.off_loop(svc.telegram.clear_input, user_ref)
        return
    raise ApplicationHandlerStop


# --- the secretariat ---------------------------------------------------------------------------


async def on_secretariat_trip(update: Update, context: Context) -> None:
    """/reis @naam|id Wenen 27-04 t/m 29-04: announce a trip on a traveller's behalf."""
    svc = services(context)
    message, sender = update.effective_message, update.effective_user
    assert message is not None and sender is not None
    args = context.args or []
    if len(args) < 2:
        await message.reply_text(
            t(
                _DESK,
                N_("Gebruik: /reis @gebruikersnaam of id, dan de reis. {example}"),
                example=msg(_EXAMPLE),
            )
        )
        return
    who, text = args[0], " ".join(args[1:])
    user_id = (
        int(who)
        if who.lstrip("-").isdigit()
        else await svc.telegram.off_loop(svc.telegram.user_id_for_username, who)
    )
    if user_id is None:
        await message.reply_text(
            t(
                _DESK,
                N_(
                    "{who} ken ik niet: die persoon heeft de bot nog niet gebruikt. "
                    "Gebruik het Telegram-id (staat in de toegangsaanvraag)."
                ),
                who=who,
            )
        )
        return
    try:
        destination, period = parse_trip_announcement(text, _today(svc), svc.trip)
    except ValueError as error:
        said = error.args[0] if len(error.args) == 1 and isinstance(error.args[0], str) else ""
        await message.reply_text(translate(_DESK, said or str(error)))
        return
    user_ref = user_ref_of(user_id)
    notice = t(  # the traveller reads it, in their language
        await svc.language_for(user_ref),
        N_(
            "Het secretariaat heeft je reis naar {destination} genoteerd ({period}). De dag na "
            "terugkomst krijg je een uitnodiging om het verslag te maken."
        ),
        destination=html.escape(destination),
        period=html.escape(period.describe()),
    )
    trip = await register_trip(
        svc,
        user_ref,
        destination,
        period,
        user_ref_of(sender.id),
        lambda trip: [
            OutboxItem(MESSAGE, f"announced:{trip.trip_id}", {"chat_id": user_id, "html": notice})
        ],
    )
    schedule_flush(svc)
    name = await svc.service.query(traveller_name, svc.store, user_ref)
    await message.reply_text(
        t(_DESK, N_("Genoteerd voor {name}: {trip}."), name=name, trip=trip_label(trip))
    )


def _open_lines(svc: Services) -> tuple[list[str], list[str]]:
    """/openstaand's lines: trips back without a report, unfinished reports (reads the store:
    runs in a store thread)."""
    today = _today(svc)
    lines = []
    for trip in svc.store.trips.planned():
        if trip.return_date >= today or reconcile_trip(svc.store, trip):
            continue
        deadline = deadline_of(trip.return_date, svc.settings)
        late = t(_DESK, N_(" ⚠️ te laat")) if deadline < today else ""
        lines.append(
            t(
                _DESK,
                N_("• {name}: {trip}; terug sinds {days} dagen, termijn {deadline}{late}"),
                name=html.escape(traveller_name(svc.store, trip.user_ref)),
                trip=html.escape(trip_label(trip)),
                days=(today - trip.return_date).days,
                deadline=f"{deadline:%d-%m-%Y}",
                late=late,
            )
        )
    zone = WorkingHours.from_settings(svc.settings).zone
    drafts = [
        t(
            _DESK,
            N_("• {name}: laatst bewerkt {day}"),
            name=html.escape(traveller_name(svc.store, draft.user_ref)),
            day=f"{draft.updated_at.astimezone(zone):%d-%m-%Y}",
        )
        for draft in svc.store.drafts.idle_since(svc.clock())
    ]
    return lines, drafts


async def on_open(update: Update, context: Context) -> None:
    """/openstaand: trips back without a report, and unfinished reports, since when."""
    svc = services(context)
    message = update.effective_message
    assert message is not None
    lines, drafts = await svc.service.query(_open_lines, svc)
    if not lines and not drafts:
        await message.reply_text(
            t(_DESK, N_("Er staat niets open: alle teruggekeerde reizigers hebben een verslag."))
        )
        return
    heading = N_("<b>Nog geen verslag ({count})</b>")
    text = [t(_DESK, heading, count=len(lines)), *lines] if lines else []
    if drafts:
        started = N_("<b>Verslag begonnen, nog niet verstuurd ({count})</b>")
        text += ["", t(_DESK, started, count=len(drafts)), *drafts]
    await send_html(message, "\n".join(text).strip())


def _year(svc: Services, args: list[str] | None) -> int | None:
    """The year named in the arguments, this year when none; None when it is not a year."""
    if not args:
        return _today(svc).year
    return int(args[0]) if args[0].isdigit() and 1900 < int(args[0]) < 2200 else None


async def on_reports(update: Update, context: Context) -> None:
    """/verslagen [jaar]: the year's reports; tapping one sends its documents."""
    svc = services(context)
    message = update.effective_message
    assert message is not None
    year = _year(svc, context.args)
    if year is None:
        await message.reply_text(t(_DESK, N_("Gebruik: /verslagen 2025")))
        return
    reports = sorted(await svc.service.export(year), key=lambda r: r.period.departure)
    if not reports:
        await message.reply_text(t(_DESK, N_("Geen verslagen van reizen in {year}."), year=year))
        return
    buttons = [
        [
            InlineKeyboardButton(
                f"{r.period.departure:%d-%m} {r.destination_label} ({r.traveller.name})"[:60],
                callback_data=f"r|{r.report_id}|sec",
            )
        ]
        for r in reports[-_MAX_LISTED_REPORTS:]
    ]
    more = (
        t(
            _DESK,
            N_(" De laatste {listed} staan hieronder; /export {year} geeft alles."),
            listed=_MAX_LISTED_REPORTS,
            year=year,
        )
        if len(reports) > _MAX_LISTED_REPORTS
        else ""
    )
    await message.reply_text(
        t(
            _DESK,
            N_("{count} verslagen van reizen in {year}.{more} Tik er één aan voor de documenten."),
            count=len(reports),
            year=year,
            more=more,
        ),
        reply_markup=InlineKeyboardMarkup(buttons),
    )


async def on_export(update: Update, context: Context) -> None:
    """/export [jaar]: the yearly overview as XLSX and CSV."""
    svc = services(context)
    message = update.effective_message
    assert message is not None
    year = _year(svc, context.args)
    if year is None:
        await message.reply_text(t(_DESK, N_("Gebruik: /export 2025")))
        return
    reports = await svc.service.export(year)
    bot = message.get_bot()
    await bot.send_document(
        message.chat_id,
        export_xlsx(reports, year),
        filename=f"buitenlandse-dienstreizen-{year}.xlsx",
        caption=t(
            _DESK, N_("Jaaroverzicht {year}: {count} reizen."), year=year, count=len(reports)
        ),
    )
    await bot.send_document(
        message.chat_id, export_csv(reports), filename=f"buitenlandse-dienstreizen-{year}.csv"
    )


async def on_remind_now(update: Update, context: Context) -> None:
    """/herinner: send the reminders that are due now, also outside working hours."""
    svc = services(context)
    message = update.effective_message
    assert message is not None
    sent = await run_reminders(svc, force=True)
    if sent == 0:
        text = t(_DESK, N_("Geen herinneringen die klaarstonden."))
    elif sent == 1:
        text = t(_DESK, N_("{count} herinnering verstuurd."), count=sent)
    else:
        text = t(_DESK, N_("{count} herinneringen verstuurd."), count=sent)
    await message.reply_text(text)

"""Runs first for every update: the secretariat's powers go by person, not by chat, and each
traveller has limits (messages, /reis, resent reports, /check), so one account cannot flood
the bot, the store or the outbox."""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import date

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.config import Settings
from bot.i18n import N_, SECRETARIAT_LANGUAGE, t
from bot.telegram.services import services

__all__ = [
    "ADMIN_CACHE_SECONDS",
    "SENSITIVE_COMMANDS",
    "Limits",
    "has_authority",
    "limit_reached",
    "screen",
    "valid_calendar_data",
]

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE

#: Secretariat commands that act on people's data or access: only for authorised persons.
SENSITIVE_COMMANDS = frozenset({"/export", "/verslagen", "/reis", "/intrekken"})
#: Callback prefixes of secretariat buttons with the same weight (access decisions, documents).
_SENSITIVE_BUTTONS = ("acc|", "r|")
#: How long the secretariat group's administrators are remembered.
ADMIN_CACHE_SECONDS = 300.0
_ADMIN_STATUSES = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
_MAX_TRACKED = 10_000
#: How many years back the calendar may go.
CALENDAR_YEARS = 10
_MONTH = re.compile(r"\d{4}-\d{2}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

NOT_AUTHORISED = N_(
    "Dit mag alleen een daarvoor aangewezen medewerker van het secretariaat. "
    "Vraag een beheerder van deze groep."
)
TOO_MANY_MESSAGES = N_(
    "Je stuurt veel berichten kort na elkaar. Wacht even een minuut en stuur je laatste "
    "bericht dan opnieuw; wat je eerder gaf is bewaard."
)
TOO_MANY_TRIPS = N_(
    "Je hebt het afgelopen uur al veel reizen aangemeld. Probeer het over een uur nog eens; "
    "klopt er iets niet, vraag het dan het secretariaat."
)
TOO_MANY_RESENDS = N_(
    "Je hebt het afgelopen uur al vaak documenten opnieuw laten sturen. Probeer het over een "
    "uur nog eens; de eerder gestuurde documenten staan hierboven in de chat."
)
TOO_MANY_CHECKS = N_(
    "Je hebt het afgelopen uur al veel reizen nagerekend. Probeer het over een uur nog eens."
)


@dataclass
class Limits:
    """Sliding-window counters per (person, kind); says once when a limit is reached."""

    windows: dict[str, tuple[int, float]]
    _hits: OrderedDict[tuple[int, str], deque[float]] = field(default_factory=OrderedDict)
    _warned: dict[tuple[int, str], float] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """The limits configured in the settings: (how many, per how many seconds)."""
        return cls(
            {
                "message": (settings.limit_messages_per_minute, 60.0),
                "trip": (settings.limit_trips_per_hour, 3600.0),
                "resend": (settings.limit_resends_per_hour, 3600.0),
                "check": (settings.limit_checks_per_hour, 3600.0),
            }
        )

    def hit(self, user_id: int, kind: str, now: float) -> str | None:
        """Count one use; None when allowed, 'warn' the first time over, 'drop' after that."""
        allowed, seconds = self.windows[kind]
        key = (user_id, kind)
        hits = self._hits.setdefault(key, deque())
        self._hits.move_to_end(key)
        while hits and hits[0] <= now - seconds:
            hits.popleft()
        while len(self._hits) > _MAX_TRACKED:
            self._warned.pop(self._hits.popitem(last=False)[0], None)
        if len(hits) < allowed:
            hits.append(now)
            return None
        warned = self._warned.get(key)
        if warned is not None and now - warned < seconds:
            return "drop"
        self._warned[key] = now
        return "warn"


_LIMIT_TEXTS = {
    "message": TOO_MANY_MESSAGES,
    "trip": TOO_MANY_TRIPS,
    "resend": TOO_MANY_RESENDS,
    "check": TOO_MANY_CHECKS,
}


def _kinds(update: Update) -> list[str]:
    """Which limits an update counts against."""
    kinds = ["message"]
    if update.callback_query is not None:
        if (update.callback_query.data or "").startswith("r|"):
            kinds.append("resend")
        return kinds
    message = update.effective_message
    command = _command(message.text if message else None)
    if command == "/reis":
        kinds.append("trip")
    elif command == "/check":
        kinds.append("check")
    return kinds


def _command(text: str | None) -> str:
    """The /command a text starts with (without @botname), or ''."""
    words = (text or "").split()
    return words[0].split("@")[0].lower() if words and words[0].startswith("/") else ""


def limit_reached(context: Context, user_id: int, kinds: list[str]) -> str | None:
    """The first limit this update runs into: its kind, prefixed 'drop:' when already warned."""
    limits: Limits | None = context.application.bot_data.get("limits")
    if limits is None:
        limits = context.application.bot_data["limits"] = Limits.from_settings(
            services(context).settings
        )
    now = time.monotonic()
    for kind in kinds:
        verdict = limits.hit(user_id, kind, now)
        if verdict == "warn":
            return kind
        if verdict == "drop":
            return f"drop:{kind}"
    return None


def valid_calendar_data(data: str | None, today: date) -> bool:
    """Whether calendar button data is something the bot's calendar could have sent: a month
    or a past day within the last CALENDAR_YEARS years (forged data never reaches the draft)."""
    parts = (data or "").split("|")
    if len(parts) != 3 or parts[0] != "c":
        return True  # not a calendar button
    arg = parts[2]
    if arg in ("open", "noop"):
        return True
    earliest = today.year - CALENDAR_YEARS
    if arg.startswith("m") and _MONTH.fullmatch(arg[1:]):
        year, month = (int(x) for x in arg[1:].split("-"))
        return earliest <= year <= today.year + 1 and 1 <= month <= 12
    if arg[:1] in ("d", "e") and _DAY.fullmatch(arg[1:]):  # a departure or a return day
        try:
            picked = date.fromisoformat(arg[1:])
        except ValueError:
            return False
        return earliest <= picked.year and picked <= today
    return False


async def has_authority(context: Context, user_id: int) -> bool:
    """Whether this person may act for the secretariat: listed in SECRETARIAT_USER_IDS, or
    (without that list) an administrator of the secretariat's group, read from Telegram and
    remembered a few minutes."""
    settings = services(context).settings
    if settings.secretariat_user_ids:
        return user_id in settings.secretariat_user_ids
    if settings.secretariat_chat_id is None:
        return False
    cached: tuple[float, frozenset[int]] | None = context.application.bot_data.get("admins")
    now = time.monotonic()
    if cached is None or now - cached[0] > ADMIN_CACHE_SECONDS:
        try:
            members = await context.bot.get_chat_administrators(settings.secretariat_chat_id)
        except TelegramError as error:
            log.warning("could not read the secretariat's administrators: %s", error)
            return False if cached is None else user_id in cached[1]
        admins = frozenset(m.user.id for m in members if m.status in _ADMIN_STATUSES)
        cached = (now, admins)
        context.application.bot_data["admins"] = cached
    return user_id in cached[1]


async def screen(update: Update, context: Context) -> None:
    """First handler of all: authority in the secretariat's chat, limits in private chats."""
    svc = services(context)
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    if svc.is_secretariat(chat.id):
        await _check_authority(update, context, user.id)
        return
    if chat.type != ChatType.PRIVATE:
        return
    query = update.callback_query
    if query is not None and not valid_calendar_data(query.data, svc.clock().date()):
        log.warning("user %s sent forged calendar data", user.id)
        await query.answer(t(await svc.language_of(user), N_("Deze knop werkt niet meer.")))
        raise ApplicationHandlerStop
    reached = limit_reached(context, user.id, _kinds(update))
    if reached is None:
        return
    log.info("user %s over the %s limit", user.id, reached.removeprefix("drop:"))
    if not reached.startswith("drop:") and await svc.is_allowed(user.id):
        await _tell(update, t(await svc.language_of(user), _LIMIT_TEXTS[reached]))
    elif update.callback_query is not None:
        await update.callback_query.answer()
    raise ApplicationHandlerStop


async def _check_authority(update: Update, context: Context, user_id: int) -> None:
    """Stop a secretariat action by someone who may not take it."""
    query = update.callback_query
    if query is not None:
        sensitive = (query.data or "").startswith(_SENSITIVE_BUTTONS)
    else:
        message = update.effective_message
        sensitive = _command(message.text if message else None) in SENSITIVE_COMMANDS
    if not sensitive or await has_authority(context, user_id):
        return
    log.warning("user %s is not authorised for a secretariat action", user_id)
    await _tell(update, t(SECRETARIAT_LANGUAGE, NOT_AUTHORISED))
    raise ApplicationHandlerStop


async def _tell(update: Update, text: str) -> None:
    """Say `text`: as an alert on a button, else as a reply."""
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)

"""Builds the python-telegram-bot Application and runs it (long polling or webhook)."""

from __future__ import annotations

import gc
import logging
import re
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat, Update
from telegram.error import Conflict, InvalidToken
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.i18n import LANGUAGES, N_, SECRETARIAT_LANGUAGE, t
from bot.mail import email_senders
from bot.outbox import OutboxWorker, Sender
from bot.store import Store
from bot.telegram import (
    access,
    council,
    gatekeeper,
    lifecycle,
    privacy,
    reminders,
    secretariat,
    traveller,
    voice,
)
from bot.telegram.delivery import telegram_senders
from bot.telegram.health import HealthServer, Metrics
from bot.telegram.http import AiohttpRequest
from bot.telegram.inbox import (
    DurableUpdateQueue,
    InboxPollRequest,
    InboxUpdateProcessor,
    replay_inbox,
)
from bot.telegram.ratelimit import TwoLaneRateLimiter
from bot.telegram.services import Services
from bot.telegram.traveller import TRAVELLER_COMMANDS, traveller_commands
from bot.transcription import transcriber_from_settings
from bot.travel import TravelCalculator

__all__ = [
    "ROUTES",
    "TRAVELLER_COMMANDS",
    "Route",
    "build_application",
    "run_bot",
    "settle_heap",
]

log = logging.getLogger(__name__)

# Measured with the bench's closed loop (200 travellers at once, aiohttp transport): 8
# connections and 64 updates in flight served ~270-370 updates/s at ~2.7-3.7 ms CPU each;
# 4 connections or 32 updates served fewer, and 128 updates in flight no more. Enough
# updates in flight also lets the draft saves of many travellers share one transaction.
CONNECTION_POOL_SIZE = 8
CONCURRENT_UPDATES = 64

#: The interview's own commands, with their English aliases.
INTERVIEW_COMMANDS = ["terug", "overzicht", "annuleer", "help", "overslaan"]
INTERVIEW_COMMANDS += ["back", "review", "cancel", "skip"]

SECRETARIAT_COMMANDS: list[BotCommand] = [
    *secretariat.SECRETARIAT_BOT_COMMANDS,
    BotCommand(
        "intrekken", t(SECRETARIAT_LANGUAGE, N_("Toegang intrekken: /intrekken id of @naam"))
    ),
]


def build_application(
    settings: Settings,
    store: Store,
    trip: TravelCalculator,
    clock: Callable[[], datetime],
    *,
    extra_senders: dict[str, Sender] | None = None,
    retry_delay: Callable[[int, float | None], float] | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The bot with every handler, the outbox job and the rate limiter."""
    assert settings.telegram_bot_token is not None
    metrics = Metrics(store, clock)
    svc = Services(
        settings=settings,
        store=store,
        trip=trip,
        clock=clock,
        transcriber=transcriber_from_settings(settings),
    )
    metrics.count_prefetches(svc.telegram)
    queue = DurableUpdateQueue(svc.telegram, on_received=metrics.received)
    transports = (
        AiohttpRequest(CONNECTION_POOL_SIZE, pool_timeout=30.0),
        InboxPollRequest(metrics, queue),
    )
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .rate_limiter(TwoLaneRateLimiter(max_retries=3))
        .update_queue(queue)
        .concurrent_updates(
            InboxUpdateProcessor(
                CONCURRENT_UPDATES,
                svc.telegram,
                on_handled=metrics.handled,
                unstored=queue.unstored,
            )
        )
        .request(transports[0])
        .get_updates_request(transports[1])
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if settings.telegram_api_file_url:
        builder = builder.base_file_url(settings.telegram_api_file_url)
    application = builder.build()
    senders = (
        telegram_senders(application.bot, store)
        | reminders.reminder_senders(application.bot, store)
        | email_senders(settings, store)
        | (extra_senders or {})
    )
    worker_options: dict[str, Any] = {"retry_delay": retry_delay} if retry_delay else {}
    svc.outbox = OutboxWorker(
        store=store,
        senders=senders,
        clock=clock,
        spawn=application.create_task,
        # A stopping application waits for its tasks: a flush ends after the item in hand.
        keep_going=lambda: application.running,
        **worker_options,
    )
    application.bot_data["services"] = svc
    application.bot_data["metrics"] = metrics
    application.bot_data["transports"] = transports
    _add_handlers(application, settings)
    return application


#: Handler groups, run in this order for every update; within a group the first matching
#: route answers. Earlier groups screen or note an update and let it through.
SCREEN = -4  # authority in the secretariat's chat, per-person limits, forged calendar data
USERNAMES = -3  # remember @usernames for the secretariat's /reis @naam
PENDING_INPUT = -2  # a typed answer the bot asked for outside the interview (a reason, a trip)
ACCESS = -1  # only allowed travellers go further
HANDLE = 0


@dataclass(frozen=True)
class Route:
    """One row of the routing table: what reaches `handler`, in which group.

    Exactly one of `commands`, `prefix` (callback data "<prefix>|…"), `message` (a message
    filter) or `every_update` says what; `chat` says where ("private", "desk": the
    secretariat's chat). Button presses are routed by prefix from any chat: their handlers
    check whose button it is."""

    handler: Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, Any]]
    group: int = HANDLE
    commands: tuple[str, ...] = ()
    prefix: str = ""
    message: filters.BaseFilter | None = None
    every_update: bool = False
    chat: Literal["private", "desk"] = "private"


#: Every handler of the bot, in registration order.
ROUTES: tuple[Route, ...] = (
    Route(gatekeeper.screen, group=SCREEN, every_update=True),
    Route(reminders.remember_username, group=USERNAMES, every_update=True),
    Route(
        secretariat.on_pending_text,
        group=PENDING_INPUT,
        message=filters.TEXT & ~filters.COMMAND,
    ),
    Route(access.guard, group=ACCESS, every_update=True),
    Route(access.on_revoke, commands=("intrekken",), chat="desk"),
    Route(traveller.on_edited, message=filters.UpdateType.EDITED),
    Route(traveller.on_start, commands=("start",)),
    Route(traveller.on_new, commands=("nieuw", "new")),
    Route(traveller.on_command, commands=tuple(INTERVIEW_COMMANDS)),
    Route(traveller.on_my_reports, commands=("mijnverslagen", "myreports")),
    Route(traveller.on_language, commands=("taal", "language")),
    Route(traveller.on_check, commands=("check",)),
    Route(secretariat.on_trip_command, commands=("reis",)),
    Route(secretariat.on_secretariat_trip, commands=("reis",), chat="desk"),
    Route(secretariat.on_open, commands=("openstaand",), chat="desk"),
    Route(secretariat.on_reports, commands=("verslagen",), chat="desk"),
    Route(secretariat.on_export, commands=("export",), chat="desk"),
    Route(council.on_annual_report, commands=("jaarrapport",), chat="desk"),
    Route(secretariat.on_remind_now, commands=("herinner",), chat="desk"),
    Route(privacy.on_my_data, commands=("mijngegevens",)),
    Route(privacy.on_erase, commands=("verwijder",)),
    Route(access.on_access_decision, prefix="acc"),
    Route(traveller.on_report_button, prefix="r"),
    Route(traveller.on_language_button, prefix="lang"),
    Route(traveller.on_callback, prefix="a"),  # answer a question
    Route(traveller.on_callback, prefix="m"),  # tick a multi-choice option
    Route(traveller.on_callback, prefix="c"),  # the calendar
    Route(voice.on_voice_button, prefix="v"),
    Route(privacy.on_erase_decision, prefix="avg"),
    Route(reminders.on_reminder_button, prefix="rem"),
    Route(traveller.on_text, message=filters.TEXT & ~filters.COMMAND),
    Route(traveller.on_unknown_command, message=filters.COMMAND),
    Route(voice.on_voice, message=filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE),
    Route(traveller.on_other_content, message=~filters.TEXT),
)


def callback_pattern(prefix: str) -> str:
    """The callback data a prefix routes: "<prefix>|" and anything after it."""
    return rf"^{re.escape(prefix)}\|"


def route_handler(
    route: Route, desk: filters.BaseFilter | None
) -> BaseHandler[Any, Any, Any] | None:
    """The python-telegram-bot handler of one route (None: a secretariat route without one)."""
    if route.every_update:
        return TypeHandler(Update, route.handler)
    if route.prefix:
        return CallbackQueryHandler(route.handler, pattern=callback_pattern(route.prefix))
    if route.chat == "desk" and desk is None:
        return None
    where = desk if route.chat == "desk" else filters.ChatType.PRIVATE
    assert where is not None
    if route.commands:
        return CommandHandler(list(route.commands), route.handler, filters=where)
    assert route.message is not None
    return MessageHandler(where & route.message, route.handler)


def _add_handlers(
    application: Application[Any, Any, Any, Any, Any, Any], settings: Settings
) -> None:
    """Register every route of ROUTES, the error handler and the periodic jobs."""
    chat_id = settings.secretariat_chat_id
    desk = filters.Chat(chat_id) if chat_id is not None else None
    for route in ROUTES:
        handler = route_handler(route, desk)
        if handler is not None:
            application.add_handler(handler, group=route.group)
    privacy.add_retention_job(application)
    reminders.add_reminder_jobs(application, settings)
    application.add_error_handler(_on_error)


async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register the command menus (Dutch, and English for English apps) and start the outbox."""
    svc: Services = application.bot_data["services"]
    await application.bot.set_my_commands(
        TRAVELLER_COMMANDS, scope=BotCommandScopeAllPrivateChats()
    )
    for language in LANGUAGES[1:]:
        await application.bot.set_my_commands(
            traveller_commands(language),
            scope=BotCommandScopeAllPrivateChats(),
            language_code=language,
        )
    if svc.settings.secretariat_chat_id is not None and SECRETARIAT_COMMANDS:
        await application.bot.set_my_commands(
            SECRETARIAT_COMMANDS, scope=BotCommandScopeChat(svc.settings.secretariat_chat_id)
        )
    if svc.settings.health_port is not None:
        health = HealthServer(
            application, svc.settings, svc.store, metrics_of(application), svc.clock
        )
        await health.start()
        application.bot_data["health"] = health
    await replay_inbox(svc.telegram, application.bot, application.update_queue)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _flush_outbox, interval=svc.settings.outbox_interval_seconds, first=0.1
        )
        application.job_queue.run_once(_resume_voice, when=0)


async def _resume_voice(context: ContextTypes.DEFAULT_TYPE) -> None:
    await voice.resume_voice_work(context.application)


async def _post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop the health endpoint, the HTTP sessions (still open when initialization failed,
    e.g. on a rejected token) and the store's worker threads."""
    health: HealthServer | None = application.bot_data.pop("health", None)
    if health is not None:
        await health.stop()
    for transport in application.bot_data["transports"]:
        await transport.shutdown()
    svc: Services = application.bot_data["services"]
    svc.service.runner.close()


def metrics_of(application: Application[Any, Any, Any, Any, Any, Any]) -> Metrics:
    """The application's metrics."""
    metrics: Metrics = application.bot_data["metrics"]
    return metrics


async def _flush_outbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    svc: Services = context.application.bot_data["services"]
    if svc.outbox is not None:
        svc.outbox.kick()  # returns at once: a slow delivery never makes the job overlap


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure (never the token) and tell the traveller their answers are safe."""
    metrics_of(context.application).errors.labels("handler" if update else "updates").inc()
    if isinstance(context.error, Conflict) and update is None:
        if _conflict_persists(context.application):
            _stop_on_conflict(context.application)
        else:
            log.warning("Telegram answered 409 Conflict: another getUpdates call; retrying")
        return
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(context.error, InvalidToken):
        lifecycle.stop_fatally(
            context.application, "Telegram rejected TELEGRAM_BOT_TOKEN while running"
        )
        return
    if (
        isinstance(update, Update)
        and update.effective_chat
        and update.effective_chat.type == "private"
    ):
        try:
            svc: Services = context.application.bot_data["services"]
            language = await svc.language_of(update.effective_user)
            await context.bot.send_message(
                update.effective_chat.id,
                t(
                    language,
                    N_(
                        "Er ging iets mis aan onze kant. Je antwoorden zijn bewaard; probeer "
                        "het zo opnieuw."
                    ),
                ),
            )
        except Exception:  # the network may be what failed
            log.warning("could not tell the user about the error")


#: Exit status of a second long-polling instance (Telegram's 409 Conflict).
EXIT_CONFLICT = 3
#: This many 409 answers within the window mean two instances are fighting over getUpdates.
CONFLICTS_TO_STOP = 5
CONFLICT_WINDOW_SECONDS = 60.0


def _conflict_persists(application: Application[Any, Any, Any, Any, Any, Any]) -> bool:
    """Whether this instance should give way: it never fetched updates (it is the newcomer),
    or the conflicts keep coming (two instances fighting; the first to see enough leaves)."""
    if metrics_of(application).last_poll is None:
        return True
    now = time.monotonic()
    seen: deque[float] = application.bot_data.setdefault("conflicts", deque())
    seen.append(now)
    while seen and seen[0] < now - CONFLICT_WINDOW_SECONDS:
        seen.popleft()
    return len(seen) >= CONFLICTS_TO_STOP


def _stop_on_conflict(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Another instance is polling with this token: say so and stop with EXIT_CONFLICT."""
    if application.bot_data.get("exit_code"):
        return
    log.critical(
        "Telegram answered 409 Conflict: another bot process is already fetching updates with "
        "this token (long polling allows one). Stopping this one. Run one polling instance, or "
        "several in webhook mode (WEBHOOK_URL) on PostgreSQL; see README, 'Running it'."
    )
    application.bot_data["exit_code"] = EXIT_CONFLICT
    application.stop_running()


#: The collector's young-generation threshold once the bot runs (Python's default is 700).
YOUNG_GENERATION_THRESHOLD = 5_000


def settle_heap() -> None:
    """Take what start-up loaded (places, rail network, airports, catalogues: alive as long as
    the process) out of the collector's full passes, and collect young objects less often.

    Measured with the bench (200 travellers at once): a full pass walked that data in ~0.2 s
    each, and the collector took ~0.4 ms of every update; frozen and at this threshold,
    about half of it. Call it once, after building the application and before serving."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, 20, 10)


def run_bot(
    settings: Settings, store: Store, trip: TravelCalculator, clock: Callable[[], datetime]
) -> int:
    """Run the bot until interrupted: long polling, or a webhook when WEBHOOK_URL is set.

    Returns the exit status: 0, or EXIT_CONFLICT when another instance was polling. Raises
    `FatalError` (or the Telegram error) when it cannot start or must stop: a missing webhook
    secret, a rejected token, an unreachable secretariat chat, a token revoked later."""
    problem = lifecycle.webhook_secret_problem(settings)
    if problem:
        raise lifecycle.FatalError(problem)
    application = build_application(settings, store, trip, clock)
    ready = application.post_init

    async def checked_post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await lifecycle.check_secretariat_chat(app, settings)
        if ready is not None:
            await ready(app)
        if app.job_queue is not None:
            app.job_queue.run_repeating(
                lifecycle.watch_token,
                interval=settings.token_check_seconds,
                first=settings.token_check_seconds,
            )

    application.post_init = checked_post_init
    settle_heap()
    if settings.webhook_url:
        assert settings.webhook_secret_token is not None
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path="telegram",
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret_token.get_secret_value(),
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    reason = lifecycle.fatal_reason(application)
    if reason is not None:
        raise lifecycle.FatalError(reason)
    return int(application.bot_data.get("exit_code", 0))

"""Builds the python-telegram-bot Application and runs it (long polling or webhook)."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat, Update
from telegram.error import Conflict, InvalidToken
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.mail import email_senders
from bot.outbox import OutboxWorker, Sender
from bot.store import Store
from bot.telegram import (
    access,
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
from bot.telegram.inbox import (
    DurableUpdateQueue,
    InboxPollRequest,
    InboxUpdateProcessor,
    replay_inbox,
)
from bot.telegram.ratelimit import TwoLaneRateLimiter
from bot.telegram.services import Services
from bot.telegram.traveller import TRAVELLER_COMMANDS
from bot.transcription import transcriber_from_settings
from bot.travel import TravelCalculator

__all__ = ["TRAVELLER_COMMANDS", "build_application", "run_bot"]

log = logging.getLogger(__name__)

# Measured with `make bench` (see bench/results/LATEST.md): httpcore checks every idle pooled
# connection on each request, so a few connections and a few updates in flight at once beat
# many: 4 and 4 gave ~410 updates/s against ~260 with PTB's defaults (256, unbounded).
CONNECTION_POOL_SIZE = 4
CONCURRENT_UPDATES = 4

SECRETARIAT_COMMANDS: list[BotCommand] = [
    *secretariat.SECRETARIAT_BOT_COMMANDS,
    BotCommand("intrekken", "Toegang intrekken: /intrekken id of @naam"),
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
    queue = DurableUpdateQueue(svc.telegram, on_received=metrics.received)
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
        .connection_pool_size(CONNECTION_POOL_SIZE)
        .pool_timeout(30.0)
        .get_updates_request(InboxPollRequest(metrics, queue))
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
        store=store, senders=senders, clock=clock, spawn=application.create_task, **worker_options
    )
    application.bot_data["services"] = svc
    application.bot_data["metrics"] = metrics
    _add_handlers(application, settings)
    return application


def _add_handlers(
    application: Application[Any, Any, Any, Any, Any, Any], settings: Settings
) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(TypeHandler(Update, gatekeeper.screen), group=-4)
    application.add_handler(TypeHandler(Update, access.guard), group=-1)
    if settings.secretariat_chat_id is not None:
        desk = filters.Chat(settings.secretariat_chat_id)
        application.add_handler(CommandHandler("intrekken", access.on_revoke, filters=desk))
    application.add_handler(
        MessageHandler(private & filters.UpdateType.EDITED, traveller.on_edited)
    )
    application.add_handler(CommandHandler("start", traveller.on_start, filters=private))
    application.add_handler(CommandHandler("nieuw", traveller.on_new, filters=private))
    application.add_handler(
        CommandHandler(
            ["terug", "overzicht", "annuleer", "help", "overslaan"],
            traveller.on_command,
            filters=private,
        )
    )
    application.add_handler(
        CommandHandler("mijnverslagen", traveller.on_my_reports, filters=private)
    )
    application.add_handler(CommandHandler("check", traveller.on_check, filters=private))
    application.add_handler(CallbackQueryHandler(access.on_access_decision, pattern=r"^acc\|"))
    application.add_handler(CallbackQueryHandler(traveller.on_report_button, pattern=r"^r\|"))
    application.add_handler(CallbackQueryHandler(traveller.on_callback, pattern=r"^[amc]\|"))
    application.add_handler(CallbackQueryHandler(voice.on_voice_button, pattern=r"^v\|"))
    secretariat.add_secretariat_handlers(application, settings)
    privacy.add_privacy_handlers(application)
    reminders.add_reminder_jobs(application, settings)
    application.add_handler(
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, traveller.on_text)
    )
    application.add_handler(MessageHandler(private & filters.COMMAND, traveller.on_unknown_command))
    application.add_handler(
        MessageHandler(
            private & (filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE), voice.on_voice
        )
    )
    application.add_handler(MessageHandler(private & ~filters.TEXT, traveller.on_other_content))
    application.add_error_handler(_on_error)


async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register the Dutch command menus and start delivering the outbox."""
    svc: Services = application.bot_data["services"]
    await application.bot.set_my_commands(
        TRAVELLER_COMMANDS, scope=BotCommandScopeAllPrivateChats()
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
    """Stop the health endpoint and the store's worker threads."""
    health: HealthServer | None = application.bot_data.pop("health", None)
    if health is not None:
        await health.stop()
    svc: Services = application.bot_data["services"]
    svc.telegram.close()


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
            await context.bot.send_message(
                update.effective_chat.id,
                "Er ging iets mis aan onze kant. Je antwoorden zijn bewaard; probeer het zo opnieuw.",
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

"""Start-up checks, one clear cause for every start-up failure, and a bot that stops (non-zero)
when Telegram rejects its token while it runs, so a supervisor restarts it or alerts."""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy.engine import make_url
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
)
from telegram.ext import Application, ContextTypes

from bot.config import Settings
from bot.store import StoreUnavailable

__all__ = [
    "TOKEN_CHECK_SECONDS",
    "FatalError",
    "check_secretariat_chat",
    "describe_startup_error",
    "fatal_reason",
    "stop_fatally",
    "watch_token",
    "webhook_secret_problem",
]

log = logging.getLogger(__name__)

#: How often the running bot asks Telegram whether its token is still accepted.
TOKEN_CHECK_SECONDS = 60.0

_FATAL = "fatal_reason"
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class FatalError(RuntimeError):
    """A problem the operator must fix before the bot can run; the message names it."""


def webhook_secret_problem(settings: Settings) -> str | None:
    """Why the webhook settings are unsafe to run with, or None when they are fine."""
    if not settings.webhook_url:
        return None
    secret = (
        settings.webhook_secret_token.get_secret_value() if settings.webhook_secret_token else ""
    )
    if not secret:
        return (
            "WEBHOOK_URL is set but WEBHOOK_SECRET_TOKEN is empty: refusing to start, "
            "anyone who finds the URL could post forged updates. Set WEBHOOK_SECRET_TOKEN "
            "(1-256 characters A-Z, a-z, 0-9, _ and -)."
        )
    if not _SECRET_TOKEN.fullmatch(secret):
        return (
            "WEBHOOK_SECRET_TOKEN may only hold 1-256 characters A-Z, a-z, 0-9, _ and - "
            "(Telegram refuses other secrets)."
        )
    return None


def _chain(error: BaseException) -> list[BaseException]:
    """The error and its causes, outermost first."""
    links = [error]
    while links[-1].__cause__ is not None and len(links) < 20:
        links.append(links[-1].__cause__)
    return links


def _one_line(error: BaseException) -> str:
    """The innermost cause as one line: its type and message, whitespace collapsed."""
    cause = _chain(error)[-1]
    return " ".join(f"{type(cause).__name__}: {cause}".split())


def describe_startup_error(error: BaseException, settings: Settings) -> str:
    """One line that tells the operator what is wrong (never the traveller's Dutch message)."""
    base_url = settings.telegram_api_base_url
    if isinstance(error, FatalError):
        return str(error)
    if isinstance(error, StoreUnavailable):
        database = make_url(settings.database_url).render_as_string(hide_password=True)
        return f"database unreachable ({database}): {_one_line(error)}"
    if isinstance(error, InvalidToken):
        if any("Not Found" in str(link) for link in _chain(error)):
            return (
                f"the Bot API at TELEGRAM_API_BASE_URL={base_url} answered 404 Not Found: the "
                "base URL is wrong, or TELEGRAM_BOT_TOKEN is malformed"
            )
        return "Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized): revoked or mistyped"
    if isinstance(error, Conflict):
        return (
            "another process is already receiving this bot's updates (409 Conflict): "
            "stop the other instance or use webhook mode"
        )
    if isinstance(error, NetworkError):
        return (
            f"cannot reach the Bot API at TELEGRAM_API_BASE_URL={base_url}: {error.message} "
            "(base URL wrong, or no network)"
        )
    if isinstance(error, TelegramError):
        return (
            f"unexpected answer from the Bot API at TELEGRAM_API_BASE_URL={base_url}: "
            f"{error.message} (is the base URL right?)"
        )
    return _one_line(error)


async def check_secretariat_chat(application: AnyApplication, settings: Settings) -> None:
    """Warn without SECRETARIAT_CHAT_ID; stop when the configured chat cannot be reached."""
    chat_id = settings.secretariat_chat_id
    if chat_id is None:
        log.warning(
            "SECRETARIAT_CHAT_ID is not set: reports go only to the traveller, access requests "
            "reach no one and the secretariat's commands are off"
        )
        return
    try:
        await application.bot.get_chat(chat_id)
    except ChatMigrated as error:
        raise FatalError(
            f"SECRETARIAT_CHAT_ID={chat_id} was upgraded to a supergroup: "
            f"set SECRETARIAT_CHAT_ID={error.new_chat_id}"
        ) from error
    except (BadRequest, Forbidden) as error:
        raise FatalError(
            f"secretariat chat missing: SECRETARIAT_CHAT_ID={chat_id} cannot be reached "
            f"({error.message}); is the id right and is the bot a member of that group?"
        ) from error


def stop_fatally(application: AnyApplication, reason: str) -> None:
    """Remember why and stop the running application; `run_bot` then exits non-zero."""
    if application.bot_data.get(_FATAL) is None:
        application.bot_data[_FATAL] = reason
        log.critical("stopping: %s", reason)
    application.stop_running()


def fatal_reason(application: AnyApplication) -> str | None:
    """Why the application stopped itself, or None after a normal stop."""
    reason: str | None = application.bot_data.get(_FATAL)
    return reason


async def watch_token(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job: a token revoked while running stops the process instead of leaving it idle."""
    try:
        await context.bot.get_me()
    except InvalidToken:
        stop_fatally(
            context.application, "Telegram rejected TELEGRAM_BOT_TOKEN while running (revoked?)"
        )
    except TelegramError as error:  # a network hiccup: polling retries on its own
        log.debug("token check skipped: %s", error)

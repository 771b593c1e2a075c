"""Delivery of finished reports over Telegram through the durable outbox."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from bot.outbox import OutboxWorker, PermanentFailure, RetryLater, Sender
from bot.render import document_filename
from bot.render_process import render_document
from bot.report import Report
from bot.service.deliveries import (
    DOCUMENT,
    MESSAGE,
    document_copies,
    report_outbox,
    secretariat_summary,
)
from bot.store import OutboxItem, Store
from bot.telegram.ratelimit import bulk_sending
from bot.telegram.sending import send_html_to

__all__ = [
    "DOCUMENT",
    "MESSAGE",
    "TelegramChannel",
    "report_outbox",
    "schedule_flush",
    "secretariat_summary",
    "telegram_call",
    "telegram_senders",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TelegramChannel:
    """A traveller's private Telegram chat, as the service's `Channel`."""

    chat_id: int

    def report_copies(self, report: Report) -> list[OutboxItem]:
        """The Word and PDF file of the finished report, to this chat."""
        return document_copies(report, self.chat_id, "traveller")


class _DocumentCache:
    """The last few rendered documents, so traveller and secretariat copies render once."""

    def __init__(self, size: int = 8) -> None:
        self._items: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._size = size

    async def get(self, report: Report, fmt: str) -> bytes:
        key = (report.report_id, fmt)
        if key not in self._items:
            self._items[key] = await render_document(report, fmt)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        self._items.move_to_end(key)
        return self._items[key]


async def telegram_call(call: Any) -> None:
    """Run one Bot API call, turning Telegram's errors into retry decisions."""
    try:
        with bulk_sending():
            await call
    except RetryAfter as error:
        delay = error.retry_after
        raise RetryLater(
            "429 Too Many Requests",
            float(delay.total_seconds() if hasattr(delay, "total_seconds") else delay),
        ) from error
    except (TimedOut, NetworkError) as error:
        if isinstance(error, BadRequest):
            raise PermanentFailure(str(error)) from error
        raise RetryLater(str(error)) from error
    except Forbidden as error:
        raise PermanentFailure(str(error)) from error


def _buttons(rows: list[list[list[str]]] | None) -> InlineKeyboardMarkup | None:
    """Inline buttons stored in a payload as rows of [text, callback data]."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


async def _moved_chat_aware(store: Store, payload: dict[str, Any], call: Any) -> None:
    """Send; when the group became a supergroup, move every queued item there and retry."""
    try:
        await telegram_call(call)
    except ChatMigrated as error:
        old, new = payload["chat_id"], error.new_chat_id
        moved = await asyncio.to_thread(store.outbox.move_chat, old, new)
        log.error(
            "chat %s became supergroup %s: %s queued deliveries moved there; set "
            "SECRETARIAT_CHAT_ID=%s if it was the secretariat's",
            old,
            new,
            moved,
            new,
        )
        raise RetryLater(f"chat moved to {new}", 0.0) from error


def telegram_senders(bot: Bot, store: Store) -> dict[str, Sender]:
    """Senders for the Telegram outbox kinds."""
    cache = _DocumentCache()

    async def send_message(payload: dict[str, Any]) -> None:
        await send_html_to(
            bot,
            payload["chat_id"],
            payload["html"],
            _buttons(payload.get("buttons")),
            wrap=lambda call: _moved_chat_aware(store, payload, call),
        )

    async def send_document(payload: dict[str, Any]) -> None:
        report = await asyncio.to_thread(store.reports.get, payload["report_id"])
        if report is None:
            raise PermanentFailure(f"report {payload['report_id']} not found")
        fmt = payload["format"]
        content = await cache.get(report, fmt)
        await _moved_chat_aware(
            store,
            payload,
            bot.send_document(
                payload["chat_id"],
                content,
                filename=document_filename(report, fmt),
                disable_notification=fmt != "pdf",
            ),
        )

    return {MESSAGE: send_message, DOCUMENT: send_document}


def schedule_flush(services: Any) -> None:
    """Deliver now instead of waiting for the next periodic run."""
    worker: OutboxWorker | None = getattr(services, "outbox", None)
    if worker is not None:
        worker.kick()

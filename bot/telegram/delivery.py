"""Delivery of finished reports over Telegram through the durable outbox."""

from __future__ import annotations

import asyncio
import html
import logging
from collections import OrderedDict
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

from bot.config import Settings
from bot.outbox import OutboxWorker, PermanentFailure, RetryLater, Sender
from bot.render import document_filename, render_docx, render_pdf
from bot.report import Report
from bot.store import OutboxItem, Store
from bot.telegram.ratelimit import bulk_sending
from bot.telegram.sending import send_html_to

__all__ = [
    "DOCUMENT",
    "MESSAGE",
    "report_outbox",
    "schedule_flush",
    "secretariat_summary",
    "telegram_call",
    "telegram_senders",
]

log = logging.getLogger(__name__)

MESSAGE = "telegram_message"
DOCUMENT = "telegram_document"
EMAIL = "email"
_RENDERERS = {"docx": render_docx, "pdf": render_pdf}


def secretariat_summary(report: Report) -> str:
    """Short HTML summary for the secretariat: who, where, when, modes, km, CO2, the exception."""
    check = report.rail_check
    if check and check.justification_required:
        rule = "⚠️ uitzondering op de 8-uursregel gebruikt"
        if report.justification_flagged:
            rule += " — toelichting noemt alleen efficiëntie (gemarkeerd)"
    else:
        rule = "8-uursregel niet van toepassing"
    if check and check.flown:
        rule += f"\nTreinreis {html.escape(check.figures_text())}"
    lines = [
        "<b>Nieuw verslag buitenlandse dienstreis</b>",
        f"Van: {html.escape(report.traveller.name)} ({html.escape(report.traveller.department or '-')})",
        f"Naar: {html.escape(report.destination_label)}",
        f"Wanneer: {html.escape(report.period.describe())}",
        f"Personen: {report.persons}",
        f"Vervoer: {html.escape(report.modes_text())}",
        f"Totaal: {report.totals_text()}",
        rule,
    ]
    return "\n".join(lines)


def report_outbox(report: Report, traveller_chat_id: int, settings: Settings) -> list[OutboxItem]:
    """Everything to deliver for a finished report, each with a key that makes it happen once."""
    rid = report.report_id
    items = [
        OutboxItem(
            DOCUMENT,
            f"{rid}:traveller:docx",
            {"chat_id": traveller_chat_id, "report_id": rid, "format": "docx"},
        ),
        OutboxItem(
            DOCUMENT,
            f"{rid}:traveller:pdf",
            {"chat_id": traveller_chat_id, "report_id": rid, "format": "pdf"},
        ),
    ]
    if settings.secretariat_chat_id is not None:
        chat = settings.secretariat_chat_id
        items += [
            OutboxItem(
                MESSAGE,
                f"{rid}:secretariat:summary",
                {"chat_id": chat, "html": secretariat_summary(report)},
            ),
            OutboxItem(
                DOCUMENT,
                f"{rid}:secretariat:docx",
                {"chat_id": chat, "report_id": rid, "format": "docx"},
            ),
            OutboxItem(
                DOCUMENT,
                f"{rid}:secretariat:pdf",
                {"chat_id": chat, "report_id": rid, "format": "pdf"},
            ),
        ]
    if settings.email_enabled:
        items.append(OutboxItem(EMAIL, f"{rid}:email", {"report_id": rid}))
    return items


class _DocumentCache:
    """The last few rendered documents, so traveller and secretariat copies render once."""

    def __init__(self, size: int = 8) -> None:
        self._items: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._size = size

    async def get(self, report: Report, fmt: str) -> bytes:
        key = (report.report_id, fmt)
        if key not in self._items:
            self._items[key] = await asyncio.to_thread(_RENDERERS[fmt], report)
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
        moved = await asyncio.to_thread(store.move_outbox_chat, old, new)
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
        report = store.get_report(payload["report_id"])
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

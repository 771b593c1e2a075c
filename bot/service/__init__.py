"""The service layer: every use case of the bot, channel-neutral, each one unit of work.

Adapters (Telegram, the console, e-mail) translate their input into a call of a use case
and show what comes back; they reach people through the `Channel` and `Notifier` ports.
The synchronous use cases live in `reports`, `trips` and `access`; `ReportService` is
their one async facade for the event loop. See docs/architecture.md.
"""

from __future__ import annotations

from bot.service.deliveries import DOCUMENT, EMAIL, MESSAGE, report_outbox, secretariat_summary
from bot.service.facade import Coalescer, StoreRunner
from bot.service.ports import Channel, Notifier
from bot.service.service import ReportService

__all__ = [
    "DOCUMENT",
    "EMAIL",
    "MESSAGE",
    "Channel",
    "Coalescer",
    "Notifier",
    "ReportService",
    "StoreRunner",
    "report_outbox",
    "secretariat_summary",
]

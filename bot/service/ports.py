"""The ports of the service layer: what it asks of a channel, without knowing which one.

A channel (Telegram, the console, e-mail, a future Teams or web form) is an adapter that
implements these protocols. The use cases decide *what* happens and *who* is told; the
channel decides how a notice looks and which outbox item carries it there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.report import Report
from bot.store import Account, OutboxItem, Trip

__all__ = ["Channel", "Notifier"]


class Channel(Protocol):
    """The channel a traveller finished a report on: how they get their own copies."""

    def report_copies(self, report: Report) -> Sequence[OutboxItem]:
        """The deliveries that bring the finished report's documents to the traveller."""
        ...


class Notifier(Protocol):
    """How the service tells a traveller something outside a conversation (reminders)."""

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
        """The reminder message for the trip's traveller, in their language; None when they
        cannot be reached."""
        ...

"""Plain records the store hands out and takes in, its errors, and the retry schedule."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from bot.i18n import N_

__all__ = [
    "READ_FAILED_MESSAGE",
    "SAVE_FAILED_MESSAGE",
    "AccessAction",
    "AccessEvent",
    "AccessStatus",
    "Account",
    "Draft",
    "DraftVersion",
    "DuplicateUpdate",
    "OutboxItem",
    "OutboxMessage",
    "Reminder",
    "ReportConflict",
    "StaleDraft",
    "StoreUnavailable",
    "Trip",
    "TripStatus",
    "next_retry_delay",
    "sender_of",
    "utc_now",
]

#: What a traveller reads when the database refused a write (locked, disk full, gone).
SAVE_FAILED_MESSAGE = N_(
    "Je antwoord kon niet worden opgeslagen: de opslag is even niet beschikbaar. "
    "Wat je eerder gaf is bewaard gebleven. Stuur je antwoord over een minuut nog eens."
)

#: What a traveller reads when the database could not be read.
READ_FAILED_MESSAGE = N_(
    "Je gegevens konden nu niet worden opgehaald: de opslag is even niet beschikbaar. "
    "Probeer het over een minuut nog eens."
)

_RETRY_BASE_SECONDS = 5.0
_RETRY_CAP_SECONDS = 3600.0


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def sender_of(payload: dict[str, Any]) -> int | None:
    """The Telegram user id a raw update comes from (None for updates without a sender)."""
    for value in payload.values():
        if isinstance(value, dict):
            sender = value.get("from")
            if isinstance(sender, dict) and isinstance(sender.get("id"), int):
                return int(sender["id"])
    return None


def next_retry_delay(attempts: int, retry_after: float | None = None) -> float:
    """Seconds to wait before the next delivery attempt: 5 s doubling per attempt, at most 1 h.

    `attempts` counts the attempts made so far (1 after the first failure). A
    `retry_after` demanded by the other side (Telegram's 429) is honoured when longer.
    """
    exponent = min(max(attempts - 1, 0), 30)
    delay = min(_RETRY_BASE_SECONDS * 2**exponent, _RETRY_CAP_SECONDS)
    if retry_after is not None and retry_after > delay:
        return float(retry_after)
    return delay


class StoreUnavailable(RuntimeError):
    """The database could not be reached or written (locked, disk full, connection lost).

    `message` (also `str(error)`) is a Dutch text for the traveller; the cause is chained.
    """

    def __init__(self, message: str = SAVE_FAILED_MESSAGE) -> None:
        """Carry the Dutch message for the traveller."""
        super().__init__(message)
        self.message = message


class ReportConflict(ValueError):
    """A report with this id exists with other content: reports are never overwritten."""


class DuplicateUpdate(Exception):
    """This Telegram update was applied before (redelivered after a crash): nothing was saved."""


class StaleDraft(Exception):
    """The draft changed or went since it was read (another process wrote it): nothing was
    saved; read it again."""


@dataclass(frozen=True)
class DraftVersion:
    """Which stored draft a copy was read from: its revision within one incarnation, which
    `created_at` tells apart (a draft deleted and started again counts from 1 again)."""

    revision: int
    created_at: datetime


class AccessStatus(StrEnum):
    """Whether a traveller may use the bot."""

    ALLOWED = "allowed"
    PENDING = "pending"
    REJECTED = "rejected"


class AccessAction(StrEnum):
    """One line of the access audit."""

    REQUESTED = "requested"
    GRANTED = "granted"
    REJECTED = "rejected"
    REVOKED = "revoked"


@dataclass(frozen=True)
class AccessEvent:
    """Who asked for, granted, rejected or revoked a traveller's access, and when."""

    id: int
    user_ref: str
    action: AccessAction
    by_user_ref: str | None
    at: datetime


class TripStatus(StrEnum):
    """Where an announced trip stands."""

    PLANNED = "planned"
    REPORTED = "reported"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Account:
    """Everything the store knows about one traveller."""

    user_ref: str
    name: str | None
    department: str | None
    telegram_user_id: int | None
    chat_id: int | None
    status: AccessStatus
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Draft:
    """The unfinished interview of one traveller, as the interview serialised it."""

    user_ref: str
    state: dict[str, Any]
    revision: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class OutboxItem:
    """Something to deliver once: a message, a document, an email."""

    kind: str
    dedupe_key: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OutboxMessage:
    """An outbox item as stored, claimed by a worker for delivery."""

    id: int
    kind: str
    dedupe_key: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    claimed_until: datetime | None
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class Trip:
    """A trip announced before it happens, so the report can be asked for afterwards."""

    trip_id: str
    user_ref: str
    destination: str
    departure: date
    return_date: date
    created_by: str
    created_at: datetime
    status: TripStatus
    cancel_reason: str | None
    report_id: str | None


@dataclass(frozen=True)
class Reminder:
    """One scheduled reminder about one trip."""

    id: int
    trip_id: str
    user_ref: str
    kind: str
    due_at: datetime
    sent_at: datetime | None
    snoozed_until: datetime | None
    cancelled_at: datetime | None

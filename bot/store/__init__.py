"""Persistence: traveller profiles, drafts, finished reports, the outbox, trips, reminders."""

from __future__ import annotations

from bot.store.records import (
    READ_FAILED_MESSAGE,
    SAVE_FAILED_MESSAGE,
    AccessAction,
    AccessEvent,
    AccessStatus,
    Account,
    Draft,
    DraftVersion,
    DuplicateUpdate,
    OutboxItem,
    OutboxMessage,
    Reminder,
    ReportConflict,
    StaleDraft,
    StoreUnavailable,
    Trip,
    TripStatus,
    next_retry_delay,
    sender_of,
    utc_now,
)
from bot.store.store import MIGRATIONS_DIR, Store
from bot.store.unit_of_work import UnitOfWork

__all__ = [
    "MIGRATIONS_DIR",
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
    "Store",
    "StoreUnavailable",
    "Trip",
    "TripStatus",
    "UnitOfWork",
    "next_retry_delay",
    "sender_of",
    "utc_now",
]

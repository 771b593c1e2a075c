"""The tables of the store (SQLAlchemy Core), portable between SQLite and PostgreSQL.

The Alembic migrations in `bot/migrations/versions/` create exactly this schema; a
test compares the migrated database with this metadata so the two cannot drift.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

__all__ = [
    "JsonText",
    "UTCDateTime",
    "access_audit",
    "drafts",
    "inbox",
    "metadata",
    "outbox",
    "pending_inputs",
    "processed_updates",
    "reminders",
    "reports",
    "serialize_json",
    "telegram_usernames",
    "travellers",
    "trips",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class JsonText(str):
    """A value for a JSON column that is JSON text already (a draft the cache holds as
    text anyway): stored as it is, instead of being parsed and written out again."""

    __slots__ = ()


def serialize_json(value: Any) -> str:
    """The engine's writer for JSON columns: `JsonText` as it is, anything else dumped as
    SQLAlchemy's default writer does."""
    return str.__str__(value) if isinstance(value, JsonText) else json.dumps(value)


class UTCDateTime(TypeDecorator[datetime]):
    """A moment in time: stored as naive UTC everywhere, returned timezone-aware (UTC).

    Naive UTC keeps SQLite's text comparison and PostgreSQL's `timestamp` equally
    correct; a naive datetime handed in is refused, since its zone is unknown.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        """Aware datetime -> naive UTC for storage."""
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"timezone-aware datetime required, got {value!r}")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Naive UTC from storage -> aware UTC datetime."""
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


_USER_REF = 100
_ID = 64
#: Destinations and other lists a traveller types: no length limit (on PostgreSQL a
#: VARCHAR(500) made a long multi-city answer unsendable). SQLite never enforces a VARCHAR
#: length, so its tables keep the declared VARCHAR(500) (recreating them would cascade).
_LONG_TEXT = Text().with_variant(String(500), "sqlite")

travellers = Table(
    "travellers",
    metadata,
    Column("user_ref", String(_USER_REF), primary_key=True),
    Column("name", String(200), nullable=True),
    Column("department", String(200), nullable=True),
    Column("telegram_user_id", BigInteger, nullable=True, index=True),
    Column("chat_id", BigInteger, nullable=True),
    Column("status", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("status IN ('allowed', 'pending', 'rejected')", name="status"),
)

drafts = Table(
    "drafts",
    metadata,
    Column("user_ref", String(_USER_REF), primary_key=True),
    Column("state", JSON, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False, index=True),
    # When the traveller was told this idle draft will be deleted (retention job).
    Column("retention_warned_at", UTCDateTime, nullable=True),
)

reports = Table(
    "reports",
    metadata,
    Column("report_id", String(_ID), primary_key=True),
    Column("user_ref", String(_USER_REF), nullable=False, index=True),
    Column("payload", JSON, nullable=False),
    Column("year", Integer, nullable=False, index=True),
    Column("departure", Date, nullable=False),
    Column("return_date", Date, nullable=False),
    Column("destination", _LONG_TEXT, nullable=False),
    Column("submitted_at", UTCDateTime, nullable=False, index=True),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(50), nullable=False),
    Column("dedupe_key", String(200), nullable=False, unique=True),
    Column("payload", JSON, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("claimed_until", UTCDateTime, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Index(None, "sent_at", "next_attempt_at"),
)

inbox = Table(
    "inbox",
    metadata,
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("payload", JSON, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    # Who sent it: a traveller's later update waits for their earlier ones (bot/telegram/ordering.py).
    Column("user_id", BigInteger, nullable=True, index=True),
)

processed_updates = Table(
    "processed_updates",
    metadata,
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("seen_at", UTCDateTime, nullable=False, index=True),
)

trips = Table(
    "trips",
    metadata,
    Column("trip_id", String(_ID), primary_key=True),
    Column("user_ref", String(_USER_REF), nullable=False, index=True),
    Column("destination", _LONG_TEXT, nullable=False),
    Column("departure", Date, nullable=False),
    Column("return_date", Date, nullable=False),
    Column("created_by", String(_USER_REF), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("cancel_reason", Text, nullable=True),
    Column("report_id", String(_ID), ForeignKey("reports.report_id"), nullable=True),
    CheckConstraint("status IN ('planned', 'reported', 'cancelled')", name="status"),
)

reminders = Table(
    "reminders",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("trip_id", String(_ID), ForeignKey("trips.trip_id", ondelete="CASCADE"), nullable=False),
    Column("user_ref", String(_USER_REF), nullable=False, index=True),
    Column("kind", String(50), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("snoozed_until", UTCDateTime, nullable=True),
    Column("cancelled_at", UTCDateTime, nullable=True),
    UniqueConstraint("trip_id", "kind", "due_at"),
    Index(None, "sent_at", "due_at"),
)

pending_inputs = Table(
    "pending_inputs",
    metadata,
    Column("user_ref", String(_USER_REF), primary_key=True),
    Column("kind", String(50), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

telegram_usernames = Table(
    "telegram_usernames",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("telegram_user_id", BigInteger, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

access_audit = Table(
    "access_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_ref", String(_USER_REF), nullable=False),
    Column("action", String(16), nullable=False),
    Column("by_user_ref", String(_USER_REF), nullable=True),
    Column("at", UTCDateTime, nullable=False),
    CheckConstraint("action IN ('requested', 'granted', 'rejected', 'revoked')", name="action"),
    Index(None, "user_ref", "id"),
)

#: The language a traveller chose with /taal or /language (their app's language otherwise).
traveller_languages = Table(
    "traveller_languages",
    metadata,
    Column("user_ref", String(_USER_REF), primary_key=True),
    Column("language", String(8), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

"""The store: traveller profiles, drafts, finished reports, the outbox, trips, reminders and
the pending inputs (what a traveller's next message answers outside the interview).

One SQLAlchemy (sync) engine on `DATABASE_URL`: SQLite by default, PostgreSQL as well.
Every public method is one short transaction that is committed before it returns,
so a traveller's answer is on disk before the bot replies. Writes on SQLite start
with `BEGIN IMMEDIATE`, so two writers queue on the busy timeout instead of
failing halfway. A database that is locked too long, full, or gone surfaces as
`StoreUnavailable` (with a Dutch message for the traveller); the transaction is
rolled back, so what was saved before stays intact.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Connection,
    Engine,
    Row,
    Table,
    and_,
    create_engine,
    delete,
    event,
    func,
    or_,
    select,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from bot.report import Report, Traveller
from bot.store import schema
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
    utc_now,
)

__all__ = ["MIGRATIONS_DIR", "Store"]

#: Alembic's script directory, shipped inside the package.
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

#: How long processed Telegram update ids are kept (Telegram keeps updates 24 hours).
UPDATE_RETENTION = timedelta(days=7)
_PRUNE_INTERVAL = timedelta(hours=1)

_BEGIN_OPTION = "reisverslag_sqlite_begin"
_MIGRATION_LOCK_ID = 0x7265697376  # PostgreSQL advisory lock key: 'reisv'
_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


def _enable_wal(cursor: Any, busy_timeout_ms: int) -> None:
    """Switch the file to WAL (persistent), retrying: SQLite skips the busy handler for it."""
    deadline = time.monotonic() + busy_timeout_ms / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _create_engine(database_url: str, busy_timeout_ms: int) -> Engine:
    """An engine with SQLite tuned for a bot: WAL, foreign keys, busy timeout, real BEGIN."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    if url.get_backend_name() != "sqlite":
        raise ValueError(f"unsupported database: {url.get_backend_name()} (sqlite or postgresql)")
    in_memory = url.database in (None, "", ":memory:")
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        poolclass=StaticPool if in_memory else None,
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        """Let SQLAlchemy emit BEGIN itself and set the pragmas, once per connection."""
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if not in_memory:
            _enable_wal(cursor, busy_timeout_ms)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        """BEGIN (reads) or BEGIN IMMEDIATE (writes: take the write lock up front)."""
        connection.exec_driver_sql(connection.get_execution_options().get(_BEGIN_OPTION, "BEGIN"))

    return engine


_Record = TypeVar("_Record")

#: The enum of the `status` column, per record type.
_STATUS_TYPES: dict[type, type[StrEnum]] = {Account: AccessStatus, Trip: TripStatus}
#: Other enum columns, per record type: (column, enum).
_ENUM_FIELDS: dict[type, tuple[str, type[StrEnum]]] = {AccessEvent: ("action", AccessAction)}


def _as_record(record_type: type[_Record], row: Row[Any]) -> _Record:
    """A table row as the record dataclass with the same field names (enums converted)."""
    values = {item.name: getattr(row, item.name) for item in fields(record_type)}  # type: ignore[arg-type]
    if "status" in values:
        values["status"] = _STATUS_TYPES[record_type](values["status"])
    if record_type in _ENUM_FIELDS:
        name, enum = _ENUM_FIELDS[record_type]
        values[name] = enum(values[name])
    return record_type(**values)


def _submitted_at(report: Report, now: datetime) -> datetime:
    """When the report was submitted: its own timestamp (naive taken as UTC), else `now`."""
    if report.submitted_at is None:
        return now
    if report.submitted_at.tzinfo is None:
        return report.submitted_at.replace(tzinfo=UTC)
    return report.submitted_at


def _report_row(user_ref: str, report: Report, now: datetime) -> dict[str, Any]:
    """The reports row of a finished report: the full JSON plus the columns queried on."""
    return {
        "report_id": report.report_id,
        "user_ref": user_ref,
        "payload": report.model_dump(mode="json"),
        "year": report.period.departure.year,
        "departure": report.period.departure,
        "return_date": report.period.return_date,
        "destination": report.destination_label,
        "submitted_at": _submitted_at(report, now),
    }


class Store:
    """Persistence of the bot; open with `Store(url)` or `Store.open(url)`, end with `close()`."""

    def __init__(
        self,
        database_url: str,
        *,
        clock: Callable[[], datetime] = utc_now,
        busy_timeout_ms: int = 5000,
    ) -> None:
        """Connect and migrate the database to the newest schema."""
        self.database_url = database_url
        self.engine = _create_engine(database_url, busy_timeout_ms)
        self._writer = self.engine.execution_options(**{_BEGIN_OPTION: "BEGIN IMMEDIATE"})
        self._clock = clock
        self._pruned_at: datetime | None = None
        try:
            self.migrate()
        except BaseException:
            self.engine.dispose()
            raise

    @classmethod
    def open(cls, database_url: str, **options: Any) -> Store:
        """Open the store at `database_url`, migrated to head."""
        return cls(database_url, **options)

    def close(self) -> None:
        """Close every connection (SQLite checkpoints its WAL when the last one closes)."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        """Use the store as a context manager."""
        return self

    def __exit__(self, *_exc: object) -> None:
        """Close on leaving the block."""
        self.close()

    # -- plumbing ---------------------------------------------------------------------

    def migrate(self) -> None:
        """Run the Alembic migrations up to head, one process at a time."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.set_main_option("sqlalchemy.url", self.database_url.replace("%", "%%"))
        with self._write() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK_ID)))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def _now(self, now: datetime | None) -> datetime:
        """The given time, or the clock's."""
        return now if now is not None else self._clock()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction, committed on leaving; failures become StoreUnavailable."""
        try:
            with self._writer.begin() as connection:
                yield connection
        except _UNAVAILABLE as error:
            raise StoreUnavailable(SAVE_FAILED_MESSAGE) from error

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """One read transaction (a consistent snapshot)."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except _UNAVAILABLE as error:
            raise StoreUnavailable(READ_FAILED_MESSAGE) from error

    def _insert(self, connection: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
        """The dialect's INSERT, which knows ON CONFLICT."""
        if connection.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    def _insert_ignoring_conflicts(
        self, connection: Connection, table: Table, rows: Sequence[dict[str, Any]]
    ) -> int:
        """Insert rows, skipping those that clash with a unique key; the number inserted.

        Counted with RETURNING: psycopg reports no rowcount for INSERT ... ON CONFLICT.
        """
        inserted = 0
        for row in rows:
            statement = (
                self._insert(connection, table)
                .values(**row)
                .on_conflict_do_nothing()
                .returning(*table.primary_key.columns)
            )
            inserted += len(connection.execute(statement).all())
        return inserted

    # -- travellers -------------------------------------------------------------------

    def get_account(self, user_ref: str) -> Account | None:
        """Everything known about this traveller, or None."""
        with self._read() as connection:
            row = connection.execute(
                select(schema.travellers).where(schema.travellers.c.user_ref == user_ref)
            ).first()
        return _as_record(Account, row) if row else None

    def get_profile(self, user_ref: str) -> Traveller | None:
        """The traveller's name and department, once given; otherwise None."""
        account = self.get_account(user_ref)
        if account is None or account.name is None or account.department is None:
            return None
        return Traveller(name=account.name, department=account.department, user_ref=user_ref)

    def save_profile(
        self,
        traveller: Traveller,
        now: datetime | None = None,
        *,
        telegram_user_id: int | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Remember name and department (and Telegram ids) of `traveller.user_ref`.

        A new traveller starts as 'allowed' (reaching the interview means access was
        granted); an existing one keeps their access status.
        """
        if not traveller.user_ref:
            raise ValueError("traveller.user_ref is required to save a profile")
        self._upsert_traveller(
            traveller.user_ref,
            self._now(now),
            {"name": traveller.name, "department": traveller.department},
            AccessStatus.ALLOWED,
            telegram_user_id,
            chat_id,
        )

    def set_access(
        self,
        user_ref: str,
        status: AccessStatus | str,
        now: datetime | None = None,
        *,
        telegram_user_id: int | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Allow, reject or mark as pending without checks (an operator's decision, by no one
        in the chat); creates the traveller when unknown. The audit gets the matching line."""
        status = AccessStatus(status)
        action = {
            AccessStatus.ALLOWED: AccessAction.GRANTED,
            AccessStatus.PENDING: AccessAction.REQUESTED,
            AccessStatus.REJECTED: AccessAction.REJECTED,
        }[status]
        with self._write() as connection:
            self._audit(
                connection, user_ref, action, None, self._now(now), telegram_user_id, chat_id
            )

    def _upsert_traveller(
        self,
        user_ref: str,
        now: datetime,
        changes: dict[str, Any],
        status_if_new: AccessStatus,
        telegram_user_id: int | None,
        chat_id: int | None,
    ) -> None:
        """Insert or update one travellers row with `changes` (ids only when given)."""
        changes = dict(changes, updated_at=now)
        if telegram_user_id is not None:
            changes["telegram_user_id"] = telegram_user_id
        if chat_id is not None:
            changes["chat_id"] = chat_id
        new_row = {
            "user_ref": user_ref,
            "status": status_if_new.value,
            "created_at": now,
            **changes,
        }
        with self._write() as connection:
            statement = self._insert(connection, schema.travellers).values(**new_row)
            connection.execute(
                statement.on_conflict_do_update(index_elements=["user_ref"], set_=changes)
            )

    def access_status(self, user_ref: str) -> AccessStatus | None:
        """Whether this traveller is allowed, pending or rejected; None when unknown."""
        account = self.get_account(user_ref)
        return account.status if account else None

    def list_pending(self) -> list[Account]:
        """Travellers waiting for approval, oldest request first."""
        table = schema.travellers
        with self._read() as connection:
            rows = connection.execute(
                select(table)
                .where(table.c.status == AccessStatus.PENDING.value)
                .order_by(table.c.created_at, table.c.user_ref)
            ).all()
        return [_as_record(Account, row) for row in rows]

    # -- drafts -----------------------------------------------------------------------

    def save_draft(
        self,
        user_ref: str,
        state: dict[str, Any],
        now: datetime | None = None,
        *,
        update_id: int | None = None,
        expected: DraftVersion | None = None,
    ) -> int:
        """Store the traveller's interview state; returns its new revision (1, 2, ...).

        With `update_id`, the Telegram update is remembered in the same transaction;
        if it was applied before, `DuplicateUpdate` is raised and nothing changes.
        With `expected`, the draft is only overwritten while it is still that version
        (else `StaleDraft`, nothing changes).
        """
        now = self._now(now)
        with self._write() as connection:
            if update_id is not None and not self._remember_update(connection, update_id, now):
                raise DuplicateUpdate(update_id)
            return self._save_draft(connection, user_ref, state, now, expected).revision

    def _save_draft(
        self,
        connection: Connection,
        user_ref: str,
        state: dict[str, Any],
        now: datetime,
        expected: DraftVersion | None,
    ) -> DraftVersion:
        """Insert or overwrite the draft in one statement; its new version.

        With `expected`, only that very version is overwritten (one conditional UPDATE);
        a draft changed, deleted or started again meanwhile raises `StaleDraft`."""
        table = schema.drafts
        returned = (table.c.revision, table.c.created_at)
        row: Row[Any] | None
        if expected is None:
            statement = self._insert(connection, table).values(
                user_ref=user_ref, state=state, revision=1, created_at=now, updated_at=now
            )
            row = connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["user_ref"],
                    set_={"state": state, "revision": table.c.revision + 1, "updated_at": now},
                ).returning(*returned)
            ).one()
        else:
            row = connection.execute(
                update(table)
                .where(
                    table.c.user_ref == user_ref,
                    table.c.revision == expected.revision,
                    table.c.created_at == expected.created_at,
                )
                .values(state=state, revision=table.c.revision + 1, updated_at=now)
                .returning(*returned)
            ).first()
            if row is None:
                raise StaleDraft(user_ref)
        return DraftVersion(int(row.revision), row.created_at)

    def load_draft(self, user_ref: str) -> Draft | None:
        """The traveller's unfinished interview, or None."""
        with self._read() as connection:
            row = connection.execute(
                select(schema.drafts).where(schema.drafts.c.user_ref == user_ref)
            ).first()
        return _as_record(Draft, row) if row else None

    def draft_version(self, user_ref: str) -> DraftVersion | None:
        """Which version of the traveller's draft is stored (one small indexed read), or None."""
        table = schema.drafts
        with self._read() as connection:
            row = connection.execute(
                select(table.c.revision, table.c.created_at).where(table.c.user_ref == user_ref)
            ).first()
        return DraftVersion(int(row.revision), row.created_at) if row else None

    def delete_draft(self, user_ref: str) -> bool:
        """Throw the traveller's draft away; False when there was none."""
        with self._write() as connection:
            deleted = connection.execute(
                delete(schema.drafts).where(schema.drafts.c.user_ref == user_ref)
            ).rowcount
        return deleted > 0

    def drafts_idle_since(self, cutoff: datetime) -> list[Draft]:
        """Drafts not touched since `cutoff`, longest idle first."""
        table = schema.drafts
        with self._read() as connection:
            rows = connection.execute(
                select(table).where(table.c.updated_at <= cutoff).order_by(table.c.updated_at)
            ).all()
        return [_as_record(Draft, row) for row in rows]

    # -- processed updates ------------------------------------------------------------

    def remember_update(self, update_id: int, now: datetime | None = None) -> bool:
        """Record a Telegram update as handled; False when it was handled before."""
        with self._write() as connection:
            return self._remember_update(connection, update_id, self._now(now))

    def _remember_update(self, connection: Connection, update_id: int, now: datetime) -> bool:
        """Insert the update id (pruning old ones); whether it was new."""
        table = schema.processed_updates
        if self._pruned_at is None or now - self._pruned_at >= _PRUNE_INTERVAL:
            # At most hourly: pruning on every update would cost a query each time.
            connection.execute(delete(table).where(table.c.seen_at < now - UPDATE_RETENTION))
            self._pruned_at = now
        return (
            self._insert_ignoring_conflicts(
                connection, table, [{"update_id": update_id, "seen_at": now}]
            )
            == 1
        )

    # -- reports ----------------------------------------------------------------------

    def save_report(self, user_ref: str, report: Report, now: datetime | None = None) -> bool:
        """Store a finished report; False when this very report was stored already.

        Raises `ReportConflict` when the id exists with different content.
        """
        with self._write() as connection:
            return self._insert_report(connection, user_ref, report, self._now(now))

    def _insert_report(
        self, connection: Connection, user_ref: str, report: Report, now: datetime
    ) -> bool:
        """Insert the report unless present; identical -> False, different -> ReportConflict."""
        row = _report_row(user_ref, report, now)
        if self._insert_ignoring_conflicts(connection, schema.reports, [row]) == 1:
            return True
        existing = connection.execute(
            select(schema.reports.c.user_ref, schema.reports.c.payload).where(
                schema.reports.c.report_id == report.report_id
            )
        ).one()
        if existing.payload != row["payload"] or existing.user_ref != user_ref:
            raise ReportConflict(f"report {report.report_id} exists with different content")
        return False

    def finish_report(
        self,
        user_ref: str,
        report: Report,
        outbox: Sequence[OutboxItem] = (),
        now: datetime | None = None,
        *,
        trip_id: str | None = None,
        draft: DraftVersion | None = None,
    ) -> bool:
        """In one transaction: store the report, drop the draft, queue its deliveries.

        With `trip_id`, that announced trip is marked reported and its reminders end.
        Returns False, changing nothing, when this report was finished before
        (a double-tapped confirmation). With `draft`, the report must come from that very
        version of the draft: one changed or erased meanwhile raises `StaleDraft`.
        """
        now = self._now(now)
        with self._write() as connection:
            if not self._insert_report(connection, user_ref, report, now):
                return False
            table = schema.drafts
            dropped = connection.execute(
                delete(table).where(
                    table.c.user_ref == user_ref,
                    *(
                        (table.c.revision == draft.revision, table.c.created_at == draft.created_at)
                        if draft is not None
                        else ()
                    ),
                )
            ).rowcount
            if draft is not None and dropped != 1:
                raise StaleDraft(user_ref)
            self._enqueue(connection, outbox, now)
            if trip_id is not None:
                self._close_trip(
                    connection, trip_id, TripStatus.REPORTED, now, None, report.report_id
                )
        return True

    def get_report(self, report_id: str) -> Report | None:
        """The finished report with this id, or None."""
        with self._read() as connection:
            payload = connection.execute(
                select(schema.reports.c.payload).where(schema.reports.c.report_id == report_id)
            ).scalar_one_or_none()
        return Report.model_validate(payload) if payload is not None else None

    def _reports(self, *conditions: Any) -> list[Report]:
        """Reports matching the conditions, newest submission first."""
        table = schema.reports
        with self._read() as connection:
            payloads = connection.execute(
                select(table.c.payload)
                .where(*conditions)
                .order_by(table.c.submitted_at.desc(), table.c.report_id)
            ).scalars()
            return [Report.model_validate(payload) for payload in payloads]

    def reports_for(self, user_ref: str) -> list[Report]:
        """The traveller's finished reports, newest first."""
        return self._reports(schema.reports.c.user_ref == user_ref)

    def reports_in_year(self, year: int) -> list[Report]:
        """Reports of trips that departed in `year`, newest submission first."""
        return self._reports(schema.reports.c.year == year)

    def all_reports(self) -> list[Report]:
        """Every finished report, newest first."""
        return self._reports()

    # -- outbox -----------------------------------------------------------------------

    def enqueue(self, items: Sequence[OutboxItem], now: datetime | None = None) -> int:
        """Queue deliveries (items whose dedupe_key is known are ignored); the number queued."""
        with self._write() as connection:
            return self._enqueue(connection, items, self._now(now))

    def _enqueue(self, connection: Connection, items: Sequence[OutboxItem], now: datetime) -> int:
        """Insert outbox rows, due at once, skipping known dedupe keys."""
        rows = [
            {
                "kind": item.kind,
                "dedupe_key": item.dedupe_key,
                "payload": item.payload,
                "attempts": 0,
                "created_at": now,
                "next_attempt_at": now,
            }
            for item in items
        ]
        return self._insert_ignoring_conflicts(connection, schema.outbox, rows)

    def claim_due(
        self, now: datetime | None = None, limit: int = 10, lease_seconds: float = 60.0
    ) -> list[OutboxMessage]:
        """Lease up to `limit` due, unsent items to this worker for `lease_seconds`.

        A leased item is offered to no one else until the lease ends (a worker that
        died mid-send frees it that way). Each claim counts as an attempt.
        """
        now = self._now(now)
        table = schema.outbox
        claimable = and_(
            table.c.sent_at.is_(None),
            table.c.next_attempt_at <= now,
            or_(table.c.claimed_until.is_(None), table.c.claimed_until <= now),
        )
        claimed: list[OutboxMessage] = []
        with self._write() as connection:
            candidates = connection.execute(
                select(table.c.id)
                .where(claimable)
                .order_by(table.c.next_attempt_at, table.c.id)
                .limit(limit)
                # PostgreSQL: rows another instance is claiming right now are passed over
                # instead of waited for (SQLite has one writer and ignores this).
                .with_for_update(skip_locked=True)
            ).scalars()
            for item_id in list(candidates):
                taken = connection.execute(
                    update(table)
                    .where(table.c.id == item_id, claimable)
                    .values(
                        claimed_until=now + timedelta(seconds=lease_seconds),
                        attempts=table.c.attempts + 1,
                    )
                ).rowcount
                if taken == 1:
                    row = connection.execute(select(table).where(table.c.id == item_id)).one()
                    claimed.append(_as_record(OutboxMessage, row))
        return claimed

    def mark_sent(self, item_id: int, now: datetime | None = None) -> bool:
        """Record a delivery; False when it was recorded before."""
        table = schema.outbox
        with self._write() as connection:
            changed = connection.execute(
                update(table)
                .where(table.c.id == item_id, table.c.sent_at.is_(None))
                .values(sent_at=self._now(now), claimed_until=None, last_error=None)
            ).rowcount
        return changed == 1

    def mark_failed(self, item_id: int, error: str, retry_at: datetime) -> None:
        """Record a failed delivery and when to try again (see `next_retry_delay`)."""
        table = schema.outbox
        with self._write() as connection:
            connection.execute(
                update(table)
                .where(table.c.id == item_id, table.c.sent_at.is_(None))
                .values(next_attempt_at=retry_at, claimed_until=None, last_error=error[:2000])
            )

    def pending_count(self) -> int:
        """How many queued items are not delivered yet."""
        table = schema.outbox
        with self._read() as connection:
            return int(
                connection.execute(
                    select(func.count()).select_from(table).where(table.c.sent_at.is_(None))
                ).scalar_one()
            )

    def outbox_item(self, item_id: int) -> OutboxMessage | None:
        """One outbox item as stored, or None."""
        table = schema.outbox
        with self._read() as connection:
            row = connection.execute(select(table).where(table.c.id == item_id)).first()
        return _as_record(OutboxMessage, row) if row else None

    # -- trips and reminders ----------------------------------------------------------

    def add_trip(
        self,
        user_ref: str,
        destination: str,
        departure: date,
        return_date: date,
        created_by: str,
        now: datetime | None = None,
    ) -> Trip:
        """Register a planned trip; returns it with its new id."""
        if return_date < departure:
            raise ValueError("return_date is before departure")
        now = self._now(now)
        row = {
            "trip_id": uuid.uuid4().hex,
            "user_ref": user_ref,
            "destination": destination,
            "departure": departure,
            "return_date": return_date,
            "created_by": created_by,
            "created_at": now,
            "updated_at": now,
            "status": TripStatus.PLANNED.value,
        }
        with self._write() as connection:
            connection.execute(schema.trips.insert().values(**row))
            stored = connection.execute(
                select(schema.trips).where(schema.trips.c.trip_id == row["trip_id"])
            ).one()
        return _as_record(Trip, stored)

    def get_trip(self, trip_id: str) -> Trip | None:
        """The trip with this id, or None."""
        with self._read() as connection:
            row = connection.execute(
                select(schema.trips).where(schema.trips.c.trip_id == trip_id)
            ).first()
        return _as_record(Trip, row) if row else None

    def trips_for(self, user_ref: str, status: TripStatus | str | None = None) -> list[Trip]:
        """The traveller's trips (optionally of one status), earliest departure first."""
        table = schema.trips
        query = select(table).where(table.c.user_ref == user_ref)
        if status is not None:
            query = query.where(table.c.status == TripStatus(status).value)
        with self._read() as connection:
            rows = connection.execute(query.order_by(table.c.departure, table.c.trip_id)).all()
        return [_as_record(Trip, row) for row in rows]

    def set_trip_status(
        self,
        trip_id: str,
        status: TripStatus | str,
        now: datetime | None = None,
        *,
        cancel_reason: str | None = None,
        report_id: str | None = None,
    ) -> bool:
        """Mark a trip reported or cancelled (its open reminders end) or planned again.

        Returns False when the trip does not exist.
        """
        with self._write() as connection:
            return self._close_trip(
                connection, trip_id, TripStatus(status), self._now(now), cancel_reason, report_id
            )

    def _close_trip(
        self,
        connection: Connection,
        trip_id: str,
        status: TripStatus,
        now: datetime,
        cancel_reason: str | None,
        report_id: str | None,
    ) -> bool:
        """Set the trip's status; leaving 'planned' cancels its unsent reminders."""
        changed = connection.execute(
            update(schema.trips)
            .where(schema.trips.c.trip_id == trip_id)
            .values(
                status=status.value,
                cancel_reason=cancel_reason,
                report_id=report_id,
                updated_at=now,
            )
        ).rowcount
        if changed and status is not TripStatus.PLANNED:
            self._cancel_reminders(connection, trip_id, now)
        return changed == 1

    def planned_trips(self) -> list[Trip]:
        """Every trip still waiting for its report, earliest return first."""
        table = schema.trips
        with self._read() as connection:
            rows = connection.execute(
                select(table)
                .where(table.c.status == TripStatus.PLANNED.value)
                .order_by(table.c.return_date, table.c.trip_id)
            ).all()
        return [_as_record(Trip, row) for row in rows]

    def schedule_reminders(
        self, trip_id: str, due_times: Sequence[tuple[str, datetime]], now: datetime | None = None
    ) -> int:
        """Schedule (kind, due_at) reminders for a trip; ones already scheduled are skipped.

        Returns how many were new. Raises KeyError for an unknown trip.
        """
        now = self._now(now)
        with self._write() as connection:
            user_ref = connection.execute(
                select(schema.trips.c.user_ref).where(schema.trips.c.trip_id == trip_id)
            ).scalar_one_or_none()
            if user_ref is None:
                raise KeyError(trip_id)
            rows = [
                {
                    "trip_id": trip_id,
                    "user_ref": user_ref,
                    "kind": kind,
                    "due_at": due_at,
                    "created_at": now,
                }
                for kind, due_at in due_times
            ]
            return self._insert_ignoring_conflicts(connection, schema.reminders, rows)

    def reminders_for(self, trip_id: str) -> list[Reminder]:
        """Every reminder of a trip, sent or not, in due order."""
        table = schema.reminders
        with self._read() as connection:
            rows = connection.execute(
                select(table).where(table.c.trip_id == trip_id).order_by(table.c.due_at, table.c.id)
            ).all()
        return [_as_record(Reminder, row) for row in rows]

    def due_reminders(
        self, now: datetime | None = None, limit: int = 100, *, trip_id: str | None = None
    ) -> list[Reminder]:
        """Unsent, uncancelled reminders due by `now` and not snoozed past it, oldest first
        (of one trip, with `trip_id`)."""
        now = self._now(now)
        table = schema.reminders
        conditions = [
            table.c.sent_at.is_(None),
            table.c.cancelled_at.is_(None),
            table.c.due_at <= now,
            or_(table.c.snoozed_until.is_(None), table.c.snoozed_until <= now),
        ]
        if trip_id is not None:
            conditions.append(table.c.trip_id == trip_id)
        with self._read() as connection:
            rows = connection.execute(
                select(table).where(*conditions).order_by(table.c.due_at, table.c.id).limit(limit)
            ).all()
        return [_as_record(Reminder, row) for row in rows]

    def mark_reminder_sent(
        self, reminder_id: int, now: datetime | None = None, outbox: Sequence[OutboxItem] = ()
    ) -> bool:
        """Mark a reminder sent, only if it was not sent or cancelled yet; whether it was.

        The `outbox` items (the reminder message itself) are queued in the same
        transaction, so a reminder is delivered once even across a crash.
        """
        now = self._now(now)
        table = schema.reminders
        with self._write() as connection:
            changed = connection.execute(
                update(table)
                .where(
                    table.c.id == reminder_id,
                    table.c.sent_at.is_(None),
                    table.c.cancelled_at.is_(None),
                )
                .values(sent_at=now)
            ).rowcount
            if changed != 1:
                return False
            self._enqueue(connection, outbox, now)
        return True

    def snooze_reminders(self, trip_id: str, until: datetime) -> int:
        """Hold the trip's open reminders until `until`; how many were snoozed."""
        table = schema.reminders
        with self._write() as connection:
            return int(
                connection.execute(
                    update(table)
                    .where(
                        table.c.trip_id == trip_id,
                        table.c.sent_at.is_(None),
                        table.c.cancelled_at.is_(None),
                    )
                    .values(snoozed_until=until)
                ).rowcount
            )

    def cancel_reminders(self, trip_id: str, now: datetime | None = None) -> int:
        """End the trip's open reminders; how many were cancelled."""
        with self._write() as connection:
            return self._cancel_reminders(connection, trip_id, self._now(now))

    def _cancel_reminders(self, connection: Connection, trip_id: str, now: datetime) -> int:
        """Set cancelled_at on the trip's unsent, uncancelled reminders."""
        table = schema.reminders
        return int(
            connection.execute(
                update(table)
                .where(
                    table.c.trip_id == trip_id,
                    table.c.sent_at.is_(None),
                    table.c.cancelled_at.is_(None),
                )
                .values(cancelled_at=now)
            ).rowcount
        )

    # -- pending inputs ---------------------------------------------------------------

    def expect_input(
        self, user_ref: str, kind: str, payload: dict[str, Any], now: datetime | None = None
    ) -> None:
        """Remember that the traveller's next message answers `kind` (replacing an earlier one)."""
        now = self._now(now)
        row = {"user_ref": user_ref, "kind": kind, "payload": payload, "created_at": now}
        with self._write() as connection:
            statement = self._insert(connection, schema.pending_inputs).values(**row)
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["user_ref"],
                    set_={"kind": kind, "payload": payload, "created_at": now},
                )
            )

    def pending_input(self, user_ref: str) -> tuple[str, dict[str, Any]] | None:
        """What the traveller's next message answers, as (kind, payload), or None."""
        table = schema.pending_inputs
        with self._read() as connection:
            row = connection.execute(
                select(table.c.kind, table.c.payload).where(table.c.user_ref == user_ref)
            ).first()
        return (row.kind, row.payload) if row else None

    def clear_input(self, user_ref: str) -> bool:
        """Forget the traveller's pending input; False when there was none."""
        table = schema.pending_inputs
        with self._write() as connection:
            deleted = connection.execute(delete(table).where(table.c.user_ref == user_ref)).rowcount
        return deleted > 0

    # -- access audit -------------------------------------------------------------------

    def _latest_access(self, connection: Connection, user_ref: str) -> AccessEvent | None:
        """The newest audit line of this traveller, or None."""
        table = schema.access_audit
        row = connection.execute(
            select(table).where(table.c.user_ref == user_ref).order_by(table.c.id.desc()).limit(1)
        ).first()
        return _as_record(AccessEvent, row) if row else None

    def latest_access(self, user_ref: str) -> AccessEvent | None:
        """The traveller's current access decision (the newest audit line), or None."""
        with self._read() as connection:
            return self._latest_access(connection, user_ref)

    def access_log(self, user_ref: str) -> list[AccessEvent]:
        """Every audit line of this traveller, oldest first."""
        table = schema.access_audit
        with self._read() as connection:
            rows = connection.execute(
                select(table).where(table.c.user_ref == user_ref).order_by(table.c.id)
            ).all()
        return [_as_record(AccessEvent, row) for row in rows]

    def granted_access(self) -> list[AccessEvent]:
        """The grant lines of every traveller whose access the secretariat granted and kept."""
        table = schema.access_audit
        newest = select(func.max(table.c.id)).group_by(table.c.user_ref).scalar_subquery()
        with self._read() as connection:
            rows = connection.execute(
                select(table)
                .where(table.c.id.in_(newest), table.c.action == AccessAction.GRANTED.value)
                .order_by(table.c.at, table.c.id)
            ).all()
        return [_as_record(AccessEvent, row) for row in rows]

    def _audit(
        self,
        connection: Connection,
        user_ref: str,
        action: AccessAction,
        by_user_ref: str | None,
        now: datetime,
        telegram_user_id: int | None,
        chat_id: int | None = None,
    ) -> int:
        """Append an audit line and set the traveller's status (and ids) to match; its id."""
        status = {
            AccessAction.REQUESTED: AccessStatus.PENDING,
            AccessAction.GRANTED: AccessStatus.ALLOWED,
        }.get(action, AccessStatus.REJECTED)
        changes: dict[str, Any] = {"status": status.value, "updated_at": now}
        if telegram_user_id is not None:
            changes |= {"telegram_user_id": telegram_user_id, "chat_id": telegram_user_id}
        if chat_id is not None:
            changes["chat_id"] = chat_id
        statement = self._insert(connection, schema.travellers).values(
            user_ref=user_ref, created_at=now, **changes
        )
        connection.execute(
            statement.on_conflict_do_update(index_elements=["user_ref"], set_=changes)
        )
        return int(
            connection.execute(
                schema.access_audit.insert()
                .values(user_ref=user_ref, action=action.value, by_user_ref=by_user_ref, at=now)
                .returning(schema.access_audit.c.id)
            ).scalar_one()
        )

    def request_access(
        self,
        user_ref: str,
        telegram_user_id: int,
        request: Callable[[int], OutboxItem],
        now: datetime | None = None,
        *,
        spacing_seconds: float = 3.1,
    ) -> bool:
        """Record an access request and queue `request(audit_id)` for the secretariat.

        Nothing happens (False) while an earlier request is open or after a rejection, so
        each stranger reaches the secretariat once. Requests are spaced `spacing_seconds`
        apart in the outbox: a crowd of strangers never blocks other deliveries."""
        now = self._now(now)
        with self._write() as connection:
            latest = self._latest_access(connection, user_ref)
            if latest is not None and latest.action in (
                AccessAction.REQUESTED,
                AccessAction.REJECTED,
                AccessAction.GRANTED,
            ):
                return False
            audit_id = self._audit(
                connection, user_ref, AccessAction.REQUESTED, user_ref, now, telegram_user_id
            )
            item = request(audit_id)
            table = schema.outbox
            last_slot = connection.execute(
                select(func.max(table.c.next_attempt_at)).where(
                    table.c.sent_at.is_(None), table.c.dedupe_key.like("access-request:%")
                )
            ).scalar_one_or_none()
            slot = now
            if last_slot is not None:
                last_slot = last_slot.replace(tzinfo=UTC) if last_slot.tzinfo is None else last_slot
                slot = max(now, last_slot + timedelta(seconds=spacing_seconds))
            self._insert_ignoring_conflicts(
                connection,
                table,
                [
                    {
                        "kind": item.kind,
                        "dedupe_key": item.dedupe_key,
                        "payload": item.payload,
                        "attempts": 0,
                        "created_at": now,
                        "next_attempt_at": slot,
                    }
                ],
            )
        return True

    def decide_access(
        self,
        user_ref: str,
        action: AccessAction,
        by_user_ref: str,
        now: datetime | None = None,
        *,
        telegram_user_id: int | None = None,
        outbox: Sequence[OutboxItem] = (),
    ) -> bool:
        """Grant or reject an open request, or revoke access; False when there is nothing to
        decide (no open request, or already revoked). `outbox` (the traveller's notice) is
        queued in the same transaction."""
        if action is AccessAction.REQUESTED:
            raise ValueError("use request_access for requests")
        now = self._now(now)
        with self._write() as connection:
            latest = self._latest_access(connection, user_ref)
            if action is AccessAction.REVOKED:
                if latest is not None and latest.action in (
                    AccessAction.REVOKED,
                    AccessAction.REJECTED,
                ):
                    return False
            elif latest is None or latest.action is not AccessAction.REQUESTED:
                return False
            self._audit(connection, user_ref, action, by_user_ref, now, telegram_user_id)
            self._enqueue(connection, outbox, now)
        return True

    def move_outbox_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """Point every undelivered item for `old_chat_id` at `new_chat_id` (a group that
        became a supergroup); how many moved."""
        table = schema.outbox
        moved = 0
        with self._write() as connection:
            rows = connection.execute(
                select(table.c.id, table.c.payload).where(table.c.sent_at.is_(None))
            ).all()
            for row in rows:
                if row.payload.get("chat_id") == old_chat_id:
                    connection.execute(
                        update(table)
                        .where(table.c.id == row.id)
                        .values(payload={**row.payload, "chat_id": new_chat_id})
                    )
                    moved += 1
        return moved

"""The store: the database, its migrations and transactions, and the repositories over it.

The repositories are split by aggregate: `store.drafts`, `store.reports`, `store.trips`
(with their reminders), `store.outbox`, `store.profiles` (with the access audit). Called on
the store, each repository call is a transaction of its own; `store.unit_of_work()` runs
several in one transaction. The store itself still keeps the Telegram update pipeline
(inbox, processed updates, usernames) and the pending inputs.

One SQLAlchemy (sync) engine on `DATABASE_URL`: SQLite by default, PostgreSQL as well.
Every transaction is short and committed before the call returns,
so a traveller's answer is on disk before the bot replies. Writes on SQLite start
with `BEGIN IMMEDIATE`, so two writers queue on the busy timeout instead of
failing halfway. A database that is locked too long, full, or gone surfaces as
`StoreUnavailable` (with a Dutch message for the traveller); the transaction is
rolled back, so what was saved before stays intact.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    create_engine,
    delete,
    event,
    func,
    select,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from bot.store import schema
from bot.store.drafts import Drafts
from bot.store.outbox import Outbox
from bot.store.profiles import Profiles
from bot.store.records import (
    READ_FAILED_MESSAGE,
    SAVE_FAILED_MESSAGE,
    StoreUnavailable,
    sender_of,
    utc_now,
)
from bot.store.reports import Reports
from bot.store.repository import insert, insert_ignoring_conflicts
from bot.store.trips import Trips
from bot.store.unit_of_work import UnitOfWork

__all__ = ["MIGRATIONS_DIR", "Store"]

#: Alembic's script directory, shipped inside the package.
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

#: How long processed Telegram update ids are kept (Telegram keeps updates 24 hours).
UPDATE_RETENTION = timedelta(days=7)
_PRUNE_INTERVAL = timedelta(hours=1)

_TELEGRAM_USERNAME = re.compile(r"[a-z0-9_]{4,32}")
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
        self._finished_updates: set[int] = set()
        #: The repositories, each call its own transaction; `unit_of_work()` joins several.
        self.drafts = Drafts(self)
        self.reports = Reports(self)
        self.trips = Trips(self)
        self.outbox = Outbox(self)
        self.profiles = Profiles(self)
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

    @property
    def store(self) -> Store:
        """The store itself (the `Transactions` side of the store)."""
        return self

    def now(self, now: datetime | None = None) -> datetime:
        """The given time, or the clock's (the `Transactions` side of the store)."""
        return self._now(now)

    def write(self) -> AbstractContextManager[Connection]:
        """One write transaction of its own (the `Transactions` side of the store)."""
        return self._write()

    def read(self) -> AbstractContextManager[Connection]:
        """One read transaction of its own (the `Transactions` side of the store)."""
        return self._read()

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """One write transaction over every repository: all of it is committed when the block
        ends, or none of it when it raises."""
        with self._write() as connection:
            yield UnitOfWork(self, connection)

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
        return insert(connection, table)

    def _insert_ignoring_conflicts(
        self, connection: Connection, table: Table, rows: Sequence[dict[str, Any]]
    ) -> int:
        """Insert rows, skipping those that clash with a unique key; the number inserted."""
        return insert_ignoring_conflicts(connection, table, rows)

    # -- the inbox ----------------------------------------------------------------------

    def receive_update(
        self, update_id: int, payload: dict[str, Any], now: datetime | None = None
    ) -> None:
        """Keep a received Telegram update until it is handled (a second copy is ignored)."""
        with self._write() as connection:
            self._insert_ignoring_conflicts(
                connection,
                schema.inbox,
                [
                    {
                        "update_id": update_id,
                        "payload": payload,
                        "received_at": self._now(now),
                        "user_id": sender_of(payload),
                    }
                ],
            )

    def finish_update(self, update_id: int) -> None:
        """Strike a handled update from the inbox (at no cost when its draft save did)."""
        if update_id in self._finished_updates:
            self._finished_updates.discard(update_id)
            return
        with self._write() as connection:
            connection.execute(delete(schema.inbox).where(schema.inbox.c.update_id == update_id))

    def unfinished_updates(self) -> list[dict[str, Any]]:
        """Updates received but not handled (the bot stopped in between), oldest first."""
        with self._read() as connection:
            return [
                dict(payload)
                for payload in connection.execute(
                    select(schema.inbox.c.payload).order_by(schema.inbox.c.update_id)
                ).scalars()
            ]

    # -- processed updates ------------------------------------------------------------

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

    # -- telegram usernames -----------------------------------------------------------

    def remember_username(
        self, username: str, telegram_user_id: int, now: datetime | None = None
    ) -> None:
        """Remember which Telegram user has this @username (case-insensitive).

        A name Telegram would never issue (its rule: 4-32 of a-z, 0-9, _) is not stored,
        so a forged update cannot overflow the column."""
        now = self._now(now)
        name = username.lstrip("@").lower()
        if not _TELEGRAM_USERNAME.fullmatch(name):
            return
        with self._write() as connection:
            statement = self._insert(connection, schema.telegram_usernames).values(
                username=name, telegram_user_id=telegram_user_id, updated_at=now
            )
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["username"],
                    set_={"telegram_user_id": telegram_user_id, "updated_at": now},
                )
            )

    def user_id_for_username(self, username: str) -> int | None:
        """The Telegram user id last seen with this @username, or None."""
        table = schema.telegram_usernames
        with self._read() as connection:
            value = connection.execute(
                select(table.c.telegram_user_id).where(
                    table.c.username == username.lstrip("@").lower()
                )
            ).scalar_one_or_none()
        return int(value) if value is not None else None

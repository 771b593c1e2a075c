"""The store: the database, its migrations and transactions, and the repositories over it.

The repositories are split by aggregate: `store.drafts`, `store.reports`, `store.trips`
(with their reminders), `store.outbox`, `store.profiles` (with the access audit). Called on
the store, each repository call is a transaction of its own; `store.unit_of_work()` runs
several in one transaction. The Telegram-only tables (inbox, processed updates, @usernames,
pending inputs) belong to the Telegram adapter: `bot/telegram/store.py`.

One SQLAlchemy (sync) engine on `DATABASE_URL`: SQLite by default, PostgreSQL as well.
Every transaction is short and committed before the call returns,
so a traveller's answer is on disk before the bot replies. Writes on SQLite start
with `BEGIN IMMEDIATE`, so two writers queue on the busy timeout instead of
failing halfway; within one process they take turns on a lock first, so a writer starts
the moment the one before it commits instead of polling SQLite's busy handler (which sleeps
1, 2, 5, 10 ms ... between tries). A database that is locked too long, full, or gone surfaces as
`StoreUnavailable` (with a Dutch message for the traveller); the transaction is
rolled back, so what was saved before stays intact.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from bot.store.drafts import Drafts
from bot.store.outbox import Outbox
from bot.store.profiles import Profiles
from bot.store.records import (
    READ_FAILED_MESSAGE,
    SAVE_FAILED_MESSAGE,
    StoreUnavailable,
    utc_now,
)
from bot.store.reports import Reports
from bot.store.repository import insert, insert_ignoring_conflicts
from bot.store.schema import serialize_json
from bot.store.trips import Trips
from bot.store.unit_of_work import Snapshot, UnitOfWork

__all__ = ["MIGRATIONS_DIR", "Store"]

#: Alembic's script directory, shipped inside the package.
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

#: How long processed Telegram update ids are kept (Telegram keeps updates 24 hours).

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
        return create_engine(url, pool_pre_ping=True, json_serializer=serialize_json)
    if url.get_backend_name() != "sqlite":
        raise ValueError(f"unsupported database: {url.get_backend_name()} (sqlite or postgresql)")
    in_memory = url.database in (None, "", ":memory:")
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        poolclass=StaticPool if in_memory else None,
        json_serializer=serialize_json,
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
        #: This process's writers take turns here (SQLite has one writer at a time anyway).
        self._write_turn = threading.RLock() if self.engine.dialect.name == "sqlite" else None
        self._write_turn_timeout = busy_timeout_ms / 1000
        #: See `access_generation`.
        self._access_generation = 0
        self._generation_lock = threading.Lock()
        self._clock = clock
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

    def write(self, *, touches_access: bool = True) -> AbstractContextManager[Connection]:
        """One write transaction of its own (the `Transactions` side of the store).

        `touches_access=False` promises that it changes no access decision and no pending
        input (the inbox, draft saves, @usernames, the outbox), so it leaves
        `access_generation` alone."""
        return self._write(touches_access=touches_access)

    @property
    def access_generation(self) -> int:
        """Grows with every write transaction of this process that may have changed a
        traveller's access or pending input (every write that does not promise otherwise).

        What was read of those before this number last changed may be used as long as it
        stays the same (the Telegram adapter's reads that come with an update's inbox write)."""
        return self._access_generation

    def read(self) -> AbstractContextManager[Connection]:
        """One read transaction of its own (the `Transactions` side of the store)."""
        return self._read()

    @contextmanager
    def unit_of_work(self, *, touches_access: bool = True) -> Iterator[UnitOfWork]:
        """One write transaction over every repository: all of it is committed when the block
        ends, or none of it when it raises (`touches_access` as for `write`)."""
        with self._write(touches_access=touches_access) as connection:
            yield UnitOfWork(self, connection)

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        """One read transaction over every repository: reads that see one moment."""
        with self._read() as connection:
            yield Snapshot(self, connection)

    @contextmanager
    def _write(self, *, touches_access: bool = True) -> Iterator[Connection]:
        """One write transaction, committed on leaving; failures become StoreUnavailable.

        On SQLite it first waits its turn among this process's writers, at most the busy
        timeout (then StoreUnavailable, as a database locked by another process gives)."""
        turn = self._write_turn
        if turn is not None and not turn.acquire(timeout=self._write_turn_timeout):
            raise StoreUnavailable(SAVE_FAILED_MESSAGE)
        try:
            with self._writer.begin() as connection:
                yield connection
        except _UNAVAILABLE as error:
            raise StoreUnavailable(SAVE_FAILED_MESSAGE) from error
        finally:
            if touches_access:  # committed or not: a reader of the old number reads again
                with self._generation_lock:
                    self._access_generation += 1
            if turn is not None:
                turn.release()

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

"""What every repository shares: the transaction it runs in, and small SQL helpers.

A repository is bound to a `Transactions` source. Bound to the `Store`, each call is one
short transaction of its own (committed before it returns); bound to a `UnitOfWork`, every
call runs in the unit's one transaction, committed together when the unit ends.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import fields
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy import Connection, Row, Table
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.records import AccessAction, AccessEvent, AccessStatus, Account, Trip, TripStatus

if TYPE_CHECKING:
    from bot.store.store import Store

__all__ = [
    "Repository",
    "Transactions",
    "as_record",
    "insert",
    "insert_ignoring_conflicts",
    "per_dialect",
]


class Transactions(Protocol):
    """Where a repository's statements run: the store (a transaction per call) or a unit."""

    @property
    def store(self) -> Store:
        """The store (for what the repositories share across transactions)."""
        ...

    def write(self, *, touches_access: bool = True) -> AbstractContextManager[Connection]:
        """A connection inside a write transaction (`touches_access=False`: it changes no
        access decision and no pending input; see `Store.access_generation`)."""

    def read(self) -> AbstractContextManager[Connection]:
        """A connection inside a read transaction."""

    def now(self, now: datetime | None = None) -> datetime:
        """The given time, or the clock's."""


class Repository:
    """The base of the repositories: holds the transaction source."""

    def __init__(self, transactions: Transactions) -> None:
        self._tx = transactions


_Record = TypeVar("_Record")

#: The enum of the `status` column, per record type.
_STATUS_TYPES: dict[type, type[StrEnum]] = {Account: AccessStatus, Trip: TripStatus}
#: Other enum columns, per record type: (column, enum).
_ENUM_FIELDS: dict[type, tuple[str, type[StrEnum]]] = {AccessEvent: ("action", AccessAction)}


def as_record(record_type: type[_Record], row: Row[Any]) -> _Record:
    """A table row as the record dataclass with the same field names (enums converted)."""
    values = {item.name: getattr(row, item.name) for item in fields(record_type)}  # type: ignore[arg-type]
    if "status" in values:
        values["status"] = _STATUS_TYPES[record_type](values["status"])
    if record_type in _ENUM_FIELDS:
        name, enum = _ENUM_FIELDS[record_type]
        values[name] = enum(values[name])
    return record_type(**values)


_Built = TypeVar("_Built")


def per_dialect(build: Callable[[Any], _Built]) -> dict[str, _Built]:
    """A statement built once per supported dialect (`build` gets the dialect's module, whose
    `insert` knows ON CONFLICT), looked up by `connection.dialect.name` when it runs."""
    return {"sqlite": build(sqlite), "postgresql": build(postgresql)}


def insert(connection: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT, which knows ON CONFLICT."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_ignoring_conflicts(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]]
) -> int:
    """Insert rows, skipping those that clash with a unique key; the number inserted.

    Counted with RETURNING: psycopg reports no rowcount for INSERT ... ON CONFLICT. The
    statement is built once per dialect and table, each row its parameters (building it
    with the row's values cost more than running it)."""
    statement = _insert_skipping_conflicts(connection.dialect.name, table)
    return sum(len(connection.execute(statement, row).all()) for row in rows)


@functools.cache
def _insert_skipping_conflicts(dialect: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING the primary key, for the dialect."""
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing().returning(*table.primary_key.columns)

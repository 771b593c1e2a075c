"""The unit of work: several repositories in one transaction, committed together or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from bot.store.drafts import Drafts
from bot.store.outbox import Outbox
from bot.store.profiles import Profiles
from bot.store.reports import Reports
from bot.store.trips import Trips

if TYPE_CHECKING:
    from bot.store.store import Store

__all__ = ["Snapshot", "UnitOfWork"]


class UnitOfWork:
    """The repositories bound to one open transaction; made by `Store.unit_of_work()`."""

    def __init__(self, store: Store, connection: Connection) -> None:
        self.store = store
        self._connection = connection
        self.drafts = Drafts(self)
        self.reports = Reports(self)
        self.trips = Trips(self)
        self.outbox = Outbox(self)
        self.profiles = Profiles(self)

    @contextmanager
    def write(self, *, touches_access: bool = True) -> Iterator[Connection]:
        """The unit's connection (its transaction ends with the unit, not here; the unit's
        own `touches_access` counts)."""
        yield self._connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """The unit's connection: reads see what the unit wrote so far."""
        yield self._connection

    def now(self, now: datetime | None = None) -> datetime:
        """The given time, or the store's clock."""
        return self.store.now(now)


class Snapshot(UnitOfWork):
    """The repositories bound to one read transaction: several reads that see one moment of
    the store, in one trip to it; made by `Store.snapshot()`. Writing through it is refused."""

    @contextmanager
    def write(self, *, touches_access: bool = True) -> Iterator[Connection]:
        """Refused: a snapshot only reads."""
        raise TypeError("a snapshot only reads; write in a unit of work")
        yield self._connection  # pragma: no cover (makes this a generator)

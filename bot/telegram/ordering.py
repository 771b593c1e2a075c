"""One traveller's updates in order when several bot processes share one PostgreSQL database.

Behind one webhook URL, a traveller's next message can reach another process while the
first is still being answered. Each process therefore handles an update of a traveller only
while holding that traveller's PostgreSQL advisory lock, and only once no earlier update of
the same traveller is still waiting in the (shared) inbox.

Within one process (SQLite or PostgreSQL) a traveller's updates take turns on an asyncio
lock, taken in arrival order before the first await: handlers await the store (it runs in a
thread), so without it a later message could overtake an earlier one. The inbox is the
Telegram adapter's table, so this lives here; its store calls run on the one `StoreRunner`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Connection, func, select

from bot.service import StoreRunner
from bot.store import Store, schema
from bot.telegram.services import KeyedLocks

__all__ = ["TravellerOrder"]

log = logging.getLogger(__name__)

#: The advisory lock keys of travellers: this prefix with the Telegram user id in the low bits.
_LOCK_NAMESPACE = 0x5256 << 48
_POLL_SECONDS = 0.02


class TravellerOrder:
    """Serialises the handling of each traveller's updates across processes (PostgreSQL)."""

    def __init__(
        self,
        store: Store,
        runner: StoreRunner | None = None,
        *,
        wait_for_earlier_seconds: float = 30.0,
    ) -> None:
        self._store = store
        self._runner = runner or StoreRunner()
        self._enabled = store.engine.dialect.name == "postgresql"
        self._wait_for_earlier = wait_for_earlier_seconds
        self._local = KeyedLocks[int]()

    @asynccontextmanager
    async def turn(self, update_id: int, user_id: int | None) -> AsyncIterator[bool]:
        """Hold the traveller's lock, once their earlier updates are handled, while inside;
        yields whether the update is still in the inbox at that moment.

        An update no longer in the inbox was handled meanwhile by another process (which
        received it, or replayed it after a restart); one never stored cannot be told apart,
        so the caller decides. An earlier update still waiting after `wait_for_earlier_seconds`
        (its process died; it is handled when that process restarts) no longer holds this
        one back.
        """
        if user_id is None:
            yield True
            return
        async with self._local.hold(user_id):
            if not self._enabled:
                yield True
                return
            async with self._shared_turn(update_id, user_id) as pending:
                yield pending

    @asynccontextmanager
    async def _shared_turn(self, update_id: int, user_id: int) -> AsyncIterator[bool]:
        """The traveller's PostgreSQL advisory lock, once no earlier update waits; yields
        whether the update is still in the inbox."""
        run = self._runner.run
        connection = await run(self._connect)
        try:
            await self._acquire(connection, update_id, user_id)
            try:
                yield await run(self._in_inbox, connection, update_id)
            finally:
                await run(self._unlock, connection, user_id)
        finally:
            await run(connection.close)

    def _connect(self) -> Connection:
        """A connection of its own, outside transactions, that holds the session lock."""
        return self._store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    async def _acquire(self, connection: Connection, update_id: int, user_id: int) -> None:
        """Take the lock at a moment when no earlier update of the traveller waits."""
        deadline = time.monotonic() + self._wait_for_earlier
        while True:
            taken, earlier = await self._runner.run(
                self._try, connection, update_id, user_id, time.monotonic() < deadline
            )
            if taken and not earlier:
                return
            await asyncio.sleep(_POLL_SECONDS)

    def _try(
        self, connection: Connection, update_id: int, user_id: int, respect_earlier: bool
    ) -> tuple[bool, bool]:
        """Try the lock; (taken, an earlier update still waits). Released again if earlier."""
        key = _LOCK_NAMESPACE | user_id
        taken = bool(connection.execute(select(func.pg_try_advisory_lock(key))).scalar_one())
        if not taken or not respect_earlier:
            return taken, False
        inbox = schema.inbox
        earlier = connection.execute(
            select(func.count()).where(inbox.c.user_id == user_id, inbox.c.update_id < update_id)
        ).scalar_one()
        if earlier:
            connection.execute(select(func.pg_advisory_unlock(key)))
            return False, True
        return True, False

    def _in_inbox(self, connection: Connection, update_id: int) -> bool:
        """Whether the update still waits in the inbox."""
        inbox = schema.inbox
        found = connection.execute(
            select(inbox.c.update_id).where(inbox.c.update_id == update_id)
        ).first()
        return found is not None

    def _unlock(self, connection: Connection, user_id: int) -> None:
        """Release the traveller's lock."""
        connection.execute(select(func.pg_advisory_unlock(_LOCK_NAMESPACE | user_id)))

"""The Telegram adapter's own tables and its hot path to the store.

The inbox (updates received but not yet handled) and @usernames exist only because of
Telegram, so they live here rather than in `bot.store`. The draft save of an update strikes
that update from the inbox in the same transaction. Calls on the path of every update run
in the store's worker threads (`off_loop`), so a slow disk or a busy database never stalls
the event loop that serves the other travellers.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import delete, select

from bot.store import AccessEvent, DraftVersion, DuplicateUpdate, Store, schema, sender_of

__all__ = ["STORE_THREADS", "TelegramStore"]

#: Worker threads for store calls from handlers. SQLite takes one writer at a time, and every
#: extra thread competes for the GIL with the event loop; two let a read pass a slow write.
STORE_THREADS = 2

_TELEGRAM_USERNAME = re.compile(r"[a-z0-9_]{4,32}")
_P = ParamSpec("_P")
_T = TypeVar("_T")


class TelegramStore:
    """The inbox, @usernames and the draft save of an update, over the shared `Store`."""

    def __init__(self, store: Store, threads: int = STORE_THREADS) -> None:
        self.store = store
        self._threads = threads
        self._executor: ThreadPoolExecutor | None = None
        #: Updates struck from the inbox by their draft save already.
        self._finished: set[int] = set()

    async def off_loop(self, function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """Run a blocking store call in a worker thread and await its result."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._threads, thread_name_prefix="store")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(function, *args, **kwargs))

    def close(self) -> None:
        """Stop the worker threads (after the application stopped)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    # -- the inbox --------------------------------------------------------------------

    def receive_updates(
        self, payloads: Sequence[dict[str, Any]], now: datetime | None = None
    ) -> None:
        """Keep received Telegram updates until handled, all in one transaction (a second
        copy of one is ignored)."""
        if not payloads:
            return
        received_at = self.store._now(now)
        rows = [
            {
                "update_id": int(payload["update_id"]),
                "payload": payload,
                "received_at": received_at,
                "user_id": sender_of(payload),
            }
            for payload in payloads
        ]
        with self.store._write() as connection:
            statement = self.store._insert(connection, schema.inbox).on_conflict_do_nothing()
            connection.execute(statement, rows)

    def receive_update(
        self, update_id: int, payload: dict[str, Any], now: datetime | None = None
    ) -> None:
        """Keep one received Telegram update until it is handled."""
        self.receive_updates([{**payload, "update_id": update_id}], now)

    def finish_update(self, update_id: int) -> None:
        """Strike a handled update from the inbox (at no cost when its draft save did)."""
        if self.finished_already(update_id):
            return
        with self.store._write() as connection:
            connection.execute(delete(schema.inbox).where(schema.inbox.c.update_id == update_id))

    def finished_already(self, update_id: int) -> bool:
        """Whether the update's draft save struck it from the inbox (then forgotten here)."""
        if update_id in self._finished:
            self._finished.discard(update_id)
            return True
        return False

    def unfinished_updates(self) -> list[dict[str, Any]]:
        """Updates received but not handled (the bot stopped in between), oldest first."""
        with self.store._read() as connection:
            return [
                dict(payload)
                for payload in connection.execute(
                    select(schema.inbox.c.payload).order_by(schema.inbox.c.update_id)
                ).scalars()
            ]

    # -- the draft save of an update --------------------------------------------------

    def save_draft(
        self,
        user_ref: str,
        state: dict[str, Any],
        now: datetime | None = None,
        *,
        update_id: int | None = None,
        expected: DraftVersion | None = None,
    ) -> DraftVersion:
        """Save the draft, remember the update as applied and strike it from the inbox, in one
        transaction; the draft's new version.

        `DuplicateUpdate` when the update was applied before, `StaleDraft` when `expected` is
        no longer the stored version; either way nothing changes."""
        now = self.store._now(now)
        with self.store._write() as connection:
            if update_id is not None:
                if not self.store._remember_update(connection, update_id, now):
                    raise DuplicateUpdate(update_id)
                connection.execute(
                    delete(schema.inbox).where(schema.inbox.c.update_id == update_id)
                )
            version = self.store._save_draft(connection, user_ref, state, now, expected)
        if update_id is not None:
            self._finished.add(update_id)
        return version

    # -- what every text message needs to know -------------------------------------

    def pending_and_access(
        self, user_ref: str
    ) -> tuple[tuple[str, dict[str, Any]] | None, AccessEvent | None]:
        """The traveller's pending input and newest access decision, in one read transaction."""
        table = schema.pending_inputs
        with self.store._read() as connection:
            row = connection.execute(
                select(table.c.kind, table.c.payload).where(table.c.user_ref == user_ref)
            ).first()
            latest = self.store._latest_access(connection, user_ref)
        return ((row.kind, row.payload) if row else None), latest

    # -- @usernames -------------------------------------------------------------------

    def remember_username(
        self, username: str, telegram_user_id: int, now: datetime | None = None
    ) -> None:
        """Remember which Telegram user has this @username (case-insensitive).

        A name Telegram would never issue (its rule: 4-32 of a-z, 0-9, _) is not stored,
        so a forged update cannot overflow the column."""
        name = username.lstrip("@").lower()
        if not _TELEGRAM_USERNAME.fullmatch(name):
            return
        now = self.store._now(now)
        with self.store._write() as connection:
            statement = self.store._insert(connection, schema.telegram_usernames).values(
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
        with self.store._read() as connection:
            value = connection.execute(
                select(table.c.telegram_user_id).where(
                    table.c.username == username.lstrip("@").lower()
                )
            ).scalar_one_or_none()
        return int(value) if value is not None else None

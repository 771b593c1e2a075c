"""The Telegram adapter's own tables and its hot path to the store.

The inbox (updates received but not yet handled), the processed update ids, @usernames and
pending inputs exist only because of Telegram, so they live here rather than in `bot.store`.
The draft save of an update is one unit of work: the update id is remembered, the update is
struck from the inbox and the draft written by the drafts repository, together. Calls on the
path of every update run through the service's one `StoreRunner` (`off_loop`), so a slow
disk or a busy database never stalls the event loop that serves the other travellers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Connection, delete, select

from bot.service import StoreRunner
from bot.store import AccessEvent, DraftVersion, DuplicateUpdate, Store, schema, sender_of
from bot.store.profiles import latest_access_in
from bot.store.repository import insert, insert_ignoring_conflicts

__all__ = ["UPDATE_RETENTION", "TelegramStore"]

#: How long an applied update id is remembered (Telegram redelivers within a day at most).
UPDATE_RETENTION = timedelta(days=7)
_PRUNE_INTERVAL = timedelta(hours=1)
_TELEGRAM_USERNAME = re.compile(r"[a-z0-9_]{4,32}")
_P = ParamSpec("_P")
_T = TypeVar("_T")


class TelegramStore:
    """The Telegram-only tables and the draft save of an update, over the shared `Store`."""

    def __init__(self, store: Store, runner: StoreRunner | None = None) -> None:
        self.store = store
        self.runner = runner or StoreRunner()
        #: Updates struck from the inbox by their draft save already.
        self._finished: set[int] = set()
        self._pruned_at: datetime | None = None

    async def off_loop(self, function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """Run a blocking store call on the service's `StoreRunner` and await its result."""
        return await self.runner.run(function, *args, **kwargs)

    # -- the inbox --------------------------------------------------------------------

    def receive_updates(
        self, payloads: Sequence[dict[str, Any]], now: datetime | None = None
    ) -> None:
        """Keep received Telegram updates until handled, all in one transaction (a second
        copy of one is ignored)."""
        if not payloads:
            return
        received_at = self.store.now(now)
        rows = [
            {
                "update_id": int(payload["update_id"]),
                "payload": payload,
                "received_at": received_at,
                "user_id": sender_of(payload),
            }
            for payload in payloads
        ]
        with self.store.write() as connection:
            statement = insert(connection, schema.inbox).on_conflict_do_nothing()
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
        with self.store.write() as connection:
            connection.execute(delete(schema.inbox).where(schema.inbox.c.update_id == update_id))

    def finished_already(self, update_id: int) -> bool:
        """Whether the update's draft save struck it from the inbox (then forgotten here)."""
        if update_id in self._finished:
            self._finished.discard(update_id)
            return True
        return False

    def unfinished_updates(self) -> list[dict[str, Any]]:
        """Updates received but not handled (the bot stopped in between), oldest first."""
        with self.store.read() as connection:
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
        no longer the stored version; either way nothing changes. The draft itself is written
        by the drafts repository (`Drafts.save_version`), in this unit of work."""
        now = self.store.now(now)
        with self.store.unit_of_work() as uow:
            if update_id is not None:
                with uow.write() as connection:
                    if not self._remember_update(connection, update_id, now):
                        raise DuplicateUpdate(update_id)
                    connection.execute(
                        delete(schema.inbox).where(schema.inbox.c.update_id == update_id)
                    )
            version = uow.drafts.save_version(user_ref, state, now, expected=expected)
        if update_id is not None:
            self._finished.add(update_id)
        return version

    # -- processed updates ------------------------------------------------------------

    def _remember_update(self, connection: Connection, update_id: int, now: datetime) -> bool:
        """Insert the update id (pruning old ones); whether it was new."""
        table = schema.processed_updates
        if self._pruned_at is None or now - self._pruned_at >= _PRUNE_INTERVAL:
            # At most hourly: pruning on every update would cost a query each time.
            connection.execute(delete(table).where(table.c.seen_at < now - UPDATE_RETENTION))
            self._pruned_at = now
        return (
            insert_ignoring_conflicts(connection, table, [{"update_id": update_id, "seen_at": now}])
            == 1
        )

    # -- pending inputs ---------------------------------------------------------------

    def expect_input(
        self, user_ref: str, kind: str, payload: dict[str, Any], now: datetime | None = None
    ) -> None:
        """Remember that the traveller's next message answers `kind` (replacing an earlier one)."""
        now = self.store.now(now)
        row = {"user_ref": user_ref, "kind": kind, "payload": payload, "created_at": now}
        with self.store.write() as connection:
            statement = insert(connection, schema.pending_inputs).values(**row)
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["user_ref"],
                    set_={"kind": kind, "payload": payload, "created_at": now},
                )
            )

    def pending_input(self, user_ref: str) -> tuple[str, dict[str, Any]] | None:
        """What the traveller's next message answers, as (kind, payload), or None."""
        with self.store.read() as connection:
            return _pending_in(connection, user_ref)

    def clear_input(self, user_ref: str) -> bool:
        """Forget the traveller's pending input; False when there was none."""
        table = schema.pending_inputs
        with self.store.write() as connection:
            deleted = connection.execute(delete(table).where(table.c.user_ref == user_ref)).rowcount
        return deleted > 0

    # -- what every text message needs to know -------------------------------------

    def pending_and_access(
        self, user_ref: str
    ) -> tuple[tuple[str, dict[str, Any]] | None, AccessEvent | None]:
        """The traveller's pending input and newest access decision, in one read transaction."""
        with self.store.read() as connection:
            return _pending_in(connection, user_ref), latest_access_in(connection, user_ref)

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
        now = self.store.now(now)
        with self.store.write() as connection:
            statement = insert(connection, schema.telegram_usernames).values(
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
        with self.store.read() as connection:
            value = connection.execute(
                select(table.c.telegram_user_id).where(
                    table.c.username == username.lstrip("@").lower()
                )
            ).scalar_one_or_none()
        return int(value) if value is not None else None


def _pending_in(connection: Connection, user_ref: str) -> tuple[str, dict[str, Any]] | None:
    """The traveller's pending input as (kind, payload), read on `connection`; or None."""
    table = schema.pending_inputs
    row = connection.execute(
        select(table.c.kind, table.c.payload).where(table.c.user_ref == user_ref)
    ).first()
    return (row.kind, row.payload) if row else None

"""The Telegram adapter's own tables and its hot path to the store.

The inbox (updates received but not yet handled), the processed update ids, @usernames and
pending inputs exist only because of Telegram, so they live here rather than in `bot.store`.
The draft save of an update is one unit of work: the update id is remembered, the update is
struck from the inbox and the draft written by the drafts repository, together. Calls on the
path of every update run through the service's one `StoreRunner` (`off_loop`), so a slow
disk or a busy database never stalls the event loop that serves the other travellers.

What every message needs to know first (the sender's pending input and newest access
decision) is read in the transaction that writes the update to the inbox, so a message
costs one trip to the store less. On SQLite, where this process is the only bot, that
reading is used when the update is handled, unless it is older than `PREFETCH_MAX_AGE` or a
write of this process may have changed it since (`Store.access_generation`); then it is read
again. On PostgreSQL another instance may handle the sender's earlier update meanwhile, so it
is always read at handling time.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Connection, bindparam, delete, select

from bot.service import Coalescer, StoreRunner
from bot.store import (
    AccessEvent,
    DraftVersion,
    DuplicateUpdate,
    StaleDraft,
    Store,
    UnitOfWork,
    schema,
    sender_of,
)
from bot.store.profiles import latest_access_of
from bot.store.repository import insert, per_dialect
from bot.store.schema import JsonText

__all__ = ["PREFETCH_MAX_AGE", "UPDATE_RETENTION", "DraftSave", "TelegramStore", "user_ref_of"]

#: How long an applied update id is remembered (Telegram redelivers within a day at most).
UPDATE_RETENTION = timedelta(days=7)
_PRUNE_INTERVAL = timedelta(hours=1)
#: Seconds a pending input and access decision read with an update's inbox write stay usable
#: for handling it (an update waiting longer behind its sender's earlier one reads again).
PREFETCH_MAX_AGE = 2.0
#: Readings kept for updates not yet handled (more are dropped, oldest first: read again).
_PREFETCH_LIMIT = 10_000
_TELEGRAM_USERNAME = re.compile(r"[a-z0-9_]{4,32}")
_P = ParamSpec("_P")

# The statements of every update, built once: a fresh statement costs SQLAlchemy several
# times what executing a built one does (measured: 364 against 100 microseconds).
_PROCESSED = schema.processed_updates
_INBOX = schema.inbox
_REMEMBER_UPDATES = per_dialect(
    lambda dialect: (
        dialect.insert(_PROCESSED).on_conflict_do_nothing().returning(_PROCESSED.c.update_id)
    )
)
_RECEIVE_UPDATES = per_dialect(lambda dialect: dialect.insert(_INBOX).on_conflict_do_nothing())
_FORGET_UPDATES = delete(_PROCESSED).where(
    _PROCESSED.c.update_id.in_(bindparam("update_ids", expanding=True))
)
_STRIKE_FROM_INBOX = delete(_INBOX).where(
    _INBOX.c.update_id.in_(bindparam("update_ids", expanding=True))
)
_PENDING_OF = select(
    schema.pending_inputs.c.user_ref, schema.pending_inputs.c.kind, schema.pending_inputs.c.payload
).where(schema.pending_inputs.c.user_ref.in_(bindparam("user_refs", expanding=True)))
_T = TypeVar("_T")

#: A traveller's pending input as (kind, payload), and their newest access decision.
PendingAndAccess = tuple[tuple[str, dict[str, Any]] | None, AccessEvent | None]


def user_ref_of(user_id: int) -> str:
    """The store's key for a Telegram user."""
    return f"telegram:{user_id}"


@dataclass(frozen=True)
class _Prefetch:
    """What was read for one update along with its inbox write, and when."""

    user_ref: str
    found: PendingAndAccess
    generation: int  # `Store.access_generation` before the read
    read_at: float  # time.monotonic() before the transaction began


@dataclass(frozen=True)
class DraftSave:
    """One traveller's draft to save, with the update it applies and the version it replaces."""

    user_ref: str
    state: dict[str, Any] | JsonText  # JsonText: the draft as JSON text already
    update_id: int | None = None
    expected: DraftVersion | None = None
    now: datetime | None = None


class TelegramStore:
    """The Telegram-only tables and the draft save of an update, over the shared `Store`."""

    def __init__(self, store: Store, runner: StoreRunner | None = None) -> None:
        self.store = store
        self.runner = runner or StoreRunner()
        #: Updates struck from the inbox by their draft save already.
        self._finished: set[int] = set()
        self._pruned_at: datetime | None = None
        #: The hot path of every message, each joined across travellers into one transaction.
        self._draft_saves = Coalescer(self.runner, self.save_drafts)
        self._reads = Coalescer(self.runner, self.pending_and_access_of)
        #: Read along with each update's inbox write (SQLite only), until it is handled.
        self._prefetching = store.engine.dialect.name == "sqlite"
        self._prefetched: OrderedDict[int, _Prefetch] = OrderedDict()
        self._prefetch_lock = threading.Lock()
        #: How many updates used their prefetched reading, and how many read again.
        self.prefetch_hits = 0
        self.prefetch_misses = 0

    async def commit_draft(self, save: DraftSave) -> DraftVersion:
        """`save_draft` off the event loop, group-committed with other travellers' saves that
        arrive meanwhile; returns once it is on disk."""
        return await self._draft_saves.submit(save)

    async def read_pending_and_access(
        self, user_ref: str, update_id: int | None = None
    ) -> PendingAndAccess:
        """`pending_and_access` as read with the update's inbox write, if that reading is
        still current; else off the event loop, read together with other travellers'."""
        if update_id is not None and self._prefetching:
            found = self._take_prefetched(update_id, user_ref)
            if found is not None:
                self.prefetch_hits += 1
                return found
            self.prefetch_misses += 1
        return await self._reads.submit(user_ref)

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
        senders: dict[int, str] = {}
        if self._prefetching:
            for payload in payloads:
                sender = sender_of(payload)
                if sender is not None:
                    senders[int(payload["update_id"])] = user_ref_of(sender)
        generation, read_at = self.store.access_generation, time.monotonic()
        with self.store.write(touches_access=False) as connection:
            connection.execute(_RECEIVE_UPDATES[connection.dialect.name], rows)
            found = _pending_and_access_in(connection, list(senders.values()))
        self._keep_prefetched(senders, found, generation, read_at)

    def receive_update(
        self, update_id: int, payload: dict[str, Any], now: datetime | None = None
    ) -> None:
        """Keep one received Telegram update until it is handled."""
        self.receive_updates([{**payload, "update_id": update_id}], now)

    def finish_update(self, update_id: int) -> None:
        """Strike a handled update from the inbox (at no cost when its draft save did)."""
        if self.finished_already(update_id):
            return
        with self.store.write(touches_access=False) as connection:
            connection.execute(_STRIKE_FROM_INBOX, {"update_ids": [update_id]})

    def strike_within(self, update_id: int) -> Callable[[UnitOfWork], None]:
        """The strike of `update_id` from the inbox, to run inside a use case's unit of work
        (the finish: one commit less); call `struck` once that unit committed."""

        def strike(uow: UnitOfWork) -> None:
            with uow.write() as connection:
                connection.execute(_STRIKE_FROM_INBOX, {"update_ids": [update_id]})

        return strike

    def struck(self, update_id: int) -> None:
        """`update_id` left the inbox in a committed unit of work: no strike of its own."""
        self._finished.add(update_id)

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
        save = DraftSave(user_ref, state, update_id=update_id, expected=expected)
        outcome = self.save_drafts([save], now)[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def save_drafts(
        self, saves: Sequence[DraftSave], now: datetime | None = None
    ) -> list[DraftVersion | DuplicateUpdate | StaleDraft]:
        """`save_draft` for several travellers in one transaction (a group commit); each
        save's new version, or the `DuplicateUpdate` or `StaleDraft` that stopped that save
        alone (it changed nothing, the others are saved)."""
        now = self.store.now(now)
        outcomes: list[DraftVersion | DuplicateUpdate | StaleDraft] = []
        with self.store.unit_of_work(touches_access=False) as uow, uow.write() as connection:
            new = self._remember_updates(
                connection, [s.update_id for s in saves if s.update_id is not None], now
            )
            undo: list[int] = []
            for save in saves:
                if save.update_id is not None:
                    if save.update_id not in new:
                        outcomes.append(DuplicateUpdate(save.update_id))
                        continue
                    new.discard(save.update_id)  # a second save of one update: duplicate
                try:
                    outcomes.append(
                        uow.drafts.save_version(
                            save.user_ref, save.state, save.now or now, expected=save.expected
                        )
                    )
                except StaleDraft as stale:
                    outcomes.append(stale)
                    if save.update_id is not None:
                        undo.append(save.update_id)
            applied = [
                save.update_id
                for save, outcome in zip(saves, outcomes, strict=True)
                if save.update_id is not None and isinstance(outcome, DraftVersion)
            ]
            if undo:  # not applied after all: a later delivery must apply it
                connection.execute(_FORGET_UPDATES, {"update_ids": undo})
            if applied:
                connection.execute(_STRIKE_FROM_INBOX, {"update_ids": applied})
        self._finished.update(applied)
        return outcomes

    # -- processed updates ------------------------------------------------------------

    def _remember_updates(
        self, connection: Connection, update_ids: Sequence[int], now: datetime
    ) -> set[int]:
        """Insert the update ids in one statement (pruning old ones hourly); those that were
        new (a clash means the update was applied before)."""
        table = schema.processed_updates
        if self._pruned_at is None or now - self._pruned_at >= _PRUNE_INTERVAL:
            # At most hourly: pruning on every update would cost a query each time.
            connection.execute(delete(table).where(table.c.seen_at < now - UPDATE_RETENTION))
            self._pruned_at = now
        if not update_ids:
            return set()
        rows = [{"update_id": update_id, "seen_at": now} for update_id in dict.fromkeys(update_ids)]
        inserted = connection.execute(_REMEMBER_UPDATES[connection.dialect.name], rows)
        return {int(update_id) for update_id in inserted.scalars()}

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
        return self.pending_and_access_of([user_ref])[0]

    def pending_and_access_of(self, user_refs: Sequence[str]) -> list[PendingAndAccess]:
        """`pending_and_access` of several travellers, in one read transaction (two queries)."""
        with self.store.read() as connection:
            found = _pending_and_access_in(connection, user_refs)
        return [found[ref] for ref in user_refs]

    def _keep_prefetched(
        self,
        senders: dict[int, str],
        found: dict[str, PendingAndAccess],
        generation: int,
        read_at: float,
    ) -> None:
        """Keep what was read for each update with its inbox write (a store thread calls)."""
        with self._prefetch_lock:
            for update_id, user_ref in senders.items():
                self._prefetched[update_id] = _Prefetch(
                    user_ref, found[user_ref], generation, read_at
                )
            while len(self._prefetched) > _PREFETCH_LIMIT:
                self._prefetched.popitem(last=False)

    def _take_prefetched(self, update_id: int, user_ref: str) -> PendingAndAccess | None:
        """The reading kept for this update and sender, once, if no write of this process may
        have changed it since and it is young enough; else None."""
        with self._prefetch_lock:
            kept = self._prefetched.pop(update_id, None)
        if kept is None or kept.user_ref != user_ref:
            return None
        if kept.generation != self.store.access_generation:
            return None
        if time.monotonic() - kept.read_at > PREFETCH_MAX_AGE:
            return None
        return kept.found

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
        with self.store.write(touches_access=False) as connection:
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


def _pending_and_access_in(
    connection: Connection, user_refs: Sequence[str]
) -> dict[str, PendingAndAccess]:
    """Pending input and newest access decision of each traveller, read on `connection` (two
    queries, none without travellers)."""
    if not user_refs:
        return {}
    unique = list(set(user_refs))
    rows = connection.execute(_PENDING_OF, {"user_refs": unique}).all()
    latest = latest_access_of(connection, unique)
    pending = {row.user_ref: (row.kind, row.payload) for row in rows}
    return {ref: (pending.get(ref), latest.get(ref)) for ref in unique}


def _pending_in(connection: Connection, user_ref: str) -> tuple[str, dict[str, Any]] | None:
    """The traveller's pending input as (kind, payload), read on `connection`; or None."""
    table = schema.pending_inputs
    row = connection.execute(
        select(table.c.kind, table.c.payload).where(table.c.user_ref == user_ref)
    ).first()
    return (row.kind, row.payload) if row else None

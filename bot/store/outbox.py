"""The outbox repository: deliveries queued in the transaction that decided them, sent later."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, bindparam, func, or_, select, update

from bot.store import schema
from bot.store.records import OutboxItem, OutboxMessage
from bot.store.repository import Repository, as_record, insert_ignoring_conflicts

__all__ = ["Outbox"]

_OUTBOX = schema.outbox


def _claimable() -> ColumnElement[bool]:
    """Unsent, due at `:now`, and not leased to a worker at `:now`."""
    return and_(
        _OUTBOX.c.sent_at.is_(None),
        _OUTBOX.c.next_attempt_at <= bindparam("now"),
        or_(_OUTBOX.c.claimed_until.is_(None), _OUTBOX.c.claimed_until <= bindparam("now")),
    )


# The delivery worker's statements, built once (a fresh statement costs SQLAlchemy several
# times its execution). A claim picks the `:batch` first due items, then leases them all in
# one UPDATE (a LIMIT inside the UPDATE would be re-run by PostgreSQL as rows change).
_DUE = (
    select(_OUTBOX.c.id)
    .where(_claimable())
    .order_by(_OUTBOX.c.next_attempt_at, _OUTBOX.c.id)
    .limit(bindparam("batch"))
    # PostgreSQL: rows another instance is claiming right now are passed over instead of
    # waited for (SQLite has one writer and ignores this).
    .with_for_update(skip_locked=True)
)
_LEASE = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)), _claimable())
    .values(claimed_until=bindparam("until"), attempts=_OUTBOX.c.attempts + 1)
    .returning(*_OUTBOX.c)
)
#: Give back a claim that was not tried: exactly that lease (another instance's has another
#: end), and the attempt it counted is not counted.
_RELEASE = (
    update(_OUTBOX)
    .where(
        _OUTBOX.c.id == bindparam("item_id"),
        _OUTBOX.c.claimed_until == bindparam("until"),
        _OUTBOX.c.sent_at.is_(None),
    )
    .values(claimed_until=None, attempts=_OUTBOX.c.attempts - 1)
)
_MARK_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("item_id"), _OUTBOX.c.sent_at.is_(None))
    .values(sent_at=bindparam("sent_at"), claimed_until=None, last_error=None)
)


class Outbox(Repository):
    """Queued deliveries: messages, documents and e-mails, each sent once. Its writes change
    no access decision and no pending input (`touches_access=False`)."""

    def enqueue(
        self,
        items: Sequence[OutboxItem],
        now: datetime | None = None,
        *,
        due: datetime | None = None,
    ) -> int:
        """Queue deliveries (items whose dedupe_key is known are ignored); the number queued.

        They are due at once, or at `due`."""
        now = self._tx.now(now)
        rows = [
            {
                "kind": item.kind,
                "dedupe_key": item.dedupe_key,
                "payload": item.payload,
                "attempts": 0,
                "created_at": now,
                "next_attempt_at": due or now,
            }
            for item in items
        ]
        with self._tx.write(touches_access=False) as connection:
            return insert_ignoring_conflicts(connection, schema.outbox, rows)

    def next_slot(self, key_prefix: str, spacing_seconds: float, now: datetime) -> datetime:
        """When an item of this kind may go next: `spacing_seconds` after the last unsent one
        whose dedupe key starts with `key_prefix`, and not before `now`."""
        table = schema.outbox
        with self._tx.read() as connection:
            last_slot = connection.execute(
                select(func.max(table.c.next_attempt_at)).where(
                    table.c.sent_at.is_(None), table.c.dedupe_key.like(f"{key_prefix}%")
                )
            ).scalar_one_or_none()
        if last_slot is None:
            return now
        last_slot = last_slot.replace(tzinfo=UTC) if last_slot.tzinfo is None else last_slot
        return max(now, last_slot + timedelta(seconds=spacing_seconds))

    def claim_due(
        self, now: datetime | None = None, limit: int = 10, lease_seconds: float = 60.0
    ) -> list[OutboxMessage]:
        """Lease up to `limit` due, unsent items to this worker for `lease_seconds`.

        A leased item is offered to no one else until the lease ends (a worker that
        died mid-send frees it that way). Each claim counts as an attempt.
        """
        now = self._tx.now(now)
        until = now + timedelta(seconds=lease_seconds)
        with self._tx.write(touches_access=False) as connection:
            ids = connection.execute(_DUE, {"now": now, "batch": limit}).scalars().all()
            rows = (
                connection.execute(_LEASE, {"ids": ids, "now": now, "until": until}).all()
                if ids
                else []
            )
        claimed = [as_record(OutboxMessage, row) for row in rows]
        return sorted(claimed, key=lambda item: (item.next_attempt_at, item.id))

    def release(self, items: Sequence[OutboxMessage]) -> None:
        """Give back claimed items that were not tried (the worker is stopping): due again at
        once for any worker, their attempt not counted. A lease that ended and went to
        another worker meanwhile is left alone."""
        rows = [
            {"item_id": item.id, "until": item.claimed_until}
            for item in items
            if item.claimed_until is not None
        ]
        if not rows:
            return
        with self._tx.write(touches_access=False) as connection:
            connection.execute(_RELEASE, rows)

    def mark_sent(self, item_id: int, now: datetime | None = None) -> bool:
        """Record a delivery; False when it was recorded before."""
        with self._tx.write(touches_access=False) as connection:
            changed = connection.execute(
                _MARK_SENT, {"item_id": item_id, "sent_at": self._tx.now(now)}
            ).rowcount
        return changed == 1

    def mark_failed(self, item_id: int, error: str, retry_at: datetime) -> None:
        """Record a failed delivery and when to try again (see `next_retry_delay`)."""
        table = schema.outbox
        with self._tx.write(touches_access=False) as connection:
            connection.execute(
                update(table)
                .where(table.c.id == item_id, table.c.sent_at.is_(None))
                .values(next_attempt_at=retry_at, claimed_until=None, last_error=error[:2000])
            )

    def move_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """Point every undelivered item for `old_chat_id` at `new_chat_id` (a group that
        became a supergroup); how many moved."""
        table = schema.outbox
        moved = 0
        with self._tx.write(touches_access=False) as connection:
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

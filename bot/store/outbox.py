"""The outbox repository: deliveries queued in the transaction that decided them, sent later."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, or_, select, update

from bot.store import schema
from bot.store.records import OutboxItem, OutboxMessage
from bot.store.repository import Repository, as_record, insert_ignoring_conflicts

__all__ = ["Outbox"]


class Outbox(Repository):
    """Queued deliveries: messages, documents and e-mails, each sent once."""

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
        with self._tx.write() as connection:
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
        table = schema.outbox
        claimable = and_(
            table.c.sent_at.is_(None),
            table.c.next_attempt_at <= now,
            or_(table.c.claimed_until.is_(None), table.c.claimed_until <= now),
        )
        claimed: list[OutboxMessage] = []
        with self._tx.write() as connection:
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
                    claimed.append(as_record(OutboxMessage, row))
        return claimed

    def mark_sent(self, item_id: int, now: datetime | None = None) -> bool:
        """Record a delivery; False when it was recorded before."""
        table = schema.outbox
        with self._tx.write() as connection:
            changed = connection.execute(
                update(table)
                .where(table.c.id == item_id, table.c.sent_at.is_(None))
                .values(sent_at=self._tx.now(now), claimed_until=None, last_error=None)
            ).rowcount
        return changed == 1

    def mark_failed(self, item_id: int, error: str, retry_at: datetime) -> None:
        """Record a failed delivery and when to try again (see `next_retry_delay`)."""
        table = schema.outbox
        with self._tx.write() as connection:
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
        with self._tx.write() as connection:
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

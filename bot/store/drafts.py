"""The drafts repository: each traveller's unfinished interview, saved after every answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from bot.store import schema
from bot.store.records import Draft, DuplicateUpdate
from bot.store.repository import Repository, as_record, insert

__all__ = ["Drafts"]


class Drafts(Repository):
    """Unfinished interviews, one per traveller."""

    def save(
        self,
        user_ref: str,
        state: dict[str, Any],
        now: datetime | None = None,
        *,
        update_id: int | None = None,
    ) -> int:
        """Store the traveller's interview state; returns its new revision (1, 2, ...).

        With `update_id`, the Telegram update is remembered in the same transaction;
        if it was applied before, `DuplicateUpdate` is raised and nothing changes.
        """
        now = self._tx.now(now)
        store = self._tx.store
        table = schema.drafts
        with self._tx.write() as connection:
            if update_id is not None:
                if not store._remember_update(connection, update_id, now):
                    raise DuplicateUpdate(update_id)
                # The update is handled by this very transaction: it leaves the inbox with it.
                connection.execute(
                    delete(schema.inbox).where(schema.inbox.c.update_id == update_id)
                )
            statement = insert(connection, table).values(
                user_ref=user_ref, state=state, revision=1, created_at=now, updated_at=now
            )
            revision = connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["user_ref"],
                    set_={"state": state, "revision": table.c.revision + 1, "updated_at": now},
                ).returning(table.c.revision)
            ).scalar_one()
        if update_id is not None:
            store._finished_updates.add(update_id)
        return int(revision)

    def load(self, user_ref: str) -> Draft | None:
        """The traveller's unfinished interview, or None."""
        with self._tx.read() as connection:
            row = connection.execute(
                select(schema.drafts).where(schema.drafts.c.user_ref == user_ref)
            ).first()
        return as_record(Draft, row) if row else None

    def delete(self, user_ref: str) -> bool:
        """Throw the traveller's draft away; False when there was none."""
        with self._tx.write() as connection:
            deleted = connection.execute(
                delete(schema.drafts).where(schema.drafts.c.user_ref == user_ref)
            ).rowcount
        return deleted > 0

    def idle_since(self, cutoff: datetime) -> list[Draft]:
        """Drafts not touched since `cutoff`, longest idle first."""
        table = schema.drafts
        with self._tx.read() as connection:
            rows = connection.execute(
                select(table).where(table.c.updated_at <= cutoff).order_by(table.c.updated_at)
            ).all()
        return [as_record(Draft, row) for row in rows]

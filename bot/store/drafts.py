"""The drafts repository: each traveller's unfinished interview, saved after every answer.

A draft carries its version (`DraftVersion`: revision and creation time), so a caller that
keeps a copy (the Telegram draft cache) overwrites or drops only the version it read; a
draft changed, erased or started again meanwhile raises `StaleDraft` and nothing changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, delete, select, update

from bot.store import schema
from bot.store.records import Draft, DraftVersion, StaleDraft
from bot.store.repository import Repository, as_record, per_dialect
from bot.store.schema import JsonText

__all__ = ["Drafts"]


def _upsert(dialect: Any) -> Any:
    """Insert the draft as revision 1, or overwrite the stored one as its next revision."""
    table = schema.drafts
    statement = dialect.insert(table).values(
        user_ref=bindparam("new_user_ref"),
        state=bindparam("new_state"),
        revision=1,
        created_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
    return statement.on_conflict_do_update(
        index_elements=["user_ref"],
        set_={
            "state": statement.excluded.state,
            "revision": table.c.revision + 1,
            "updated_at": statement.excluded.updated_at,
        },
    ).returning(table.c.revision, table.c.created_at)


_UPSERT = per_dialect(_upsert)

#: The save of every answer, built once (a fresh statement costs several times its execution):
#: overwrite exactly the expected version of the draft, returning the new one.
_OVERWRITE_VERSION = (
    update(schema.drafts)
    .where(
        schema.drafts.c.user_ref == bindparam("of_user_ref"),
        schema.drafts.c.revision == bindparam("of_revision"),
        schema.drafts.c.created_at == bindparam("of_created_at"),
    )
    .values(
        state=bindparam("new_state"),
        revision=schema.drafts.c.revision + 1,
        updated_at=bindparam("new_updated_at"),
    )
    .returning(schema.drafts.c.revision, schema.drafts.c.created_at)
)

#: Built once as well (run at every finish): drop the draft, or only that very version of it.
_DELETE = delete(schema.drafts).where(schema.drafts.c.user_ref == bindparam("ref"))
_DELETE_VERSION = _DELETE.where(
    schema.drafts.c.revision == bindparam("revision"),
    schema.drafts.c.created_at == bindparam("created_at"),
)


class Drafts(Repository):
    """Unfinished interviews, one per traveller."""

    def save(self, user_ref: str, state: dict[str, Any], now: datetime | None = None) -> int:
        """Store the traveller's interview state; returns its new revision (1, 2, ...)."""
        return self.save_version(user_ref, state, now).revision

    def save_version(
        self,
        user_ref: str,
        state: dict[str, Any] | JsonText,
        now: datetime | None = None,
        *,
        expected: DraftVersion | None = None,
    ) -> DraftVersion:
        """Insert or overwrite the draft in one statement; its new version.

        With `expected`, only that very version is overwritten (one conditional UPDATE);
        a draft changed, deleted or started again meanwhile raises `StaleDraft`."""
        now = self._tx.now(now)
        row: Row[Any] | None
        with self._tx.write() as connection:
            if expected is None:
                row = connection.execute(
                    _UPSERT[connection.dialect.name],
                    {"new_user_ref": user_ref, "new_state": state, "now": now},
                ).one()
            else:
                row = connection.execute(
                    _OVERWRITE_VERSION,
                    {
                        "of_user_ref": user_ref,
                        "of_revision": expected.revision,
                        "of_created_at": expected.created_at,
                        "new_state": state,
                        "new_updated_at": now,
                    },
                ).first()
                if row is None:
                    raise StaleDraft(user_ref)
        return DraftVersion(int(row.revision), row.created_at)

    def load(self, user_ref: str) -> Draft | None:
        """The traveller's unfinished interview, or None."""
        with self._tx.read() as connection:
            row = connection.execute(
                select(schema.drafts).where(schema.drafts.c.user_ref == user_ref)
            ).first()
        return as_record(Draft, row) if row else None

    def version(self, user_ref: str) -> DraftVersion | None:
        """Which version of the traveller's draft is stored (one small indexed read), or None."""
        table = schema.drafts
        with self._tx.read() as connection:
            row = connection.execute(
                select(table.c.revision, table.c.created_at).where(table.c.user_ref == user_ref)
            ).first()
        return DraftVersion(int(row.revision), row.created_at) if row else None

    def delete(self, user_ref: str, *, expected: DraftVersion | None = None) -> bool:
        """Throw the traveller's draft away; False when there was none.

        With `expected`, only that very version goes: another raises `StaleDraft`."""
        with self._tx.write() as connection:
            if expected is None:
                deleted = connection.execute(_DELETE, {"ref": user_ref}).rowcount
            else:
                version = {"revision": expected.revision, "created_at": expected.created_at}
                deleted = connection.execute(_DELETE_VERSION, {"ref": user_ref, **version}).rowcount
        if expected is not None and deleted != 1:
            raise StaleDraft(user_ref)
        return deleted > 0

    def idle_since(self, cutoff: datetime) -> list[Draft]:
        """Drafts not touched since `cutoff`, longest idle first."""
        table = schema.drafts
        with self._tx.read() as connection:
            rows = connection.execute(
                select(table).where(table.c.updated_at <= cutoff).order_by(table.c.updated_at)
            ).all()
        return [as_record(Draft, row) for row in rows]

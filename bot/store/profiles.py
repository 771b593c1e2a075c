"""The profiles repository: travellers (name, department, Telegram ids, access status) and
the audit of every access decision, which sets that status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from bot.report import Traveller
from bot.store import schema
from bot.store.records import AccessAction, AccessEvent, AccessStatus, Account
from bot.store.repository import Repository, as_record, insert, per_dialect

__all__ = ["Profiles", "latest_access_in", "latest_access_of"]


def latest_access_in(connection: Connection, user_ref: str) -> AccessEvent | None:
    """The newest audit line of this traveller, or None."""
    return latest_access_of(connection, [user_ref]).get(user_ref)


_AUDIT = schema.access_audit
#: Built once: it runs for every message a traveller sends.
_LATEST_ACCESS_OF = select(_AUDIT).where(
    _AUDIT.c.id.in_(
        select(func.max(_AUDIT.c.id))
        .where(_AUDIT.c.user_ref.in_(bindparam("user_refs", expanding=True)))
        .group_by(_AUDIT.c.user_ref)
    )
)


def latest_access_of(connection: Connection, user_refs: Sequence[str]) -> dict[str, AccessEvent]:
    """The newest audit line of each of these travellers (those with one), in one query."""
    if not user_refs:
        return {}
    rows = connection.execute(_LATEST_ACCESS_OF, {"user_refs": list(set(user_refs))}).all()
    return {row.user_ref: as_record(AccessEvent, row) for row in rows}


_TRAVELLERS = schema.travellers


def _save_profile(dialect: Any) -> Any:
    """The upsert of `Profiles.save`, built once: name, department and time always; the
    Telegram ids only when given (NULL keeps the stored ones); the status only when new."""
    statement = dialect.insert(_TRAVELLERS)
    new = statement.excluded
    kept = ("telegram_user_id", "chat_id")
    return statement.on_conflict_do_update(
        index_elements=["user_ref"],
        set_={
            "name": new.name,
            "department": new.department,
            "updated_at": new.updated_at,
            **{name: func.coalesce(new[name], _TRAVELLERS.c[name]) for name in kept},
        },
    )


#: Built once per dialect: it runs for every finished report.
_SAVE_PROFILE = per_dialect(_save_profile)


class Profiles(Repository):
    """Travellers and their access decisions."""

    def account(self, user_ref: str) -> Account | None:
        """Everything known about this traveller, or None."""
        with self._tx.read() as connection:
            row = connection.execute(
                select(schema.travellers).where(schema.travellers.c.user_ref == user_ref)
            ).first()
        return as_record(Account, row) if row else None

    def profile(self, user_ref: str) -> Traveller | None:
        """The traveller's name and department, once given; otherwise None."""
        account = self.account(user_ref)
        if account is None or account.name is None or account.department is None:
            return None
        return Traveller(name=account.name, department=account.department, user_ref=user_ref)

    def language(self, user_ref: str) -> str | None:
        """The language this traveller chose ('nl', 'en'), or None when they never chose."""
        table = schema.traveller_languages
        with self._tx.read() as connection:
            return connection.execute(
                select(table.c.language).where(table.c.user_ref == user_ref)
            ).scalar_one_or_none()

    def set_language(self, user_ref: str, language: str, now: datetime | None = None) -> None:
        """Remember the language this traveller chose."""
        row = {"user_ref": user_ref, "language": language, "updated_at": self._tx.now(now)}
        with self._tx.write() as connection:
            statement = insert(connection, schema.traveller_languages).values(**row)
            connection.execute(
                statement.on_conflict_do_update(index_elements=["user_ref"], set_=row)
            )

    def save(
        self,
        traveller: Traveller,
        now: datetime | None = None,
        *,
        telegram_user_id: int | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Remember name and department (and Telegram ids) of `traveller.user_ref`.

        A new traveller starts as 'allowed' (reaching the interview means access was
        granted); an existing one keeps their access status.
        """
        if not traveller.user_ref:
            raise ValueError("traveller.user_ref is required to save a profile")
        now = self._tx.now(now)
        row = {
            "user_ref": traveller.user_ref,
            "name": traveller.name,
            "department": traveller.department,
            "telegram_user_id": telegram_user_id,
            "chat_id": chat_id,
            "status": AccessStatus.ALLOWED.value,
            "created_at": now,
            "updated_at": now,
        }
        with self._tx.write() as connection:
            connection.execute(_SAVE_PROFILE[connection.dialect.name], row)

    def latest_access(self, user_ref: str) -> AccessEvent | None:
        """The traveller's current access decision (the newest audit line), or None."""
        with self._tx.read() as connection:
            return latest_access_in(connection, user_ref)

    def granted_access(self) -> list[AccessEvent]:
        """The grant lines of every traveller whose access the secretariat granted and kept."""
        table = schema.access_audit
        newest = select(func.max(table.c.id)).group_by(table.c.user_ref).scalar_subquery()
        with self._tx.read() as connection:
            rows = connection.execute(
                select(table)
                .where(table.c.id.in_(newest), table.c.action == AccessAction.GRANTED.value)
                .order_by(table.c.at, table.c.id)
            ).all()
        return [as_record(AccessEvent, row) for row in rows]

    def audit(
        self,
        user_ref: str,
        action: AccessAction,
        by_user_ref: str | None,
        now: datetime | None = None,
        *,
        telegram_user_id: int | None = None,
        chat_id: int | None = None,
    ) -> int:
        """Append an audit line and set the traveller's status (and ids) to match; its id."""
        now = self._tx.now(now)
        status = {
            AccessAction.REQUESTED: AccessStatus.PENDING,
            AccessAction.GRANTED: AccessStatus.ALLOWED,
        }.get(action, AccessStatus.REJECTED)
        changes: dict[str, Any] = {"status": status.value, "updated_at": now}
        if telegram_user_id is not None:
            changes |= {"telegram_user_id": telegram_user_id, "chat_id": telegram_user_id}
        if chat_id is not None:
            changes["chat_id"] = chat_id
        with self._tx.write() as connection:
            statement = insert(connection, schema.travellers).values(
                user_ref=user_ref, created_at=now, **changes
            )
            connection.execute(
                statement.on_conflict_do_update(index_elements=["user_ref"], set_=changes)
            )
            return int(
                connection.execute(
                    schema.access_audit.insert()
                    .values(user_ref=user_ref, action=action.value, by_user_ref=by_user_ref, at=now)
                    .returning(schema.access_audit.c.id)
                ).scalar_one()
            )

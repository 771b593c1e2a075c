"""The AVG (GDPR) side of the store: a traveller's data as one document, its erasure, and
the retention sweep that deletes what is no longer needed. See docs/privacy.md."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, and_, delete, exists, or_, select, update

from bot.store import schema
from bot.store.records import AccessStatus, OutboxItem, TripStatus
from bot.store.store import Store
from bot.store.unit_of_work import UnitOfWork

__all__ = [
    "ERASED_USER_REF",
    "Erasure",
    "IdleDraft",
    "RetentionPolicy",
    "RetentionSweep",
    "erase_personal_data",
    "personal_data",
    "run_retention",
]

#: What replaces the traveller's account reference in reports kept after an erasure.
ERASED_USER_REF = "verwijderd"


@dataclass(frozen=True)
class RetentionPolicy:
    """How long each kind of data is kept (days); see RETENTION_* in .env.example."""

    sent_outbox_days: int
    draft_days: int
    draft_warning_days: int
    access_request_days: int
    processed_update_days: int


@dataclass(frozen=True)
class IdleDraft:
    """A draft about to be deleted for being idle, and when that will happen."""

    user_ref: str
    updated_at: datetime
    deleted_after: datetime


@dataclass(frozen=True)
class RetentionSweep:
    """What one retention run deleted (counts) and whom it warned."""

    outbox_bodies: int
    drafts: int
    access_requests: int
    processed_updates: int
    warned: tuple[str, ...]


@dataclass(frozen=True)
class Erasure:
    """What `erase_personal_data` removed or anonymised."""

    drafts: int
    usernames: int
    pending_inputs: int
    profile: bool
    outbox_items: int
    reports_anonymised: int


def _plain(value: Any) -> Any:
    """A stored value as JSON: datetimes and dates in ISO 8601."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(row: Row[Any]) -> dict[str, Any]:
    """A table row as a JSON-ready dict."""
    return {key: _plain(value) for key, value in row._mapping.items()}


def _addressed_to(payload: Any, chat_id: int | None) -> bool:
    """Whether an outbox payload goes to this chat."""
    return chat_id is not None and isinstance(payload, dict) and payload.get("chat_id") == chat_id


def personal_data(
    store: Store, user_ref: str, telegram_user_id: int | None, now: datetime
) -> dict[str, Any]:
    """Everything the store holds about one traveller, as one JSON-ready document."""
    t = schema
    with store._read() as connection:
        account = connection.execute(
            select(t.travellers).where(t.travellers.c.user_ref == user_ref)
        ).first()
        draft = connection.execute(select(t.drafts).where(t.drafts.c.user_ref == user_ref)).first()
        reports = connection.execute(
            select(t.reports).where(t.reports.c.user_ref == user_ref).order_by(t.reports.c.year)
        ).all()
        trips = connection.execute(
            select(t.trips)
            .where(or_(t.trips.c.user_ref == user_ref, t.trips.c.created_by == user_ref))
            .order_by(t.trips.c.departure)
        ).all()
        reminders = connection.execute(
            select(t.reminders).where(t.reminders.c.user_ref == user_ref).order_by(t.reminders.c.id)
        ).all()
        pending = connection.execute(
            select(t.pending_inputs).where(t.pending_inputs.c.user_ref == user_ref)
        ).first()
        usernames = (
            connection.execute(
                select(t.telegram_usernames).where(
                    t.telegram_usernames.c.telegram_user_id == telegram_user_id
                )
            ).all()
            if telegram_user_id is not None
            else []
        )
        language = connection.execute(
            select(t.traveller_languages).where(t.traveller_languages.c.user_ref == user_ref)
        ).first()
        report_ids = {row.report_id for row in reports}
        outbox = [
            row
            for row in connection.execute(select(t.outbox).order_by(t.outbox.c.id)).all()
            if _addressed_to(row.payload, telegram_user_id)
            or row.dedupe_key.split(":", 1)[0] in report_ids
        ]
    return {
        "toelichting": (
            "Alles wat de reisverslag-bot over jou heeft opgeslagen, op "
            f"{now:%d-%m-%Y %H:%M} (UTC). Uitleg per onderdeel: docs/privacy.md."
        ),
        "user_ref": user_ref,
        "telegram_user_id": telegram_user_id,
        "account": _row(account) if account else None,
        "draft": _row(draft) if draft else None,
        "reports": [_row(row) for row in reports],
        "trips": [_row(row) for row in trips],
        "reminders": [_row(row) for row in reminders],
        "pending_input": _row(pending) if pending else None,
        "language": _row(language) if language else None,
        "telegram_usernames": [_row(row) for row in usernames],
        "messages_queued_or_recently_sent": [_row(row) for row in outbox],
    }


def erase_personal_data(
    store: Store, user_ref: str, telegram_user_id: int | None, now: datetime
) -> Erasure:
    """Erase a traveller's draft, profile, usernames, pending input and messages to them.

    Finished reports stay (the public register is a legal record) but lose the link to the
    Telegram account; announced trips stay with the secretariat's administration. Access
    granted by the secretariat stays, so the traveller can still report; a stranger's
    access request is deleted altogether.
    """
    t = schema
    with store._write() as connection:
        drafts = connection.execute(delete(t.drafts).where(t.drafts.c.user_ref == user_ref))
        pending = connection.execute(
            delete(t.pending_inputs).where(t.pending_inputs.c.user_ref == user_ref)
        )
        usernames = 0
        if telegram_user_id is not None:
            usernames = connection.execute(
                delete(t.telegram_usernames).where(
                    t.telegram_usernames.c.telegram_user_id == telegram_user_id
                )
            ).rowcount
        profile = _erase_profile(connection, user_ref, now)
        connection.execute(
            delete(t.traveller_languages).where(t.traveller_languages.c.user_ref == user_ref)
        )
        sent_to_them = [
            row.id
            for row in connection.execute(
                select(t.outbox.c.id, t.outbox.c.payload).where(t.outbox.c.sent_at.is_not(None))
            ).all()
            if _addressed_to(row.payload, telegram_user_id)
        ]
        if sent_to_them:
            connection.execute(delete(t.outbox).where(t.outbox.c.id.in_(sent_to_them)))
        anonymised = _anonymise_reports(connection, user_ref)
    return Erasure(
        drafts=drafts.rowcount,
        usernames=usernames,
        pending_inputs=pending.rowcount,
        profile=profile,
        outbox_items=len(sent_to_them),
        reports_anonymised=anonymised,
    )


def _erase_profile(connection: Connection, user_ref: str, now: datetime) -> bool:
    """Forget name, department and chat; a row holding only a request goes entirely."""
    table = schema.travellers
    status = connection.execute(
        select(table.c.status).where(table.c.user_ref == user_ref)
    ).scalar_one_or_none()
    if status is None:
        return False
    if status != AccessStatus.ALLOWED.value:
        connection.execute(delete(table).where(table.c.user_ref == user_ref))
        return True
    connection.execute(
        update(table)
        .where(table.c.user_ref == user_ref)
        .values(name=None, department=None, chat_id=None, updated_at=now)
    )
    return True


def _anonymise_reports(connection: Connection, user_ref: str) -> int:
    """Cut the link between kept reports (and their reported trips) and the account."""
    reports = schema.reports
    rows = connection.execute(
        select(reports.c.report_id, reports.c.payload).where(reports.c.user_ref == user_ref)
    ).all()
    for row in rows:
        payload = dict(row.payload)
        payload["traveller"] = {**payload.get("traveller", {}), "user_ref": ""}
        connection.execute(
            update(reports)
            .where(reports.c.report_id == row.report_id)
            .values(user_ref=ERASED_USER_REF, payload=payload)
        )
    trips = schema.trips
    connection.execute(
        update(trips)
        .where(trips.c.user_ref == user_ref, trips.c.status == TripStatus.REPORTED.value)
        .values(user_ref=ERASED_USER_REF, created_by=ERASED_USER_REF)
    )
    return len(rows)


def run_retention(
    store: Store,
    policy: RetentionPolicy,
    now: datetime,
    warning: Callable[[IdleDraft], OutboxItem | None],
) -> RetentionSweep:
    """Delete what has been kept long enough; warn owners of drafts about to go.

    A draft idle for `draft_days - draft_warning_days` gets a warning (queued in the outbox
    in the same transaction, so it is sent once); it is deleted once idle `draft_days` and
    warned at least `draft_warning_days` before. Any answer in between resets both.
    """
    t = schema
    days = timedelta(days=1)
    with store._write() as connection:
        outbox = connection.execute(
            delete(t.outbox).where(
                t.outbox.c.sent_at.is_not(None),
                t.outbox.c.sent_at <= now - policy.sent_outbox_days * days,
            )
        ).rowcount
        drafts = connection.execute(
            delete(t.drafts).where(
                t.drafts.c.updated_at <= now - policy.draft_days * days,
                t.drafts.c.retention_warned_at >= t.drafts.c.updated_at,
                t.drafts.c.retention_warned_at <= now - policy.draft_warning_days * days,
            )
        ).rowcount
        warned = _warn_idle_drafts(connection, store, policy, now, warning)
        has_report = exists().where(t.reports.c.user_ref == t.travellers.c.user_ref)
        requests = connection.execute(
            delete(t.travellers).where(
                t.travellers.c.status.in_(
                    [AccessStatus.PENDING.value, AccessStatus.REJECTED.value]
                ),
                t.travellers.c.updated_at <= now - policy.access_request_days * days,
                ~has_report,
            )
        ).rowcount
        updates = connection.execute(
            delete(t.processed_updates).where(
                t.processed_updates.c.seen_at < now - policy.processed_update_days * days
            )
        ).rowcount
    return RetentionSweep(outbox, drafts, requests, updates, warned)


def _warn_idle_drafts(
    connection: Connection,
    store: Store,
    policy: RetentionPolicy,
    now: datetime,
    warning: Callable[[IdleDraft], OutboxItem | None],
) -> tuple[str, ...]:
    """Mark drafts idle long enough as warned and queue their warnings."""
    table = schema.drafts
    lead = timedelta(days=policy.draft_days - policy.draft_warning_days)
    rows = connection.execute(
        select(table.c.user_ref, table.c.updated_at).where(
            table.c.updated_at <= now - lead,
            or_(
                table.c.retention_warned_at.is_(None),
                table.c.retention_warned_at < table.c.updated_at,
            ),
        )
    ).all()
    items: list[OutboxItem] = []
    for row in rows:
        deleted_after = max(
            row.updated_at + timedelta(days=policy.draft_days),
            now + timedelta(days=policy.draft_warning_days),
        )
        item = warning(IdleDraft(row.user_ref, row.updated_at, deleted_after))
        if item is not None:
            items.append(item)
        connection.execute(
            update(table)
            .where(and_(table.c.user_ref == row.user_ref, table.c.updated_at == row.updated_at))
            .values(retention_warned_at=now)
        )
    UnitOfWork(store, connection).outbox.enqueue(items, now)
    return tuple(row.user_ref for row in rows)

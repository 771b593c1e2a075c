"""What an operator asks of the store: is it reachable, and how far behind is delivery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, or_, select, text

from bot.store import schema
from bot.store.store import Store

__all__ = ["Backlog", "database_error", "delivery_backlog"]


@dataclass(frozen=True)
class Backlog:
    """The outbox and reminders as an operator sees them."""

    outbox_waiting: int
    outbox_oldest_seconds: float
    outbox_overdue_seconds: float
    outbox_failing: int
    reminders_due: int


def database_error(engine: Engine) -> str | None:
    """None when the database answers a query; otherwise what went wrong."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure means unhealthy; the cause is reported
        return f"{type(error).__name__}: {error}".splitlines()[0][:300]
    return None


def delivery_backlog(store: Store, now: datetime) -> Backlog:
    """Unsent outbox items (how many, the oldest's age, how late the most overdue one is,
    how many failed before) and reminders due but not sent."""
    outbox = schema.outbox
    reminders = schema.reminders
    with store._read() as connection:
        waiting, oldest, failing = connection.execute(
            select(
                func.count(),
                func.min(outbox.c.created_at),
                func.count(outbox.c.last_error),
            ).where(outbox.c.sent_at.is_(None))
        ).one()
        overdue = connection.execute(
            select(func.min(outbox.c.next_attempt_at)).where(
                outbox.c.sent_at.is_(None), outbox.c.next_attempt_at <= now
            )
        ).scalar_one()
        due = connection.execute(
            select(func.count()).where(
                reminders.c.sent_at.is_(None),
                reminders.c.cancelled_at.is_(None),
                reminders.c.due_at <= now,
                or_(reminders.c.snoozed_until.is_(None), reminders.c.snoozed_until <= now),
            )
        ).scalar_one()
    return Backlog(
        outbox_waiting=int(waiting),
        outbox_oldest_seconds=_age(now, oldest),
        outbox_overdue_seconds=_age(now, overdue),
        outbox_failing=int(failing),
        reminders_due=int(due),
    )


def _age(now: datetime, moment: datetime | None) -> float:
    """Seconds since `moment` (0 when there is none)."""
    return max((now - moment).total_seconds(), 0.0) if moment is not None else 0.0

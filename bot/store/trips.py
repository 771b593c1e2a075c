"""The trips repository: trips the secretariat announced, and the reminders of each."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Connection, bindparam, or_, select, update

from bot.store import schema
from bot.store.records import Reminder, Trip, TripStatus
from bot.store.repository import Repository, as_record, insert_ignoring_conflicts

__all__ = ["Trips"]


def _update_open_reminders(connection: Connection, trip_id: str, **values: datetime) -> int:
    """Set `values` on the trip's unsent, uncancelled reminders; how many."""
    table = schema.reminders
    return int(
        connection.execute(
            update(table)
            .where(
                table.c.trip_id == trip_id,
                table.c.sent_at.is_(None),
                table.c.cancelled_at.is_(None),
            )
            .values(**values)
        ).rowcount
    )


def _cancel_open_reminders(connection: Connection, trip_id: str, now: datetime) -> int:
    """Set cancelled_at on the trip's unsent, uncancelled reminders."""
    return _update_open_reminders(connection, trip_id, cancelled_at=now)


#: A traveller's trips, earliest departure first; built once (it runs at every finish).
_OF_TRAVELLER = (
    select(schema.trips)
    .where(schema.trips.c.user_ref == bindparam("ref"))
    .order_by(schema.trips.c.departure, schema.trips.c.trip_id)
)
_OF_TRAVELLER_WITH_STATUS = _OF_TRAVELLER.where(schema.trips.c.status == bindparam("status"))


class Trips(Repository):
    """Announced trips and their reminders (one aggregate: a reminder lives and ends with its
    trip)."""

    def add(
        self,
        user_ref: str,
        destination: str,
        departure: date,
        return_date: date,
        created_by: str,
        now: datetime | None = None,
    ) -> Trip:
        """Register a planned trip; returns it with its new id."""
        if return_date < departure:
            raise ValueError("return_date is before departure")
        now = self._tx.now(now)
        row = {
            "trip_id": uuid.uuid4().hex,
            "user_ref": user_ref,
            "destination": destination,
            "departure": departure,
            "return_date": return_date,
            "created_by": created_by,
            "created_at": now,
            "updated_at": now,
            "status": TripStatus.PLANNED.value,
        }
        with self._tx.write() as connection:
            connection.execute(schema.trips.insert().values(**row))
            stored = connection.execute(
                select(schema.trips).where(schema.trips.c.trip_id == row["trip_id"])
            ).one()
        return as_record(Trip, stored)

    def get(self, trip_id: str) -> Trip | None:
        """The trip with this id, or None."""
        with self._tx.read() as connection:
            row = connection.execute(
                select(schema.trips).where(schema.trips.c.trip_id == trip_id)
            ).first()
        return as_record(Trip, row) if row else None

    def of_traveller(self, user_ref: str, status: TripStatus | str | None = None) -> list[Trip]:
        """The traveller's trips (optionally of one status), earliest departure first."""
        with self._tx.read() as connection:
            if status is None:
                rows = connection.execute(_OF_TRAVELLER, {"ref": user_ref}).all()
            else:
                parameters = {"ref": user_ref, "status": TripStatus(status).value}
                rows = connection.execute(_OF_TRAVELLER_WITH_STATUS, parameters).all()
        return [as_record(Trip, row) for row in rows]

    def set_status(
        self,
        trip_id: str,
        status: TripStatus | str,
        now: datetime | None = None,
        *,
        cancel_reason: str | None = None,
        report_id: str | None = None,
    ) -> bool:
        """Mark a trip reported or cancelled (its open reminders end) or planned again.

        Returns False when the trip does not exist.
        """
        status = TripStatus(status)
        now = self._tx.now(now)
        with self._tx.write() as connection:
            changed = connection.execute(
                update(schema.trips)
                .where(schema.trips.c.trip_id == trip_id)
                .values(
                    status=status.value,
                    cancel_reason=cancel_reason,
                    report_id=report_id,
                    updated_at=now,
                )
            ).rowcount
            if changed and status is not TripStatus.PLANNED:
                _cancel_open_reminders(connection, trip_id, now)
        return changed == 1

    def planned(self) -> list[Trip]:
        """Every trip still waiting for its report, earliest return first."""
        table = schema.trips
        with self._tx.read() as connection:
            rows = connection.execute(
                select(table)
                .where(table.c.status == TripStatus.PLANNED.value)
                .order_by(table.c.return_date, table.c.trip_id)
            ).all()
        return [as_record(Trip, row) for row in rows]

    def schedule_reminders(
        self, trip_id: str, due_times: Sequence[tuple[str, datetime]], now: datetime | None = None
    ) -> int:
        """Schedule (kind, due_at) reminders for a trip; ones already scheduled are skipped.

        Returns how many were new. Raises KeyError for an unknown trip.
        """
        now = self._tx.now(now)
        with self._tx.write() as connection:
            user_ref = connection.execute(
                select(schema.trips.c.user_ref).where(schema.trips.c.trip_id == trip_id)
            ).scalar_one_or_none()
            if user_ref is None:
                raise KeyError(trip_id)
            rows = [
                {
                    "trip_id": trip_id,
                    "user_ref": user_ref,
                    "kind": kind,
                    "due_at": due_at,
                    "created_at": now,
                }
                for kind, due_at in due_times
            ]
            return insert_ignoring_conflicts(connection, schema.reminders, rows)

    def reminders(self, trip_id: str) -> list[Reminder]:
        """Every reminder of a trip, sent or not, in due order."""
        table = schema.reminders
        with self._tx.read() as connection:
            rows = connection.execute(
                select(table).where(table.c.trip_id == trip_id).order_by(table.c.due_at, table.c.id)
            ).all()
        return [as_record(Reminder, row) for row in rows]

    def due_reminders(
        self, now: datetime | None = None, limit: int = 100, *, trip_id: str | None = None
    ) -> list[Reminder]:
        """Unsent, uncancelled reminders due by `now` and not snoozed past it, oldest first
        (of one trip, with `trip_id`)."""
        now = self._tx.now(now)
        table = schema.reminders
        conditions = [
            table.c.sent_at.is_(None),
            table.c.cancelled_at.is_(None),
            table.c.due_at <= now,
            or_(table.c.snoozed_until.is_(None), table.c.snoozed_until <= now),
        ]
        if trip_id is not None:
            conditions.append(table.c.trip_id == trip_id)
        with self._tx.read() as connection:
            rows = connection.execute(
                select(table).where(*conditions).order_by(table.c.due_at, table.c.id).limit(limit)
            ).all()
        return [as_record(Reminder, row) for row in rows]

    def mark_reminder_sent(self, reminder_id: int, now: datetime | None = None) -> bool:
        """Mark a reminder sent, only if it was not sent or cancelled yet; whether it was.

        Queue the reminder's message in the same unit of work, so a reminder is delivered
        once even across a crash."""
        table = schema.reminders
        with self._tx.write() as connection:
            changed = connection.execute(
                update(table)
                .where(
                    table.c.id == reminder_id,
                    table.c.sent_at.is_(None),
                    table.c.cancelled_at.is_(None),
                )
                .values(sent_at=self._tx.now(now))
            ).rowcount
        return bool(changed == 1)

    def snooze_reminders(self, trip_id: str, until: datetime) -> int:
        """Hold the trip's open reminders until `until`; how many were snoozed."""
        with self._tx.write() as connection:
            return _update_open_reminders(connection, trip_id, snoozed_until=until)

    def cancel_reminders(self, trip_id: str, now: datetime | None = None) -> int:
        """End the trip's open reminders; how many were cancelled."""
        with self._tx.write() as connection:
            return _cancel_open_reminders(connection, trip_id, self._tx.now(now))

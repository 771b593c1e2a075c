"""Use cases around announced trips: announce one, remind its traveller, snooze, cancel."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime

from bot.config import Settings
from bot.i18n import DEFAULT_LANGUAGE
from bot.reminders import WorkingHours, activity_postponement, covers, reminder_schedule
from bot.service.ports import Notifier
from bot.store import OutboxItem, Reminder, Store, Trip, TripStatus

__all__ = ["announce_trip", "cancel_trip", "reconcile_trip", "remind", "snooze"]

log = logging.getLogger(__name__)


def announce_trip(
    store: Store,
    settings: Settings,
    user_ref: str,
    destination: str,
    departure: date,
    return_date: date,
    by: str,
    now: datetime,
    notice: Callable[[Trip], Sequence[OutboxItem]] = lambda _trip: (),
) -> Trip:
    """Store a planned trip, schedule its reminders and queue `notice(trip)`, in one unit."""
    with store.unit_of_work() as uow:
        trip = uow.trips.add(user_ref, destination, departure, return_date, by, now)
        uow.trips.schedule_reminders(
            trip.trip_id, reminder_schedule(trip.return_date, settings), now
        )
        uow.outbox.enqueue(notice(trip), now)
    return trip


def reconcile_trip(store: Store, trip: Trip) -> bool:
    """Mark the trip reported when a report of its traveller covers its dates; whether it was."""
    for report in store.reports.of_traveller(trip.user_ref):
        if covers(report.period.departure, report.period.return_date, [trip]):
            store.trips.set_status(trip.trip_id, TripStatus.REPORTED, report_id=report.report_id)
            return True
    return False


def remind(
    store: Store,
    settings: Settings,
    notifier: Notifier,
    has_access: Callable[[str], bool],
    now: datetime,
    *,
    force: bool = False,
    batch: int = 1000,
) -> int:
    """Queue every due reminder (outside working hours only when forced); how many were queued.

    When several reminders of one trip are due at once (the bot was down), only the
    newest is sent; the older ones are marked sent without a message. `batch` bounds how
    many due reminders are read per round; each trip's are all considered together.
    A reminder is marked sent in the unit that queues its message, so it goes out once
    even across a crash.
    """
    if not force and not WorkingHours.from_settings(settings).is_working_moment(now):
        return 0
    by_trip: dict[str, list[Reminder]] = defaultdict(list)
    for reminder in store.trips.due_reminders(now, limit=batch):
        by_trip[reminder.trip_id].append(reminder)
    queued = 0
    for trip_id in by_trip:
        trip = store.trips.get(trip_id)
        if trip is None or trip.status is not TripStatus.PLANNED or not has_access(trip.user_ref):
            store.trips.cancel_reminders(trip_id, now)  # a traveller without access gets nothing
            continue
        if reconcile_trip(store, trip):
            continue
        with store.unit_of_work() as uow:
            # A batch can hold only the oldest of a trip's due reminders: read them all, in
            # this unit, since another round (the job, /herinner, a second instance) may have
            # sent them since the batch was read.
            due = uow.trips.due_reminders(now, limit=100, trip_id=trip_id)
            if not due:
                continue
            draft = uow.drafts.load(trip.user_ref)
            newest = due[-1]
            later = activity_postponement(
                newest.due_at, draft.updated_at if draft else None, settings
            )
            if later is not None:
                uow.trips.snooze_reminders(trip_id, later)
                continue
            earlier = [r for r in uow.trips.reminders(trip_id) if r.sent_at is not None]
            first = draft is None and not earlier
            for older in due[:-1]:
                uow.trips.mark_reminder_sent(older.id, now)
            item = notifier.reminder(
                trip,
                uow.profiles.account(trip.user_ref),
                newest.id,
                first=first,
                has_draft=draft is not None,
                language=uow.profiles.language(trip.user_ref) or DEFAULT_LANGUAGE,
            )
            if item is None:
                log.warning("no chat for %s: reminder %s not sent", trip.user_ref, newest.id)
                uow.trips.mark_reminder_sent(newest.id, now)
                continue
            if uow.trips.mark_reminder_sent(newest.id, now):
                uow.outbox.enqueue([item], now)
                queued += 1
    return queued


def snooze(store: Store, trip_id: str, until: datetime) -> int:
    """Hold the trip's open reminders until `until`; how many were snoozed."""
    return store.trips.snooze_reminders(trip_id, until)


def cancel_trip(
    store: Store,
    user_ref: str,
    trip_id: str,
    reason: str,
    now: datetime,
    notice: Callable[[Trip], Sequence[OutboxItem]] = lambda _trip: (),
) -> Trip | None:
    """The traveller's own planned trip needs no report: cancel it (its reminders end) and
    queue `notice(trip)` in one unit; None when there is no such planned trip."""
    with store.unit_of_work() as uow:
        trip = uow.trips.get(trip_id)
        if trip is None or trip.user_ref != user_ref or trip.status is not TripStatus.PLANNED:
            return None
        uow.trips.set_status(trip_id, TripStatus.CANCELLED, now, cancel_reason=reason[:2000])
        uow.outbox.enqueue(notice(trip), now)
    return trip

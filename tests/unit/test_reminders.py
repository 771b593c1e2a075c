"""The reminder schedule: working days and hours in Amsterdam, snooze, activity, overdue list."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.reminders import (
    WorkingHours,
    activity_postponement,
    covers,
    deadline_of,
    overdue_trips,
    reminder_schedule,
    snooze_until,
)
from bot.store import Trip, TripStatus
from bot.telegram.reminders import shown_destination

AMS = ZoneInfo("Europe/Amsterdam")


def settings(**changes: object) -> Settings:
    """Settings as shipped, without any .env file."""
    return Settings(_env_file=None, **changes)  # type: ignore[call-arg]


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """An Amsterdam wall-clock time as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=AMS).astimezone(UTC)


def trip(return_date: date, status: TripStatus = TripStatus.PLANNED, user: str = "u") -> Trip:
    """A trip record as the store returns it."""
    return Trip(
        trip_id=f"t-{user}-{return_date}",
        user_ref=user,
        destination="Wenen",
        departure=return_date - timedelta(days=2),
        return_date=return_date,
        created_by=user,
        created_at=local(2025, 4, 1),
        status=status,
        cancel_reason=None,
        report_id=None,
    )


def test_default_schedule_is_days_1_3_7_then_weekly_until_the_deadline() -> None:
    # Back on Tuesday 29 April 2025.
    schedule = reminder_schedule(date(2025, 4, 29), settings())
    assert schedule == [
        ("dag-1", local(2025, 4, 30)),  # Wednesday 09:00 CEST
        ("dag-3", local(2025, 5, 2)),  # Friday
        ("dag-7", local(2025, 5, 6)),  # Tuesday
        ("dag-14", local(2025, 5, 13)),  # the deadline day; nothing after it
    ]
    assert schedule[0][1] == datetime(2025, 4, 30, 7, 0, tzinfo=UTC)


def test_weekends_and_dutch_holidays_move_to_the_next_working_morning() -> None:
    # Back on Thursday 1 May 2025: day 3 is Sunday 4 May, Monday 5 May is Liberation Day (2025).
    schedule = dict(reminder_schedule(date(2025, 5, 1), settings()))
    assert schedule["dag-1"] == local(2025, 5, 2)
    assert schedule["dag-3"] == local(2025, 5, 6)
    # Back on Wednesday 23 April: day 3 is Saturday 26 April (King's Day) -> Monday 28th.
    assert dict(reminder_schedule(date(2025, 4, 23), settings()))["dag-3"] == local(2025, 4, 28)


def test_every_due_time_is_a_working_moment_for_a_whole_year() -> None:
    config = settings()
    hours = WorkingHours.from_settings(config)
    day = date(2025, 1, 1)
    while day.year == 2025:
        for _, due in reminder_schedule(day, config):
            assert hours.is_working_moment(due), (day, due)
            assert due.astimezone(AMS).hour == 9
        day += timedelta(days=1)


def test_longer_deadline_gives_weekly_reminders_and_settings_are_honoured() -> None:
    config = settings(reminder_days=[2], report_deadline_days=30, working_hours_start=8)
    kinds = [kind for kind, _ in reminder_schedule(date(2025, 6, 2), config)]
    assert kinds == ["dag-2", "dag-14", "dag-21", "dag-28"]
    assert reminder_schedule(date(2025, 6, 2), config)[0][1] == local(2025, 6, 4, 8)


def test_next_working_moment_keeps_times_inside_and_moves_times_outside() -> None:
    hours = WorkingHours.from_settings(settings())
    inside = local(2025, 5, 7, 14, 30)
    assert hours.next_working_moment(inside) == inside
    assert hours.next_working_moment(local(2025, 5, 7, 7)) == local(2025, 5, 7)
    assert hours.next_working_moment(local(2025, 5, 7, 17)) == local(2025, 5, 8)
    assert hours.next_working_moment(local(2025, 5, 9, 18)) == local(2025, 5, 12)  # Fri -> Mon
    # Winter time: 09:00 CET is 08:00 UTC.
    assert hours.next_working_moment(local(2025, 12, 6, 12)) == datetime(2025, 12, 8, 8, tzinfo=UTC)


def test_snooze_holds_for_snooze_hours_and_lands_on_a_working_moment() -> None:
    assert snooze_until(local(2025, 5, 7, 10), settings()) == local(2025, 5, 8, 10)
    assert snooze_until(local(2025, 5, 9, 10), settings()) == local(2025, 5, 12)  # Friday -> Mon
    assert snooze_until(local(2025, 5, 7, 10), settings(snooze_hours=4)) == local(2025, 5, 7, 14)


def test_recent_activity_postpones_a_reminder_until_the_draft_is_idle() -> None:
    config = settings()
    due = local(2025, 5, 2)
    assert activity_postponement(due, None, config) is None
    assert activity_postponement(due, local(2025, 4, 28, 12), config) is None  # idle long enough
    assert activity_postponement(due, local(2025, 5, 1, 20), config) == local(2025, 5, 5, 9) + (
        timedelta(days=1)
    )  # idle from Fri 2 May 20:00 -> Mon 5 May is Liberation Day -> Tue 6 May 09:00


def test_overdue_list_has_planned_trips_past_the_deadline_longest_first() -> None:
    config = settings()
    trips = [
        trip(date(2025, 4, 1), user="a"),
        trip(date(2025, 3, 1), user="b"),
        trip(date(2025, 4, 20), user="c"),  # deadline 4 May: not late on 4 May
        trip(date(2025, 2, 1), TripStatus.REPORTED, user="d"),
        trip(date(2025, 2, 1), TripStatus.CANCELLED, user="e"),
    ]
    overdue = overdue_trips(trips, date(2025, 5, 4), config)
    assert [(o.trip.user_ref, o.days_late) for o in overdue] == [("b", 50), ("a", 19)]
    assert overdue[0].deadline == deadline_of(date(2025, 3, 1), config) == date(2025, 3, 15)


def test_covers_matches_reports_overlapping_a_trip() -> None:
    trips = [trip(date(2025, 4, 29))]
    assert covers(date(2025, 4, 27), date(2025, 4, 29), trips) == trips
    assert covers(date(2025, 4, 28), date(2025, 4, 28), trips) == trips
    assert covers(date(2025, 4, 30), date(2025, 5, 2), trips) == []


def test_a_trip_destination_reads_in_the_travellers_language() -> None:
    assert shown_destination("Wenen en Bratislava", "en") == "Vienna and Bratislava"
    assert shown_destination("Wenen en Bratislava", "nl") == "Wenen en Bratislava"
    assert shown_destination("Nergenshuizen", "en") == "Nergenshuizen"  # unknown: as typed

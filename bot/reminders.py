"""When to remind a traveller about a report, and who is overdue: pure logic, no Telegram.

The schedule of one trip, counted in days after its return date:

- one reminder on each day of REMINDER_DAYS (default 1, 3 and 7; the first one is the
  invitation to start the report, with destination and dates filled in);
- after the last of those, one a week, up to and including the deadline day
  (REPORT_DEADLINE_DAYS, default 14). Weekly reminders do NOT continue past the
  deadline: from then on the trip is on the secretariat's overdue list (escalation,
  at most once a working day), and the secretariat follows up in person; a bot that
  keeps nagging someone who ignored four reminders only teaches them to mute it.

Every reminder falls on a working moment: Monday to Friday, not on a Dutch public
holiday (the `holidays` package), between WORKING_HOURS_START and WORKING_HOURS_END in
TIMEZONE (Europe/Amsterdam). A due time outside is moved to the start of the next
working day. Recent activity in an unfinished report postpones the next reminder to
the first reminder day after that activity.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from bot.config import Settings
from bot.store import Trip, TripStatus

__all__ = [
    "INVITATION",
    "OverdueTrip",
    "WorkingHours",
    "activity_postponement",
    "covers",
    "deadline_of",
    "overdue_trips",
    "reminder_schedule",
    "snooze_until",
]

#: Kind of the first reminder: the invitation to start the report.
INVITATION = "dag-1"


@cache
def _dutch_holidays(year: int) -> frozenset[date]:
    """Dutch public holidays of one year."""
    return frozenset(holidays.country_holidays("NL", years=year))


@dataclass(frozen=True)
class WorkingHours:
    """Working days (Mon-Fri, no Dutch public holiday) and hours in one time zone."""

    zone: ZoneInfo
    start_hour: int = 9
    end_hour: int = 17
    skip_holidays: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkingHours:
        """The working hours configured in the settings."""
        return cls(
            ZoneInfo(settings.timezone), settings.working_hours_start, settings.working_hours_end
        )

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday and not a Dutch public holiday."""
        if day.weekday() >= 5:
            return False
        return not (self.skip_holidays and day in _dutch_holidays(day.year))

    def opening(self, day: date) -> datetime:
        """The start of working hours on `day`, in UTC."""
        return datetime.combine(day, time(self.start_hour), self.zone).astimezone(UTC)

    def is_working_moment(self, moment: datetime) -> bool:
        """Whether `moment` lies within working hours on a working day."""
        local = moment.astimezone(self.zone)
        return self.is_working_day(local.date()) and (self.start_hour <= local.hour < self.end_hour)

    def next_working_moment(self, moment: datetime) -> datetime:
        """`moment` itself when it is within working hours, else the next opening (UTC)."""
        if self.is_working_moment(moment):
            return moment.astimezone(UTC)
        local = moment.astimezone(self.zone)
        day = local.date()
        if local.hour >= self.start_hour:
            day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return self.opening(day)

    def working_day_of(self, moment: datetime) -> date:
        """The local calendar date of `moment`."""
        return moment.astimezone(self.zone).date()


def deadline_of(return_date: date, settings: Settings) -> date:
    """The last day on which the report is on time."""
    return return_date + timedelta(days=settings.report_deadline_days)


def _reminder_days(settings: Settings) -> list[int]:
    """Days after return on which a reminder is due: REMINDER_DAYS, then weekly to the deadline."""
    days = sorted(
        {day for day in settings.reminder_days if 0 < day <= settings.report_deadline_days}
    )
    weekly_from = max(days[-1] if days else 0, settings.reminder_weekly_after_days)
    day = weekly_from + 7
    while day <= settings.report_deadline_days:
        days.append(day)
        day += 7
    return days


def reminder_schedule(return_date: date, settings: Settings) -> list[tuple[str, datetime]]:
    """(kind, due time in UTC) of every reminder of a trip that returns on `return_date`."""
    hours = WorkingHours.from_settings(settings)
    schedule: list[tuple[str, datetime]] = []
    for day in _reminder_days(settings):
        opening = hours.opening(return_date + timedelta(days=day))
        schedule.append((f"dag-{day}", hours.next_working_moment(opening)))
    return schedule


def snooze_until(now: datetime, settings: Settings) -> datetime:
    """Until when 'Later' holds the reminders: SNOOZE_HOURS on, at a working moment."""
    hours = WorkingHours.from_settings(settings)
    return hours.next_working_moment(now + timedelta(hours=settings.snooze_hours))


def activity_postponement(
    due_at: datetime, last_activity: datetime | None, settings: Settings
) -> datetime | None:
    """A later due time when the traveller worked on the report recently, else None.

    A reminder is only useful when the draft has been idle for the first reminder
    interval (REMINDER_DAYS[0] days); otherwise it waits until that much idle time passed.
    """
    if last_activity is None:
        return None
    first_gap = timedelta(days=min(settings.reminder_days, default=1))
    quiet_from = last_activity + first_gap
    if quiet_from <= due_at:
        return None
    return WorkingHours.from_settings(settings).next_working_moment(quiet_from)


@dataclass(frozen=True)
class OverdueTrip:
    """A trip whose report is past its deadline."""

    trip: Trip
    deadline: date
    days_late: int


def overdue_trips(trips: Iterable[Trip], today: date, settings: Settings) -> list[OverdueTrip]:
    """Planned trips past their deadline, longest overdue first."""
    overdue = []
    for trip in trips:
        if trip.status is not TripStatus.PLANNED:
            continue
        deadline = deadline_of(trip.return_date, settings)
        if deadline < today:
            overdue.append(OverdueTrip(trip, deadline, (today - deadline).days))
    return sorted(overdue, key=lambda item: (-item.days_late, item.trip.user_ref))


def covers(period_start: date, period_end: date, trips: Sequence[Trip]) -> list[Trip]:
    """The trips whose dates overlap the period of a report."""
    return [t for t in trips if t.departure <= period_end and period_start <= t.return_date]

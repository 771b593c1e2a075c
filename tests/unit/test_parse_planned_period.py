"""parse_period(allow_future=True): announcing a trip that has not happened yet."""

from __future__ import annotations

from datetime import date

import pytest

from bot.dialogs.parsers import parse_period
from bot.report import DayPart


def test_future_trip_is_refused_without_the_allowance() -> None:
    with pytest.raises(ValueError, match="nog niet afgelopen"):
        parse_period("27-04-2025 t/m 29-04-2025", date(2025, 3, 1))


def test_future_trip_is_accepted_with_the_allowance() -> None:
    period = parse_period("zondagavond 27 april t/m 29 april", date(2025, 3, 1), allow_future=True)
    assert (period.departure, period.return_date) == (date(2025, 4, 27), date(2025, 4, 29))
    assert period.departure_part is DayPart.AVOND


def test_year_is_the_one_nearest_today() -> None:
    # In December, "5-1 t/m 7-1" is next January, not last.
    period = parse_period("5-1 t/m 7-1", date(2025, 12, 20), allow_future=True)
    assert period.departure == date(2026, 1, 5)
    # A trip just behind us stays in this year (registered afterwards).
    period = parse_period("10-12 t/m 12-12", date(2025, 12, 20), allow_future=True)
    assert period.departure == date(2025, 12, 10)
    # Across the turn of the year.
    period = parse_period("30-12 t/m 2-1", date(2025, 12, 1), allow_future=True)
    assert (period.departure, period.return_date) == (date(2025, 12, 30), date(2026, 1, 2))


def test_trip_under_way_is_accepted_with_the_allowance() -> None:
    period = parse_period("27-04 t/m 29-04", date(2025, 4, 28), allow_future=True)
    assert period.return_date == date(2025, 4, 29)


def test_too_far_ahead_is_refused() -> None:
    with pytest.raises(ValueError, match="meer dan een jaar vooruit"):
        parse_period("1-6-2027 t/m 3-6-2027", date(2025, 5, 1), allow_future=True)


def test_wrong_weekday_of_a_future_date_is_named() -> None:
    with pytest.raises(ValueError, match="is een dinsdag"):
        parse_period("maandag 29 april 2025", date(2025, 3, 1), allow_future=True)

"""Dutch number and date formatting (Babel), used by every text the bot produces."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date, get_month_names
from babel.numbers import format_decimal

__all__ = ["MONTH_NAMES", "format_count", "format_date_long", "format_day", "format_number"]

_LOCALE = "nl_NL"

#: 'januari' … 'december'.
MONTH_NAMES: tuple[str, ...] = tuple(
    str(name) for _, name in sorted(get_month_names("wide", locale=_LOCALE).items())
)


def format_number(value: float, decimals: int = 1) -> str:
    """Dutch decimal: 2.5 -> '2,5', 2.0 -> '2', 1918.4 -> '1918' with decimals=0 (no grouping)."""
    rounded = round(value, decimals)
    if rounded == int(rounded):
        return str(int(rounded))
    pattern = "0." + "#" * decimals
    return format_decimal(rounded, format=pattern, locale=_LOCALE)


def format_count(value: float, decimals: int = 0) -> str:
    """Dutch with thousands grouping, for tables: 12345 -> '12.345', 2.5 -> '2,5' (decimals=1)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return str(format_decimal(round(value, decimals), format=pattern, locale=_LOCALE))


def format_day(day: date, part: object | None = None, with_year: bool = False) -> str:
    """'zondagavond 27 april' (weekday, part of day, day and month; year on request)."""
    weekday = format_date(day, "EEEE", locale=_LOCALE)
    rest = format_date(day, "d MMMM y" if with_year else "d MMMM", locale=_LOCALE)
    return f"{weekday}{part or ''} {rest}"


def format_date_long(day: date) -> str:
    """'zondag 27 april 2025'."""
    return format_date(day, "EEEE d MMMM y", locale=_LOCALE)

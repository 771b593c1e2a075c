"""Dutch number and date formatting (Babel), used by every text the bot produces."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from babel.dates import format_date, get_month_names
from babel.numbers import format_decimal

from bot.i18n import LOCALES, Localized, msg

__all__ = [
    "MONTH_NAMES",
    "format_count",
    "format_date_long",
    "format_day",
    "format_duration",
    "format_number",
]

_LOCALE = "nl_NL"

#: 'januari' … 'december'.
MONTH_NAMES: tuple[str, ...] = tuple(
    str(name) for _, name in sorted(get_month_names("wide", locale=_LOCALE).items())
)


@lru_cache(maxsize=4096)
def format_number(value: float, decimals: int = 1, grouping: bool = True) -> str:
    """Dutch decimal with thousands separators: 2.5 -> '2,5', 2.0 -> '2',
    11696.4 -> '11.696' with decimals=0 ('11696' without grouping, for data files)."""
    rounded = round(value, decimals)
    pattern = ("#,##0" if grouping else "0") + ("." + "#" * decimals if decimals else "")
    # Shown to an English reader the English way ('1,917', '2.5'); a plain string is Dutch.
    return Localized(
        lambda language: format_decimal(rounded, format=pattern, locale=LOCALES[language])
    )


def format_count(value: float, decimals: int = 0) -> str:
    """Dutch with thousands grouping, for tables: 12345 -> '12.345', 2.5 -> '2,5' (decimals=1)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return str(format_decimal(round(value, decimals), format=pattern, locale=_LOCALE))


def format_duration(hours: float, threshold_hours: float | None, approx: bool = True) -> str:
    """'ca. 6 u 40': hours to the nearest 5 minutes, never rounded onto or across the threshold.

    7 h 58 with an 8-hour threshold shows 'ca. 7 u 55', 8 h 01 shows 'ca. 8 u 05'.
    """
    exact = round(hours * 60)
    shown = 5 * round(exact / 5)
    if threshold_hours is not None:
        limit = threshold_hours * 60
        if exact > limit >= shown:
            shown = 5 * (int(limit // 5) + 1)
        elif exact <= limit < shown:
            shown = 5 * int(limit // 5)
    whole, minutes = divmod(shown, 60)
    text = (
        msg("{hours} uur", hours=whole)
        if minutes == 0
        else msg("{hours} u {minutes}", hours=whole, minutes=str(minutes).zfill(2))
    )
    if whole == 0:
        text = msg("{minutes} min", minutes=minutes)
    return msg("ca. {duration}", duration=text) if approx else text


@lru_cache(maxsize=4096)
def format_day(day: date, part: object | None = None, with_year: bool = False) -> str:
    """'zondagavond 27 april' (weekday, part of day, day and month; year on request)."""
    pattern = "d MMMM y" if with_year else "d MMMM"

    def written(language: str) -> str:
        weekday = format_date(day, "EEEE", locale=LOCALES[language])
        rest = format_date(day, pattern, locale=LOCALES[language])
        if language == "en":  # 'Sunday evening 27 April'
            named = _ENGLISH_PARTS.get(str(part), "") if part else ""
            return f"{weekday}{' ' + named if named else ''} {rest}"
        return f"{weekday}{part or ''} {rest}"

    return Localized(written)


#: The parts of a day (the stored codes are Dutch) in English.
_ENGLISH_PARTS = {"ochtend": "morning", "middag": "afternoon", "avond": "evening"}


def format_date_long(day: date) -> str:
    """'zondag 27 april 2025'."""
    return format_date(day, "EEEE d MMMM y", locale=_LOCALE)

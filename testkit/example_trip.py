"""The golden example trip as a traveller types it: one script for every channel."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from testkit.example_report import EXAMPLE_FREE_TEXT

__all__ = ["EXAMPLE_MESSAGES", "EXAMPLE_NOW", "PERIOD_TEXT"]

#: The day the traveller fills in the report: a few days after the trip.
EXAMPLE_NOW = datetime(2025, 5, 2, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
PERIOD_TEXT = "zondagavond 27 april t/m dinsdag 29 april"

#: Each message in order; a button's value is typed as its text.
EXAMPLE_MESSAGES: list[str] = [
    "Wenen en Bratislava",
    PERIOD_TEXT,
    "1",
    "vliegtuig",
    "klopt",
    EXAMPLE_FREE_TEXT["purpose"],
    EXAMPLE_FREE_TEXT["locations"],
    EXAMPLE_FREE_TEXT["people_met"],
    EXAMPLE_FREE_TEXT["results"],
    "ja",
    EXAMPLE_FREE_TEXT["follow_up"],
    "J. de Vries",
    "Digitale Stad",
    "versturen",
    "ja",
]

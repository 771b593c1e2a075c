"""The golden example trip as an English-speaking traveller types it, keyed by question key.

The same trip as `testkit.example_trip` (Vienna and Bratislava, Sunday evening 27 April to
Tuesday 29 April 2025, alone, by plane): run through the interview in English, the report
must hold the same facts as the Dutch run. The free answers are the traveller's own words.
"""

from __future__ import annotations

from testkit.example_trip import EXAMPLE_NOW

__all__ = ["EXAMPLE_ANSWERS_EN", "EXAMPLE_NOW", "PERIOD_TEXT_EN"]

PERIOD_TEXT_EN = "Sunday evening 27 April to Tuesday 29 April"

#: The answer to each question, by the question's key ('review' and 'confirm' are the
#: overview and the final confirmation); a button's value is typed as its text.
EXAMPLE_ANSWERS_EN: dict[str, str] = {
    "destinations": "Vienna and Bratislava",
    "period": PERIOD_TEXT_EN,
    "persons": "just me",
    "modes": "plane",
    "legs": "yes",
    "purpose": "Meeting of the Council of Global City CIOs (CGCC), a network of city CIOs.",
    "locations": "Vienna (Austria) and Bratislava (Slovakia): city halls and a city tour.",
    "people_met": "CIOs and CTOs of Paris, Prague, Dublin, Porto, Vienna and Bratislava.",
    "results": "- Knowledge exchange on digital public services.\n- Contacts for drone policy.",
    "has_follow_up": "yeah",
    "follow_up": "- Dublin: further talks on drones and AI for public services.",
    "name": "J. de Vries",
    "department": "Digitale Stad",
    "review": "send",
    "confirm": "yes",
}

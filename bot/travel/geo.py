"""Great-circle distance and the text folding used to match what travellers type."""

from __future__ import annotations

import math
import re
import unicodedata

__all__ = ["EARTH_RADIUS_KM", "fold", "haversine_km"]

#: Mean Earth radius used for every great-circle distance (domain.md: R = 6371 km).
EARTH_RADIUS_KM = 6371.0

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points (haversine formula, R = 6371 km)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def fold(text: str) -> str:
    """Lower case, no accents, only letters and digits separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss").replace("ø", "o"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return _NOT_ALNUM.sub(" ", plain).strip()

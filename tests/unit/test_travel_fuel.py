"""The car fuel the traveller chose sets the factor; group wording in `check`."""

from __future__ import annotations

import pytest

from bot.report import CarFuel, TransportMode
from tests.unit.test_interview import play, trip


@pytest.mark.parametrize("fuel", [CarFuel.DIESEL, CarFuel.BENZINE, CarFuel.ELEKTRISCH])
def test_the_chosen_fuel_sets_the_car_factor(fuel: CarFuel) -> None:
    interview, _ = play(["Keulen", "27 april t/m 29 april", "1", "auto", fuel.value])
    assert interview.state == "legs"
    interview, _ = play(["klopt"], interview)
    legs = interview.answers["legs"]
    assert [leg.fuel for leg in legs] == [fuel]
    line = trip().emissions(legs, 1)[0]
    row = trip().factors.factor_for(TransportMode.AUTO, 100, fuel)
    assert row.factor_class == fuel.value
    assert line.factor_class == fuel.value
    assert line.factor_kg_per_unit == row.kg_co2e_wtw
    unknown = trip().factors.factor_for(TransportMode.AUTO, 100, CarFuel.ONBEKEND)
    assert line.kg_co2e == pytest.approx(line.km * row.kg_co2e_wtw)
    assert line.factor_kg_per_unit != unknown.kg_co2e_wtw


def test_a_fuel_typed_in_the_route_wins_over_nothing_said() -> None:
    interview, _ = play(["Keulen", "27 april t/m 29 april", "1", "auto", "onbekend"])
    interview, _ = play(["auto diesel"], interview)
    assert [leg.fuel for leg in interview.answers["legs"]] == [CarFuel.DIESEL]


def test_check_for_a_group_says_km_per_person_and_co2_for_the_party() -> None:
    from bot.travel import check_trip

    group = check_trip(trip(), "Keulen", mode=TransportMode.TREIN, persons=3).explain()
    assert "km per persoon" in group and "kg CO2e voor de 3 personen samen" in group
    alone = check_trip(trip(), "Keulen", mode=TransportMode.TREIN).explain()
    assert "per persoon" not in alone and "samen" not in alone

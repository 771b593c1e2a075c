"""The car's fuel the traveller chose is the factor class the report uses."""

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

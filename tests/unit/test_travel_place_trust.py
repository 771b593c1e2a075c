"""Places that cannot silently go wrong: far or small namesakes, home country, non-names."""

from __future__ import annotations

import unicodedata

import pytest

from bot.dialogs.errors import NeedsChoice
from bot.travel import TravelCalculator
from tests.unit.test_interview import play


@pytest.fixture(scope="module")
def calc() -> TravelCalculator:
    """One calculator for the module (data loads once per process)."""
    return TravelCalculator()


@pytest.mark.parametrize(
    ("typed", "big_city", "far_namesake"),
    [
        ("Parys", "Parijs (Frankrijk)", "Parys (Zuid-Afrika)"),
        ("Edinburg", "Edinburgh (Verenigd Koninkrijk)", "Edinburg (Verenigde Staten)"),
        ("Frankfort", "Frankfurt am Main (Duitsland)", "Frankfort (Zuid-Afrika)"),
    ],
)
def test_a_far_or_small_namesake_asks_with_the_big_european_city_first(
    calc: TravelCalculator, typed: str, big_city: str, far_namesake: str
) -> None:
    with pytest.raises(NeedsChoice) as asked:
        calc.resolve_places(typed)
    labels = [choice.label for choice in asked.value.choices]
    assert labels[0] == big_city
    assert far_namesake in labels
    for choice in asked.value.choices:
        [place] = calc.resolve_places(choice.value)
        assert choice.label.startswith(place.label), (choice.value, place.label)


@pytest.mark.parametrize(
    "typed",
    ["Parijs", "Edinburgh", "Frankfurt", "Bern", "Boston, Verenigde Staten", "Parys (Zuid-Afrika)"],
)
def test_a_clear_name_or_a_name_with_its_country_is_not_asked_about_a_rival(
    calc: TravelCalculator, typed: str
) -> None:
    try:
        places = calc.resolve_places(typed)
    except NeedsChoice as asked:
        labels = [c.label for c in asked.choices]
        assert typed.split()[0] in labels[0], labels  # only its own namesakes, never a rival
    else:
        assert len(places) == 1


def test_a_place_in_the_netherlands_is_refused_with_the_question_again() -> None:
    interview, reply = play(["Utrecht"])
    assert interview.state == "destinations"
    assert any("ligt in Nederland" in m and "buitenland" in m for m in reply.messages)
    assert reply.prompt is not None
    interview, reply = play(["Brussel en Utrecht"], interview)
    assert interview.state == "destinations"
    interview, _ = play(["Brussel"], interview)
    assert interview.state != "destinations"


def test_check_refuses_a_destination_in_the_netherlands(calc: TravelCalculator) -> None:
    from bot.travel import check_trip

    with pytest.raises(ValueError, match="ligt in Nederland"):
        check_trip(calc, "Utrecht")
    assert check_trip(calc, "Keulen", origin="Rotterdam").origin == "Rotterdam"


@pytest.mark.parametrize("typed", ["🎉🎉", "😀 Wenen", "123", "...!?", "12345, Duitsland", "@@@@"])
def test_text_that_is_no_place_name_is_refused_and_never_echoed(
    calc: TravelCalculator, typed: str
) -> None:
    with pytest.raises(ValueError) as refused:
        calc.resolve_places(typed)
    assert not isinstance(refused.value, NeedsChoice)
    message = str(refused.value)
    assert typed not in message
    assert not any(unicodedata.category(char).startswith("S") for char in message), message
    assert "@" not in message and "12" not in message


def test_the_interview_refuses_an_emoji_and_its_hint_works_when_typed_back() -> None:
    interview, reply = play(["🎉🎉"])
    assert interview.state == "destinations"
    assert not any("🎉" in message for message in reply.messages)
    hint = next(m for m in reply.messages if "bijvoorbeeld" in m)
    example = hint.split("bijvoorbeeld '")[1].split("'")[0]
    interview, _ = play([example], interview)
    assert interview.state != "destinations"


def test_the_interview_offers_the_big_city_first_as_a_button() -> None:
    interview, reply = play(["Parys"])
    assert interview.state == "destinations"
    assert reply.prompt is not None
    assert [c.label for c in reply.prompt.choices][:2] == [
        "Parijs (Frankrijk)",
        "Parys (Zuid-Afrika)",
    ]
    interview, _ = play(["1"], interview)
    assert [p.label for p in interview.answers["destinations"]] == ["Parijs (Frankrijk)"]

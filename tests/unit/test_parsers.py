"""Every parser with good and bad input, the form's golden answer, and a robustness property."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.dialogs.errors import NeedsChoice
from bot.dialogs.parsers import (
    parse_free_text,
    parse_fuel,
    parse_hours,
    parse_modes,
    parse_number_choice,
    parse_period,
    parse_persons,
    parse_short_text,
    parse_yes_no,
)
from bot.report import CarFuel, DayPart, TransportMode, TripPeriod

TODAY = date(2025, 5, 2)
EVE, MORN, NOON = DayPart.AVOND, DayPart.OCHTEND, DayPart.MIDDAG
PLANE, TRAIN, BUS, CAR, FERRY = list(TransportMode)


def refusal(parser, text, *args) -> str:  # type: ignore[no-untyped-def]
    """The Dutch message of the ValueError the parser raises for this text."""
    with pytest.raises(ValueError) as caught:
        parser(text, *args)
    message = str(caught.value)
    assert message and len(message) < 240, message
    return message


# --------------------------------------------------------------------------- persons


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        (" 1 ", 1),
        ("1.", 1),
        ("twee", 2),
        ("Twee", 2),
        ("3 personen", 3),
        ("3 pers.", 3),
        ("één persoon", 1),
        ("een persoon", 1),
        ("1 persoon", 1),
        ("ik alleen", 1),
        ("alleen ik", 1),
        ("Ik", 1),
        ("met z'n drieën", 3),
        ("met z’n drieën", 3),
        ("met zijn tweeën", 2),
        ("we waren met z'n vieren", 4),
        ("eenentwintig", 21),
        ("tweeëntwintig", 22),
        ("vijftig", 50),
        ("negenennegentig", 99),
        ("99", 99),
        ("ik en 2 collega's", 3),
        ("ik en twee collega’s", 3),
        ("ik en een collega", 2),
        ("ik en mijn collega", 2),
        ("2 collega's en ik", 3),
        ("3 personen (ik en 2 collega's)", 3),
        ("1 persoon (ik)", 1),
        ("in totaal 5 mensen", 5),
        ("3 (ik en 2 collega's)", 3),
        ("1 (ik)", 1),
    ],
)
def test_parse_persons_accepts(text: str, expected: int) -> None:
    assert parse_persons(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("0", "minstens 1 persoon"),
        ("nul", "minstens 1 persoon"),
        ("-2", "minstens 1 persoon"),
        ("100", "meer dan het formulier toelaat"),
        ("honderd", "meer dan het formulier toelaat"),
        ("250 personen", "meer dan het formulier toelaat"),
        ("2,5", "geen heel aantal"),
        ("", "niet leeg"),
        ("   ", "niet leeg"),
        ("27 april", "Ik herken geen aantal personen in ‘27 april’"),
        ("veel", "Ik herken geen aantal personen"),
        ("drie of vier", "meer dan één aantal"),
        ("3 of 4", "meer dan één aantal"),
        ("2 collega's", "Tel je jezelf mee"),
        ("ik en collega's", "in totaal"),
        ("2 personen (ik en 2 collega's)", "telt niet op"),
        ("3 (ik en een collega)", "telt niet op"),
    ],
)
def test_parse_persons_refuses(text: str, fragment: str) -> None:
    message = refusal(parse_persons, text)
    assert fragment in message
    assert "bijvoorbeeld" in message


# --------------------------------------------------------------------------- period


def period(
    departure: date,
    return_date: date | None = None,
    departure_part: DayPart | None = None,
    return_part: DayPart | None = None,
) -> TripPeriod:
    """A TripPeriod, a day trip when no return date is given."""
    return TripPeriod(
        departure=departure,
        departure_part=departure_part,
        return_date=return_date or departure,
        return_part=return_part,
    )


APR27, APR29 = date(2025, 4, 27), date(2025, 4, 29)


def test_golden_answer_of_the_example_form() -> None:
    parsed = parse_period("zondagavond 27 april t/m dinsdag 29 april", TODAY)
    assert parsed == TripPeriod(
        departure=APR27, departure_part=DayPart.AVOND, return_date=APR29, return_part=None
    )
    assert parsed.describe() == "2,5 dag (zondagavond 27 april t/m dinsdag 29 april 2025)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27-04-2025", period(APR27)),
        ("27-4-2025 t/m 29-4-2025", period(APR27, APR29)),
        ("27-04-2025 – 29-04-2025", period(APR27, APR29)),
        ("27-04-2025—29-04-2025", period(APR27, APR29)),
        ("27.4.2025 - 29.4.2025", period(APR27, APR29)),
        ("27-4-25 t/m 29-4-25", period(APR27, APR29)),
        ("2025-04-27 t/m 2025-04-29", period(APR27, APR29)),
        ("27 april", period(APR27)),
        ("27 April.", period(APR27)),
        ("27/4 - 29/4", period(APR27, APR29)),
        ("27/4 t/m 29/4", period(APR27, APR29)),
        ("27 april t/m 29 april 2025", period(APR27, APR29)),
        ("27 april 2025 t/m 29 april", period(APR27, APR29)),
        ("zondagavond 27 april t/m dinsdag 29 april", period(APR27, APR29, EVE)),
        ("Zondagavond 27 april T/M dinsdag 29 april!", period(APR27, APR29, EVE)),
        (
            "zondag avond 27 april tot en met dinsdagochtend 29 april",
            period(APR27, APR29, EVE, MORN),
        ),
        ("zondag-avond 27 april t.m. dinsdag 29 april", period(APR27, APR29, EVE)),
        (
            "zondag 27 april 's avonds tot dinsdag 29 april 's ochtends",
            period(APR27, APR29, EVE, MORN),
        ),
        ("zondag 27 april ’s avonds - dinsdag 29 april", period(APR27, APR29, EVE)),
        ("zondagnacht 27 april t/m 29 april", period(APR27, APR29, EVE)),
        ("zondagmorgen 27 april t/m 29 april", period(APR27, APR29, MORN)),
        ("zondagmiddag 27 april t/m 29 april", period(APR27, APR29, NOON)),
        ("van 27 tot 29 april", period(APR27, APR29)),
        ("van 27 tot en met 29 april", period(APR27, APR29)),
        ("27–29 april", period(APR27, APR29)),
        ("27-29 april", period(APR27, APR29)),
        ("27 t/m 29-4", period(APR27, APR29)),
        ("zo 27 apr - di 29 apr", period(APR27, APR29)),
        ("zo 27 apr t/m di 29 apr", period(APR27, APR29)),
        ("zondag 27 april dinsdag 29 april", period(APR27, APR29)),
        ("vertrek zondagavond 27 april, terug dinsdag 29 april", period(APR27, APR29, EVE)),
        ("27 april 18:30 - 29 april 9:15", period(APR27, APR29, EVE, MORN)),
        ("27 april om 14 uur t/m 29 april", period(APR27, APR29, NOON)),
        ("27e april t/m 29e april", period(APR27, APR29)),
        ("27 apirl t/m 29 april", period(APR27, APR29)),
        ("zondga 27 april", period(APR27)),
        ("27 april ochtend t/m avond", period(APR27, APR27, MORN, EVE)),
        ("28 april t/m 2 mei", period(date(2025, 4, 28), date(2025, 5, 2))),
        ("vandaag", period(TODAY)),
        ("gisteren", period(date(2025, 5, 1))),
        ("eergisteren t/m gisteren", period(date(2025, 4, 30), date(2025, 5, 1))),
        ("gisteravond", period(date(2025, 5, 1), None, EVE)),
        ("eergisterochtend t/m vandaag", period(date(2025, 4, 30), TODAY, MORN)),
        ("1 mei 2025 t/m vandaag", period(date(2025, 5, 1), TODAY)),
        # year omitted: the most recent year that puts the whole trip in the past
        ("3 mei", period(date(2024, 5, 3))),
        ("30 april t/m 2 mei", period(date(2025, 4, 30), TODAY)),
        ("1 september", period(date(2024, 9, 1))),
        # weekdays only: the most recent such days that have passed
        ("zondag t/m dinsdag", period(date(2025, 4, 27), date(2025, 4, 29))),
        (
            "maandagochtend t/m maandagmiddag",
            period(date(2025, 4, 28), date(2025, 4, 28), MORN, NOON),
        ),
        # the form's own answer, copied back
        ("2,5 dag (zondagavond 27 april t/m dinsdag 29 april 2025)", period(APR27, APR29, EVE)),
    ],
)
def test_parse_period_accepts(text: str, expected: TripPeriod) -> None:
    assert parse_period(text, TODAY) == expected


def test_year_inference_across_new_year() -> None:
    new_year = date(2026, 1, 3)
    assert parse_period("28 december t/m 2 januari", new_year) == period(
        date(2025, 12, 28), date(2026, 1, 2)
    )
    assert parse_period("28 december", new_year) == period(date(2025, 12, 28))
    assert parse_period("2 januari", new_year) == period(date(2026, 1, 2))
    assert parse_period("4 januari", new_year) == period(date(2025, 1, 4))


def test_trip_under_way_across_new_year_is_not_ended() -> None:
    message = refusal(parse_period, "30 december t/m 5 januari", date(2026, 1, 3))
    assert message == (
        "De reis is nog niet afgelopen: je komt terug op maandag 5 januari 2026. "
        "Vul het verslag in na terugkomst."
    )


def test_weekday_mismatch_names_the_real_weekday() -> None:
    message = refusal(parse_period, "zondag 28 april 2025", TODAY)
    assert message.startswith("28 april 2025 was een maandag, geen zondag.")


def test_weekday_mismatch_of_the_return_day() -> None:
    message = refusal(parse_period, "zondag 27 april t/m woensdag 29 april", TODAY)
    assert message.startswith("29 april 2025 was een dinsdag, geen woensdag.")


def test_weekday_mismatch_offers_the_whole_period_fixed() -> None:
    with pytest.raises(NeedsChoice) as caught:
        parse_period("zondagavond 27 april t/m dinsdag 29 april 2026", date(2026, 5, 2))
    assert str(caught.value).startswith("27 april 2026 was een maandag, geen zondag.")
    fixes = [choice.value for choice in caught.value.choices]
    assert fixes == [
        "zondagavond 27 april 2025 t/m dinsdag 29 april 2025",
        "maandagavond 27 april 2026 t/m woensdag 29 april 2026",
    ]
    # Each fix keeps both dates and the part of day, and works when typed back.
    assert parse_period(fixes[0], date(2026, 5, 2)) == period(APR27, APR29, EVE)
    back = parse_period(fixes[1], date(2026, 5, 2))
    assert (back.departure, back.return_date) == (date(2026, 4, 27), date(2026, 4, 29))
    assert back.departure_part is EVE and back.days == 2.5


def test_named_weekday_chooses_the_year() -> None:
    # Without a year, 27 April 2026 (a Monday) does not fit 'zondag': 2025 does.
    typed = "zondagavond 27 april t/m dinsdag 29 april"
    assert parse_period(typed, date(2026, 5, 2)) == period(APR27, APR29, EVE)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("morgen ofzo", "Ik herken geen datum in ‘morgen ofzo’."),
        ("", "niet leeg"),
        ("   ", "niet leeg"),
        ("weet ik niet meer", "Ik herken geen datum"),
        ("27 april ofzo", "Ik begrijp ‘ofzo’ niet"),
        ("27 april #", "Ik begrijp ‘#’ niet"),
        ("31 april", "31 april bestaat niet."),
        ("31-4-2025", "31 april bestaat niet."),
        ("0 mei", "0 mei bestaat niet."),
        ("29 februari 2025", "29 februari 2025 bestaat niet."),
        ("27-13-2025", "Maand 13 bestaat niet."),
        ("27 t/m 29", "Noem ook de maand"),
        ("27", "Noem ook de maand"),
        ("april", "Noem ook de dag"),
        ("27 april t/m mei", "Noem ook de terugkomstdag"),
        ("27 april t/m 28 april t/m 29 april", "één vertrekdag en één terugkomstdag"),
        ("29 april 2025 t/m 27 april 2025", "ligt vóór het vertrek"),
        ("27 april avond t/m 27 april ochtend", "ligt vóór het vertrek"),
        ("27 april 2025 t/m 3 mei 2025", "De reis is nog niet afgelopen"),
        ("1 mei t/m 3 mei", "De reis is nog niet afgelopen"),
        ("2 mei t/m 3 mei", "Vul het verslag in na terugkomst"),
        ("27 april 2022", "meer dan 2 jaar geleden"),
        ("1-1-2025 t/m 30-4-2025", "Een reis van 120 dagen? Controleer de data."),
        ("27 april 1850", "geen jaartal"),
        ("27 april avond ochtend", "twee dagdelen"),
        ("27 april mei", "twee maanden"),
        ("27 april 2024 2025", "twee jaartallen"),
        ("27-4-2024 april 2025", "twee jaartallen"),
        ("27 april 123", "Ik begrijp ‘123’ niet"),
    ],
)
def test_parse_period_refuses(text: str, fragment: str) -> None:
    message = refusal(parse_period, text, TODAY)
    assert fragment in message
    assert any(hint in message for hint in ("bijvoorbeeld", "Typ", "Controleer", "Vul")), message


def test_trip_ending_today_counts_as_ended() -> None:
    assert parse_period("30 april t/m 2 mei 2025", TODAY).return_date == TODAY


def test_not_ended_message_names_the_return_day() -> None:
    message = refusal(parse_period, "1 mei t/m 3 mei", TODAY)
    assert message == (
        "De reis is nog niet afgelopen: je komt terug op zaterdag 3 mei 2025. "
        "Vul het verslag in na terugkomst."
    )


def test_trips_up_to_two_years_back_are_accepted() -> None:
    assert parse_period("3-5-2023", TODAY) == period(date(2023, 5, 3))
    assert "meer dan 2 jaar geleden" in refusal(parse_period, "30-4-2023", TODAY)


# --------------------------------------------------------------------------- modes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vliegtuig", [PLANE]),
        ("Vliegtuig", [PLANE]),
        ("trein en bus", [TRAIN, BUS]),
        ("bus en trein", [TRAIN, BUS]),
        ("1, 3", [PLANE, BUS]),
        ("1 3", [PLANE, BUS]),
        ("1,3", [PLANE, BUS]),
        ("3 1 3", [PLANE, BUS]),
        ("Vliegtuig + trein", [PLANE, TRAIN]),
        ("vlucht", [PLANE]),
        ("gevlogen met KLM", [PLANE]),
        ("Transavia", [PLANE]),
        ("Eurostar", [TRAIN]),
        ("ICE", [TRAIN]),
        ("Thalys en TGV", [TRAIN]),
        ("intercity", [TRAIN]),
        ("nachttrein", [TRAIN]),
        ("NS", [TRAIN]),
        ("touringcar", [BUS]),
        ("touring car", [BUS]),
        ("Flixbus", [BUS]),
        ("eigen auto", [CAR]),
        ("huurauto", [CAR]),
        ("taxi", [CAR]),
        ("dienstauto", [CAR]),
        ("deelauto", [CAR]),
        ("veerboot", [FERRY]),
        ("ferry", [FERRY]),
        ("boot", [FERRY]),
        ("vliegtuik", [PLANE]),
        ("trien", [TRAIN]),
        ("auot", [CAR]),
        ("heen met de trein, terug met de Thalys", [TRAIN]),
        ("trein, eigen auto en veerboot", [TRAIN, CAR, FERRY]),
        ("1 2 3 4 5", list(TransportMode)),
        ("trein, ter plaatse metro en tram", [TRAIN]),
    ],
)
def test_parse_modes_accepts(text: str, expected: list[TransportMode]) -> None:
    assert parse_modes(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("raket", "Ik ken ‘raket’ niet als vervoermiddel"),
        ("fiets", "telt niet mee"),
        ("trein en step", "‘step’"),
        ("6", "Nummer 6 bestaat niet"),
        ("0", "Nummer 0 bestaat niet"),
        ("13", "Nummer 13 bestaat niet"),
        ("", "Welk vervoermiddel?"),
        ("met de", "Welk vervoermiddel?"),
        ("metro en te voet", "telt niet mee"),
    ],
)
def test_parse_modes_refuses(text: str, fragment: str) -> None:
    message = refusal(parse_modes, text)
    assert fragment in message
    assert "1 vliegtuig, 2 trein, 3 bus, 4 auto of 5 veerboot" in message


# --------------------------------------------------------------------------- yes / no


@pytest.mark.parametrize(
    "text",
    [
        "ja",
        "Ja",
        "J",
        "ja!",
        "Yes",
        "klopt",
        "Klopt.",
        "jazeker",
        "ok",
        "👍",
        "👍🏻",
        "✅",
        "akkoord",
        "dat klopt",
        "is goed",
        "ja 👍",
        "Ja, graag",
        "ja hoor",
        "ja, met Wenen",
        "jaaa",
    ],
)
def test_parse_yes(text: str) -> None:
    assert parse_yes_no(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "nee",
        "Nee.",
        "n",
        "no",
        "nope",
        "neee",
        "geen",
        "niet",
        "👎",
        "Nee, er zijn geen afspraken",
        "nee hoor",
        "klopt niet",
        "dat klopt niet",
        "helaas niet",
    ],
)
def test_parse_no(text: str) -> None:
    assert parse_yes_no(text) is False


@pytest.mark.parametrize(
    "text", ["misschien", "", "  ", "ja maar niet alles", "🙂👎", "?", "ja nee"]
)
def test_parse_yes_no_refuses(text: str) -> None:
    assert "Antwoord met ‘ja’ of ‘nee’." in refusal(parse_yes_no, text)


# --------------------------------------------------------------------------- free text

EXAMPLE_RESULTS = (
    "- Kennisuitwisseling tussen verschillende steden over zowel stedelijke innovaties.\n"
    "\n"
    "- Concrete samenwerkingsmogelijkheden geïdentificeerd (zie vervolgafspraken).  \n"
    "  - Wenen: smart city\n"
    "- Profilering van Den Haag 🚀 op het gebied van innovaties (oa. dronedetectie)."
)


@pytest.mark.parametrize(
    "text",
    [
        EXAMPLE_RESULTS,
        "Wenen (Oostenrijk) en Bratislava (Slowakije).",
        "- één punt",
        "  ingesprongen",
        "regel 1\r\nregel 2",
        "café, crème brûlée, 😀",
        "x",
    ],
)
def test_parse_free_text_keeps_text_exactly(text: str) -> None:
    assert parse_free_text(text) == text


def test_parse_free_text_drops_only_blank_lines_at_the_ends() -> None:
    assert parse_free_text("\n \n- punt 1\n\n- punt 2  \n\n\t\n") == "- punt 1\n\n- punt 2  "


@pytest.mark.parametrize("text", ["", " ", "\n\n", "\t \n ", "\u200b", "\u00a0"])
def test_parse_free_text_refuses_blank(text: str) -> None:
    assert refusal(parse_free_text, text).startswith("Dit antwoord mag niet leeg zijn.")


# --------------------------------------------------------------------------- short text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jan de Vries", "Jan de Vries"),
        ("  Jan   de Vries  ", "Jan de Vries"),
        ("Dienst\nPubliekszaken", "Dienst Publiekszaken"),
        ("Bestuursdienst – CIO-office", "Bestuursdienst – CIO-office"),
        ("José Müller", "José Müller"),
        ("x" * 120, "x" * 120),
    ],
)
def test_parse_short_text_accepts(text: str, expected: str) -> None:
    assert parse_short_text(text) == expected


@pytest.mark.parametrize(("text", "fragment"), [("", "niet leeg"), ("  \n ", "niet leeg")])
def test_parse_short_text_refuses_blank(text: str, fragment: str) -> None:
    assert fragment in refusal(parse_short_text, text)


def test_parse_short_text_refuses_too_long() -> None:
    assert refusal(parse_short_text, "x" * 121) == (
        "Dat is te lang (121 tekens). Houd het kort: hoogstens 120 tekens."
    )
    assert "hoogstens 10 tekens" in refusal(parse_short_text, "elf tekens!", 10)


def test_parse_short_text_refuses_punctuation_only() -> None:
    assert "niet leeg" in refusal(parse_short_text, "---")


# --------------------------------------------------------------------------- hours


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,5", 12.5),
        ("12.5", 12.5),
        ("ca. 7 uur", 7.0),
        ("ongeveer 12,5 uur", 12.5),
        ("7 uur 30", 7.5),
        ("7 uur en 30 minuten", 7.5),
        ("7:30", 7.5),
        ("7:30 uur", 7.5),
        ("7u30", 7.5),
        ("7h30", 7.5),
        ("7,5 u", 7.5),
        ("7,5u", 7.5),
        ("90 min", 1.5),
        ("45 minuten", 0.75),
        ("anderhalf uur", 1.5),
        ("zeven uur", 7.0),
        ("zeven en een half uur", 7.5),
        ("een half uur", 0.5),
        ("± 8 uur", 8.0),
        ("99", 99.0),
    ],
)
def test_parse_hours_accepts(text: str, expected: float) -> None:
    assert parse_hours(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("0", "tussen 0 en 100 uur"),
        ("100", "tussen 0 en 100 uur"),
        ("0 uur 0", "tussen 0 en 100 uur"),
        ("7 uur 75", "75 minuten"),
        ("7:75", "geen tijdsduur"),
        ("abc", "Ik herken geen aantal uren in ‘abc’"),
        ("", "Ik herken geen aantal uren"),
        ("7-8 uur", "Ik herken geen aantal uren"),
        ("7 8 9", "Ik herken geen aantal uren"),
        ("uur", "Ik herken geen aantal uren"),
        ("7 uur uur", "Ik herken geen aantal uren"),
    ],
)
def test_parse_hours_refuses(text: str, fragment: str) -> None:
    message = refusal(parse_hours, text)
    assert fragment in message
    assert "‘7 uur 30’" in message


# --------------------------------------------------------------------------- fuel


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("benzine", CarFuel.BENZINE),
        ("Benzine.", CarFuel.BENZINE),
        ("Euro 95", CarFuel.BENZINE),
        ("hybride", CarFuel.BENZINE),
        ("plug-in hybride", CarFuel.BENZINE),
        ("diesel", CarFuel.DIESEL),
        ("een diesel", CarFuel.DIESEL),
        ("elektrisch", CarFuel.ELEKTRISCH),
        ("elektrische auto", CarFuel.ELEKTRISCH),
        ("EV", CarFuel.ELEKTRISCH),
        ("stroom", CarFuel.ELEKTRISCH),
        ("onbekend", CarFuel.ONBEKEND),
        ("weet niet", CarFuel.ONBEKEND),
        ("weet ik niet", CarFuel.ONBEKEND),
        ("geen idee", CarFuel.ONBEKEND),
        ("LPG", CarFuel.ONBEKEND),
        ("benzien", CarFuel.BENZINE),
        ("1", CarFuel.ONBEKEND),
        ("4", CarFuel.ELEKTRISCH),
    ],
)
def test_parse_fuel_accepts(text: str, expected: CarFuel) -> None:
    assert parse_fuel(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("fiets", "Ik herken ‘fiets’ niet als brandstof"),
        ("benzine of diesel", "Welke brandstof?"),
        ("", "Welke brandstof?"),
        ("5", "Ik herken ‘5’ niet"),
    ],
)
def test_parse_fuel_refuses(text: str, fragment: str) -> None:
    message = refusal(parse_fuel, text)
    assert fragment in message
    assert "1 onbekend, 2 benzine, 3 diesel of 4 elektrisch" in message


# --------------------------------------------------------------------------- choices

CHOICES = ["Ja, klopt", "Nee, aanpassen", "Crème brûlée"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", "Ja, klopt"),
        (" 2 ", "Nee, aanpassen"),
        ("ja, klopt", "Ja, klopt"),
        ("NEE, AANPASSEN", "Nee, aanpassen"),
        ("creme brulee", "Crème brûlée"),
        ("creme brulle", "Crème brûlée"),
    ],
)
def test_parse_number_choice_accepts(text: str, expected: str) -> None:
    assert parse_number_choice(text, CHOICES) == expected


@pytest.mark.parametrize(("text", "fragment"), [("4", "Nummer 4 bestaat niet"), ("x", "Kies")])
def test_parse_number_choice_refuses(text: str, fragment: str) -> None:
    message = refusal(parse_number_choice, text, CHOICES)
    assert fragment in message
    assert "1 Ja, klopt; 2 Nee, aanpassen; 3 Crème brûlée" in message


# --------------------------------------------------------------------------- robustness

PARSERS = [
    parse_persons,
    lambda text: parse_period(text, TODAY),
    lambda text: parse_period(text, date(2026, 1, 3)),
    parse_modes,
    parse_yes_no,
    parse_free_text,
    parse_hours,
    parse_short_text,
    parse_fuel,
    lambda text: parse_number_choice(text, CHOICES),
]

DATE_LIKE = st.lists(
    st.sampled_from(
        [
            *[
                "27",
                "29",
                "31",
                "0",
                "2025",
                "1999",
                "-",
                "t/m",
                "tot",
                "en",
                "april",
                "apr",
                "feb",
                "zondag",
                "zo",
                "avond",
                "'s",
                "ochtends",
            ],
            *[
                "vandaag",
                "gisteravond",
                "27-4",
                "29/2",
                "12:30",
                "7u30",
                "ik",
                "met",
                "z'n",
                "drieën",
                "1,5",
                "half",
                "ja",
                "nee",
            ],
            *["trein", "vliegtuik", "3", "–", ".", "?", "😀", "é", "weet", "niet"],
            *[" ", "\n", "18 uur"],
        ]
    ),
    max_size=8,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=60), DATE_LIKE))
def test_no_parser_raises_anything_but_value_error(text: str) -> None:
    for parser in PARSERS:
        try:
            parser(text)
        except ValueError as error:
            assert str(error).strip(), (parser, text)

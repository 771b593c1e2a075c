"""The finished report: the one source of truth for every document and export.

The model holds typed facts (dates, places, legs, emissions); the Dutch answer
text of each form question is derived from those facts in `form_answers`, so the
chat summary, the text file, Word, PDF and the exports all say the same thing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SkipValidation, model_validator

from bot.formatting import format_day, format_duration, format_number
from bot.i18n import DEFAULT_LANGUAGE, N_, Localized, country_name, join, join_and, msg

__all__ = [
    "BORDERLINE_MINUTES",
    "FORM_QUESTIONS",
    "TITLE",
    "CarFuel",
    "DayPart",
    "EmissionLine",
    "FormAnswer",
    "Leg",
    "Place",
    "RailCheck",
    "Report",
    "TransportMode",
    "Traveller",
    "TripPeriod",
    "rail_hours_text",
    "shown_place_name",
]

TITLE = "VERSLAG BUITENLANDSE DIENSTREIS"

#: The ten questions of the municipal form, in its order and spelling.
FORM_QUESTIONS: tuple[str, ...] = (
    "HOEVEEL PERSONEN HEBBEN DE REIS GEMAAKT",
    "HOELANG DUURDE DE REIS?",
    "MET WELK(E) VERVOERSMIDDEL(EN) IS DE REIS GEMAAKT?",
    "INDIEN VLIEGTUIG BIJ EEN BESTEMMING DIE BINNEN 8 UUR PER TREIN OF BUS BEREIKBAAR IS: "
    "VERMELDING EN TOELICHTING UITZONDERLIJKE SITUATIE",
    "WAT IS AANTAL AFGELEGDE KILOMETERS PER VERVOERSMIDDEL EN DE UITSTOOT VAN "
    "CO2-EQUIVALENTEN PER VERVOERSMIDDEL",
    "WAT WAS HET DOEL VAN DE REIS?",
    "WELKE LOCATIES ZIJN BEZOCHT?",
    "WIE HEB JE ONTMOET? (BENOEM DE FUNCTIEOMSCHRIJVING)",
    "WAT HEEFT DE REIS DE GEMEENTE OPGELEVERD?",
    "ZIJN ER VERVOLGAFSPRAKEN? ZO JA, WELKE?",
)


class DayPart(StrEnum):
    """Part of a day, as travellers name it."""

    OCHTEND = "ochtend"
    MIDDAG = "middag"
    AVOND = "avond"


class TransportMode(StrEnum):
    """Transport modes of the form; the value is the Dutch label."""

    VLIEGTUIG = "vliegtuig"
    TREIN = "trein"
    BUS = "bus"
    AUTO = "auto"
    VEERBOOT = "veerboot"

    @property
    def label(self) -> str:
        """Capitalised Dutch label, as written on the form."""
        return self.value.capitalize()


class CarFuel(StrEnum):
    """Fuel of a car, the class of its emission factor."""

    ONBEKEND = "onbekend"
    BENZINE = "benzine"
    DIESEL = "diesel"
    ELEKTRISCH = "elektrisch"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Place(_Model):
    """A resolved place; coordinates are None when the traveller named an unknown place."""

    name: str
    country: str
    country_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    source: str = ""
    #: The name an English reader knows ('Vienna' for 'Wenen'), where it differs; the form and
    #: every document keep `name`.
    name_en: str = ""

    @property
    def label(self) -> str:
        """'Wenen (Oostenrijk)'."""
        return f"{self.name} ({self.country})" if self.country else self.name

    def name_in(self, language: str) -> str:
        """The name a reader of `language` knows ('Vienna' in English)."""
        return self.name_en if language == "en" and self.name_en else self.name

    def label_in(self, language: str) -> str:
        """'Wenen (Oostenrijk)' in Dutch, 'Vienna (Austria)' in English."""
        if not self.country:
            return self.name_in(language)
        country = self.country
        if language != DEFAULT_LANGUAGE and self.country_code:
            country = country_name(self.country_code, language) or country
        return f"{self.name_in(language)} ({country})"

    @property
    def shown_name(self) -> Localized:
        """The name for a chat message, written in its reader's language."""
        return Localized(self.name_in)

    @property
    def shown_label(self) -> Localized:
        """The label with the country for a chat message, in its reader's language."""
        return Localized(self.label_in)

    @property
    def has_coordinates(self) -> bool:
        """Whether distances can be computed for this place."""
        return self.latitude is not None and self.longitude is not None


def shown_place_name(places: Iterable[Place], name: str) -> str:
    """The place called `name` (its Dutch name, as a check records it) written for the
    reader's language; the name itself when it is none of `places`."""
    return next((place.shown_name for place in places if place.name == name), name)


class Leg(_Model):
    """One stretch of the trip by one mode; km are one way unless `return_trip`."""

    mode: TransportMode
    origin: Place
    destination: Place
    km_one_way: float = Field(ge=0)
    return_trip: bool = True
    km_source: Literal["berekend", "opgegeven"] = "berekend"
    #: How the km were found; kept as a message (not coerced to str) so it can be translated.
    method: SkipValidation[str] = ""
    origin_airport: str | None = None
    destination_airport: str | None = None
    fuel: CarFuel | None = None
    cars: int = Field(default=1, ge=1, le=20)

    @property
    def km(self) -> float:
        """Distance of this leg, both ways when it is a return trip."""
        return self.km_one_way * (2 if self.return_trip else 1)


class EmissionLine(_Model):
    """Km and kg CO2e of one transport mode for the whole party, with the factor used."""

    mode: TransportMode
    km: float
    kg_co2e: float
    factor_kg_per_unit: float
    unit: Literal["pkm", "vkm"]
    units: float
    factor_class: str
    factor_source: str
    factor_verified: bool
    list_version: str
    return_trip: bool = True
    #: The source in a few Dutch words per distinct row (its `source` where it has none).
    factor_source_labels: tuple[str, ...] = ()


def rail_hours_text(hours: float | None, lower_bound: bool, threshold_hours: float) -> str:
    """'ca. 6 u 40', 'meer dan 8 u 40' or 'onbekend' for a train time."""
    if hours is None:
        return msg("onbekend")
    if lower_bound:
        return msg("meer dan {duration}", duration=format_duration(hours, None, approx=False))
    return format_duration(hours, threshold_hours)


#: Within this many minutes of the threshold the 8-hour rule is a borderline case.
BORDERLINE_MINUTES = 45


class RailCheck(_Model):
    """The 8-hour rule applied to one destination.

    `hours` is the figure the verdict uses. `computed_hours` is what the bot found (rail
    network or estimate) and `traveller_hours` what the traveller said, kept side by side
    for the secretariat. `lower_bound` means the train takes at least `hours`.
    """

    destination: str
    hours: float | None
    estimated: bool
    source: str
    threshold_hours: float
    flown: bool
    route: SkipValidation[str] = ""  # a message: read in the chat's language, stored in Dutch
    lower_bound: bool = False
    computed_hours: float | None = None
    traveller_hours: float | None = None

    @property
    def within_threshold(self) -> bool:
        """Whether the destination is reachable by train within the threshold (exact minutes)."""
        if self.hours is None or (self.lower_bound and self.hours > self.threshold_hours):
            return False
        return round(self.hours * 60) <= round(self.threshold_hours * 60)

    @property
    def borderline(self) -> bool:
        """Whether the bot's or the traveller's figure lies within 45 minutes of the threshold."""
        limit = self.threshold_hours * 60
        figures = [self.computed_hours, self.traveller_hours, self.hours]
        return not self.lower_bound and any(
            hours is not None and abs(hours * 60 - limit) <= BORDERLINE_MINUTES for hours in figures
        )

    def figures_text(self) -> str:
        """For the secretariat: 'Bordeaux: ca. 7 u 20 volgens de bot, reiziger: 8 u 30 (grensgeval)'."""
        computed = self.computed_hours if self.computed_hours is not None else self.hours
        shown = self.model_copy(update={"hours": computed}).hours_text()
        text = f"{self.destination}: {shown} volgens de bot"
        if self.estimated and self.traveller_hours is None:
            text += " (schatting)"
        if self.traveller_hours is not None:
            own = format_duration(self.traveller_hours, self.threshold_hours, approx=False)
            text += f", reiziger: {own}"
        if self.borderline:
            text += " (grensgeval)"
        return text

    def form_hours_text(self) -> str:
        """'ca. 12,5 uur' in half hours as on the form; minutes where half hours would mislead."""
        if self.hours is None or self.lower_bound:
            return self.hours_text()
        half = round(self.hours * 2) / 2
        limit = self.threshold_hours
        if (half > limit) == (self.hours > limit) and abs(half - limit) >= 0.5:
            return msg("ca. {hours} uur", hours=format_number(half))
        return self.hours_text()

    def hours_text(self) -> str:
        """'ca. 6 u 40' / 'meer dan 8 u 40', display rounding that never crosses the threshold."""
        return rail_hours_text(self.hours, self.lower_bound, self.threshold_hours)

    @property
    def justification_required(self) -> bool:
        """The rule fires: flown to a place reachable within the threshold."""
        return self.flown and self.within_threshold


class TripPeriod(_Model):
    """Departure and return day, each with an optional part of day."""

    departure: date
    departure_part: DayPart | None = None
    return_date: date
    return_part: DayPart | None = None

    @model_validator(mode="after")
    def _return_not_before_departure(self) -> TripPeriod:
        if self.return_date < self.departure:
            raise ValueError("De terugreis ligt vóór de vertrekdag.")
        return self

    @property
    def days(self) -> float:
        """Length in half days: leaving after noon counts half, returning in the morning too.

        A day trip counts half a day when it lies in one half of the day: it left in the
        afternoon or evening, or it both left and came back in the morning."""
        if self.return_date == self.departure:
            late_start = self.departure_part in (DayPart.MIDDAG, DayPart.AVOND)
            morning_only = self.departure_part == self.return_part == DayPart.OCHTEND
            return 0.5 if late_start or morning_only else 1.0
        days = (self.return_date - self.departure).days + 1.0
        if self.departure_part in (DayPart.MIDDAG, DayPart.AVOND):
            days -= 0.5
        if self.return_part == DayPart.OCHTEND:
            days -= 0.5
        return days

    def span(self) -> str:
        """'zondagavond 27 april t/m dinsdag 29 april 2025': the year once, at the end,
        unless departure and return lie in different years."""
        start = format_day(
            self.departure,
            self.departure_part,
            with_year=self.departure.year != self.return_date.year,
        )
        if self.return_date == self.departure and self.return_part is None:
            return format_day(self.departure, self.departure_part, with_year=True)
        end = format_day(self.return_date, self.return_part, with_year=True)
        return msg("{start} t/m {end}", start=start, end=end)

    def describe(self) -> str:
        """'2,5 dag (zondagavond 27 april t/m dinsdag 29 april 2025)', as on the form."""
        days = self.days
        return msg(
            # "2,5 dag" as on the form
            N_("{days} dagen ({span})")
            if days > 1 and days == int(days)
            else N_("1 dag ({span})")
            if days == 1
            else N_("{days} dag ({span})"),
            days=format_number(days),
            span=self.span(),
        )

    def as_text(self) -> str:
        """The period as a traveller can type it back, each date with its year."""
        start = format_day(self.departure, self.departure_part, with_year=True)
        end = format_day(self.return_date, self.return_part, with_year=True)
        if self.return_date == self.departure and self.return_part is None:
            return start
        return f"{start} t/m {end}"


class Traveller(_Model):
    """Who sent the report: for the secretariat's copy, not for the public register."""

    name: str
    department: str
    user_ref: str = ""


class FormAnswer(_Model):
    """One question of the form with its answer as paragraphs and bullet items."""

    question: str
    text: str


class Report(_Model):
    """A finished, confirmed report."""

    report_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    traveller: Traveller
    persons: int = Field(ge=1, le=99)
    period: TripPeriod
    destinations: list[Place] = Field(min_length=1)
    modes: list[TransportMode] = Field(min_length=1)
    legs: list[Leg] = Field(default_factory=list)
    emissions: list[EmissionLine] = Field(default_factory=list)
    emission_list_version: str = ""
    rail_check: RailCheck | None = None
    justification: str | None = None
    justification_flagged: bool = False
    purpose: str
    locations: str
    people_met: str
    results: str
    follow_up: str | None = None
    #: Answers to questions added after the form's ten, each under its own heading.
    extra_answers: list[FormAnswer] = Field(default_factory=list)
    submitted_at: datetime | None = None

    @model_validator(mode="after")
    def _justification_when_required(self) -> Report:
        if self.rail_check and self.rail_check.justification_required and not self.justification:
            raise ValueError("Een toelichting is verplicht: er is gevlogen binnen de 8-uursgrens.")
        return self

    @property
    def total_km(self) -> float:
        """All km of the trip."""
        return sum(line.km for line in self.emissions)

    @property
    def total_kg_co2e(self) -> float:
        """All kg CO2e of the trip, for the whole party."""
        return sum(line.kg_co2e for line in self.emissions)

    @property
    def destination_label(self) -> str:
        """'Wenen en Bratislava'."""
        return join_dutch([p.name for p in self.destinations])

    def persons_text(self) -> str:
        """'1 persoon' / '3 personen'."""
        if self.persons == 1:
            return msg("{n} persoon", n=self.persons)
        return msg("{n} personen", n=self.persons)

    def modes_text(self) -> str:
        """'Vliegtuig' / 'Trein en bus'."""
        return join_dutch([m.value for m in self.modes]).capitalize()

    def rule_text(self) -> str:
        """Answer to question 4: the justification, or 'Nvt' with the reason."""
        check = self.rail_check
        if check and check.justification_required:
            return self.justification or ""
        if TransportMode.VLIEGTUIG not in self.modes:
            return msg("Nvt (niet gevlogen).")
        if check is None or check.hours is None:
            return msg("Nvt.")
        return msg(
            N_("Nvt (treinreis naar {destination} duurt {hours}).")
            if check.lower_bound
            else N_("Nvt (treinreis naar {destination} is {hours})."),
            destination=shown_place_name(self.destinations, check.destination),
            hours=check.form_hours_text(),
        )

    def totals_text(self) -> str:
        """'1.918 km, ca. 404 kg CO2e'; for a group, what the km and the CO2 each cover."""
        km, kg = format_number(self.total_km, 0), format_number(self.total_kg_co2e, 0)
        if self.persons == 1:
            return f"{km} km, ca. {kg} kg CO2e"
        return f"{km} km per persoon, ca. {kg} kg CO2e voor de {self.persons} personen samen"

    def emissions_text(self) -> str:
        """Answer to question 5: one line per mode, in the example's style."""
        lines = []
        group = self.persons > 1
        for line in self.emissions:
            template = {
                (False, False): N_("{km} km met {mode}, ca. {kg} kg CO2-uitstoot"),
                (True, False): N_("{km} km met {mode} (retour), ca. {kg} kg CO2-uitstoot"),
                (False, True): N_(
                    "{km} km per persoon met {mode}, ca. {kg} kg CO2-uitstoot "
                    "voor de {persons} personen samen"
                ),
                (True, True): N_(
                    "{km} km per persoon met {mode} (retour), ca. {kg} kg CO2-uitstoot "
                    "voor de {persons} personen samen"
                ),
            }[(line.return_trip, group)]
            lines.append(
                msg(
                    template,
                    km=format_number(line.km, 0),
                    mode=msg(line.mode.value),
                    kg=format_number(line.kg_co2e, 0),
                    persons=self.persons,
                )
            )
        return join(lines, "\n")

    def form_answers(self) -> list[FormAnswer]:
        """The ten questions of the form with their answers, in order, then any extra ones."""
        answers = (
            self.persons_text(),
            self.period.describe(),
            self.modes_text(),
            self.rule_text(),
            self.emissions_text(),
            self.purpose,
            self.locations,
            self.people_met,
            self.results,
            self.follow_up or "Nee.",
        )
        official = [
            FormAnswer(question=q, text=a) for q, a in zip(FORM_QUESTIONS, answers, strict=True)
        ]
        return [*official, *self.extra_answers]


def join_dutch(items: list[str]) -> str:
    """'a', 'a en b', 'a, b en c' (plain Dutch text, for the form and the register)."""
    return str(join_and(items))

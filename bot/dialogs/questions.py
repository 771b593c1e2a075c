"""The interview's questions, declared as data.

Adding a question means one `Question` entry in `QUESTIONS`: its Dutch prompt, the
parser that turns a message into a typed value, when it applies, and which earlier
answers invalidate it. The state machine, progress, review and help all follow. Its
answer reaches the report by its key (a field of `Report` or `Traveller`), through a
later question that depends on it, or, with a `form_heading`, as a question of its own
after the form's ten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Any

from pydantic import TypeAdapter

from bot.dialogs import parsers
from bot.dialogs.errors import Choice, Doubtful
from bot.dialogs.labels import FUEL_LABELS, FUEL_NAMES, MODE_LABELS, MODE_NAMES
from bot.dialogs.ports import TripCalculator
from bot.formatting import format_number
from bot.i18n import DEFAULT_LANGUAGE, N_, Localized, join, msg, t, translate
from bot.report import (
    BORDERLINE_MINUTES,
    CarFuel,
    Leg,
    Place,
    RailCheck,
    TransportMode,
    Traveller,
    TripPeriod,
    shown_place_name,
)

__all__ = [
    "QUESTIONNAIRE",
    "QUESTIONS",
    "Context",
    "Kind",
    "Question",
    "Questionnaire",
    "RouteChecks",
    "is_free_text",
    "question_by_key",
]


class Kind(StrEnum):
    """How an answer is given: adapters choose keyboards and prompts by it."""

    TEXT = "text"
    CHOICE = "choice"
    MULTI = "multi"
    YES_NO = "yes_no"
    DATE = "date"


class RouteChecks:
    """The calculator's 8-hour check of the last route asked about, kept for one interview:
    its guards, prompts and report ask for it several times per message.

    Reused only for the very same places and legs (immutable objects, compared by identity),
    so a changed answer is always checked afresh."""

    def __init__(self) -> None:
        self._last: tuple[TripCalculator, tuple[Place, ...], tuple[Leg, ...], Any] | None = None

    def check(
        self, trip: TripCalculator, destinations: Sequence[Place], legs: Sequence[Leg]
    ) -> RailCheck | None:
        """`trip.rail_check(destinations, legs)`, made once for the same route."""
        last = self._last
        if (
            last is not None
            and last[0] is trip
            and _same_items(last[1], destinations)
            and _same_items(last[2], legs)
        ):
            check: RailCheck | None = last[3]
            return check
        check = trip.rail_check(list(destinations), list(legs))
        self._last = (trip, tuple(destinations), tuple(legs), check)
        return check


def _same_items(kept: Sequence[Any], given: Sequence[Any]) -> bool:
    """Whether two sequences hold the very same objects, in order."""
    return len(kept) == len(given) and all(a is b for a, b in zip(kept, given, strict=True))


@dataclass(frozen=True)
class Context:
    """What conditions, prompts and parsers may look at: the answers so far and the ports."""

    answers: Mapping[str, Any]
    trip: TripCalculator
    today: date
    profile: Traveller | None = None
    confirmed: bool = False  # the traveller confirmed an unlikely answer (km far off)
    language: str = DEFAULT_LANGUAGE  # the traveller's language: prompts and answers
    #: The interview's memory of the computed 8-hour check (one per interview).
    route_checks: RouteChecks = field(default_factory=RouteChecks, compare=False, repr=False)

    def t(self, msgid: str, **params: Any) -> str:
        """`msgid` in the traveller's language with its placeholders filled."""
        return t(self.language, msgid, **params)

    def computed_rail_check(self) -> RailCheck | None:
        """The calculator's 8-hour check of the route answered (None before the route)."""
        legs: list[Leg] | None = self.answers.get("legs")
        destinations: list[Place] | None = self.answers.get("destinations")
        if not legs or not destinations:
            return None
        return self.route_checks.check(self.trip, destinations, legs)

    def rail_check(self) -> RailCheck | None:
        """The 8-hour rule for the route given, with the traveller's train hours if given."""
        check = self.computed_rail_check()
        hours = self.answers.get("rail_hours")
        if check is None or hours is None or not (check.estimated or check.borderline):
            return check
        if hours == check.hours:
            return check.model_copy(
                update={
                    "source": f"{check.source}; bevestigd door reiziger",
                    "traveller_hours": hours,
                }
            )
        if check.estimated:
            return check.model_copy(
                update={
                    "hours": hours,
                    "estimated": False,
                    "source": "opgegeven door de reiziger",
                    "traveller_hours": hours,
                }
            )
        # Borderline on the rail network: both figures are kept; the shorter one decides.
        return check.model_copy(
            update={"hours": min(hours, check.hours or hours), "traveller_hours": hours}
        )


Parser = Callable[[str, Context], Any]
Condition = Callable[[Context], bool]


def _always(_: Context) -> bool:
    return True


@dataclass(frozen=True)
class Question:
    """One step of the interview."""

    key: str
    label: str
    prompt: str | Callable[[Context], str]
    parse: Parser
    value_type: Any
    kind: Kind = Kind.TEXT
    choices: Callable[[Context], list[Choice]] | None = None
    optional: bool = False
    applies: Condition = _always
    depends_on: tuple[str, ...] = ()
    help: str = ""
    show: Callable[[Any], str] = str
    notice: Callable[[Any, Context], str | None] | None = None
    skip_value: Callable[[Context], Any] | None = None
    numeric: bool = False  # a typed number is the answer itself, never an option's number
    #: The value known without asking (remembered from an earlier report): shown in the
    #: review, editable there, and used in the report while the question is not asked.
    remembered: Callable[[Context], Any] | None = None
    #: Printed on the documents as its own question after the form's ten, with this heading.
    form_heading: str | None = None

    def prompt_text(self, ctx: Context) -> str:
        """The question as the traveller reads it now."""
        return self.prompt(ctx) if callable(self.prompt) else self.prompt

    def offered_choices(self, ctx: Context) -> list[Choice]:
        """The buttons or numbered options offered with the question."""
        return self.choices(ctx) if self.choices else []


# --- helpers shared by several questions -------------------------------------------------

KEEP = "klopt"


def _mode_choices(_: Context) -> list[Choice]:
    return [Choice(m.value, MODE_LABELS[m]) for m in TransportMode]


def _fuel_choices(_: Context) -> list[Choice]:
    return [Choice(f.value, FUEL_LABELS[f]) for f in CarFuel]


def _persons_choices(_: Context) -> list[Choice]:
    return [Choice(str(n), str(n)) for n in (1, 2, 3, 4)]


def _keep_choice(_: Context) -> list[Choice]:
    return [Choice(KEEP, N_("✅ Klopt"))]


def _keep_route_choice(ctx: Context) -> list[Choice]:
    return _keep_choice(ctx) if _proposed_legs(ctx) else []


def _yes_no_choices(_: Context) -> list[Choice]:
    return [Choice("ja", N_("Ja")), Choice("nee", N_("Nee"))]


def _flown(ctx: Context) -> bool:
    return TransportMode.VLIEGTUIG in ctx.answers.get("modes", [])


def _places_text(places: list[Place]) -> str:
    return join([p.shown_label for p in places])


def _modes_text(modes: list[TransportMode]) -> str:
    return join([msg(MODE_LABELS[m]) for m in modes])


def _free(text: str, _: Context) -> str:
    return parsers.parse_sentence(text)


def _is_keep(text: str) -> bool:
    return text.strip().lower().strip("✅ .!") in {
        KEEP,
        "ja",
        "ok",
        "oké",
        "goed",
        "prima",
        "correct",
        "yes",
        "okay",
    }


# --- the route -----------------------------------------------------------------------------


def _with_fuel(legs: list[Leg], ctx: Context) -> list[Leg]:
    fuel = ctx.answers.get("fuel")
    if fuel is None:
        return legs
    return [
        leg.model_copy(update={"fuel": fuel})
        if leg.mode is TransportMode.AUTO and leg.fuel in (None, CarFuel.ONBEKEND)
        else leg
        for leg in legs
    ]


def _proposed_legs(ctx: Context) -> list[Leg]:
    """The calculator's route, or [] when a place has no known location (km must be typed)."""
    try:
        legs = ctx.trip.propose_legs(ctx.answers["destinations"], ctx.answers["modes"])
    except ValueError:
        return []
    return _with_fuel(legs, ctx)


def _legs_prompt(ctx: Context) -> str:
    legs = _proposed_legs(ctx)
    if not legs:
        return ctx.t(
            N_(
                "Ik ken de ligging van de bestemming niet en kan de afstand dus niet berekenen.\n"
                "Typ het vervoer met de kilometers, bijvoorbeeld ‘auto 420 km’ of "
                "‘trein 850 km retour’."
            )
        )
    # Every example here works when typed back for this very route.
    examples = [ctx.t(N_("‘heen met de trein, terug met het vliegtuig’"))]
    if any(leg.mode is TransportMode.VLIEGTUIG for leg in legs):
        examples.append(ctx.t(N_("‘vanaf RTM’")))
    examples.append(
        f"‘{ctx.t(MODE_NAMES[legs[0].mode])} {format_number(round(legs[0].km, -1), 0, grouping=False)} km’"
    )
    return ctx.t(
        N_(
            "Zo heb ik de route berekend:\n{legs}\n\n"
            "Klopt dit? Kies ‘Klopt’, of beschrijf de route, bijvoorbeeld {examples} of {last}."
        ),
        legs=ctx.trip.describe_legs(legs),
        examples=", ".join(examples[:-1]),
        last=examples[-1],
    )


def _parse_legs(text: str, ctx: Context) -> list[Leg]:
    proposed = _proposed_legs(ctx)
    if _is_keep(text) and proposed:
        legs = proposed
    else:
        legs = ctx.trip.parse_legs(
            text, ctx.answers["destinations"], ctx.answers["modes"], proposed
        )
    if not legs:
        raise ValueError(
            msg("Ik kon uit dit antwoord geen route halen. Beschrijf de heen- en terugreis.")
        )
    missing = [leg for leg in legs if leg.km_one_way == 0 and leg.km_source == "berekend"]
    if missing:
        raise ValueError(
            msg(
                "Ik ken de afstand naar {place} niet. "
                "Geef de kilometers zelf op, bijvoorbeeld ‘auto 420 km’.",
                place=missing[0].destination.shown_name,
            )
        )
    if not ctx.confirmed:
        _check_typed_km(legs, ctx)
    return _with_fuel(legs, ctx)


#: Typed km are asked back once when they lie outside this band around the great circle:
#: no route is shorter than the great circle, and hardly any more than twice as long.
KM_PLAUSIBLE_BAND = (0.9, 2.0)


def _check_typed_km(legs: list[Leg], ctx: Context) -> None:
    """Ask back once when typed km are far from the great-circle distance."""
    low, high = KM_PLAUSIBLE_BAND
    for leg in legs:
        if leg.km_source != "opgegeven":
            continue
        great_circle = ctx.trip.great_circle_km(leg.origin, leg.destination)
        if not great_circle or great_circle < 20:
            continue
        if low * great_circle <= leg.km_one_way <= high * great_circle + 30:
            continue
        raise Doubtful(
            msg(
                "Je gaf {typed} km enkele reis op voor {mode} {origin} – {destination}. "
                "Hemelsbreed is dat {great_circle} km. Klopt {km} km?",
                typed=format_number(leg.km_one_way, 0),
                mode=msg(MODE_NAMES[leg.mode]),
                origin=leg.origin.shown_name,
                destination=leg.destination.shown_name,
                great_circle=format_number(great_circle, 0),
                km=format_number(leg.km, 0),
            )
        )


def _legs_text(legs: list[Leg]) -> str:
    parts = [
        msg(
            N_("{mode} naar {place}, {km} km retour")
            if leg.return_trip
            else N_("{mode} naar {place}, {km} km enkele reis"),
            mode=msg(MODE_LABELS[leg.mode]),
            place=leg.destination.shown_name,
            km=format_number(leg.km, 0),
        )
        for leg in legs
    ]
    return join(parts, "; ")


# --- the 8-hour rule -------------------------------------------------------------------------


def _estimated_check(ctx: Context) -> RailCheck | None:
    """The computed check when the traveller should confirm it: an estimate or a borderline case."""
    if not _flown(ctx):
        return None
    check = ctx.computed_rail_check()
    if check is None or not check.flown or check.hours is None or check.lower_bound:
        return None
    return check if check.estimated or check.borderline else None


def _needs_rail_hours(ctx: Context) -> bool:
    check = _estimated_check(ctx)
    # Far beyond the threshold an estimate cannot change the outcome: no need to ask.
    return check is not None and (
        check.borderline or (check.hours is not None and check.hours < 2 * check.threshold_hours)
    )


def _shown_destination(ctx: Context, name: str) -> str:
    """The destination the 8-hour check names (its Dutch name), in the reader's language."""
    return shown_place_name(ctx.answers.get("destinations") or [], name)


def _rail_hours_prompt(ctx: Context) -> str:
    check = _estimated_check(ctx)
    assert check is not None and check.hours is not None
    threshold = format_number(check.threshold_hours)
    route = ctx.t(N_("\nRoute: {route}."), route=check.route) if check.route else ""
    if not check.estimated:
        return ctx.t(
            N_(
                "Met de trein van {home} naar {destination} is het volgens het spoormodel "
                "{hours}.{route}\n"
                "Dat is een grensgeval: binnen {minutes} minuten van de grens van {threshold} "
                "uur. Het secretariaat ziet beide tijden.\n"
                "Kies ‘Klopt’ of typ de snelste reistijd uit een reisplanner, bijvoorbeeld ‘8 u 30’."
            ),
            home=ctx.trip.home.shown_name,
            destination=_shown_destination(ctx, check.destination),
            hours=check.hours_text(),
            route=route,
            minutes=BORDERLINE_MINUTES,
            threshold=threshold,
        )
    return ctx.t(
        N_(
            "Hoe lang duurt de treinreis van {home} naar {destination}? "
            "Ik schat {hours} (een schatting).{route}\n"
            "Kies ‘Klopt’ of typ de reistijd in uren, bijvoorbeeld ‘9,5’."
        ),
        home=ctx.trip.home.shown_name,
        destination=_shown_destination(ctx, check.destination),
        hours=check.hours_text(),
        route=route,
    )


def _parse_rail_hours(text: str, ctx: Context) -> float:
    check = _estimated_check(ctx)
    if _is_keep(text) and check is not None and check.hours is not None:
        return check.hours
    return parsers.parse_hours(text, ctx.language)


def _estimate_hours(ctx: Context) -> float | None:
    check = _estimated_check(ctx)
    return check.hours if check else None


def _needs_justification(ctx: Context) -> bool:
    check = ctx.rail_check()
    return check is not None and check.justification_required


def _justification_prompt(ctx: Context) -> str:
    check = ctx.rail_check()
    assert check is not None and check.hours is not None
    route = (
        Localized(lambda language: f" ({translate(language, check.route)})") if check.route else ""
    )
    if check.traveller_hours is not None and check.traveller_hours != check.computed_hours:
        route = ctx.t(N_(" volgens jouw opgave"))
    return ctx.t(
        N_(
            "Je bent gevlogen naar {destination}. Met de trein is dat {hours}{route}, binnen "
            "de grens van {threshold} uur.\n"
            "Vliegen mag dan alleen in een uitzonderlijke situatie, zoals een crisis of spoed. "
            "Reistijd, gemak of prijs tellen niet als reden.\n"
            "Licht toe waarom het vliegtuig nodig was."
        ),
        destination=_shown_destination(ctx, check.destination),
        hours=check.hours_text(),
        route=route,
        threshold=format_number(check.threshold_hours),
    )


def _justification_notice(text: str, ctx: Context) -> str | None:
    if ctx.trip.is_weak_justification(text):
        return ctx.t(
            N_(
                "Let op: reistijd, gemak of prijs zijn volgens het reisbeleid geen geldige "
                "reden. Je toelichting is bewaard en wordt gemarkeerd voor het secretariaat. "
                "Wil je iets aanvullen? Typ ‘terug’."
            )
        )
    return None


def _destinations(text: str, ctx: Context) -> list[Place]:
    """The places visited; home at the start or end of a journey ('Den Haag – Brussel – …')
    is where the trip begins and ends, not a destination."""
    places = ctx.trip.resolve_places(text)
    visited = [place for place in places if place != ctx.trip.home]
    if not visited:
        raise ValueError(
            msg(
                "{home} is de thuisplaats. Noem de plaats(en) in het buitenland, "
                "bijvoorbeeld ‘Wenen en Bratislava’.",
                home=ctx.trip.home.shown_name,
            )
        )
    return list(dict.fromkeys(visited))


def _places_notice(places: list[Place], ctx: Context) -> str:
    return ctx.t(N_("Gevonden: {places}."), places=_places_text(places))


def _persons_parse(text: str, ctx: Context) -> int:
    return parsers.parse_persons(text, ctx.language)


def _has_follow_up(ctx: Context) -> bool:
    return bool(ctx.answers.get("has_follow_up"))


def _needs_profile(ctx: Context) -> bool:
    return ctx.profile is None


QUESTIONS: tuple[Question, ...] = (
    Question(
        key="destinations",
        label=N_("Bestemming"),
        prompt=N_(
            "Waar ging de reis naartoe? Noem de stad of steden, bijvoorbeeld ‘Wenen en Bratislava’."
        ),
        parse=lambda text, ctx: _destinations(text, ctx),
        value_type=list[Place],
        help=N_(
            "Noem de plaatsen die je hebt bezocht. Kent de bot een plaats niet, "
            "zet het land erachter: ‘Gent, België’."
        ),
        show=_places_text,
        notice=_places_notice,
    ),
    Question(
        key="period",
        label=N_("Reisperiode"),
        prompt=lambda ctx: ctx.t(
            N_(
                "Wanneer was de reis? Noem vertrek en terugkomst, met het dagdeel "
                "als je ’s middags of ’s avonds vertrok of ’s ochtends terugkwam.\n"
                "Bijvoorbeeld: ‘{example}’."
            ),
            example=parsers.period_example(ctx.today, ctx.language),
        ),
        parse=lambda text, ctx: parsers.parse_period(text, ctx.today, language=ctx.language),
        value_type=TripPeriod,
        kind=Kind.DATE,
        help=N_(
            "Vertrek je ’s middags of ’s avonds, dan telt die dag als halve dag; "
            "kom je ’s ochtends terug, dan ook. Zonder jaartal neem ik het meest recente jaar "
            "waarin de reis voorbij is; noem je een weekdag, dan het jaar waarin die klopt."
        ),
        show=lambda period: period.describe(),
        notice=lambda period, ctx: ctx.t(N_("Genoteerd: {period}."), period=period.describe()),
    ),
    Question(
        key="persons",
        label=N_("Aantal personen"),
        prompt=N_("Met hoeveel personen is de reis gemaakt? Tel jezelf mee."),
        parse=_persons_parse,
        value_type=int,
        numeric=True,
        kind=Kind.CHOICE,
        choices=_persons_choices,
        help=N_("Het aantal medewerkers en bestuurders dat meereisde, jijzelf inbegrepen."),
        show=lambda n: msg("{n} persoon", n=n) if n == 1 else msg("{n} personen", n=n),
    ),
    Question(
        key="modes",
        label=N_("Vervoer"),
        prompt=N_("Met welk vervoer is de reis gemaakt? Kies alles wat van toepassing is."),
        parse=lambda text, ctx: parsers.parse_modes(text, ctx.language),
        value_type=list[TransportMode],
        kind=Kind.MULTI,
        choices=_mode_choices,
        help=N_(
            "Kies één of meer: vliegtuig, trein, bus, auto of veerboot. "
            "Typen mag ook, bijvoorbeeld ‘trein en bus’ of ‘1, 3’."
        ),
        show=_modes_text,
    ),
    Question(
        key="fuel",
        label=N_("Brandstof auto"),
        prompt=N_("Op welke brandstof reed de auto?"),
        parse=lambda text, ctx: parsers.parse_fuel(text, ctx.language),
        value_type=CarFuel,
        kind=Kind.CHOICE,
        choices=_fuel_choices,
        applies=lambda ctx: TransportMode.AUTO in ctx.answers.get("modes", []),
        depends_on=("modes",),
        help=N_("De brandstof bepaalt de CO2-factor. Weet je het niet, kies ‘Onbekend’."),
        show=lambda fuel: msg(FUEL_NAMES[fuel]),
    ),
    Question(
        key="legs",
        label=N_("Route en afstand"),
        prompt=_legs_prompt,
        parse=_parse_legs,
        value_type=list[Leg],
        kind=Kind.CHOICE,
        choices=_keep_route_choice,
        depends_on=("destinations", "modes", "fuel"),
        help=N_(
            "De bot berekent de afstand hemelsbreed tussen de vliegvelden, of voor trein, bus "
            "en auto hemelsbreed met een omrijfactor. Weet je de echte afstand, typ die dan, "
            "bijvoorbeeld ‘trein 850 km’."
        ),
        show=_legs_text,
    ),
    Question(
        key="rail_hours",
        label=N_("Reistijd per trein"),
        prompt=_rail_hours_prompt,
        parse=_parse_rail_hours,
        value_type=float,
        numeric=True,
        kind=Kind.CHOICE,
        choices=_keep_choice,
        optional=True,
        applies=_needs_rail_hours,
        depends_on=("legs",),
        help=N_("Dit bepaalt of de 8-uursregel geldt. Een reisplanner geeft de echte reistijd."),
        show=lambda hours: msg("ca. {hours} uur", hours=format_number(hours)),
        skip_value=_estimate_hours,
    ),
    Question(
        key="justification",
        label=N_("Toelichting vliegreis"),
        prompt=_justification_prompt,
        parse=_free,
        value_type=str,
        applies=_needs_justification,
        depends_on=("legs", "rail_hours"),
        help=N_(
            "Sinds 2020 vliegt de gemeente niet naar bestemmingen die binnen 8 uur met trein of "
            "bus bereikbaar zijn, behalve bij spoed zoals een crisis."
        ),
        notice=_justification_notice,
    ),
    Question(
        key="purpose",
        label=N_("Doel van de reis"),
        prompt=N_("Wat was het doel van de reis?"),
        parse=_free,
        value_type=str,
        help=N_("Bijvoorbeeld de bijeenkomst, het netwerk of het overleg waaraan je deelnam."),
    ),
    Question(
        key="locations",
        label=N_("Bezochte locaties"),
        prompt=N_("Welke locaties zijn bezocht?"),
        parse=_free,
        value_type=str,
        help=N_("Steden en de plekken daarin: gemeentehuizen, bedrijven, instellingen."),
    ),
    Question(
        key="people_met",
        label=N_("Ontmoet"),
        prompt=N_("Wie heb je ontmoet? Noem functies, geen namen: het verslag wordt openbaar."),
        parse=_free,
        value_type=str,
        help=N_("Bijvoorbeeld ‘CIO’s van de steden Parijs en Praag’."),
    ),
    Question(
        key="results",
        label=N_("Opbrengst"),
        prompt=N_(
            "Wat heeft de reis de gemeente opgeleverd? "
            "Meerdere punten? Begin elke regel met een streepje (-)."
        ),
        parse=_free,
        value_type=str,
        help=N_("Kennis, contacten, samenwerking, profilering van Den Haag."),
    ),
    Question(
        key="has_follow_up",
        label=N_("Vervolgafspraken?"),
        prompt=N_("Zijn er vervolgafspraken gemaakt?"),
        parse=lambda text, ctx: parsers.parse_yes_no(text, ctx.language),
        value_type=bool,
        kind=Kind.YES_NO,
        choices=_yes_no_choices,
        show=lambda yes: msg(N_("ja") if yes else N_("nee")),
    ),
    Question(
        key="follow_up",
        label=N_("Welke vervolgafspraken"),
        prompt=N_("Welke vervolgafspraken zijn er gemaakt?"),
        parse=_free,
        value_type=str,
        applies=_has_follow_up,
        depends_on=("has_follow_up",),
    ),
    Question(
        key="name",
        label=N_("Naam"),
        prompt=N_(
            "Tot slot, voor het secretariaat: wat is je naam? Ik onthoud hem voor een volgende keer."
        ),
        parse=lambda text, ctx: parsers.parse_short_text(text),
        value_type=str,
        applies=_needs_profile,
        remembered=lambda ctx: ctx.profile.name if ctx.profile else None,
    ),
    Question(
        key="department",
        label=N_("Afdeling"),
        prompt=N_("Bij welke afdeling of dienst werk je?"),
        parse=lambda text, ctx: parsers.parse_short_text(text),
        value_type=str,
        applies=_needs_profile,
        remembered=lambda ctx: ctx.profile.department if ctx.profile else None,
        help=N_("Bijvoorbeeld ‘Dienst Publiekszaken’ of ‘Bestuursdienst’."),
    ),
)


class Questionnaire:
    """A list of questions with the lookups the interview needs: the whole script."""

    def __init__(self, questions: tuple[Question, ...]) -> None:
        self.questions = questions
        self._by_key: Mapping[str, Question] = {q.key: q for q in questions}
        if len(self._by_key) != len(questions):
            raise ValueError("Two questions share a key.")
        self._dependents: dict[str, tuple[str, ...]] = {}

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def __getitem__(self, key: str) -> Question:
        return self._by_key[key]

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def keys(self) -> list[str]:
        """The question keys in the order they are asked."""
        return list(self._by_key)

    @cached_property
    def adapters(self) -> Mapping[str, TypeAdapter[Any]]:
        """Per key, how an answer is validated from stored JSON and dumped to it (None: skipped)."""
        return {
            q.key: TypeAdapter(q.value_type | None if q.optional else q.value_type)
            for q in self.questions
        }

    def dependents(self, key: str) -> tuple[str, ...]:
        """Every answer invalidated (directly or through others) when `key` changes."""
        if key not in self._dependents:
            found: list[str] = []
            frontier = [key]
            while frontier:
                current = frontier.pop()
                for question in self.questions:
                    if current in question.depends_on and question.key not in found:
                        found.append(question.key)
                        frontier.append(question.key)
            self._dependents[key] = tuple(found)
        return self._dependents[key]

    def with_question(self, question: Question, *, after: str) -> Questionnaire:
        """This list with one more question, asked right after the question `after`."""
        index = self.keys().index(after) + 1
        return Questionnaire((*self.questions[:index], question, *self.questions[index:]))


QUESTIONNAIRE = Questionnaire(QUESTIONS)


def question_by_key(key: str) -> Question:
    """The question with this key."""
    return QUESTIONNAIRE[key]


def is_free_text(key: str) -> bool:
    """Whether the question takes free sentences (purpose, results, ...), not a name or value."""
    return key in QUESTIONNAIRE and QUESTIONNAIRE[key].parse is _free

"""The calculation behind `reisverslag check`: one trip, its km, CO2e and the 8-hour rule."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, SkipValidation

from bot.dialogs.errors import NeedsChoice
from bot.dialogs.labels import MODE_LABELS
from bot.formatting import format_number
from bot.i18n import DEFAULT_LANGUAGE, N_, msg, t, translate
from bot.report import BORDERLINE_MINUTES, RailCheck, TransportMode
from bot.travel.calculator import TravelCalculator

__all__ = ["CheckResult", "check_trip", "choice_options", "choice_text"]


class CheckResult(BaseModel):
    """Everything `reisverslag check` reports, with the factor and list it used."""

    model_config = ConfigDict(frozen=True)

    origin: SkipValidation[str]  # a place's name: written for the reader's language
    destination: SkipValidation[str]
    mode: TransportMode
    one_way: bool
    persons: int
    route: SkipValidation[str]  # a message: translated where it is shown
    method: SkipValidation[str]
    km: float
    kg_co2e: float
    factor_kg_per_unit: float
    factor_unit: str
    factor_class: str
    factor_source: str
    factor_source_labels: tuple[str, ...] = ()
    factor_verified: bool
    list_version: str
    rail_hours: float | None
    rail_hours_estimated: bool
    rail_source: SkipValidation[str]
    rail_threshold_hours: float
    within_rail_threshold: bool
    justification_required: bool
    rail_home: SkipValidation[str] = "Den Haag"
    rail_route: SkipValidation[str] = ""
    rail_hours_lower_bound: bool = False
    rail_borderline: bool = False

    def rail_check(self) -> RailCheck:
        """The train figures as the report model's RailCheck (same rounding and verdict)."""
        return RailCheck(
            destination=self.destination,
            hours=self.rail_hours,
            estimated=self.rail_hours_estimated,
            source=self.rail_source,
            threshold_hours=self.rail_threshold_hours,
            flown=self.mode == TransportMode.VLIEGTUIG,
            route=self.rail_route,
            lower_bound=self.rail_hours_lower_bound,
            computed_hours=self.rail_hours,
        )

    def explain(self, language: str = DEFAULT_LANGUAGE) -> str:
        """A short explanation of the numbers and where they come from, in `language`."""

        def say(msgid: str, **params: object) -> str:
            return t(language, msgid, **params)

        trip = say(N_("enkele reis")) if self.one_way else say(N_("retour"))
        persons = (
            say(N_("{count} persoon"), count=self.persons)
            if self.persons == 1
            else say(N_("{count} personen"), count=self.persons)
        )
        unit = (
            say(N_("per voertuig-km")) if self.factor_unit == "vkm" else say(N_("per reizigers-km"))
        )
        verified = "" if self.factor_verified else say(N_(" (niet geverifieerd)"))
        per_person = say(N_(" per persoon")) if self.persons > 1 else ""
        party = (
            say(N_(" voor de {count} personen samen"), count=self.persons)
            if self.persons > 1
            else ""
        )
        lines = [
            say(
                N_("{mode} {origin} → {destination} ({trip}, {persons})"),
                mode=msg(MODE_LABELS[self.mode]),
                origin=self.origin,
                destination=self.destination,
                trip=trip,
                persons=persons,
            ),
            translate(language, self.route),
            say(
                N_("Afstand: {km} km{per_person} ({method})"),
                km=format_number(self.km, 0),
                per_person=per_person,
                method=translate(language, self.method),
            ),
            say(
                N_("CO2-uitstoot: ca. {kg} kg CO2e{party}"),
                kg=format_number(self.kg_co2e, 0),
                party=party,
            ),
            say(
                N_("Factor: {factor} kg {unit}, klasse {factor_class}, lijst {list}{verified}"),
                factor=format_number(self.factor_kg_per_unit, 3),
                unit=unit,
                factor_class=msg(self.factor_class),
                list=self.list_version,
                verified=verified,
            ),
            say(
                N_("Bron factor: {source}"),
                source=" | ".join(translate(language, label) for label in self.factor_source_labels)
                or self.factor_source,
            ),
        ]
        check = self.rail_check()
        home = self.rail_home
        if check.hours is None:
            lines.append(
                say(
                    N_("Trein vanuit {home}: geen reistijd bekend ({source})."),
                    home=home,
                    source=self.rail_source,
                )
            )
        else:
            source = translate(language, self.rail_source)
            how = say(N_("schatting")) if self.rail_hours_estimated else source
            lines.append(
                say(
                    N_("Trein vanuit {home}: {hours} ({how})."),
                    home=home,
                    hours=check.hours_text(),
                    how=how,
                )
            )
            if self.rail_route:
                lines.append(say(N_("Route: {route}."), route=self.rail_route))
            if self.rail_hours_estimated:
                lines.append(say(N_("Bron: {source}."), source=self.rail_source))
        threshold = format_number(self.rail_threshold_hours)
        if self.rail_borderline:
            lines.append(
                say(
                    N_(
                        "Grensgeval: binnen {minutes} minuten van de grens van {threshold} uur. "
                        "Controleer de snelste reistijd in een reisplanner."
                    ),
                    minutes=BORDERLINE_MINUTES,
                    threshold=threshold,
                )
            )
        if self.justification_required:
            lines.append(
                say(
                    N_(
                        "Binnen {threshold} uur per trein: vliegen vraagt een toelichting "
                        "(alleen bij spoed, zoals een crisis)."
                    ),
                    threshold=threshold,
                )
            )
        elif self.within_rail_threshold:
            lines.append(
                say(
                    N_("Binnen {threshold} uur per trein: vliegen zou een toelichting vragen."),
                    threshold=threshold,
                )
            )
        else:
            lines.append(
                say(
                    N_("Niet binnen {threshold} uur per trein: geen toelichting nodig."),
                    threshold=threshold,
                )
            )
        return "\n".join(lines)


def check_trip(
    calc: TravelCalculator,
    to: str,
    origin: str | None = None,
    mode: TransportMode = TransportMode.VLIEGTUIG,
    one_way: bool = False,
    persons: int = 1,
) -> CheckResult:
    """Km, kg CO2e and the 8-hour rule for one trip; ValueError (Dutch) for an unknown place."""
    destinations = calc.resolve_places(to)
    if len(destinations) != 1:
        raise ValueError(msg("Geef één bestemming op."))
    destination = destinations[0]
    start = calc.home
    if origin is not None:
        origins = calc.places.resolve(origin)
        if len(origins) != 1:
            raise ValueError(msg("Geef één vertrekplaats op."))
        start = origins[0]
    leg = calc.planner.leg(mode, start, destination, return_trip=not one_way)
    line = calc.emissions([leg], persons)[0]
    rail = calc.rail_time(destination)
    verdict = RailCheck(
        destination=destination.name,
        hours=rail.hours,
        estimated=rail.estimated,
        source=rail.source,
        threshold_hours=calc.rail_threshold_hours,
        flown=mode == TransportMode.VLIEGTUIG,
        lower_bound=rail.lower_bound,
        computed_hours=rail.hours,
    )
    within = verdict.within_threshold
    return CheckResult(
        origin=start.shown_name,
        destination=destination.shown_label,
        mode=mode,
        one_way=one_way,
        persons=persons,
        route=calc.describe_legs([leg]),
        method=leg.method,
        km=round(line.km, 1),
        kg_co2e=round(line.kg_co2e, 1),
        factor_kg_per_unit=line.factor_kg_per_unit,
        factor_unit=line.unit,
        factor_class=line.factor_class,
        factor_source=line.factor_source,
        factor_source_labels=line.factor_source_labels,
        factor_verified=line.factor_verified,
        list_version=line.list_version,
        rail_hours=rail.hours,
        rail_hours_estimated=rail.estimated,
        rail_source=rail.source,
        rail_threshold_hours=calc.rail_threshold_hours,
        within_rail_threshold=within,
        justification_required=verdict.justification_required,
        rail_home=calc.home.shown_name,
        rail_route=rail.route,
        rail_hours_lower_bound=rail.lower_bound,
        rail_borderline=verdict.borderline,
    )


def choice_options(choice: NeedsChoice) -> list[dict[str, str]]:
    """The options of an ambiguous place as label and the exact text that picks it."""
    return [{"label": option.label, "to": option.value} for option in choice.choices]


def choice_text(
    choice: NeedsChoice, how_to_type: Callable[[str], str], language: str = DEFAULT_LANGUAGE
) -> str:
    """The question with every option and what to type for it, one per line, in `language`."""
    lines = [translate(language, choice.message)]
    lines += [f"• {option.label}: {how_to_type(option.value)}" for option in choice.choices]
    return "\n".join(lines)

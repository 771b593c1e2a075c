"""The calculation behind `reisverslag check`: one trip, its km, CO2e and the 8-hour rule."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from bot.formatting import format_number
from bot.report import BORDERLINE_MINUTES, RailCheck, TransportMode
from bot.travel.calculator import TravelCalculator

__all__ = ["CheckResult", "check_trip"]


class CheckResult(BaseModel):
    """Everything `reisverslag check` reports, with the factor and list it used."""

    model_config = ConfigDict(frozen=True)

    origin: str
    destination: str
    mode: TransportMode
    one_way: bool
    persons: int
    route: str
    method: str
    km: float
    kg_co2e: float
    factor_kg_per_unit: float
    factor_unit: str
    factor_class: str
    factor_source: str
    factor_verified: bool
    list_version: str
    rail_hours: float | None
    rail_hours_estimated: bool
    rail_source: str
    rail_threshold_hours: float
    within_rail_threshold: bool
    justification_required: bool
    rail_home: str = "Den Haag"
    rail_route: str = ""
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

    def explain(self) -> str:
        """A short Dutch explanation of the numbers and where they come from."""
        trip = "enkele reis" if self.one_way else "retour"
        persons = f"{self.persons} {'persoon' if self.persons == 1 else 'personen'}"
        unit = "per voertuig-km" if self.factor_unit == "vkm" else "per reizigers-km"
        verified = "" if self.factor_verified else " (niet geverifieerd)"
        lines = [
            f"{self.mode.label} {self.origin} → {self.destination} ({trip}, {persons})",
            self.route,
            f"Afstand: {format_number(self.km, 0)} km ({self.method})",
            f"CO2-uitstoot: ca. {format_number(self.kg_co2e, 0)} kg CO2e",
            f"Factor: {format_number(self.factor_kg_per_unit, 3)} kg {unit}, klasse "
            f"{self.factor_class}, lijst {self.list_version}{verified}",
            f"Bron factor: {self.factor_source}",
        ]
        check = self.rail_check()
        if check.hours is None:
            lines.append(
                f"Trein vanuit {self.rail_home}: geen reistijd bekend ({self.rail_source})."
            )
        else:
            how = "schatting" if self.rail_hours_estimated else self.rail_source
            lines.append(f"Trein vanuit {self.rail_home}: {check.hours_text()} ({how}).")
            if self.rail_route:
                lines.append(f"Route: {self.rail_route}.")
            if self.rail_hours_estimated:
                lines.append(f"Bron: {self.rail_source}.")
        threshold = format_number(self.rail_threshold_hours)
        if self.rail_borderline:
            lines.append(
                f"Grensgeval: binnen {BORDERLINE_MINUTES} minuten van de grens van {threshold} uur. "
                "Controleer de snelste reistijd in een reisplanner."
            )
        if self.justification_required:
            lines.append(
                f"Binnen {threshold} uur per trein: vliegen vraagt een toelichting "
                "(alleen bij spoed, zoals een crisis)."
            )
        elif self.within_rail_threshold:
            lines.append(f"Binnen {threshold} uur per trein: vliegen zou een toelichting vragen.")
        else:
            lines.append(f"Niet binnen {threshold} uur per trein: geen toelichting nodig.")
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
        raise ValueError("Geef één bestemming op.")
    destination = destinations[0]
    start = calc.home
    if origin is not None:
        origins = calc.resolve_places(origin)
        if len(origins) != 1:
            raise ValueError("Geef één vertrekplaats op.")
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
        origin=start.name,
        destination=destination.label,
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
        factor_verified=line.factor_verified,
        list_version=line.list_version,
        rail_hours=rail.hours,
        rail_hours_estimated=rail.estimated,
        rail_source=rail.source,
        rail_threshold_hours=calc.rail_threshold_hours,
        within_rail_threshold=within,
        justification_required=verdict.justification_required,
        rail_home=calc.home.name,
        rail_route=rail.route,
        rail_hours_lower_bound=rail.lower_bound,
        rail_borderline=verdict.borderline,
    )

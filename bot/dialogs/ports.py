"""What the interview needs from the outside world, as protocols (implemented in bot.travel)."""

from __future__ import annotations

from typing import Protocol

from bot.report import EmissionLine, Leg, Place, RailCheck, TransportMode

__all__ = ["TripCalculator"]


class TripCalculator(Protocol):
    """Places, routes, distances, emissions and the 8-hour rule.

    Methods that read traveller input raise `ValueError` with a Dutch message a
    traveller understands, or `bot.dialogs.errors.NeedsChoice` when the input is
    ambiguous (the message asks the question, the choices' values resolve uniquely).
    """

    @property
    def home(self) -> Place:
        """Where trips start: Den Haag by default."""
        ...

    @property
    def list_version(self) -> str:
        """Version of the emission factor list in use."""
        ...

    def resolve_places(self, text: str) -> list[Place]:
        """'Wenen en Bratislava' -> two places, in the order typed."""
        ...

    def propose_legs(self, destinations: list[Place], modes: list[TransportMode]) -> list[Leg]:
        """The most likely route for these destinations and modes (flights via airports)."""
        ...

    def parse_legs(
        self,
        text: str,
        destinations: list[Place],
        modes: list[TransportMode],
        proposed: list[Leg],
    ) -> list[Leg]:
        """A traveller's description or correction of the route ('heen met de trein, ...')."""
        ...

    def describe_legs(self, legs: list[Leg]) -> str:
        """Dutch lines, one per leg, for confirming the route on a small screen."""
        ...

    def great_circle_km(self, origin: Place, destination: Place) -> float | None:
        """Great-circle km between two places (None when one has no known location)."""
        ...

    def rail_check(self, destinations: list[Place], legs: list[Leg]) -> RailCheck | None:
        """The 8-hour rule for the furthest flown destination (None when nothing applies)."""
        ...

    def emissions(self, legs: list[Leg], persons: int) -> list[EmissionLine]:
        """Km and kg CO2e per mode for the whole party."""
        ...

    def is_weak_justification(self, text: str) -> bool:
        """True when a justification names only efficiency (time, convenience, price)."""
        ...

"""Answer errors the interview understands: a Dutch message, optionally with choices."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Choice", "Doubtful", "NeedsChoice", "TooLong"]


@dataclass(frozen=True)
class Choice:
    """One option offered to the traveller: the value sent back and the label shown."""

    value: str
    label: str


@dataclass
class NeedsChoice(ValueError):
    """The answer is ambiguous: ask the same question again, offering these choices."""

    message: str
    choices: list[Choice] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


@dataclass
class Doubtful(ValueError):
    """The answer is possible but unlikely: ask once whether it is meant (the message asks)."""

    message: str

    def __str__(self) -> str:
        return self.message


class TooLong(ValueError):
    """The answer is longer than the limit: refused (its message says the length and limit)."""

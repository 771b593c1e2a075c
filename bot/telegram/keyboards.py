"""Inline keyboards and HTML text for interview prompts.

Callback data names the question and the option's index, never the value itself
(Telegram allows 64 bytes): `a|<question>|<index>` answers, `m|<question>|<index>+` and
`m|<question>|<index>-` tick and untick a multi-choice option, `m|<question>|ok` sends the
ticked options; in the calendar `c|<question>|d<date>` sets the departure and
`c|<question>|e<date>` the return. Every press says what it sets, never "flip", so a
double tap does the same thing twice and changes nothing the second time.
"""

from __future__ import annotations

import calendar
import functools
import html
import json
from dataclasses import dataclass
from datetime import date

from babel.dates import get_month_names
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.dialogs import Choice, Kind, Prompt
from bot.i18n import N_, t

__all__ = [
    "Callback",
    "calendar_keyboard",
    "parse_callback",
    "prompt_html",
    "prompt_keyboard",
    "prompt_keyboard_json",
]

CHECK = "✅"
_WEEKDAYS = (N_("ma"), N_("di"), N_("wo"), N_("do"), N_("vr"), N_("za"), N_("zo"))


@dataclass(frozen=True)
class Callback:
    """A decoded button press."""

    action: str
    key: str
    arg: str


def parse_callback(data: str | None) -> Callback | None:
    """Decode callback data made by this module (None for anything else)."""
    parts = (data or "").split("|", 2)
    if len(parts) != 3:
        return None
    return Callback(*parts)


def prompt_html(prompt: Prompt) -> str:
    """The question as Telegram HTML: progress, question, current answer."""
    lines = []
    if prompt.progress:
        lines.append(f"<i>{html.escape(prompt.progress)}</i>")
    lines.append(
        f"<b>{html.escape(prompt.text)}</b>" if len(prompt.text) < 400 else html.escape(prompt.text)
    )
    if prompt.current_answer:
        current = t(prompt.language, N_("Huidig antwoord: {answer}"), answer=prompt.current_answer)
        lines.append(f"\n{html.escape(current)}")
    if prompt.optional:
        lines.append(
            f"<i>{html.escape(t(prompt.language, N_('Deze vraag mag je overslaan.')))}</i>"
        )
    return "\n".join(lines)


def _rows(
    buttons: list[InlineKeyboardButton], labels: list[str]
) -> list[list[InlineKeyboardButton]]:
    per_row = 1 if max((len(label) for label in labels), default=0) > 18 else 2
    if per_row == 2 and all(len(label) <= 6 for label in labels):
        per_row = 4
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def prompt_keyboard_json(prompt: Prompt, toggled: frozenset[str] = frozenset()) -> str | None:
    """`prompt_keyboard` as the JSON Telegram receives (the very text python-telegram-bot
    writes for the markup), made once per distinct keyboard: most messages show one of a
    few dozen keyboards, and building and serialising the buttons cost ~5 % of an update."""
    choices = tuple((c.value, c.label) for c in prompt.choices)
    return _keyboard_json(prompt.language, prompt.key, prompt.kind, choices, toggled)


@functools.lru_cache(maxsize=4_096)
def _keyboard_json(
    language: str,
    key: str,
    kind: Kind,
    choices: tuple[tuple[str, str], ...],
    toggled: frozenset[str],
) -> str | None:
    """The JSON of the keyboard of a prompt with exactly these fields (all it depends on)."""
    options = [Choice(value, label) for value, label in choices]
    prompt = Prompt(language=language, key=key, text="", kind=kind, choices=options)
    markup = prompt_keyboard(prompt, toggled)
    return json.dumps(markup.to_dict()) if markup is not None else None


def prompt_keyboard(
    prompt: Prompt, toggled: frozenset[str] = frozenset(), language: str | None = None
) -> InlineKeyboardMarkup | None:
    """Buttons for the prompt's choices; toggles and ‘Klaar’ for a multi-choice."""
    language = language or prompt.language
    if not prompt.choices:
        if prompt.kind is Kind.DATE:
            return InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            t(language, N_("📅 Kies in de kalender")),
                            callback_data=f"c|{prompt.key}|open",
                        )
                    ]
                ]
            )
        return None
    if prompt.kind is Kind.MULTI:
        labels = [f"{CHECK} {c.label}" if c.value in toggled else c.label for c in prompt.choices]
        buttons = [
            InlineKeyboardButton(
                label,
                callback_data=f"m|{prompt.key}|{index}{'-' if choice.value in toggled else '+'}",
            )
            for index, (label, choice) in enumerate(zip(labels, prompt.choices, strict=True))
        ]
        rows = _rows(buttons, labels)
        rows.append(
            [InlineKeyboardButton(t(language, N_("Klaar")), callback_data=f"m|{prompt.key}|ok")]
        )
        return InlineKeyboardMarkup(rows)
    labels = [c.label for c in prompt.choices]
    buttons = [
        InlineKeyboardButton(choice.label, callback_data=f"a|{prompt.key}|{index}")
        for index, choice in enumerate(prompt.choices)
    ]
    if prompt.key == "review":
        return InlineKeyboardMarkup([buttons[:1], *_rows(buttons[1:], labels[1:])])
    return InlineKeyboardMarkup(_rows(buttons, labels))


def calendar_keyboard(
    key: str, year: int, month: int, picked: date | None, today: date, language: str = "nl"
) -> InlineKeyboardMarkup:
    """A month grid: tap the departure day, then the return day. Future days are not offered."""
    rows = [
        [
            InlineKeyboardButton("‹", callback_data=f"c|{key}|m{_shift(year, month, -1)}"),
            InlineKeyboardButton(
                f"{_month_name(month, language)} {year}", callback_data=f"c|{key}|noop"
            ),
            InlineKeyboardButton("›", callback_data=f"c|{key}|m{_shift(year, month, 1)}"),
        ],
        [
            InlineKeyboardButton(day, callback_data=f"c|{key}|noop")
            for day in [t(language, name) for name in _WEEKDAYS]
        ],
    ]
    for week in calendar.Calendar().monthdatescalendar(year, month):
        row = []
        for day in week:
            if day.month != month or day > today:
                row.append(InlineKeyboardButton(" ", callback_data=f"c|{key}|noop"))
            else:
                label = f"•{day.day}•" if day == picked else str(day.day)
                sets = "d" if picked is None else "e"  # departure first, then the return
                row.append(
                    InlineKeyboardButton(label, callback_data=f"c|{key}|{sets}{day.isoformat()}")
                )
        rows.append(row)
    return InlineKeyboardMarkup(rows)


def _month_name(month: int, language: str) -> str:
    """'april' or 'April': the month in the traveller's language (Babel's CLDR names)."""
    return str(get_month_names("wide", locale=language)[month])


def _shift(year: int, month: int, delta: int) -> str:
    index = year * 12 + (month - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"

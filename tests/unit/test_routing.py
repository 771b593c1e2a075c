"""The routing table: every button the bot can make reaches exactly one handler."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

from telegram import InlineKeyboardMarkup

from bot.config import Settings
from bot.dialogs import Interview, Kind
from bot.telegram import reminders, voice
from bot.telegram.app import ROUTES, callback_pattern
from bot.telegram.keyboards import calendar_keyboard, prompt_keyboard
from bot.telegram.services import VoiceAnswer
from bot.travel import TravelCalculator
from testkit.example_trip import EXAMPLE_MESSAGES, EXAMPLE_NOW

BOT = Path(__file__).resolve().parents[2] / "bot"
PREFIXES = [route.prefix for route in ROUTES if route.prefix]


def routed_by(data: str) -> list[str]:
    """The prefixes whose pattern takes this callback data."""
    return [prefix for prefix in PREFIXES if re.match(callback_pattern(prefix), data)]


def test_prefixes_are_distinct_and_never_take_each_others_data() -> None:
    assert len(PREFIXES) == len(set(PREFIXES))
    for prefix in PREFIXES:
        assert prefix and "|" not in prefix
        assert routed_by(f"{prefix}|1|x") == [prefix]
        assert routed_by(f"{prefix}x|1|x") == []  # "r" does not take "rem|…"
        assert routed_by(prefix) == []


def test_every_route_says_what_it_answers_exactly_once() -> None:
    for route in ROUTES:
        kinds = [bool(route.commands), bool(route.prefix), route.message is not None]
        assert sum(kinds) + route.every_update == 1, route


def _data(markup: InlineKeyboardMarkup | None) -> list[str]:
    if markup is None:
        return []
    return [str(b.callback_data) for row in markup.inline_keyboard for b in row]


def _keyboards_of_the_example_trip() -> list[str]:
    """The callback data of every keyboard the example interview shows, ticked and not."""
    trip = TravelCalculator.from_settings(Settings(_env_file=None))  # type: ignore[call-arg]
    interview = Interview(trip, EXAMPLE_NOW, user_ref="test:1")
    prompts = [interview.start().prompt]
    for message in EXAMPLE_MESSAGES:
        prompts.append(interview.handle(message).prompt)
    data = []
    for prompt in prompts:
        if prompt is None:
            continue
        ticked = frozenset(choice.value for choice in prompt.choices)
        data += _data(prompt_keyboard(prompt)) + _data(prompt_keyboard(prompt, ticked))
    kinds = {prompt.kind for prompt in prompts if prompt is not None}
    assert {Kind.MULTI, Kind.DATE} <= kinds  # the ticks and the calendar were shown
    return data


def test_every_keyboard_the_bot_makes_is_routed_by_exactly_one_prefix() -> None:
    today = EXAMPLE_NOW.date()
    data = _keyboards_of_the_example_trip()
    data += _data(calendar_keyboard("period", 2025, 4, None, today))
    data += _data(calendar_keyboard("period", 2025, 4, date(2025, 4, 27), today))
    data += _data(reminders._keyboard("trip-1", first=True))
    for question in ("purpose", "period"):
        answer = VoiceAnswer(voice_id="v1", question=question, chat_id=1, status="ready")
        data += _data(voice._offer_keyboard(answer))
    assert len(data) > 60
    for item in data:
        assert routed_by(item) and len(routed_by(item)) == 1, item
        assert len(item.encode()) <= 64, item  # Telegram's limit for callback data
    assert {item.split("|")[0] for item in data} == {"a", "m", "c", "rem", "v"}


def _literal_start(node: ast.expr, names: dict[str, ast.expr]) -> str | None:
    """The literal text a callback data expression starts with, if the source shows it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        return _literal_start(node.values[0], names)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal_start(node.left, names)
    if isinstance(node, ast.Name) and node.id in names:
        return _literal_start(names[node.id], names)
    return None


def _callback_data_in_source() -> list[tuple[str, str | None]]:
    """(where, literal start) of every callback_data= and every queued "buttons" payload."""
    found: list[tuple[str, str | None]] = []
    for path in sorted(BOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            names = {
                target.id: node.value
                for node in ast.walk(function)
                if isinstance(node, ast.Assign)
                for target in node.targets
                if isinstance(target, ast.Name)
            }
            for node in ast.walk(function):
                where = f"{path.relative_to(BOT.parent)}:{getattr(node, 'lineno', '')}"
                if isinstance(node, ast.keyword) and node.arg == "callback_data":
                    if path.name == "delivery.py" and isinstance(node.value, ast.Name):
                        continue  # sends the stored [text, data] pairs, checked below
                    found.append((where, _literal_start(node.value, names)))
                if isinstance(node, ast.Dict):
                    for key, value in zip(node.keys, node.values, strict=True):
                        if isinstance(key, ast.Constant) and key.value == "buttons":
                            assert isinstance(value, ast.List), where
                            for row in value.elts:
                                assert isinstance(row, ast.List), where
                                for pair in row.elts:
                                    assert isinstance(pair, ast.List), where
                                    found.append((where, _literal_start(pair.elts[1], names)))
    return found


def test_every_button_in_the_source_starts_with_a_routed_prefix() -> None:
    found = _callback_data_in_source()
    assert len(found) > 10
    made = set()
    for where, start in found:
        assert start is not None and "|" in start, f"{where}: callback data without a prefix"
        prefix = start.split("|")[0]
        assert routed_by(f"{prefix}|key|arg") == [prefix], f"{where}: {prefix!r} is not routed"
        made.add(prefix)
    assert made == set(PREFIXES)  # and no route waits for buttons nobody makes


def test_the_gatekeepers_sensitive_buttons_are_routed_prefixes() -> None:
    from bot.telegram.gatekeeper import _SENSITIVE_BUTTONS

    for start in _SENSITIVE_BUTTONS:
        assert start.endswith("|") and routed_by(f"{start}1|x") == [start[:-1]]

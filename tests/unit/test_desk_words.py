"""The secretariat's desk and /check speak through the catalogue: no bare Dutch literal left."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.i18n import N_, SECRETARIAT_LANGUAGE, t
from bot.telegram.app import SECRETARIAT_COMMANDS

ROOT = Path(__file__).resolve().parents[2]

#: What the secretariat reads (and /check's explanation, which a traveller reads).
DESK_MODULES = [
    "bot/telegram/secretariat.py",
    "bot/telegram/council.py",
    "bot/telegram/access.py",
    "bot/telegram/reminders.py",
    "bot/telegram/gatekeeper.py",
    "bot/telegram/privacy.py",
    "bot/service/deliveries.py",
    "bot/travel/check.py",
]
#: Calls that put text in front of a reader, and their text-bearing keywords.
SENDING_CALLS = {"reply_text", "send_message", "answer", "edit_text", "send_document"}
TEXT_KEYWORDS = {"text", "caption"}
#: Calls whose string arguments are marked for the catalogue or not shown to anyone.
MARKED_OR_HIDDEN = {"N_", "msg", "debug", "info", "warning", "error", "exception", "log"}
#: Literals that are input words or data, not text shown: cancel words typed by a traveller,
#: the default home town (a place name).
NOT_SHOWN = {"laat maar", "never mind", "Den Haag"}


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _has_words(node: ast.AST) -> bool:
    """A string constant or f-string with a literal part of two or more words."""
    parts = node.values if isinstance(node, ast.JoinedStr) else [node]
    return any(
        isinstance(part, ast.Constant)
        and isinstance(part.value, str)
        and len([w for w in part.value.split() if sum(c.isalpha() for c in w) >= 2]) >= 2
        for part in parts
    )


def _bare_arguments(tree: ast.AST) -> list[tuple[int, str]]:
    """Arguments of sending calls (and BotCommand descriptions) that are plain literals."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node)
        if name in SENDING_CALLS:
            texts = [*node.args, *(k.value for k in node.keywords if k.arg in TEXT_KEYWORDS)]
        elif name == "BotCommand":
            texts = node.args[1:]
        else:
            continue
        for text in texts:
            # A literal, or a literal joined to something ('f"..."', '"..." + x', 'a if c else "..."').
            for part in ast.walk(text):
                if isinstance(part, ast.Call) and _name(part) in ("t", "translate"):
                    break
                if _has_words(part):
                    found.append((node.lineno, ast.unparse(text)[:70]))
                    break
    return found


def _bare_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string literal of two or more words outside N_()/msg(), logging and docstrings."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skip.add(id(body[0].value))  # a docstring
        if isinstance(node, ast.Call) and _name(node) in MARKED_OR_HIDDEN:
            skip |= {id(sub) for sub in ast.walk(node)}
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if id(node) not in skip
        and isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value not in NOT_SHOWN
        and _has_words(node)
    ]


@pytest.mark.parametrize("module", DESK_MODULES)
def test_no_sending_call_takes_a_bare_literal(module: str) -> None:
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    assert _bare_arguments(tree) == [], f"{module}: wrap these in t(language, N_(...))"


@pytest.mark.parametrize("module", DESK_MODULES)
def test_no_text_is_written_outside_the_catalogue(module: str) -> None:
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    assert _bare_literals(tree) == [], f"{module}: mark these with N_() or msg()"


def test_the_scans_find_bare_text() -> None:
    """The scans themselves: the old way of writing the desk's replies is caught."""
    old = ast.parse(
        "async def f(message, sent, year):\n"
        "    await message.reply_text('Gebruik: /export 2025')\n"
        "    await message.reply_text(f'{sent} herinneringen verstuurd.')\n"
        "    await bot.send_document(1, b'', caption=f'Jaaroverzicht {year}: twee reizen.')\n"
        "    BotCommand('herinner', 'Herinneringen nu versturen')\n"
        "    await message.reply_text(t('nl', N_('Gebruik: /verslagen 2025')))\n"
    )
    assert sorted(line for line, _ in _bare_arguments(old)) == [2, 3, 4, 5]
    assert len(_bare_literals(old)) == 4


def test_the_desk_menu_comes_from_the_catalogue() -> None:
    described = {c.command: c.description for c in SECRETARIAT_COMMANDS}
    assert described["openstaand"] == t(
        SECRETARIAT_LANGUAGE, N_("Wie heeft nog geen verslag ingeleverd")
    )
    assert t("en", N_("Wie heeft nog geen verslag ingeleverd")) == (
        "Who has not handed in a report yet"
    )
    assert t("en", N_("Toegang intrekken: /intrekken id of @naam")).startswith("Revoke access")

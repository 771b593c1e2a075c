"""The message catalogues: complete, consistent with the code, compiled, and used per traveller."""

from __future__ import annotations

import io
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, N_, catalogue_path, join, language_from_code, msg, t, translate

ROOT = Path(__file__).resolve().parents[2]


def _catalogue(language: str):  # type: ignore[no-untyped-def]
    with (catalogue_path(language) / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _messages(language: str) -> dict[str, str]:
    return {m.id: m.string for m in _catalogue(language) if m.id}


def test_every_msgid_has_an_english_text_with_the_same_placeholders() -> None:
    english = _messages("en")
    assert len(english) > 200
    for msgid, text in english.items():
        assert text, f"no English for {msgid!r}"
        assert _placeholders(text) == _placeholders(msgid), msgid


def test_every_language_has_the_same_msgids_as_the_code() -> None:
    """The catalogues hold exactly what the code marks (run `make catalogues` after a change)."""
    in_code = {
        found[2]
        for found in extract_from_dir(
            str(ROOT / "bot"),
            method_map=[("**.py", "python")],
            keywords={"N_": None, "msg": None},
        )
        if found[2]
    }
    for language in LANGUAGES:
        assert set(_messages(language)) == in_code, f"{language}: run `make catalogues`"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_po(language: str) -> None:
    po = _messages(language)
    with (catalogue_path(language) / "messages.mo").open("rb") as mo:
        compiled = {m.id: m.string for m in read_mo(io.BytesIO(mo.read())) if m.id}
    assert {k: v for k, v in po.items() if v} == {k: v for k, v in compiled.items() if v}


def test_translation_takes_the_language_per_call() -> None:
    message = msg("Ik herken geen datum in {text}.", text="‘morgen’")
    assert message == "Ik herken geen datum in ‘morgen’."  # a Text reads as Dutch
    assert translate("en", message) == "I can't find a date in ‘morgen’."
    assert translate("nl", message) == "Ik herken geen datum in ‘morgen’."
    assert t("en", N_("Vraag {number}"), number=3) == "Question 3"
    assert t("nl", N_("Vraag {number}"), number=3) == "Vraag 3"


def test_nested_messages_are_translated_with_the_whole() -> None:
    modes = join([msg(N_("Vliegtuig")), msg(N_("Trein"))])
    notice = msg("Vervoer aangepast aan de route: {modes}.", modes=modes)
    assert translate("en", notice) == "Transport updated to match the route: Plane, Train."
    assert str(notice) == "Vervoer aangepast aan de route: Vliegtuig, Trein."


def test_unknown_text_and_language_fall_back_to_the_text_itself() -> None:
    assert translate("en", "Wenen (Oostenrijk)") == "Wenen (Oostenrijk)"
    assert t("fr", N_("Ja")) == "Ja"


@pytest.mark.parametrize(
    ("code", "language"),
    [("en", "en"), ("en-GB", "en"), ("en_US", "en"), ("nl", "nl"), ("de", "nl"), (None, "nl")],
)
def test_telegram_language_code_picks_the_language(code: str | None, language: str) -> None:
    assert language_from_code(code) == language

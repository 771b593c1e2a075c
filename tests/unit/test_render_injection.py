"""Whatever a traveller types is data: it comes out literally and intact in every format."""

from __future__ import annotations

import pytest

from bot.render import (
    TELEGRAM_MESSAGE_LIMIT,
    render_chat_summary,
    render_docx,
    render_html,
    render_pdf,
    render_text,
)
from bot.render.chat import utf16_length
from bot.report import Report, Traveller
from testkit.example_report import example_report
from testkit.render_readback import (
    docx_content,
    html_text,
    pdf_body_text,
    squash,
    telegram_plain_text,
)

#: Template syntax of Jinja and docxtpl, markup, entities, accents and emoji.
HOSTILE = (
    "{{ 7*7 }} {% raw %} {%p endfor %} {%tr if x %} {_{ y }_} {# c #} "
    "<b>x</b> <script>alert(1)</script> &amp; & < > \"q\" 'a' "
    "é è ë ï ö ü ç ñ ø å ß Ĳ Ω 🚆✈️👍🏽🇳🇱"
)
#: A 5,000-character answer of ordinary sentences.
LONG = "".join(
    f"Zin {n:03d}: de samenwerking met Wenen & Bratislava over <AI> gaat door. " for n in range(200)
)[:5000].rstrip()


def _report(text: str) -> Report:
    """The example trip with `text` as the traveller's purpose, a bullet and the name."""
    return example_report(
        purpose=text,
        results=f"Opbrengst:\n- {text}\n- tweede punt",
        traveller=Traveller(name=text[:200], department="Digitale Stad & <Co>"),
    )


def _expected_count(text: str) -> int:
    """How often the text appears whole: purpose and bullet, and the name when it is short."""
    return 3 if len(text) <= 200 else 2


CASES = [pytest.param(HOSTILE, id="hostile"), pytest.param(LONG, id="5000-characters")]


def test_the_long_answer_is_5000_characters() -> None:
    assert len(LONG) == 5000


@pytest.mark.parametrize("text", CASES)
def test_plain_text_holds_the_text_literally(text: str) -> None:
    rendered = render_text(_report(text))
    assert f"WAT WAS HET DOEL VAN DE REIS?\n{text}\n" in rendered
    assert f"\n- {text}\n" in rendered
    assert f"Opgesteld door: {text[:200]}\n" in rendered
    assert "Afdeling: Digitale Stad & <Co>\n" in rendered


@pytest.mark.parametrize("text", CASES)
def test_html_escapes_the_text_and_shows_it_literally(text: str) -> None:
    rendered = render_html(_report(text))
    visible, tags = html_text(rendered)
    assert visible.count(text) == _expected_count(text)
    assert text[:200] in visible
    assert "script" not in tags
    assert "<b>x</b>" not in rendered


@pytest.mark.parametrize("text", CASES)
def test_chat_summary_escapes_the_text_and_every_message_is_valid(text: str) -> None:
    chunks = render_chat_summary(_report(text))
    plain = []
    for chunk in chunks:
        assert utf16_length(chunk) <= TELEGRAM_MESSAGE_LIMIT
        plain.append(telegram_plain_text(chunk))
    joined = squash("".join(plain))
    assert joined.count(squash(text)) == _expected_count(text)
    assert "<b>x</b>" not in "".join(chunks)


def test_chat_summary_of_a_long_answer_is_split_into_several_messages() -> None:
    long_report = example_report(purpose=LONG, people_met=LONG)
    assert len(render_chat_summary(long_report)) >= 3


@pytest.mark.parametrize("text", CASES)
def test_docx_holds_the_text_literally(text: str) -> None:
    content = docx_content(render_docx(_report(text)))
    assert ("Normal", text) in content.paragraphs
    assert ("List Bullet", text) in content.paragraphs
    assert ["Opgesteld door", text[:200]] in content.table_rows
    assert ["Afdeling", "Digitale Stad & <Co>"] in content.table_rows


@pytest.mark.parametrize("text", CASES)
def test_pdf_holds_the_text_literally(text: str) -> None:
    body = squash(pdf_body_text(render_pdf(_report(text))))
    assert body.count(squash(text)) == _expected_count(text)
    assert squash("Digitale Stad & <Co>") in body

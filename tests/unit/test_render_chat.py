"""Chat HTML split into Telegram messages: within the limit, valid on its own, nothing lost."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.render import TELEGRAM_MESSAGE_LIMIT, render_chat_summary, split_message
from bot.render.chat import utf16_length
from bot.report import FORM_QUESTIONS, TITLE
from testkit.example_report import example_report
from testkit.render_readback import squash, telegram_plain_text

_TEXT = (
    st.lists(
        st.sampled_from([*"abcdé XYZ.,!?\n\n  &<>\"'🚆👍🏽ß", "Wenen", "Den Haag. "]), max_size=60
    )
    .map("".join)
    .map(lambda raw: html.escape(raw, quote=False))
)
_TAG = st.sampled_from(
    ["b", "i", "u", "s", "code", "blockquote", 'a href="https://example.org/?a=1&amp;b=2"']
)


def _wrap(children: list[str], tag: str) -> str:
    """Children inside one tag."""
    return f"<{tag}>{''.join(children)}</{tag.split()[0]}>"


_HTML = st.recursive(
    _TEXT,
    lambda inner: st.one_of(
        st.builds(_wrap, st.lists(inner, max_size=4), _TAG),
        st.lists(inner, min_size=2, max_size=5).map("".join),
    ),
    max_leaves=30,
)


def _plain(message: str) -> str:
    """The text of one message; fails the test if Telegram would refuse it."""
    return telegram_plain_text(message)


def _deepest_tag_overhead(message: str) -> int:
    """The most characters of opening plus closing tags open at one point of the message."""
    open_tags: list[str] = []
    deepest = 0
    for tag in re.findall(r"<[^>]*>", message):
        if tag.startswith("</"):
            open_tags.pop()
        else:
            open_tags.append(tag)
        overhead = sum(len(t) + len(t.split()[0].strip("<>")) + 3 for t in open_tags)
        deepest = max(deepest, overhead)
    return deepest


@settings(max_examples=300, deadline=None)
@given(message=_HTML, limit=st.integers(min_value=80, max_value=600))
def test_every_chunk_fits_is_valid_and_nothing_is_lost(message: str, limit: int) -> None:
    assume(_deepest_tag_overhead(message) + 12 <= limit)
    chunks = split_message(message, limit)
    for chunk in chunks:
        assert utf16_length(chunk) <= limit
        assert _plain(chunk).strip()
    assert squash("".join(_plain(chunk) for chunk in chunks)) == squash(_plain(message))


@settings(max_examples=100, deadline=None)
@given(message=_HTML)
def test_a_message_within_the_limit_stays_one_message(message: str) -> None:
    chunks = split_message(message, limit=5000)
    if squash(_plain(message)):
        assert len(chunks) == 1
        assert squash(_plain(chunks[0])) == squash(_plain(message))
    else:
        assert chunks == []


def test_splits_at_line_ends_when_lines_fit() -> None:
    lines = [f"Regel {n:02d}: " + "x" * 80 for n in range(30)]
    chunks = split_message("\n".join(lines), limit=300)
    assert all(len(chunk) <= 300 for chunk in chunks)
    assert [line for chunk in chunks for line in chunk.split("\n")] == lines


def test_splits_a_long_paragraph_after_a_sentence() -> None:
    paragraph = " ".join(f"Dit is zin nummer {n} over Wenen & Bratislava." for n in range(200))
    chunks = split_message(f"<b>Doel</b>\n<i>{html.escape(paragraph)}</i>", limit=500)
    assert len(chunks) > 10
    for chunk in chunks[1:-1]:
        assert chunk.startswith("<i>") and chunk.endswith(".</i>")
    assert " ".join(_plain(chunk) for chunk in chunks[1:]) == paragraph


def test_a_word_longer_than_the_limit_is_cut_between_characters_not_in_an_entity() -> None:
    word = "&amp;é🚆" * 400
    chunks = split_message(f"<code>{word}</code>", limit=100)
    assert all(utf16_length(chunk) <= 100 for chunk in chunks)
    assert "".join(_plain(chunk) for chunk in chunks) == html.unescape(word)


def test_a_limit_too_small_for_the_open_tags_is_refused() -> None:
    with pytest.raises(ValueError, match="too small"):
        split_message('<a href="https://example.org/a/very/long/path">x</a>', limit=20)


def test_chat_summary_of_the_example_has_every_question_in_bold() -> None:
    chunks = render_chat_summary(example_report())
    assert all(utf16_length(chunk) <= TELEGRAM_MESSAGE_LIMIT for chunk in chunks)
    joined = "\n".join(chunks)
    assert joined.startswith(f"<b>{TITLE}</b>\n\n<b>{FORM_QUESTIONS[0]}</b>\n1 persoon\n")
    for question in FORM_QUESTIONS:
        assert f"<b>{html.escape(question, quote=False)}</b>" in joined
    assert "\n• Wenen: Verkenning uitwisseling" in joined
    assert "<i>Emissiefactorenlijst: co2emissiefactoren-2025</i>" in joined
    for chunk in chunks:
        _plain(chunk)

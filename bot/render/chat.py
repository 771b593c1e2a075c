"""Chat text in Telegram's HTML subset, split into messages Telegram accepts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.render.templating import render_template
from bot.render.view import Letterhead, document_view
from bot.report import Report

__all__ = ["TELEGRAM_MESSAGE_LIMIT", "render_chat_summary", "split_message"]

#: Telegram's maximum message length (counted here in UTF-16 code units of the raw HTML).
TELEGRAM_MESSAGE_LIMIT = 4096

# A tag, an entity, or one character: the units a message may be split between.
_TOKEN = re.compile(r"<[^<>]*>|&#?[A-Za-z0-9]+;|[\s\S]")
_TAG = re.compile(r"<(?P<closing>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)[^>]*?(?P<self>/?)>")
_EMPTY_ELEMENT = re.compile(r"<(?P<name>[A-Za-z][A-Za-z0-9-]*)(?:\s[^>]*)?></(?P=name)>")
_SENTENCE_END = re.compile(r"[.!?…][\"')\]»”’]*$")

# Break priorities: a line end beats a sentence end beats a space beats anywhere else.
_ANYWHERE, _SPACE, _SENTENCE, _LINE = range(4)


@dataclass(frozen=True)
class _Token:
    """One unit of the message with the tags open after it."""

    text: str
    open_tags: tuple[tuple[str, str], ...]  # (name, full opening tag), outermost first


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = TELEGRAM_MESSAGE_LIMIT) -> list[str]:
    """Split chat HTML into messages of at most `limit`, each with balanced tags.

    Splits at a line end if one fits, else after a sentence, else at a space, else
    between two characters; never inside a tag or an entity. The whitespace split at is
    dropped; tags open at a split are closed and reopened in the next message.
    """
    if utf16_length(text) <= limit:  # the common case: one message, nothing to split
        whole = _tidy(text)
        return [whole] if _visible_text(whole).strip() else []
    tokens = _tokenize(text)
    chunks: list[str] = []
    start = 0
    while start < len(tokens):
        end, resume = _next_break(tokens, start, limit)
        chunk = _assemble(tokens, start, end)
        if _visible_text(chunk).strip():
            chunks.append(chunk)
        start = resume
    return chunks


def _tokenize(text: str) -> list[_Token]:
    """Tags, entities and characters, each with the stack of tags open after it."""
    tokens: list[_Token] = []
    stack: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text):
        piece = match.group()
        tag = _TAG.fullmatch(piece)
        if tag and not tag["self"]:
            name = tag["name"].lower()
            if not tag["closing"]:
                stack.append((name, piece))
            elif any(open_name == name for open_name, _ in stack):
                while stack and stack.pop()[0] != name:
                    pass
        tokens.append(_Token(piece, tuple(stack)))
    return tokens


def _open_tags_before(tokens: list[_Token], index: int) -> tuple[tuple[str, str], ...]:
    """The tags open just before token `index`."""
    return tokens[index - 1].open_tags if index > 0 else ()


def _closing_length(open_tags: tuple[tuple[str, str], ...]) -> int:
    """Length of the closing tags for these open tags."""
    return sum(len(name) + 3 for name, _ in open_tags)


def _break_priority(tokens: list[_Token], index: int) -> tuple[int, int]:
    """(priority, tokens to drop) of a split just before token `index`."""
    piece = tokens[index].text
    if piece == "\n":
        return _LINE, 1
    if piece.isspace():
        before = "".join(token.text for token in tokens[max(0, index - 4) : index])
        return (_SENTENCE if _SENTENCE_END.search(before) else _SPACE), 1
    return _ANYWHERE, 0


def _next_break(tokens: list[_Token], start: int, limit: int) -> tuple[int, int]:
    """(end, resume): the best split after `start` within `limit`, and where to go on."""
    prefix = "".join(tag for _, tag in _open_tags_before(tokens, start))
    used = utf16_length(prefix)
    best: dict[int, tuple[int, int]] = {}
    for index in range(start + 1, len(tokens) + 1):
        used += utf16_length(tokens[index - 1].text)
        if used + _closing_length(tokens[index - 1].open_tags) > limit:
            break
        if index == len(tokens):
            return index, index
        priority, skip = _break_priority(tokens, index)
        best[priority] = (index, index + skip)
    if not best:
        raise ValueError(f"limit {limit} is too small for the open tags of this message")
    return best[max(best)]


def _assemble(tokens: list[_Token], start: int, end: int) -> str:
    """Tokens start..end with the tags open before reopened and those open after closed."""
    reopened = "".join(tag for _, tag in _open_tags_before(tokens, start))
    body = "".join(token.text for token in tokens[start:end])
    closed = "".join(f"</{name}>" for name, _ in reversed(_open_tags_before(tokens, end)))
    return _tidy(reopened + body + closed)


def _tidy(chunk: str) -> str:
    """Drop empty elements and the line breaks at both ends."""
    while (tidied := _EMPTY_ELEMENT.sub("", chunk)) != chunk:
        chunk = tidied
    return chunk.strip("\n")


def _visible_text(html: str) -> str:
    """The text without tags (entities left as they are)."""
    return re.sub(r"<[^>]*>", "", html)


def render_chat_summary(report: Report, letterhead: Letterhead | None = None) -> list[str]:
    """The report as Telegram HTML messages, each within Telegram's length limit."""
    view = document_view(report, letterhead)
    return split_message(render_template("chat_summary.html", view=view))

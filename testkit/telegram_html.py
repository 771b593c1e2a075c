"""Telegram's HTML parse mode, as the fake Bot API server applies it.

Turns a text sent with ``parse_mode="HTML"`` into the plain text and the
message entities Telegram would store, and rejects what Telegram rejects
(unsupported tags, unclosed tags, a bare ``<``) with Telegram's
"can't parse entities" wording, so that a bot that forgets to escape a
traveller's text fails in the tests as it would in production.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

__all__ = ["EntityParseError", "parse_html", "utf16_length"]

_TAG_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "span": "spoiler",
}
_TAG_START = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>")


class EntityParseError(ValueError):
    """A text that Telegram would refuse with "Bad Request: can't parse entities"."""


def utf16_length(text: str) -> int:
    """Return the length of text in UTF-16 code units, the unit of entity offsets."""
    return len(text.encode("utf-16-le")) // 2


class _TelegramHtmlParser(HTMLParser):
    """Collects plain text and entities from Telegram-flavoured HTML."""

    def __init__(self) -> None:
        """Start with no text, no entities and no open tags."""
        super().__init__(convert_charrefs=True)
        self.plain_parts: list[str] = []
        self.utf16_offset = 0
        self.entities: list[dict[str, Any]] = []
        self.open_tags: list[tuple[str, dict[str, Any]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open an entity for a supported tag; refuse any other tag."""
        entity_type = _TAG_ENTITY_TYPES.get(tag)
        attributes = dict(attrs)
        if entity_type is None or (tag == "span" and attributes.get("class") != "tg-spoiler"):
            raise EntityParseError(f'Unsupported start tag "{tag}"')
        entity: dict[str, Any] = {"type": entity_type, "offset": self.utf16_offset}
        if tag == "a":
            href = attributes.get("href")
            if not href:
                raise EntityParseError('Can\'t find "href" attribute of the "a" tag')
            entity["url"] = href
        if tag == "pre" and self.open_tags and self.open_tags[-1][0] == "code":
            raise EntityParseError('Unsupported start tag "pre" inside "code"')
        if tag == "code" and self.open_tags and self.open_tags[-1][0] == "pre":
            language_class = attributes.get("class") or ""
            if language_class.startswith("language-"):
                self.open_tags[-1][1]["language"] = language_class.removeprefix("language-")
        self.open_tags.append((tag, entity))

    def handle_endtag(self, tag: str) -> None:
        """Close the innermost open tag, which must be this one."""
        if not self.open_tags or self.open_tags[-1][0] != tag:
            raise EntityParseError(f'Unmatched end tag "{tag}"')
        _, entity = self.open_tags.pop()
        entity["length"] = self.utf16_offset - entity["offset"]
        if entity["length"] > 0:
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        """Append text outside tags to the plain text."""
        self.plain_parts.append(data)
        self.utf16_offset += utf16_length(data)


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Return the plain text and entities of an HTML text, or raise EntityParseError."""
    for match in re.finditer("<", text):
        if not _TAG_START.match(text, match.start()):
            byte_offset = len(text[: match.start()].encode())
            raise EntityParseError(f"Unsupported start tag at byte offset {byte_offset}")
    parser = _TelegramHtmlParser()
    parser.feed(text)
    parser.close()
    if parser.open_tags:
        tag = parser.open_tags[-1][0]
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{tag}"')
    entities = sorted(parser.entities, key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(parser.plain_parts), entities

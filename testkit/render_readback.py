"""Reading rendered documents back (python-docx, pypdf, html.parser) for the render tests."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import docx
from docx.document import Document as WordDocument
from pypdf import PdfReader

__all__ = [
    "TELEGRAM_TAGS",
    "DocxContent",
    "TelegramHtmlError",
    "docx_content",
    "html_text",
    "pdf_body_text",
    "pdf_pages",
    "squash",
    "telegram_plain_text",
]

#: The tags of Telegram's HTML parse mode.
TELEGRAM_TAGS = frozenset({"b", "i", "u", "s", "code", "pre", "a", "blockquote"})


def squash(text: str) -> str:
    """The text without any whitespace, for comparing text a layout may have wrapped."""
    return "".join(text.split())


@dataclass(frozen=True)
class DocxContent:
    """What a Word document says: body paragraphs with styles, table rows, header, footer."""

    paragraphs: list[tuple[str, str]]
    table_rows: list[list[str]]
    header: str
    footer: str
    document: WordDocument


def docx_content(data: bytes) -> DocxContent:
    """Read a .docx back with python-docx."""
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    return DocxContent(
        paragraphs=[(p.style.name if p.style else "", p.text) for p in document.paragraphs],
        table_rows=[[cell.text for cell in row.cells] for t in document.tables for row in t.rows],
        header="\n".join(p.text for p in section.header.paragraphs),
        footer="\n".join(p.text for p in section.footer.paragraphs),
        document=document,
    )


def pdf_pages(data: bytes) -> list[str]:
    """The extracted text of each page of a PDF (pypdf)."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def pdf_body_text(data: bytes) -> str:
    """The PDF's text without page footers and bullet markers, whitespace normalised."""
    lines = [
        line
        for page in pdf_pages(data)
        for line in page.split("\n")
        if line.strip() != "•" and not line.startswith("Gemeente Den Haag · ")
    ]
    return " ".join(" ".join(lines).split())


class _TextCollector(HTMLParser):
    """Collects the text of an HTML document (character references resolved)."""

    def __init__(self) -> None:
        """Start with no text."""
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note the tag; text of style and title elements is not content."""
        self.tags.append(tag)
        if tag in ("style", "title"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        """Leave style and title elements."""
        if tag in ("style", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        """Keep content text."""
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> tuple[str, list[str]]:
    """The visible text of an HTML page and the tags it uses, in order."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return "".join(collector.parts), collector.tags


class TelegramHtmlError(ValueError):
    """A chat message Telegram's HTML parse mode would refuse."""


class _TelegramParser(HTMLParser):
    """Checks Telegram's rules: known tags only, properly nested and closed."""

    def __init__(self) -> None:
        """Start with no open tags."""
        super().__init__(convert_charrefs=True)
        self.open_tags: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a supported tag."""
        if tag not in TELEGRAM_TAGS:
            raise TelegramHtmlError(f"unsupported tag <{tag}>")
        self.open_tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        """Close the innermost tag, which must be this one."""
        if not self.open_tags or self.open_tags.pop() != tag:
            raise TelegramHtmlError(f"unmatched </{tag}>")

    def handle_data(self, data: str) -> None:
        """Keep the text."""
        self.parts.append(data)


def telegram_plain_text(message: str) -> str:
    """The plain text of one Telegram HTML message; raises TelegramHtmlError if invalid."""
    for match in re.finditer("<", message):
        if not re.match(r"</?[a-z]+(\s[^<>]*)?>", message[match.start() :]):
            raise TelegramHtmlError(f"bare '<' at {match.start()}")
    for match in re.finditer("&", message):
        if not re.match(r"&(lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);", message[match.start() :]):
            raise TelegramHtmlError(f"broken entity at {match.start()}")
    parser = _TelegramParser()
    parser.feed(message)
    parser.close()
    if parser.open_tags:
        raise TelegramHtmlError(f"unclosed <{parser.open_tags[-1]}>")
    return "".join(parser.parts)

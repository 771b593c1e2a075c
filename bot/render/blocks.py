"""Answer text -> blocks (paragraphs and bullet lists): the one parser every format uses.

An answer is lines of text. A line starting with "- " or "• " is a bullet item and
consecutive items form one list; an indented bullet ("  - ") is a sub-item of the item
above it. Every other non-blank line is a paragraph; a paragraph ending in ":" right
before a list is that list's introduction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar, Literal

__all__ = ["Block", "BulletItem", "BulletList", "Paragraph", "answer_blocks", "clean_text"]

_BULLET = re.compile(r"^(?P<indent>[ \t]*)[-•][ \t]+(?P<text>\S.*)$")
# Characters XML 1.0 cannot hold and no channel can show: C0 controls other than \t, \n.
_UNSHOWABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Paragraph:
    """One paragraph; `intro` when it ends in ':' and a bullet list follows."""

    text: str
    intro: bool = False
    kind: Literal["paragraph"] = "paragraph"
    is_list: ClassVar[bool] = False


@dataclass(frozen=True)
class BulletItem:
    """One bullet with its optional sub-items."""

    text: str
    children: tuple[str, ...] = ()


@dataclass(frozen=True)
class BulletList:
    """Consecutive bullet items."""

    items: tuple[BulletItem, ...] = field(default_factory=tuple)
    kind: Literal["list"] = "list"
    is_list: ClassVar[bool] = True
    intro: ClassVar[bool] = False


Block = Paragraph | BulletList


def clean_text(text: str) -> str:
    """Unify line ends and drop control characters that XML and Telegram reject."""
    return _UNSHOWABLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def answer_blocks(text: str) -> list[Block]:
    """Split an answer into paragraphs and bullet lists, in order."""
    blocks: list[Block] = []
    items: list[BulletItem] = []

    def close_list() -> None:
        if items:
            blocks.append(BulletList(items=tuple(items)))
            items.clear()

    for raw_line in clean_text(text).split("\n"):
        line = raw_line.rstrip()
        if not line.strip():
            continue
        bullet = _BULLET.match(line)
        if bullet is None:
            close_list()
            blocks.append(Paragraph(text=line.strip()))
            continue
        item_text = bullet["text"]
        if bullet["indent"] and items:
            parent = items[-1]
            items[-1] = BulletItem(text=parent.text, children=(*parent.children, item_text))
            continue
        if not items and blocks and isinstance(blocks[-1], Paragraph):
            previous = blocks[-1]
            if previous.text.endswith(":"):
                blocks[-1] = Paragraph(text=previous.text, intro=True)
        items.append(BulletItem(text=item_text))
    close_list()
    return blocks

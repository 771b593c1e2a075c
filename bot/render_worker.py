"""The render process (`python -m bot.render_worker`, started by `bot.render_process`).

It reads requests on stdin and answers each on stdout, one at a time, until stdin closes
(the bot stopped or died). A request is a 4-byte big-endian length and a JSON object:
{"format": "docx" | "pdf", "report": <the report as stored>} for a report's file, or
{"format": "html-pdf", "html": <a page>, "tagged": <bool>} for a page laid out as PDF (the
council's yearly report). An answer is one status byte (b"K" with the file, b"E" with the
error text), a 4-byte length and that many bytes.
"""

from __future__ import annotations

import json
import os
import struct
import sys
from typing import IO

from bot.render.documents import html_to_pdf, render_docx, render_pdf
from bot.report import Report

__all__ = ["FAILED", "OK", "read_frame", "write_frame"]

OK = b"K"
FAILED = b"E"
_RENDERERS = {"docx": render_docx, "pdf": render_pdf}
_LENGTH = struct.Struct(">I")


def write_frame(stream: IO[bytes], payload: bytes, status: bytes = b"") -> None:
    """Write the status (if any), the payload's length and the payload, and flush."""
    stream.write(status + _LENGTH.pack(len(payload)) + payload)
    stream.flush()


def read_frame(stream: IO[bytes], *, with_status: bool = False) -> tuple[bytes, bytes] | None:
    """(status, payload) as written by `write_frame`, or None when the stream ended."""
    status = stream.read(1) if with_status else b""
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size or (with_status and not status):
        return None
    (size,) = _LENGTH.unpack(header)
    payload = stream.read(size)
    return (status, payload) if len(payload) == size else None


def _render(request: bytes) -> bytes:
    """The file a request asks for."""
    asked = json.loads(request)
    if asked["format"] == "html-pdf":
        return html_to_pdf(str(asked["html"]), tagged=bool(asked["tagged"]))
    return _RENDERERS[asked["format"]](Report.model_validate(asked["report"]))


def _summary(error: Exception) -> str:
    """The error's type and first line, short: the bot logs it, and a validation error's
    later lines quote the report's answers (personal data)."""
    first_line = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {first_line[:200]}"


def main() -> None:
    """Answer requests until stdin closes."""
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the answers
    requests = sys.stdin.buffer
    while (frame := read_frame(requests)) is not None:
        try:
            write_frame(answers, _render(frame[1]), OK)
        except Exception as error:  # told to the bot, whose delivery is retried later
            write_frame(answers, _summary(error).encode(), FAILED)


if __name__ == "__main__":
    main()

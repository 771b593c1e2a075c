"""Word and PDF files are rendered in a process of their own, off the bot's interpreter.

A PDF costs about 175 ms of CPU, nearly all of it Python (WeasyPrint). Run in a thread, it
holds the interpreter lock that the event loop needs to answer every other traveller, so
their replies wait while a report renders (measured: p99 24.6 -> 67.9 ms at 300 travellers
offering 90 updates/s, `bench/results/PERF-2026-12-07.md`). One worker process
(`bot.render_worker`) renders one document at a time, on another core. It starts with the
first document (a second of imports) and ends when the bot's end of its pipe closes: at the
bot's exit, and also when the bot is killed. A worker that does not answer within its
time (`RENDER_TIMEOUT` for a report's file, `PAGE_RENDER_TIMEOUT` for the council's yearly
report) is killed, and that document fails (a delivery is tried again later), so one
document that hangs the renderer cannot stop every delivery after it.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import IO

from bot.render_worker import OK, read_frame, write_frame
from bot.report import Report

__all__ = [
    "PAGE_RENDER_TIMEOUT",
    "RENDER_TIMEOUT",
    "RenderFailed",
    "render_document",
    "render_html_pdf",
]

log = logging.getLogger(__name__)

#: Seconds a report's Word or PDF file may take, the worker's start-up included (a PDF takes
#: about 0.2 s); a worker still busy after this is taken to hang.
RENDER_TIMEOUT = 60.0
#: The same for a page laid out as PDF, the council's yearly report, which grows with the
#: year's trips (measured: 1.5 s of CPU for 100 trips, 12.2 s for 2,000).
PAGE_RENDER_TIMEOUT = 600.0
_WORKER_COMMAND = (sys.executable, "-m", "bot.render_worker")


class RenderFailed(RuntimeError):
    """The render process could not make the document (the delivery is tried again later)."""


class _RenderProcess:
    """One worker process, used by one caller at a time, started again when it died."""

    def __init__(
        self, command: Sequence[str] = _WORKER_COMMAND, timeout: float = RENDER_TIMEOUT
    ) -> None:
        self._command = list(command)
        self._timeout = timeout
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None

    def render(self, request: bytes, timeout: float | None = None) -> bytes:
        """Send one request and wait for its file (in a thread: this blocks); a worker that
        takes longer than `timeout` (default: the worker's own) is killed and the document
        fails (not tried again here: the same document would most likely hang the next
        worker too)."""
        limit = self._timeout if timeout is None else timeout
        with self._lock:
            for attempt in (1, 2):
                process = self._running()
                assert process.stdin is not None and process.stdout is not None
                hung = threading.Event()
                watchdog = threading.Timer(limit, _kill, (process, hung))
                watchdog.start()
                try:
                    answer = _exchange(process.stdin, process.stdout, request)
                finally:
                    watchdog.cancel()
                if hung.is_set() and answer is None:
                    self._stop()
                    log.warning("the render process hung for %g s and was killed", limit)
                    raise RenderFailed(f"the render process took longer than {limit:g} s")
                if answer is not None:
                    status, payload = answer
                    if status == OK:
                        return payload
                    raise RenderFailed(payload.decode(errors="replace"))
                self._stop()  # it died (killed, out of memory): once more with a new one
                log.warning("the render process ended (attempt %d of 2)", attempt)
            raise RenderFailed("the render process ended twice")

    def _running(self) -> subprocess.Popen[bytes]:
        """The worker, started if it is not running."""
        if self._process is not None and self._process.poll() is not None:
            self._stop()  # it ended since the last document
        if self._process is None:
            self._process = subprocess.Popen(
                self._command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        return self._process

    def close(self) -> None:
        """End the worker: it reads the end of its input and stops (at exit; killed if it
        does not within 5 s)."""
        with self._lock:
            process, self._process = self._process, None
        if process is None:
            return
        try:
            process.communicate(timeout=5)  # closes its input, reads what is left, waits
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()

    def _stop(self) -> None:
        """Let go of a worker that stopped answering."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.communicate()  # reaps it and closes its pipes


def _kill(process: subprocess.Popen[bytes], hung: threading.Event) -> None:
    """The watchdog's end of a worker that did not answer in time."""
    hung.set()
    process.kill()


def _exchange(
    requests: IO[bytes], answers: IO[bytes], request: bytes
) -> tuple[bytes, bytes] | None:
    """Write the request, read the answer; None when the worker's pipes closed."""
    try:
        write_frame(requests, request)
        return read_frame(answers, with_status=True)
    except (BrokenPipeError, OSError):
        return None


_worker = _RenderProcess()
atexit.register(_worker.close)


async def render_document(report: Report, fmt: str) -> bytes:
    """The report as a "docx" or "pdf" file, made by the render process."""
    if fmt not in ("docx", "pdf"):
        raise ValueError(f"no such document format: {fmt!r}")
    return await _render({"format": fmt, "report": report.model_dump(mode="json")})


async def render_html_pdf(html: str, *, tagged: bool) -> bytes:
    """A page of HTML laid out as PDF (`html_to_pdf`) by the render process."""
    request = {"format": "html-pdf", "html": html, "tagged": tagged}
    return await _render(request, PAGE_RENDER_TIMEOUT)


async def _render(request: dict[str, object], timeout: float = RENDER_TIMEOUT) -> bytes:
    """The render process's answer to one request, awaited in a thread (the pipe blocks)."""
    return await asyncio.to_thread(_worker.render, json.dumps(request).encode(), timeout)

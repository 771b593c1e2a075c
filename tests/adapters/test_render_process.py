"""The render process: Word and PDF files are made outside the bot's interpreter, a worker
that died is replaced, and the worker does not outlive a bot that is killed."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from bot.render import render_text
from bot.render.documents import html_to_pdf
from bot.render_process import (
    RenderFailed,
    _RenderProcess,
    _worker,
    render_document,
    render_html_pdf,
)
from testkit.example_report import example_report
from testkit.process import child_pids


def worker_pids(parent: int, marker: str = "bot.render_worker") -> list[int]:
    """Pids of the running children of `parent` running `marker` (by default: render workers)."""
    return child_pids(parent, marker)


def gone(pid: int, within: float = 10.0) -> bool:
    """Whether the process ended (or became a zombie) within `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


async def test_documents_are_rendered_in_a_worker_process_and_read_back() -> None:
    report = example_report()

    pdf = await render_document(report, "pdf")
    docx = await render_document(report, "docx")

    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    docx_text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    for text in (pdf_text, docx_text):  # the same form as rendered in this process
        assert "verslag buitenlandse dienstreis" in text.lower()
        assert "1 persoon" in text and "Wenen" in text
    assert "1 persoon" in render_text(report)
    assert worker_pids(os.getpid()), "no render worker: the documents were made in this process"


async def test_a_page_is_laid_out_as_pdf_in_the_worker_as_in_this_process() -> None:
    page = "<html><body><h1>Jaarrapport 2025</h1><p>12 reizen, 3.456 km</p></body></html>"

    pdf = await render_html_pdf(page, tagged=True)

    def text(data: bytes) -> str:
        return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)

    assert text(pdf) == text(html_to_pdf(page, tagged=True))
    assert "Jaarrapport 2025" in text(pdf) and "3.456 km" in text(pdf)
    catalog = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert "/StructTreeRoot" in catalog  # tagged: the structure tree came along


async def test_a_worker_that_died_is_replaced() -> None:
    report = example_report()
    await render_document(report, "docx")
    for pid in worker_pids(os.getpid()):
        os.kill(pid, signal.SIGKILL)
        assert gone(pid)

    pdf = await render_document(report, "pdf")

    assert pdf.startswith(b"%PDF-")


async def test_a_document_that_cannot_be_made_fails_alone() -> None:
    with pytest.raises(RenderFailed, match="ValidationError") as failed:
        _worker.render(b'{"format": "pdf", "report": {"not": "a secret answer"}}')
    assert "secret" not in str(failed.value)  # the bot logs it: no answers quoted
    with pytest.raises(ValueError, match="no such document format"):
        await render_document(example_report(), "odt")
    assert (await render_document(example_report(), "docx")).startswith(b"PK")


@pytest.mark.parametrize("ending", ["killed", "exits"])
def test_the_worker_ends_with_the_bot(ending: str) -> None:
    last_line = "os.kill(os.getpid(), signal.SIGKILL)" if ending == "killed" else "sys.exit(0)"
    script = (
        "import asyncio, os, signal, sys\n"
        "from bot.render_process import render_document\n"
        "from testkit.example_report import example_report\n"
        "asyncio.run(render_document(example_report(), 'docx'))\n"
        "print('rendered', flush=True)\n"
        "sys.stdin.readline()\n"
        f"{last_line}\n"
    )
    with subprocess.Popen(
        [sys.executable, "-X", "dev", "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    ) as bot:
        assert bot.stdout is not None and bot.stdin is not None and bot.stderr is not None
        assert bot.stdout.readline().strip() == "rendered"
        [worker] = worker_pids(bot.pid)
        bot.stdin.write("\n")
        bot.stdin.flush()
        expected = -signal.SIGKILL if ending == "killed" else 0
        assert bot.wait(timeout=30) == expected

        assert gone(worker), f"the render worker outlived the bot that {ending}"
        assert "ResourceWarning" not in bot.stderr.read()


#: A stand-in worker speaking the real frame protocol: it reads each request and answers
#: b"K" + its payload after DELAY seconds (a renderer that is slow, or hangs).
SLOW_WORKER = """
import struct, sys, time
DELAY = float(sys.argv[1])
while len(header := sys.stdin.buffer.read(4)) == 4:
    request = sys.stdin.buffer.read(struct.unpack(">I", header)[0])
    time.sleep(DELAY)
    sys.stdout.buffer.write(b"K" + struct.pack(">I", len(request)) + request)
    sys.stdout.buffer.flush()
"""


def test_a_worker_that_hangs_is_killed_and_only_that_document_fails() -> None:
    renderer = _RenderProcess([sys.executable, "-c", SLOW_WORKER, "600"], timeout=0.5)
    try:
        started = time.monotonic()
        with pytest.raises(RenderFailed, match=r"longer than 0\.5 s"):
            renderer.render(b"a document that hangs the renderer")
        assert time.monotonic() - started < 30  # not the worker's 600 s
        assert not worker_pids(os.getpid(), SLOW_WORKER), "the hung worker was left running"
        # The next document gets a new worker (which hangs as well here, and fails alike),
        # within the time given for that request (the yearly report is given longer).
        with pytest.raises(RenderFailed, match=r"longer than 0\.3 s"):
            renderer.render(b"the next document", timeout=0.3)
    finally:
        renderer.close()


def test_a_slow_worker_within_the_timeout_answers_and_is_kept() -> None:
    renderer = _RenderProcess([sys.executable, "-c", SLOW_WORKER, "0.2"], timeout=5)
    try:
        assert renderer.render(b"first") == b"first"
        [pid] = worker_pids(os.getpid(), SLOW_WORKER)
        time.sleep(0.3)
        assert renderer.render(b"second") == b"second"
        assert worker_pids(os.getpid(), SLOW_WORKER) == [pid]  # not killed meanwhile
    finally:
        renderer.close()

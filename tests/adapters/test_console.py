"""The console channel: the example trip typed into a pseudo-terminal and piped in."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from docx import Document

from bot.config import Settings
from bot.console import ConsoleSession
from bot.render import write_documents
from bot.store import Store, TripStatus
from testkit.bot_harness import shifted_clock, travel_calculator
from testkit.example_trip import EXAMPLE_MESSAGES, EXAMPLE_NOW, PERIOD_TEXT, example_messages

ROOT = Path(__file__).resolve().parents[2]
# Typed today (2026 or later), the April 2025 trip needs its year.
TYPED_PERIOD = "zondagavond 27 april 2025 t/m dinsdag 29 april 2025"


def typed_lines(messages: list[str]) -> list[str]:
    """The script as console lines: real line breaks become the two characters \\n."""
    return [m.replace("\n", "\\n") for m in messages]


def script_with_year() -> list[str]:
    """The example script with the year typed in the period."""
    return [TYPED_PERIOD if m == PERIOD_TEXT else m for m in EXAMPLE_MESSAGES]


def console_env(tmp_path: Path) -> dict[str, str]:
    """Environment for `reisverslag console` with its own database and no .env."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'console.sqlite3'}"
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_example_trip_in_process_writes_text_docx_and_pdf(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    trip = travel_calculator(bot_settings_for_console())
    session = ConsoleSession(
        store=store,
        settings=bot_settings_for_console(),
        trip=trip,
        clock=shifted_clock(EXAMPLE_NOW),
        user_ref="console:test",
        out_dir=tmp_path / "out",
        write_documents=lambda report, out: write_documents(report, out, ("docx", "pdf", "txt")),
    )
    stdin = io.StringIO("\n".join(typed_lines(EXAMPLE_MESSAGES)) + "\n")
    stdout = io.StringIO()
    assert session.run(stdin, stdout) == 0
    out = stdout.getvalue()
    assert "[Vraag 1]" in out and "\n> " in out
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [
        "verslag-dienstreis-2025-04-27-wenen.docx",
        "verslag-dienstreis-2025-04-27-wenen.pdf",
        "verslag-dienstreis-2025-04-27-wenen.txt",
    ]
    text = (tmp_path / "out" / names[2]).read_text(encoding="utf-8")
    assert "1 persoon" in text
    assert "2,5 dag (zondagavond 27 april t/m dinsdag 29 april 2025)" in text
    # The rail network gives about 11 hours; the example report's traveller wrote 12,5.
    assert re.search(r"Nvt \(treinreis naar Wenen is ca\. 1[01](,5)? uur\)\.", text)
    assert "- Dublin: Verdere verkenning" in text
    docx_text = "\n".join(p.text for p in Document(str(tmp_path / "out" / names[0])).paragraphs)
    assert "Living Lab Scheveningen" in docx_text
    assert len(store.reports.of_traveller("console:test")) == 1
    store.close()


def bot_settings_for_console() -> Settings:
    """Default settings, ignoring any .env."""
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_piped_input_finishes_and_prints_the_paths(tmp_path: Path) -> None:
    lines = typed_lines(script_with_year())
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--out", str(tmp_path / "out")],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=console_env(tmp_path),
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "verslag-dienstreis-2025-04-27-wenen.pdf" in result.stdout
    text = (tmp_path / "out" / "verslag-dienstreis-2025-04-27-wenen.txt").read_text(
        encoding="utf-8"
    )
    assert "2,5 dag (zondagavond 27 april t/m dinsdag 29 april 2025)" in text
    # The PDF was rendered, yet no library's INFO progress line reached the terminal.
    assert " INFO " not in result.stdout + result.stderr


def console_session(tmp_path: Path) -> tuple[ConsoleSession, Store]:
    """An in-process console session on the example's date, writing only text."""
    store = Store.open(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    session = ConsoleSession(
        store=store,
        settings=bot_settings_for_console(),
        trip=travel_calculator(bot_settings_for_console()),
        clock=shifted_clock(EXAMPLE_NOW),
        user_ref="console:test",
        out_dir=tmp_path / "out",
        write_documents=lambda report, out: write_documents(report, out, ("txt",)),
    )
    return session, store


def test_menu_numbers_mean_what_the_menu_shows(tmp_path: Path) -> None:
    session, store = console_session(tmp_path)
    script = [
        *typed_lines(example_messages(until="review")),
        "1",
        "1",
    ]  # '1. ✅ Versturen', '1. ✅ Ja'
    stdout = io.StringIO()
    assert session.run(io.StringIO("\n".join(script) + "\n"), stdout) == 0
    out = stdout.getvalue()
    assert "  1. ✅ Versturen\n  2. ✏️ Bestemming" in out
    assert "  1. ✅ Ja, versturen\n  2. Nee, terug naar overzicht" in out
    assert "(Meer dan één? Typ bijvoorbeeld ‘1, 3’ of ‘trein en bus’.)" in out
    assert "  Kies: 1, 2, 3, 4" in out
    assert len(store.reports.of_traveller("console:test")) == 1
    store.close()


def test_after_cancel_the_console_says_how_to_begin_again(tmp_path: Path) -> None:
    session, store = console_session(tmp_path)
    stdout = io.StringIO()
    assert session.run(io.StringIO("Wenen\nannuleer\nja\n"), stdout) == 1
    out = stdout.getvalue()
    assert "Het verslag is weggegooid." in out and "/nieuw" not in out
    assert "Start `reisverslag console` (of `make run`) opnieuw" in out
    assert store.drafts.load("console:test") is None
    store.close()


def test_input_ending_early_exits_non_zero_and_keeps_the_draft(tmp_path: Path) -> None:
    env = console_env(tmp_path)
    command = [sys.executable, "-m", "bot", "console", "--out", str(tmp_path / "out")]
    first = subprocess.run(
        command,
        input="Wenen\n" + TYPED_PERIOD + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert first.returncode != 0
    assert "Invoer gestopt bij de vraag ‘Aantal personen’" in first.stdout
    second = subprocess.run(
        command, input="ja\n", capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    assert "onafgemaakt verslag" in second.stdout
    assert "Met hoeveel personen" in second.stdout, "resumed at the same question"


def read_until(fd: int, marker: str, timeout: float = 60.0) -> str:
    """Read the terminal until `marker` appears."""
    seen = ""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"{marker!r} not seen; screen ends with {seen[-500:]!r}")
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk.decode("utf-8", errors="replace")
    return seen


def test_terminal_session_through_a_pseudo_terminal(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "--out", str(tmp_path / "out")],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=console_env(tmp_path),
        cwd=tmp_path,
        close_fds=True,
    )
    os.close(slave)
    try:
        screen = read_until(master, "\n> ")
        assert "Waar ging de reis naartoe" in screen
        *lines, last = typed_lines(script_with_year())
        for line in lines:
            os.write(master, (line + "\n").encode("utf-8"))
            screen = read_until(master, "\n> ")
        assert "Wil je het verslag nu versturen" in screen
        os.write(master, (last + "\n").encode("utf-8"))
        assert "Opgeslagen:" in read_until(master, "Opgeslagen:")
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    assert (tmp_path / "out" / "verslag-dienstreis-2025-04-27-wenen.docx").exists()


class LockingInput(io.StringIO):
    """Piped input that locks the database while the second and third answers are given."""

    def __init__(self, text: str, database: Path) -> None:
        super().__init__(text)
        self._database = database
        self._lines = 0
        self._lock: sqlite3.Connection | None = None

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        """Lock before line 2, unlock before line 4."""
        self._lines += 1
        if self._lines == 2:
            self._lock = sqlite3.connect(self._database, isolation_level=None)
            self._lock.execute("BEGIN EXCLUSIVE")
        if self._lines == 4 and self._lock is not None:
            self._lock.execute("ROLLBACK")
            self._lock.close()
        return super().readline(size)


def test_a_locked_database_is_reported_and_no_answer_is_lost(tmp_path: Path) -> None:
    database = tmp_path / "c.sqlite3"
    store = Store.open(f"sqlite:///{database}", busy_timeout_ms=100)
    session = ConsoleSession(
        store=store,
        settings=bot_settings_for_console(),
        trip=travel_calculator(bot_settings_for_console()),
        clock=shifted_clock(EXAMPLE_NOW),
        user_ref="console:test",
        out_dir=tmp_path / "out",
        write_documents=lambda report, out: write_documents(report, out, ("txt",)),
    )
    stdin = LockingInput("\n".join(typed_lines(EXAMPLE_MESSAGES)) + "\n", database)
    stdout = io.StringIO()
    assert session.run(stdin, stdout) == 0
    assert "Let op: de opslag is even niet beschikbaar" in stdout.getvalue()
    report = store.reports.of_traveller("console:test")[0]
    assert report.period.describe() == "2,5 dag (zondagavond 27 april t/m dinsdag 29 april 2025)"
    assert report.persons == 1
    store.close()


def test_the_console_finishes_like_telegram_queues_the_deliveries_and_closes_the_trip(
    tmp_path: Path,
) -> None:
    """The same finish use case as Telegram: the report is stored, the secretariat's summary,
    files and e-mail are queued (the running bot sends them), and the announced trip the
    report covers is closed, so its reminders stop."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        secretariat_chat_id=-100,
        smtp_host="localhost",
        secretariat_email="secretariaat@denhaag.example",
    )
    store = Store.open(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    trip = store.trips.add("console:test", "Wenen", date(2025, 4, 27), date(2025, 4, 29), "x")
    store.trips.schedule_reminders(trip.trip_id, [("report_due", datetime(2025, 5, 1, tzinfo=UTC))])
    session = ConsoleSession(
        store=store,
        settings=settings,
        trip=travel_calculator(settings),
        clock=shifted_clock(EXAMPLE_NOW),
        user_ref="console:test",
        out_dir=tmp_path / "out",
        write_documents=lambda report, out: write_documents(report, out, ("txt",)),
    )
    stdin = io.StringIO("\n".join(typed_lines(EXAMPLE_MESSAGES)) + "\n")
    assert session.run(stdin, io.StringIO()) == 0

    [report] = store.reports.of_traveller("console:test")
    closed = store.trips.get(trip.trip_id)
    assert closed is not None and closed.status is TripStatus.REPORTED
    assert closed.report_id == report.report_id
    assert store.trips.due_reminders(datetime(2025, 6, 1, tzinfo=UTC)) == []
    queued = store.outbox.claim_due(datetime(2030, 1, 1, tzinfo=UTC), limit=20)
    assert sorted(item.dedupe_key for item in queued) == sorted(
        f"{report.report_id}:{key}"
        for key in ("secretariat:summary", "secretariat:docx", "secretariat:pdf", "email")
    )
    assert store.drafts.load("console:test") is None
    store.close()

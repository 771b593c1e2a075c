"""The console in English: `--lang en` reads English answers (issue 15, point 4)."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.console import ConsoleSession
from bot.dialogs.parsers import period_example
from bot.render import write_documents
from bot.store import Store
from testkit.bot_harness import shifted_clock, travel_calculator
from testkit.example_trip_en import EXAMPLE_ANSWERS_EN, EXAMPLE_NOW
from tests.adapters.test_console import console_env


def test_the_english_example_trip_in_the_console_writes_the_dutch_form(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    session = ConsoleSession(
        store=store,
        settings=Settings(_env_file=None),  # type: ignore[call-arg]
        trip=travel_calculator(Settings(_env_file=None)),  # type: ignore[call-arg]
        clock=shifted_clock(EXAMPLE_NOW),
        user_ref="console:en",
        out_dir=tmp_path / "out",
        write_documents=lambda report, out: write_documents(report, out, ("txt",)),
        language="en",
    )
    # The answers in the order the questions come (the dict keeps the questions' order).
    lines = [answer.replace("\n", "\\n") for answer in EXAMPLE_ANSWERS_EN.values()]
    stdout = io.StringIO()
    assert session.run(io.StringIO("\n".join(lines) + "\n"), stdout) == 0, stdout.getvalue()
    text = (tmp_path / "out" / "verslag-dienstreis-2025-04-27-wenen.txt").read_text("utf-8")
    assert "1 persoon" in text
    assert "2,5 dag (zondagavond 27 april t/m dinsdag 29 april 2025)" in text
    assert "Vienna (Austria) and Bratislava (Slovakia)" in text  # as typed
    store.close()


def console(tmp_path: Path, lines: list[str], *flags: str) -> str:
    """What `reisverslag console` prints for these lines (input ends after them)."""
    tmp_path.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", *flags],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=console_env(tmp_path),
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout


def test_lang_en_on_the_command_line_reads_english_answers(tmp_path: Path) -> None:
    today = datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    lines = ["Vienna", period_example(today, "en"), "three of us"]
    english = console(tmp_path / "en", lines, "--lang", "en")
    assert "[Question 4]" in english and "Input stopped at the question ‘Transport’" in english
    assert "Invoer gestopt" not in english
    dutch = console(tmp_path / "nl", lines)
    assert "[Vraag 4]" not in dutch and "Ik herken geen" in dutch

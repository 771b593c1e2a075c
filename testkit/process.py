"""A bot as a child process pointed at the fake Bot API server, for the drills and the bench."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from testkit.fake_telegram import FakeTelegram

__all__ = ["ROOT", "BotProcess", "child_pids"]

ROOT = Path(__file__).resolve().parents[1]


class BotProcess:
    """`python -m bot bot` (or `argv`, such as the bench's measured bot) against the fake server:
    started, killed with -9 at will, stopped; a child that speaks JSON lines on stdin/stdout
    can be asked for events."""

    def __init__(
        self,
        server: FakeTelegram,
        database: Path | str,
        *,
        argv: Sequence[str] = ("-m", "bot", "bot"),
        log: Path | None = None,
        **env: str,
    ) -> None:
        """Remember the command and the environment that points the bot at the fake and the
        database (a SQLite file, or a URL); `log` receives the process's stderr."""
        self.argv = [sys.executable, *argv]
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": server.token,
            "TELEGRAM_API_BASE_URL": server.base_url,
            "TELEGRAM_API_FILE_URL": server.base_file_url,
            "DATABASE_URL": database if isinstance(database, str) else f"sqlite:///{database}",
            **env,
        }
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self._lines: queue.Queue[bytes] = queue.Queue()

    def start(self) -> None:
        """Launch the process; its stdout is read in the background (it never blocks on it)."""
        stderr = self.log.open("ab") if self.log is not None else subprocess.DEVNULL
        try:
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
            )
        finally:
            if self.log is not None:
                stderr.close()  # type: ignore[union-attr]
        self._lines = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(target=_pump, args=(self.process.stdout, self._lines), daemon=True).start()

    async def read(self, event: str, timeout: float = 120.0) -> dict[str, Any]:
        """The next JSON line on stdout whose "event" is `event`."""
        while True:
            line = await asyncio.to_thread(self._lines.get, True, timeout)
            if not line:
                raise RuntimeError(f"bot process ended before {event!r}")
            try:
                payload = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(payload, dict) and payload.get("event") == event:
                return payload

    async def ask(self, command: str, answer: str = "stats") -> dict[str, Any]:
        """Write one command line to stdin and read the answer event."""
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(command.encode() + b"\n")
        self.process.stdin.flush()
        return await self.read(answer)

    async def finish(self) -> dict[str, Any]:
        """Ask the process to stop ("stop" on stdin), wait for it to end; its final event."""
        final = await self.ask("stop", answer="stopped")
        assert self.process is not None
        await asyncio.to_thread(self.process.wait, 120)
        self._close_stdin()
        return final

    def kill(self) -> None:
        """kill -9 and reap."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        self._close_stdin()

    def stop(self) -> None:
        """Terminate politely (the end of a drill), kill after ten seconds."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_stdin()

    def _close_stdin(self) -> None:
        """Close our end of the child's stdin (its stdout closes when the reader sees the end)."""
        if self.process is not None and self.process.stdin is not None:
            self.process.stdin.close()


def _pump(stdout: IO[bytes], lines: queue.Queue[bytes]) -> None:
    """Move the child's stdout lines into the queue; b"" when it ends."""
    with stdout:
        for line in stdout:
            lines.put(line)
    lines.put(b"")


def child_pids(parent: int, marker: str = "") -> list[int]:
    """Pids of the running (not zombie) children of `parent` whose command line holds
    `marker` (Linux /proc; every child without one)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, ppid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, ValueError):
            continue  # ended meanwhile
        if int(ppid) == parent and state != "Z" and marker.encode() in command:
            found.append(int(entry.name))
    return found

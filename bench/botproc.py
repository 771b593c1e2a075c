"""The bot under test in its own process, so its CPU and memory are measured apart from the fake.

The parent (``bench.__main__``) talks to it over stdin/stdout, one JSON line each way:
``stats`` answers the process's CPU seconds and memory, ``reset_peak`` resets the peak RSS,
``stop`` stops the application and answers the final stats (with database size and reports).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

__all__ = ["process_stats"]


def _status_kb(field: str) -> int:
    """A memory figure in KB from /proc/self/status (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


#: SQL statements and commits the bot sent to its database so far (reisverslag only).
SQL_COUNTS = {"statements": 0, "commits": 0}


def _count_sql(engine: Any) -> None:
    """Count every statement and commit on the engine (what the store costs per update)."""
    from sqlalchemy import event

    def statement(*_args: Any) -> None:
        SQL_COUNTS["statements"] += 1

    def commit(*_args: Any) -> None:
        SQL_COUNTS["commits"] += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)


#: Time the garbage collector stopped the process: in all, in full passes, and its longest pause.
GC_COUNTS: dict[str, float] = {"gc_s": 0.0, "gc_full_s": 0.0, "gc_longest_s": 0.0}


def _time_collections() -> None:
    """Add every collection's pause to GC_COUNTS (a full pass also to gc_full_s)."""
    started = [0.0]

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
            return
        pause = time.perf_counter() - started[0]
        GC_COUNTS["gc_s"] += pause
        if info["generation"] == 2:
            GC_COUNTS["gc_full_s"] += pause
        GC_COUNTS["gc_longest_s"] = max(GC_COUNTS["gc_longest_s"], pause)

    gc.callbacks.append(callback)


def process_stats() -> dict[str, Any]:
    """CPU seconds, memory and SQL counts of this process right now."""
    times = os.times()
    return {
        "cpu_s": times.user + times.system,
        "rss_kb": _status_kb("VmRSS"),
        "peak_rss_kb": _status_kb("VmHWM"),
        "wall": time.monotonic(),
        **SQL_COUNTS,
        **GC_COUNTS,
    }


def _reset_peak() -> None:
    """Reset VmHWM to the current RSS (Linux clear_refs)."""
    Path("/proc/self/clear_refs").write_text("5")


def _emit(payload: dict[str, Any]) -> None:
    """One JSON line to the parent."""
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


async def _echo_application(args: argparse.Namespace) -> Application[Any, Any, Any, Any, Any, Any]:
    """A bare python-telegram-bot echo bot (builder defaults), the baseline; "echo-aiohttp" is
    the same bot on reisverslag's aiohttp transport (shown for reference, not the baseline)."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        await context.bot.send_message(message.chat_id, message.text or "")

    builder = Application.builder().token(args.token).base_url(args.base_url)
    builder = builder.base_file_url(args.file_url)
    if args.kind == "echo-aiohttp":  # the same bare bot on reisverslag's transport, for reference
        from bot.telegram.app import CONNECTION_POOL_SIZE
        from bot.telegram.http import AiohttpRequest

        builder = builder.request(AiohttpRequest(CONNECTION_POOL_SIZE))
        builder = builder.get_updates_request(AiohttpRequest(1))
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    return application


def _settings(args: argparse.Namespace) -> Any:
    """Settings for the reisverslag bot against the fake server."""
    from bot.config import Settings

    values: dict[str, Any] = {
        "telegram_bot_token": args.token,
        "telegram_api_base_url": args.base_url,
        "telegram_api_file_url": args.file_url,
        "allowed_user_ids": list(range(args.first_user, args.first_user + args.users)),
        "secretariat_chat_id": None,
        "database_url": f"sqlite:///{args.db}",
        "outbox_interval_seconds": args.outbox_interval,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def _reisverslag_application(
    args: argparse.Namespace,
) -> tuple[Application[Any, Any, Any, Any, Any, Any], Any]:
    """The real application; documents are not rendered here (measured apart, see README)."""
    from bot.store import Store
    from bot.telegram import build_application
    from bot.telegram.delivery import DOCUMENT
    from testkit.bot_harness import shifted_clock, travel_calculator
    from testkit.example_trip import EXAMPLE_NOW

    async def skip_document(payload: dict[str, Any]) -> None:
        """Count a document delivery without rendering it."""

    settings = _settings(args)
    store = Store.open(settings.database_url)
    _count_sql(store.engine)
    extra = {DOCUMENT: skip_document} if args.skip_documents else None
    application = build_application(
        settings,
        store,
        travel_calculator(settings),
        shifted_clock(EXAMPLE_NOW),
        extra_senders=extra,
    )
    return application, store


async def _register_trips(application: Any, args: argparse.Namespace) -> None:
    """One planned trip per traveller, returned days ago, so its reminders are due now."""
    from bot.telegram.reminders import register_trip
    from testkit.example_report import example_report

    svc = application.bot_data["services"]
    period = example_report().period
    for user_id in range(args.first_user, args.first_user + args.reminders):
        await register_trip(svc, f"telegram:{user_id}", "Wenen", period, "bench")


async def _queue_due_reminders(application: Any) -> int:
    """Run the reminder job's own code until every due reminder is queued in the outbox."""
    from bot.telegram.reminders import send_due_reminders

    svc = application.bot_data["services"]
    total = 0
    while queued := await send_due_reminders(svc, force=True):
        total += queued
    return total


async def _serve(args: argparse.Namespace) -> None:
    """Run the chosen bot until the parent says stop."""
    store = None
    if args.kind.startswith("echo"):
        application = await _echo_application(args)
    else:
        from bot.telegram.app import settle_heap

        application, store = await _reisverslag_application(args)
        if args.reminders:
            await _register_trips(application, args)
        settle_heap()  # as `run_bot` does before serving
    loop = asyncio.get_running_loop()
    commands: asyncio.Queue[str] = asyncio.Queue()

    def read_stdin() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(commands.put_nowait, line.strip())
        loop.call_soon_threadsafe(commands.put_nowait, "stop")

    threading.Thread(target=read_stdin, daemon=True).start()
    _time_collections()
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=timedelta(seconds=1))
    _emit({"event": "ready", **process_stats()})
    if args.reminders:
        _emit({"event": "queued", "reminders": await _queue_due_reminders(application)})
    while True:
        command = await commands.get()
        if command == "reset_peak":
            _reset_peak()
            GC_COUNTS["gc_longest_s"] = 0.0
            _emit({"event": "stats", **process_stats()})
        elif command == "stats":
            _emit({"event": "stats", **process_stats()})
        elif command == "stop":
            break
    final = process_stats()
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
    if store is not None:
        final["reports"] = len(store.reports.in_year(2025))
        final["open_drafts"] = _count_drafts(store)
        store.close()
    _emit({"event": "stopped", **final})


def _count_drafts(store: Any) -> int:
    """How many unfinished drafts the store holds."""
    from sqlalchemy import func, select

    from bot.store import schema

    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(schema.drafts)).scalar())


def main() -> None:
    """Command line of the child process."""
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["reisverslag", "echo", "echo-aiohttp"])
    parser.add_argument("--token", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--file-url", required=True)
    parser.add_argument("--db", default="bench.sqlite3")
    parser.add_argument("--first-user", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=1)
    parser.add_argument("--reminders", type=int, default=0)
    parser.add_argument("--outbox-interval", type=float, default=5.0)
    parser.add_argument("--skip-documents", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    profile_to = os.environ.get("BENCH_PROFILE")  # a path: cProfile the bot process into it
    if not profile_to:
        asyncio.run(_serve(args))
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        asyncio.run(_serve(args))
    finally:
        profiler.disable()
        profiler.dump_stats(f"{profile_to}.{args.kind}.{os.getpid()}")


if __name__ == "__main__":
    main()

"""``python -m bench``: measure the bot and write bench/results/LATEST.md and LATEST.json.

The bot runs in a child process (``bench.botproc``) so that its CPU seconds and memory are its
own and it has a core to itself; the fake Bot API server and the simulated travellers share the
parent process. Documents render in the parent (they need no Telegram).

Environment: ``BENCH_BOT_LOG=path`` keeps the bot child's stderr (its log) in that file;
``BENCH_PROFILE=path`` runs the bot child under cProfile and writes ``path.<kind>.<pid>``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from testkit.example_trip import EXAMPLE_MESSAGES
from testkit.fake_telegram import SEND_METHODS, ApiCall, FakeTelegram, RateLimits, UserClient
from testkit.process import BotProcess, child_pids

__all__ = ["main"]

RESULTS = Path(__file__).parent / "results"
FIRST_USER = 1_000_000
SCRIPT = ["/start", *EXAMPLE_MESSAGES]
REPLY_METHODS = SEND_METHODS | {"editMessageText", "editMessageReplyMarkup", "answerCallbackQuery"}


def measured_bot(kind: str, server: FakeTelegram, db: Path, **options: Any) -> BotProcess:
    """The bot under test (``bench.botproc``) as a child process, driven over stdin/stdout."""
    argv = ["-m", "bench.botproc", kind, "--token", server.token, "--base-url", server.base_url]
    argv += ["--file-url", server.base_file_url, "--db", str(db), "--first-user", str(FIRST_USER)]
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is True:
            argv.append(flag)
        elif value not in (None, False):
            argv += [flag, str(value)]
    log = Path(os.environ["BENCH_BOT_LOG"]) if os.environ.get("BENCH_BOT_LOG") else None
    return BotProcess(server, db, argv=argv, log=log)


@dataclass
class LatencyProbe:
    """Times from an update served by getUpdates to the bot's first request for that chat."""

    served: dict[int, float] = field(default_factory=dict)
    samples: list[float] = field(default_factory=list)
    #: When each sample's update was served (monotonic seconds, the fake server's clock).
    served_at: list[float] = field(default_factory=list)
    updates: int = 0

    def between(self, start: float, end: float) -> list[float]:
        """The samples of updates served from `start` to `end`."""
        return [s for s, at in zip(self.samples, self.served_at, strict=True) if start <= at <= end]

    def __call__(self, call: ApiCall) -> None:
        """A call listener of the fake server."""
        if call.method == "getUpdates":
            if call.answered_at is None or not isinstance(call.result, list):
                return
            for update in call.result:
                message = update.get("message") or {}
                chat = (message.get("chat") or {}).get("id")
                if chat is not None and chat not in self.served:
                    self.served[chat] = call.answered_at
                    self.updates += 1
        elif call.method in REPLY_METHODS and isinstance(call.chat_id, int):
            served = self.served.pop(call.chat_id, None)
            if served is not None:
                self.samples.append(call.time - served)
                self.served_at.append(served)


@dataclass
class CpuSampler:
    """The bot child's CPU share of one core, per second, read from /proc (Linux): the whole
    process, and its main thread (the event loop). A bot whose process stays near 100 % is
    saturated whatever the second core does, because its interpreter lock lets one thread
    run Python at a time; the main thread's share shows how much of that is the loop."""

    pid: int
    process: list[float] = field(default_factory=list)
    loop: list[float] = field(default_factory=list)

    def _ticks(self) -> tuple[int, int] | None:
        """CPU clock ticks so far of (the process, its main thread); None once it ended."""
        try:
            process = _stat_ticks(Path(f"/proc/{self.pid}/stat"))
            loop = _stat_ticks(Path(f"/proc/{self.pid}/task/{self.pid}/stat"))
        except OSError:
            return None
        return process, loop

    async def run(self, interval: float = 1.0) -> None:
        """Sample until cancelled (nothing at all where /proc is missing)."""
        hertz = os.sysconf("SC_CLK_TCK")
        last, at = self._ticks(), time.monotonic()
        while last is not None:
            await asyncio.sleep(interval)
            now, now_at = self._ticks(), time.monotonic()
            if now is None:
                return
            ticks_per_percent = (now_at - at) * hertz / 100  # of one core over the interval
            self.process.append(round((now[0] - last[0]) / ticks_per_percent, 1))
            self.loop.append(round((now[1] - last[1]) / ticks_per_percent, 1))
            last, at = now, now_at

    def figures(self) -> dict[str, float | None]:
        """Mean and busiest second, in percent of one core (None: not sampled)."""
        busy = self.process[1:-1] or self.process  # the first and last second are partial
        loop = self.loop[1:-1] or self.loop
        return {
            "cpu_pct_mean": round(statistics.mean(busy), 1) if busy else None,
            "cpu_pct_peak": max(busy) if busy else None,
            "loop_pct_mean": round(statistics.mean(loop), 1) if loop else None,
        }


def children_cpu_s(pid: int) -> float:
    """CPU seconds so far of the running children of `pid` (the bot's render process)."""
    ticks = 0
    for child in child_pids(pid):
        with contextlib.suppress(OSError):  # ended meanwhile
            ticks += _stat_ticks(Path(f"/proc/{child}/stat"))
    return ticks / os.sysconf("SC_CLK_TCK")


def _stat_ticks(path: Path) -> int:
    """utime + stime of a /proc stat file (the fields after the command's closing bracket)."""
    fields = path.read_text().rpartition(")")[2].split()
    return int(fields[11]) + int(fields[12])


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile of samples (0 when empty)."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


async def _reply_ending_turn(user: UserClient, kind: str, last: bool) -> None:
    """Wait for the reply that ends the bot's turn (the next question, or any reply)."""
    while True:
        reply = await user.next_reply(timeout=300)
        if kind.startswith("echo") or last:
            return
        if reply.event == "sent" and (reply.buttons or "<b>" in (reply.text or "")):
            return


async def _traveller(
    users: list[UserClient], kind: str, think: Callable[[], float], done: list[float]
) -> None:
    """One traveller types the whole example interview, thinking between messages; with
    several users, each in turn (a new traveller takes the place of one who finished)."""
    for user in users:
        for index, text in enumerate(SCRIPT):
            pause = think()
            if pause:
                await asyncio.sleep(pause)
            await user.send(text)
            await _reply_ending_turn(user, kind, index == len(SCRIPT) - 1)
    done.append(time.monotonic())


async def conversations(
    kind: str,
    travellers: int,
    rate: float | None,
    seed: int = 1,
    *,
    rounds: int = 1,
    documents: bool = False,
) -> dict[str, Any]:
    """N travellers at once through the bot in a child process; closed loop or paced to `rate`.

    With `rounds` > 1 (steady state), a new traveller starts as soon as one finishes, so
    first messages and finished reports arrive all the time instead of at the two ends of
    the run; its latency figures then leave out the first round and the last (the ramps).
    With `documents`, every finished report's Word and PDF file is rendered (by the bot's
    render process) and sent as in service, while the other travellers talk."""
    rng = random.Random(seed)
    mean_think = travellers / rate if rate else 0.0

    def think() -> float:
        return rng.uniform(0, 2 * mean_think) if mean_think else 0.0

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        async with FakeTelegram(keep_calls=False) as server:
            users = [
                server.user(FIRST_USER + i, f"Reiziger{i}") for i in range(travellers * rounds)
            ]
            bot = measured_bot(
                kind,
                server,
                db,
                users=len(users),
                skip_documents=kind == "reisverslag" and not documents,
            )
            sent_documents = _DocumentCount()
            if documents:
                server.call_listeners.append(sent_documents)
            bot.start()
            await bot.read("ready")
            empty_db = _db_size(db)
            probe = LatencyProbe()
            server.call_listeners.append(probe)
            before = await bot.ask("reset_peak")
            done: list[float] = []
            assert bot.process is not None
            sampler = CpuSampler(bot.process.pid)
            sampling = asyncio.create_task(sampler.run())
            started = time.monotonic()
            await asyncio.gather(
                *(_traveller(users[i::travellers], kind, think, done) for i in range(travellers))
            )
            wall = time.monotonic() - started
            sampling.cancel()
            after = await bot.ask("stats")
            render_cpu = children_cpu_s(bot.process.pid) if documents else None
            final = await bot.finish()
            db_bytes = _db_size(db)
    updates = travellers * rounds * len(SCRIPT)
    cpu = after["cpu_s"] - before["cpu_s"]
    samples = probe.samples
    if rounds > 1:  # one round of think time at each end is ramp, not steady state
        ramp = len(SCRIPT) * (travellers / rate if rate else 0.0)
        samples = probe.between(min(probe.served_at) + ramp, max(probe.served_at) - ramp)
    reports = final.get("reports", travellers)
    label = kind + (" steady" if rounds > 1 else "") + (" +documents" if documents else "")
    return {
        "kind": label,
        "travellers": travellers,
        "rounds": rounds,
        "paced_updates_per_s": rate,
        "updates": updates,
        "wall_s": round(wall, 2),
        "updates_per_s": round(updates / wall, 1),
        "p50_ms": round(percentile(samples, 0.50) * 1000, 1),
        "p95_ms": round(percentile(samples, 0.95) * 1000, 1),
        "p99_ms": round(percentile(samples, 0.99) * 1000, 1),
        "latency_samples": len(samples),
        "cpu_s": round(cpu, 2),
        "cpu_ms_per_update": round(cpu / updates * 1000, 3),
        "sql_per_update": round((after["statements"] - before["statements"]) / updates, 2),
        "commits_per_update": round((after["commits"] - before["commits"]) / updates, 2),
        "gc_ms_per_update": round((after["gc_s"] - before["gc_s"]) / updates * 1000, 3),
        "gc_full_ms_per_update": round(
            (after["gc_full_s"] - before["gc_full_s"]) / updates * 1000, 3
        ),
        "gc_longest_pause_ms": round(after["gc_longest_s"] * 1000, 1),
        **sampler.figures(),
        "reports": reports,
        "documents_sent": sent_documents.count if documents else None,
        # the render process (the bot's child) is not in cpu_s: its CPU during the run
        "render_cpu_s": round(render_cpu, 2) if render_cpu is not None else None,
        "cpu_s_per_report": round(cpu / max(1, reports), 4) if kind == "reisverslag" else None,
        "rss_before_mb": round(before["rss_kb"] / 1024, 1),
        "peak_rss_mb": round(after["peak_rss_kb"] / 1024, 1),
        "kb_per_open_draft": round((after["peak_rss_kb"] - before["rss_kb"]) / travellers, 1),
        "db_bytes_per_report": round((db_bytes - empty_db) / max(1, reports))
        if kind == "reisverslag"
        else None,
    }


@dataclass
class _DocumentCount:
    """Counts the documents the fake server accepted (until the bot stops: a stopping bot
    leaves the rest of its delivery backlog queued)."""

    count: int = 0

    def __call__(self, call: ApiCall) -> None:
        if call.method == "sendDocument" and call.status == 200:
            self.count += 1


def _db_size(db: Path) -> int:
    """Bytes of the SQLite file and its WAL."""
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if p.exists())


def documents(renders: int) -> dict[str, Any]:
    """Median DOCX and PDF render time of the example report (after one warm-up each)."""
    from bot.render import render_docx, render_pdf
    from testkit.example_report import example_report

    report = example_report()
    figures: dict[str, Any] = {"renders": renders}
    for name, render in (("docx", render_docx), ("pdf", render_pdf)):
        render(report)
        times = []
        for _ in range(renders):
            start = time.perf_counter()
            render(report)
            times.append(time.perf_counter() - start)
        figures[f"{name}_ms"] = round(statistics.median(times) * 1000, 1)
    return figures


async def reminder_burst(count: int) -> dict[str, Any]:
    """`count` due reminders through the outbox and the bot's rate limiter against enforced limits."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        async with FakeTelegram(keep_calls=False, rate_limits=RateLimits()) as server:
            for i in range(count):
                server.user(FIRST_USER + i, f"Reiziger{i}")
            delivered: dict[int, int] = {}
            stamps: list[float] = []
            finished = asyncio.Event()

            def count_delivery(call: ApiCall) -> None:
                if call.method == "sendMessage" and call.status == 200:
                    chat = int(call.chat_id or 0)
                    delivered[chat] = delivered.get(chat, 0) + 1
                    stamps.append(call.time)
                    if len(delivered) >= count:
                        finished.set()

            server.call_listeners.append(count_delivery)
            bot = measured_bot(
                "reisverslag", server, db, users=count, reminders=count, outbox_interval=0.5
            )
            bot.start()
            await bot.read("ready")
            with_timeout = max(120.0, count / 20)
            # Queueing 10,000 due reminders at once can take longer than the usual 120 s here.
            queued = (await bot.read("queued", timeout=with_timeout))["reminders"]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(finished.wait(), with_timeout)
            duration = (stamps[-1] - stamps[0]) if stamps else 0.0
            await asyncio.sleep(2.0)  # anything sent twice would arrive now
            await bot.finish()
            assert server.rate_limiter is not None
            rejected = server.rate_limiter.rejected
    return {
        "reminders": count,
        "reminders_queued": queued,
        "reminders_duration_s": round(duration, 1),
        "reminders_per_s": round(len(delivered) / duration, 1) if duration else 0.0,
        "reminders_429": rejected,
        "reminders_lost": count - len(delivered),
        "reminders_doubled": sum(1 for n in delivered.values() if n > 1),
    }


async def startup(runs: int) -> dict[str, Any]:
    """Seconds from launching `python -m bot bot` to its first getUpdates at the fake."""
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            async with FakeTelegram() as server:
                bot = BotProcess(
                    server,
                    Path(tmp) / "bot.sqlite3",
                    ALLOWED_USER_IDS=str(FIRST_USER),
                    OUTBOX_INTERVAL_SECONDS="5",
                )
                started = time.monotonic()
                bot.start()
                try:
                    first = await server.wait_for_call("getUpdates", timeout=60, answered=False)
                    times.append(first.time - started)
                finally:
                    bot.kill()
    return {"startup_s": round(statistics.median(times), 2), "startup_runs": runs}


@dataclass(frozen=True)
class Plan:
    """How big each part of the benchmark is."""

    saturated: tuple[int, ...]
    baseline: tuple[int, ...]
    paced_travellers: int
    paced_rate: float
    #: Rounds of the steady-state run (a new traveller for each one who finished).
    steady_rounds: int
    renders: int
    reminders: int
    startup_runs: int
    #: Also a paced run with every report's documents rendered and sent (`--with-documents`).
    with_documents: bool = False


FULL = Plan((100, 1000, 5000), (100, 1000, 5000), 1000, 300.0, 3, 50, 10_000, 3)
QUICK = Plan((60,), (60,), 100, 300.0, 3, 5, 150, 1)

TARGETS: dict[str, tuple[str, Callable[[dict[str, Any]], bool]]] = {
    "p99_ms": ("bot-side p99 < 50 ms, 1,000 travellers", lambda r: r["p99_ms"] < 50),
    "updates_per_s": (">= 300 updates/s", lambda r: r["updates_per_s"] >= 300),
    "cost_ratio": ("<= 2x the echo bot's CPU per update", lambda r: r["cost_ratio"] <= 2),
    "docx_ms": ("DOCX < 150 ms", lambda r: r["docx_ms"] < 150),
    "pdf_ms": ("PDF < 1 s", lambda r: r["pdf_ms"] < 1000),
    "kb_per_open_draft": ("< 50 KB per open draft", lambda r: r["kb_per_open_draft"] < 50),
    "reminders_429": ("reminder burst: 0 429s", lambda r: r["reminders_429"] == 0),
    "reminders_lost": ("reminder burst: 0 lost", lambda r: r["reminders_lost"] == 0),
    "reminders_doubled": ("reminder burst: 0 doubled", lambda r: r["reminders_doubled"] == 0),
}


def _log(text: str) -> None:
    """Progress on stderr (stdout is for the result)."""
    print(text, file=sys.stderr, flush=True)


async def run(plan: Plan) -> dict[str, Any]:
    """Every part of the benchmark in turn; the summary figures at the top level."""
    runs: list[dict[str, Any]] = []
    for n in plan.saturated:
        _log(f"conversations: {n} travellers, no think time")
        runs.append(await conversations("reisverslag", n, None))
        _log(f"  {runs[-1]}")
    for n in plan.baseline:
        _log(f"echo baseline: {n} travellers, no think time")
        runs.append(await conversations("echo", n, None))
        _log(f"  {runs[-1]}")
    reference_echo = max(plan.baseline)
    _log(f"echo on the aiohttp transport (reference): {reference_echo} travellers")
    runs.append(await conversations("echo-aiohttp", reference_echo, None))
    _log(f"  {runs[-1]}")
    _log(f"conversations: {plan.paced_travellers} travellers paced at {plan.paced_rate}/s")
    paced = await conversations("reisverslag", plan.paced_travellers, plan.paced_rate)
    runs.append(paced)
    _log(f"  {paced}")
    _log(f"steady state: {plan.paced_travellers} at a time, {plan.steady_rounds} rounds")
    steady = await conversations(
        "reisverslag", plan.paced_travellers, plan.paced_rate, rounds=plan.steady_rounds
    )
    runs.append(steady)
    _log(f"  {steady}")
    if plan.with_documents:
        _log(f"paced with documents: {plan.paced_travellers} travellers at {plan.paced_rate}/s")
        runs.append(
            await conversations(
                "reisverslag", plan.paced_travellers, plan.paced_rate, documents=True
            )
        )
        _log(f"  {runs[-1]}")
    for kind in ("echo", "echo-aiohttp"):  # what the same load costs the bare bots (reference)
        _log(f"{kind} paced at {plan.paced_rate}/s (reference): {plan.paced_travellers} travellers")
        runs.append(await conversations(kind, plan.paced_travellers, plan.paced_rate))
        _log(f"  {runs[-1]}")
    _log("documents")
    docs = documents(plan.renders)
    _log(f"reminder burst: {plan.reminders}")
    burst = await reminder_burst(plan.reminders)
    _log(f"  {burst}")
    _log("start-up")
    start = await startup(plan.startup_runs)
    return summarise(plan, runs, paced, docs, burst, start)


def summarise(
    plan: Plan,
    runs: list[dict[str, Any]],
    paced: dict[str, Any],
    docs: dict[str, Any],
    burst: dict[str, Any],
    start: dict[str, Any],
) -> dict[str, Any]:
    """The summary figures and targets of a benchmark's parts."""
    reference = max(plan.saturated)
    ours = next(
        r
        for r in runs
        if r["kind"] == "reisverslag"
        and r["travellers"] == reference
        and not r["paced_updates_per_s"]
    )
    echo_n = max(plan.baseline)
    echo = next(r for r in runs if r["kind"] == "echo" and r["travellers"] == echo_n)
    echo_aiohttp = next(
        r for r in runs if r["kind"] == "echo-aiohttp" and not r["paced_updates_per_s"]
    )
    paced_echo = {
        r["kind"]: r for r in runs if r["kind"].startswith("echo") and r["paced_updates_per_s"]
    }
    largest = max(
        (r for r in runs if r["kind"] == "reisverslag" and not r["paced_updates_per_s"]),
        key=lambda r: r["travellers"],
    )
    summary: dict[str, Any] = {
        "updates_per_s": ours["updates_per_s"],
        "updates_per_s_travellers": reference,
        "p50_ms": paced["p50_ms"],
        "p95_ms": paced["p95_ms"],
        "p99_ms": paced["p99_ms"],
        "p99_travellers": paced["travellers"],
        "p99_offered_updates_per_s": paced["paced_updates_per_s"],
        # the same load in steady state: new travellers keep starting and finishing
        "p50_steady_ms": next((r["p50_ms"] for r in runs if r["rounds"] > 1), None),
        "p99_steady_ms": next((r["p99_ms"] for r in runs if r["rounds"] > 1), None),
        # the paced run with documents rendered and sent (None: not run, see --with-documents)
        "p99_with_documents_ms": next(
            (r["p99_ms"] for r in runs if r.get("documents_sent") is not None), None
        ),
        "render_cpu_s_with_documents": next(
            (r["render_cpu_s"] for r in runs if r.get("render_cpu_s") is not None), None
        ),
        "baseline_updates_per_s": echo["updates_per_s"],
        "throughput_ratio": round(ours["updates_per_s"] / echo["updates_per_s"], 2),
        "cost_ratio": round(ours["cpu_ms_per_update"] / echo["cpu_ms_per_update"], 2),
        "cost_ratio_same_transport": round(
            ours["cpu_ms_per_update"] / echo_aiohttp["cpu_ms_per_update"], 2
        ),
        # the same paced load through the bare echo bots, for reference (None: not run)
        "baseline_p99_ms": paced_echo.get("echo", {}).get("p99_ms"),
        "baseline_aiohttp_p99_ms": paced_echo.get("echo-aiohttp", {}).get("p99_ms"),
        "cpu_s_per_report": ours["cpu_s_per_report"],
        "peak_rss_mb": largest["peak_rss_mb"],
        "kb_per_open_draft": largest["kb_per_open_draft"],
        "kb_per_open_draft_travellers": largest["travellers"],
        "db_bytes_per_report": ours["db_bytes_per_report"],
        **docs,
        **burst,
        **start,
    }
    summary["targets"] = {
        key: {"target": text, "met": check(summary)} for key, (text, check) in TARGETS.items()
    }
    summary["runs"] = runs
    return summary


def markdown(result: dict[str, Any]) -> str:
    """The result as Markdown tables."""
    lines = [
        "# Benchmark",
        "",
        "| run | travellers | offered/s | updates/s | p50 ms | p95 ms | p99 ms | CPU ms/update "
        "| SQL/update | commits/update | CPU s/report | peak RSS MB | KB/open draft "
        "| DB bytes/report | GC ms/update (longest pause) "
        "| bot CPU % of a core: mean / busiest s (loop thread) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: | ---: | ---: |",
    ]
    for r in result["runs"]:
        ours = r["kind"].startswith("reisverslag")
        lines.append(
            f"| {r['kind']} | {r['travellers']} | {r['paced_updates_per_s'] or 'max'} "
            f"| {r['updates_per_s']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} "
            f"| {r['cpu_ms_per_update']} | {r['sql_per_update'] if ours else '-'} "
            f"| {r['commits_per_update'] if ours else '-'} "
            f"| {r['cpu_s_per_report'] or '-'} | {r['peak_rss_mb']} "
            f"| {r['kb_per_open_draft']} | {r['db_bytes_per_report'] or '-'} "
            f"| {r.get('gc_ms_per_update', '-')} ({r.get('gc_longest_pause_ms', '-')}) "
            f"| {r.get('cpu_pct_mean', '-')} / {r.get('cpu_pct_peak', '-')} "
            f"({r.get('loop_pct_mean', '-')}) |"
        )
    lines += [
        "",
        "| figure | value |",
        "| --- | ---: |",
    ]
    for key, value in result.items():
        if key not in ("runs", "targets"):
            lines.append(f"| {key} | {value} |")
    lines += ["", "| target | met |", "| --- | --- |"]
    for key, target in result["targets"].items():
        lines.append(
            f"| {target['target']} ({key} = {result[key]}) | {'yes' if target['met'] else 'NO'} |"
        )
    lines += [
        "",
        "Notes: the bot runs in its own process (CPU and memory are its own); the fake server and "
        "the travellers share the parent process. 'max' runs are closed loop (each traveller sends "
        "as soon as the question arrives), so their latency is queueing at saturation; p50/p95/p99 "
        "in the summary come from the paced run (random think time, offered load as shown). "
        "Document delivery is not part of the conversation runs (documents are timed apart), "
        "except in 'reisverslag +documents' (`--with-documents`), where every finished report's "
        "Word and PDF file is rendered by the bot's render process and sent while the others "
        "talk; the render process's CPU is not in the bot's CPU figures but in "
        "render_cpu_s_with_documents. "
        "KB per open draft is (peak RSS - RSS before) / travellers, an upper bound. GC is the "
        "time the bot process spent in the garbage collector (gc.callbacks). The baseline "
        "'echo' is python-telegram-bot's bare echo bot with the builder's defaults (httpx); "
        "'echo-aiohttp' is the same bot on reisverslag's aiohttp transport, shown for reference "
        "(cost_ratio_same_transport divides by it). 'reisverslag steady' is the paced load in "
        "steady state: a new traveller starts for each one who finishes, so first messages and "
        "finished reports (the dearest steps) arrive all the time, as in service; its latency "
        "leaves out the first and last round (the ramps). The other paced run starts all "
        "travellers together, so its first messages and finishes come at the two ends of the run. "
        "Bot CPU % is the bot process's CPU per "
        "second of the run in percent of one core (read from /proc), with its main thread, the "
        "event loop, in brackets: near 100 % the bot is saturated, since its interpreter lock "
        "lets one thread run Python at a time, however idle the second core.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: run the benchmark, write the results, print the table (or JSON)."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="reduced run, under a minute")
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    parser.add_argument(
        "--with-documents",
        action="store_true",
        help="add a paced run that renders and sends every report's Word and PDF file",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    plan = replace(QUICK if args.quick else FULL, with_documents=args.with_documents)
    result = asyncio.run(run(plan))
    result["quick"] = args.quick
    table = markdown(result)
    if not args.quick:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "LATEST.md").write_text(table, encoding="utf-8")
        (RESULTS / "LATEST.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k != "runs"}))
    else:
        print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())

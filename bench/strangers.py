"""``python -m bench.strangers``: does a crowd of strangers slow a traveller down?

The real bot runs against the fake Bot API with Telegram's rate limits enforced (20 messages a
minute per group, 30 a second overall). A traveller sends the same messages twice: alone, and
while N strangers send /start at once (each asks the secretariat for access). The table shows
the traveller's reply latency in both phases, the access requests that reached the secretariat,
and the outbox backlog left when the traveller was done.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.store.health import delivery_backlog
from testkit.bot_harness import SECRETARIAT_ID, TRAVELLER_ID, running_bot
from testkit.example_trip import EXAMPLE_NOW
from testkit.fake_telegram import FakeTelegram, RateLimits, UserClient

__all__ = ["main"]

MESSAGES = ["/help", "/check Wenen", "/check Parijs trein", "/help"]
THINK_SECONDS = 1.1


async def _latencies(jan: UserClient, rounds: int) -> list[float]:
    """Seconds from each message to the bot's reply."""
    samples = []
    for index in range(rounds):
        await asyncio.sleep(THINK_SECONDS)  # Telegram allows about one message a second per chat
        start = time.monotonic()
        await jan.send(MESSAGES[index % len(MESSAGES)])
        await jan.next_reply(120)
        samples.append(time.monotonic() - start)
    return samples


def _summary(samples: list[float]) -> dict[str, float]:
    """Median, 95th percentile and maximum in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


async def run(strangers: int, rounds: int) -> dict[str, Any]:
    """Both phases on one bot; the figures."""
    with tempfile.TemporaryDirectory() as folder:
        async with FakeTelegram(rate_limits=RateLimits()) as server:
            group = server.group(SECRETARIAT_ID, "Secretariaat")
            jan = server.user(TRAVELLER_ID, "Jan")
            crowd = [server.user(2_000_000 + n, f"Vreemde{n}") for n in range(strangers)]
            settings = {"limit_checks_per_hour": 10_000, "limit_messages_per_minute": 10_000}
            async with running_bot(
                server, Path(folder) / "b.sqlite3", EXAMPLE_NOW, **settings
            ) as bot:
                await _latencies(jan, 2)  # warm up: imports, caches, first connections
                alone = await _latencies(jan, rounds)
                crowd_started = time.monotonic()
                flood = asyncio.gather(*(user.send("/start") for user in crowd))
                crowded = await _latencies(jan, rounds)
                await flood
                answered = 0
                for user in crowd:
                    await user.next_reply(120)
                    answered += 1
                strangers_answered_s = time.monotonic() - crowd_started
                requests_delivered = sum(
                    "Toegangsaanvraag" in m.plain_text for m in server.messages(group.id)
                )
                backlog = delivery_backlog(bot.store, bot.store.now()).outbox_waiting
    return {
        "strangers": strangers,
        "rounds": rounds,
        "alone": _summary(alone),
        "with_strangers": _summary(crowded),
        "strangers_answered": answered,
        "strangers_answered_within_s": round(strangers_answered_s, 1),
        "access_requests_delivered": requests_delivered,
        "access_requests_still_queued": backlog,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: run once and print the figures as a Markdown table."""
    parser = argparse.ArgumentParser(prog="python -m bench.strangers", description=__doc__)
    parser.add_argument("--strangers", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    result = asyncio.run(run(args.strangers, args.rounds))
    print(f"| phase | p50 ms | p95 ms | max ms |  ({args.rounds} traveller messages each)")
    print("| --- | ---: | ---: | ---: |")
    for phase in ("alone", "with_strangers"):
        figures = result[phase]
        print(f"| {phase} | {figures['p50_ms']} | {figures['p95_ms']} | {figures['max_ms']} |")
    for key in (
        "strangers",
        "strangers_answered",
        "strangers_answered_within_s",
        "access_requests_delivered",
        "access_requests_still_queued",
    ):
        print(f"{key}: {result[key]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

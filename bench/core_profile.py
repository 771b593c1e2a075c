"""``python -m bench.core_profile``: CPU of the interview core per message, outside store and Telegram.

Runs the example trip (``/start`` then ``EXAMPLE_MESSAGES``) the way ``bot/telegram/traveller.py``
does per message: the draft read back from its cached JSON, a new `Interview` from the stored
state, `handle` (or `start`), `state_data()` into the draft, and the draft written again as
``services.save_draft`` does (``model_dump_json()``, stored and cached as that text). Prints
CPU µs per message for the interview alone and for the draft (de)serialisation, then (with
``--profile``) the top of a cProfile run. A measuring tool, not a test: no assertions on time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections.abc import Callable

from bot.dialogs import Interview
from bot.telegram.services import TelegramDraft
from bot.travel import TravelCalculator
from testkit.example_trip import EXAMPLE_MESSAGES, EXAMPLE_NOW

SCRIPT = ["/start", *EXAMPLE_MESSAGES]


def _trip(calculator: TravelCalculator) -> tuple[float, float]:
    """One traveller through the whole script; CPU seconds of the interview and of the draft."""
    core = draft_cpu = 0.0
    stored = TelegramDraft().model_dump_json().encode()
    clock = time.process_time
    for text in SCRIPT:
        t0 = clock()
        draft = TelegramDraft.model_validate_json(stored)
        t1 = clock()
        interview = Interview(calculator, EXAMPLE_NOW, state=draft.interview, user_ref="t:1")
        reply = interview.start() if text == "/start" else interview.handle(text)
        draft.interview = interview.state_data()
        t2 = clock()
        stored = draft.model_dump_json().encode()
        t3 = clock()
        core += t2 - t1
        draft_cpu += (t1 - t0) + (t3 - t2)
        if reply.report is not None:
            break
    assert reply.report is not None, "the example trip did not reach a report"
    return core, draft_cpu


def _run(trips: int, calculator: TravelCalculator) -> tuple[float, float]:
    core = draft = 0.0
    for _ in range(trips):
        c, d = _trip(calculator)
        core += c
        draft += d
    return core, draft


def main() -> None:
    """Measure, print µs per message, optionally profile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trips", type=int, default=200, help="example trips per measurement")
    parser.add_argument("--profile", action="store_true", help="print the cProfile top 35")
    parser.add_argument("--sort", default="tottime", help="cProfile sort key (tottime, cumtime)")
    args = parser.parse_args()
    calculator = TravelCalculator()
    _run(3, calculator)  # warm the process-wide data, as a running bot has
    messages = args.trips * len(SCRIPT)
    best: tuple[float, float] | None = None
    for _ in range(3):  # best of three: the machine is shared
        core, draft = _run(args.trips, calculator)
        if best is None or core + draft < sum(best):
            best = (core, draft)
    assert best is not None
    core, draft = best
    print(f"{messages} messages ({args.trips} trips of {len(SCRIPT)}), best of 3, CPU per message:")
    rows = [
        ("interview (Interview(...), handle/start, state_data)", core),
        ("draft JSON (validate_json, model_dump_json)", draft),
        ("total", core + draft),
    ]
    for label, seconds in rows:
        print(f"  {label:<56} {seconds / messages * 1e6:8.1f} µs")
    if args.profile:
        run: Callable[[], object] = lambda: _run(args.trips, calculator)  # noqa: E731
        profiler = cProfile.Profile()
        profiler.runcall(run)
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(35)


if __name__ == "__main__":
    main()

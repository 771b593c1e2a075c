"""``python -m bench.steps``: the bot's CPU per update for each step of the example interview.

N travellers send the same step at once and wait for the bot's turn to end; the bot (in its
own process, as in ``python -m bench``) reports its CPU seconds, SQL statements and commits
before and after each step. Shows which step is heavy (the first message, the review, the
finish), which the averages of ``python -m bench`` hide. A measuring tool: no assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.__main__ import FIRST_USER, SCRIPT, _reply_ending_turn, measured_bot
from testkit.fake_telegram import FakeTelegram, UserClient


async def _measure(travellers: int) -> None:
    """Print one line per step: CPU ms, statements and commits per update, wall seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeTelegram(keep_calls=False) as server:
            users = [server.user(FIRST_USER + i, f"Reiziger{i}") for i in range(travellers)]
            bot = measured_bot(
                "reisverslag",
                server,
                Path(tmp) / "steps.sqlite3",
                users=travellers,
                skip_documents=True,
            )
            bot.start()
            await bot.read("ready")
            for index, text in enumerate(SCRIPT):
                last = index == len(SCRIPT) - 1

                async def step(user: UserClient, text: str = text, last: bool = last) -> None:
                    await user.send(text)
                    await _reply_ending_turn(user, "reisverslag", last)

                before = await bot.ask("stats")
                started = time.monotonic()
                await asyncio.gather(*(step(user) for user in users))
                wall = time.monotonic() - started
                after = await bot.ask("stats")
                per = {
                    k: (after[k] - before[k]) / travellers
                    for k in ("cpu_s", "statements", "commits")
                }
                print(
                    f"{index:2d} {text[:24]!r:28} CPU {per['cpu_s'] * 1000:6.2f} ms"
                    f"  SQL {per['statements']:5.2f}  commits {per['commits']:4.2f}"
                    f"  wall {wall:5.2f} s",
                    flush=True,
                )
            await bot.finish()


def main() -> None:
    """Parse the arguments and measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--travellers", type=int, default=300, help="travellers per step")
    asyncio.run(_measure(parser.parse_args().travellers))


if __name__ == "__main__":
    main()

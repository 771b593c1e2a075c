"""A traveller's messages are handled one at a time, in order, even as locks are forgotten."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from bot.config import Settings
from bot.store import Store
from bot.telegram.services import Services
from testkit.bot_harness import travel_calculator


async def test_a_message_arriving_as_the_lock_is_released_still_queues(tmp_path: Path) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    store = Store.open(f"sqlite:///{tmp_path / 'l.sqlite3'}")
    svc = Services(settings, store, travel_calculator(settings), datetime.now)
    order: list[str] = []
    inside: list[str] = []

    async def handle(name: str, hold: float) -> None:
        async with svc.lock("telegram:1"):
            inside.append(name)
            assert len(inside) == 1, f"{inside} handled at the same time"
            order.append(name)
            await asyncio.sleep(hold)
            inside.remove(name)

    first = asyncio.create_task(handle("a", 0.05))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(handle("b", 0.05))
    await first  # 'a' released the lock; 'b' is woken but has not run yet
    third = asyncio.create_task(handle("c", 0))
    await asyncio.gather(second, third)
    assert order == ["a", "b", "c"]
    assert len(svc._locks) == 0, "forgotten once nobody holds or awaits it"
    store.close()

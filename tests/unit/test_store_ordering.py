"""A traveller's updates in order across processes: the inbox knows each update's sender, and
on PostgreSQL a later update's turn waits for the earlier one and for the traveller's lock."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store import Store, sender_of
from bot.telegram.ordering import TravellerOrder
from bot.telegram.store import TelegramStore
from testkit.databases import BACKENDS, fresh_database_url


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database_url(request.param, tmp_path)


@pytest.fixture
def stores(url: str) -> Iterator[tuple[Store, Store]]:
    """Two stores on one database, as two bot processes have."""
    first, second = Store.open(url), Store.open(url)
    yield first, second
    first.close()
    second.close()


def message(update_id: int, user_id: int) -> dict[str, object]:
    return {"update_id": update_id, "message": {"from": {"id": user_id}, "text": "x"}}


def test_sender_of_reads_messages_buttons_and_edits() -> None:
    assert sender_of(message(1, 42)) == 42
    assert sender_of({"update_id": 2, "callback_query": {"from": {"id": 7}, "data": "a"}}) == 7
    assert sender_of({"update_id": 3, "edited_message": {"from": {"id": 8}}}) == 8
    assert sender_of({"update_id": 4, "channel_post": {"chat": {"id": -1}}}) is None
    assert sender_of({"update_id": 5, "message": {"from": {"id": "42"}}}) is None


async def test_a_later_update_waits_for_the_earlier_one_in_another_process(
    stores: tuple[Store, Store], url: str
) -> None:
    first, second = stores
    TelegramStore(first).receive_update(1, message(1, 42))
    TelegramStore(second).receive_update(2, message(2, 42))
    TelegramStore(second).receive_update(3, message(3, 99))  # another traveller: never held back
    events: list[str] = []

    async def handle(store: Store, update_id: int, user_id: int) -> None:
        async with TravellerOrder(store).turn(update_id, user_id):
            events.append(f"start {update_id}")
            await asyncio.sleep(0.3)
            events.append(f"end {update_id}")
            TelegramStore(store).finish_update(update_id)

    later = asyncio.create_task(handle(second, 2, 42))
    other = asyncio.create_task(handle(second, 3, 99))
    await asyncio.sleep(0.2)  # the later update and the other traveller's start first
    earlier = asyncio.create_task(handle(first, 1, 42))
    await asyncio.gather(later, other, earlier)
    if url.startswith("postgresql"):
        assert events.index("end 1") < events.index("start 2")
        assert events.index("start 3") < events.index("end 1")
    else:  # one process on SQLite: ordering is the in-process lock's job, this costs nothing
        assert events.index("start 2") < events.index("start 1")


async def test_an_earlier_update_of_a_dead_process_holds_back_only_for_a_while(
    stores: tuple[Store, Store], url: str
) -> None:
    first, second = stores
    TelegramStore(first).receive_update(1, message(1, 42))  # its process died before handling it
    TelegramStore(second).receive_update(2, message(2, 42))
    order = TravellerOrder(second, wait_for_earlier_seconds=0.5)
    async with asyncio.timeout(10):
        async with order.turn(2, 42):
            pass


async def test_a_replayed_update_handled_meanwhile_by_another_process_is_not_handled_twice(
    stores: tuple[Store, Store], url: str
) -> None:
    first, second = stores
    TelegramStore(first).receive_update(1, message(1, 42))
    # `second` restarts and replays the shared inbox while `first` is handling update 1.
    replay = TravellerOrder(second)
    async with TravellerOrder(first).turn(1, 42) as pending:
        assert pending is True
        replayed = asyncio.create_task(_pending_in_turn(replay, 1, 42))
        await asyncio.sleep(0.2)
        assert not replayed.done() or not url.startswith("postgresql")  # waits for the lock
        TelegramStore(first).finish_update(1)
    # On PostgreSQL the replay sees the update handled; one SQLite process never replays
    # while it is running, and handles what it is given.
    assert await replayed is (not url.startswith("postgresql"))


async def _pending_in_turn(order: TravellerOrder, update_id: int, user_id: int) -> bool:
    async with order.turn(update_id, user_id) as pending:
        return pending

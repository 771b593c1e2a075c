"""Group commit: concurrent store requests joined into one batch, each caller its own outcome."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest

from bot.service import Coalescer, StoreRunner
from bot.store import StoreUnavailable


class Work:
    """Store work that records its batches and can be held until released."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = threading.Event()
        self.release.set()
        self.fail_batches_of_more_than: int | None = None
        self.unavailable = False

    def __call__(self, items: Sequence[int]) -> list[int | BaseException]:
        self.release.wait(10)
        self.batches.append(list(items))
        if self.unavailable:
            raise StoreUnavailable("weg")
        if (
            self.fail_batches_of_more_than is not None
            and len(items) > self.fail_batches_of_more_than
        ):
            raise RuntimeError("the batch as a whole failed")
        return [ValueError(item) if item < 0 else item * 10 for item in items]


async def test_requests_arriving_while_a_batch_runs_go_together_in_the_next() -> None:
    work = Work()
    coalescer = Coalescer(StoreRunner(), work)
    work.release.clear()
    first = asyncio.ensure_future(coalescer.submit(1))
    await asyncio.sleep(0.05)  # the first batch is in the store thread now, held
    rest = [asyncio.ensure_future(coalescer.submit(n)) for n in range(2, 12)]
    await asyncio.sleep(0.01)
    work.release.set()
    assert await first == 10
    assert await asyncio.gather(*rest) == [n * 10 for n in range(2, 12)]
    assert work.batches == [[1], list(range(2, 12))]
    assert (coalescer.batches, coalescer.items) == (2, 11)


async def test_an_item_that_fails_fails_alone() -> None:
    coalescer = Coalescer(StoreRunner(), Work())
    results = await asyncio.gather(
        coalescer.submit(1), coalescer.submit(-1), coalescer.submit(2), return_exceptions=True
    )
    assert results[0] == 10 and results[2] == 20
    assert isinstance(results[1], ValueError)


async def test_a_batch_that_fails_as_a_whole_is_tried_again_item_by_item() -> None:
    work = Work()
    work.fail_batches_of_more_than = 1
    coalescer = Coalescer(StoreRunner(), work)
    assert await asyncio.gather(*(coalescer.submit(n) for n in (1, 2, 3))) == [10, 20, 30]
    assert work.batches == [[1, 2, 3], [1], [2], [3]]


async def test_an_unavailable_store_is_told_to_every_caller_without_retrying() -> None:
    work = Work()
    work.unavailable = True
    coalescer = Coalescer(StoreRunner(), work)
    results = await asyncio.gather(
        *(coalescer.submit(n) for n in (1, 2, 3)), return_exceptions=True
    )
    assert all(isinstance(result, StoreUnavailable) for result in results)
    assert work.batches == [[1, 2, 3]]


async def test_batches_are_bounded() -> None:
    work = Work()
    coalescer = Coalescer(StoreRunner(), work, max_batch=4)
    assert len(await asyncio.gather(*(coalescer.submit(n) for n in range(10)))) == 10
    assert [len(batch) for batch in work.batches] == [4, 4, 2]


async def test_a_caller_that_gives_up_does_not_stop_the_others() -> None:
    work = Work()
    coalescer = Coalescer(StoreRunner(), work)
    work.release.clear()
    impatient = asyncio.ensure_future(coalescer.submit(1))
    patient = asyncio.ensure_future(coalescer.submit(2))
    await asyncio.sleep(0.02)
    impatient.cancel()
    work.release.set()
    assert await patient == 20
    with pytest.raises(asyncio.CancelledError):
        await impatient
    assert work.batches == [[1, 2]]  # the work was done all the same

"""The one async facade over the store: every store call of a conversation (the handlers, the
use cases, the Telegram adapter's tables) goes through it. Background delivery (the outbox
worker, its senders, the health page) runs its few store calls in asyncio's default thread
pool instead, off the event loop as well; on SQLite the writers of both take turns on the
store's write lock (`Store._write`), so they never poll SQLite's busy handler.

The store is synchronous SQLAlchemy on purpose: its durability rules (SQLite `BEGIN
IMMEDIATE`, WAL, PostgreSQL advisory locks, commit before reply) are proven by the kill
and fault drills, and an asyncio driver would re-open all of them. A unit of work is short
(a few statements), so it runs whole in a small bounded thread pool: the event loop keeps
serving other travellers while one waits for the disk, and at most `workers` transactions
are in flight (SQLite has one writer anyway; PostgreSQL's pool is not exhausted). The
Telegram adapter's own tables (`bot/telegram/store.py`) run on this same runner.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, ParamSpec, TypeVar

from bot.store import StoreUnavailable

__all__ = ["STORE_THREADS", "Coalescer", "StoreRunner"]

_P = ParamSpec("_P")
_T = TypeVar("_T")
_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


#: Store threads. SQLite takes one writer at a time, and every extra thread competes for the
#: GIL with the event loop; two let a read pass a slow write (measured with `make bench`).
STORE_THREADS = 2


class StoreRunner:
    """Runs blocking store work in a bounded thread pool and awaits it: the one runner of all
    store work, the use cases' and the Telegram adapter's tables' alike."""

    def __init__(self, workers: int = STORE_THREADS) -> None:
        self._workers = workers
        self._executor: ThreadPoolExecutor | None = None

    async def run(self, work: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """`work(*args, **kwargs)` in a store thread (with this task's context); its result."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._workers, thread_name_prefix="store")
        context = contextvars.copy_context()
        call = functools.partial(context.run, work, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    def close(self) -> None:
        """Let running work finish, then stop the threads (a later `run` starts them again)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None


class Coalescer(Generic[_Item, _Result]):
    """Joins concurrent requests for one kind of store work into one call (group commit).

    `work` takes a batch of items and returns, in the same order, each item's result or the
    exception for that item alone; it runs as one transaction on the `StoreRunner`. While a
    batch runs, new requests collect for the next one, so an idle bot adds no delay and a busy
    one pays one thread hand-off, one BEGIN and one COMMIT per batch instead of per request.
    Every caller's await returns only after its batch committed: nothing is acknowledged
    before it is on disk. When the batch fails as a whole for another reason than an
    unavailable store, each item is tried again on its own, so one bad item fails alone.
    """

    def __init__(
        self,
        runner: StoreRunner,
        work: Callable[[Sequence[_Item]], Sequence[_Result | BaseException]],
        *,
        max_batch: int = 256,
    ) -> None:
        self._runner = runner
        self._work = work
        self._max_batch = max_batch
        self._waiting: list[tuple[_Item, asyncio.Future[_Result]]] = []
        self._drainer: asyncio.Task[None] | None = None
        #: How many batches ran, and how many items they held.
        self.batches = 0
        self.items = 0

    async def submit(self, item: _Item) -> _Result:
        """Queue `item` for the next batch and wait for its own result (or exception)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[_Result] = loop.create_future()
        self._waiting.append((item, future))
        if self._drainer is None:
            self._drainer = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        """Run batches until nobody waits."""
        try:
            while self._waiting:
                batch = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
                await self._run(batch)
        finally:
            self._drainer = None

    async def _run(self, batch: list[tuple[_Item, asyncio.Future[_Result]]]) -> None:
        """One batch in one store call; each future gets its item's outcome."""
        items = [item for item, _ in batch]
        self.batches += 1
        self.items += len(items)
        try:
            outcomes = await self._runner.run(self._work, items)
        except StoreUnavailable as error:
            outcomes = [error] * len(items)
        except Exception as error:
            alone = len(items) == 1
            outcomes = [error] if alone else [await self._alone(item) for item in items]
        except BaseException as error:  # cancelled: no caller may wait forever
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            raise
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():  # its caller gave up waiting; the work is done all the same
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

    async def _alone(self, item: _Item) -> _Result | BaseException:
        """One item as a batch of its own (after its batch failed as a whole)."""
        try:
            return (await self._runner.run(self._work, [item]))[0]
        except Exception as error:
            return error

"""The one async facade over the store: every store call from the event loop goes through it.

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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

__all__ = ["STORE_THREADS", "StoreRunner"]

_P = ParamSpec("_P")
_T = TypeVar("_T")


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

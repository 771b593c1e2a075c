"""Delivers queued outbox items (Telegram messages, documents, email) until each has gone once.

The worker claims due items with a lease, hands each to the sender for its kind, and
records success or schedules a retry with backoff. Items survive restarts in the store.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.store import OutboxMessage, Store, next_retry_delay

__all__ = ["OutboxWorker", "PermanentFailure", "RetryLater", "Sender"]

log = logging.getLogger(__name__)

Sender = Callable[[dict[str, Any]], Awaitable[None]]


class RetryLater(Exception):
    """A sender's failure that names when to try again (Telegram's retry_after)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentFailure(Exception):
    """A failure no retry can fix (a blocked bot, a missing report): parked, not retried soon."""


@dataclass
class OutboxWorker:
    """Sends due outbox items through the sender registered for their kind."""

    store: Store
    senders: Mapping[str, Sender]
    clock: Callable[[], datetime]
    retry_delay: Callable[[int, float | None], float] = next_retry_delay
    #: An item claimed by a worker that died (kill -9) is offered again after this long; a
    #: document upload normally takes seconds (PTB's write timeout for media is 20 s), so
    #: after a crash and restart documents arrive within about half a minute.
    lease_seconds: float = 25.0
    batch: int = 20
    spawn: Callable[[Coroutine[Any, Any, Any]], Awaitable[Any]] | None = None
    #: Asked before each claim and each delivery: False once the bot is stopping, so a flush
    #: ends after the delivery in hand (the rest stays queued for the next start) instead of
    #: holding the stop until the whole backlog is sent.
    keep_going: Callable[[], bool] = field(default=lambda: True, repr=False)
    _running: Awaitable[Any] | None = field(default=None, init=False, repr=False)
    _again: bool = field(default=False, init=False, repr=False)

    def kick(self) -> None:
        """Deliver soon: start a flush, or let the running one go round once more (nothing
        while stopping: the items stay queued for the next start, and a task started now
        would outlive the stop)."""
        if not self.keep_going():
            return
        if self._running is not None and not _is_done(self._running):
            self._again = True
            return
        spawn = self.spawn or asyncio.get_running_loop().create_task
        self._running = spawn(self._flush_until_quiet())

    async def _flush_until_quiet(self) -> None:
        self._again = True
        while self._again:
            self._again = False
            await self.flush()

    async def flush(self) -> int:
        """Send everything due now (until `keep_going` says stop); returns how many items
        were delivered."""
        delivered = 0
        while self.keep_going():
            # Store calls run in a thread: a locked database waits out its busy timeout
            # there instead of freezing every traveller's conversation on the event loop.
            items = await asyncio.to_thread(
                self.store.outbox.claim_due,
                self.clock(),
                limit=self.batch,
                lease_seconds=self.lease_seconds,
            )
            if not items:
                return delivered
            for index, item in enumerate(items):
                if not self.keep_going():
                    await asyncio.to_thread(self.store.outbox.release, items[index:])
                    return delivered
                if await self._deliver(item):
                    delivered += 1
            if len(items) < self.batch:
                return delivered
        return delivered

    async def _deliver(self, item: OutboxMessage) -> bool:
        sender = self.senders.get(item.kind)
        if sender is None:
            await self._retry(item, f"no sender for kind {item.kind!r}", 3600.0)
            return False
        try:
            await sender(item.payload)
        except RetryLater as error:
            await self._retry(item, str(error), error.retry_after)
            return False
        except PermanentFailure as error:
            await self._retry(item, f"permanent: {error}", 24 * 3600.0)
            return False
        except Exception as error:  # every other failure is retried: nothing is dropped
            await self._retry(item, f"{type(error).__name__}: {error}", None)
            return False
        await asyncio.to_thread(self.store.outbox.mark_sent, item.id, self.clock())
        return True

    async def _retry(self, item: OutboxMessage, reason: str, retry_after: float | None) -> None:
        delay = self.retry_delay(item.attempts, retry_after)
        log.warning(
            "delivery %s (%s) failed, retry in %.0f s: %s", item.id, item.kind, delay, reason
        )
        await asyncio.to_thread(
            self.store.outbox.mark_failed, item.id, reason, self.clock() + timedelta(seconds=delay)
        )


def _is_done(task: Awaitable[Any]) -> bool:
    """Whether a spawned flush has finished (anything without done() counts as finished)."""
    done = getattr(task, "done", None)
    return bool(done()) if done is not None else True

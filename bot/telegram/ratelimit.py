"""Two lanes for Bot API requests: replies to a traveller who just wrote, and bulk sends.

Telegram's 30 messages per second is a limit for bulk notifications. Throttling every reply
to it made the interview itself crawl at 30 answers per second for all travellers together,
so only bulk deliveries (the outbox: documents, summaries, reminders) go through the overall
limiter, evenly spaced without an initial burst so that Telegram never answers 429. Replies
keep the group limits and the retry on 429.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from telegram.ext import AIORateLimiter, BaseRateLimiter

__all__ = ["BULK_MESSAGES_PER_SECOND", "TwoLaneRateLimiter", "bulk_sending"]

#: A little under Telegram's 30 per second, so that network jitter never makes it 31.
BULK_MESSAGES_PER_SECOND = 28.0

_BULK: ContextVar[bool] = ContextVar("bulk_sending", default=False)


@contextmanager
def bulk_sending() -> Iterator[None]:
    """Requests made inside this block go through the bulk lane."""
    token = _BULK.set(True)
    try:
        yield
    finally:
        _BULK.reset(token)


class TwoLaneRateLimiter(BaseRateLimiter[int]):
    """An AIORateLimiter without the overall limit for replies, one with it for bulk sends."""

    def __init__(
        self, *, max_retries: int = 3, bulk_per_second: float = BULK_MESSAGES_PER_SECOND
    ) -> None:
        """Build both lanes; the bulk lane admits one request every 1/bulk_per_second s."""
        self.replies = AIORateLimiter(overall_max_rate=0, max_retries=max_retries)
        self.bulk = AIORateLimiter(
            overall_max_rate=1, overall_time_period=1 / bulk_per_second, max_retries=max_retries
        )

    async def initialize(self) -> None:
        """Initialize both lanes."""
        await self.replies.initialize()
        await self.bulk.initialize()

    async def shutdown(self) -> None:
        """Shut both lanes down."""
        await self.replies.shutdown()
        await self.bulk.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Send the request through the lane of the current context."""
        lane = self.bulk if _BULK.get() else self.replies
        return await lane.process_request(callback, args, kwargs, endpoint, data, rate_limit_args)

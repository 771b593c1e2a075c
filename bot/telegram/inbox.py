"""Updates are written down before Telegram forgets them.

python-telegram-bot confirms a batch of updates to Telegram with its next getUpdates call
(and a webhook's 200 answer confirms one), whether or not the bot has handled them yet. A
bot killed in between would lose what the traveller typed. So every update is stored in
the inbox before that confirmation, and removed once handled; at start-up whatever is left
is handled again. Answers applied twice are caught by the update id that is saved with
every draft.

Long polling stores each getUpdates batch in one transaction as it arrives
(`InboxPollRequest`), before python-telegram-bot even reads it; a webhook's update is
stored as it is queued. The draft save of an update strikes it from the inbox in the same
transaction; other updates leave it once handled.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, Update
from telegram._utils.types import ODVInput
from telegram.ext import SimpleUpdateProcessor
from telegram.request import BaseRequest, RequestData

from bot.store import StoreUnavailable
from bot.telegram.health import Metrics, PollStampingRequest
from bot.telegram.ordering import TravellerOrder
from bot.telegram.store import TelegramStore

__all__ = ["DurableUpdateQueue", "InboxPollRequest", "InboxUpdateProcessor", "replay_inbox"]

log = logging.getLogger(__name__)


class DurableUpdateQueue(asyncio.Queue[object]):
    """The application's update queue: an update is in the inbox before it is queued."""

    def __init__(
        self, telegram: TelegramStore, on_received: Callable[[int], None] | None = None
    ) -> None:
        super().__init__()
        self.telegram = telegram
        self._on_received = on_received
        #: Updates whose batch is in the inbox already (long polling), until queued.
        self.stored: set[int] = set()
        #: Updates whose inbox write failed: handled all the same (see InboxUpdateProcessor).
        self.unstored: set[int] = set()

    async def put(self, item: object) -> None:
        """Store the update (if it is one and its batch was not stored), then queue it."""
        if isinstance(item, Update):
            if self._on_received is not None:
                self._on_received(item.update_id)
            if item.update_id in self.stored:
                self.stored.discard(item.update_id)
            else:
                await self._store_one(item)
        await super().put(item)

    async def _store_one(self, update: Update) -> None:
        """Write one update to the inbox (a webhook's, or one replayed at start-up)."""
        try:
            await self.telegram.off_loop(
                self.telegram.receive_update, update.update_id, update.to_dict()
            )
        except StoreUnavailable:
            # Handle it anyway: the handler tells the traveller the store is unavailable.
            log.warning("update %s could not be written to the inbox", update.update_id)
            self.unstored.add(update.update_id)


class InboxPollRequest(PollStampingRequest):
    """The getUpdates connection: each batch Telegram answers goes into the inbox in one
    transaction before python-telegram-bot reads it (and so before the next getUpdates call
    confirms it to Telegram)."""

    def __init__(self, metrics: Metrics, queue: DurableUpdateQueue, **options: Any) -> None:
        super().__init__(metrics, **options)
        self._queue = queue

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send the request; the updates of a 200 answer to getUpdates are stored first."""
        status, body = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        if status == 200 and url.endswith("/getUpdates"):
            await self._store_batch(body)
        return status, body

    async def _store_batch(self, body: bytes) -> None:
        """Write the batch to the inbox; if that fails, each update is tried once more as it
        is queued (and handled all the same if that fails too)."""
        try:
            updates = json.loads(body).get("result")
        except (ValueError, AttributeError):
            return  # python-telegram-bot reports the malformed answer
        if not isinstance(updates, list) or not updates:
            return
        payloads = [
            u for u in updates if isinstance(u, dict) and isinstance(u.get("update_id"), int)
        ]
        telegram = self._queue.telegram
        try:
            await telegram.off_loop(telegram.receive_updates, payloads)
        except StoreUnavailable:
            log.warning("a batch of %d update(s) could not be written to the inbox", len(payloads))
            return
        self._queue.stored.update(int(u["update_id"]) for u in payloads)


class InboxUpdateProcessor(SimpleUpdateProcessor):
    """Handles updates like PTB's own processor, then strikes them from the inbox."""

    def __init__(
        self,
        max_concurrent_updates: int,
        telegram: TelegramStore,
        on_handled: Callable[[int], None] | None = None,
        unstored: set[int] | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._telegram = telegram
        self._on_handled = on_handled
        #: One update per sender at a time (across processes on PostgreSQL), taken before
        #: the first await: the handlers wait for the store off the event loop, and must not
        #: overtake each other there.
        self._order = TravellerOrder(telegram.store, telegram.runner)
        self._unstored = unstored if unstored is not None else set()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle the update in its sender's turn (other processes too); once handled (errors
        included), it leaves the inbox."""
        try:
            if isinstance(update, Update):
                sender = update.effective_user.id if update.effective_user else None
                async with self._order.turn(update.update_id, sender) as pending:
                    if pending or update.update_id in self._unstored:
                        self._unstored.discard(update.update_id)
                        await coroutine
                    else:  # another instance handled it meanwhile (a replay after a restart)
                        log.info("update %s was handled by another instance", update.update_id)
                        _close(coroutine)
            else:
                await coroutine
        finally:
            if isinstance(update, Update):
                if self._on_handled is not None:
                    self._on_handled(update.update_id)
                try:
                    if not self._telegram.finished_already(update.update_id):
                        await self._telegram.off_loop(
                            self._telegram.finish_update, update.update_id
                        )
                except StoreUnavailable:  # handled again after a restart: harmless
                    log.warning("update %s could not be struck from the inbox", update.update_id)


def _close(coroutine: Awaitable[Any]) -> None:
    """Drop a handler coroutine that will not run (without a never-awaited warning)."""
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()


async def replay_inbox(telegram: TelegramStore, bot: Bot, queue: asyncio.Queue[object]) -> int:
    """Queue again every update that was received but not handled before the last stop."""
    pending = await telegram.off_loop(telegram.unfinished_updates)
    for payload in pending:
        await queue.put(Update.de_json(payload, bot))
    if pending:
        log.warning("handling %d update(s) received before the last stop", len(pending))
    return len(pending)

"""Updates are written down before Telegram forgets them.

python-telegram-bot confirms a batch of updates to Telegram with its next getUpdates call
(and a webhook's 200 answer confirms one), whether or not the bot has handled them yet. A
bot killed in between would lose what the traveller typed. So every update is stored in
the inbox as it is queued, before that confirmation, and removed once handled; at start-up
whatever is left is handled again. Answers applied twice are caught by the update id that
is saved with every draft.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, Update
from telegram.ext import SimpleUpdateProcessor

from bot.store import Store, StoreUnavailable
from bot.store.ordering import TravellerOrder

__all__ = ["DurableUpdateQueue", "InboxUpdateProcessor", "replay_inbox"]

log = logging.getLogger(__name__)


class DurableUpdateQueue(asyncio.Queue[object]):
    """The application's update queue: an update is in the inbox before it is queued."""

    def __init__(self, store: Store, on_received: Callable[[int], None] | None = None) -> None:
        super().__init__()
        self._store = store
        self._on_received = on_received
        #: Updates whose inbox write failed: handled all the same (see InboxUpdateProcessor).
        self.unstored: set[int] = set()

    async def put(self, item: object) -> None:
        """Store the update (if it is one), then queue it."""
        if isinstance(item, Update):
            if self._on_received is not None:
                self._on_received(item.update_id)
            try:
                self._store.receive_update(item.update_id, item.to_dict())
            except StoreUnavailable:
                # Handle it anyway: the handler tells the traveller the store is unavailable.
                log.warning("update %s could not be written to the inbox", item.update_id)
                self.unstored.add(item.update_id)
        await super().put(item)


class InboxUpdateProcessor(SimpleUpdateProcessor):
    """Handles updates like PTB's own processor, then strikes them from the inbox."""

    def __init__(
        self,
        max_concurrent_updates: int,
        store: Store,
        on_handled: Callable[[int], None] | None = None,
        unstored: set[int] | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._store = store
        self._on_handled = on_handled
        self._order = TravellerOrder(store)
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
                    self._store.finish_update(update.update_id)
                except StoreUnavailable:  # handled again after a restart: harmless
                    log.warning("update %s could not be struck from the inbox", update.update_id)


def _close(coroutine: Awaitable[Any]) -> None:
    """Drop a handler coroutine that will not run (without a never-awaited warning)."""
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()


async def replay_inbox(store: Store, bot: Bot, queue: asyncio.Queue[object]) -> int:
    """Queue again every update that was received but not handled before the last stop."""
    pending = store.unfinished_updates()
    for payload in pending:
        await queue.put(Update.de_json(payload, bot))
    if pending:
        log.warning("handling %d update(s) received before the last stop", len(pending))
    return len(pending)

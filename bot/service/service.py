"""The async face of the use cases: what every channel adapter calls from the event loop.

Each method runs one use case (a unit of work over the repositories) in the store's thread
pool through the one `StoreRunner`, so no handler blocks the event loop on the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, ParamSpec, TypeVar

from bot.config import Settings
from bot.report import Report
from bot.service import access, reports, trips
from bot.service.facade import StoreRunner
from bot.service.ports import Channel, Notifier
from bot.store import AccessAction, Draft, DraftVersion, OutboxItem, Store, Trip, UnitOfWork

__all__ = ["ReportService"]

_P = ParamSpec("_P")
_T = TypeVar("_T")


class ReportService:
    """Every use case of the bot, for any channel, awaitable."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        clock: Callable[[], datetime],
        runner: StoreRunner | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.runner = runner or StoreRunner()

    async def query(self, work: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """Any other store call (a read or a single-repository write), off the event loop."""
        return await self.runner.run(work, *args, **kwargs)

    # -- answer: the draft after every message ------------------------------------------------

    async def load_draft(self, user_ref: str) -> Draft | None:
        """The traveller's unfinished interview, or None."""
        return await self.runner.run(self.store.drafts.load, user_ref)

    async def save_draft(
        self, user_ref: str, state: dict[str, Any], *, expected: DraftVersion | None = None
    ) -> DraftVersion:
        """Store an answered interview before replying; its new version. With `expected`,
        only over that version (`StaleDraft` when another process changed it)."""
        return await self.runner.run(
            self.store.drafts.save_version, user_ref, state, self.clock(), expected=expected
        )

    async def discard_draft(self, user_ref: str) -> bool:
        """Throw the traveller's draft away (they stopped); whether there was one."""
        return await self.runner.run(self.store.drafts.delete, user_ref)

    # -- finish, resend, export -----------------------------------------------------------------

    async def finish(
        self,
        user_ref: str,
        report: Report,
        channel: Channel,
        *,
        trip_id: str | None = None,
        telegram_user_id: int | None = None,
        chat_id: int | None = None,
        draft: DraftVersion | None = None,
        within: Callable[[UnitOfWork], None] | None = None,
    ) -> bool:
        """Store the report, queue its deliveries, close its trip; False for a second finish
        (with `draft`, `StaleDraft` when the stored draft is no longer that version;
        `within(uow)`: the channel's own bookkeeping, in the same transaction)."""
        return await self.runner.run(
            reports.finish,
            self.store,
            self.settings,
            user_ref,
            report,
            channel,
            self.clock(),
            trip_id=trip_id,
            telegram_user_id=telegram_user_id,
            chat_id=chat_id,
            draft=draft,
            within=within,
        )

    async def resend(
        self, report_id: str, chat_id: int, requester_ref: str, *, stamp: str, secretariat: bool
    ) -> Report | None:
        """Queue a report's documents again for `chat_id` (own reports, or the secretariat)."""
        return await self.runner.run(
            reports.resend,
            self.store,
            report_id,
            chat_id,
            requester_ref,
            self.clock(),
            stamp=stamp,
            secretariat=secretariat,
        )

    async def export(self, year: int | None = None) -> list[Report]:
        """The reports to export: of one departure year, or all."""
        return await self.runner.run(reports.export_reports, self.store, year)

    # -- trips and reminders --------------------------------------------------------------------

    async def announce_trip(
        self,
        user_ref: str,
        destination: str,
        departure: date,
        return_date: date,
        by: str,
        notice: Callable[[Trip], Sequence[OutboxItem]] = lambda _trip: (),
    ) -> Trip:
        """Register a planned trip with its reminders (and `notice(trip)` queued)."""
        return await self.runner.run(
            trips.announce_trip,
            self.store,
            self.settings,
            user_ref,
            destination,
            departure,
            return_date,
            by,
            self.clock(),
            notice,
        )

    async def remind(
        self,
        notifier: Notifier,
        has_access: Callable[[str], bool],
        *,
        force: bool = False,
        batch: int = 1000,
    ) -> int:
        """Queue the due reminders; how many."""
        return await self.runner.run(
            trips.remind,
            self.store,
            self.settings,
            notifier,
            has_access,
            self.clock(),
            force=force,
            batch=batch,
        )

    async def snooze(self, trip_id: str, until: datetime) -> int:
        """Hold a trip's reminders until `until`."""
        return await self.runner.run(trips.snooze, self.store, trip_id, until)

    async def cancel_trip(
        self,
        user_ref: str,
        trip_id: str,
        reason: str,
        notice: Callable[[Trip], Sequence[OutboxItem]] = lambda _trip: (),
    ) -> Trip | None:
        """Cancel the traveller's planned trip with a reason; None when there is none."""
        return await self.runner.run(
            trips.cancel_trip, self.store, user_ref, trip_id, reason, self.clock(), notice
        )

    # -- access ---------------------------------------------------------------------------------

    async def request_access(
        self, user_ref: str, telegram_user_id: int, request: Callable[[int], OutboxItem]
    ) -> bool:
        """Ask the secretariat for access, once; whether a request was queued."""
        return await self.runner.run(
            access.request_access, self.store, user_ref, telegram_user_id, request, self.clock()
        )

    async def decide_access(
        self,
        user_ref: str,
        action: AccessAction,
        by_user_ref: str,
        *,
        telegram_user_id: int | None = None,
        outbox: Sequence[OutboxItem] = (),
    ) -> bool:
        """Approve, reject or revoke access, with the notice; whether anything was decided."""
        return await self.runner.run(
            access.decide_access,
            self.store,
            user_ref,
            action,
            by_user_ref,
            self.clock(),
            telegram_user_id=telegram_user_id,
            outbox=outbox,
        )

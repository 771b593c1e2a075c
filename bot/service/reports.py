"""Use cases around finished reports: finish one, send its documents again, export them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.config import Settings
from bot.reminders import covers
from bot.report import Report
from bot.service.deliveries import DOCUMENT, report_outbox
from bot.service.ports import Channel
from bot.store import DraftVersion, OutboxItem, Store, TripStatus, UnitOfWork

__all__ = ["export_reports", "finish", "resend"]


def finish(
    store: Store,
    settings: Settings,
    user_ref: str,
    report: Report,
    channel: Channel,
    now: datetime,
    *,
    trip_id: str | None = None,
    telegram_user_id: int | None = None,
    chat_id: int | None = None,
    draft: DraftVersion | None = None,
    within: Callable[[UnitOfWork], None] | None = None,
) -> bool:
    """In one unit of work: remember the traveller, store the report, drop the draft, queue
    its deliveries and close its trip (`trip_id`, else a planned trip its dates cover).
    `within(uow)` is the channel's own bookkeeping of the finish, in the same transaction.

    Returns False, storing no second copy, when this report was finished before (a
    double-tapped confirmation); the traveller's name is still remembered then. With `draft`,
    the report must come from that very version of the draft: one changed or erased
    meanwhile raises `StaleDraft` and nothing is stored."""
    with store.unit_of_work() as uow:
        traveller = report.traveller.model_copy(update={"user_ref": user_ref})
        uow.profiles.save(traveller, now, telegram_user_id=telegram_user_id, chat_id=chat_id)
        if within is not None:
            within(uow)
        if not uow.reports.add(user_ref, report, now):
            return False
        uow.drafts.delete(user_ref, expected=draft)
        uow.outbox.enqueue(report_outbox(report, channel, settings), now)
        if trip_id is None:
            planned = uow.trips.of_traveller(user_ref, TripStatus.PLANNED)
            matching = covers(report.period.departure, report.period.return_date, planned)
            trip_id = matching[0].trip_id if matching else None
        if trip_id is not None:
            uow.trips.set_status(trip_id, TripStatus.REPORTED, now, report_id=report.report_id)
    return True


def resend(
    store: Store,
    report_id: str,
    chat_id: int,
    requester_ref: str,
    now: datetime,
    *,
    stamp: str,
    secretariat: bool = False,
) -> Report | None:
    """Queue the report's Word and PDF file again for `chat_id`: only the traveller's own
    report, or any report for the secretariat; None (nothing queued) otherwise."""
    with store.unit_of_work() as uow:
        report = uow.reports.get(report_id)
        if report is None or not (secretariat or report.traveller.user_ref == requester_ref):
            return None
        uow.outbox.enqueue(
            [
                OutboxItem(
                    DOCUMENT,
                    f"{report.report_id}:resend:{chat_id}:{fmt}:{stamp}",
                    {"chat_id": chat_id, "report_id": report.report_id, "format": fmt},
                )
                for fmt in ("docx", "pdf")
            ],
            now,
        )
    return report


def export_reports(store: Store, year: int | None = None) -> list[Report]:
    """The reports of trips that departed in `year` (every report without), newest first."""
    return store.reports.in_year(year) if year is not None else store.reports.all()

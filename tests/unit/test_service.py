"""The service layer's async facade over a real SQLite file: use cases run in a store thread,
their errors reach the caller, and a unit of work is all or nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.report import Report
from bot.service import ReportService
from bot.store import OutboxItem, StaleDraft, Store, TripStatus
from bot.store.health import delivery_backlog
from testkit.example_report import example_report

pytestmark = pytest.mark.asyncio

NOW = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
JAN = "telegram:42"


class ChatChannel:
    """A channel that sends the traveller one document per finished report."""

    def report_copies(self, report: Report) -> Sequence[OutboxItem]:
        """One item for the traveller."""
        return [OutboxItem("telegram_document", f"{report.report_id}:traveller", {"chat_id": 42})]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh SQLite store."""
    opened = Store.open(f"sqlite:///{tmp_path / 's.sqlite3'}")
    yield opened
    opened.close()


def service_on(store: Store, **settings: object) -> ReportService:
    """The use cases over `store`, with a fixed clock."""
    return ReportService(store, Settings(_env_file=None, **settings), lambda: NOW)  # type: ignore[call-arg]


async def test_store_work_runs_off_the_event_loop_thread(store: Store) -> None:
    service = service_on(store)
    assert await service.query(threading.get_ident) != threading.get_ident()


async def test_a_save_over_a_stale_version_reaches_the_caller_and_changes_nothing(
    store: Store,
) -> None:
    service = service_on(store)
    first = await service.save_draft(JAN, {"q": "persons"})
    assert first.revision == 1
    assert (await service.save_draft(JAN, {"q": "period"}, expected=first)).revision == 2
    with pytest.raises(StaleDraft):
        await service.save_draft(JAN, {"q": "from an old copy"}, expected=first)
    draft = await service.load_draft(JAN)
    assert draft is not None and draft.state == {"q": "period"}


async def test_a_finish_from_a_stale_draft_stores_nothing(store: Store) -> None:
    service = service_on(store)
    seen = await service.save_draft(JAN, {"q": "confirm"})
    await service.save_draft(JAN, {"q": "confirm", "changed": "elsewhere"})
    with pytest.raises(StaleDraft):
        await service.finish(JAN, example_report(), ChatChannel(), draft=seen)
    assert store.reports.of_traveller(JAN) == []
    assert await service.load_draft(JAN) is not None


async def test_finish_stores_queues_and_closes_the_trip_once(store: Store) -> None:
    service = service_on(store, secretariat_chat_id=-100)
    trip = await service.announce_trip(JAN, "Wenen", date(2025, 4, 27), date(2025, 4, 29), JAN)
    await service.save_draft(JAN, {"q": "confirm"})
    report = example_report()
    assert await service.finish(JAN, report, ChatChannel(), trip_id=trip.trip_id)
    assert not await service.finish(JAN, report, ChatChannel(), trip_id=trip.trip_id)
    assert store.reports.of_traveller(JAN) == [report]
    assert await service.load_draft(JAN) is None
    closed = store.trips.get(trip.trip_id)
    assert closed is not None and closed.status is TripStatus.REPORTED
    # The traveller's copy, the secretariat's summary and its two files; queued once.
    assert delivery_backlog(store, NOW).outbox_waiting == 4
    profile = store.profiles.profile(JAN)
    assert profile is not None and profile.name == report.traveller.name


async def test_a_failing_finish_leaves_no_trace(store: Store) -> None:
    class Broken:
        def report_copies(self, report: Report) -> Sequence[OutboxItem]:
            return [OutboxItem("telegram_message", "bad", {"when": {1, 2}})]  # not JSON

    service = service_on(store)
    await service.save_draft(JAN, {"q": "confirm"})
    with pytest.raises(Exception, match="not JSON serializable"):
        await service.finish(JAN, example_report(), Broken())
    assert store.reports.of_traveller(JAN) == []
    assert await service.load_draft(JAN) is not None
    assert store.profiles.account(JAN) is None
    assert delivery_backlog(store, NOW).outbox_waiting == 0


async def test_a_traveller_cancels_only_their_own_planned_trip(store: Store) -> None:
    service = service_on(store)
    trip = await service.announce_trip(JAN, "Wenen", date(2025, 4, 27), date(2025, 4, 29), JAN)
    assert await service.cancel_trip("telegram:66", trip.trip_id, "niet van mij") is None
    cancelled = await service.cancel_trip(JAN, trip.trip_id, "Reis ging niet door")
    assert cancelled is not None
    stored = store.trips.get(trip.trip_id)
    assert stored is not None and stored.status is TripStatus.CANCELLED
    assert stored.cancel_reason == "Reis ging niet door"
    assert store.trips.due_reminders(datetime(2026, 1, 1, tzinfo=UTC)) == []
    assert await service.cancel_trip(JAN, trip.trip_id, "nog eens") is None

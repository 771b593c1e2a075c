"""The store on a real database file: profiles, drafts, reports, outbox, updates, trips, reminders.

Every test runs on SQLite in tmp_path; set REISVERSLAG_TEST_POSTGRES_URL (an empty
database the tests may wipe) to run them on PostgreSQL as well.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.report import Place, Report, TransportMode, Traveller, TripPeriod
from bot.service.reports import finish
from bot.store import (
    AccessAction,
    AccessStatus,
    DuplicateUpdate,
    OutboxItem,
    ReportConflict,
    Store,
    TripStatus,
    next_retry_delay,
)
from bot.store.health import delivery_backlog
from bot.telegram.store import TelegramStore
from testkit.databases import BACKENDS, apply_update, fresh_database_url

T0 = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
#: No secretariat chat and no e-mail: a finish queues only the traveller's copies.
SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


@dataclass
class Copies:
    """A channel whose copies of a finished report are the given outbox items."""

    items: Sequence[OutboxItem]

    def report_copies(self, report: Report) -> Sequence[OutboxItem]:
        """The items, whatever the report."""
        return self.items


def finish_report(
    store: Store,
    user_ref: str,
    report: Report,
    outbox: Sequence[OutboxItem],
    now: datetime,
    *,
    trip_id: str | None = None,
) -> bool:
    """The finish use case, with `outbox` as what the traveller's channel delivers."""
    return finish(store, SETTINGS, user_ref, report, Copies(outbox), now, trip_id=trip_id)


def waiting(store: Store) -> int:
    """How many outbox items are not delivered yet (as an operator's backlog shows)."""
    return delivery_backlog(store, T0).outbox_waiting


def status_of(store: Store, user_ref: str) -> AccessStatus | None:
    """The traveller's access status, None when unknown."""
    account = store.profiles.account(user_ref)
    return account.status if account else None


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file, or the wiped PostgreSQL test database."""
    return fresh_database_url(request.param, tmp_path)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """An open store on the fresh database."""
    opened = Store.open(database_url)
    yield opened
    opened.close()


def report_for(report_id: str, departure: date, **changes: object) -> Report:
    """A small finished report of a three-day train trip to Brussels."""
    fields: dict[str, object] = {
        "report_id": report_id,
        "traveller": Traveller(name="Anna de Wit", department="Stadsbeheer"),
        "persons": 1,
        "period": TripPeriod(departure=departure, return_date=departure + timedelta(days=2)),
        "destinations": [Place(name="Brussel", country="België", country_code="BE")],
        "modes": [TransportMode.TREIN],
        "purpose": "Overleg over Europese subsidies.",
        "locations": "Europese Commissie, Berlaymont.",
        "people_met": "- Beleidsmedewerker DG REGIO\n- Adviseur Eurocities",
        "results": "Een aanvraag die nu kans maakt. 🚆",
        "submitted_at": datetime(2025, 4, 30, 10, 0, tzinfo=UTC),
    }
    fields.update(changes)
    return Report.model_validate(fields)


def example_report(**changes: object) -> Report:
    """The same report under a fixed id."""
    return report_for("verslag-brussel", date(2025, 4, 27), **changes)


def delivery(key: str, **payload: object) -> OutboxItem:
    """A Telegram message to deliver once."""
    return OutboxItem(kind="telegram_message", dedupe_key=key, payload=dict(payload))


# -- travellers ---------------------------------------------------------------------------


def test_unknown_traveller_has_no_profile_and_no_status(store: Store) -> None:
    assert store.profiles.profile("telegram:1") is None
    assert status_of(store, "telegram:1") is None


def test_profile_round_trips(store: Store) -> None:
    traveller = Traveller(name="Anna de Wit", department="Stadsbeheer", user_ref="telegram:7")
    store.profiles.save(traveller, T0, telegram_user_id=7, chat_id=7)
    assert store.profiles.profile("telegram:7") == traveller
    account = store.profiles.account("telegram:7")
    assert account is not None
    assert (account.telegram_user_id, account.chat_id) == (7, 7)
    assert account.status is AccessStatus.ALLOWED


def test_saving_a_profile_again_keeps_what_was_not_given(store: Store) -> None:
    store.profiles.save(Traveller(name="A", department="B", user_ref="telegram:7"), T0, telegram_user_id=7, chat_id=70)  # fmt: skip
    later = T0 + timedelta(days=1)
    store.profiles.save(Traveller(name="Anna", department="DSO", user_ref="telegram:7"), later)
    account = store.profiles.account("telegram:7")
    assert account is not None
    assert (account.name, account.department) == ("Anna", "DSO")
    assert (account.telegram_user_id, account.chat_id) == (7, 70)  # not given: kept
    assert (account.created_at, account.updated_at) == (T0, later)
    store.profiles.save(Traveller(name="Anna", department="DSO", user_ref="telegram:7"), later, chat_id=71)  # fmt: skip
    account = store.profiles.account("telegram:7")
    assert account is not None and (account.telegram_user_id, account.chat_id) == (7, 71)


def test_profile_without_user_ref_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="user_ref"):
        store.profiles.save(Traveller(name="A", department="B"), T0)


def test_access_request_waits_until_approved(store: Store) -> None:
    store.profiles.audit(
        "telegram:2", AccessAction.REQUESTED, None, T0, telegram_user_id=2, chat_id=2
    )
    store.profiles.audit("telegram:3", AccessAction.REQUESTED, None, T0 + timedelta(minutes=1))
    assert (status_of(store, "telegram:2"), status_of(store, "telegram:3")) == (
        AccessStatus.PENDING,
        AccessStatus.PENDING,
    )
    assert store.profiles.profile("telegram:2") is None  # no name yet

    store.profiles.audit("telegram:2", AccessAction.GRANTED, None, T0 + timedelta(hours=1))
    assert status_of(store, "telegram:2") is AccessStatus.ALLOWED
    assert status_of(store, "telegram:3") is AccessStatus.PENDING
    account = store.profiles.account("telegram:2")
    assert account is not None
    assert account.telegram_user_id == 2  # kept when not given again
    assert account.created_at == T0
    assert account.updated_at == T0 + timedelta(hours=1)


def test_saving_a_profile_does_not_lift_a_rejection(store: Store) -> None:
    store.profiles.audit("telegram:4", AccessAction.REJECTED, None, T0)
    store.profiles.save(Traveller(name="X", department="Y", user_ref="telegram:4"), T0)
    assert status_of(store, "telegram:4") is AccessStatus.REJECTED


def test_unknown_access_action_is_refused() -> None:
    with pytest.raises(ValueError):
        AccessAction("maybe")


# -- drafts -------------------------------------------------------------------------------


def test_draft_revision_counts_every_save(store: Store) -> None:
    state = {"question": "persons", "answers": {}, "history": []}
    assert store.drafts.save("console:alice", state, T0) == 1
    state = {"question": "period", "answers": {"persons": 1}, "history": ["persons"]}
    assert store.drafts.save("console:alice", state, T0 + timedelta(minutes=1)) == 2
    assert store.drafts.save("console:bob", {"question": "persons"}, T0) == 1

    draft = store.drafts.load("console:alice")
    assert draft is not None
    assert draft.state == state
    assert draft.revision == 2
    assert draft.created_at == T0
    assert draft.updated_at == T0 + timedelta(minutes=1)


def test_draft_keeps_text_exactly_as_typed(store: Store) -> None:
    typed = "Regel één\n- punt 🚆 met “quotes” en \\n\ttab  \n"
    store.drafts.save("console:alice", {"answers": {"purpose": typed}, "n": [1, 2.5, None]}, T0)
    draft = store.drafts.load("console:alice")
    assert draft is not None
    assert draft.state == {"answers": {"purpose": typed}, "n": [1, 2.5, None]}


def test_deleted_draft_is_gone_and_restarts_at_revision_one(store: Store) -> None:
    store.drafts.save("console:alice", {"q": 1}, T0)
    store.drafts.save("console:alice", {"q": 2}, T0)
    assert store.drafts.delete("console:alice") is True
    assert store.drafts.load("console:alice") is None
    assert store.drafts.delete("console:alice") is False
    assert store.drafts.save("console:alice", {"q": 1}, T0) == 1


def test_idle_drafts_are_found_longest_idle_first(store: Store) -> None:
    store.drafts.save("console:recent", {}, T0 + timedelta(days=3))
    store.drafts.save("console:old", {}, T0)
    store.drafts.save("console:older", {}, T0 - timedelta(days=1))
    idle = store.drafts.idle_since(T0 + timedelta(days=1))
    assert [d.user_ref for d in idle] == ["console:older", "console:old"]


def test_times_come_back_in_utc_whatever_zone_went_in(store: Store) -> None:
    amsterdam = datetime(2025, 7, 1, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    store.drafts.save("console:alice", {}, amsterdam)
    draft = store.drafts.load("console:alice")
    assert draft is not None
    assert draft.updated_at == datetime(2025, 7, 1, 10, 0, tzinfo=UTC)
    assert draft.updated_at.tzinfo is UTC


def test_naive_time_is_refused(store: Store) -> None:
    with pytest.raises(Exception, match="timezone-aware"):
        store.drafts.save("console:alice", {}, datetime(2025, 5, 1, 9, 0))
    assert store.drafts.load("console:alice") is None


# -- processed updates --------------------------------------------------------------------


def test_update_is_applied_once(store: Store) -> None:
    assert apply_update(store, 1001, T0) is True
    assert apply_update(store, 1001, T0 + timedelta(seconds=5)) is False
    assert apply_update(store, 1002, T0) is True


def test_old_updates_are_pruned(store: Store) -> None:
    apply_update(store, 1001, T0)
    apply_update(store, 1002, T0 + timedelta(days=8))  # prunes 1001 (older than 7 days)
    assert apply_update(store, 1001, T0 + timedelta(days=8)) is True
    assert apply_update(store, 1002, T0 + timedelta(days=8)) is False


def test_redelivered_update_does_not_change_the_draft(store: Store) -> None:
    telegram = TelegramStore(store)
    assert (
        telegram.save_draft("telegram:7", {"answers": {"persons": 1}}, T0, update_id=50).revision
        == 1
    )
    assert (
        telegram.save_draft("telegram:7", {"answers": {"persons": 2}}, T0, update_id=51).revision
        == 2
    )
    with pytest.raises(DuplicateUpdate):
        telegram.save_draft("telegram:7", {"answers": {"persons": 1}}, T0, update_id=50)
    draft = store.drafts.load("telegram:7")
    assert draft is not None
    assert (draft.revision, draft.state) == (2, {"answers": {"persons": 2}})


# -- reports ------------------------------------------------------------------------------


def test_finished_report_round_trips_exactly(store: Store) -> None:
    report = example_report()
    assert store.reports.add("telegram:7", report, T0) is True
    assert store.reports.get(report.report_id) == report
    assert store.reports.get("no-such-report") is None


def test_same_report_again_is_a_no_op(store: Store) -> None:
    report = example_report()
    assert store.reports.add("telegram:7", report, T0) is True
    assert store.reports.add("telegram:7", report, T0 + timedelta(hours=1)) is False
    assert store.reports.all() == [report]


def test_report_is_never_overwritten(store: Store) -> None:
    original = example_report()
    store.reports.add("telegram:7", original, T0)
    changed = example_report(purpose="Iets heel anders.")
    with pytest.raises(ReportConflict):
        store.reports.add("telegram:7", changed, T0)
    with pytest.raises(ReportConflict):
        store.reports.add("telegram:8", original, T0)  # someone else's under the same id
    assert store.reports.get(original.report_id) == original


def test_reports_are_listed_per_traveller_and_per_year_newest_first(store: Store) -> None:
    first = report_for("r1", date(2024, 12, 30), submitted_at=datetime(2025, 1, 3, tzinfo=UTC))
    second = report_for("r2", date(2025, 3, 1), submitted_at=datetime(2025, 3, 5, tzinfo=UTC))
    third = report_for("r3", date(2025, 4, 1), submitted_at=datetime(2025, 4, 5, tzinfo=UTC))
    store.reports.add("telegram:7", first, T0)
    store.reports.add("telegram:7", third, T0)
    store.reports.add("telegram:8", second, T0)

    assert store.reports.of_traveller("telegram:7") == [third, first]
    assert store.reports.of_traveller("telegram:9") == []
    assert store.reports.in_year(2025) == [third, second]
    assert store.reports.in_year(2024) == [first]
    assert store.reports.all() == [third, second, first]


def test_report_without_submission_time_is_dated_now(store: Store) -> None:
    early = report_for("early", date(2025, 1, 6), submitted_at=None)
    late = report_for("late", date(2025, 1, 6), submitted_at=None)
    store.reports.add("telegram:7", late, T0 + timedelta(days=1))
    store.reports.add("telegram:7", early, T0)
    assert [r.report_id for r in store.reports.of_traveller("telegram:7")] == ["late", "early"]


# -- finishing a report -------------------------------------------------------------------


def test_finish_stores_report_drops_draft_and_queues_delivery(store: Store) -> None:
    report = example_report()
    store.drafts.save("telegram:7", {"question": "confirm"}, T0)
    outbox = [
        OutboxItem("telegram_document", f"{report.report_id}:traveller:docx", {"chat_id": 7}),
        OutboxItem("telegram_document", f"{report.report_id}:secretariat:docx", {"chat_id": -1}),
    ]
    assert finish_report(store, "telegram:7", report, outbox, T0) is True

    assert store.reports.get(report.report_id) == report
    assert store.drafts.load("telegram:7") is None
    assert waiting(store) == 2
    claimed = store.outbox.claim_due(T0, limit=10)
    assert {m.dedupe_key for m in claimed} == {item.dedupe_key for item in outbox}
    assert {m.kind for m in claimed} == {"telegram_document"}


def test_double_tapped_confirmation_finishes_once(store: Store) -> None:
    report = example_report()
    store.drafts.save("telegram:7", {"question": "confirm"}, T0)
    outbox = [delivery("report:traveller", chat_id=7)]
    assert finish_report(store, "telegram:7", report, outbox, T0) is True
    store.drafts.save("telegram:7", {"question": "persons"}, T0 + timedelta(seconds=1))

    assert finish_report(store, "telegram:7", report, outbox, T0 + timedelta(seconds=1)) is False
    assert waiting(store) == 1
    new_draft = store.drafts.load("telegram:7")  # the next report's draft is left alone
    assert new_draft is not None
    assert new_draft.state == {"question": "persons"}


def test_concurrent_double_tap_finishes_once(database_url: str) -> None:
    stores = [Store.open(database_url) for _ in range(4)]
    report = example_report()
    results: list[bool] = []
    barrier = threading.Barrier(len(stores))

    def confirm(store: Store) -> None:
        barrier.wait()
        results.append(finish_report(store, "telegram:7", report, [delivery("once")], T0))

    threads = [threading.Thread(target=confirm, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
    assert waiting(stores[0]) == 1
    for opened in stores:
        opened.close()


def test_failed_finish_changes_nothing(store: Store) -> None:
    report = example_report()
    store.drafts.save("telegram:7", {"question": "confirm"}, T0)
    unserialisable = OutboxItem("telegram_message", "bad", {"when": {1, 2}})
    with pytest.raises(Exception, match="not JSON serializable"):
        finish_report(store, "telegram:7", report, [delivery("good"), unserialisable], T0)

    assert store.reports.get(report.report_id) is None
    assert store.drafts.load("telegram:7") is not None
    assert waiting(store) == 0


# -- outbox -------------------------------------------------------------------------------


def test_enqueue_ignores_known_keys(store: Store) -> None:
    assert store.outbox.enqueue([delivery("a"), delivery("b"), delivery("a")], T0) == 2
    assert store.outbox.enqueue([delivery("b"), delivery("c")], T0) == 1
    assert waiting(store) == 3


def test_claimed_item_is_leased_to_one_worker(store: Store) -> None:
    store.outbox.enqueue([delivery("a", text="Hallo")], T0)
    [message] = store.outbox.claim_due(T0, limit=10, lease_seconds=60)
    assert (message.kind, message.payload, message.attempts) == (
        "telegram_message",
        {"text": "Hallo"},
        1,
    )
    assert message.claimed_until == T0 + timedelta(seconds=60)

    assert store.outbox.claim_due(T0 + timedelta(seconds=59)) == []
    [again] = store.outbox.claim_due(T0 + timedelta(seconds=60))  # the first worker died
    assert (again.id, again.attempts) == (message.id, 2)


def test_failed_delivery_waits_for_its_retry_time(store: Store) -> None:
    store.outbox.enqueue([delivery("a")], T0)
    [message] = store.outbox.claim_due(T0)
    retry_at = T0 + timedelta(seconds=next_retry_delay(message.attempts, retry_after=30))
    store.outbox.mark_failed(message.id, "429 Too Many Requests: retry after 30", retry_at)

    assert store.outbox.claim_due(retry_at - timedelta(seconds=1)) == []
    [again] = store.outbox.claim_due(retry_at)
    assert again.attempts == 2
    assert again.last_error == "429 Too Many Requests: retry after 30"


def test_sent_item_is_never_offered_again(store: Store) -> None:
    store.outbox.enqueue([delivery("a"), delivery("b")], T0)
    first, second = store.outbox.claim_due(T0, limit=10)
    assert store.outbox.mark_sent(first.id, T0) is True
    assert store.outbox.mark_sent(first.id, T0) is False
    assert waiting(store) == 1
    store.outbox.mark_failed(second.id, "timeout", T0)
    [retried] = store.outbox.claim_due(T0 + timedelta(hours=2), limit=10)
    assert retried.id == second.id
    assert waiting(store) == 1  # the retried one; the sent one stays sent


def test_claim_respects_limit_and_order(store: Store) -> None:
    store.outbox.enqueue([delivery("late")], T0 + timedelta(seconds=5))
    store.outbox.enqueue([delivery("early")], T0)
    store.outbox.enqueue([delivery("future")], T0 + timedelta(hours=1))
    [first] = store.outbox.claim_due(T0 + timedelta(minutes=1), limit=1)
    assert first.dedupe_key == "early"
    assert [m.dedupe_key for m in store.outbox.claim_due(T0 + timedelta(minutes=1))] == ["late"]


def test_workers_never_claim_the_same_item(database_url: str) -> None:
    workers = [Store.open(database_url) for _ in range(4)]
    workers[0].outbox.enqueue([delivery(f"item-{n}") for n in range(60)], T0)
    claimed: list[list[int]] = [[] for _ in workers]
    barrier = threading.Barrier(len(workers))

    def work(index: int) -> None:
        barrier.wait()
        while batch := workers[index].outbox.claim_due(T0, limit=3, lease_seconds=300):
            claimed[index].extend(message.id for message in batch)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every_claim = [item for ids in claimed for item in ids]
    assert len(every_claim) == 60
    assert len(set(every_claim)) == 60
    for worker in workers:
        worker.close()


def test_retry_delay_doubles_up_to_a_cap_and_honours_retry_after() -> None:
    assert [next_retry_delay(n) for n in (0, 1, 2, 3, 4)] == [5, 5, 10, 20, 40]
    assert next_retry_delay(12) == 3600
    assert next_retry_delay(10_000) == 3600
    assert next_retry_delay(1, retry_after=42) == 42
    assert next_retry_delay(5, retry_after=3) == 80


# -- trips and reminders ------------------------------------------------------------------


def add_vienna_trip(store: Store) -> str:
    """Register the example trip ahead; its id."""
    trip = store.trips.add(
        "telegram:7", "Wenen", date(2025, 4, 27), date(2025, 4, 29), "telegram:7", T0
    )
    return trip.trip_id


def test_trip_round_trips(store: Store) -> None:
    trip_id = add_vienna_trip(store)
    trip = store.trips.get(trip_id)
    assert trip is not None
    assert (trip.destination, trip.departure, trip.return_date) == (
        "Wenen",
        date(2025, 4, 27),
        date(2025, 4, 29),
    )
    assert trip.status is TripStatus.PLANNED
    assert store.trips.of_traveller("telegram:7") == [trip]
    assert store.trips.of_traveller("telegram:7", TripStatus.CANCELLED) == []
    assert store.trips.get("nope") is None
    with pytest.raises(ValueError):
        store.trips.add("telegram:7", "Wenen", date(2025, 5, 2), date(2025, 5, 1), "telegram:7", T0)


def test_scheduling_twice_creates_no_duplicates(store: Store) -> None:
    trip_id = add_vienna_trip(store)
    schedule = [("report_due", T0 + timedelta(days=n)) for n in (1, 3, 7)]
    assert store.trips.schedule_reminders(trip_id, schedule, T0) == 3
    assert store.trips.schedule_reminders(trip_id, [*schedule, ("escalation", T0)], T0) == 1
    assert len(store.trips.reminders(trip_id)) == 4
    with pytest.raises(KeyError):
        store.trips.schedule_reminders("nope", schedule, T0)


def test_due_reminders_skip_future_snoozed_and_cancelled(store: Store) -> None:
    trip_id = add_vienna_trip(store)
    store.trips.schedule_reminders(
        trip_id, [("report_due", T0 + timedelta(days=n)) for n in (1, 3)], T0
    )
    assert store.trips.due_reminders(T0) == []
    [due] = store.trips.due_reminders(T0 + timedelta(days=1))
    assert due.due_at == T0 + timedelta(days=1)

    assert store.trips.snooze_reminders(trip_id, T0 + timedelta(days=2)) == 2
    assert store.trips.due_reminders(T0 + timedelta(days=1, hours=12)) == []
    assert len(store.trips.due_reminders(T0 + timedelta(days=2))) == 1
    assert len(store.trips.due_reminders(T0 + timedelta(days=3))) == 2

    assert store.trips.cancel_reminders(trip_id, T0) == 2
    assert store.trips.due_reminders(T0 + timedelta(days=30)) == []


def test_reminder_is_marked_sent_once_and_queues_its_message(store: Store) -> None:
    trip_id = add_vienna_trip(store)
    store.trips.schedule_reminders(trip_id, [("report_due", T0)], T0)
    [reminder] = store.trips.due_reminders(T0)
    message = delivery(f"reminder:{reminder.id}", chat_id=7)
    for expected in (True, False):
        with store.unit_of_work() as uow:  # as the remind use case does it
            marked = uow.trips.mark_reminder_sent(reminder.id, T0)
            if marked:
                uow.outbox.enqueue([message], T0)
        assert marked is expected
    assert store.trips.due_reminders(T0 + timedelta(days=1)) == []
    assert waiting(store) == 1


def test_concurrent_senders_mark_a_reminder_once(database_url: str) -> None:
    senders = [Store.open(database_url) for _ in range(4)]
    trip_id = add_vienna_trip(senders[0])
    senders[0].trips.schedule_reminders(trip_id, [("report_due", T0)], T0)
    [reminder] = senders[0].trips.due_reminders(T0)
    results: list[bool] = []
    barrier = threading.Barrier(len(senders))

    def send(store: Store) -> None:
        barrier.wait()
        results.append(store.trips.mark_reminder_sent(reminder.id, T0))

    threads = [threading.Thread(target=send, args=(s,)) for s in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
    for sender in senders:
        sender.close()


def test_finishing_the_report_closes_the_trip_and_its_reminders(store: Store) -> None:
    trip_id = add_vienna_trip(store)
    store.trips.schedule_reminders(
        trip_id, [("report_due", T0 + timedelta(days=n)) for n in (0, 3)], T0
    )
    [first] = store.trips.due_reminders(T0)
    store.trips.mark_reminder_sent(first.id, T0)

    report = example_report()
    assert finish_report(store, "telegram:7", report, [], T0, trip_id=trip_id) is True
    trip = store.trips.get(trip_id)
    assert trip is not None
    assert (trip.status, trip.report_id) == (TripStatus.REPORTED, report.report_id)
    reminders = store.trips.reminders(trip_id)
    assert [(r.sent_at, r.cancelled_at) for r in reminders] == [(T0, None), (None, T0)]
    assert store.trips.due_reminders(T0 + timedelta(days=30)) == []


def test_cancelled_trip_keeps_its_reason(store: Store) -> None:
    trip_id = add_vienna_trip(store)
    store.trips.schedule_reminders(trip_id, [("report_due", T0)], T0)
    assert store.trips.set_status(trip_id, "cancelled", T0, cancel_reason="Reis ging niet door")
    trip = store.trips.get(trip_id)
    assert trip is not None
    assert (trip.status, trip.cancel_reason) == (TripStatus.CANCELLED, "Reis ging niet door")
    assert store.trips.due_reminders(T0) == []
    assert store.trips.set_status("nope", TripStatus.CANCELLED, T0) is False


# -- lifetime -----------------------------------------------------------------------------


def test_reopened_store_keeps_everything(database_url: str) -> None:
    with Store.open(database_url) as first:
        first.profiles.save(Traveller(name="A", department="B", user_ref="telegram:7"), T0)
        first.drafts.save("telegram:7", {"q": "persons"}, T0)
        first.drafts.save("telegram:7", {"q": "period"}, T0)
        finish_report(first, "telegram:8", example_report(), [delivery("x")], T0)
        trip_id = add_vienna_trip(first)

    with Store.open(database_url) as second:
        assert second.profiles.profile("telegram:7") == Traveller(
            name="A", department="B", user_ref="telegram:7"
        )
        draft = second.drafts.load("telegram:7")
        assert draft is not None
        assert (draft.revision, draft.state) == (2, {"q": "period"})
        assert second.reports.all() == [example_report()]
        assert waiting(second) == 1
        assert second.trips.get(trip_id) is not None
        assert second.drafts.save("telegram:7", {"q": "modes"}, T0) == 3


def test_a_snapshot_reads_several_repositories_at_one_moment_and_refuses_writes(
    store: Store,
) -> None:
    store.drafts.save("telegram:1", {"step": 1}, T0)
    store.profiles.set_language("telegram:1", "en", T0)
    with store.snapshot() as view:
        draft = view.drafts.load("telegram:1")
        assert draft is not None and draft.state == {"step": 1}
        assert view.profiles.language("telegram:1") == "en"
        with pytest.raises(TypeError, match="only reads"):
            view.drafts.save("telegram:2", {}, T0)
    assert store.drafts.load("telegram:2") is None

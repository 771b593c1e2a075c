"""AVG in the store: a traveller's data as one document, erasure, and the retention sweep,
on SQLite and (with REISVERSLAG_TEST_POSTGRES_URL) on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from bot.report import Traveller
from bot.store import AccessAction, AccessStatus, OutboxItem, Store
from bot.store.health import database_error, delivery_backlog
from bot.store.privacy import (
    ERASED_USER_REF,
    IdleDraft,
    RetentionPolicy,
    erase_personal_data,
    personal_data,
    run_retention,
)
from bot.telegram.store import TelegramStore
from testkit.databases import BACKENDS, apply_update, fresh_database_url
from testkit.example_report import example_report

T0 = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
ALICE, BOB = "telegram:42", "telegram:43"
POLICY = RetentionPolicy(
    sent_outbox_days=30,
    draft_days=90,
    draft_warning_days=7,
    access_request_days=30,
    processed_update_days=7,
)


def status_of(store: Store, user_ref: str) -> AccessStatus | None:
    """The traveller's access status, None when unknown."""
    account = store.profiles.account(user_ref)
    return account.status if account else None


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An open store on a fresh database of each backend."""
    opened = Store.open(fresh_database_url(request.param, tmp_path))
    yield opened
    opened.close()


def _message(key: str, chat_id: int, text: str) -> OutboxItem:
    return OutboxItem("telegram_message", key, {"chat_id": chat_id, "html": text})


def _fill(store: Store) -> None:
    """Alice (42) with profile, draft, report, trip, username, messages; Bob (43) likewise."""
    for ref, user_id, name in ((ALICE, 42, "Alice Jansen"), (BOB, 43, "Bob Bakker")):
        store.profiles.save(
            Traveller(name=name, department="Digitale Stad", user_ref=ref),
            T0,
            telegram_user_id=user_id,
            chat_id=user_id,
        )
        TelegramStore(store).remember_username(f"user{user_id}", user_id, T0)
        TelegramStore(store).expect_input(ref, "planned_trip", {"x": 1}, T0)
        store.trips.add(ref, "Wenen", date(2025, 6, 1), date(2025, 6, 3), ref, T0)
        report = example_report(
            report_id=f"r{user_id}",
            traveller=Traveller(name=name, department="Digitale Stad", user_ref=ref),
        )
        store.reports.add(ref, report, T0)
        store.outbox.enqueue([_message(f"sent{user_id}", user_id, name)], T0)
        store.drafts.save(ref, {"answers": {"purpose": f"geheim plan van {name}"}}, T0)
    for item in store.outbox.claim_due(T0):
        store.outbox.mark_sent(item.id, T0)


def test_personal_data_holds_everything_about_the_traveller_and_nothing_of_others(
    store: Store,
) -> None:
    _fill(store)
    data = personal_data(store, ALICE, 42, T0)
    text = json.dumps(data, ensure_ascii=False)
    assert data["account"]["name"] == "Alice Jansen"
    assert data["draft"]["state"]["answers"]["purpose"] == "geheim plan van Alice Jansen"
    assert [r["report_id"] for r in data["reports"]] == ["r42"]
    assert [t["destination"] for t in data["trips"]] == ["Wenen"]
    assert data["pending_input"]["kind"] == "planned_trip"
    assert [u["username"] for u in data["telegram_usernames"]] == ["user42"]
    assert [m["dedupe_key"] for m in data["messages_queued_or_recently_sent"]] == ["sent42"]
    # The secretariat's copy of Alice's report delivery is about her too.
    store.outbox.enqueue([_message("r42:secretariat:summary", -100, "Van: Alice Jansen")], T0)
    again = personal_data(store, ALICE, 42, T0)["messages_queued_or_recently_sent"]
    assert [m["dedupe_key"] for m in again] == ["sent42", "r42:secretariat:summary"]
    assert "Bob" not in text and "r43" not in text and "user43" not in text


def test_erasure_removes_draft_profile_usernames_and_keeps_the_reports_anonymised(
    store: Store,
) -> None:
    _fill(store)
    erased = erase_personal_data(store, ALICE, 42, T0)
    assert (erased.drafts, erased.usernames, erased.pending_inputs) == (1, 1, 1)
    assert erased.reports_anonymised == 1
    assert store.drafts.load(ALICE) is None
    assert store.profiles.profile(ALICE) is None
    assert TelegramStore(store).user_id_for_username("user42") is None
    assert TelegramStore(store).pending_input(ALICE) is None
    assert status_of(store, ALICE) is AccessStatus.ALLOWED  # may still report
    report = store.reports.get("r42")
    assert report is not None
    assert report.traveller.name == "Alice Jansen"  # the form's own fields stay
    assert report.traveller.user_ref == ""
    assert store.reports.of_traveller(ALICE) == []
    assert {r.report_id for r in store.reports.in_year(2025)} == {"r42", "r43"}
    left = json.dumps(personal_data(store, ALICE, 42, T0), ensure_ascii=False)
    assert "Alice" not in left and "geheim" not in left
    # Bob is untouched.
    assert store.drafts.load(BOB) is not None
    assert store.profiles.profile(BOB) is not None
    assert TelegramStore(store).user_id_for_username("user43") == 43
    assert store.reports.of_traveller(BOB)[0].report_id == "r43"
    assert ERASED_USER_REF not in {t.user_ref for t in store.trips.of_traveller(BOB)}


def test_erasure_of_a_stranger_deletes_their_access_request(store: Store) -> None:
    store.profiles.audit(
        "telegram:99", AccessAction.REQUESTED, None, T0, telegram_user_id=99, chat_id=99
    )
    assert erase_personal_data(store, "telegram:99", 99, T0).profile is True
    assert store.profiles.account("telegram:99") is None


def _warning(idle: IdleDraft) -> OutboxItem:
    chat = int(idle.user_ref.split(":")[1])
    return _message(f"retention:{idle.user_ref}:{idle.updated_at.isoformat()}", chat, "let op")


def test_idle_draft_is_warned_first_then_deleted_and_an_answer_resets_it(store: Store) -> None:
    store.drafts.save(ALICE, {"a": 1}, T0)
    store.drafts.save(BOB, {"b": 1}, T0)
    assert run_retention(store, POLICY, T0 + 82 * DAY, _warning).warned == ()
    first = run_retention(store, POLICY, T0 + 83 * DAY, _warning)
    assert set(first.warned) == {ALICE, BOB}
    assert {m.payload["chat_id"] for m in store.outbox.claim_due(T0 + 83 * DAY)} == {42, 43}
    assert run_retention(store, POLICY, T0 + 84 * DAY, _warning).warned == ()  # once
    store.drafts.save(BOB, {"b": 2}, T0 + 85 * DAY)  # Bob answers: his clock starts again
    # Day 90 is not enough: the warning must be 7 days old.
    swept = run_retention(store, POLICY, T0 + 89 * DAY, _warning)
    assert swept.drafts == 0
    swept = run_retention(store, POLICY, T0 + 90 * DAY, _warning)
    assert swept.drafts == 1
    assert store.drafts.load(ALICE) is None
    assert store.drafts.load(BOB) is not None


def test_a_draft_found_late_still_gets_its_full_warning_period(store: Store) -> None:
    store.drafts.save(ALICE, {"a": 1}, T0)
    run_retention(store, POLICY, T0 + 200 * DAY, _warning)  # the bot was off for months
    assert store.drafts.load(ALICE) is not None
    assert run_retention(store, POLICY, T0 + 206 * DAY, _warning).drafts == 0
    assert run_retention(store, POLICY, T0 + 207 * DAY, _warning).drafts == 1


def test_sent_outbox_bodies_go_after_n_days_unsent_ones_stay(store: Store) -> None:
    store.outbox.enqueue([_message("a", 42, "Alice"), _message("b", 42, "Alice")], T0)
    sent, unsent = store.outbox.claim_due(T0)
    store.outbox.mark_sent(sent.id, T0)
    assert run_retention(store, POLICY, T0 + 29 * DAY, _warning).outbox_bodies == 0
    assert run_retention(store, POLICY, T0 + 30 * DAY, _warning).outbox_bodies == 1
    [left] = store.outbox.claim_due(T0 + 31 * DAY, limit=10)  # the unsent one, still whole
    assert (left.id, left.payload) == (unsent.id, unsent.payload)
    assert delivery_backlog(store, T0 + 31 * DAY).outbox_waiting == 1


def test_strangers_requests_go_after_k_days_travellers_stay(store: Store) -> None:
    store.profiles.audit("telegram:90", AccessAction.REQUESTED, None, T0)
    store.profiles.audit("telegram:91", AccessAction.REJECTED, None, T0)
    store.profiles.audit("telegram:92", AccessAction.GRANTED, None, T0)
    store.profiles.audit("telegram:93", AccessAction.REQUESTED, None, T0 + 10 * DAY)
    swept = run_retention(store, POLICY, T0 + 30 * DAY, _warning)
    assert swept.access_requests == 2
    assert store.profiles.account("telegram:90") is None
    assert store.profiles.account("telegram:91") is None
    assert status_of(store, "telegram:92") is AccessStatus.ALLOWED
    assert status_of(store, "telegram:93") is AccessStatus.PENDING


def test_processed_update_ids_go_after_their_period(store: Store) -> None:
    apply_update(store, 1, T0)
    apply_update(store, 2, T0 + 5 * DAY)
    assert run_retention(store, POLICY, T0 + 8 * DAY, _warning).processed_updates == 1
    assert apply_update(store, 1, T0 + 8 * DAY) is True
    assert apply_update(store, 2, T0 + 8 * DAY) is False


def test_a_forged_overlong_username_is_not_stored(store: Store) -> None:
    TelegramStore(store).remember_username("a" * 100, 42, T0)
    TelegramStore(store).remember_username("x;drop", 43, T0)
    assert TelegramStore(store).user_id_for_username("a" * 100) is None
    assert TelegramStore(store).user_id_for_username("x;drop") is None


def test_delivery_backlog_counts_waiting_overdue_failing_and_due_reminders(store: Store) -> None:
    assert database_error(store.engine) is None
    empty = delivery_backlog(store, T0)
    assert (empty.outbox_waiting, empty.outbox_oldest_seconds, empty.reminders_due) == (0, 0, 0)
    store.outbox.enqueue([_message("a", 42, "x"), _message("b", 42, "y")], T0)
    [first, _second] = store.outbox.claim_due(T0 + timedelta(seconds=10))
    store.outbox.mark_failed(first.id, "boom", T0 + timedelta(hours=1))
    trip = store.trips.add(ALICE, "Wenen", date(2025, 4, 1), date(2025, 4, 3), ALICE, T0)
    store.trips.schedule_reminders(trip.trip_id, [("after", T0), ("later", T0 + DAY)], T0)
    backlog = delivery_backlog(store, T0 + timedelta(minutes=10))
    assert backlog.outbox_waiting == 2
    assert backlog.outbox_oldest_seconds == pytest.approx(600)
    assert backlog.outbox_overdue_seconds == pytest.approx(600)  # the second, due since T0
    assert backlog.outbox_failing == 1
    assert backlog.reminders_due == 1


def test_database_error_names_the_cause(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'missing' / 'x.sqlite3'}")
    error = database_error(engine)
    engine.dispose()
    assert error is not None and "unable to open database file" in error

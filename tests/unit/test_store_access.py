"""The access audit and the supergroup move in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.outbox import OutboxWorker
from bot.service.access import decide_access, request_access
from bot.store import AccessAction, AccessStatus, OutboxItem, Store
from bot.store.health import delivery_backlog
from testkit.databases import BACKENDS, fresh_database_url

T0 = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
STRANGER = "telegram:555"


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An open store on a fresh database: SQLite, and PostgreSQL when the test server runs."""
    opened = Store.open(fresh_database_url(request.param, tmp_path))
    yield opened
    opened.close()


def status_of(store: Store, user_ref: str) -> AccessStatus | None:
    """The traveller's access status, None when unknown."""
    account = store.profiles.account(user_ref)
    return account.status if account else None


def request_item(user_id: int) -> Callable[[int], OutboxItem]:
    """The secretariat's message for an access request, keyed per audit line."""
    return lambda audit_id: OutboxItem(
        "telegram_message", f"access-request:{user_id}:{audit_id}", {"chat_id": -1, "html": "?"}
    )


def test_a_stranger_reaches_the_secretariat_once_per_open_request(store: Store) -> None:
    assert request_access(store, STRANGER, 555, request_item(555), T0) is True
    for _ in range(3):
        assert request_access(store, STRANGER, 555, request_item(555), T0) is False
    assert delivery_backlog(store, T0).outbox_waiting == 1
    assert status_of(store, STRANGER) is AccessStatus.PENDING
    latest = store.profiles.latest_access(STRANGER)
    assert latest is not None and (latest.action, latest.by_user_ref) == (
        AccessAction.REQUESTED,
        STRANGER,
    )


def test_access_requests_are_spaced_in_the_outbox(store: Store) -> None:
    for user_id in range(1, 4):
        request_access(store, f"telegram:{user_id}", user_id, request_item(user_id), T0)
    assert [item.id for item in store.outbox.claim_due(T0, limit=10)] != []
    assert len(store.outbox.claim_due(T0 + timedelta(seconds=3.2), limit=10)) == 1
    assert len(store.outbox.claim_due(T0 + timedelta(seconds=6.3), limit=10)) == 1


def test_only_an_open_request_can_be_granted_and_every_decision_is_audited(store: Store) -> None:
    assert decide_access(store, STRANGER, AccessAction.GRANTED, "telegram:7", T0) is False
    request_access(store, STRANGER, 555, request_item(555), T0)
    later = T0 + timedelta(minutes=5)
    notice = OutboxItem("telegram_message", "granted:555", {"chat_id": 555, "html": "ok"})
    assert decide_access(
        store, STRANGER, AccessAction.GRANTED, "telegram:7", later, outbox=[notice]
    )
    assert decide_access(store, STRANGER, AccessAction.REJECTED, "telegram:8", later) is False
    assert status_of(store, STRANGER) is AccessStatus.ALLOWED
    granted = store.profiles.latest_access(STRANGER)
    assert granted is not None
    assert (granted.action, granted.by_user_ref, granted.at) == (
        AccessAction.GRANTED,
        "telegram:7",
        later,
    )
    assert [e.user_ref for e in store.profiles.granted_access()] == [STRANGER]
    assert decide_access(store, STRANGER, AccessAction.REVOKED, "telegram:9", later)
    assert decide_access(store, STRANGER, AccessAction.REVOKED, "telegram:9", later) is False
    assert store.profiles.granted_access() == []
    revoked = store.profiles.latest_access(STRANGER)
    assert revoked is not None and revoked.id > granted.id
    assert (revoked.action, revoked.by_user_ref) == (AccessAction.REVOKED, "telegram:9")
    assert status_of(store, STRANGER) is AccessStatus.REJECTED
    assert request_access(store, STRANGER, 555, request_item(555), later) is True  # may ask again


def test_a_rejected_stranger_does_not_reach_the_secretariat_again(store: Store) -> None:
    request_access(store, STRANGER, 555, request_item(555), T0)
    assert decide_access(store, STRANGER, AccessAction.REJECTED, "telegram:7", T0)
    assert request_access(store, STRANGER, 555, request_item(555), T0) is False


def test_supergroup_move_repoints_only_undelivered_items(store: Store) -> None:
    store.outbox.enqueue(
        [
            OutboxItem("telegram_message", "a", {"chat_id": -100, "html": "a"}),
            OutboxItem("telegram_message", "b", {"chat_id": -100, "html": "b"}),
            OutboxItem("telegram_message", "c", {"chat_id": 42, "html": "c"}),
        ],
        T0,
    )
    first = store.outbox.claim_due(T0, limit=1)[0]
    store.outbox.mark_sent(first.id, T0)
    assert store.outbox.move_chat(-100, -100777) == 1  # the sent one stays where it went
    undelivered = store.outbox.claim_due(T0 + timedelta(hours=1), limit=10)
    assert {m.dedupe_key: m.payload["chat_id"] for m in undelivered} == {"b": -100777, "c": 42}


async def test_after_a_crash_mid_delivery_the_document_goes_out_within_half_a_minute(
    store: Store,
) -> None:
    store.outbox.enqueue([OutboxItem("telegram_document", "doc", {"chat_id": 42})], T0)
    sent: list[dict[str, object]] = []

    async def deliver(payload: dict[str, object]) -> None:
        sent.append(payload)

    crashed = OutboxWorker(store=store, senders={}, clock=lambda: T0)
    store.outbox.claim_due(T0, lease_seconds=crashed.lease_seconds)  # claimed, then kill -9
    now = T0 + timedelta(seconds=20)
    restarted = OutboxWorker(store=store, senders={"telegram_document": deliver}, clock=lambda: now)
    assert await restarted.flush() == 0  # the first worker might still be sending
    now = T0 + timedelta(seconds=30)
    assert await restarted.flush() == 1
    assert sent == [{"chat_id": 42}]


async def test_a_stopping_worker_ends_after_the_delivery_in_hand_and_gives_the_rest_back(
    store: Store,
) -> None:
    store.outbox.enqueue(
        [OutboxItem("telegram_message", key, {"chat_id": 42, "html": key}) for key in "abcde"], T0
    )
    sent: list[str] = []

    async def deliver(payload: dict[str, Any]) -> None:
        sent.append(payload["html"])  # the bot is told to stop while this one goes out

    worker = OutboxWorker(
        store=store,
        senders={"telegram_message": deliver},
        clock=lambda: T0,
        keep_going=lambda: not sent,
    )
    assert await worker.flush() == 1
    assert sent == ["a"]
    # The four claimed with it are due again at once (no lease to wait out, e.g. after a
    # restart), and the claim that was given back is not counted as an attempt.
    again = store.outbox.claim_due(T0, limit=10)
    assert [(m.dedupe_key, m.attempts) for m in again] == [(k, 1) for k in "bcde"]


def test_giving_back_a_claim_leaves_another_workers_newer_lease_alone(store: Store) -> None:
    store.outbox.enqueue([OutboxItem("telegram_message", "a", {"chat_id": 42, "html": "a"})], T0)
    [stale] = store.outbox.claim_due(T0, lease_seconds=25)
    later = T0 + timedelta(seconds=30)  # that lease ended; another worker claimed it since
    [theirs] = store.outbox.claim_due(later, lease_seconds=25)

    store.outbox.release([stale])

    assert store.outbox.claim_due(later + timedelta(seconds=1)) == []  # still theirs
    store.outbox.release([theirs])
    assert [m.attempts for m in store.outbox.claim_due(later + timedelta(seconds=1))] == [2]


async def test_a_stopping_worker_starts_no_new_flush(store: Store) -> None:
    store.outbox.enqueue([OutboxItem("telegram_message", "a", {"chat_id": 42, "html": "a"})], T0)
    spawned: list[object] = []

    def spawn(flush: Coroutine[Any, Any, Any]) -> asyncio.Future[None]:
        spawned.append(flush)
        flush.close()  # never run here
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    stopping = OutboxWorker(
        store=store, senders={}, clock=lambda: T0, spawn=spawn, keep_going=lambda: False
    )
    stopping.kick()
    assert spawned == []
    assert len(store.outbox.claim_due(T0)) == 1  # still queued, unclaimed

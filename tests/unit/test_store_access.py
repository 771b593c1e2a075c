"""The access audit and the supergroup move in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.outbox import OutboxWorker
from bot.store import AccessAction, AccessStatus, OutboxItem, Store
from testkit.databases import BACKENDS, fresh_database_url

T0 = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
STRANGER = "telegram:555"


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An open store on a fresh database: SQLite, and PostgreSQL when the test server runs."""
    opened = Store.open(fresh_database_url(request.param, tmp_path))
    yield opened
    opened.close()


def request_item(user_id: int) -> Callable[[int], OutboxItem]:
    """The secretariat's message for an access request, keyed per audit line."""
    return lambda audit_id: OutboxItem(
        "telegram_message", f"access-request:{user_id}:{audit_id}", {"chat_id": -1, "html": "?"}
    )


def test_a_stranger_reaches_the_secretariat_once_per_open_request(store: Store) -> None:
    assert store.request_access(STRANGER, 555, request_item(555), T0) is True
    for _ in range(3):
        assert store.request_access(STRANGER, 555, request_item(555), T0) is False
    assert store.pending_count() == 1
    assert store.access_status(STRANGER) is AccessStatus.PENDING
    assert [e.action for e in store.access_log(STRANGER)] == [AccessAction.REQUESTED]


def test_access_requests_are_spaced_in_the_outbox(store: Store) -> None:
    for user_id in range(1, 4):
        store.request_access(f"telegram:{user_id}", user_id, request_item(user_id), T0)
    assert [item.id for item in store.claim_due(T0, limit=10)] != []
    assert len(store.claim_due(T0 + timedelta(seconds=3.2), limit=10)) == 1
    assert len(store.claim_due(T0 + timedelta(seconds=6.3), limit=10)) == 1


def test_only_an_open_request_can_be_granted_and_every_decision_is_audited(store: Store) -> None:
    assert store.decide_access(STRANGER, AccessAction.GRANTED, "telegram:7", T0) is False
    store.request_access(STRANGER, 555, request_item(555), T0)
    later = T0 + timedelta(minutes=5)
    notice = OutboxItem("telegram_message", "granted:555", {"chat_id": 555, "html": "ok"})
    assert store.decide_access(STRANGER, AccessAction.GRANTED, "telegram:7", later, outbox=[notice])
    assert store.decide_access(STRANGER, AccessAction.REJECTED, "telegram:8", later) is False
    assert store.access_status(STRANGER) is AccessStatus.ALLOWED
    assert [e.user_ref for e in store.granted_access()] == [STRANGER]
    assert store.decide_access(STRANGER, AccessAction.REVOKED, "telegram:9", later)
    assert store.decide_access(STRANGER, AccessAction.REVOKED, "telegram:9", later) is False
    assert store.granted_access() == []
    log = store.access_log(STRANGER)
    assert [(e.action, e.by_user_ref) for e in log] == [
        (AccessAction.REQUESTED, STRANGER),
        (AccessAction.GRANTED, "telegram:7"),
        (AccessAction.REVOKED, "telegram:9"),
    ]
    assert log[1].at == later and store.access_status(STRANGER) is AccessStatus.REJECTED
    assert store.request_access(STRANGER, 555, request_item(555), later) is True  # may ask again


def test_a_rejected_stranger_does_not_reach_the_secretariat_again(store: Store) -> None:
    store.request_access(STRANGER, 555, request_item(555), T0)
    assert store.decide_access(STRANGER, AccessAction.REJECTED, "telegram:7", T0)
    assert store.request_access(STRANGER, 555, request_item(555), T0) is False


def test_supergroup_move_repoints_only_undelivered_items(store: Store) -> None:
    store.enqueue(
        [
            OutboxItem("telegram_message", "a", {"chat_id": -100, "html": "a"}),
            OutboxItem("telegram_message", "b", {"chat_id": -100, "html": "b"}),
            OutboxItem("telegram_message", "c", {"chat_id": 42, "html": "c"}),
        ],
        T0,
    )
    first = store.claim_due(T0, limit=1)[0]
    store.mark_sent(first.id, T0)
    assert store.move_outbox_chat(-100, -100777) == 1
    chats = {store.outbox_item(i).payload["chat_id"] for i in (1, 2, 3)}  # type: ignore[union-attr]
    assert chats == {-100, -100777, 42}
    assert store.outbox_item(first.id).payload["chat_id"] == -100  # type: ignore[union-attr]


async def test_after_a_crash_mid_delivery_the_document_goes_out_within_half_a_minute(
    store: Store,
) -> None:
    store.enqueue([OutboxItem("telegram_document", "doc", {"chat_id": 42})], T0)
    sent: list[dict[str, object]] = []

    async def deliver(payload: dict[str, object]) -> None:
        sent.append(payload)

    crashed = OutboxWorker(store=store, senders={}, clock=lambda: T0)
    store.claim_due(T0, lease_seconds=crashed.lease_seconds)  # claimed, then kill -9
    now = T0 + timedelta(seconds=20)
    restarted = OutboxWorker(store=store, senders={"telegram_document": deliver}, clock=lambda: now)
    assert await restarted.flush() == 0  # the first worker might still be sending
    now = T0 + timedelta(seconds=30)
    assert await restarted.flush() == 1
    assert sent == [{"chat_id": 42}]

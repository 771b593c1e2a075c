"""Use cases around access: who may use the bot, asking for access, approving or revoking it.
Every decision is an audit line, written in the unit that queues the notice about it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from bot.store import AccessAction, AccessEvent, OutboxItem, Store

__all__ = ["allowed_by", "decide_access", "is_allowed", "request_access"]

#: Access requests to the secretariat are queued with this dedupe-key prefix.
ACCESS_REQUEST_PREFIX = "access-request:"


def is_allowed(store: Store, user_ref: str, *, listed: bool) -> bool:
    """Granted by the secretariat, or `listed` (ALLOWED_USER_IDS) and never revoked since."""
    return allowed_by(store.profiles.latest_access(user_ref), listed=listed)


def allowed_by(latest: AccessEvent | None, *, listed: bool) -> bool:
    """Whether the newest access decision (or, without one, being `listed`) lets them in."""
    if latest is None:
        return listed
    return latest.action is AccessAction.GRANTED


def request_access(
    store: Store,
    user_ref: str,
    telegram_user_id: int,
    request: Callable[[int], OutboxItem],
    now: datetime,
    *,
    spacing_seconds: float = 3.1,
) -> bool:
    """Record an access request and queue `request(audit_id)` for the secretariat.

    Nothing happens (False) while an earlier request is open or after a decision, so
    each stranger reaches the secretariat once. Requests are spaced `spacing_seconds`
    apart in the outbox: a crowd of strangers never blocks other deliveries."""
    with store.unit_of_work() as uow:
        latest = uow.profiles.latest_access(user_ref)
        if latest is not None and latest.action in (
            AccessAction.REQUESTED,
            AccessAction.REJECTED,
            AccessAction.GRANTED,
        ):
            return False
        audit_id = uow.profiles.audit(
            user_ref, AccessAction.REQUESTED, user_ref, now, telegram_user_id=telegram_user_id
        )
        slot = uow.outbox.next_slot(ACCESS_REQUEST_PREFIX, spacing_seconds, now)
        uow.outbox.enqueue([request(audit_id)], now, due=slot)
    return True


def decide_access(
    store: Store,
    user_ref: str,
    action: AccessAction,
    by_user_ref: str | None,
    now: datetime,
    *,
    telegram_user_id: int | None = None,
    outbox: Sequence[OutboxItem] = (),
) -> bool:
    """Grant or reject an open request, or revoke access; False when there is nothing to
    decide (no open request, or already revoked). `outbox` (the traveller's notice) is
    queued in the same unit. Revoking also ends the reminders of their planned trips."""
    if action is AccessAction.REQUESTED:
        raise ValueError("use request_access for requests")
    with store.unit_of_work() as uow:
        latest = uow.profiles.latest_access(user_ref)
        if action is AccessAction.REVOKED:
            if latest is not None and latest.action in (
                AccessAction.REVOKED,
                AccessAction.REJECTED,
            ):
                return False
        elif latest is None or latest.action is not AccessAction.REQUESTED:
            return False
        uow.profiles.audit(user_ref, action, by_user_ref, now, telegram_user_id=telegram_user_id)
        uow.outbox.enqueue(outbox, now)
        if action is AccessAction.REVOKED:
            for trip in uow.trips.of_traveller(user_ref, "planned"):
                uow.trips.cancel_reminders(trip.trip_id, now)
    return True

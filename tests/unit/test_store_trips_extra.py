"""Store additions for reminders and the secretariat: planned trips, pending inputs, usernames."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from bot.store import Store, TripStatus
from bot.telegram.store import TelegramStore

NOW = datetime(2025, 4, 1, 9, tzinfo=UTC)


def test_planned_trips_pending_inputs_and_usernames_survive_a_reopen(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    with Store.open(url) as store:
        late = store.trips.add(
            "telegram:1", "Wenen", date(2025, 4, 27), date(2025, 4, 29), "x", NOW
        )
        early = store.trips.add(
            "telegram:2", "Parijs", date(2025, 4, 2), date(2025, 4, 3), "x", NOW
        )
        gone = store.trips.add("telegram:3", "Rome", date(2025, 3, 2), date(2025, 3, 3), "x", NOW)
        store.trips.set_status(gone.trip_id, TripStatus.CANCELLED, NOW, cancel_reason="afgelast")
        telegram = TelegramStore(store)
        telegram.expect_input("telegram:1", "trip", {}, NOW)
        telegram.expect_input("telegram:1", "cancel_reason", {"trip_id": late.trip_id}, NOW)
        telegram.remember_username("@JanDV", 1, NOW)
    with Store.open(url) as store:
        assert [t.trip_id for t in store.trips.planned()] == [early.trip_id, late.trip_id]
        usernames = TelegramStore(store)
        assert usernames.pending_input("telegram:1") == (
            "cancel_reason",
            {"trip_id": late.trip_id},
        )
        assert usernames.pending_input("telegram:2") is None
        assert usernames.clear_input("telegram:1") and not usernames.clear_input("telegram:1")
        assert usernames.user_id_for_username("jandv") == 1
        assert usernames.user_id_for_username("@JANDV") == 1
        assert usernames.user_id_for_username("piet") is None

"""Two reminder rounds at once (the job and /herinner, or two instances) send each reminder once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path

from bot.config import Settings
from bot.service import trips
from bot.store import Account, OutboxItem, Store, Trip

NOW = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)
TRIPS = 150


class Reminders:
    """A notifier that writes every reminder as an outbox item keyed by its reminder."""

    def reminder(
        self,
        trip: Trip,
        account: Account | None,
        reminder_id: int,
        *,
        first: bool,
        has_draft: bool,
        language: str,
    ) -> OutboxItem | None:
        return OutboxItem("reminder", f"reminder:{reminder_id}", {"trip_id": trip.trip_id})


def test_rounds_running_together_queue_each_due_reminder_once(tmp_path: Path) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    with Store.open(f"sqlite:///{tmp_path / 'rounds.sqlite3'}") as store:
        for n in range(TRIPS):
            trips.announce_trip(
                store, settings, f"telegram:{n}", "Wenen", date(2025, 4, 27),
                date(2025, 4, 29), "test", datetime(2025, 4, 1, tzinfo=UTC),
            )  # fmt: skip
        queued: list[int] = []
        failures: list[BaseException] = []

        def round_() -> None:
            try:
                queued.append(
                    trips.remind(store, settings, Reminders(), lambda _ref: True, NOW, force=True)
                )
            except BaseException as error:
                failures.append(error)

        rounds = [threading.Thread(target=round_) for _ in range(3)]
        for thread in rounds:
            thread.start()
        for thread in rounds:
            thread.join(120)

        assert failures == []
        assert sum(queued) == TRIPS  # one reminder per trip (the newest due), across the rounds

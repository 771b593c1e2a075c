"""Reminders end to end: /reis, the invitation after return, Verder/Later/Niet nodig, restarts.

The real application runs against the fake Bot API server; the clock is a settable
value, and a reminder round is triggered by calling the job's function (never by waiting).
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.store import AccessAction, Store, TripStatus
from bot.store.health import delivery_backlog
from bot.telegram.reminders import run_reminders
from bot.telegram.services import Services
from testkit.bot_harness import SECRETARIAT_ID, TRAVELLER_ID, RunningBot, running_bot
from testkit.conversation import reply_containing
from testkit.example_report import example_report
from testkit.fake_telegram import FakeTelegram, UserClient

pytestmark = pytest.mark.asyncio
AMS = ZoneInfo("Europe/Amsterdam")
JAN = f"telegram:{TRAVELLER_ID}"


class Clock:
    """A clock the test sets by hand."""

    def __init__(self, now: datetime) -> None:
        """Start at `now`."""
        self.now = now

    def __call__(self) -> datetime:
        """The time the test set."""
        return self.now


def at(month: int, day: int, hour: int = 10) -> datetime:
    """A wall-clock time in Amsterdam in 2025."""
    return datetime(2025, month, day, hour, tzinfo=AMS)


def desk_bot(
    server: FakeTelegram, database: Path, clock: Clock, **overrides: Any
) -> AbstractAsyncContextManager[RunningBot]:
    """The whole bot (polling) on the fake server with a settable clock."""
    return running_bot(server, database, clock, **overrides)


def svc_of(bot: RunningBot) -> Services:
    """The running application's services."""
    return bot.application.bot_data["services"]  # type: ignore[no-any-return]


async def announce_vienna(jan: UserClient) -> None:
    """Jan announces his trip with the guided /reis exchange."""
    await jan.send("/reis")
    await reply_containing(jan, "Waar ga je naartoe")
    await jan.send("Wenen 27-04 t/m 29-04")
    done = await reply_containing(jan, "Genoteerd")
    assert "Wenen" in done.plain_text and "29 april" in done.plain_text


async def test_invitation_after_return_continues_with_what_is_known(tmp_path: Path) -> None:
    clock = Clock(at(4, 14))
    async with FakeTelegram() as server, desk_bot(server, tmp_path / "b.sqlite3", clock) as bot:
        server.group(SECRETARIAT_ID, "Secretariaat")
        jan = server.user(TRAVELLER_ID, "Jan")
        await announce_vienna(jan)
        (trip,) = bot.store.trips.of_traveller(JAN)
        assert [r.kind for r in bot.store.trips.reminders(trip.trip_id)] == [
            "dag-1", "dag-3", "dag-7", "dag-14",
        ]  # fmt: skip

        clock.now = at(4, 29, 20)  # back, but nothing is due yet
        assert await run_reminders(svc_of(bot)) == 0
        clock.now = at(4, 30, 9)  # Wednesday morning, the day after return
        assert await run_reminders(svc_of(bot)) == 1
        invitation = await reply_containing(jan, "Welkom terug uit Wenen")
        assert invitation.buttons == ["Beginnen", "Later", "Niet nodig"]
        assert await run_reminders(svc_of(bot)) == 0  # never twice

        await jan.click("Beginnen")
        await reply_containing(jan, "Bestemming en data heb ik ingevuld")
        period = await reply_containing(jan, "Wanneer was de reis?")
        assert "Ongewijzigd" in period.buttons
        await jan.click("Ongewijzigd")
        persons = await reply_containing(jan, "Met hoeveel personen")
        assert persons.buttons[:4] == ["1", "2", "3", "4"]
        draft = bot.store.drafts.load(JAN)
        assert draft is not None
        answers = draft.state["interview"]["answers"]
        assert answers["destinations"][0]["name"] == "Wenen"
        assert answers["period"]["departure"] == "2025-04-27"

        clock.now = at(5, 2, 9)  # day 3; the draft was idle since 30 April
        assert await run_reminders(svc_of(bot)) == 1
        reminder = await reply_containing(jan, "Je verslag is nog niet af")
        assert reminder.buttons == ["Verder", "Later", "Niet nodig"]
        await jan.click("Verder")
        await reply_containing(jan, "We gaan verder waar je was")
        again = await reply_containing(jan, "Met hoeveel personen")
        assert again.buttons[:4] == ["1", "2", "3", "4"]


async def test_an_english_traveller_is_reminded_of_the_places_in_english(tmp_path: Path) -> None:
    clock = Clock(at(4, 14))
    async with FakeTelegram() as server, desk_bot(server, tmp_path / "b.sqlite3", clock) as bot:
        server.group(SECRETARIAT_ID, "Secretariaat")
        jan = server.user(TRAVELLER_ID, "Jan")
        await announce_vienna(jan)  # the destination typed in Dutch: 'Wenen'
        await jan.send("/taal en")
        await reply_containing(jan, "I'll speak English with you now.")
        clock.now = at(4, 30, 9)
        assert await run_reminders(svc_of(bot)) == 1
        invitation = await reply_containing(jan, "Welcome back from Vienna!")
        assert "Wenen" not in invitation.plain_text
        assert invitation.buttons == ["Start", "Later", "Not needed"]
        await jan.click("Not needed")
        question = await reply_containing(jan, "Why is no report needed for the trip to Vienna?")
        assert "Wenen" not in question.plain_text
        (trip,) = bot.store.trips.of_traveller(JAN)
        assert trip.destination == "Wenen"  # stored as the traveller typed it


async def test_restart_between_due_time_and_sending_sends_once(tmp_path: Path) -> None:
    database = tmp_path / "b.sqlite3"
    clock = Clock(at(4, 14))
    async with FakeTelegram() as server:
        server.group(SECRETARIAT_ID, "Secretariaat")
        jan = server.user(TRAVELLER_ID, "Jan")
        async with desk_bot(server, database, clock):
            await announce_vienna(jan)
        clock.now = at(4, 30, 11)  # the bot was down when dag-1 came due at 09:00
        async with desk_bot(server, database, clock) as bot:
            assert await run_reminders(svc_of(bot)) == 1
            await reply_containing(jan, "Welkom terug")
        async with desk_bot(server, database, clock) as bot:  # and again after a restart
            assert await run_reminders(svc_of(bot)) == 0
            (trip,) = bot.store.trips.of_traveller(JAN)
            sent = [r for r in bot.store.trips.reminders(trip.trip_id) if r.sent_at]
            assert [r.kind for r in sent] == ["dag-1"]
        await server.wait_idle()
        welcomes = [m for m in jan.replies() if "Welkom terug" in m.plain_text]
        assert len(welcomes) == 1


async def test_weekend_waits_and_a_burst_of_429s_is_retried(tmp_path: Path) -> None:
    clock = Clock(at(4, 14))
    async with FakeTelegram() as server, desk_bot(server, tmp_path / "b.sqlite3", clock) as bot:
        server.group(SECRETARIAT_ID, "Secretariaat")
        jan = server.user(TRAVELLER_ID, "Jan")
        await jan.send("/reis Parijs 1-5 t/m 2-5")
        await reply_containing(jan, "Genoteerd")
        clock.now = at(5, 3, 10)  # Saturday: dag-1 (due Saturday) waits for a working day
        assert await run_reminders(svc_of(bot)) == 0
        clock.now = at(5, 6, 9)  # Tuesday (Monday 5 May 2025 is Liberation Day)
        server.faults.retry_after("sendMessage", seconds=1, times=4)
        assert await run_reminders(svc_of(bot)) == 1
        assert (
            delivery_backlog(bot.store, bot.store.now()).outbox_waiting == 1
        )  # Telegram said 429: left for the next run
        clock.now = at(5, 6, 9) + timedelta(seconds=30)
        assert await run_reminders(svc_of(bot)) == 0  # nothing new queued, the old one sent
        invitation = await reply_containing(jan, "Welkom terug uit Parijs")
        assert invitation.buttons == ["Beginnen", "Later", "Niet nodig"]
        assert sum(server.faults.injected.values()) == 4
        assert delivery_backlog(bot.store, bot.store.now()).outbox_waiting == 0


async def test_later_snoozes_and_niet_nodig_cancels_with_a_reason(tmp_path: Path) -> None:
    clock = Clock(at(4, 14))
    async with FakeTelegram() as server, desk_bot(server, tmp_path / "b.sqlite3", clock) as bot:
        desk = server.watch(server.group(SECRETARIAT_ID, "Secretariaat").id)
        jan = server.user(TRAVELLER_ID, "Jan")
        await announce_vienna(jan)
        clock.now = at(4, 30, 10)
        assert await run_reminders(svc_of(bot)) == 1
        await reply_containing(jan, "Welkom terug")
        (trip,) = bot.store.trips.of_traveller(JAN)

        clock.now = at(5, 2, 10)
        await jan.click("Later")
        # Friday + 24 h is Saturday; Monday 5 May 2025 is Liberation Day: Tuesday.
        await reply_containing(jan, "Ik herinner je weer op dinsdag 6 mei")
        assert await run_reminders(svc_of(bot)) == 0  # dag-3 is due but snoozed
        clock.now = at(5, 6, 10)
        assert await run_reminders(svc_of(bot)) == 1
        await reply_containing(jan, "Herinnering")

        await jan.click("Niet nodig")
        await reply_containing(jan, "Waarom is een verslag")
        await jan.send("De reis is op het laatste moment afgelast.")
        await reply_containing(jan, "herinneringen voor deze reis zijn gestopt")
        notice = await desk.next_reply(10)
        assert "Geen verslag nodig" in notice.plain_text
        assert "afgelast" in notice.plain_text
        stored = bot.store.trips.get(trip.trip_id)
        assert stored is not None and stored.status is TripStatus.CANCELLED
        clock.now = at(5, 13, 10)
        assert await run_reminders(svc_of(bot)) == 0
        # The next text is an ordinary message again, not a reason.
        await jan.send("hallo")
        reply = await jan.next_reply(10)
        assert "geen verslag" in reply.plain_text.lower()


async def test_reminders_stop_when_a_report_covers_the_trip(tmp_path: Path) -> None:
    clock = Clock(at(4, 14))
    async with FakeTelegram() as server, desk_bot(server, tmp_path / "b.sqlite3", clock) as bot:
        server.group(SECRETARIAT_ID, "Secretariaat")
        jan = server.user(TRAVELLER_ID, "Jan")
        await announce_vienna(jan)
        (trip,) = bot.store.trips.of_traveller(JAN)
        clock.now = at(4, 30, 10)
        assert await run_reminders(svc_of(bot)) == 1
        await reply_containing(jan, "Welkom terug")
        bot.store.reports.add(JAN, example_report(), clock.now)  # stored without its trip
        clock.now = at(5, 2, 10)
        assert await run_reminders(svc_of(bot)) == 0
        stored = bot.store.trips.get(trip.trip_id)
        assert stored is not None and stored.status is TripStatus.REPORTED
        assert stored.report_id == example_report().report_id
        assert all(r.sent_at or r.cancelled_at for r in bot.store.trips.reminders(trip.trip_id))


async def test_a_backlog_larger_than_a_batch_sends_one_reminder_per_trip(tmp_path: Path) -> None:
    """Regression: with more due reminders than one read holds, a trip's older reminders
    came in one round and its newer ones in the next, so travellers got two messages."""
    from bot.config import Settings
    from bot.telegram.reminders import register_trip, send_due_reminders
    from testkit.bot_harness import travel_calculator

    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'r.sqlite3'}")  # type: ignore[call-arg]
    store = Store.open(settings.database_url)
    clock = Clock(at(4, 1))
    svc = Services(settings=settings, store=store, trip=travel_calculator(settings), clock=clock)
    period = example_report().period  # returned 29 April 2025
    trips = []
    for user_id in (1, 2, 3):
        store.profiles.audit(
            f"telegram:{user_id}",
            AccessAction.GRANTED,
            None,
            clock(),
            telegram_user_id=user_id,
            chat_id=user_id,
        )
        trips.append(await register_trip(svc, f"telegram:{user_id}", "Wenen", period, "test"))
    clock.now = at(6, 2)  # every reminder of every trip is due by now
    rounds = []
    while queued := await send_due_reminders(svc, force=True, batch=2):
        rounds.append(queued)
    assert sum(rounds) == 3
    assert delivery_backlog(store, store.now()).outbox_waiting == 3
    for trip in trips:
        unsent = [r for r in store.trips.reminders(trip.trip_id) if r.sent_at is None]
        assert unsent == []
    store.close()

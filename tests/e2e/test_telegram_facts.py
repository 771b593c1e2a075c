"""Issue 11 through the real bot and the fake Bot API: date hints as buttons, double taps."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.dialogs.parsers import period_example
from bot.telegram.reminders import run_reminders
from bot.telegram.services import Services
from testkit.bot_harness import SECRETARIAT_ID, TRAVELLER_ID, RunningBot, running_bot
from testkit.conversation import answer, documents, reply_containing, reply_with_buttons
from testkit.example_trip import EXAMPLE_NOW, example_messages
from testkit.fake_telegram import BotMessage, FakeTelegram, UserClient

pytestmark = pytest.mark.asyncio
AMS = ZoneInfo("Europe/Amsterdam")
JAN = f"telegram:{TRAVELLER_ID}"
#: A test clock on which 27 April of this year (2026) is a Monday, not the example's Sunday.
DECEMBER_2026 = datetime(2026, 12, 1, 10, 0, tzinfo=AMS)
WENT_WRONG = "Er ging iets mis"


class Clock:
    """A clock the test sets by hand."""

    def __init__(self, now: datetime) -> None:
        """Start at `now`."""
        self.now = now

    def __call__(self) -> datetime:
        """The time the test set."""
        return self.now


async def begin(server: FakeTelegram) -> UserClient:
    server.group(SECRETARIAT_ID, "Secretariaat")
    jan = server.user(user_id=TRAVELLER_ID, first_name="Jan")
    await jan.send("/start")
    await reply_with_buttons(jan)
    return jan


def answers_of(bot: RunningBot) -> dict[str, object]:
    draft = bot.store.drafts.load(JAN)
    assert draft is not None
    answers: dict[str, object] = draft.state["interview"]["answers"]
    return answers


def nothing_went_wrong(server: FakeTelegram) -> None:
    texts = [m.plain_text for m in server.messages(TRAVELLER_ID) if m.text]
    assert not any(WENT_WRONG in text for text in texts)


def callback_texts(server: FakeTelegram) -> list[str]:
    return [a.get("text") or "" for a in server.callback_answers.values()]


async def double_tap(jan: UserClient, label: str, message: BotMessage) -> None:
    """Two presses of the same button, both sent before the bot handles the first."""
    await jan.click(label, message=message)
    await jan.click(label, message=message)


async def next_edit(jan: UserClient) -> BotMessage:
    """The bot's next edit of a message in this chat (other events before it are skipped)."""
    while (event := await jan.next_reply(timeout=10)).event != "edited":
        pass
    return event


async def test_the_examples_period_without_year_and_a_fix_as_a_button(tmp_path: Path) -> None:
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "b.sqlite3", Clock(DECEMBER_2026)) as bot,
    ):
        jan = await begin(server)
        period = await answer(jan, "Wenen")
        assert f"‘{period_example(DECEMBER_2026.date())}’" in period.plain_text
        persons = await answer(jan, "zondagavond 27 april t/m dinsdag 29 april")
        assert "Genoteerd: 2,5 dag (zondagavond 27 april t/m dinsdag 29 april 2025)." in (
            persons.plain_text
        )
        assert answers_of(bot)["period"] == {
            "departure": "2025-04-27",
            "departure_part": "avond",
            "return_date": "2025-04-29",
            "return_part": None,
        }
        await answer(jan, "terug")
        hint = await answer(jan, "zondagavond 27 april t/m dinsdag 29 april 2026")
        assert "27 april 2026 was een maandag, geen zondag" in hint.plain_text
        assert hint.buttons[:2] == [
            "27-04-2025 avond t/m 29-04-2025",
            "27-04-2026 avond t/m 29-04-2026",
        ]
        await jan.click("27-04-2026 avond t/m 29-04-2026", message=hint)
        persons = await reply_with_buttons(jan)
        assert "Met hoeveel personen" in persons.plain_text
        assert answers_of(bot)["period"] == {
            "departure": "2026-04-27",
            "departure_part": "avond",
            "return_date": "2026-04-29",
            "return_part": None,
        }
        nothing_went_wrong(server)


async def test_a_double_tap_on_every_kind_of_button_counts_once(tmp_path: Path) -> None:
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "b.sqlite3", EXAMPLE_NOW) as bot,
    ):
        jan = await begin(server)
        period = await answer(jan, "Wenen")

        # calendar: a double tap on the departure day does not pick it as the return day too
        await jan.click("📅 Kies in de kalender", message=period)
        month = await jan.next_reply()
        await jan.click("‹", message=month)
        april = await jan.next_reply()
        assert "april 2025" in april.buttons
        await double_tap(jan, "27", april)
        first_edit = await next_edit(jan)  # however long a busy machine takes to get there
        await bot.handled_everything(server)
        picked = [first_edit, *(e for e in jan.pending_replies() if e.event == "edited")][-1]
        assert "•27•" in picked.buttons and "period" not in answers_of(bot)
        await jan.click("29", message=picked)
        persons = await reply_with_buttons(jan)
        assert answers_of(bot)["period"] == {
            "departure": "2025-04-27",
            "departure_part": None,
            "return_date": "2025-04-29",
            "return_part": None,
        }

        # choice: the second press is acknowledged and changes nothing
        await double_tap(jan, "2", persons)
        modes = await reply_with_buttons(jan)
        assert "Met welk vervoer" in modes.plain_text
        await bot.handled_everything(server)
        assert [m for m in jan.pending_replies() if m.event == "sent"] == []
        assert answers_of(bot)["persons"] == 2
        assert any("al verwerkt" in text for text in callback_texts(server))

        # toggle: ticking twice leaves it ticked (not ticked and unticked)
        await double_tap(jan, "Trein", modes)
        first_tick = await next_edit(jan)
        await bot.handled_everything(server)
        ticked = [first_tick, *(e for e in jan.pending_replies() if e.event == "edited")][-1]
        assert "✅ Trein" in ticked.buttons
        await double_tap(jan, "Klaar", ticked)
        route = await reply_with_buttons(jan)
        assert "route" in route.plain_text and answers_of(bot)["modes"] == ["trein"]

        # review: a double tap on an edit button opens that question once
        for text in ["klopt", *example_messages(start="purpose", until="review")]:
            review = await answer(jan, text)
        assert "Controleer je verslag" in review.plain_text
        await double_tap(jan, "✏️ Aantal personen", review)
        again = await reply_with_buttons(jan)
        assert "Met hoeveel personen" in again.plain_text
        await bot.handled_everything(server)
        assert [m for m in jan.pending_replies() if m.event == "sent"] == []
        review = await answer(jan, "Ongewijzigd")
        assert "Controleer je verslag" in review.plain_text

        # review's send and the confirmation: one report, sent once
        await double_tap(jan, "✅ Versturen", review)
        confirm = await reply_with_buttons(jan)
        await double_tap(jan, "✅ Ja, versturen", confirm)
        await documents(server, TRAVELLER_ID, 2)
        await bot.handled_everything(server)
        assert len(bot.store.reports.of_traveller(JAN)) == 1
        nothing_went_wrong(server)


async def test_a_double_tap_on_a_reminder_button_counts_once(tmp_path: Path) -> None:
    clock = Clock(datetime(2025, 4, 14, 10, tzinfo=AMS))
    async with FakeTelegram() as server, running_bot(server, tmp_path / "b.sqlite3", clock) as bot:
        server.group(SECRETARIAT_ID, "Secretariaat")
        jan = server.user(TRAVELLER_ID, "Jan")
        await jan.send("/reis")
        await reply_containing(jan, "Waar ga je naartoe")
        await jan.send("Wenen 27-04 t/m 29-04")
        await reply_containing(jan, "Genoteerd")
        clock.now = datetime(2025, 4, 30, 9, tzinfo=AMS)
        services: Services = bot.application.bot_data["services"]
        assert await run_reminders(services) == 1
        invitation = await reply_containing(jan, "Welkom terug uit Wenen")
        await double_tap(jan, "Beginnen", invitation)
        start = await reply_containing(jan, "Bestemming en data heb ik ingevuld")
        assert "‘zondagavond 27 april 2025 t/m dinsdag 29 april 2025’" in start.plain_text
        await reply_containing(jan, "Wanneer was de reis?")
        await bot.handled_everything(server)
        assert [m for m in jan.pending_replies() if m.event == "sent"] == []
        assert any("al verwerkt" in text for text in callback_texts(server))
        # The example in that message works when typed back.
        persons = await answer(jan, "zondagavond 27 april 2025 t/m dinsdag 29 april 2025")
        assert "Met hoeveel personen" in persons.plain_text
        assert answers_of(bot)["period"]["departure_part"] == "avond"  # type: ignore[index]
        assert date(2025, 4, 27).isoformat() == answers_of(bot)["period"]["departure"]  # type: ignore[index]
        nothing_went_wrong(server)

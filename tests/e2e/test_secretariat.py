"""The secretariat's desk end to end: /reis on behalf, /openstaand, escalation, /verslagen,
/export, /jaarrapport, /herinner; only in the secretariat chat."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from bot import render_process
from bot.export import TRIPS_SHEET
from bot.render_process import _RenderProcess
from bot.telegram.reminders import run_reminders
from testkit.bot_harness import SECRETARIAT_ID, TRAVELLER_ID
from testkit.conversation import reply_containing
from testkit.example_report import example_report
from testkit.fake_telegram import FakeTelegram
from testkit.generated_reports import generated_year, store_reports
from tests.e2e.test_reminders import JAN, Clock, at, desk_bot, svc_of

pytestmark = pytest.mark.asyncio


async def test_secretariat_registers_a_trip_and_sees_it_overdue_once_a_day(tmp_path: Path) -> None:
    clock = Clock(at(4, 14))
    async with FakeTelegram() as server, desk_bot(server, tmp_path / "b.sqlite3", clock) as bot:
        group = server.group(SECRETARIAT_ID, "Secretariaat")
        desk = server.watch(group.id)
        sanne = server.user(7, "Sanne").in_chat(group)
        jan = server.user(TRAVELLER_ID, "Jan", username="jandevries")
        await jan.send("/help")  # the bot learns @jandevries
        await jan.next_reply(10)

        await sanne.send("/reis @JanDeVries Wenen 27-04 t/m 29-04")
        done = await reply_containing(desk, "Genoteerd voor")
        assert "Wenen, 27-04 t/m 29-04-2025" in done.plain_text
        notice = await reply_containing(jan, "Het secretariaat heeft je reis naar Wenen genoteerd")
        assert "uitnodiging" in notice.plain_text
        (trip,) = bot.store.trips.of_traveller(JAN)
        assert trip.created_by == "telegram:7"
        await sanne.send(f"/reis {TRAVELLER_ID} Parijs 10-06 t/m 11-06")
        await reply_containing(desk, "Genoteerd voor")
        await sanne.send("/reis @onbekend Rome 1-7 t/m 2-7")
        await reply_containing(desk, "ken ik niet")

        clock.now = at(5, 2, 10)
        await sanne.send("/openstaand")
        open_list = await reply_containing(desk, "Nog geen verslag (1)")
        assert "Wenen, 27-04 t/m 29-04-2025" in open_list.plain_text
        assert (
            "termijn 13-05-2025" in open_list.plain_text and "te laat" not in open_list.plain_text
        )

        clock.now = at(5, 14, 10)  # one day past the deadline
        await run_reminders(svc_of(bot))
        escalation = await reply_containing(desk, "Verslagen over de termijn (1)")
        assert "1 dag te laat" in escalation.plain_text
        await run_reminders(svc_of(bot))  # same working day: not again
        clock.now = at(5, 14, 16)
        await run_reminders(svc_of(bot))
        await server.wait_idle()
        assert [m for m in desk.pending() if "over de termijn" in m.plain_text] == []
        clock.now = at(5, 15, 10)  # next working day: again
        await run_reminders(svc_of(bot))
        again = await reply_containing(desk, "Verslagen over de termijn (1)")
        assert "2 dagen te laat" in again.plain_text

        bot.store.reports.add(JAN, example_report(), clock.now)
        await sanne.send("/openstaand")
        await reply_containing(desk, "Er staat niets open")


async def test_desk_reads_dutch_while_an_english_traveller_reads_english(tmp_path: Path) -> None:
    clock = Clock(at(4, 14))
    async with FakeTelegram() as server, desk_bot(server, tmp_path / "b.sqlite3", clock):
        group = server.group(SECRETARIAT_ID, "Secretariaat")
        desk = server.watch(group.id)
        sanne = server.user(7, "Sanne").in_chat(group)
        jan = server.user(TRAVELLER_ID, "Jan", language_code="en-GB")
        await jan.send("/taal en")
        await reply_containing(jan, "I'll speak English with you now.")

        await sanne.send(f"/reis {TRAVELLER_ID} Wenen 27-04 t/m 29-04")
        done = await reply_containing(desk, "Genoteerd voor")
        assert "Wenen, 27-04 t/m 29-04-2025" in done.plain_text
        notice = await reply_containing(jan, "The secretariat has noted your trip to Wenen")
        assert "you will get an invitation to write the report" in notice.plain_text
        await sanne.send("/reis")
        usage = await reply_containing(desk, "Gebruik: /reis @gebruikersnaam of id, dan de reis.")
        assert "Bijvoorbeeld: ‘Wenen 27-04 t/m 29-04’" in usage.plain_text


async def test_reports_list_documents_export_and_remind_now(tmp_path: Path) -> None:
    clock = Clock(at(7, 1))
    async with FakeTelegram() as server, desk_bot(server, tmp_path / "b.sqlite3", clock) as bot:
        group = server.group(SECRETARIAT_ID, "Secretariaat")
        desk = server.watch(group.id)
        sanne = server.user(7, "Sanne").in_chat(group)
        bot.store.reports.add(JAN, example_report(), clock.now)

        await sanne.send("/verslagen 2025")
        listing = await reply_containing(desk, "1 verslagen van reizen in 2025")
        assert listing.buttons == ["27-04 Wenen en Bratislava (J. de Vries)"]
        await sanne.click(listing.buttons[0])
        names = {(await desk.next_reply(20)).document.filename for _ in range(2)}  # type: ignore[union-attr]
        assert {name.rsplit(".", 1)[1] for name in names} == {"docx", "pdf"}

        await sanne.send("/export 2025")
        xlsx = await desk.next_reply(20)
        csv = await desk.next_reply(20)
        assert xlsx.document is not None and csv.document is not None
        assert xlsx.document.filename == "buitenlandse-dienstreizen-2025.xlsx"
        assert csv.document.filename == "buitenlandse-dienstreizen-2025.csv"
        sheet = load_workbook(io.BytesIO(xlsx.document.data))[TRIPS_SHEET]
        assert sheet["A2"].value == "J. de Vries" and sheet["F2"].value == "Wenen, Bratislava"
        assert csv.document.data.startswith(b"\xef\xbb\xbfReiziger;Afdeling;")

        jan = server.user(TRAVELLER_ID, "Jan")
        await jan.send("/reis Londen 20-6 t/m 22-6")
        await reply_containing(jan, "Genoteerd")
        clock.now = at(7, 5, 21)  # Saturday evening: the job would wait, /herinner does not
        assert await run_reminders(svc_of(bot)) == 0
        await sanne.send("/herinner")
        await reply_containing(desk, "1 herinnering verstuurd")
        await reply_containing(jan, "Welkom terug uit Londen")


async def test_desk_commands_are_ignored_elsewhere(tmp_path: Path) -> None:
    clock = Clock(at(7, 1))
    async with FakeTelegram() as server, desk_bot(server, tmp_path / "b.sqlite3", clock):
        other = server.group(-1009999, "Borrelcommissie")
        outsider = server.user(7, "Sanne").in_chat(other)
        await outsider.send("/export 2025")
        jan = server.user(TRAVELLER_ID, "Jan")
        await jan.send("/openstaand")
        reply = await jan.next_reply(10)
        assert "commando ken ik niet" in reply.plain_text
        await server.wait_idle()
        assert server.messages(other.id) == []


async def test_yearly_report_in_the_secretariat_chat_only(tmp_path: Path) -> None:
    clock = Clock(at(7, 1))
    async with FakeTelegram() as server, desk_bot(server, tmp_path / "b.sqlite3", clock) as bot:
        group = server.group(SECRETARIAT_ID, "Secretariaat")
        desk = server.watch(group.id)
        sanne = server.user(7, "Sanne").in_chat(group)
        store_reports(bot.store, generated_year(2024, 6) + generated_year(2025, 8))

        await sanne.send("/jaarrapport 2019")
        empty = await reply_containing(desk, "Geen verslagen van reizen in 2019")
        assert "/jaarrapport 2018" in empty.plain_text
        await sanne.send("/jaarrapport vorig jaar")
        await reply_containing(desk, "Gebruik: /jaarrapport 2025")

        await sanne.send("/jaarrapport")  # this year (2025 on the test clock)
        report = await desk.next_reply(60)
        assert report.document is not None
        assert report.document.filename == "jaarrapport-buitenlandse-dienstreizen-2025.pdf"
        first_page = PdfReader(io.BytesIO(report.document.data)).pages[0].extract_text()
        assert "Buitenlandse dienstreizen 2025" in first_page
        assert "Reizen 8 6 +2 +33,3%" in first_page

        other = server.group(-1009999, "Borrelcommissie")
        outsider = server.user(8, "Piet").in_chat(other)
        await outsider.send("/jaarrapport 2025")
        await server.wait_idle()
        assert server.messages(other.id) == []


async def test_a_yearly_report_that_cannot_be_laid_out_is_told_to_the_secretariat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The render process is an outside process: here one that dies on every request.
    dying = _RenderProcess([sys.executable, "-c", "import sys; sys.stdin.buffer.read(4)"])
    monkeypatch.setattr(render_process, "_worker", dying)
    clock = Clock(at(4, 14))
    async with FakeTelegram() as server, desk_bot(server, tmp_path / "b.sqlite3", clock) as bot:
        group = server.group(SECRETARIAT_ID, "Secretariaat")
        desk = server.watch(group.id)
        sanne = server.user(7, "Sanne").in_chat(group)
        store_reports(bot.store, generated_year(2025, 3))

        await sanne.send("/jaarrapport 2025")

        failed = await reply_containing(desk, "Het jaarrapport 2025 kon nu niet worden gemaakt")
        assert "/jaarrapport 2025" in failed.plain_text
        assert not [m for m in server.messages(group.id) if m.document is not None]

"""Access that can be managed, secretariat authority by person, strangers who cannot stall the
bot, per-person limits and a secretariat group that becomes a supergroup: the real bot against
the fake Bot API."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.report import Traveller
from bot.store import AccessAction, schema
from bot.store.health import delivery_backlog
from bot.telegram.access import GRANTED_NOTICE, REVOKED, REVOKED_NOTICE, WAIT
from bot.telegram.gatekeeper import (
    NOT_AUTHORISED,
    TOO_MANY_CHECKS,
    TOO_MANY_MESSAGES,
    TOO_MANY_RESENDS,
    TOO_MANY_TRIPS,
)
from bot.telegram.reminders import run_reminders
from testkit.bot_harness import SECRETARIAT_ID, TRAVELLER_ID, running_bot
from testkit.conversation import answer, documents, reply_containing, reply_with_buttons
from testkit.example_report import example_report
from testkit.example_trip import EXAMPLE_NOW
from testkit.fake_telegram import FakeTelegram, UserClient
from tests.e2e.test_reminders import Clock, at, svc_of

pytestmark = pytest.mark.asyncio

PIET = 77
JAN_REF = f"telegram:{TRAVELLER_ID}"
PIET_REF = f"telegram:{PIET}"


async def nothing_more(server: FakeTelegram, user: UserClient) -> None:
    """The bot sent this user nothing after what the test read."""
    await server.wait_idle(quiet=0.3)
    assert [m.plain_text for m in user.pending_replies()] == []


async def ask_and_grant(server: FakeTelegram, piet: UserClient, clerk: UserClient) -> None:
    """Piet asks for access and the clerk grants it."""
    desk = server.watch(SECRETARIAT_ID, from_start=True)
    await piet.send("/start")
    assert (await piet.next_reply()).plain_text == WAIT
    request = await reply_containing(desk, "Toegangsaanvraag van Piet")
    await clerk.click("Toestaan", message=request)
    assert (await reply_containing(piet, "toegang")).plain_text == GRANTED_NOTICE


async def test_removing_an_id_from_the_list_withdraws_access_unless_the_secretariat_granted_it(
    tmp_path: Path,
) -> None:
    database = tmp_path / "b.sqlite3"
    clock = Clock(at(5, 1))
    async with FakeTelegram() as server:
        group = server.group(SECRETARIAT_ID, "Secretariaat")
        sanne = server.user(7, "Sanne").in_chat(group)
        jan = server.user(TRAVELLER_ID, "Jan")
        piet = server.user(PIET, "Piet")
        async with running_bot(server, database, clock) as bot:
            await jan.send("/reis Wenen 10-05 t/m 12-05")
            await reply_containing(jan, "Genoteerd")
            await jan.send("/start")
            await reply_containing(jan, "Waar ging de reis naartoe")
            # finishing a report stores the profile; it must not grant access on its own
            bot.store.profiles.save(Traveller(name="Jan", department="DSO", user_ref=JAN_REF))
            await ask_and_grant(server, piet, sanne)
        clock.now = at(5, 20)  # Jan's reminders are due
        async with running_bot(server, database, clock, allowed_user_ids=[]) as bot:
            await jan.send("/nieuw")
            assert "geen toegang" in (await jan.next_reply()).plain_text
            await piet.send("/start")
            await reply_containing(piet, "Waar ging de reis naartoe")
            assert await run_reminders(svc_of(bot)) == 0
            await nothing_more(server, jan)  # no reminder with buttons for someone without access


async def test_the_audit_names_who_asked_granted_and_revoked(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        group = server.group(SECRETARIAT_ID, "Secretariaat")
        desk = server.watch(SECRETARIAT_ID)
        sanne = server.user(7, "Sanne").in_chat(group)
        piet = server.user(PIET, "Piet", username="pietp")
        async with running_bot(server, tmp_path / "b.sqlite3", at(5, 1)) as bot:
            await ask_and_grant(server, piet, sanne)
            await piet.send("/start")
            await reply_containing(piet, "Waar ging de reis naartoe")

            await sanne.send("/intrekken @PietP")
            done = await reply_containing(desk, "ingetrokken door Sanne")
            assert "id 77" in done.plain_text
            assert (await reply_containing(piet, "ingetrokken")).plain_text == REVOKED_NOTICE
            await piet.send("Wenen")  # nothing but a plain message from now on
            reply = await piet.next_reply()
            assert reply.plain_text == REVOKED and reply.buttons == []
            await piet.send("/mijnverslagen")
            await piet.send("/nieuw")
            await nothing_more(server, piet)
            assert bot.store.drafts.load(PIET_REF) is not None  # kept, but out of reach

            await sanne.send("/intrekken 77")
            assert "heeft geen toegang" in (await reply_containing(desk, "toegang")).plain_text
            audit = schema.access_audit
            with bot.store.read() as connection:  # the audit table itself, as stored
                rows = connection.execute(
                    select(audit).where(audit.c.user_ref == PIET_REF).order_by(audit.c.id)
                ).all()
            log = [(AccessAction(row.action), row.by_user_ref) for row in rows]
    assert log == [
        (AccessAction.REQUESTED, PIET_REF),
        (AccessAction.GRANTED, "telegram:7"),
        (AccessAction.REVOKED, "telegram:7"),
    ]


async def test_a_listed_traveller_can_be_revoked_too(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        group = server.group(SECRETARIAT_ID, "Secretariaat")
        desk = server.watch(SECRETARIAT_ID)
        sanne = server.user(7, "Sanne").in_chat(group)
        jan = server.user(TRAVELLER_ID, "Jan")
        async with running_bot(server, tmp_path / "b.sqlite3", at(5, 1)):
            await jan.send("/reis Wenen 27-06 t/m 29-06")
            await reply_containing(jan, "Genoteerd")
            await sanne.send(f"/intrekken {TRAVELLER_ID}")
            revoked = await reply_containing(desk, "ingetrokken door Sanne")
            assert "ALLOWED_USER_IDS" in revoked.plain_text
            await reply_containing(jan, "ingetrokken")
            await jan.send("/start")  # asks again: the secretariat decides
            assert (await jan.next_reply()).plain_text == WAIT
            await reply_containing(desk, "Toegangsaanvraag van Jan")


async def test_secretariat_powers_go_by_person_not_by_chat(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        group = server.group(SECRETARIAT_ID, "Secretariaat")
        sanne = server.user(7, "Sanne").in_chat(group)
        kees = server.user(8, "Kees").in_chat(group)  # a member of the group, no authority
        piet = server.user(PIET, "Piet")
        async with running_bot(server, tmp_path / "b.sqlite3", at(5, 1)) as bot:
            await piet.send("/start")
            request = await reply_containing(
                server.watch(SECRETARIAT_ID, from_start=True), "Toegangsaanvraag"
            )
            query = await kees.click("Toestaan", message=request)
            await server.wait_idle()
            assert server.callback_answers[query]["text"] == NOT_AUTHORISED
            assert bot.store.profiles.latest_access(PIET_REF).action is AccessAction.REQUESTED  # type: ignore[union-attr]
            desk = server.watch(SECRETARIAT_ID)
            for command in ("/export 2025", "/verslagen 2025", f"/reis {PIET} Rome 1-7 t/m 2-7"):
                await kees.send(command)
                assert (await desk.next_reply()).plain_text == NOT_AUTHORISED
            assert bot.store.trips.of_traveller(PIET_REF) == []
            await kees.send("/openstaand")  # the overview stays open to the whole group
            await reply_containing(desk, "Er staat niets open")

            # a forged approval for an id that never asked changes nothing
            forged = await sanne._send_callback(request, "acc|999|ok")
            await server.wait_idle()
            assert "bestaat niet" in server.callback_answers[forged]["text"]
            assert bot.store.profiles.latest_access("telegram:999") is None
            await sanne.click("Toestaan", message=request)
            await reply_containing(piet, "nu toegang")


async def test_without_a_staff_list_the_groups_administrators_decide(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        group = server.group(SECRETARIAT_ID, "Secretariaat")
        desk = server.watch(SECRETARIAT_ID)
        sanne = server.user(7, "Sanne").in_chat(group)
        kees = server.user(8, "Kees").in_chat(group)
        server.set_administrators(SECRETARIAT_ID, [7])
        async with running_bot(server, tmp_path / "b.sqlite3", at(5, 1), secretariat_user_ids=[]):
            await kees.send("/export 2025")
            assert (await desk.next_reply()).plain_text == NOT_AUTHORISED
            await sanne.send("/export 2025")
            xlsx, csv = await desk.next_reply(20), await desk.next_reply(20)
            assert xlsx.document is not None and csv.document is not None
            await kees.send("/export 2025")
            assert (await desk.next_reply()).plain_text == NOT_AUTHORISED
    assert len(server.calls_to("getChatAdministrators")) == 1  # read once, then remembered


async def test_strangers_reach_the_secretariat_once_and_get_one_reply(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        server.group(SECRETARIAT_ID, "Secretariaat")
        desk = server.watch(SECRETARIAT_ID)
        strangers = [server.user(1000 + n, f"Vreemde{n}") for n in range(5)]
        async with running_bot(server, tmp_path / "b.sqlite3", at(5, 1)) as bot:
            for stranger in strangers:
                for _ in range(3):
                    await stranger.send("/start")
            for stranger in strangers:
                assert (await stranger.next_reply()).plain_text == WAIT
            requests = [await reply_containing(desk, "Toegangsaanvraag") for _ in strangers]
            await server.wait_idle(quiet=0.5)
            assert desk.pending() == []  # one request per stranger, however often they ask
            assert len({r.plain_text for r in requests}) == 5
            for stranger in strangers:
                assert stranger.pending_replies() == []  # one reply per period
            assert delivery_backlog(bot.store, bot.store.now()).outbox_waiting == 0


async def test_per_person_limits_answer_once_in_dutch(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        server.group(SECRETARIAT_ID, "Secretariaat")
        jan = server.user(TRAVELLER_ID, "Jan")
        limits = {"limit_trips_per_hour": 2, "limit_checks_per_hour": 2}
        async with running_bot(server, tmp_path / "b.sqlite3", at(5, 1), **limits) as bot:
            for day in (1, 2, 3, 4):
                await jan.send(f"/reis Wenen {day}-07 t/m {day + 1}-07")
            await reply_containing(jan, "Genoteerd")
            await reply_containing(jan, "Genoteerd")
            assert (await jan.next_reply()).plain_text == TOO_MANY_TRIPS
            await nothing_more(server, jan)
            assert len(bot.store.trips.of_traveller(JAN_REF)) == 2
            for _ in range(4):
                await jan.send("/check Wenen")
            await reply_containing(jan, "Wenen")
            await reply_containing(jan, "Wenen")
            assert (await jan.next_reply()).plain_text == TOO_MANY_CHECKS
            await nothing_more(server, jan)


async def test_a_flood_of_messages_is_answered_once_and_never_by_everything(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        server.group(SECRETARIAT_ID, "Secretariaat")
        jan = server.user(TRAVELLER_ID, "Jan")
        async with running_bot(
            server, tmp_path / "b.sqlite3", at(5, 1), limit_messages_per_minute=3
        ):
            for _ in range(8):
                await jan.send("/help")
            texts = [(await jan.next_reply()).plain_text for _ in range(4)]
            assert texts[3] == TOO_MANY_MESSAGES and TOO_MANY_MESSAGES not in texts[:3]
            await nothing_more(server, jan)


async def test_a_group_upgraded_to_a_supergroup_gets_the_queued_items(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        server.group(SECRETARIAT_ID, "Secretariaat")
        new_id = -1009876543210
        new = server.migrate_to_supergroup(SECRETARIAT_ID, new_id)
        strangers = [server.user(1000 + n, f"Vreemde{n}") for n in range(3)]
        async with running_bot(server, tmp_path / "b.sqlite3", at(5, 1)) as bot:
            for stranger in strangers:
                await stranger.send("/start")
            watcher = server.watch(new.id, from_start=True)
            arrived = [await reply_containing(watcher, "Toegangsaanvraag") for _ in strangers]
            assert len(arrived) == 3
            await server.wait_idle()
            assert delivery_backlog(bot.store, bot.store.now()).outbox_waiting == 0
        assert server.messages(SECRETARIAT_ID) == []


async def test_forged_calendar_data_is_refused_cleanly(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        server.group(SECRETARIAT_ID, "Secretariaat")
        jan = server.user(TRAVELLER_ID, "Jan")
        async with running_bot(server, tmp_path / "b.sqlite3", EXAMPLE_NOW) as bot:
            await jan.send("/start")
            await reply_with_buttons(jan)
            period = await answer(jan, "Wenen")
            key = next(d for d in period.callback_data if d.startswith("c|")).split("|")[1]
            before = bot.store.drafts.load(JAN_REF)
            for arg in (
                "m9999-12",
                "mxx-yy",
                "m2025-13",
                "d9999-12-31",
                "e9999-12-31",
                "d2025-02-30",
                "d1900-01-01",
                "zz",
            ):
                query = await jan._send_callback(period, f"c|{key}|{arg}")
                await server.wait_idle()
                assert server.callback_answers[query]["text"] == "Deze knop werkt niet meer."
            await nothing_more(server, jan)  # no "Er ging iets mis", no calendar of year 9999
            after = bot.store.drafts.load(JAN_REF)
            assert after is not None and before is not None and after.state == before.state
            await jan.click("📅 Kies in de kalender", message=period)  # the real one still works
            assert "mei 2025" in (await jan.next_reply()).buttons


async def test_resending_reports_is_limited_per_person(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        server.group(SECRETARIAT_ID, "Secretariaat")
        jan = server.user(TRAVELLER_ID, "Jan")
        async with running_bot(
            server, tmp_path / "b.sqlite3", at(5, 1), limit_resends_per_hour=2
        ) as bot:
            own = Traveller(name="J. de Vries", department="DSO", user_ref=JAN_REF)
            bot.store.reports.add(JAN_REF, example_report(traveller=own), at(5, 1))
            await jan.send("/mijnverslagen")
            listing = await reply_containing(jan, "Je verslagen")
            queries = [await jan.click(listing.buttons[0], message=listing) for _ in range(4)]
            await documents(server, TRAVELLER_ID, 4)
            await server.wait_idle(quiet=0.5)
            answers = [server.callback_answers[q].get("text") for q in queries]
            assert answers[2] == TOO_MANY_RESENDS and answers[3] != TOO_MANY_RESENDS
            assert sum(m.document is not None for m in server.messages(TRAVELLER_ID)) == 4

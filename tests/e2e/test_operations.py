"""Operations through the real bot: /healthz and /metrics on HEALTH_PORT, and a second
long-polling instance that gives way on Telegram's 409 Conflict."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.store import OutboxItem
from bot.telegram.app import EXIT_CONFLICT
from testkit.bot_harness import SECRETARIAT_ID, TRAVELLER_ID, running_bot
from testkit.conversation import reply_with_buttons
from testkit.example_trip import EXAMPLE_NOW
from testkit.fake_telegram import FakeTelegram
from testkit.ptb import free_port
from tests.drills.support import drill_bot

pytestmark = pytest.mark.asyncio


async def get(port: int, path: str) -> tuple[int, Any]:
    """GET a health endpoint: status and JSON (/healthz) or text (/metrics)."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}{path}") as response,
    ):
        body = await response.json() if path == "/healthz" else await response.text()
        return response.status, body


async def healthz_until(port: int, status: int, timeout: float = 10.0) -> dict[str, Any]:
    """Ask /healthz until it answers `status` (the first poll takes a moment)."""
    deadline = time.monotonic() + timeout
    while True:
        code, body = await get(port, "/healthz")
        if code == status or time.monotonic() > deadline:
            assert code == status, body
            result: dict[str, Any] = body
            return result
        await asyncio.sleep(0.1)


def metric(page: str, name: str) -> float:
    """One sample's value from a Prometheus text page."""
    found = re.search(rf"^{re.escape(name)} (\S+)$", page, re.MULTILINE)
    assert found, f"{name} not in metrics"
    return float(found.group(1))


async def test_healthz_and_metrics_while_travellers_talk(tmp_path: Path) -> None:
    port = free_port()
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "b.sqlite3", EXAMPLE_NOW, health_port=port) as bot,
    ):
        server.group(SECRETARIAT_ID, "Secretariaat")
        health = await healthz_until(port, 200)
        assert health["status"] == "ok"
        checks = health["checks"]
        assert checks["database"] == {"ok": True, "error": None}
        assert checks["updates"]["mode"] == "polling" and checks["updates"]["running"]
        assert checks["outbox"]["backlog"] == 0

        jan = server.user(user_id=TRAVELLER_ID, first_name="Jan")
        await jan.send("/start")
        await reply_with_buttons(jan)
        await jan.send("Wenen")
        await reply_with_buttons(jan)
        _, page = await get(port, "/metrics")
        assert metric(page, "reisverslag_updates_handled_total") >= 2
        assert metric(page, "reisverslag_reply_latency_seconds_count") >= 2
        assert metric(page, "reisverslag_outbox_backlog") == 0
        assert metric(page, "reisverslag_reminders_due") == 0
        assert 'reisverslag_reply_latency_seconds_bucket{le="1.0"}' in page
        telegram = bot.application.bot_data["services"].telegram
        prefetch = (telegram.prefetch_hits, telegram.prefetch_misses)
        shown = (
            metric(page, "reisverslag_prefetch_hits_total"),
            metric(page, "reisverslag_prefetch_misses_total"),
        )
        assert shown == prefetch and sum(shown) >= 2  # each message's first reading counted


async def test_healthz_fails_when_a_delivery_is_stuck_behind_a_dead_workers_lease(
    tmp_path: Path,
) -> None:
    port = free_port()
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "b.sqlite3", EXAMPLE_NOW, health_port=port) as bot,
    ):
        await healthz_until(port, 200)
        clock = bot.application.bot_data["services"].clock
        ten_minutes_ago: datetime = clock() - timedelta(minutes=10)
        bot.store.outbox.enqueue(
            [OutboxItem("telegram_message", "stuck", {"chat_id": 1, "html": "x"})],
            ten_minutes_ago,
        )
        # Another instance claimed it and died: its lease keeps this instance away for an hour.
        assert bot.store.outbox.claim_due(ten_minutes_ago, lease_seconds=3600)
        health = await healthz_until(port, 503)
        assert health["status"] == "fail"
        assert health["checks"]["outbox"]["ok"] is False
        assert health["checks"]["outbox"]["overdue_seconds"] >= 600
        assert health["checks"]["database"]["ok"] is True
        _, page = await get(port, "/metrics")
        assert metric(page, "reisverslag_outbox_backlog") == 1
        assert metric(page, "reisverslag_outbox_overdue_seconds") >= 600


async def test_a_second_polling_instance_exits_with_a_clear_message(tmp_path: Path) -> None:
    async with FakeTelegram() as server:
        server.group(SECRETARIAT_ID, "Secretariaat")
        env = {"ALLOWED_USER_IDS": str(TRAVELLER_ID), "SECRETARIAT_CHAT_ID": str(SECRETARIAT_ID)}
        first = drill_bot(server, tmp_path / "b.sqlite3", tmp_path / "first.log", **env)
        second = drill_bot(server, tmp_path / "b.sqlite3", tmp_path / "second.log", **env)
        try:
            first.start()
            await server.wait_for_poll(timeout=60)
            second.start()
            assert second.process is not None and first.process is not None
            status = await asyncio.to_thread(second.process.wait, 60)
            assert status == EXIT_CONFLICT
            log = (tmp_path / "second.log").read_text()
            assert "409 Conflict" in log and "another bot process" in log
            assert (
                log.strip().splitlines()[-1].startswith(tuple("0123456789"))
                or "Conflict" in log.strip().splitlines()[-1]
            )
            assert first.process.poll() is None  # the first one keeps serving
            jan = server.user(user_id=TRAVELLER_ID, first_name="Jan")
            await jan.send("/start")
            await reply_with_buttons(jan, timeout=30)
        finally:
            first.stop()
            second.stop()


async def test_healthz_in_webhook_mode_follows_the_webhook_server(tmp_path: Path) -> None:
    port, webhook_port = free_port(), free_port()
    webhook = {
        "listen": "127.0.0.1",
        "port": webhook_port,
        "url_path": "telegram",
        "webhook_url": f"http://127.0.0.1:{webhook_port}/telegram",
        "secret_token": "s3cret",
    }
    async with (
        FakeTelegram() as server,
        running_bot(
            server,
            tmp_path / "b.sqlite3",
            EXAMPLE_NOW,
            webhook=webhook,
            webhook_url=webhook["webhook_url"],
            health_port=port,
        ) as bot,
    ):
        server.group(SECRETARIAT_ID, "Secretariaat")
        health = await healthz_until(port, 200)
        assert health["checks"]["updates"] == {"ok": True, "mode": "webhook", "running": True}
        jan = server.user(user_id=TRAVELLER_ID, first_name="Jan")
        await jan.send("/start")
        await reply_with_buttons(jan)
        assert bot.application.updater is not None
        await bot.application.updater.stop()  # the webhook server is gone
        health = await healthz_until(port, 503)
        assert health["checks"]["updates"]["running"] is False
        await bot.application.updater.start_webhook(**webhook)  # back, for a clean stop
        await healthz_until(port, 200)


async def test_a_stopping_bot_leaves_its_delivery_backlog_queued_for_the_next_start(
    tmp_path: Path,
) -> None:
    database = tmp_path / "b.sqlite3"
    async with FakeTelegram() as server:
        jan = server.user(user_id=TRAVELLER_ID, first_name="Jan")
        server.faults.stall("sendMessage", seconds=0.5)  # every delivery takes half a second
        async with running_bot(server, database, EXAMPLE_NOW) as bot:
            now = bot.application.bot_data["services"].clock()
            backlog = [
                OutboxItem(
                    "telegram_message", f"backlog-{n}", {"chat_id": jan.user_id, "html": str(n)}
                )
                for n in range(10)
            ]
            bot.store.outbox.enqueue(backlog, now)
            bot.application.bot_data["services"].outbox.kick()
            await server.wait_for_call("sendMessage", answered=False)
        # Stopped while the first delivery was in hand: that one went out, the rest was
        # given back unclaimed instead of holding the stop for five more seconds.
        stopped_with = [m.text for m in jan.replies()]
        assert 1 <= len(stopped_with) < len(backlog)

        server.faults.clear()
        async with running_bot(server, database, EXAMPLE_NOW) as bot:
            for _ in range(100):
                if len(jan.replies()) >= len(backlog):
                    break
                await asyncio.sleep(0.05)
        delivered = [m.text for m in jan.replies()]
        assert sorted(delivered, key=int) == [str(n) for n in range(10)]  # each once

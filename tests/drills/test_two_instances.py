"""Drill: two bot processes behind one webhook URL on one PostgreSQL database.

Three travellers send the whole example interview at once, interleaved; a round-robin proxy
hands every other update to the other process, so (three being odd) each traveller's
messages alternate between the two. Every reply must come in order (each traveller sees exactly the questions
of the interview, one after the other) and every document must arrive exactly once.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiohttp import web

from bot.config import Settings
from bot.dialogs import Interview, InterviewState
from bot.store import Store
from bot.store.health import delivery_backlog
from testkit.bot_harness import SECRETARIAT_ID, travel_calculator
from testkit.databases import wipe_postgres
from testkit.fake_telegram import FakeTelegram
from testkit.ptb import free_port
from tests.drills.support import DRILL_SCRIPT, comparable, drill_bot, expected_report

pytestmark = [pytest.mark.slow, pytest.mark.asyncio]

POSTGRES_URL = os.environ.get("REISVERSLAG_TEST_POSTGRES_URL")
TRAVELLERS = [51, 52, 53]  # odd: a traveller's consecutive messages reach both processes
SECRET = "twee-instanties-geheim"


@asynccontextmanager
async def round_robin(ports: list[int], answered: Counter[int]) -> AsyncIterator[int]:
    """An HTTP proxy on a free port sending each request to the next backend in turn
    (counting each backend's 200 answers in `answered`)."""
    backends = itertools.cycle(ports)
    session = aiohttp.ClientSession()

    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        port = next(backends)
        async with session.post(
            f"http://127.0.0.1:{port}{request.path}",
            data=body,
            headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
        ) as answer:
            if answer.status == 200:
                answered[port] += 1
            return web.Response(status=answer.status, body=await answer.read())

    app = web.Application()
    app.router.add_post("/{path:.*}", forward)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield port
    finally:
        await runner.cleanup()
        await session.close()


def expected_questions() -> list[str]:
    """The question the pure interview asks after each message of the script, in order."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    trip = travel_calculator(settings)
    now = datetime.now(ZoneInfo(settings.timezone))
    state = InterviewState()
    questions = []
    for text in DRILL_SCRIPT[:-1]:
        interview = Interview(trip, now, state=state, profile=None, user_ref="x")
        reply = interview.start() if text == "/start" else interview.handle(text)
        assert reply.prompt is not None
        questions.append(reply.prompt.text)
        state = interview.state_data()
    return questions


async def wait_until(condition: object, timeout: float) -> None:
    """Poll `condition()` until true (the processes work in the background)."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out waiting for the bot processes"
        await asyncio.sleep(0.2)


@pytest.mark.skipif(POSTGRES_URL is None, reason="needs PostgreSQL (scripts/with-postgres.sh)")
async def test_two_webhook_instances_keep_every_travellers_order_and_send_documents_once(
    tmp_path: Path,
) -> None:
    assert POSTGRES_URL is not None
    wipe_postgres(POSTGRES_URL)
    ports = [free_port(), free_port()]
    answered: Counter[int] = Counter()
    async with FakeTelegram() as server, round_robin(ports, answered) as proxy:
        server.group(SECRETARIAT_ID, "Secretariaat")
        processes = [
            drill_bot(
                server,
                POSTGRES_URL,
                tmp_path / f"bot{index}.log",
                ALLOWED_USER_IDS=",".join(map(str, TRAVELLERS)),
                SECRETARIAT_CHAT_ID=str(SECRETARIAT_ID),
                WEBHOOK_URL=f"http://127.0.0.1:{proxy}/telegram",
                WEBHOOK_SECRET_TOKEN=SECRET,
                WEBHOOK_PORT=str(port),
            )
            for index, port in enumerate(ports)
        ]
        users = [server.user(user_id, f"Reiziger{user_id}") for user_id in TRAVELLERS]
        try:
            for process in processes:
                process.start()
            await wait_until(lambda: len(server.calls_to("setWebhook")) >= 2, 90)
            await wait_until(lambda: _listening(ports), 30)
            for text in DRILL_SCRIPT:  # the burst: every traveller's next message, interleaved
                for user in users:
                    await user.send(text)
            await wait_until(
                lambda: (
                    all(len(_documents(server, u)) >= 2 for u in TRAVELLERS)
                    and len(_documents(server, SECRETARIAT_ID)) >= 2 * len(TRAVELLERS)
                ),
                240,
            )
            await asyncio.sleep(2)  # a duplicate would arrive now
        finally:
            for process in processes:
                process.stop()
        deliveries = [status for _, status in server.webhook_deliveries]
        assert deliveries.count(200) == len(TRAVELLERS) * len(DRILL_SCRIPT)
        # Each process took half of the updates: every traveller's messages alternated.
        assert answered[ports[0]] == answered[ports[1]] == deliveries.count(200) // 2

    questions = expected_questions()
    for user_id in TRAVELLERS:
        asked = [
            m.plain_text
            for m in server.messages(user_id)
            if m.text and any(q in m.plain_text for q in questions)
        ]
        assert len(asked) == len(questions), (user_id, asked)
        for question, message in zip(questions, asked, strict=True):
            assert question in message, (user_id, question, message)
        names = sorted(d.filename for d in _documents(server, user_id))
        assert len(names) == 2 and names[0].endswith(".docx") and names[1].endswith(".pdf")
    assert len(_documents(server, SECRETARIAT_ID)) == 2 * len(TRAVELLERS)
    with Store.open(POSTGRES_URL) as store:
        for user_id in TRAVELLERS:
            [report] = store.reports.of_traveller(f"telegram:{user_id}")
            assert comparable(report) == comparable(expected_report(f"telegram:{user_id}"))
        assert delivery_backlog(store, store.now()).outbox_waiting == 0


def _documents(server: FakeTelegram, chat_id: int) -> list:  # type: ignore[type-arg]
    return [m.document for m in server.messages(chat_id) if m.document is not None]


def _listening(ports: list[int]) -> bool:
    import socket

    for port in ports:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return False
    return True

"""Drill: 429s, 500s, dropped connections and 10-second stalls on 20% of document sends.

What "exactly once" can mean: when Telegram carries out a send but the answer is lost
(connection dropped after processing), the bot cannot know it was sent and sends again, so
the chat shows a second copy. The strongest honest claim, tested here: every document
arrives; the bot hears success exactly once per document; and every extra copy in a chat is
one whose answer was lost after Telegram had sent it. Without such drops: exactly once.
"""

from __future__ import annotations

import asyncio
import collections
from pathlib import Path

import pytest

from testkit.bot_harness import SECRETARIAT_ID, running_bot
from testkit.example_trip import EXAMPLE_NOW, example_messages
from testkit.fake_telegram import ApiCall, FakeTelegram, UserClient

pytestmark = [pytest.mark.slow, pytest.mark.asyncio]

TRAVELLERS = [42, 43, 44]
DOCUMENT_KINDS = ("docx", "pdf")


async def _interview(user: UserClient) -> None:
    """The example interview up to the confirmation, waiting for each question."""
    for text in ["/start", *example_messages(until="confirm")]:  # the confirming "ja" comes later
        await user.send(text)
        while True:
            reply = await user.next_reply(60)
            if reply.event == "sent" and (reply.buttons or "<b>" in (reply.text or "")):
                break


def _filename(call: ApiCall) -> str:
    """The uploaded file's name of a sendDocument call."""
    upload = call.files.get("document")
    return upload.filename if upload is not None else ""


async def test_every_report_reaches_traveller_and_secretariat_once(tmp_path: Path) -> None:
    async with (
        FakeTelegram(seed=2026) as server,
        running_bot(
            server, tmp_path / "bot.sqlite3", EXAMPLE_NOW, allowed_user_ids=TRAVELLERS
        ) as bot,
    ):
        server.group(SECRETARIAT_ID, "Secretariaat")
        users = [server.user(user_id, f"Reiziger{user_id}") for user_id in TRAVELLERS]
        for user in users:
            await _interview(user)
        faults = server.faults
        faults.retry_after("sendDocument", seconds=1, probability=0.05)
        faults.server_error("sendDocument", probability=0.05 / 0.95)
        faults.drop_connection("sendDocument", probability=0.025 / 0.9)
        lost_answer = faults.drop_connection(
            "sendDocument", after_processing=True, probability=0.025 / 0.875
        )
        faults.stall("sendDocument", seconds=10, probability=0.05 / 0.85)
        for user in users:  # the last answer: "ja, versturen"
            await user.send("ja")
        expected = len(TRAVELLERS) * len(DOCUMENT_KINDS)
        for chat in [*TRAVELLERS, SECRETARIAT_ID]:
            want = len(DOCUMENT_KINDS) if chat != SECRETARIAT_ID else expected
            await server.wait_for_call(
                "sendDocument",
                lambda c, chat=chat, want=want: (
                    sum(
                        1
                        for x in server.calls_to("sendDocument")
                        if x.chat_id == chat and x.status == 200
                    )
                    >= want
                ),
                timeout=120,
            )
        await asyncio.sleep(3)  # a document sent twice would arrive by now (retries: 0.05 s)
        assert sum(faults.injected.values()) > 0
        sends = [c for c in server.calls_to("sendDocument")]
        heard_ok = collections.Counter((c.chat_id, _filename(c)) for c in sends if c.status == 200)
        shown = collections.Counter(
            (chat, m.document.filename)
            for chat in [*TRAVELLERS, SECRETARIAT_ID]
            for m in server.messages(chat)
            if m.document is not None
        )
        reports = [r for t in TRAVELLERS for r in bot.store.reports.of_traveller(f"telegram:{t}")]
        assert len(reports) == len(TRAVELLERS)
        per_chat = {chat: 1 for chat in TRAVELLERS} | {SECRETARIAT_ID: len(TRAVELLERS)}
        wanted = {
            (chat, f"verslag-dienstreis-2025-04-27-wenen.{kind}"): count
            for chat, count in per_chat.items()
            for kind in DOCUMENT_KINDS
        }
        assert dict(heard_ok) == wanted  # success heard exactly once per document
        for key, count in wanted.items():
            assert shown[key] >= count, key
        # extra copies only where Telegram carried out the send and its answer was lost
        assert sum(shown.values()) == sum(wanted.values()) + lost_answer.hits

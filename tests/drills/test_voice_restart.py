"""Drill: the bot process is killed (-9) around a voice answer; nothing spoken is lost."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from testkit.conversation import reply_containing
from testkit.fake_telegram import FakeTelegram, UserClient
from testkit.fake_transcription import API_KEY, MODEL, FakeTranscription, spoken_ogg
from testkit.process import BotProcess
from tests.drills.support import drill_bot, reply_ending_turn

pytestmark = [pytest.mark.slow, pytest.mark.asyncio]

TRAVELLER = 42
WORDS = "Wenen en Bratislava"


def _bot(server: FakeTelegram, stt: FakeTranscription, database: Path) -> BotProcess:
    return drill_bot(
        server,
        database,
        ALLOWED_USER_IDS=str(TRAVELLER),
        TRANSCRIPTION_URL=stt.url,
        TRANSCRIPTION_API_KEY=API_KEY,
        TRANSCRIPTION_MODEL=MODEL,
        TRANSCRIPTION_TIMEOUT_SECONDS="10",
    )


async def _started(
    server: FakeTelegram, stt: FakeTranscription, folder: Path
) -> tuple[BotProcess, UserClient]:
    """The bot process running, and Jan at its first question."""
    bot = _bot(server, stt, folder / "bot.sqlite3")
    jan = server.user(TRAVELLER, "Jan")
    bot.start()
    try:
        await jan.send("/start")
        await reply_ending_turn(jan, timeout=60)
    except BaseException:
        bot.stop()
        raise
    return bot, jan


async def _speak(jan: UserClient, stt: FakeTranscription) -> None:
    audio = spoken_ogg(WORDS)
    stt.knows(audio, WORDS + ".")
    await jan.send_voice(duration=2, data=audio)


async def _use_and_expect_period_question(jan: UserClient, offered: str) -> None:
    offer = await reply_containing(jan, offered, timeout=30)
    assert WORDS in offer.plain_text
    await jan.click("✅ Gebruiken", offer)
    question = await reply_containing(jan, "Vraag 2\n", timeout=30)
    assert "Waar ging de reis naartoe" not in question.plain_text


async def test_killed_after_transcription_the_text_is_offered_again(tmp_path: Path) -> None:
    async with FakeTelegram() as server, FakeTranscription() as stt:
        bot, jan = await _started(server, stt, tmp_path)
        try:
            await _speak(jan, stt)
            first = await reply_containing(jan, "Ik verstond", timeout=30)
            bot.kill()
            bot.start()
            await _use_and_expect_period_question(jan, "wacht nog")
            # The first offer's button, tapped after all that, does not apply the text again.
            query_id = await jan.click("✅ Gebruiken", first)
            stale = await server.wait_for_call(
                "answerCallbackQuery",
                lambda call: call.params.get("callback_query_id") == query_id,
                timeout=30,
            )
            assert "al gebruikt" in str(stale.params.get("text"))
            await server.wait_idle()
            assert not any("Vraag 3\n" in m.plain_text for m in jan.replies())
            assert len(stt.requests) == 1
        finally:
            bot.stop()


async def test_killed_during_transcription_it_is_transcribed_after_the_restart(
    tmp_path: Path,
) -> None:
    async with FakeTelegram() as server, FakeTranscription() as stt:
        bot, jan = await _started(server, stt, tmp_path)
        try:
            stt.faults = ["hold"]
            await _speak(jan, stt)
            await asyncio.wait_for(stt.holding.wait(), 30)
            bot.kill()
            stt.released.set()
            bot.start()
            await _use_and_expect_period_question(jan, "Ik verstond")
            assert len(stt.requests) == 2  # the held one, and the one after the restart
        finally:
            bot.stop()

"""Voice answers through the real python-telegram-bot stack, the fake Bot API and a fake
OpenAI-compatible transcription server, with real OGG/Opus speech made by espeak-ng."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.telegram.services import TelegramDraft
from testkit.bot_harness import RunningBot, running_bot
from testkit.conversation import answer, reply_containing, reply_with_buttons
from testkit.example_report import EXAMPLE_FREE_TEXT
from testkit.example_trip import EXAMPLE_MESSAGES, EXAMPLE_NOW, example_messages
from testkit.fake_telegram import BotMessage, FakeTelegram, UserClient
from testkit.fake_transcription import API_KEY, MODEL, FakeTranscription, spoken_ogg

pytestmark = pytest.mark.asyncio

JAN, PIET = 42, 43
HEARD = "Ik verstond"


@dataclass
class Scene:
    """A bot with voice switched on, its fakes and one traveller at the first question."""

    server: FakeTelegram
    stt: FakeTranscription
    bot: RunningBot
    jan: UserClient

    def draft(self, user_id: int = JAN) -> TelegramDraft:
        """The traveller's stored draft."""
        stored = self.bot.store.drafts.load(f"telegram:{user_id}")
        assert stored is not None
        return TelegramDraft.model_validate(stored.state)


@asynccontextmanager
async def voice_scene(tmp_path: Path, **overrides: Any) -> AsyncIterator[Scene]:
    """The bot with a transcription service; Jan has typed /start."""
    settings: dict[str, Any] = {
        "transcription_api_key": API_KEY,
        "transcription_model": MODEL,
        "transcription_timeout_seconds": 1.0,
        "allowed_user_ids": [JAN, PIET],
    }
    settings.update(overrides)
    async with FakeTelegram() as server, FakeTranscription() as stt:
        settings.setdefault("transcription_url", stt.url)
        async with running_bot(server, tmp_path / "bot.sqlite3", EXAMPLE_NOW, **settings) as bot:
            jan = server.user(user_id=JAN, first_name="Jan")
            await jan.send("/start")
            await reply_with_buttons(jan)
            yield Scene(server, stt, bot, jan)
            assert stt.problems == []


async def speak(scene: Scene, words: str, heard: str | None = None, **kwargs: Any) -> bytes:
    """Jan sends `words` as a real voice message; the service will hear `heard` (or `words`)."""
    audio = spoken_ogg(words)
    scene.stt.knows(audio, heard if heard is not None else words)
    await scene.jan.send_voice(duration=kwargs.pop("duration", 2), data=audio, **kwargs)
    return audio


async def offer(user: UserClient) -> BotMessage:
    """The bot's "Ik verstond: …" message."""
    return await reply_containing(user, HEARD)


async def test_spoken_destination_after_gebruiken_is_the_same_as_typed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with voice_scene(tmp_path) as scene:
        audio = await speak(scene, "Wenen en Bratislava", heard=" Wenen en Bratislava.")
        shown = await offer(scene.jan)
        assert "Wenen en Bratislava" in shown.plain_text
        assert shown.buttons == ["✅ Gebruiken", "✏️ Aanpassen", "🎙️ Opnieuw"]  # no Aanvullen
        assert scene.draft().voice is not None and scene.draft().interview.current == "destinations"

        [request] = scene.stt.requests
        assert request.audio == audio and len(audio) > 1000
        assert (request.model, request.language) == (MODEL, "nl")
        assert request.authorization == f"Bearer {API_KEY}"
        assert request.filename.endswith(".ogg") and request.content_type == "audio/ogg"

        await scene.jan.click("✅ Gebruiken")
        spoken_next = await reply_with_buttons(scene.jan)
        assert "Wanneer" in spoken_next.plain_text or "periode" in spoken_next.plain_text.lower()

        piet = scene.server.user(user_id=PIET, first_name="Piet")
        await piet.send("/start")
        await reply_with_buttons(piet)
        typed_next = await answer(piet, "Wenen en Bratislava")
        assert typed_next.plain_text == spoken_next.plain_text
        spoken, typed = scene.draft(JAN), scene.draft(PIET)
        assert spoken.interview.current == typed.interview.current == "period"
        assert spoken.interview.answers == typed.interview.answers
        assert spoken.voice is None
        assert "✅ Gebruiken" not in (scene.jan.chat.messages[shown.message_id].buttons)
        database = [p.read_bytes() for p in tmp_path.glob("bot.sqlite3*")]
        pieces = [audio[i : i + 32] for i in range(len(audio) // 2, len(audio) - 32, 512)]
        assert pieces and all(len(set(piece)) > 16 for piece in pieces)  # real sound, not padding
        assert database and not any(p in stored for p in pieces for stored in database)
        assert scene.server.downloads == [scene.server.calls_to("getFile")[0].params["file_id"]]

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert API_KEY not in logged and "Bratislava" not in logged


async def test_the_whole_example_trip_by_voice(tmp_path: Path) -> None:
    """Every answer of the example trip spoken, as a recogniser writes it, and used."""
    whisper_style = {
        "1": "Eén.",
        "zondagavond 27 april t/m dinsdag 29 april": (
            "Zondagavond 27 april tot en met dinsdag 29 april."
        ),
    }
    async with voice_scene(tmp_path) as scene:
        for typed in EXAMPLE_MESSAGES:
            heard = whisper_style.get(typed, typed[:1].upper() + typed[1:] + ".")
            await speak(scene, typed[:60], heard=heard)
            await offer(scene.jan)
            await scene.jan.click("✅ Gebruiken")
            reply = await scene.jan.next_reply(10)
            while reply.event != "sent" or HEARD in reply.plain_text:
                reply = await scene.jan.next_reply(10)
        for _ in range(100):
            if scene.bot.store.reports.of_traveller(f"telegram:{JAN}"):
                break
            await asyncio.sleep(0.1)
        [report] = scene.bot.store.reports.of_traveller(f"telegram:{JAN}")
        assert report.persons == 1
        assert report.period.departure.isoformat() == "2025-04-27"
        assert [p.name for p in report.destinations] == ["Wenen", "Bratislava"]
        assert report.purpose == EXAMPLE_FREE_TEXT["purpose"][:1].upper() + (
            EXAMPLE_FREE_TEXT["purpose"][1:] + "."
        )


async def _to_purpose(scene: Scene) -> None:
    """Type the example answers up to the purpose question."""
    for text in example_messages(until="purpose"):
        question = await answer(scene.jan, text)
    assert scene.draft().interview.current == "purpose", question.plain_text


async def test_a_two_part_answer_with_aanvullen(tmp_path: Path) -> None:
    async with voice_scene(tmp_path) as scene:
        await _to_purpose(scene)
        await speak(scene, "Deelname aan de bijeenkomst in Wenen.")
        first = await offer(scene.jan)
        assert "➕ Aanvullen" in first.buttons
        await scene.jan.click("➕ Aanvullen")
        await reply_containing(scene.jan, "Spreek het vervolg in")
        await speak(scene, "En overleg met de stad Bratislava.")
        both = await offer(scene.jan)
        assert "Deelname aan de bijeenkomst in Wenen." in both.plain_text
        assert "En overleg met de stad Bratislava." in both.plain_text
        await scene.jan.click("✅ Gebruiken", both)
        await reply_with_buttons(scene.jan)
        draft = scene.draft()
        assert draft.interview.answers["purpose"] == (
            "Deelname aan de bijeenkomst in Wenen.\nEn overleg met de stad Bratislava."
        )
        assert draft.interview.current == "locations" and draft.voice is None


async def test_opnieuw_drops_the_last_part_only(tmp_path: Path) -> None:
    async with voice_scene(tmp_path) as scene:
        await _to_purpose(scene)
        await speak(scene, "Deelname aan de bijeenkomst.")
        await offer(scene.jan)
        await scene.jan.click("➕ Aanvullen")
        await speak(scene, "Verkeerd verstaan stuk.")
        await offer(scene.jan)
        await scene.jan.click("🎙️ Opnieuw")
        await reply_containing(scene.jan, "laatste deel opnieuw")
        await speak(scene, "Goed tweede stuk van het verhaal.")
        again = await offer(scene.jan)
        assert "Verkeerd" not in again.plain_text
        await scene.jan.click("✅ Gebruiken", again)
        await reply_with_buttons(scene.jan)
        assert scene.draft().interview.answers["purpose"] == (
            "Deelname aan de bijeenkomst.\nGoed tweede stuk van het verhaal."
        )


async def test_aanpassen_lets_the_traveller_type_the_corrected_text(tmp_path: Path) -> None:
    async with voice_scene(tmp_path) as scene:
        await speak(scene, "Wenen en Bratislava", heard="Weenen en Bratislaava")
        shown = await offer(scene.jan)
        await scene.jan.click("✏️ Aanpassen")
        hint = await reply_containing(scene.jan, "Typ je antwoord")
        assert "<code>Weenen en Bratislaava</code>" in (hint.text or "")
        assert scene.draft().voice is None
        await answer(scene.jan, "Wenen en Bratislava")
        assert scene.draft().interview.current == "period"
        # The old offer's buttons were removed; even a stale tap changes nothing.
        assert scene.jan.chat.messages[shown.message_id].buttons == []


async def test_too_long_is_refused_before_anything_is_fetched(tmp_path: Path) -> None:
    async with voice_scene(tmp_path, voice_max_seconds=180) as scene:
        audio = spoken_ogg("Een heel lang verhaal")
        await scene.jan.send_voice(duration=200, data=audio)
        reply = await reply_with_buttons(scene.jan)
        assert "3:20 minuten" in reply.plain_text and "tot 3:00 minuten" in reply.plain_text
        assert "Waar ging de reis naartoe" in reply.plain_text
        assert scene.server.calls_to("getFile") == [] and scene.stt.requests == []
        assert scene.draft().voice is None


async def test_too_large_is_refused_with_telegrams_limit(tmp_path: Path) -> None:
    async with voice_scene(tmp_path) as scene:
        audio = spoken_ogg("Wenen")
        await scene.jan.send_audio(audio, duration=60, file_size=21 * 1024 * 1024)
        reply = await reply_with_buttons(scene.jan)
        assert "groter dan 20 MB" in reply.plain_text
        assert scene.server.calls_to("getFile") == []
        # Telegram did not say how big it is: getFile refuses it, and the traveller hears why.
        big = audio + bytes(21 * 1024 * 1024)
        upload = scene.server.store_file("groot.ogg", big, "audio/ogg")
        scene.server.files[upload.file_id] = upload
        await scene.jan._send_message(
            scene.jan._new_message(
                audio={
                    "file_id": upload.file_id,
                    "file_unique_id": upload.file_unique_id,
                    "duration": 60,
                }
            )
        )
        reply = await reply_containing(scene.jan, "groter dan 20 MB")
        assert "Waar ging de reis naartoe" in reply.plain_text
        assert scene.server.downloads == [] and scene.stt.requests == []


async def test_timeout_is_tried_twice_then_explained_and_sending_again_works(
    tmp_path: Path,
) -> None:
    async with voice_scene(tmp_path, transcription_timeout_seconds=0.5) as scene:
        scene.stt.faults = ["stall", "stall"]
        await speak(scene, "Wenen en Bratislava")
        reply = await reply_containing(scene.jan, "reageert nu niet")
        assert "Waar ging de reis naartoe" in reply.plain_text
        assert len(scene.stt.requests) == 2
        assert scene.draft().voice is None
        await speak(scene, "Wenen en Bratislava")
        await offer(scene.jan)
        assert len(scene.stt.requests) == 3


async def test_a_server_error_is_retried_once(tmp_path: Path) -> None:
    async with voice_scene(tmp_path) as scene:
        scene.stt.faults = ["500"]
        await speak(scene, "Wenen en Bratislava")
        await offer(scene.jan)
        assert len(scene.stt.requests) == 2
        scene.stt.faults = ["500", "500"]
        await speak(scene, "Wenen")
        reply = await reply_containing(scene.jan, "reageert nu niet")
        assert "Waar ging de reis naartoe" in reply.plain_text
        assert len(scene.stt.requests) == 4


async def test_a_slow_service_does_not_delay_other_travellers(tmp_path: Path) -> None:
    async with voice_scene(tmp_path, transcription_timeout_seconds=30) as scene:
        scene.stt.faults = ["hold"]
        await speak(scene, "Wenen en Bratislava")
        await asyncio.wait_for(scene.stt.holding.wait(), 10)
        piet = scene.server.user(user_id=PIET, first_name="Piet")
        await piet.send("/start")
        await reply_with_buttons(piet)
        await answer(piet, "Wenen en Bratislava")  # answered while Jan's voice is held
        await answer(scene.jan, "Parijs")  # Jan himself can type meanwhile, too
        assert scene.draft().interview.current == "period"
        scene.stt.released.set()
        await scene.server.wait_idle()
        # Jan moved on: the late transcript is not offered for a question he left.
        assert not any(HEARD in m.plain_text for m in scene.jan.replies())


async def test_voice_while_switched_off(tmp_path: Path) -> None:
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "bot.sqlite3", EXAMPLE_NOW) as bot,
    ):
        assert bot.settings.transcription_url is None
        jan = server.user(user_id=JAN, first_name="Jan")
        await jan.send("/start")
        await reply_with_buttons(jan)
        await jan.send_voice(duration=2, data=spoken_ogg("Wenen"))
        reply = await reply_with_buttons(jan)
        assert "Spraakberichten staan bij deze bot niet aan" in reply.plain_text
        assert "Waar ging de reis naartoe" in reply.plain_text
        assert server.calls_to("getFile") == []


async def test_a_double_tap_on_gebruiken_applies_once(tmp_path: Path) -> None:
    async with voice_scene(tmp_path) as scene:
        await speak(scene, "Wenen en Bratislava")
        shown = await offer(scene.jan)
        stored = scene.jan.chat.messages[shown.message_id]
        data = next(b["callback_data"] for b in stored.inline_buttons if "Gebruiken" in b["text"])
        first = await scene.jan._send_callback(stored, data)
        second = await scene.jan._send_callback(stored, data)
        await scene.bot.handled_everything(scene.server)
        answers = {
            call.params.get("callback_query_id"): call.params.get("text")
            for call in scene.server.calls_to("answerCallbackQuery")
        }
        assert "al gebruikt" in str(answers[second]) and answers[first] is None
        draft = scene.draft()
        assert draft.interview.current == "period"
        assert not any(
            "datum" in m.plain_text.lower() and "begrijp" in m.plain_text.lower()
            for m in scene.jan.replies()
        )
        questions = [m for m in scene.jan.replies() if re.search(r"\bVraag 2\b", m.plain_text)]
        assert len(questions) == 1


async def test_an_audio_file_and_a_round_video_message_are_transcribed_too(tmp_path: Path) -> None:
    async with voice_scene(tmp_path) as scene:
        audio = spoken_ogg("Wenen")
        scene.stt.knows(audio, "Wenen.")
        await scene.jan.send_audio(audio, duration=2, filename="memo.ogg")
        first = await offer(scene.jan)
        await scene.jan.send_video_note(audio, duration=2)
        second = await offer(scene.jan)
        assert "Wenen" in first.plain_text and "Wenen" in second.plain_text
        assert [(r.filename, r.content_type) for r in scene.stt.requests] == [
            ("memo.ogg", "audio/ogg"),
            ("video.mp4", "video/mp4"),
        ]
        # Only the newest recording's text counts: the first offer's buttons are stale now.
        stale = await scene.jan.click("✅ Gebruiken", first)
        refused = await scene.server.wait_for_call(
            "answerCallbackQuery", lambda call: call.params.get("callback_query_id") == stale
        )
        assert "vervangen" in str(refused.params.get("text"))
        assert scene.draft().interview.current == "destinations"
        await scene.jan.click("✅ Gebruiken", second)
        await reply_with_buttons(scene.jan)
        assert scene.draft().interview.current == "period"


async def test_an_offer_telegram_refused_once_is_sent_again(tmp_path: Path) -> None:
    async with voice_scene(tmp_path) as scene:
        scene.server.faults.server_error("sendMessage", times=1)
        await speak(scene, "Wenen en Bratislava")
        shown = await reply_containing(scene.jan, HEARD, timeout=15)
        assert len(scene.stt.requests) == 1  # sent again, not transcribed again
        refused = [c for c in scene.server.calls_to("sendMessage") if c.status == 500]
        assert len(refused) == 1 and HEARD in str(refused[0].params.get("text"))
        await scene.jan.click("✅ Gebruiken", shown)
        await reply_with_buttons(scene.jan)
        assert scene.draft().interview.current == "period"


async def test_a_telegram_download_error_is_tried_again_then_explained(tmp_path: Path) -> None:
    async with voice_scene(tmp_path) as scene:
        scene.server.faults.server_error("getFile", times=1)
        await speak(scene, "Wenen en Bratislava")
        await offer(scene.jan)
        scene.server.faults.server_error("getFile", times=2)
        await speak(scene, "Wenen")
        reply = await reply_containing(scene.jan, "niet ophalen bij Telegram")
        assert "Waar ging de reis naartoe" in reply.plain_text
        assert len(scene.stt.requests) == 1
        assert [c.status for c in scene.server.calls_to("getFile")] == [500, 200, 500, 500]

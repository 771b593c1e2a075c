"""The OpenAI-compatible transcription adapter against the fake service, and its settings."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.telegram.voice import spoken_text
from bot.transcription import (
    OpenAICompatibleTranscriber,
    TranscriptionFailed,
    endpoint_url,
    transcriber_from_settings,
)
from testkit.fake_transcription import API_KEY, MODEL, FakeTranscription, spoken_ogg


def _transcriber(stt: FakeTranscription, **changes: object) -> OpenAICompatibleTranscriber:
    values: dict[str, object] = {
        "url": stt.url,
        "model": MODEL,
        "timeout_seconds": 5.0,
        "api_key": API_KEY,
    }
    values.update(changes)
    return OpenAICompatibleTranscriber(**values)  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_sends_file_model_language_and_key_and_returns_the_text() -> None:
    audio = spoken_ogg("Goedemorgen")
    async with FakeTranscription() as stt:
        stt.knows(audio, "Goedemorgen.")
        text = await _transcriber(stt).transcribe(audio, "voice.ogg", "audio/ogg", "nl")
        assert text == "Goedemorgen."
        [heard] = stt.requests
        assert (heard.audio, heard.filename, heard.content_type) == (
            audio,
            "voice.ogg",
            "audio/ogg",
        )
        assert (heard.model, heard.language, heard.authorization) == (
            MODEL,
            "nl",
            f"Bearer {API_KEY}",
        )
        assert stt.problems == []


@pytest.mark.asyncio
async def test_a_refused_request_is_not_retried() -> None:
    audio = spoken_ogg("Goedemorgen")
    async with FakeTranscription() as stt:
        stt.knows(audio, "Goedemorgen.")
        with pytest.raises(TranscriptionFailed) as failure:
            await _transcriber(stt, api_key="wrong").transcribe(
                audio, "voice.ogg", "audio/ogg", "nl"
            )
        assert not failure.value.retryable and len(stt.requests) == 1
        assert "kon dit bericht niet verwerken" in failure.value.message


@pytest.mark.asyncio
async def test_an_unreachable_service_is_tried_twice_then_explained() -> None:
    async with FakeTranscription() as stt:
        url = stt.url
    with pytest.raises(TranscriptionFailed) as failure:
        await OpenAICompatibleTranscriber(url, MODEL, 2.0).transcribe(
            b"OggS", "voice.ogg", "audio/ogg", "nl"
        )
    assert failure.value.retryable and "reageert nu niet" in failure.value.message


@pytest.mark.asyncio
async def test_an_endless_answer_is_refused() -> None:
    async with FakeTranscription() as stt:
        stt.faults = ["huge"]
        with pytest.raises(TranscriptionFailed) as failure:
            await _transcriber(stt).transcribe(b"OggS", "voice.ogg", "audio/ogg", "nl")
        assert not failure.value.retryable and len(stt.requests) == 1


def test_a_transcription_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="http"):
        Settings(_env_file=None, transcription_url="file:///etc/passwd")  # type: ignore[call-arg]


def test_endpoint_url_accepts_a_bare_server_or_the_full_path() -> None:
    assert endpoint_url("http://stt:8000") == "http://stt:8000/v1/audio/transcriptions"
    assert endpoint_url("http://stt:8000/v1/") == "http://stt:8000/v1/audio/transcriptions"
    full = "https://stt.example/v1/audio/transcriptions"
    assert endpoint_url(full) == full
    assert endpoint_url("http://stt:8080/inference") == "http://stt:8080/inference"


def test_plain_http_to_another_host_is_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    for url in ("http://127.0.0.1:8000", "https://stt.example", "http://stt.intern:8000"):
        transcriber_from_settings(Settings(_env_file=None, transcription_url=url))  # type: ignore[call-arg]
    warned = [r.getMessage() for r in caplog.records if "plain http" in r.getMessage()]
    assert len(warned) == 1


def test_settings_switch_voice_on_and_keep_the_key_secret() -> None:
    off = Settings(_env_file=None)  # type: ignore[call-arg]
    assert transcriber_from_settings(off) is None and not off.voice_enabled
    on = Settings(  # type: ignore[call-arg]
        _env_file=None, transcription_url="http://stt:8000", transcription_api_key="k3y-s3cret"
    )
    assert on.voice_enabled and transcriber_from_settings(on) is not None
    assert "k3y-s3cret" in on.secret_values()
    assert "k3y-s3cret" not in repr(on)


@pytest.mark.parametrize(
    ("heard", "free_text", "used"),
    [
        (" Wenen en Bratislava.", False, "Wenen en Bratislava"),
        ("Ja.", False, "Ja"),
        ("Terug.", True, "Terug"),
        ("Sla over.", True, "Sla over"),
        ("We spraken met de stad.", True, "We spraken met de stad."),
        ("  Eén  ", False, "Eén"),
        ("...", False, ""),
    ],
)
def test_spoken_text_drops_the_recognisers_full_stop_outside_free_text(
    heard: str, free_text: bool, used: str
) -> None:
    assert spoken_text(heard, free_text) == used

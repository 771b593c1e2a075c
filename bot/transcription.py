"""Speech to text: the transcription port and its adapter for the OpenAI-compatible API.

`POST /v1/audio/transcriptions` (multipart: `file`, `model`, `language`, `response_format`)
is served by OpenAI and by self-hosted servers (faster-whisper based servers such as
speaches, whisper.cpp's server), so a municipality can keep the audio inside its network.
The audio is sent once and held only in memory; neither audio nor text is ever logged.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Protocol

import aiohttp

from bot.config import Settings

__all__ = [
    "OpenAICompatibleTranscriber",
    "Transcriber",
    "TranscriptionFailed",
    "transcriber_from_settings",
]

log = logging.getLogger(__name__)

ENDPOINT = "/v1/audio/transcriptions"
#: A timeout, a dropped connection or a 5xx is tried once more; anything else is final.
ATTEMPTS = 2
#: Three minutes of speech are a few thousand characters; a far longer answer is refused.
MAX_RESPONSE_BYTES = 200_000


class TranscriptionFailed(Exception):
    """The service could not turn the audio into text; `message` is for the traveller."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


class Transcriber(Protocol):
    """Turns one short recording into text."""

    async def transcribe(self, audio: bytes, filename: str, mime_type: str, language: str) -> str:
        """The spoken text (raises `TranscriptionFailed`)."""
        ...


def endpoint_url(url: str) -> str:
    """The full endpoint: a bare server address gets `/v1/audio/transcriptions` appended."""
    base = url.rstrip("/")
    if base.endswith("/audio/transcriptions") or base.endswith("/inference"):
        return base
    if base.endswith("/v1"):
        return base + "/audio/transcriptions"
    return base + ENDPOINT


@dataclass
class OpenAICompatibleTranscriber:
    """The adapter for `POST /v1/audio/transcriptions` (retries a timeout or 5xx once)."""

    url: str
    model: str
    timeout_seconds: float
    api_key: str | None = None

    async def transcribe(self, audio: bytes, filename: str, mime_type: str, language: str) -> str:
        """Send the audio, return the text; a second try after a timeout or server error."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await self._post(audio, filename, mime_type, language)
            except TranscriptionFailed as failure:
                if not failure.retryable or attempt == ATTEMPTS:
                    raise
                log.warning("transcription attempt %d failed; trying once more", attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _post(self, audio: bytes, filename: str, mime_type: str, language: str) -> str:
        form = aiohttp.FormData()
        form.add_field("file", audio, filename=filename, content_type=mime_type)
        form.add_field("model", self.model)
        form.add_field("language", language)
        form.add_field("response_format", "json")
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.post(endpoint_url(self.url), data=form, headers=headers) as response,
            ):
                if response.status >= 500:
                    log.warning("transcription service answered HTTP %d", response.status)
                    raise TranscriptionFailed(_UNAVAILABLE, retryable=True)
                if response.status >= 400:
                    log.error("transcription service refused the request: HTTP %d", response.status)
                    raise TranscriptionFailed(_REFUSED)
                raw = await response.content.read(MAX_RESPONSE_BYTES + 1)
                if len(raw) > MAX_RESPONSE_BYTES:
                    log.error("transcription service answered more than %d bytes", len(raw) - 1)
                    raise TranscriptionFailed(_REFUSED)
                body = json.loads(raw)
        except TimeoutError:
            log.warning("transcription service did not answer within %ss", self.timeout_seconds)
            raise TranscriptionFailed(_UNAVAILABLE, retryable=True) from None
        except aiohttp.ClientError as error:
            log.warning("transcription service unreachable: %s", type(error).__name__)
            raise TranscriptionFailed(_UNAVAILABLE, retryable=True) from None
        except ValueError:
            log.error("transcription service sent something that is not JSON")
            raise TranscriptionFailed(_REFUSED) from None
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str):
            log.error("transcription service answered without a text field")
            raise TranscriptionFailed(_REFUSED)
        return text


_UNAVAILABLE = (
    "De spraakherkenning reageert nu niet, ook niet bij een tweede poging. "
    "Stuur je spraakbericht over een paar minuten nog eens, of typ je antwoord."
)
_REFUSED = (
    "De spraakherkenning kon dit bericht niet verwerken. Stuur het nog eens of typ je antwoord."
)


def transcriber_from_settings(settings: Settings) -> Transcriber | None:
    """The configured transcriber, or None when voice is not switched on."""
    if not settings.transcription_url:
        return None
    key = settings.transcription_api_key
    return OpenAICompatibleTranscriber(
        url=settings.transcription_url,
        model=settings.transcription_model,
        timeout_seconds=settings.transcription_timeout_seconds,
        api_key=key.get_secret_value() if key and key.get_secret_value() else None,
    )

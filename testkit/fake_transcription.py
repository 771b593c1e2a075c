"""A fake OpenAI-compatible speech-to-text server (`POST /v1/audio/transcriptions`) on 127.0.0.1.

It checks every request the way the real API would refuse a bad one (multipart form, `file`,
`model`, `language`, the bearer token) and "recognises" only recordings a test registered,
by their exact bytes. Tests can make it fail (HTTP 500), stall (a timeout) or hold a request
until released, to drill what the bot does when the service is slow or down.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, web

__all__ = ["FakeTranscription", "Heard", "spoken_ogg"]

API_KEY = "test-transcription-key"
MODEL = "test-whisper"


@dataclass
class Heard:
    """One request as the server received it."""

    filename: str
    content_type: str
    audio: bytes
    model: str
    language: str
    authorization: str
    problems: list[str] = field(default_factory=list)


class FakeTranscription:
    """The fake service: register recordings with `knows(audio, text)`, then read `requests`."""

    def __init__(self, *, api_key: str = API_KEY, model: str = MODEL) -> None:
        """Prepare the server; `start()` binds a free port."""
        self.api_key = api_key
        self.model = model
        self.requests: list[Heard] = []
        self.faults: list[str] = []  # per request, in order: "500", "stall", "hold", "huge"
        self.released = asyncio.Event()
        self.holding = asyncio.Event()
        self._texts: dict[str, str] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """The endpoint to put in TRANSCRIPTION_URL."""
        return f"http://127.0.0.1:{self.port}/v1/audio/transcriptions"

    def knows(self, audio: bytes, text: str) -> None:
        """Answer `text` for exactly these bytes."""
        self._texts[hashlib.sha256(audio).hexdigest()] = text

    @property
    def problems(self) -> list[str]:
        """Everything wrong with the requests received so far."""
        return [problem for heard in self.requests for problem in heard.problems]

    async def start(self) -> FakeTranscription:
        """Serve on 127.0.0.1."""
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_post("/v1/audio/transcriptions", self._transcribe)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Stop serving."""
        self.released.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeTranscription:
        """Start on entering the block."""
        return await self.start()

    async def __aexit__(self, *_exc: object) -> None:
        """Stop on leaving it."""
        await self.stop()

    async def _transcribe(self, request: web.Request) -> web.StreamResponse:
        heard = await self._read(request)
        self.requests.append(heard)
        fault = self.faults.pop(0) if self.faults else None
        if fault == "huge":
            return web.json_response({"text": "bla " * 100_000})
        if fault == "500":
            return web.json_response({"error": {"message": "overloaded"}}, status=500)
        if fault == "stall":
            await asyncio.sleep(30)  # far beyond the bot's timeout in the tests
        if fault == "hold":
            self.holding.set()
            await self.released.wait()
        if heard.authorization != f"Bearer {self.api_key}":
            heard.problems.append(f"authorization {heard.authorization!r}")
            return web.json_response({"error": {"message": "bad key"}}, status=401)
        if heard.problems:
            return web.json_response({"error": {"message": heard.problems}}, status=400)
        text = self._texts.get(hashlib.sha256(heard.audio).hexdigest())
        if text is None:
            heard.problems.append("audio the test did not register")
            return web.json_response({"error": {"message": "unknown audio"}}, status=400)
        return web.json_response({"text": text})

    async def _read(self, request: web.Request) -> Heard:
        """The multipart form, with what the real API would refuse noted as problems."""
        problems: list[str] = []
        values: dict[str, Any] = {}
        if not request.content_type.startswith("multipart/form-data"):
            problems.append(f"content type {request.content_type}")
        else:
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.name == "file":
                    values["file"] = (part.filename or "", part.headers.get("Content-Type", ""))
                    values["audio"] = bytes(await part.read())
                else:
                    values[part.name] = await part.text()
        filename, content_type = values.get("file", ("", ""))
        heard = Heard(
            filename=filename,
            content_type=content_type,
            audio=values.get("audio", b""),
            model=values.get("model", ""),
            language=values.get("language", ""),
            authorization=request.headers.get("Authorization", ""),
            problems=problems,
        )
        if not heard.audio.startswith(b"OggS"):
            problems.append("file is not an OGG recording")
        if "." not in heard.filename:
            problems.append(f"file name without extension: {heard.filename!r}")
        if heard.model != self.model:
            problems.append(f"model {heard.model!r}")
        if not heard.language:
            problems.append("no language hint")
        if values.get("response_format", "json") != "json":
            problems.append(f"response_format {values.get('response_format')!r}")
        return heard


@cache
def spoken_ogg(text: str) -> bytes:
    """Real speech: `text` spoken by espeak-ng in Dutch, encoded as OGG/Opus by opusenc."""
    for tool in ("espeak-ng", "opusenc"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is missing: run `make install` (scripts/system-deps.sh)")
    with tempfile.TemporaryDirectory() as folder:
        wav, ogg = Path(folder) / "speech.wav", Path(folder) / "speech.ogg"
        speech = ["espeak-ng", "-v", "nl", "-w", str(wav), "--stdin"]
        subprocess.run(speech, input=text.encode(), check=True)
        subprocess.run(["opusenc", "--quiet", str(wav), str(ogg)], check=True)
        return ogg.read_bytes()

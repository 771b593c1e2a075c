"""The aiohttp transport sends what python-telegram-bot's httpx transport sends and fails the
same way, against HTTP servers on 127.0.0.1 (a recording one, and the fake Bot API)."""

from __future__ import annotations

import asyncio
import io
import json
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import pytest
import pytest_asyncio
from aiohttp import BodyPartReader, web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, InputMediaDocument
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram.http import AiohttpRequest
from testkit.fake_telegram import FakeTelegram

TRANSPORTS: dict[str, Callable[..., BaseRequest]] = {
    "httpx": HTTPXRequest,
    "aiohttp": AiohttpRequest,
}


@dataclass
class Received:
    """One request as the server read it."""

    method: str
    path: str
    content_type: str
    user_agent: str
    body: bytes = b""
    #: multipart: (Content-Disposition, value) of each text part, in order
    fields: list[tuple[str, str]] = field(default_factory=list)
    #: multipart: (Content-Disposition, Content-Type, data) of each file part, in order
    files: list[tuple[str, str, bytes]] = field(default_factory=list)


class RecordingServer:
    """Records every request to /record and answers it with a small JSON body; /slow answers
    after `slow_seconds`; /hold answers once `release` is set."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.release = asyncio.Event()
        self.slow_seconds = 2.0
        self.runner: web.AppRunner | None = None
        self.port = 0

    def url(self, path: str) -> str:
        """The address of one of the server's routes."""
        return f"http://127.0.0.1:{self.port}{path}"

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_route("*", "/record", self._record)
        app.router.add_post("/slow", self._slow)
        app.router.add_post("/hold", self._hold)
        self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = self.runner.addresses[0][1]

    async def stop(self) -> None:
        """Release held requests and stop listening."""
        self.release.set()
        if self.runner is not None:
            await self.runner.cleanup()

    def open_connections(self) -> int:
        """Client connections the server still has open."""
        assert self.runner is not None and self.runner.server is not None
        return len(self.runner.server.connections)

    async def _record(self, request: web.Request) -> web.Response:
        received = Received(
            request.method,
            request.path,
            request.headers.get("Content-Type", ""),
            request.headers.get("User-Agent", ""),
        )
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                assert isinstance(part, BodyPartReader)
                disposition = part.headers["Content-Disposition"]
                if part.filename is None:
                    received.fields.append((disposition, await part.text()))
                else:
                    content_type = part.headers.get("Content-Type", "")
                    received.files.append((disposition, content_type, bytes(await part.read())))
        else:
            received.body = await request.read()
        self.received.append(received)
        return web.json_response({"ok": True, "result": len(self.received)})

    async def _slow(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.slow_seconds)
        return web.json_response({"ok": True, "result": "late"})

    async def _hold(self, request: web.Request) -> web.Response:
        self.received.append(Received(request.method, request.path, "", ""))
        await self.release.wait()
        return web.json_response({"ok": True, "result": "released"})


@pytest_asyncio.fixture
async def server() -> AsyncIterator[RecordingServer]:
    """A recording HTTP server on 127.0.0.1."""
    recording = RecordingServer()
    await recording.start()
    yield recording
    await recording.stop()


@pytest_asyncio.fixture
async def aiohttp_request() -> AsyncIterator[AiohttpRequest]:
    """An initialized AiohttpRequest, shut down afterwards."""
    request = AiohttpRequest(connection_pool_size=2)
    await request.initialize()
    yield request
    await request.shutdown()


def request_data(**parameters: object) -> RequestData:
    """Parameters as python-telegram-bot's Bot builds them for a method call."""
    return RequestData([RequestParameter.from_input(k, v) for k, v in parameters.items()])


KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Ja ✓", callback_data="a|q|0")]])
PDF = b"%PDF-1.7\n\x00\xff binary \r\n--boundary-like\r\n"
DOCX = b"PK\x03\x04 not really a zip \x00"

#: What python-telegram-bot sends for some Bot API calls: text only, a document with a name a
#: traveller could have typed (quotes, a backslash, a newline, non-ASCII), a media group
#: with attached files, one of them a file handle.
CALLS: dict[str, Callable[[], RequestData]] = {
    "sendMessage": lambda: request_data(
        chat_id=42, text='Zürich & "Genève" 100%\n<b>ok</b>', reply_markup=KEYBOARD
    ),
    "sendDocument": lambda: request_data(
        chat_id=-1001234,
        document=InputFile(PDF, filename='Verslag "Zürich"\\2026\nbis.pdf'),
        caption="Reisverslag — Zürich",
    ),
    "sendMediaGroup": lambda: request_data(
        chat_id=7,
        media=[
            InputMediaDocument(InputFile(PDF, filename="verslag.pdf", attach=True)),
            InputMediaDocument(
                InputFile(io.BytesIO(DOCX), filename="verslag.docx", read_file_handle=False)
            ),
        ],
    ),
}

FILES_SENT = {"sendMessage": [], "sendDocument": [PDF], "sendMediaGroup": [PDF, DOCX]}


async def _send_with(transport: str, url: str, data: RequestData) -> tuple[int, bytes]:
    """One request through a fresh transport of the given kind."""
    async with TRANSPORTS[transport]() as request:
        return await request.do_request(url, "POST", request_data=data)


def parameters(received: Received) -> dict[str, str]:
    """The parameters of a request without files, as the Bot API reads them: a form's fields,
    or a JSON object's values (a string value is the parameter's text, as in a form)."""
    if received.content_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(received.body.decode(), keep_blank_values=True, strict_parsing=True))
    assert received.content_type == "application/json"
    body = json.loads(received.body)
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}


@pytest.mark.parametrize("call", sorted(CALLS))
async def test_the_server_receives_what_httpx_sends(server: RecordingServer, call: str) -> None:
    data = CALLS[call]()  # one RequestData for both: attach names are random
    received: dict[str, Received] = {}
    for transport in TRANSPORTS:
        status, body = await _send_with(transport, server.url("/record"), data)
        assert status == 200 and body == f'{{"ok": true, "result": {len(received) + 1}}}'.encode()
        received[transport] = server.received[-1]
    sent, expected = received["aiohttp"], received["httpx"]
    assert sent.user_agent == expected.user_agent == BaseRequest.USER_AGENT
    if FILES_SENT[call]:
        assert sent.body == expected.body
        assert sent.content_type.split(";")[0] == expected.content_type.split(";")[0]
    else:
        assert parameters(sent) == parameters(expected)
        assert len(parameters(sent)) == len(data.parameters)
    assert sent.fields == expected.fields
    assert sent.files == expected.files
    assert [data for _, _, data in sent.files] == FILES_SENT[call]


async def test_parameters_arrive_as_a_json_object_of_strings(server: RecordingServer) -> None:
    async with AiohttpRequest() as request:
        await request.do_request(server.url("/record"), "POST", CALLS["sendMessage"]())
    sent = server.received[-1]
    assert sent.content_type == "application/json"
    assert json.loads(sent.body) == {
        "chat_id": "42",
        "text": 'Zürich & "Genève" 100%\n<b>ok</b>',
        "reply_markup": '{"inline_keyboard": [[{"callback_data": "a|q|0", "text": "Ja \\u2713"}]]}',
    }


async def test_a_document_arrives_as_a_multipart_file(server: RecordingServer) -> None:
    async with AiohttpRequest() as request:
        await request.do_request(server.url("/record"), "POST", CALLS["sendDocument"]())
    sent = server.received[-1]
    assert sent.content_type.startswith("multipart/form-data; boundary=")
    assert sent.fields == [
        ('form-data; name="chat_id"', "-1001234"),
        ('form-data; name="caption"', "Reisverslag — Zürich"),
    ]
    assert sent.files == [
        (
            'form-data; name="document"; filename="Verslag %22Zürich%22\\\\2026%0Abis.pdf"',
            "application/pdf",
            PDF,
        )
    ]


async def test_a_request_without_parameters_has_no_body(server: RecordingServer) -> None:
    async with AiohttpRequest() as request:
        status, _ = await request.do_request(server.url("/record"), "POST", RequestData())
        await request.do_request(server.url("/record"), "GET")
    assert status == 200
    assert [(r.method, r.body) for r in server.received] == [("POST", b""), ("GET", b"")]


async def test_a_silent_server_raises_timed_out(
    server: RecordingServer, aiohttp_request: AiohttpRequest
) -> None:
    server.slow_seconds = 2.0
    with pytest.raises(TimedOut):
        await aiohttp_request.do_request(server.url("/slow"), "POST", read_timeout=0.2)


async def test_the_default_read_timeout_applies(server: RecordingServer) -> None:
    async with AiohttpRequest(read_timeout=0.2) as request:
        assert request.read_timeout == 0.2
        with pytest.raises(TimedOut):
            await request.do_request(server.url("/slow"), "POST")


async def test_a_longer_read_timeout_waits_for_the_answer(
    server: RecordingServer, aiohttp_request: AiohttpRequest
) -> None:
    server.slow_seconds = 0.3
    status, body = await aiohttp_request.do_request(server.url("/slow"), "POST", read_timeout=5)
    assert (status, body) == (200, b'{"ok": true, "result": "late"}')


async def test_a_refused_connection_raises_network_error() -> None:
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError) as raised:
            await request.do_request(f"http://127.0.0.1:{port}/bot1:x/getMe", "POST")
    assert not isinstance(raised.value, TimedOut)
    assert "aiohttp.ClientConnectorError" in str(raised.value)


async def _until(condition: Callable[[], bool], what: str) -> None:
    """Wait (at most 5 s) until condition holds."""
    try:
        async with asyncio.timeout(5):
            while not condition():
                await asyncio.sleep(0.01)
    except TimeoutError:
        raise AssertionError(f"waited in vain until {what}") from None


async def test_a_full_pool_raises_timed_out_without_sending(server: RecordingServer) -> None:
    async with AiohttpRequest(connection_pool_size=1) as request:
        held = asyncio.create_task(request.do_request(server.url("/hold"), "POST"))
        await _until(lambda: len(server.received) == 1, "the first request reached the server")
        with pytest.raises(TimedOut, match="Pool timeout"):
            await request.do_request(server.url("/hold"), "POST", pool_timeout=0.1)
        assert len(server.received) == 1  # the second request was not sent
        server.release.set()
        assert await held == (200, b'{"ok": true, "result": "released"}')
        # the connection is free again
        status, _ = await request.do_request(server.url("/record"), "POST", pool_timeout=0.1)
        assert status == 200


async def test_a_request_waits_for_a_free_connection(server: RecordingServer) -> None:
    async with AiohttpRequest(connection_pool_size=1, pool_timeout=None) as request:
        held = asyncio.create_task(request.do_request(server.url("/hold"), "POST"))
        await _until(lambda: len(server.received) == 1, "the first request reached the server")
        waiting = asyncio.create_task(request.do_request(server.url("/record"), "POST"))
        await asyncio.sleep(0.1)
        assert not waiting.done() and len(server.received) == 1
        server.release.set()
        await held
        assert (await waiting)[0] == 200


async def test_shutdown_closes_the_connections(server: RecordingServer) -> None:
    request = AiohttpRequest()
    await request.initialize()
    await request.do_request(server.url("/record"), "POST")
    assert server.open_connections() == 1  # kept alive for the next request
    await request.shutdown()
    await _until(lambda: server.open_connections() == 0, "the server saw the connection close")
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(server.url("/record"), "POST")
    await request.initialize()  # and it can be opened again
    assert (await request.do_request(server.url("/record"), "POST"))[0] == 200
    await request.shutdown()


async def test_the_bot_sends_a_document_and_downloads_a_voice_note(
    fake_telegram: FakeTelegram,
) -> None:
    jan = fake_telegram.user(42, "Jan")
    voice = fake_telegram.store_file("voice.ogg", b"OggS" + bytes(range(256)) * 40, "audio/ogg")
    bot = Bot(
        fake_telegram.token,
        base_url=fake_telegram.base_url,
        base_file_url=fake_telegram.base_file_url,
        request=AiohttpRequest(),
        get_updates_request=AiohttpRequest(),
    )
    async with bot:
        await bot.send_document(42, PDF, filename="Reisverslag Zürich.pdf", caption="Klaar")
        telegram_file = await bot.get_file(voice.file_id)
        downloaded = await telegram_file.download_as_bytearray()
    document = (await jan.next_reply(timeout=5)).document
    assert document is not None
    assert (document.filename, document.mime_type, document.data) == (
        "Reisverslag Zürich.pdf",
        "application/pdf",
        PDF,
    )
    assert bytes(downloaded) == voice.data


async def test_telegram_errors_keep_their_meaning(fake_telegram: FakeTelegram) -> None:
    fake_telegram.faults.drop_connection("sendMessage", times=1)
    fake_telegram.user(42, "Jan")
    async with Bot(
        fake_telegram.token, base_url=fake_telegram.base_url, request=AiohttpRequest()
    ) as bot:
        with pytest.raises(NetworkError):
            await bot.send_message(42, "weg")
        assert (await bot.send_message(42, "hallo")).text == "hallo"
        with pytest.raises(BadRequest, match="Chat not found"):
            await bot.send_message(99, "niemand")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://127.0.0.1:99999/bot123:SECRET/getMe", "http://127.0.0.1:99999/…"),
        ("ftp://api.example/bot123:SECRET/getMe", "ftp://api.example/…"),
    ],
)
async def test_an_error_message_names_the_host_but_not_the_token(url: str, shown: str) -> None:
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError) as raised:
            await request.do_request(url, "POST")
    assert shown in str(raised.value) and "SECRET" not in str(raised.value)

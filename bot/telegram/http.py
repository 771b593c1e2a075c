"""python-telegram-bot's HTTP transport on aiohttp: the same contract as its HTTPXRequest
(the same parameters and multipart files, `TimedOut` and `NetworkError` for the same
failures), at a fraction of httpx's CPU per request.

A request without files carries its parameters as a JSON object of strings (httpx: a
urlencoded form). The Bot API reads both alike: its server (telegram-bot-api's
`HttpReader::parse_json_parameters`) takes a JSON string value as the parameter's text,
exactly as a form field; `json.dumps` runs in C where `urlencode` quoted every character of
a long message in Python (4 % of the bot's CPU per update, 16 % of sending a finished report).

Timeouts map onto aiohttp as follows. `connect_timeout`: DNS, TCP and TLS of a new
connection. `read_timeout`: the longest silence while the answer arrives (aiohttp's
`sock_read`, started once the request is sent, like httpx's). `pool_timeout`: the wait for
one of the `connection_pool_size` connections, as httpx does it; a request that waits
longer is not sent and raises `TimedOut`. `write_timeout`: aiohttp has no timeout per
write, so a request with a body is bounded as a whole by connect + write + read seconds,
which ends a stalled upload (a file download, a GET without body, has no such bound).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import re
from typing import Final

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest"]

JSON: Final = "application/json"

#: HTML5 form encoding of a multipart part's name and filename, as httpx does it; aiohttp
#: (with quote_fields=False) then doubles the backslashes, which completes the same rule.
_HTML5_ESCAPES: Final = {'"': "%22"} | {
    chr(code): f"%{code:02X}" for code in range(0x20) if code != 0x1B
}
_HTML5_ESCAPED: Final = re.compile("|".join(re.escape(char) for char in _HTML5_ESCAPES))

#: A URL's path in an error message (the Bot API's paths hold the bot token: the message may
#: be stored, as an outbox item's last error).
_URL_PATH: Final = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s]*)/\S*")


def _form_param(value: str) -> str:
    """A part's name or filename with quotes and control characters percent-encoded."""
    return _HTML5_ESCAPED.sub(lambda match: _HTML5_ESCAPES[match.group(0)], value)


def _unset_or(value: ODVInput[float], default: float | None) -> float | None:
    """The timeout passed to do_request, or the default when none was passed."""
    return default if isinstance(value, DefaultValue) else value


def _sum(*timeouts: float | None) -> float | None:
    """The sum of timeouts; unbounded if any of them is."""
    if any(timeout is None for timeout in timeouts):
        return None
    return sum(timeout for timeout in timeouts if timeout is not None)


class AiohttpRequest(BaseRequest):
    """Requests to the Bot API over one aiohttp session (opened by `initialize`)."""

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        """The same parameters and defaults as python-telegram-bot's HTTPXRequest."""
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._pool = asyncio.Semaphore(connection_pool_size)
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds (python-telegram-bot adds it to long polls)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (again, after a shutdown)."""
        if self._session is None or self._session.closed:
            self._pool = asyncio.Semaphore(self._pool_size)  # bound to this event loop
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets no cookies
                timeout=aiohttp.ClientTimeout(total=None),
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return the HTTP status and the body of the answer."""
        session = self._session
        if session is None:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        body = _body(request_data)
        connect = _unset_or(connect_timeout, self._connect_timeout)
        read = _unset_or(read_timeout, self._read_timeout)
        uploads = request_data is not None and request_data.contains_files
        write = _unset_or(
            write_timeout, self._media_write_timeout if uploads else self._write_timeout
        )
        timeout = aiohttp.ClientTimeout(
            total=None if body is None else _sum(connect, write, read),
            connect=connect,
            sock_connect=connect,
            sock_read=read,
        )
        pool = self._pool  # released to the pool it came from, even across a re-initialize
        await _take(pool, _unset_or(pool_timeout, self._pool_timeout))
        try:
            async with session.request(method, url, data=body, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut from error
        except aiohttp.ClientError as error:
            message = _URL_PATH.sub(r"\1/…", str(error))
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {message}") from error
        finally:
            pool.release()


async def _take(pool: asyncio.Semaphore, pool_timeout: float | None) -> None:
    """Take one of the pool's connections, waiting at most pool_timeout seconds."""
    if not pool.locked():
        await pool.acquire()  # free: returns at once
        return
    try:
        async with asyncio.timeout(pool_timeout):
            await pool.acquire()
    except TimeoutError as error:
        raise TimedOut(
            message=(
                "Pool timeout: All connections in the connection pool are occupied. "
                "Request was *not* sent to Telegram. Consider adjusting the connection "
                "pool size or the pool timeout."
            )
        ) from error


def _body(request_data: RequestData | None) -> aiohttp.BytesPayload | aiohttp.FormData | None:
    """The parameters as a JSON object of strings, or a multipart form with the files when
    there are any (as httpx sends those); None for a request without parameters."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    files = request_data.multipart_data if request_data.contains_files else {}
    if not files:
        if not fields:
            return None
        return aiohttp.BytesPayload(json.dumps(fields).encode(), content_type=JSON)
    form = aiohttp.FormData(quote_fields=False)
    for name, value in fields.items():
        form.add_field(_form_param(name), value)
    for name, (filename, content, mime_type) in files.items():
        if not isinstance(content, bytes):
            with contextlib.suppress(io.UnsupportedOperation):
                content.seek(0)  # a retry sends the whole file again, as with httpx
        form.add_field(
            _form_param(name), content, filename=_form_param(filename), content_type=mime_type
        )
    return form

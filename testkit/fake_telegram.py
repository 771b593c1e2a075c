"""A fake Telegram Bot API server for end-to-end tests, fault drills and benchmarks.

The real python-telegram-bot stack talks HTTP to this aiohttp app on
127.0.0.1 exactly as it talks to api.telegram.org; the test plays the
traveller's phone through a small user-side client.

Example::

    async with FakeTelegram() as server:
        application = (
            Application.builder()
            .token(server.token)
            .base_url(server.base_url)            # ends with "/bot"
            .base_file_url(server.base_file_url)
            .build()
        )
        ...  # application.initialize/start, updater.start_polling(poll_interval=0)
        jan = server.user(user_id=42, first_name="Jan")
        await jan.send("/start")                  # a command gets its bot_command entity
        reply = await jan.next_reply(timeout=5)   # next message or edit the bot sent to Jan
        assert "Welkom" in reply.plain_text
        await jan.click("Ja")                     # callback query for the newest "Ja" button
        edited = await jan.next_reply()
        assert edited.event == "edited"
        await jan.send_photo(); await jan.send_location(52.08, 4.31)
        secretariat = server.group(-1001234, "Secretariaat")
        doc = (await server.watch(secretariat.id).next_reply()).document
        assert doc is not None and doc.filename.endswith(".pdf") and doc.data.startswith(b"%PDF")
        await server.wait_idle()                  # nothing in flight, no update waiting

Client API (all waiting is event driven; timeouts raise TimeoutError naming what was awaited):

- ``server.user(user_id, first_name, *, last_name, username, language_code) -> UserClient``;
  ``user.in_chat(server.group(chat_id, title))`` is the same person typing in a group.
- ``UserClient``: ``send(text)``, ``send_photo()``, ``send_sticker()``, ``send_voice()``,
  ``send_document(filename, data)``, ``send_location(lat, lon)``, ``edit(message, new_text)``,
  ``click(button_text_or_data, message=None)``, ``next_reply(timeout)``, ``replies()`` (all
  bot messages in the chat, current state), ``last_reply``, ``block()``/``unblock()``.
- ``server.watch(chat_id) -> ChatWatcher`` with its own ``next_reply(timeout)``.
- ``BotMessage``: ``message_id``, ``text`` (as sent), ``plain_text`` (after HTML parsing),
  ``parse_mode``, ``reply_markup``, ``buttons`` (button texts), ``callback_data``,
  ``document`` (``UploadedFile``: ``filename``, ``data``, ``mime_type``), ``caption``,
  ``event`` ("sent", "edited", "deleted" on the snapshots ``next_reply`` returns).
- Inspection: ``server.calls`` (every ``ApiCall``: method, params, chat_id, time,
  answered_at, status, outcome, result), ``server.calls_to(method)``,
  ``await server.wait_for_call(method, where=...)``, ``server.messages(chat_id)``,
  ``server.commands``, ``server.webhook`` (url, secret_token), ``server.callback_answers``,
  ``await server.wait_idle()``, ``await server.wait_for_poll()``. For benchmarks,
  ``FakeTelegram(keep_calls=False)`` keeps no call list and ``server.call_listeners`` get
  every answered call (the served updates of a getUpdates call are in its ``result``).
- Like Telegram, a getUpdates call ends a long poll still waiting with 409 Conflict, and
  getUpdates answers 409 while a webhook is set; unknown methods answer 404 naming the method.
- Faults: ``server.faults.retry_after("sendMessage", seconds=1, times=1)``,
  ``server.faults.server_error(...)``, ``drop_connection(..., after_processing=False)``,
  ``stall(..., seconds=10)``; ``probability=0.2`` draws from a seeded ``random.Random``
  (``FakeTelegram(seed=...)``); ``server.faults.injected`` counts what was injected.
- Telegram's sending limits: ``FakeTelegram(rate_limits=RateLimits())`` answers 429 with
  retry_after beyond 30 messages per second overall and 1 per second per chat (sendMessage,
  sendDocument and the other send methods); ``server.rate_limiter.rejected`` counts the 429s.
- Webhook mode: after the bot's setWebhook, queued updates are POSTed to its URL with the
  ``X-Telegram-Bot-Api-Secret-Token`` header; ``await server.post_to_webhook(update,
  secret_token=...)`` posts one update directly and returns the HTTP status.

Run it on its own (for drills that kill the bot process) with
``python -m testkit.fake_telegram --port 8081``; it prints its base URL and serves
``GET /_fake/state`` (calls and messages as JSON) and ``POST /_fake/updates`` (queue a raw
update) besides the Bot API.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import copy
import dataclasses
import hashlib
import itertools
import json
import math
import random
import re
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Literal

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from testkit.telegram_html import EntityParseError, parse_html, utf16_length

__all__ = [
    "BOT_USERNAME",
    "BOT_USER_ID",
    "TOKEN",
    "ApiCall",
    "ApiError",
    "BotMessage",
    "ChatWatcher",
    "FakeTelegram",
    "FaultRule",
    "Faults",
    "RateLimitEnforcer",
    "RateLimits",
    "UploadedFile",
    "UserClient",
]

TOKEN = "123456:TEST"
BOT_USER_ID = 123456
BOT_USERNAME = "reisverslag_test_bot"
#: Bots can fetch files of at most 20 MB with getFile.
BOT_DOWNLOAD_LIMIT = 20 * 1024 * 1024
SEND_METHODS = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "sendVoice", "sendSticker", "sendLocation"}
)
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "url",
        "secret_token",
        "callback_query_id",
        "action",
        "language_code",
        "inline_message_id",
        "description",
        "short_description",
        "name",
        "title",
        "file_id",
        "document",
        "photo",
        "emoji",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
    }
)
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_MAX_TEXT_LENGTH = 4096
_MAX_CAPTION_LENGTH = 1024
_FAR_FUTURE_SECONDS = 3600.0
FaultKind = Literal["retry_after", "server_error", "drop_connection", "stall"]


class ApiError(Exception):
    """An error answer of the Bot API: error_code, description and optional parameters."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        """Keep the parts of the error answer."""
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """Return the JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(detail: str) -> ApiError:
    """Return a 400 error worded as Telegram words it."""
    return ApiError(400, f"Bad Request: {detail}")


@dataclasses.dataclass
class UploadedFile:
    """A file the bot uploaded or the user sent, kept so tests can read it back."""

    file_id: str
    file_unique_id: str
    filename: str
    data: bytes
    mime_type: str

    @property
    def size(self) -> int:
        """Return the size of the file in bytes."""
        return len(self.data)

    @property
    def file_path(self) -> str:
        """Return the path under base_file_url where the file can be downloaded."""
        return f"files/{self.file_unique_id}/{self.filename}"

    def to_api(self) -> dict[str, Any]:
        """Return the Bot API Document object for this file."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.filename,
            "mime_type": self.mime_type,
            "file_size": self.size,
        }


@dataclasses.dataclass
class ApiCall:
    """One request the bot made: method, decoded params, chat, time and how it was answered."""

    method: str
    params: dict[str, Any]
    chat_id: int | str | None
    time: float
    files: dict[str, UploadedFile] = dataclasses.field(default_factory=dict)
    status: int | None = None
    outcome: str = "pending"
    result: Any = None
    answered_at: float | None = None


@dataclasses.dataclass
class BotMessage:
    """A message in a chat as the bot left it (or a snapshot of one, with the event)."""

    chat_id: int
    message_id: int
    date: int
    text: str | None = None
    plain_text: str = ""
    entities: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    document: UploadedFile | None = None
    caption: str | None = None
    reply_to_message_id: int | None = None
    edit_count: int = 0
    deleted: bool = False
    event: Literal["sent", "edited", "deleted"] = "sent"

    @property
    def inline_buttons(self) -> list[dict[str, Any]]:
        """Return the inline keyboard buttons, row by row flattened."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    @property
    def keyboard_buttons(self) -> list[dict[str, Any]]:
        """Return the reply keyboard buttons (plain strings become {"text": ...})."""
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [
            button if isinstance(button, dict) else {"text": button}
            for row in rows
            for button in row
        ]

    @property
    def buttons(self) -> list[str]:
        """Return the texts of all buttons, inline or reply keyboard."""
        return [button["text"] for button in self.inline_buttons + self.keyboard_buttons]

    @property
    def callback_data(self) -> list[str]:
        """Return the callback data of the inline buttons that have one."""
        return [b["callback_data"] for b in self.inline_buttons if "callback_data" in b]

    def snapshot(self, event: Literal["sent", "edited", "deleted"]) -> BotMessage:
        """Return a copy of this message labelled with what just happened to it.

        Edits replace whole field values, never mutate them, so a shallow copy stays true.
        """
        return dataclasses.replace(self, event=event)

    def to_api(self, chat: dict[str, Any], bot_user: dict[str, Any]) -> dict[str, Any]:
        """Return the Bot API Message object for this message."""
        message: dict[str, Any] = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": chat,
            "from": bot_user,
        }
        if self.document is not None:
            message["document"] = self.document.to_api()
            if self.caption:
                message["caption"] = self.plain_text
                if self.entities:
                    message["caption_entities"] = self.entities
        elif self.text is not None:
            message["text"] = self.plain_text
            if self.entities:
                message["entities"] = self.entities
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            message["reply_markup"] = self.reply_markup
        if self.edit_count:
            message["edit_date"] = self.date
        return message


@dataclasses.dataclass
class FaultRule:
    """One kind of fault for some methods, a number of times or with a probability."""

    kind: FaultKind
    methods: frozenset[str] | None
    probability: float = 1.0
    times: int | None = None
    retry_after: int = 1
    stall_seconds: float = 10.0
    after_processing: bool = False
    hits: int = 0

    def matches(self, method: str) -> bool:
        """Tell whether this rule applies to a method and still has uses left."""
        if self.times is not None and self.hits >= self.times:
            return False
        return self.methods is None or method in self.methods


class Faults:
    """The fault injection hook: rules checked in order for every Bot API call."""

    def __init__(self, seed: int = 0) -> None:
        """Start with no rules and a random generator seeded for repeatable drills."""
        self.random = random.Random(seed)
        self.rules: list[FaultRule] = []
        self.injected: collections.Counter[str] = collections.Counter()

    def add(
        self,
        kind: FaultKind,
        methods: str | Iterable[str] | None = None,
        *,
        probability: float = 1.0,
        times: int | None = None,
        **options: Any,
    ) -> FaultRule:
        """Add a rule for methods (None: every method except getUpdates) and return it."""
        if methods is None:
            method_set = None
        elif isinstance(methods, str):
            method_set = frozenset({methods})
        else:
            method_set = frozenset(methods)
        rule = FaultRule(kind, method_set, probability=probability, times=times, **options)
        self.rules.append(rule)
        return rule

    def retry_after(
        self, methods: str | Iterable[str] | None = None, *, seconds: int = 1, **kwargs: Any
    ) -> FaultRule:
        """Answer 429 Too Many Requests with retry_after seconds."""
        return self.add("retry_after", methods, retry_after=seconds, **kwargs)

    def server_error(self, methods: str | Iterable[str] | None = None, **kwargs: Any) -> FaultRule:
        """Answer 500 Internal Server Error."""
        return self.add("server_error", methods, **kwargs)

    def drop_connection(
        self,
        methods: str | Iterable[str] | None = None,
        *,
        after_processing: bool = False,
        **kwargs: Any,
    ) -> FaultRule:
        """Close the connection without an answer, before or after carrying out the call."""
        return self.add("drop_connection", methods, after_processing=after_processing, **kwargs)

    def stall(
        self, methods: str | Iterable[str] | None = None, *, seconds: float = 10.0, **kwargs: Any
    ) -> FaultRule:
        """Hold the request for some seconds, then carry it out if the client still waits."""
        return self.add("stall", methods, stall_seconds=seconds, **kwargs)

    def clear(self) -> None:
        """Remove every rule (the counters stay)."""
        self.rules.clear()

    def pick(self, method: str) -> FaultRule | None:
        """Return the rule that strikes this call, if any, counting it."""
        for rule in self.rules:
            if rule.methods is None and method == "getUpdates":
                continue
            if not rule.matches(method):
                continue
            if rule.probability < 1.0 and self.random.random() >= rule.probability:
                continue
            rule.hits += 1
            self.injected[rule.kind] += 1
            return rule
        return None


@dataclasses.dataclass(frozen=True)
class RateLimits:
    """Telegram's sending limits: messages per second overall, per chat, per group minute."""

    overall_per_second: int = 30
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 1
    group_per_minute: int | None = 20
    methods: frozenset[str] = SEND_METHODS


class RateLimitEnforcer:
    """Counts sends like Telegram does and tells how long to wait when over a limit."""

    def __init__(self, limits: RateLimits) -> None:
        """Start with empty windows and zero counters."""
        self.limits = limits
        self._overall: collections.deque[float] = collections.deque()
        self._chat_tokens: dict[int | str, tuple[float, float]] = {}
        self._group_sends: dict[int | str, collections.deque[float]] = {}
        self.accepted = 0
        self.rejected = 0
        self.rejected_by_chat: collections.Counter[int | str] = collections.Counter()

    def check(self, chat_id: int | str, now: float) -> int | None:
        """Admit one send at time now and return None, or return retry_after seconds."""
        limits = self.limits
        while self._overall and self._overall[0] <= now - 1.0:
            self._overall.popleft()
        waits: list[float] = []
        if len(self._overall) >= limits.overall_per_second:
            waits.append(self._overall[0] + 1.0 - now)
        tokens, stamp = self._chat_tokens.get(chat_id, (float(limits.per_chat_burst), now))
        tokens = min(limits.per_chat_burst, tokens + (now - stamp) * limits.per_chat_per_second)
        if tokens < 1.0:
            waits.append((1.0 - tokens) / limits.per_chat_per_second)
        group_window = None
        if limits.group_per_minute is not None and _is_group_id(chat_id):
            group_window = self._group_sends.setdefault(chat_id, collections.deque())
            while group_window and group_window[0] <= now - 60.0:
                group_window.popleft()
            if len(group_window) >= limits.group_per_minute:
                waits.append(group_window[0] + 60.0 - now)
        if waits:
            self.rejected += 1
            self.rejected_by_chat[chat_id] += 1
            self._chat_tokens[chat_id] = (tokens, now)
            return max(1, math.ceil(max(waits)))
        self.accepted += 1
        self._overall.append(now)
        self._chat_tokens[chat_id] = (tokens - 1.0, now)
        if group_window is not None:
            group_window.append(now)
        return None


def _is_group_id(chat_id: int | str) -> bool:
    """Tell whether a chat id belongs to a group, supergroup or channel."""
    return isinstance(chat_id, str) or chat_id < 0


def _decode_form_value(name: str, value: str) -> Any:
    """Decode one form field the way PTB encoded it (JSON except for plain strings)."""
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _utf16_command_length(text: str) -> int:
    """Return the UTF-16 length of the command word at the start of text."""
    return utf16_length(text.split(maxsplit=1)[0])


def _validate_reply_markup(markup: Any) -> None:
    """Refuse reply markup Telegram would refuse (bad callback data, empty buttons)."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for button in itertools.chain.from_iterable(rows):
        if not button.get("text"):
            raise _bad_request("text buttons are unallowed in the inline keyboard")
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= 64:
            raise _bad_request("BUTTON_DATA_INVALID")
        if not set(button) - {"text"}:
            raise _bad_request("text buttons are unallowed in the inline keyboard")


def _render_text(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Return the plain text and entities Telegram stores for a text and parse mode."""
    if parse_mode is not None and parse_mode.upper() == "HTML":
        try:
            return parse_html(text)
        except EntityParseError as error:
            raise _bad_request(f"can't parse entities: {error}") from None
    return text, []


_ADMIN_RIGHTS: dict[str, Any] = {
    "is_anonymous": False,
    "can_be_edited": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": False,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
}


class ChatState:
    """One chat on the server: its Chat object, messages, event log and waiters."""

    def __init__(self, chat: dict[str, Any]) -> None:
        """Start an empty chat."""
        self.chat = chat
        self.id: int = chat["id"]
        self.messages: dict[int, BotMessage] = {}
        self.events: list[BotMessage] = []
        self.user_messages: dict[int, dict[str, Any]] = {}
        self.changed = asyncio.Condition()
        self.blocked = False
        self.administrators: list[int] = []
        self.migrated_to: int | None = None
        self._message_ids = itertools.count(1)

    def next_message_id(self) -> int:
        """Return the next message id of this chat (shared by user and bot messages)."""
        return next(self._message_ids)

    async def record(
        self, message: BotMessage, event: Literal["sent", "edited", "deleted"]
    ) -> None:
        """Log a snapshot of a bot message event and wake the chat's waiters."""
        self.events.append(message.snapshot(event))
        async with self.changed:
            self.changed.notify_all()


class ChatWatcher:
    """Reads a chat's bot messages and edits in order, from where it last stopped."""

    def __init__(self, chat: ChatState, start: int | None = None) -> None:
        """Watch chat from event number start (default: from now on)."""
        self.chat = chat
        self.position = len(chat.events) if start is None else start

    async def next_reply(self, timeout: float = 5.0) -> BotMessage:
        """Wait for the next message, edit or deletion by the bot in this chat."""
        try:
            async with asyncio.timeout(timeout), self.chat.changed:
                await self.chat.changed.wait_for(lambda: len(self.chat.events) > self.position)
        except TimeoutError:
            raise TimeoutError(
                f"no reply in chat {self.chat.id} within {timeout} s "
                f"({len(self.chat.events)} bot events so far)"
            ) from None
        event = self.chat.events[self.position]
        self.position += 1
        return event

    def pending(self) -> list[BotMessage]:
        """Return the events not read yet and mark them read."""
        unread = self.chat.events[self.position :]
        self.position = len(self.chat.events)
        return unread


class UserClient:
    """The traveller's phone: sends messages and taps buttons in one chat, reads replies."""

    def __init__(self, server: FakeTelegram, user: dict[str, Any], chat: ChatState) -> None:
        """Act as user in chat, reading replies from now on."""
        self.server = server
        self.user = user
        self.chat = chat
        self.watcher = ChatWatcher(chat)

    @property
    def user_id(self) -> int:
        """Return the Telegram user id."""
        return int(self.user["id"])

    def in_chat(self, chat: ChatState) -> UserClient:
        """Return this same user acting in another chat (a group)."""
        return UserClient(self.server, self.user, chat)

    def block(self) -> None:
        """Block the bot: its sends to this private chat get 403 Forbidden."""
        self.chat.blocked = True

    def unblock(self) -> None:
        """Unblock the bot again."""
        self.chat.blocked = False

    def _new_message(self, **content: Any) -> dict[str, Any]:
        """Build a Message object from this user in this chat with the given content."""
        message_id = self.chat.next_message_id()
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self.chat.chat,
            "from": self.user,
            **content,
        }
        self.chat.user_messages[message_id] = message
        return message

    async def _send_message(self, message: dict[str, Any]) -> dict[str, Any]:
        """Queue a message update and return the message."""
        await self.server.push_update({"message": message})
        return message

    async def send(self, text: str) -> dict[str, Any]:
        """Send a text message; a leading /command gets its bot_command entity."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/") and len(text) > 1:
            length = _utf16_command_length(text)
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return await self._send_message(self._new_message(**content))

    async def send_photo(
        self, data: bytes = b"\xff\xd8\xff\xe0fake-jpeg", caption: str | None = None
    ) -> dict[str, Any]:
        """Send a photo (two sizes, as Telegram delivers them)."""
        upload = self.server.store_file("photo.jpg", data, "image/jpeg")
        sizes = [
            {
                "file_id": f"{upload.file_id}_{width}",
                "file_unique_id": f"{upload.file_unique_id}{width}",
                "width": width,
                "height": width * 3 // 4,
                "file_size": len(data),
            }
            for width in (90, 1280)
        ]
        content: dict[str, Any] = {"photo": sizes}
        if caption:
            content["caption"] = caption
        return await self._send_message(self._new_message(**content))

    async def send_sticker(self, emoji: str = "👍") -> dict[str, Any]:
        """Send a sticker."""
        upload = self.server.store_file("sticker.webp", b"RIFFfake-webp", "image/webp")
        sticker = {
            "file_id": upload.file_id,
            "file_unique_id": upload.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return await self._send_message(self._new_message(sticker=sticker))

    async def send_voice(
        self, duration: int = 3, data: bytes = b"OggSfake-voice", *, file_size: int | None = None
    ) -> dict[str, Any]:
        """Send a voice note (`file_size` overrides the size Telegram reports)."""
        upload = self.server.store_file("voice.ogg", data, "audio/ogg")
        voice = {
            "file_id": upload.file_id,
            "file_unique_id": upload.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(data) if file_size is None else file_size,
        }
        return await self._send_message(self._new_message(voice=voice))

    async def send_audio(
        self,
        data: bytes,
        duration: int,
        *,
        filename: str = "opname.ogg",
        mime_type: str = "audio/ogg",
        file_size: int | None = None,
    ) -> dict[str, Any]:
        """Send an audio file (a music-player style recording, not a voice note)."""
        upload = self.server.store_file(filename, data, mime_type)
        audio = {**upload.to_api(), "duration": duration}
        if file_size is not None:
            audio["file_size"] = file_size
        return await self._send_message(self._new_message(audio=audio))

    async def send_video_note(self, data: bytes, duration: int) -> dict[str, Any]:
        """Send a round video message."""
        upload = self.server.store_file("video_note.mp4", data, "video/mp4")
        note = {
            "file_id": upload.file_id,
            "file_unique_id": upload.file_unique_id,
            "length": 240,
            "duration": duration,
            "file_size": len(data),
        }
        return await self._send_message(self._new_message(video_note=note))

    async def send_document(
        self, filename: str, data: bytes, mime_type: str = "application/octet-stream"
    ) -> dict[str, Any]:
        """Send a file as a document."""
        upload = self.server.store_file(filename, data, mime_type)
        return await self._send_message(self._new_message(document=upload.to_api()))

    async def send_location(self, latitude: float, longitude: float) -> dict[str, Any]:
        """Send a location pin."""
        location = {"latitude": latitude, "longitude": longitude}
        return await self._send_message(self._new_message(location=location))

    async def edit(self, message: dict[str, Any], new_text: str) -> dict[str, Any]:
        """Edit one of this user's earlier text messages (an edited_message update)."""
        stored = self.chat.user_messages[message["message_id"]]
        stored["text"] = new_text
        stored["edit_date"] = int(time.time())
        stored.pop("entities", None)
        await self.server.push_update({"edited_message": copy.deepcopy(stored)})
        return stored

    def replies(self) -> list[BotMessage]:
        """Return every bot message in this chat in its current state, oldest first."""
        return [message for message in self.chat.messages.values() if not message.deleted]

    @property
    def last_reply(self) -> BotMessage | None:
        """Return the newest bot message still in the chat, if any."""
        replies = self.replies()
        return replies[-1] if replies else None

    async def next_reply(self, timeout: float = 5.0) -> BotMessage:
        """Wait for the next bot message, edit or deletion in this chat."""
        return await self.watcher.next_reply(timeout)

    def pending_replies(self) -> list[BotMessage]:
        """Return the bot events not read by next_reply yet, marking them read."""
        return self.watcher.pending()

    async def click(self, button: str, message: BotMessage | int | None = None) -> str:
        """Tap the button with this text or callback data; return the callback query id."""
        candidates = self._messages_with_button(button, message)
        if not candidates:
            shown = [m.buttons for m in self.replies()[-3:]]
            raise LookupError(
                f"no button {button!r} in chat {self.chat.id}; last keyboards: {shown}"
            )
        target, current = candidates[0]
        for key in target.inline_buttons:
            if button in (key["text"], key.get("callback_data")):
                if "callback_data" not in key:
                    raise LookupError(f"button {button!r} has no callback data: {key}")
                return await self._send_callback(current, key["callback_data"])
        await self.send(button)
        return ""

    def _messages_with_button(
        self, button: str, message: BotMessage | int | None
    ) -> list[tuple[BotMessage, BotMessage]]:
        """Return (message as shown, message as stored) pairs offering that button."""
        if isinstance(message, int):
            message = self.chat.messages[message]
        shown = [message] if message is not None else list(reversed(self.replies()))
        found = []
        for candidate in shown:
            keys = candidate.inline_buttons + candidate.keyboard_buttons
            if any(button in (key["text"], key.get("callback_data")) for key in keys):
                found.append((candidate, self.chat.messages[candidate.message_id]))
        return found

    async def _send_callback(self, message: BotMessage, data: str) -> str:
        """Queue a callback_query update for a button of a bot message."""
        query_id = str(next(self.server._callback_ids))
        chat_instance = hashlib.sha1(str(self.chat.id).encode()).hexdigest()[:16]
        query = {
            "id": query_id,
            "from": self.user,
            "chat_instance": chat_instance,
            "data": data,
            "message": message.to_api(self.chat.chat, self.server.bot_user),
        }
        self.server.callback_queries[query_id] = query
        await self.server.push_update({"callback_query": query})
        return query_id


class FakeTelegram:
    """The fake Bot API server: an aiohttp app on 127.0.0.1 plus its inspectable state."""

    def __init__(
        self,
        *,
        token: str = TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 0,
        rate_limits: RateLimits | None = None,
        webhook_retry_seconds: float = 0.2,
        keep_calls: bool = True,
    ) -> None:
        """Prepare the server; start() binds it."""
        self.token = token
        self.host = host
        self.port = port
        self.faults = Faults(seed)
        self.rate_limiter = RateLimitEnforcer(rate_limits) if rate_limits else None
        self.webhook_retry_seconds = webhook_retry_seconds
        self.bot_user = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": "Reisverslag",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.keep_calls = keep_calls
        self.calls: list[ApiCall] = []
        self.call_listeners: list[Callable[[ApiCall], None]] = []
        self.chats: dict[int, ChatState] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.files: dict[str, UploadedFile] = {}
        self.downloads: list[str] = []  # file ids the bot downloaded, in order
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.callback_queries: dict[str, dict[str, Any]] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.webhook: dict[str, Any] = {"url": "", "secret_token": None}
        self.webhook_deliveries: list[tuple[int, int | str]] = []
        self.updates: collections.deque[dict[str, Any]] = collections.deque()
        self._update_ids = itertools.count(100_001)
        #: How many updates were ever queued (for getUpdates or the webhook).
        self.updates_queued = 0
        self._callback_ids = itertools.count(900_001)
        self._file_ids = itertools.count(1)
        self._activity = asyncio.Condition()
        self._activity_count = 0
        self._in_flight = 0
        self._webhook_in_flight = 0
        self._polls: list[asyncio.Event] = []
        self._superseded_polls: set[asyncio.Event] = set()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._methods: dict[str, Callable[[dict[str, Any], ApiCall], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "sendDocument": self._send_document,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
            "getChatAdministrators": self._get_chat_administrators,
            "getFile": self._get_file,
            "close": self._always_true,
            "logOut": self._always_true,
        }

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def root_url(self) -> str:
        """Return the server's address without any path."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Return the Bot API base URL for PTB (the token is appended to it)."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        """Return the file download base URL for PTB (the token is appended to it)."""
        return f"{self.root_url}/file/bot"

    def make_app(self) -> web.Application:
        """Return the aiohttp application serving the Bot API and the control routes."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_get("/_fake/state", self._handle_state)
        app.router.add_post("/_fake/updates", self._handle_raw_update)
        return app

    async def start(self) -> FakeTelegram:
        """Bind 127.0.0.1 (a free port unless one was given) and start serving."""
        self._closing.clear()
        self._runner = web.AppRunner(
            self.make_app(), handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._session = ClientSession(timeout=ClientTimeout(total=10))
        self._webhook_task = asyncio.create_task(self._deliver_webhook_updates())
        return self

    async def stop(self) -> None:
        """Release long polls and stalls, then close the server and the webhook client."""
        self._closing.set()
        for poll in self._polls:
            poll.set()
        await self._notify_activity()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        """Start the server for an async with block."""
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop the server at the end of an async with block."""
        await self.stop()

    # -- test-side API -------------------------------------------------------------------

    def user(
        self,
        user_id: int = 42,
        first_name: str = "Jan",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "nl",
    ) -> UserClient:
        """Return a phone for a user, in the private chat with the bot."""
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        for key, value in (("last_name", last_name), ("username", username)):
            if value is not None:
                user[key] = value
                chat[key] = value
        self.users[user_id] = user
        return UserClient(self, user, self._chat(chat))

    def group(self, chat_id: int, title: str = "Groep") -> ChatState:
        """Return a group chat the bot is a member of (a supergroup for -100… ids)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        kind = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
        return self._chat({"id": chat_id, "type": kind, "title": title})

    def set_administrators(self, chat_id: int, user_ids: list[int]) -> None:
        """Make these users (known to the server) the group's administrators, the first its
        creator."""
        self.chat(chat_id).administrators = list(user_ids)

    def migrate_to_supergroup(self, chat_id: int, new_chat_id: int) -> ChatState:
        """Upgrade a group: calls to the old id fail with migrate_to_chat_id from now on."""
        old = self.chat(chat_id)
        new = self._chat({**old.chat, "id": new_chat_id, "type": "supergroup"})
        old.migrated_to = new_chat_id
        return new

    def _chat(self, chat: dict[str, Any]) -> ChatState:
        """Return the state of a chat, creating it on first use."""
        state = self.chats.get(chat["id"])
        if state is None:
            state = self.chats[chat["id"]] = ChatState(chat)
        return state

    def chat(self, chat_id: int) -> ChatState:
        """Return a known chat's state, or explain how to make the chat known."""
        try:
            return self.chats[chat_id]
        except KeyError:
            raise LookupError(
                f"chat {chat_id} is unknown to the fake Telegram server (the bot gets "
                "'chat not found'); create it first with server.user(...) or server.group(...)"
            ) from None

    def watch(self, chat_id: int, *, from_start: bool = False) -> ChatWatcher:
        """Return a reader of a chat's bot messages, from now on or from the beginning."""
        return ChatWatcher(self.chat(chat_id), 0 if from_start else None)

    def messages(self, chat_id: int) -> list[BotMessage]:
        """Return the bot's messages in a chat, current state, oldest first, deleted ones too."""
        return list(self.chat(chat_id).messages.values())

    def calls_to(self, method: str) -> list[ApiCall]:
        """Return the recorded calls of one method."""
        return [call for call in self.calls if call.method == method]

    def store_file(self, filename: str, data: bytes, mime_type: str) -> UploadedFile:
        """Keep a file under a new file_id and return it."""
        number = next(self._file_ids)
        unique = hashlib.sha1(data + str(number).encode()).hexdigest()[:12]
        upload = UploadedFile(f"FILE{number:06d}{unique}", unique, filename, data, mime_type)
        self.files[upload.file_id] = upload
        return upload

    async def push_update(self, content: dict[str, Any]) -> dict[str, Any]:
        """Queue an update (given without update_id) for getUpdates or the webhook."""
        update = {"update_id": next(self._update_ids), **content}
        self.updates.append(update)
        self.updates_queued += 1
        for poll in self._polls:
            poll.set()
        await self._notify_activity()
        return update

    async def post_to_webhook(
        self, update: dict[str, Any], *, secret_token: str | None = None, url: str | None = None
    ) -> int:
        """POST one update to the webhook now, with a chosen secret; return the HTTP status."""
        if self._session is None:
            raise RuntimeError("the fake server is not running")
        target = url or self.webhook["url"]
        headers = {}
        if secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        async with self._session.post(target, json=update, headers=headers) as response:
            await response.read()
            return response.status

    async def wait_for_call(
        self,
        method: str,
        where: Callable[[ApiCall], bool] | None = None,
        *,
        timeout: float = 5.0,
        answered: bool = True,
    ) -> ApiCall:
        """Wait for a call of method (matching where, answered unless told) and return it."""

        def find() -> ApiCall | None:
            """Return the first matching call so far."""
            for call in self.calls:
                if call.method != method or (answered and call.status is None):
                    continue
                if where is None or where(call):
                    return call
            return None

        try:
            async with asyncio.timeout(timeout), self._activity:
                await self._activity.wait_for(lambda: find() is not None)
        except TimeoutError:
            raise TimeoutError(f"no {method} call within {timeout} s") from None
        found = find()
        assert found is not None
        return found

    async def wait_for_poll(self, timeout: float = 5.0) -> None:
        """Wait until the bot has a getUpdates long poll waiting on the server."""
        try:
            async with asyncio.timeout(timeout), self._activity:
                await self._activity.wait_for(lambda: bool(self._polls))
        except TimeoutError:
            raise TimeoutError(f"no long poll waiting within {timeout} s") from None

    def _is_busy(self) -> bool:
        """Tell whether requests (other than waiting long polls) or updates are pending."""
        return bool(self._in_flight or self._webhook_in_flight or self.updates)

    async def wait_idle(self, quiet: float = 0.05, timeout: float = 10.0) -> None:
        """Wait until nothing is in flight or queued, and stays so for a quiet period."""
        try:
            async with asyncio.timeout(timeout):
                while not await self._quiet_for(quiet):
                    pass
        except TimeoutError:
            raise TimeoutError(
                f"server not idle within {timeout} s: {self._in_flight} requests in flight, "
                f"{len(self.updates)} updates queued"
            ) from None

    async def _quiet_for(self, quiet: float) -> bool:
        """Wait until not busy, then tell whether nothing happened for quiet seconds."""
        async with self._activity:
            await self._activity.wait_for(lambda: not self._is_busy())
            seen = self._activity_count
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(quiet):
                    await self._activity.wait_for(lambda: self._activity_count != seen)
            return self._activity_count == seen and not self._is_busy()

    async def _notify_activity(self) -> None:
        """Count a change of state and wake whoever waits for one."""
        self._activity_count += 1
        async with self._activity:
            self._activity.notify_all()

    # -- HTTP handling -------------------------------------------------------------------

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, Any]]:
        """Decode query, JSON, urlencoded or multipart parameters; return params and files."""
        params: dict[str, Any] = {
            key: _decode_form_value(key, value) for key, value in request.query.items()
        }
        files: dict[str, Any] = {}
        if request.method != "POST" or not request.can_read_body:
            return params, files
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                # As the Bot API reads JSON: a string value is the parameter's text, exactly
                # as a form field (decoded the same way); any other value is that JSON.
                params.update(
                    {
                        key: _decode_form_value(key, value) if isinstance(value, str) else value
                        for key, value in body.items()
                    }
                )
            return params, files
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = value
            else:
                params[key] = _decode_form_value(key, str(value))
        return params, files

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        """Answer one Bot API call, recording it and applying faults and rate limits."""
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        method = request.match_info["method"]
        params, raw_files = await self._read_params(request)
        chat_id = params.get("chat_id")
        call = ApiCall(method, params, chat_id, time.monotonic())
        call.files = {
            key: UploadedFile("", "", field.filename, field.file.read(), field.content_type)
            for key, field in raw_files.items()
        }
        for field in raw_files.values():
            field.file.close()  # read already; a dropped connection must not leave it open
        if self.keep_calls:
            self.calls.append(call)
        long_poll = method == "getUpdates"
        if not long_poll:
            self._in_flight += 1
        await self._notify_activity()
        try:
            return await self._answer(request, method, call)
        finally:
            if call.status is None:
                call.outcome = "client_gone"
            call.answered_at = time.monotonic()
            for listener in self.call_listeners:
                listener(call)
            if not long_poll:
                self._in_flight -= 1
            await self._notify_activity()

    async def _answer(self, request: web.Request, method: str, call: ApiCall) -> web.StreamResponse:
        """Apply any fault, the rate limits and the method itself, and build the response."""
        fault = self.faults.pick(method)
        if fault is not None and fault.kind == "stall":
            call.outcome = "stalled"
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(fault.stall_seconds):
                    await self._closing.wait()
            if self._closing.is_set():
                return self._drop(request, call)
            fault = None
        if fault is not None and not (fault.kind == "drop_connection" and fault.after_processing):
            if fault.kind == "drop_connection":
                return self._drop(request, call)
            if fault.kind == "retry_after":
                error = ApiError(
                    429,
                    f"Too Many Requests: retry after {fault.retry_after}",
                    {"retry_after": fault.retry_after},
                )
            else:
                error = ApiError(500, "Internal Server Error")
            return self._error_response(call, error, "fault")
        if self.rate_limiter is not None and method in self.rate_limiter.limits.methods:
            wait = self.rate_limiter.check(call.chat_id or 0, time.monotonic())
            if wait is not None:
                error = ApiError(
                    429, f"Too Many Requests: retry after {wait}", {"retry_after": wait}
                )
                return self._error_response(call, error, "rate_limited")
        handler = self._methods.get(method)
        try:
            if handler is None:
                raise ApiError(404, f"Not Found: method {method} is not served by the fake")
            result = await handler(call.params, call)
        except ApiError as error:
            return self._error_response(call, error, "error")
        if fault is not None:
            return self._drop(request, call)
        call.status = 200
        call.outcome = "ok"
        call.result = result
        return web.json_response({"ok": True, "result": result})

    def _error_response(self, call: ApiCall, error: ApiError, outcome: str) -> web.Response:
        """Record and return an error answer."""
        call.status = error.error_code
        call.outcome = f"{outcome}:{error.error_code}"
        return web.json_response(error.payload(), status=error.error_code)

    def _drop(self, request: web.Request, call: ApiCall) -> web.StreamResponse:
        """Close the connection without an answer."""
        call.status = 0
        call.outcome = "dropped" if call.outcome == "pending" else f"{call.outcome}+dropped"
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError

    async def _handle_file(self, request: web.Request) -> web.Response:
        """Serve a stored file to a bot downloading it."""
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        for upload in self.files.values():
            if upload.file_path == request.match_info["path"]:
                self.downloads.append(upload.file_id)
                return web.Response(body=upload.data, content_type=upload.mime_type)
        return web.Response(status=404)

    async def _handle_state(self, request: web.Request) -> web.Response:
        """Return calls and chats as JSON, for drivers in another process."""
        chats = {
            str(chat_id): [
                {
                    "message_id": m.message_id,
                    "text": m.text,
                    "buttons": m.buttons,
                    "document": m.document.filename if m.document else None,
                    "deleted": m.deleted,
                }
                for m in state.messages.values()
            ]
            for chat_id, state in self.chats.items()
        }
        calls = [
            {"method": c.method, "chat_id": c.chat_id, "status": c.status, "outcome": c.outcome}
            for c in self.calls
        ]
        return web.json_response({"calls": calls, "chats": chats, "queued": len(self.updates)})

    async def _handle_raw_update(self, request: web.Request) -> web.Response:
        """Queue a raw update posted by a driver in another process."""
        content = await request.json()
        content.pop("update_id", None)
        for key in ("message", "edited_message"):
            if key in content:
                self._chat(content[key]["chat"])
        return web.json_response(await self.push_update(content))

    # -- Bot API methods -----------------------------------------------------------------

    def _known_chat(self, params: dict[str, Any]) -> ChatState:
        """Return the chat a call addresses, or raise Telegram's error for it."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        state = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if state is None:
            raise _bad_request("chat not found")
        if state.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": state.migrated_to},
            )
        if state.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return state

    async def _always_true(self, params: dict[str, Any], call: ApiCall) -> bool:
        """Answer True."""
        return True

    async def _get_me(self, params: dict[str, Any], call: ApiCall) -> dict[str, Any]:
        """Return the bot's User object."""
        return self.bot_user

    async def _get_updates(self, params: dict[str, Any], call: ApiCall) -> list[dict[str, Any]]:
        """Confirm updates below offset and return the queue, long polling when it is empty."""
        if self.webhook["url"]:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        if offset > 0:
            while self.updates and self.updates[0]["update_id"] < offset:
                self.updates.popleft()
        elif offset < 0:
            while len(self.updates) > -offset:
                self.updates.popleft()
        allowed = params.get("allowed_updates")
        if allowed:
            kept = [u for u in self.updates if set(u) - {"update_id"} <= set(allowed)]
            self.updates = collections.deque(kept)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        for earlier in self._polls:
            self._superseded_polls.add(earlier)
            earlier.set()
        if not self.updates and timeout > 0 and not self._closing.is_set():
            arrived = asyncio.Event()
            self._polls.append(arrived)
            await self._notify_activity()
            try:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout):
                        await arrived.wait()
            finally:
                self._polls.remove(arrived)
            if arrived in self._superseded_polls:
                self._superseded_polls.discard(arrived)
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
        return list(itertools.islice(self.updates, limit))

    def _message_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """Return reply markup and reply target of a send call, validated."""
        markup = params.get("reply_markup")
        _validate_reply_markup(markup)
        reply_parameters = params.get("reply_parameters") or {}
        reply_to = reply_parameters.get("message_id") or params.get("reply_to_message_id")
        return {"reply_markup": markup, "reply_to_message_id": reply_to}

    async def _send_message(self, params: dict[str, Any], call: ApiCall) -> dict[str, Any]:
        """Store and return a text message."""
        chat = self._known_chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad_request("message text is empty")
        parse_mode = params.get("parse_mode")
        plain, entities = _render_text(text, parse_mode)
        if len(plain) > _MAX_TEXT_LENGTH:
            raise _bad_request("message is too long")
        message = BotMessage(
            chat_id=chat.id,
            message_id=chat.next_message_id(),
            date=int(time.time()),
            text=text,
            plain_text=plain,
            entities=entities,
            parse_mode=parse_mode,
            **self._message_params(params),
        )
        chat.messages[message.message_id] = message
        await chat.record(message, "sent")
        return message.to_api(chat.chat, self.bot_user)

    async def _send_document(self, params: dict[str, Any], call: ApiCall) -> dict[str, Any]:
        """Store and return a document message (a multipart upload or a known file_id)."""
        chat = self._known_chat(params)
        document = params.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            document = call.files.get(document.removeprefix("attach://"))
        elif document is None:
            document = call.files.get("document")
        elif isinstance(document, str):
            document = self.files.get(document)
            if document is None:
                raise _bad_request("wrong file identifier/HTTP URL specified")
        if not isinstance(document, UploadedFile):
            raise _bad_request("there is no document in the request")
        if not document.file_id:
            stored = self.store_file(document.filename, document.data, document.mime_type)
            document.file_id, document.file_unique_id = stored.file_id, stored.file_unique_id
        caption = params.get("caption")
        parse_mode = params.get("parse_mode")
        plain, entities = _render_text(caption, parse_mode) if caption else ("", [])
        if len(plain) > _MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        message = BotMessage(
            chat_id=chat.id,
            message_id=chat.next_message_id(),
            date=int(time.time()),
            plain_text=plain,
            entities=entities,
            parse_mode=parse_mode,
            document=self.files[document.file_id],
            caption=caption,
            **self._message_params(params),
        )
        chat.messages[message.message_id] = message
        await chat.record(message, "sent")
        return message.to_api(chat.chat, self.bot_user)

    def _message_to_edit(self, params: dict[str, Any]) -> tuple[ChatState, BotMessage]:
        """Return the chat and stored message an edit addresses."""
        chat = self._known_chat(params)
        message = chat.messages.get(int(params.get("message_id") or 0))
        if message is None or message.deleted:
            raise _bad_request("message to edit not found")
        return chat, message

    async def _apply_edit(
        self, chat: ChatState, message: BotMessage, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """Apply changes to a stored message unless they change nothing, and log the edit."""
        before = (message.plain_text, message.entities, message.reply_markup, message.caption)
        candidate = dataclasses.replace(message, **changes)
        after = (
            candidate.plain_text,
            candidate.entities,
            candidate.reply_markup,
            candidate.caption,
        )
        if before == after:
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        for key, value in changes.items():
            setattr(message, key, value)
        message.edit_count += 1
        await chat.record(message, "edited")
        return message.to_api(chat.chat, self.bot_user)

    async def _edit_message_text(self, params: dict[str, Any], call: ApiCall) -> Any:
        """Replace a message's text (and keyboard: none given removes it)."""
        if params.get("inline_message_id"):
            return True
        chat, message = self._message_to_edit(params)
        if message.document is not None:
            raise _bad_request("there is no text in the message to edit")
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad_request("message text is empty")
        parse_mode = params.get("parse_mode")
        plain, entities = _render_text(text, parse_mode)
        markup = params.get("reply_markup")
        _validate_reply_markup(markup)
        changes = {
            "text": text,
            "plain_text": plain,
            "entities": entities,
            "parse_mode": parse_mode,
            "reply_markup": markup,
        }
        return await self._apply_edit(chat, message, changes)

    async def _edit_message_caption(self, params: dict[str, Any], call: ApiCall) -> Any:
        """Replace a document message's caption (and keyboard)."""
        if params.get("inline_message_id"):
            return True
        chat, message = self._message_to_edit(params)
        caption = params.get("caption") or ""
        parse_mode = params.get("parse_mode")
        plain, entities = _render_text(caption, parse_mode) if caption else ("", [])
        markup = params.get("reply_markup")
        _validate_reply_markup(markup)
        changes = {
            "caption": caption or None,
            "plain_text": plain,
            "entities": entities,
            "parse_mode": parse_mode,
            "reply_markup": markup,
        }
        return await self._apply_edit(chat, message, changes)

    async def _edit_message_reply_markup(self, params: dict[str, Any], call: ApiCall) -> Any:
        """Replace (or with none given, remove) a message's inline keyboard."""
        if params.get("inline_message_id"):
            return True
        chat, message = self._message_to_edit(params)
        markup = params.get("reply_markup")
        _validate_reply_markup(markup)
        return await self._apply_edit(chat, message, {"reply_markup": markup})

    async def _delete_message(self, params: dict[str, Any], call: ApiCall) -> bool:
        """Mark a bot message deleted."""
        chat = self._known_chat(params)
        message = chat.messages.get(int(params.get("message_id") or 0))
        if message is None or message.deleted:
            raise _bad_request("message to delete not found")
        message.deleted = True
        await chat.record(message, "deleted")
        return True

    async def _answer_callback_query(self, params: dict[str, Any], call: ApiCall) -> bool:
        """Record the answer to a callback query (each may be answered once)."""
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self.callback_queries or query_id in self.callback_answers:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self.callback_answers[query_id] = params
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> str:
        """Return the key of a command list: its scope and language."""
        scope = params.get("scope") or {"type": "default"}
        return f"{json.dumps(scope, sort_keys=True)}|{params.get('language_code') or ''}"

    async def _set_my_commands(self, params: dict[str, Any], call: ApiCall) -> bool:
        """Store the bot's command list for a scope and language, validated."""
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad_request("commands must be a list of at most 100 BotCommand objects")
        for command in commands:
            name = str(command.get("command", ""))
            valid = 1 <= len(name) <= 32 and all(
                c.islower() or c.isdigit() or c == "_" for c in name
            )
            if not valid or not name.isascii():
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("command description must be 1-256 characters")
        self.commands[self._commands_key(params)] = commands
        return True

    async def _get_my_commands(self, params: dict[str, Any], call: ApiCall) -> list[Any]:
        """Return the command list for a scope and language."""
        return self.commands.get(self._commands_key(params), [])

    async def _delete_my_commands(self, params: dict[str, Any], call: ApiCall) -> bool:
        """Remove the command list for a scope and language."""
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _set_webhook(self, params: dict[str, Any], call: ApiCall) -> bool:
        """Record the webhook URL and secret; an empty URL switches back to getUpdates."""
        url = str(params.get("url") or "")
        if url and not url.startswith(("http://", "https://")):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(str(secret)):
            raise _bad_request("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self.updates.clear()
        self.webhook = {
            "url": url,
            "secret_token": params.get("secret_token"),
            "allowed_updates": params.get("allowed_updates"),
            "max_connections": params.get("max_connections", 40),
        }
        for poll in self._polls:
            poll.set()
        await self._notify_activity()
        return True

    async def _delete_webhook(self, params: dict[str, Any], call: ApiCall) -> bool:
        """Remove the webhook, dropping pending updates if asked."""
        return await self._set_webhook(
            {"drop_pending_updates": params.get("drop_pending_updates")}, call
        )

    async def _get_webhook_info(self, params: dict[str, Any], call: ApiCall) -> dict[str, Any]:
        """Return the WebhookInfo object."""
        return {
            "url": self.webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }

    async def _send_chat_action(self, params: dict[str, Any], call: ApiCall) -> bool:
        """Accept a chat action (typing, upload_document) for a known chat."""
        self._known_chat(params)
        return True

    async def _get_chat(self, params: dict[str, Any], call: ApiCall) -> dict[str, Any]:
        """Return the ChatFullInfo object of a known chat."""
        chat = self._known_chat(params)
        gifts = {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        }
        return {
            **chat.chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }

    async def _get_chat_administrators(
        self, params: dict[str, Any], call: ApiCall
    ) -> list[dict[str, Any]]:
        """Return the ChatMember objects of a group's administrators (see set_administrators)."""
        chat = self._known_chat(params)
        return [
            {"status": "administrator" if index else "creator", "user": self.users[user_id]}
            | ({"is_anonymous": False} if not index else _ADMIN_RIGHTS)
            for index, user_id in enumerate(chat.administrators)
        ]

    async def _get_file(self, params: dict[str, Any], call: ApiCall) -> dict[str, Any]:
        """Return the File object of a stored file (photo sizes share their upload)."""
        file_id = str(params.get("file_id") or "")
        upload = self.files.get(file_id) or self.files.get(file_id.rsplit("_", 1)[0])
        if upload is None:
            raise _bad_request("invalid file_id")
        if upload.size > BOT_DOWNLOAD_LIMIT:
            raise _bad_request("file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": upload.file_unique_id,
            "file_size": upload.size,
            "file_path": upload.file_path,
        }

    # -- webhook delivery ----------------------------------------------------------------

    async def _deliver_webhook_updates(self) -> None:
        """Push queued updates to the webhook one by one, retrying failed deliveries."""
        assert self._session is not None
        while True:
            async with self._activity:
                await self._activity.wait_for(lambda: bool(self.webhook["url"] and self.updates))
            update = self.updates[0]
            self._webhook_in_flight += 1
            try:
                status: int | str = await self.post_to_webhook(
                    update, secret_token=self.webhook["secret_token"]
                )
            except (ClientError, TimeoutError) as error:
                status = type(error).__name__
            finally:
                self._webhook_in_flight -= 1
            self.webhook_deliveries.append((update["update_id"], status))
            if status == 200 and self.updates and self.updates[0] is update:
                self.updates.popleft()
            await self._notify_activity()
            if status != 200:
                await asyncio.sleep(self.webhook_retry_seconds)


async def _serve_forever(port: int, token: str, rate_limited: bool) -> None:
    """Run the fake server in this process until it is interrupted."""
    server = FakeTelegram(
        port=port, token=token, rate_limits=RateLimits() if rate_limited else None
    )
    async with server:
        print(server.base_url, flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    """Command line: serve the fake Bot API on a port until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=TOKEN)
    parser.add_argument("--rate-limits", action="store_true", help="enforce Telegram's limits")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(args.port, args.token, args.rate_limits))
    sys.exit(0)


if __name__ == "__main__":
    main()

"""What the Telegram handlers share: settings, store, travel data, clock, per-user locks, and
the write-through cache of drafts."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field
from telegram import User
from telegram.ext import CallbackContext

from bot.config import Settings
from bot.dialogs import Interview, InterviewState
from bot.i18n import DEFAULT_LANGUAGE, language_from_code
from bot.outbox import OutboxWorker
from bot.report import Traveller
from bot.service import Coalescer, ReportService, access
from bot.store import Draft, DraftVersion, Store
from bot.store.schema import JsonText
from bot.telegram.store import DraftSave, TelegramStore, user_ref_of
from bot.transcription import Transcriber
from bot.travel import TravelCalculator

__all__ = [
    "DraftCache",
    "KeyedLocks",
    "Services",
    "TelegramDraft",
    "VoiceAnswer",
    "services",
    "user_ref_of",
]

_Key = TypeVar("_Key")

#: Drafts kept in memory (compact JSON, about 4 KB each); the least recently used go first.
DRAFT_CACHE_SIZE = 10_000


class VoiceAnswer(BaseModel):
    """A spoken answer on its way: a recording to transcribe, then text waiting for a check.

    Holds Telegram's file id (a reference, never the audio) only until transcribed."""

    voice_id: str
    question: str
    chat_id: int
    status: Literal["transcribing", "ready"]
    parts: list[str] = Field(default_factory=list)
    appending: bool = False
    file_id: str | None = None
    filename: str = "voice.ogg"
    mime_type: str = "audio/ogg"
    language: str = DEFAULT_LANGUAGE  # the traveller's: transcription and the texts around it

    @property
    def text(self) -> str:
        """The transcript so far (parts dictated with ‘Aanvullen’ on lines of their own)."""
        return "\n".join(self.parts)


class TelegramDraft(BaseModel):
    """A traveller's stored draft: the interview plus what only the chat needs."""

    interview: InterviewState = Field(default_factory=InterviewState)
    toggled: list[str] = Field(default_factory=list)
    calendar_start: date | None = None
    trip_id: str | None = None
    voice: VoiceAnswer | None = None


class KeyedLocks(Generic[_Key]):
    """An asyncio lock per key, forgotten again when nobody holds or awaits it (memory stays
    flat, and a task arriving meanwhile still queues behind the same lock)."""

    def __init__(self) -> None:
        self._locks: dict[_Key, tuple[asyncio.Lock, list[int]]] = {}

    def __len__(self) -> int:
        """How many keys are held or awaited now."""
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, key: _Key) -> AsyncIterator[None]:
        """Hold the key's lock while inside (waiters get it in the order they asked)."""
        lock, users = self._locks.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[key]


class DraftCache:
    """Drafts as this process last read or saved them, with the version they had then.

    A copy is only ever used together with its version: every save through it overwrites
    just that version (`StaleDraft` otherwise) and a finished report deletes just that
    version, so a copy another process outdated is caught before anything is stored or sent.
    """

    def __init__(self, size: int = DRAFT_CACHE_SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[str, tuple[DraftVersion, bytes]] = OrderedDict()

    def get(self, user_ref: str) -> tuple[DraftVersion, bytes] | None:
        """The cached version and JSON of this traveller's draft, or None."""
        entry = self._entries.get(user_ref)
        if entry is not None:
            self._entries.move_to_end(user_ref)
        return entry

    def put(self, user_ref: str, version: DraftVersion, draft_json: bytes) -> None:
        """Remember the draft as stored, as JSON bytes (immutable, and a third of a dict)."""
        self._entries[user_ref] = (version, draft_json)
        self._entries.move_to_end(user_ref)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def drop(self, user_ref: str) -> None:
        """Forget this traveller's draft (deleted, finished, or maybe changed elsewhere)."""
        self._entries.pop(user_ref, None)

    def version(self, user_ref: str) -> DraftVersion | None:
        """The version a save of this traveller's draft expects to overwrite, if known."""
        entry = self._entries.get(user_ref)
        return entry[0] if entry is not None else None


@dataclass(frozen=True)
class FirstLook:
    """What a process reads of a traveller it has no copy of: draft, /taal choice, profile."""

    draft: Draft | None
    language: str | None
    profile: Traveller | None


@dataclass
class Services:
    """Everything a handler needs, built once in `build_application`."""

    settings: Settings
    store: Store
    trip: TravelCalculator
    clock: Callable[[], datetime]
    outbox: OutboxWorker | None = None
    transcriber: Transcriber | None = None
    transcription_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(4))
    _locks: KeyedLocks[str] = field(default_factory=lambda: KeyedLocks[str]())
    _profiles: dict[str, Traveller | None] = field(default_factory=dict)
    _answered: OrderedDict[tuple[int, int], None] = field(default_factory=OrderedDict)
    _languages: dict[str, str] = field(default_factory=dict)
    drafts: DraftCache = field(default_factory=DraftCache)
    _allowed_for_update: dict[tuple[int, int], bool] = field(default_factory=dict)
    service: ReportService = field(init=False)
    telegram: TelegramStore = field(init=False)
    _first_looks: Coalescer[str, FirstLook] = field(init=False)

    def __post_init__(self) -> None:
        """The use cases over this store behind their async facade, and the Telegram tables
        over the same store on the same `StoreRunner`: one thread pool for all store work."""
        self.service = ReportService(self.store, self.settings, self.clock)
        self.telegram = TelegramStore(self.store, self.service.runner)
        self._first_looks = Coalescer(self.service.runner, self._look_up)

    async def language_of(self, user: User | None) -> str:
        """The traveller's language: their /taal choice, else their Telegram app's language."""
        if user is None:
            return DEFAULT_LANGUAGE
        return await self._language(user_ref_of(user.id), language_from_code(user.language_code))

    async def language_for(self, user_ref: str) -> str:
        """The language of a traveller known only by reference (their choice, else Dutch)."""
        return await self._language(user_ref, DEFAULT_LANGUAGE)

    async def _language(self, user_ref: str, fallback: str) -> str:
        """Their stored /taal choice, else `fallback`. Kept per process on SQLite (one bot);
        on PostgreSQL another instance may have changed it, so read every time."""
        chosen = self._languages.get(user_ref) if self._cache_trusted() else None
        if chosen is None:
            chosen = await self.service.query(self.store.profiles.language, user_ref) or ""
            self._languages[user_ref] = chosen  # "" remembers that they never chose
        return chosen or fallback

    async def set_language(self, user_ref: str, language: str) -> None:
        """Remember the traveller's choice of language, in the store and here."""
        await self.service.query(self.store.profiles.set_language, user_ref, language, self.clock())
        self._languages[user_ref] = language

    def mark_answered(self, chat_id: int, message_id: int) -> None:
        """Remember that a one-shot keyboard (a question's choices, a reminder) was used."""
        self._answered[(chat_id, message_id)] = None
        while len(self._answered) > 10_000:
            self._answered.popitem(last=False)

    def was_answered(self, chat_id: int, message_id: int) -> bool:
        """Whether this message's keyboard was used already (a second tap of a double tap)."""
        return (chat_id, message_id) in self._answered

    def lock(self, user_ref: str) -> AbstractAsyncContextManager[None]:
        """One lock per traveller: their messages are handled one at a time, in order."""
        return self._locks.hold(user_ref)

    async def load_draft(self, user_ref: str) -> TelegramDraft | None:
        """The traveller's draft, or None: from the cache when its copy is current.

        On SQLite this process is the only one that changes drafts through the bot, so the
        copy is used as is (a change by another process, such as an erasure from the command
        line, still makes the next save or finish fail with `StaleDraft`). On PostgreSQL,
        where several instances may serve one traveller, the copy is first checked against
        the stored version with one indexed read."""
        cached = self.drafts.get(user_ref)
        if cached is not None and not self._cache_trusted():
            current = await self.service.query(self.store.drafts.version, user_ref)
            if current != cached[0]:
                cached = None
        if cached is None:
            stored = await self._stored_draft(user_ref)
            if stored is None:
                self.drafts.drop(user_ref)
                return None
            draft = TelegramDraft.model_validate(stored.state)
            version = DraftVersion(stored.revision, stored.created_at)
            self.drafts.put(user_ref, version, draft.model_dump_json().encode())
            return draft
        return TelegramDraft.model_validate_json(cached[1])

    async def _stored_draft(self, user_ref: str) -> Draft | None:
        """The stored draft. On SQLite, where this process keeps what it read, the traveller's
        /taal choice and profile come along in the same read (a traveller's first message
        then costs one trip to the store, joined with other travellers' first messages)."""
        if not self._cache_trusted():
            return await self.service.load_draft(user_ref)
        look = await self._first_looks.submit(user_ref)
        self._languages.setdefault(user_ref, look.language or "")
        self._profiles.setdefault(user_ref, look.profile)
        return look.draft

    def _look_up(self, user_refs: Sequence[str]) -> list[FirstLook]:
        """Draft, /taal choice and profile of each traveller, in one read transaction."""
        with self.store.snapshot() as view:
            return [
                FirstLook(
                    view.drafts.load(ref), view.profiles.language(ref), view.profiles.profile(ref)
                )
                for ref in user_refs
            ]

    async def save_draft(
        self, user_ref: str, draft: TelegramDraft, *, update_id: int | None = None
    ) -> None:
        """Save the draft (with the update it applies, struck from the inbox at once) over
        the version this process read; `StaleDraft` when that version is no longer stored."""
        as_saved = draft.model_dump_json()  # written once: stored as is, and cached
        try:
            version = await self.telegram.commit_draft(
                DraftSave(
                    user_ref,
                    JsonText(as_saved),
                    update_id=update_id,
                    expected=self.drafts.version(user_ref),
                    now=self.clock(),
                )
            )
        except BaseException:
            self.drafts.drop(user_ref)  # whatever is stored now, the next read finds it
            raise
        self.drafts.put(user_ref, version, as_saved.encode())

    async def delete_draft(self, user_ref: str) -> None:
        """Throw the traveller's draft away."""
        self.drafts.drop(user_ref)
        await self.service.discard_draft(user_ref)

    def _cache_trusted(self) -> bool:
        """Whether cached drafts are used without a version check (SQLite: one bot process)."""
        return self.store.engine.dialect.name == "sqlite"

    async def interview(self, user_ref: str, draft: TelegramDraft) -> Interview:
        """The interview of this draft, ready for one message."""
        return Interview(
            self.trip,
            self.clock(),
            state=draft.interview,
            profile=await self.profile(user_ref),
            user_ref=user_ref,
        )

    async def profile(self, user_ref: str) -> Traveller | None:
        """Name and department remembered for this traveller (read once per process on SQLite;
        on PostgreSQL another process may have changed or erased it, so read every time)."""
        if self.store.engine.dialect.name != "sqlite":
            return await self.service.query(self.store.profiles.profile, user_ref)
        if user_ref not in self._profiles:
            self._profiles[user_ref] = await self.service.query(
                self.store.profiles.profile, user_ref
            )
        return self._profiles[user_ref]

    def remember_profile(self, traveller: Traveller) -> None:
        """Keep name and department here after a use case stored them."""
        self._profiles[traveller.user_ref] = traveller

    def forget(self, user_ref: str) -> None:
        """Drop what is cached about this traveller (after their data was erased)."""
        self._profiles.pop(user_ref, None)
        self._languages.pop(user_ref, None)
        self.drafts.drop(user_ref)

    async def is_allowed(self, user_id: int, update_id: int | None = None) -> bool:
        """Granted by the secretariat, or listed in ALLOWED_USER_IDS and never revoked since;
        with `update_id`, the answer `pending_and_allowed` read for this update if any.

        Finishing a report grants nothing: an id taken off the list loses access at the next
        start unless the secretariat granted it; a revocation also overrides the list."""
        if update_id is not None and (update_id, user_id) in self._allowed_for_update:
            return self._allowed_for_update.pop((update_id, user_id))
        # As read with the update's inbox write, else with the other travellers' checks and
        # pending inputs waiting at this moment.
        _, latest = await self.telegram.read_pending_and_access(user_ref_of(user_id), update_id)
        return access.allowed_by(latest, listed=user_id in self.settings.allowed_user_ids)

    def has_access(self, user_ref: str) -> bool:
        """`is_allowed` for a store thread (a use case asking about a traveller): a reference
        that is not a Telegram user's is not limited by the Telegram access list."""
        user_id = user_ref.removeprefix("telegram:")
        if not user_id.lstrip("-").isdigit():
            return True
        listed = int(user_id) in self.settings.allowed_user_ids
        return access.is_allowed(self.store, user_ref, listed=listed)

    async def pending_and_allowed(
        self, user_id: int, update_id: int
    ) -> tuple[tuple[str, dict[str, Any]] | None, bool]:
        """The traveller's pending input and whether they may use the bot, in one trip to the
        store's thread; the access answer is kept for this update's `is_allowed` (the guard)."""
        pending, latest = await self.telegram.read_pending_and_access(
            user_ref_of(user_id), update_id
        )
        allowed = access.allowed_by(latest, listed=user_id in self.settings.allowed_user_ids)
        self._allowed_for_update[(update_id, user_id)] = allowed
        while len(self._allowed_for_update) > 1_000:  # updates that never reached the guard
            del self._allowed_for_update[next(iter(self._allowed_for_update))]
        return pending, allowed

    def is_secretariat(self, chat_id: int | None) -> bool:
        """Whether this chat is the secretariat's."""
        return chat_id is not None and chat_id == self.settings.secretariat_chat_id


def services(context: CallbackContext[Any, Any, Any, Any]) -> Services:
    """The shared services of the running application."""
    found: Services = context.application.bot_data["services"]
    return found

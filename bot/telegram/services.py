"""What the Telegram handlers share: settings, store, travel data, clock, per-user locks."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from telegram import User
from telegram.ext import CallbackContext

from bot.config import Settings
from bot.dialogs import Interview, InterviewState
from bot.i18n import DEFAULT_LANGUAGE, language_from_code
from bot.outbox import OutboxWorker
from bot.report import Traveller
from bot.service import ReportService, access
from bot.store import Store
from bot.transcription import Transcriber
from bot.travel import TravelCalculator

__all__ = ["Services", "TelegramDraft", "VoiceAnswer", "services", "user_ref_of"]


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


def user_ref_of(user_id: int) -> str:
    """The store's key for a Telegram user."""
    return f"telegram:{user_id}"


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
    _locks: dict[str, tuple[asyncio.Lock, list[int]]] = field(default_factory=dict)
    _profiles: dict[str, Traveller | None] = field(default_factory=dict)
    _answered: OrderedDict[tuple[int, int], None] = field(default_factory=OrderedDict)
    _languages: dict[str, str] = field(default_factory=dict)
    service: ReportService = field(init=False)

    def __post_init__(self) -> None:
        """The use cases over this store, behind their async facade."""
        self.service = ReportService(self.store, self.settings, self.clock)

    async def language_of(self, user: User | None) -> str:
        """The traveller's language: their /taal choice, else their Telegram app's language."""
        if user is None:
            return DEFAULT_LANGUAGE
        user_ref = user_ref_of(user.id)
        if user_ref not in self._languages:
            chosen = await self.service.query(self.store.profiles.language, user_ref)
            self._languages[user_ref] = chosen or language_from_code(user.language_code)
        return self._languages[user_ref]

    async def language_for(self, user_ref: str) -> str:
        """The language of a traveller known only by reference (their choice, else Dutch)."""
        if user_ref not in self._languages:
            chosen = await self.service.query(self.store.profiles.language, user_ref)
            if chosen is None:
                return DEFAULT_LANGUAGE
            self._languages[user_ref] = chosen
        return self._languages[user_ref]

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

    @asynccontextmanager
    async def lock(self, user_ref: str) -> AsyncIterator[None]:
        """One lock per traveller: their messages are handled one at a time, in order.

        The lock is forgotten only when nobody holds or awaits it (memory stays flat, and a
        message arriving meanwhile still queues behind the same lock)."""
        lock, users = self._locks.setdefault(user_ref, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[user_ref]

    async def load_draft(self, user_ref: str) -> TelegramDraft | None:
        """The traveller's draft, or None."""
        stored = await self.service.load_draft(user_ref)
        return TelegramDraft.model_validate(stored.state) if stored else None

    async def save_draft(
        self, user_ref: str, draft: TelegramDraft, *, update_id: int | None = None
    ) -> None:
        """Store the traveller's draft before replying (see `ReportService.save_draft`)."""
        await self.service.save_draft(user_ref, draft.model_dump(mode="json"), update_id=update_id)

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

    async def is_allowed(self, user_id: int) -> bool:
        """Granted by the secretariat, or listed in ALLOWED_USER_IDS and never revoked since.

        Finishing a report grants nothing: an id taken off the list loses access at the next
        start unless the secretariat granted it; a revocation also overrides the list."""
        return await self.service.is_allowed(
            user_ref_of(user_id), listed=user_id in self.settings.allowed_user_ids
        )

    def has_access(self, user_ref: str) -> bool:
        """`is_allowed` for a store thread (a use case asking about a traveller): a reference
        that is not a Telegram user's is not limited by the Telegram access list."""
        user_id = user_ref.removeprefix("telegram:")
        if not user_id.lstrip("-").isdigit():
            return True
        listed = int(user_id) in self.settings.allowed_user_ids
        return access.is_allowed(self.store, user_ref, listed=listed)

    def is_secretariat(self, chat_id: int | None) -> bool:
        """Whether this chat is the secretariat's."""
        return chat_id is not None and chat_id == self.settings.secretariat_chat_id


def services(context: CallbackContext[Any, Any, Any, Any]) -> Services:
    """The shared services of the running application."""
    found: Services = context.application.bot_data["services"]
    return found

"""Voice answers: a voice message, audio file or video note becomes text the traveller checks.

The handler only writes the recording's file id into the draft (with the update id, so the
update leaves the durable inbox in that same transaction) and returns: transcription runs in
a task of its own, so a slow speech service never holds up anybody's messages. The task
fetches the audio into memory, has it transcribed, stores the text as the pending answer and
offers it: "Ik verstond: …" with ✅ Gebruiken, ✏️ Aanpassen, 🎙️ Opnieuw (and ➕ Aanvullen for
free text). "Gebruiken" hands the text to the interview exactly as if it were typed.

Privacy: the audio is never written anywhere or logged; the text is stored only as this
pending answer (in the draft) and then as the answer itself. After a restart, a recording
still to transcribe is transcribed (Telegram keeps the file) and a waiting text is offered
again.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, ContextTypes

from bot.dialogs.questions import is_free_text
from bot.store import DuplicateUpdate, StoreUnavailable
from bot.telegram.keyboards import parse_callback
from bot.telegram.services import Services, TelegramDraft, VoiceAnswer, services, user_ref_of
from bot.telegram.traveller import NO_DRAFT, answer_as_typed, send_html, send_prompt
from bot.transcription import TranscriptionFailed

__all__ = [
    "TELEGRAM_DOWNLOAD_LIMIT",
    "on_voice",
    "on_voice_button",
    "resume_voice_work",
    "spoken_text",
]

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

#: Bots may download files of at most 20 MB from Telegram (Bot API, getFile).
TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024
#: The language hint: the traveller's interface language (the bot speaks only Dutch so far).
INTERFACE_LANGUAGE = "nl"

#: A transcript Telegram would not take is offered again after these pauses (then at restart).
OFFER_RETRY_SECONDS = (2.0, 10.0, 30.0)

USE, EDIT, REDO, ADD = "use", "edit", "redo", "add"

SWITCHED_OFF = "Spraakberichten staan bij deze bot niet aan. Typ je antwoord of kies een knop."
NOT_ACTIVE = "Deze tekst is al gebruikt of vervangen."
NO_WORDS = (
    "Ik hoorde geen woorden in je bericht. Spreek het nog eens in, dicht bij de microfoon, "
    "of typ je antwoord."
)
NOT_FETCHED = (
    "Ik kon je spraakbericht niet ophalen bij Telegram. Stuur het nog eens, of typ je antwoord."
)
TOO_LARGE = (
    "Dit bestand is groter dan 20 MB; zo groot kan een bot het bij Telegram niet ophalen. "
    "Spreek een korter bericht in, of typ je antwoord."
)

_in_use: set[str] = set()  # voice ids whose ‘Gebruiken’ is being applied right now


@dataclass(frozen=True)
class _Recording:
    """The part of a message that carries sound."""

    file_id: str
    size: int | None
    duration: int
    filename: str
    mime_type: str


def _seconds(duration: int | timedelta) -> int:
    """A Telegram duration (seconds, or a timedelta with PTB_TIMEDELTA set) in seconds."""
    return int(duration.total_seconds()) if isinstance(duration, timedelta) else int(duration)


def _recording_of(message: Message) -> _Recording | None:
    """The voice message, audio file or video note in a message, if any."""
    if message.voice is not None:
        voice = message.voice
        return _Recording(
            voice.file_id,
            voice.file_size,
            _seconds(voice.duration),
            "voice.ogg",
            voice.mime_type or "audio/ogg",
        )
    if message.audio is not None:
        audio = message.audio
        return _Recording(
            audio.file_id,
            audio.file_size,
            _seconds(audio.duration),
            audio.file_name or "audio.mp3",
            audio.mime_type or "audio/mpeg",
        )
    if message.video_note is not None:
        note = message.video_note
        return _Recording(
            note.file_id, note.file_size, _seconds(note.duration), "video.mp4", "video/mp4"
        )
    return None


def _minutes(seconds: int) -> str:
    """3:05 for 185 seconds."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def _refusal(svc: Services, recording: _Recording) -> str | None:
    """Why this recording is not transcribed, or None when it will be."""
    if svc.transcriber is None:
        return SWITCHED_OFF
    limit = svc.settings.voice_max_seconds
    if recording.duration > limit:
        return (
            f"Je bericht duurt {_minutes(recording.duration)} minuten; ik zet berichten tot "
            f"{_minutes(limit)} minuten om in tekst. Spreek een korter stuk in (bij een lang "
            "antwoord kun je daarna ➕ Aanvullen) of typ je antwoord."
        )
    if recording.size is not None and recording.size > TELEGRAM_DOWNLOAD_LIMIT:
        return TOO_LARGE
    return None


def spoken_text(transcript: str, free_text: bool) -> str:
    """The transcript as an answer: single spaces; no closing full stop outside free text.

    Speech recognisers end each sentence with a full stop, which a typed ‘Ja’, ‘Wenen’ or
    ‘terug’ never has (in free text only a one- or two-word command like ‘Sla over.’ loses it)."""
    text = " ".join(transcript.split())
    if not free_text or len(text.split()) <= 2:
        text = text.rstrip(".!…").strip()
    return text


# --- the voice message -------------------------------------------------------------------------


async def on_voice(update: Update, context: Context) -> None:
    """A voice message, audio file or video note: note it down, transcribe it in the background."""
    svc = services(context)
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    recording = _recording_of(message)
    assert recording is not None
    user_ref = user_ref_of(user.id)
    async with svc.lock(user_ref):
        draft = await svc.load_draft(user_ref)
        if draft is None:
            await message.get_bot().send_message(message.chat_id, NO_DRAFT)
            return
        prompt = svc.interview(user_ref, draft).current_prompt()
        refusal = _refusal(svc, recording)
        if refusal is not None or prompt is None:
            await send_prompt(message, prompt, frozenset(draft.toggled), [refusal or NO_DRAFT])
            return
        earlier = draft.voice
        keep = earlier is not None and earlier.appending and earlier.question == prompt.key
        voice = VoiceAnswer(
            voice_id=uuid.uuid4().hex[:12],
            question=prompt.key,
            chat_id=message.chat_id,
            status="transcribing",
            parts=list(earlier.parts) if keep and earlier else [],
            file_id=recording.file_id,
            filename=recording.filename,
            mime_type=recording.mime_type,
        )
        draft.voice = voice
        try:
            await _save(svc, user_ref, draft, update.update_id)
        except DuplicateUpdate:
            return  # handled before the last restart; its transcription was picked up then
        except StoreUnavailable as error:
            await message.get_bot().send_message(message.chat_id, error.message)
            return
    context.application.create_task(_transcribe(context.application.bot, svc, user_ref, voice))


async def _save(
    svc: Services, user_ref: str, draft: TelegramDraft, update_id: int | None = None
) -> None:
    await svc.save_draft(user_ref, draft, update_id)


async def _pending(
    svc: Services, user_ref: str, voice_id: str
) -> tuple[TelegramDraft, VoiceAnswer]:
    """The draft and its pending voice answer with this id (KeyError when gone or replaced)."""
    draft = await svc.load_draft(user_ref)
    if draft is None or draft.voice is None or draft.voice.voice_id != voice_id:
        raise KeyError(voice_id)
    return draft, draft.voice


async def _transcribe(bot: Bot, svc: Services, user_ref: str, voice: VoiceAnswer) -> None:
    """Fetch, transcribe, store the text as the pending answer and offer it for a check."""
    assert svc.transcriber is not None and voice.file_id is not None
    text, failure = "", None
    async with svc.transcription_slots:  # a few at a time; the rest wait their turn
        if not await _still_waiting(svc, user_ref, voice.voice_id):
            return  # replaced or answered while it waited: not fetched at all
        typing = asyncio.create_task(_show_typing(bot, voice.chat_id))
        try:
            audio = await _download(bot, voice.file_id)
            transcript = await svc.transcriber.transcribe(
                audio, voice.filename, voice.mime_type, INTERFACE_LANGUAGE
            )
            del audio  # held in memory only, and not a moment longer than needed
            text = spoken_text(transcript, is_free_text(voice.question))
            failure = None if text else NO_WORDS
        except TranscriptionFailed as error:
            failure = error.message
        except _FetchFailed as error:
            failure = error.message
        finally:
            typing.cancel()
    log.info("voice %s: %s", voice.voice_id, "transcribed" if failure is None else "failed")
    async with svc.lock(user_ref):
        try:
            draft, pending = await _pending(svc, user_ref, voice.voice_id)
        except KeyError:
            return  # the traveller typed an answer or sent another recording meanwhile
        if pending.status != "transcribing":
            return
        pending.file_id = None
        if failure is None:
            pending.parts.append(text)
        if pending.parts:
            pending.status = "ready"
        else:
            draft.voice = None
        try:
            await _save(svc, user_ref, draft)
        except StoreUnavailable as error:
            await _tell(bot, voice.chat_id, error.message)
            return
        if draft.voice is None:
            await _tell_with_question(bot, svc, user_ref, draft, voice.chat_id, failure or "")
            return
    notices = [failure] if failure else []
    for delay in OFFER_RETRY_SECONDS:
        if await _offer(bot, draft.voice, notices) or not await _still_ready(svc, user_ref, voice):
            return
        await asyncio.sleep(delay)
    await _offer(bot, draft.voice, notices)  # if this fails too, it is offered after a restart


async def _show_typing(bot: Bot, chat_id: int) -> None:
    """‘typing…’ at the top of the chat while the recording is transcribed (it lasts 5 s)."""
    while True:
        with contextlib.suppress(TelegramError):
            await bot.send_chat_action(chat_id, ChatAction.TYPING)
        await asyncio.sleep(4.5)


async def _still_ready(svc: Services, user_ref: str, voice: VoiceAnswer) -> bool:
    """Whether this transcript still waits for the traveller's check."""
    try:
        return (await _pending(svc, user_ref, voice.voice_id))[1].status == "ready"
    except (KeyError, StoreUnavailable):
        return False


async def _still_waiting(svc: Services, user_ref: str, voice_id: str) -> bool:
    """Whether this recording is still the traveller's pending one, not yet transcribed."""
    try:
        return (await _pending(svc, user_ref, voice_id))[1].status == "transcribing"
    except KeyError:
        return False


class _FetchFailed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


async def _download(bot: Bot, file_id: str) -> bytes:
    """The recording's bytes, in memory (getFile, then the download; a network error twice)."""
    for attempt in (1, 2):
        try:
            file = await bot.get_file(file_id)
            if file.file_size is not None and file.file_size > TELEGRAM_DOWNLOAD_LIMIT:
                raise _FetchFailed(TOO_LARGE)
            return bytes(await file.download_as_bytearray())
        except BadRequest as error:
            log.warning("could not fetch a recording: %s", error.message)
            too_big = "too big" in error.message
            raise _FetchFailed(TOO_LARGE if too_big else NOT_FETCHED) from None
        except TelegramError as error:
            log.warning("could not fetch a recording (try %d): %s", attempt, type(error).__name__)
    raise _FetchFailed(NOT_FETCHED)


def _offer_keyboard(voice: VoiceAnswer) -> InlineKeyboardMarkup:
    """✅ Gebruiken, ✏️ Aanpassen, 🎙️ Opnieuw, and ➕ Aanvullen for free text."""
    data = f"v|{voice.voice_id}|"
    rows = [
        [
            InlineKeyboardButton("✅ Gebruiken", callback_data=data + USE),
            InlineKeyboardButton("✏️ Aanpassen", callback_data=data + EDIT),
        ],
        [InlineKeyboardButton("🎙️ Opnieuw", callback_data=data + REDO)],
    ]
    if is_free_text(voice.question):
        rows[1].append(InlineKeyboardButton("➕ Aanvullen", callback_data=data + ADD))
    return InlineKeyboardMarkup(rows)


def _offer_html(voice: VoiceAnswer) -> str:
    return f"🎙️ Ik verstond:\n<i>{html.escape(voice.text)}</i>"


async def _offer(bot: Bot, voice: VoiceAnswer, notices: list[str]) -> bool:
    """Show the transcript with its buttons (notices on top); whether it was sent."""
    parts = [html.escape(notice) for notice in notices]
    parts.append(_offer_html(voice))
    parts.append("Klopt dit? Tik ✅ Gebruiken, of ✏️ Aanpassen om het te verbeteren.")
    try:
        await _send_html(bot, voice.chat_id, "\n\n".join(parts), _offer_keyboard(voice))
    except TelegramError as error:
        log.warning("could not offer a transcript: %s", type(error).__name__)
        return False
    return True


async def _send_html(
    bot: Bot, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> None:
    from bot.render import split_message

    parts = split_message(text)
    for index, part in enumerate(parts):
        markup = keyboard if index == len(parts) - 1 else None
        await bot.send_message(chat_id, part, parse_mode=ParseMode.HTML, reply_markup=markup)


async def _tell(bot: Bot, chat_id: int, text: str) -> None:
    try:
        await bot.send_message(chat_id, text)
    except TelegramError as error:
        log.warning("could not send a voice notice: %s", type(error).__name__)


async def _tell_with_question(
    bot: Bot, svc: Services, user_ref: str, draft: TelegramDraft, chat_id: int, notice: str
) -> None:
    """A notice and the current question again, in one message."""
    from bot.telegram.keyboards import prompt_html, prompt_keyboard

    prompt = svc.interview(user_ref, draft).current_prompt()
    parts = [html.escape(notice)] if notice else []
    if prompt is not None:
        parts.append(prompt_html(prompt))
    keyboard = prompt_keyboard(prompt, frozenset(draft.toggled)) if prompt else None
    try:
        await _send_html(bot, chat_id, "\n\n".join(parts), keyboard)
    except TelegramError as error:
        log.warning("could not send a voice notice: %s", type(error).__name__)


# --- the buttons under a transcript -------------------------------------------------------------


async def on_voice_button(update: Update, context: Context) -> None:
    """✅ Gebruiken, ✏️ Aanpassen, 🎙️ Opnieuw or ➕ Aanvullen under a transcript."""
    query = update.callback_query
    assert query is not None
    callback = parse_callback(query.data)
    message = query.message
    if callback is None or not isinstance(message, Message):
        await query.answer("Deze knop werkt niet meer.")
        return
    svc = services(context)
    user_ref = user_ref_of(query.from_user.id)
    voice_id, action = callback.key, callback.arg
    async with svc.lock(user_ref):
        try:
            draft, voice = await _pending(svc, user_ref, voice_id)
        except KeyError:
            voice = None
        if voice is None or voice.status != "ready" or voice_id in _in_use:
            await query.answer(NOT_ACTIVE)
            await _drop_buttons(message)
            return
        prompt = svc.interview(user_ref, draft).current_prompt()
        if prompt is None or prompt.key != voice.question:
            draft.voice = None
            await _save(svc, user_ref, draft)
            await query.answer("Deze tekst hoort bij een eerdere vraag.")
            await _drop_buttons(message)
            await send_prompt(message, prompt, frozenset(draft.toggled), ["We zijn nu hier:"])
            return
        if action == USE:
            _in_use.add(voice_id)
        else:
            await _change(svc, user_ref, draft, voice, action, query, message)
            return
    try:
        await query.answer()
        await _mark_used(message, voice)
        await answer_as_typed(update, context, voice.text)
    finally:
        _in_use.discard(voice_id)


async def _change(
    svc: Services,
    user_ref: str,
    draft: TelegramDraft,
    voice: VoiceAnswer,
    action: str,
    query: CallbackQuery,
    message: Message,
) -> None:
    """Aanpassen, Opnieuw, Aanvullen: change the pending answer and say what to do next."""
    if action == EDIT:
        draft.voice = None
        notice = (
            "Typ je antwoord zoals het moet zijn. Tik op de tekst hieronder om hem te "
            f"kopiëren en verbeter hem:\n\n<code>{html.escape(voice.text)}</code>"
        )
    elif action == REDO:
        voice.parts.pop()
        voice.appending = bool(voice.parts)
        if not voice.parts:
            draft.voice = None
        notice = (
            "Spreek het laatste deel opnieuw in; ik zet het achter de rest."
            if voice.parts
            else "Spreek je antwoord opnieuw in, of typ het."
        )
    elif action == ADD and is_free_text(voice.question):
        voice.appending = True
        notice = "Spreek het vervolg in; ik zet het achter de tekst die je al hebt."
    else:
        await query.answer("Deze knop werkt niet meer.")
        return
    await _save(svc, user_ref, draft)
    await query.answer()
    await _drop_buttons(message)
    await send_html(message, notice)


async def _mark_used(message: Message, voice: VoiceAnswer) -> None:
    """Show under the transcript that it was used, and drop its buttons."""
    text = f"{_offer_html(voice)}\n\n➡️ <b>Gebruikt</b>"
    try:
        if len(text) > 4000:
            await message.edit_reply_markup(None)
        else:
            await message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=None)
    except TelegramError as error:
        log.warning("could not mark a transcript as used: %s", type(error).__name__)


async def _drop_buttons(message: Message) -> None:
    with contextlib.suppress(TelegramError):  # already without buttons
        await message.edit_reply_markup(None)


# --- after a restart ----------------------------------------------------------------------------


async def resume_voice_work(application: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """Transcribe recordings left half-way and offer waiting transcripts again; how many."""
    svc: Services = application.bot_data["services"]
    if svc.transcriber is None:
        return 0
    resumed = 0
    for stored in svc.store.drafts_idle_since(svc.clock() + timedelta(days=1)):
        try:
            draft = TelegramDraft.model_validate(stored.state)
        except ValueError:
            continue
        voice = draft.voice
        if voice is None:
            continue
        resumed += 1
        if voice.status == "transcribing":
            application.create_task(_transcribe(application.bot, svc, stored.user_ref, voice))
        else:
            await _offer(application.bot, voice, ["Je spraakbericht van eerder wacht nog op je:"])
    if resumed:
        log.warning("picked up %d voice answer(s) from before the last stop", resumed)
    return resumed

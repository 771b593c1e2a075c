"""Handlers for travellers in private chats: the interview, their reports, /check.

Every message follows the same path: load the draft, let the interview handle the
text, commit the new draft (with the update id, so a redelivered update is not
applied twice), and only then reply.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from telegram import BotCommand, CallbackQuery, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.dialogs import Choice, Interview, Prompt, Reply
from bot.render import render_chat_summary, split_message
from bot.report import Report
from bot.store import DuplicateUpdate, StaleDraft, StoreUnavailable
from bot.telegram.delivery import report_outbox, schedule_flush
from bot.telegram.keyboards import (
    Callback,
    calendar_keyboard,
    parse_callback,
    prompt_html,
    prompt_keyboard,
)
from bot.telegram.services import Services, TelegramDraft, services, user_ref_of

__all__ = [
    "answer_as_typed",
    "on_callback",
    "on_check",
    "on_command",
    "on_edited",
    "on_my_reports",
    "on_other_content",
    "on_start",
    "on_text",
    "send_prompt",
]

log = logging.getLogger(__name__)

#: The command menu for travellers, registered in Dutch with setMyCommands.
TRAVELLER_COMMANDS = [
    BotCommand("start", "Beginnen of verdergaan"),
    BotCommand("nieuw", "Nieuw verslag"),
    BotCommand("terug", "Vorige vraag"),
    BotCommand("overzicht", "Je antwoorden tot nu toe"),
    BotCommand("annuleer", "Dit verslag weggooien"),
    BotCommand("help", "Uitleg"),
    BotCommand("mijnverslagen", "Je verstuurde verslagen"),
    BotCommand("check", "Km en CO2 van een reis berekenen"),
    BotCommand("reis", "Een reis vooraf aanmelden"),
    BotCommand("mijngegevens", "Al je opgeslagen gegevens als bestand"),
    BotCommand("verwijder", "Je gegevens laten verwijderen"),
]

Context = ContextTypes.DEFAULT_TYPE

NO_DRAFT = "Er loopt nu geen verslag. Typ /nieuw om een verslag te beginnen."


async def send_html(message: Message, text: str, **kwargs: Any) -> None:
    """Send HTML text, split at Telegram's limit; keyboards go with the last part."""
    parts = split_message(text)
    for index, part in enumerate(parts):
        extra = kwargs if index == len(parts) - 1 else {}
        await message.get_bot().send_message(
            message.chat_id, part, parse_mode=ParseMode.HTML, **extra
        )


async def send_prompt(
    message: Message,
    prompt: Prompt | None,
    toggled: frozenset[str] = frozenset(),
    notices: Sequence[str] = (),
) -> None:
    """Show a question with its buttons, any notices (errors, confirmations) on top of it,
    all in one message: less clutter on a phone, one request instead of several."""
    parts = [html.escape(notice) for notice in notices]
    if prompt is not None:
        parts.append(prompt_html(prompt))
    if not parts:
        return
    keyboard = prompt_keyboard(prompt, toggled) if prompt is not None else None
    await send_html(message, "\n\n".join(parts), reply_markup=keyboard)


async def _send_reply(message: Message, reply: Reply, draft: TelegramDraft | None) -> None:
    toggled = frozenset(draft.toggled) if draft else frozenset()
    await send_prompt(message, reply.prompt, toggled, reply.messages)


async def _commit(
    svc: Services, user_ref: str, draft: TelegramDraft, interview: Interview, update_id: int | None
) -> None:
    draft.interview = interview.state_data()
    await svc.save_draft(user_ref, draft, update_id)


async def _run(update: Update, context: Context, text: str, *, new: bool = False) -> None:
    """Hand `text` to the traveller's interview, commit, then reply."""
    svc = services(context)
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    async with svc.lock(user_ref_of(user.id)):
        await _handle(svc, update, message, user, text, new)


async def _handle(
    svc: Services, update: Update, message: Message, user: User, text: str, new: bool = False
) -> None:
    """`_run` for a caller that holds the traveller's lock already."""
    user_ref = user_ref_of(user.id)
    try:
        try:
            await _run_locked(svc, update, message, user, text, new)
        except StaleDraft:
            # Another process changed the draft since this one cached it: nothing was saved
            # or sent, and the cached copy is gone, so this reads the stored draft.
            log.info("draft of update %s changed elsewhere; handling it again", update.update_id)
            await _run_locked(svc, update, message, user, text, new)
    except DuplicateUpdate:
        log.info("update %s was handled before; showing the current question", update.update_id)
        draft = await svc.load_draft(user_ref)
        if draft is not None:
            await send_prompt(message, svc.interview(user_ref, draft).current_prompt())
    except StoreUnavailable as error:
        await message.get_bot().send_message(message.chat_id, error.message)


async def _run_locked(
    svc: Services, update: Update, message: Message, user: User, text: str, new: bool
) -> None:
    user_ref = user_ref_of(user.id)
    draft = await svc.load_draft(user_ref)
    if draft is None:
        if not new:
            await message.get_bot().send_message(message.chat_id, NO_DRAFT)
            return
        draft = TelegramDraft()
        interview = svc.interview(user_ref, draft)
        reply = interview.start()
        await _commit(svc, user_ref, draft, interview, update.update_id)
        await _send_reply(message, reply, draft)
        return
    interview = svc.interview(user_ref, draft)
    previous = interview.state
    if not new:
        draft.voice = None  # an answer (typed, tapped or a used transcript) ends a pending one
    reply = interview.start() if new else interview.handle(text)
    if interview.state != previous:
        draft.toggled = []
        draft.calendar_start = None
    if reply.report is not None:
        await _finish(svc, update, message, user, reply, draft)
        return
    if reply.cancelled:
        await svc.delete_draft(user_ref)
        reply.messages.append("Typ /nieuw om een nieuw verslag te beginnen.")
        await _send_reply(message, reply, None)
        return
    await _commit(svc, user_ref, draft, interview, update.update_id)
    await _send_reply(message, reply, draft)


async def _finish(
    svc: Services, update: Update, message: Message, user: User, reply: Reply, draft: TelegramDraft
) -> None:
    """Store the report, drop the draft and queue the deliveries in one transaction."""
    report = reply.report
    assert report is not None
    user_ref = user_ref_of(user.id)
    try:
        first = await svc.telegram.off_loop(
            svc.store.finish_report,
            user_ref,
            report,
            report_outbox(report, message.chat_id, svc.settings),
            svc.clock(),
            trip_id=draft.trip_id,
            draft=svc.drafts.version(user_ref),
        )
    finally:
        svc.drafts.drop(user_ref)
    svc.save_profile(report.traveller, telegram_user_id=user.id, chat_id=message.chat_id)
    if not first:
        await message.get_bot().send_message(message.chat_id, "Dit verslag is al verstuurd.")
        return
    for text in reply.messages:
        await send_html(message, html.escape(text))
    for part in render_chat_summary(report):
        await message.get_bot().send_message(message.chat_id, part, parse_mode=ParseMode.HTML)
    schedule_flush(svc)


# --- commands and messages ---------------------------------------------------------------------


async def on_start(update: Update, context: Context) -> None:
    """/start: welcome, and start or resume the interview."""
    await _run(update, context, "", new=True)


async def on_new(update: Update, context: Context) -> None:
    """/nieuw: a new report; an unfinished one is only dropped after confirmation."""
    svc = services(context)
    user = update.effective_user
    assert user is not None
    if await svc.load_draft(user_ref_of(user.id)) is None:
        await _run(update, context, "", new=True)
    else:
        await _run(update, context, "opnieuw")


async def on_command(update: Update, context: Context) -> None:
    """/terug, /overzicht, /annuleer, /help, /overslaan: the interview's own commands."""
    message = update.effective_message
    assert message is not None and message.text is not None
    command = message.text.split()[0].lstrip("/").split("@")[0].lower()
    if command == "help" and await _has_no_draft(update, context):
        await message.reply_text(_general_help())
        return
    await _run(update, context, command)


async def _has_no_draft(update: Update, context: Context) -> bool:
    """Whether the user has no draft."""
    user = update.effective_user
    return user is None or await services(context).load_draft(user_ref_of(user.id)) is None


def _general_help() -> str:
    lines = ["Deze bot maakt met je het verslag van een buitenlandse dienstreis."]
    lines += [f"/{c.command}: {c.description}" for c in TRAVELLER_COMMANDS]
    return "\n".join(lines)


async def on_text(update: Update, context: Context) -> None:
    """A typed answer."""
    message = update.effective_message
    assert message is not None and message.text is not None
    await _run(update, context, message.text)


async def answer_as_typed(update: Update, context: Context, text: str) -> None:
    """Hand `text` to the interview exactly as if the traveller typed it (a used transcript)."""
    await _run(update, context, text)


async def on_other_content(update: Update, context: Context) -> None:
    """Photos, stickers, files, locations: say what works and show the question again."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    svc = services(context)
    notice = (
        "Ik kan alleen tekst en spraakberichten verwerken. Typ of spreek je antwoord, of kies "
        "een knop."
        if svc.transcriber is not None
        else "Ik kan alleen tekst lezen. Typ je antwoord of kies een knop."
    )
    draft = await svc.load_draft(user_ref_of(user.id))
    prompt = svc.interview(user_ref_of(user.id), draft).current_prompt() if draft else None
    await send_prompt(message, prompt, notices=[notice])


async def on_edited(update: Update, context: Context) -> None:
    """An edited message is not an answer: the original was used already."""
    message = update.edited_message
    if message is None:
        return
    await message.reply_text(
        "Je hebt een bericht aangepast. Ik heb het oorspronkelijke antwoord al verwerkt; "
        "wil je het wijzigen, typ dan ‘terug’ of kies in het overzicht ‘wijzig’."
    )


# --- buttons -----------------------------------------------------------------------------------


async def on_callback(update: Update, context: Context) -> None:
    """A button of an interview question: answer, toggle, calendar."""
    query = update.callback_query
    assert query is not None and query.from_user is not None
    callback = parse_callback(query.data)
    message = query.message
    if callback is None or not isinstance(message, Message):
        await query.answer("Deze knop werkt niet meer.")
        return
    svc = services(context)
    user_ref = user_ref_of(query.from_user.id)
    # Check and apply under one lock: a double tap waits here and then finds the press done.
    async with svc.lock(user_ref):
        if svc.was_answered(message.chat_id, message.message_id):
            await query.answer("Dit antwoord is al verwerkt.")
            return
        draft = await svc.load_draft(user_ref)
        if draft is None:
            await query.answer("Dit verslag is afgerond of weggegooid.")
            await edit_markup(message, None)
            return
        interview = svc.interview(user_ref, draft)
        prompt = interview.current_prompt()
        if prompt is None or prompt.key != callback.key:
            await query.answer("Deze knop hoort bij een eerdere vraag.")
            await send_prompt(message, prompt, frozenset(draft.toggled), ["We zijn nu hier:"])
            return
        press = _Press(svc, query, message, callback, prompt, draft, user_ref)
        text = await _button_text(press)
        if text is not None:
            svc.mark_answered(message.chat_id, message.message_id)
            await _handle(svc, update, message, query.from_user, text)


async def edit_markup(message: Message, markup: InlineKeyboardMarkup | None) -> None:
    """Change a message's buttons; the same buttons again (a double tap) is not an error."""
    try:
        await message.edit_reply_markup(markup)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


@dataclass
class _Press:
    """A button press on the current question, with what handling it needs."""

    svc: Services
    query: CallbackQuery
    message: Message
    callback: Callback
    prompt: Prompt
    draft: TelegramDraft
    user_ref: str

    async def save(self) -> None:
        """Keep the keyboard's state (toggles, calendar) with the draft."""
        await self.svc.save_draft(self.user_ref, self.draft)

    def choice_at(self, arg: str) -> Choice | None:
        """The offered choice an index argument names, if any."""
        choices = self.prompt.choices
        return choices[int(arg)] if arg.isdigit() and int(arg) < len(choices) else None


async def _button_text(press: _Press) -> str | None:
    """What a button press means as a message; None when it only changed the keyboard."""
    action, query = press.callback.action, press.query
    choice = press.choice_at(press.callback.arg)
    if action == "a" and choice is not None:
        await query.answer()
        await _show_choice(press.message, press.prompt, choice.label)
        return choice.value
    if action == "m":
        return await _toggle(press)
    if action == "c":
        return await _calendar(press)
    await query.answer("Deze knop werkt niet meer.")
    return None


async def _show_choice(message: Message, prompt: Prompt, label: str) -> None:
    """Edit the question to show the choice made and drop its buttons."""
    text = f"{prompt_html(prompt)}\n\n➡️ <b>{html.escape(label)}</b>"
    if len(text) > 4000:
        await edit_markup(message, None)
        return
    try:
        await message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=None)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


async def _toggle(press: _Press) -> str | None:
    """Toggle one option of a multi-choice, or send the toggled ones with ‘Klaar’."""
    query, draft, prompt = press.query, press.draft, press.prompt
    if press.callback.arg == "ok":
        if not draft.toggled:
            await query.answer("Kies eerst minstens één vervoermiddel.", show_alert=True)
            return None
        await query.answer()
        chosen = [c for c in prompt.choices if c.value in draft.toggled]
        await _show_choice(press.message, prompt, ", ".join(c.label for c in chosen))
        return ", ".join(c.value for c in chosen)
    arg = press.callback.arg
    choice = press.choice_at(arg.rstrip("+-"))
    if choice is None:
        await query.answer("Deze knop werkt niet meer.")
        return None
    toggled = [v for v in draft.toggled if v != choice.value]
    tick = arg.endswith("+") or (not arg.endswith("-") and choice.value not in draft.toggled)
    draft.toggled = [*toggled, choice.value] if tick else toggled
    await press.save()
    await query.answer()
    await edit_markup(press.message, prompt_keyboard(prompt, frozenset(draft.toggled)))
    return None


async def _calendar(press: _Press) -> str | None:
    """Month navigation, then departure and return day picked in the calendar."""
    query, draft, key, arg = press.query, press.draft, press.prompt.key, press.callback.arg
    today = press.svc.clock().date()
    if arg == "noop":
        await query.answer()
        return None
    if arg == "open" or arg.startswith("m"):
        shown = draft.calendar_start or today
        year, month = (
            (int(x) for x in arg[1:].split("-"))
            if arg.startswith("m")
            else (shown.year, shown.month)
        )
        await query.answer()
        await edit_markup(
            press.message, calendar_keyboard(key, year, month, draft.calendar_start, today)
        )
        return None
    try:
        picked = date.fromisoformat(arg[1:])
    except ValueError:
        await query.answer("Deze knop werkt niet meer.")
        return None
    start = draft.calendar_start
    if arg.startswith("d") or start is None or picked < start:
        draft.calendar_start = picked
        await press.save()
        await query.answer(f"Vertrek {picked:%d-%m-%Y}. Tik nu de dag van terugkomst.")
        await edit_markup(
            press.message, calendar_keyboard(key, picked.year, picked.month, picked, today)
        )
        return None
    await query.answer()
    text = f"{start:%d-%m-%Y} t/m {picked:%d-%m-%Y}"
    await _show_choice(press.message, press.prompt, text)
    return text


# --- own reports and /check ----------------------------------------------------------------------


async def on_my_reports(update: Update, context: Context) -> None:
    """/mijnverslagen: the traveller's finished reports, each with a button to get it again."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    svc = services(context)
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    reports = svc.store.reports_for(user_ref_of(user.id))
    if not reports:
        await message.reply_text("Je hebt nog geen verslagen verstuurd.")
        return
    buttons = [
        [InlineKeyboardButton(_report_label(r), callback_data=f"r|{r.report_id}|mine")]
        for r in reports[:20]
    ]
    await message.reply_text(
        "Je verslagen. Tik er één aan om de documenten opnieuw te krijgen:",
        reply_markup=InlineKeyboardMarkup(buttons),
    )


def _report_label(report: Report) -> str:
    return f"{report.destination_label}, {report.period.departure:%d-%m-%Y}"


async def on_check(update: Update, context: Context) -> None:
    """/check Wenen [trein|auto|…]: km, CO2 and the 8-hour rule for a planned trip."""
    from bot.dialogs import NeedsChoice
    from bot.report import TransportMode
    from bot.travel import check_trip
    from bot.travel.check import choice_text

    svc = services(context)
    message = update.effective_message
    assert message is not None
    words = context.args or []
    modes = {m.value: m for m in TransportMode}
    mode = next((modes[w.lower()] for w in words if w.lower() in modes), TransportMode.VLIEGTUIG)
    place = " ".join(w for w in words if w.lower() not in modes)
    if not place:
        await message.reply_text(
            "Typ de bestemming achter /check, bijvoorbeeld: /check Wenen of /check Parijs trein"
        )
        return
    try:
        result = check_trip(svc.trip, to=place, origin=None, mode=mode, one_way=False, persons=1)
    except NeedsChoice as choice:
        await message.reply_text(choice_text(choice, lambda to: f"/check {to}"))
        return
    except ValueError as error:
        await message.reply_text(str(error))
        return
    await message.reply_text(result.explain())


async def on_report_button(update: Update, context: Context) -> None:
    """A report from /mijnverslagen was tapped: send its documents again (own reports only)."""
    from bot.store import OutboxItem
    from bot.telegram.delivery import DOCUMENT

    svc = services(context)
    query = update.callback_query
    assert query is not None
    callback = parse_callback(query.data)
    chat = update.effective_chat
    if callback is None or chat is None:
        await query.answer("Deze knop werkt niet meer.")
        return
    report = svc.store.get_report(callback.key)
    allowed = report is not None and (
        report.traveller.user_ref == user_ref_of(query.from_user.id) or svc.is_secretariat(chat.id)
    )
    if report is None or not allowed:
        await query.answer("Dit verslag kan ik je niet sturen.", show_alert=True)
        return
    await query.answer("De documenten komen eraan.")
    stamp = f"{svc.clock():%Y%m%d%H%M%S}:{update.update_id}"
    svc.store.enqueue(
        [
            OutboxItem(
                DOCUMENT,
                f"{report.report_id}:resend:{chat.id}:{fmt}:{stamp}",
                {"chat_id": chat.id, "report_id": report.report_id, "format": fmt},
            )
            for fmt in ("docx", "pdf")
        ],
        svc.clock(),
    )
    schedule_flush(svc)


async def on_unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not know."""
    message = update.effective_message
    assert message is not None
    await message.reply_text("Dat commando ken ik niet. Typ /help voor wat wel kan.")

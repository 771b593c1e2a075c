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

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.dialogs import Choice, Interview, Prompt, Reply
from bot.dialogs.labels import MODE_NAMES
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, t, translate
from bot.render import render_chat_summary
from bot.report import Report
from bot.store import DuplicateUpdate, StaleDraft, StoreUnavailable
from bot.telegram.buttons import STALE_BUTTON, button_press
from bot.telegram.delivery import TelegramChannel, schedule_flush
from bot.telegram.keyboards import (
    Callback,
    calendar_keyboard,
    prompt_html,
    prompt_keyboard,
    prompt_keyboard_json,
)
from bot.telegram.sending import post_message, send_html
from bot.telegram.services import Services, TelegramDraft, services, user_ref_of

__all__ = [
    "answer_as_typed",
    "on_callback",
    "on_check",
    "on_command",
    "on_edited",
    "on_language",
    "on_language_button",
    "on_my_reports",
    "on_other_content",
    "on_start",
    "on_text",
    "send_prompt",
]

log = logging.getLogger(__name__)

#: The traveller's command menu: (Dutch command, English alias, description msgid). Each
#: language's menu is registered with setMyCommands' language_code; both names always work.
COMMAND_MENU: list[tuple[str, str, str]] = [
    ("start", "start", N_("Beginnen of verdergaan")),
    ("nieuw", "new", N_("Nieuw verslag")),
    ("terug", "back", N_("Vorige vraag")),
    ("overzicht", "review", N_("Je antwoorden tot nu toe")),
    ("annuleer", "cancel", N_("Dit verslag weggooien")),
    ("help", "help", N_("Uitleg")),
    ("mijnverslagen", "myreports", N_("Je verstuurde verslagen")),
    ("check", "check", N_("Km en CO2 van een reis berekenen")),
    ("reis", "reis", N_("Een reis vooraf aanmelden")),
    ("mijngegevens", "mijngegevens", N_("Al je opgeslagen gegevens als bestand")),
    ("verwijder", "verwijder", N_("Je gegevens laten verwijderen")),
    ("taal", "language", N_("Taal: Nederlands of English")),
]
#: English command names that do what their Dutch command does.
ENGLISH_ALIASES: dict[str, str] = {
    english: dutch for dutch, english, _ in COMMAND_MENU if english != dutch
} | {"skip": "overslaan"}


def traveller_commands(language: str = DEFAULT_LANGUAGE) -> list[BotCommand]:
    """The command menu in `language` (English command names in the English menu)."""
    return [
        BotCommand(dutch if language == DEFAULT_LANGUAGE else english, t(language, description))
        for dutch, english, description in COMMAND_MENU
    ]


#: The command menu for travellers, registered in Dutch with setMyCommands.
TRAVELLER_COMMANDS = traveller_commands()

Context = ContextTypes.DEFAULT_TYPE

NO_DRAFT = N_("Er loopt nu geen verslag. Typ /nieuw om een verslag te beginnen.")


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
    keyboard = prompt_keyboard_json(prompt, toggled) if prompt is not None else None
    await send_html(message, "\n\n".join(parts), reply_markup=keyboard)


async def _send_reply(message: Message, reply: Reply, draft: TelegramDraft | None) -> None:
    toggled = frozenset(draft.toggled) if draft else frozenset()
    await send_prompt(message, reply.prompt, toggled, reply.messages)


async def _commit(
    svc: Services, user_ref: str, draft: TelegramDraft, interview: Interview, update_id: int | None
) -> None:
    draft.interview = interview.state_data()
    await svc.save_draft(user_ref, draft, update_id=update_id)


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
            await send_prompt(message, (await svc.interview(user_ref, draft)).current_prompt())
    except StoreUnavailable as error:
        await message.get_bot().send_message(
            message.chat_id, t(await svc.language_of(user), error.message)
        )


async def _run_locked(
    svc: Services, update: Update, message: Message, user: User, text: str, new: bool
) -> None:
    user_ref = user_ref_of(user.id)
    draft = await svc.load_draft(user_ref)
    if draft is None:
        if not new:
            await message.get_bot().send_message(
                message.chat_id, t(await svc.language_of(user), NO_DRAFT)
            )
            return
        draft = TelegramDraft()
        draft.interview.language = await svc.language_of(user)
        interview = await svc.interview(user_ref, draft)
        reply = interview.start()
        await _commit(svc, user_ref, draft, interview, update.update_id)
        await _send_reply(message, reply, draft)
        return
    draft.interview.language = await svc.language_of(user)
    interview = await svc.interview(user_ref, draft)
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
        reply.messages.append(
            t(interview.language, N_("Typ /nieuw om een nieuw verslag te beginnen."))
        )
        await _send_reply(message, reply, None)
        return
    await _commit(svc, user_ref, draft, interview, update.update_id)
    await _send_reply(message, reply, draft)


async def _finish(
    svc: Services, update: Update, message: Message, user: User, reply: Reply, draft: TelegramDraft
) -> None:
    """The finish use case: report stored, draft dropped, deliveries queued, trip closed."""
    report = reply.report
    assert report is not None
    user_ref = user_ref_of(user.id)
    try:
        first = await svc.service.finish(
            user_ref,
            report,
            TelegramChannel(message.chat_id),
            trip_id=draft.trip_id,
            telegram_user_id=user.id,
            chat_id=message.chat_id,
            draft=svc.drafts.version(user_ref),
            within=svc.telegram.strike_within(update.update_id),
        )
        svc.telegram.struck(update.update_id)
    finally:
        svc.drafts.drop(user_ref)
    svc.remember_profile(report.traveller)
    if not first:
        await message.get_bot().send_message(
            message.chat_id, t(await svc.language_of(user), N_("Dit verslag is al verstuurd."))
        )
        return
    for text in reply.messages:
        await send_html(message, html.escape(text))
    language = await svc.language_of(user)
    if language != DEFAULT_LANGUAGE:
        # The summary below is the official form, which stays Dutch with the answers as typed.
        note = N_("Hieronder je verslag zoals het naar het secretariaat gaat.")
        await send_html(message, html.escape(t(language, note)))
    for part in render_chat_summary(report):  # parts within Telegram's limit already
        await post_message(message.get_bot(), message.chat_id, part, parse_mode=ParseMode.HTML)
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
    command = ENGLISH_ALIASES.get(command, command)
    if command == "help" and await _has_no_draft(update, context):
        await message.reply_text(
            _general_help(await services(context).language_of(update.effective_user))
        )
        return
    await _run(update, context, command)


async def _has_no_draft(update: Update, context: Context) -> bool:
    """Whether the user has no draft."""
    user = update.effective_user
    return user is None or await services(context).load_draft(user_ref_of(user.id)) is None


def _general_help(language: str) -> str:
    lines = [t(language, N_("Deze bot maakt met je het verslag van een buitenlandse dienstreis."))]
    lines += [f"/{c.command}: {c.description}" for c in traveller_commands(language)]
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
    notice = t(
        await svc.language_of(user),
        N_(
            "Ik kan alleen tekst en spraakberichten verwerken. Typ of spreek je antwoord, of "
            "kies een knop."
        )
        if svc.transcriber is not None
        else N_("Ik kan alleen tekst lezen. Typ je antwoord of kies een knop."),
    )
    draft = await svc.load_draft(user_ref_of(user.id))
    prompt = (await svc.interview(user_ref_of(user.id), draft)).current_prompt() if draft else None
    await send_prompt(message, prompt, notices=[notice])


async def on_edited(update: Update, context: Context) -> None:
    """An edited message is not an answer: the original was used already."""
    message = update.edited_message
    if message is None:
        return
    await message.reply_text(
        t(
            await services(context).language_of(update.effective_user),
            N_(
                "Je hebt een bericht aangepast. Ik heb het oorspronkelijke antwoord al "
                "verwerkt; wil je het wijzigen, typ dan ‘terug’ of kies in het overzicht "
                "‘wijzig’."
            ),
        )
    )


# --- buttons -----------------------------------------------------------------------------------


async def on_callback(update: Update, context: Context) -> None:
    """A button of an interview question: answer, toggle, calendar."""
    svc = services(context)
    language = await svc.language_of(update.effective_user)
    press = await button_press(update, language)
    if press is None or press.message is None:
        return
    query, callback, message, user_ref = press.query, press.callback, press.message, press.user_ref
    # Check and apply under one lock: a double tap waits here and then finds the press done.
    async with svc.lock(user_ref):
        if svc.was_answered(message.chat_id, message.message_id):
            await query.answer(t(language, N_("Dit antwoord is al verwerkt.")))
            return
        draft = await svc.load_draft(user_ref)
        if draft is None:
            await query.answer(t(language, N_("Dit verslag is afgerond of weggegooid.")))
            await edit_markup(message, None)
            return
        interview = await svc.interview(user_ref, draft)
        prompt = interview.current_prompt()
        if prompt is None or prompt.key != callback.key:
            await query.answer(t(language, N_("Deze knop hoort bij een eerdere vraag.")))
            await send_prompt(
                message, prompt, frozenset(draft.toggled), [t(language, N_("We zijn nu hier:"))]
            )
            return
        text = await _button_text(
            _Press(svc, query, message, callback, prompt, draft, user_ref, language)
        )
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
    language: str = DEFAULT_LANGUAGE

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
    await query.answer(t(press.language, STALE_BUTTON))
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
            await query.answer(
                t(press.language, N_("Kies eerst minstens één vervoermiddel.")), show_alert=True
            )
            return None
        await query.answer()
        chosen = [c for c in prompt.choices if c.value in draft.toggled]
        await _show_choice(press.message, prompt, ", ".join(c.label for c in chosen))
        return ", ".join(c.value for c in chosen)
    arg = press.callback.arg
    choice = press.choice_at(arg.rstrip("+-"))
    if choice is None:
        await query.answer(t(press.language, STALE_BUTTON))
        return None
    toggled = [v for v in draft.toggled if v != choice.value]
    tick = arg.endswith("+") or (not arg.endswith("-") and choice.value not in draft.toggled)
    draft.toggled = [*toggled, choice.value] if tick else toggled
    await press.save()
    await query.answer()
    await edit_markup(
        press.message, prompt_keyboard(prompt, frozenset(draft.toggled), press.language)
    )
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
            press.message,
            calendar_keyboard(key, year, month, draft.calendar_start, today, press.language),
        )
        return None
    try:
        picked = date.fromisoformat(arg[1:])
    except ValueError:
        await query.answer(t(press.language, STALE_BUTTON))
        return None
    start = draft.calendar_start
    if arg.startswith("d") or start is None or picked < start:
        draft.calendar_start = picked
        await press.save()
        await query.answer(
            t(
                press.language,
                N_("Vertrek {date}. Tik nu de dag van terugkomst."),
                date=f"{picked:%d-%m-%Y}",
            )
        )
        await edit_markup(
            press.message,
            calendar_keyboard(key, picked.year, picked.month, picked, today, press.language),
        )
        return None
    await query.answer()
    text = f"{start:%d-%m-%Y} t/m {picked:%d-%m-%Y}"
    await _show_choice(press.message, press.prompt, text)
    return text


# --- own reports and /check ----------------------------------------------------------------------


async def on_my_reports(update: Update, context: Context) -> None:
    """/mijnverslagen: the traveller's finished reports, each with a button to get it again."""

    svc = services(context)
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    reports = await svc.service.query(svc.store.reports.of_traveller, user_ref_of(user.id))
    language = await svc.language_of(user)
    if not reports:
        await message.reply_text(t(language, N_("Je hebt nog geen verslagen verstuurd.")))
        return
    buttons = [
        [InlineKeyboardButton(_report_label(r), callback_data=f"r|{r.report_id}|mine")]
        for r in reports[:20]
    ]
    await message.reply_text(
        t(language, N_("Je verslagen. Tik er één aan om de documenten opnieuw te krijgen:")),
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
    language = await svc.language_of(update.effective_user)
    # The codes ('trein') and the mode's name in the traveller's language ('train').
    modes = {m.value: m for m in TransportMode}
    modes |= {t(language, name).lower(): m for m, name in MODE_NAMES.items()}
    mode = next((modes[w.lower()] for w in words if w.lower() in modes), TransportMode.VLIEGTUIG)
    place = " ".join(w for w in words if w.lower() not in modes)
    if not place:
        await message.reply_text(
            t(
                language,
                N_(
                    "Typ de bestemming achter /check, bijvoorbeeld: /check Wenen of "
                    "/check Parijs trein"
                ),
            )
        )
        return
    try:
        result = check_trip(svc.trip, to=place, origin=None, mode=mode, one_way=False, persons=1)
    except NeedsChoice as choice:
        await message.reply_text(choice_text(choice, lambda to: f"/check {to}", language))
        return
    except ValueError as error:
        said = error.args[0] if len(error.args) == 1 and isinstance(error.args[0], str) else ""
        await message.reply_text(translate(language, said or str(error)))
        return
    await message.reply_text(result.explain(language))


async def on_report_button(update: Update, context: Context) -> None:
    """A report from /mijnverslagen was tapped: send its documents again (own reports only)."""
    svc = services(context)
    language = await svc.language_of(update.effective_user)
    press = await button_press(update, language, needs_message=False)
    chat = update.effective_chat
    if press is None:
        return
    if chat is None:
        await press.stale()
        return
    query = press.query
    report = await svc.service.resend(
        press.callback.key,
        chat.id,
        press.user_ref,
        stamp=f"{svc.clock():%Y%m%d%H%M%S}:{update.update_id}",
        secretariat=svc.is_secretariat(chat.id),
    )
    if report is None:
        await query.answer(t(language, N_("Dit verslag kan ik je niet sturen.")), show_alert=True)
        return
    await query.answer(t(language, N_("De documenten komen eraan.")))
    schedule_flush(svc)


# --- language ------------------------------------------------------------------------------------

#: The languages offered by /taal and /language, each named in its own language.
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}
LANGUAGE_WORDS = {
    "nl": "nl",
    "nederlands": "nl",
    "dutch": "nl",
    "en": "en",
    "engels": "en",
    "english": "en",
}


async def on_language(update: Update, context: Context) -> None:
    """/taal en, /taal nl, /language: switch the chat's language (buttons without a choice)."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    svc = services(context)
    wanted = LANGUAGE_WORDS.get(" ".join(context.args or []).strip().lower())
    if wanted is None:
        buttons = [
            InlineKeyboardButton(name, callback_data=f"lang|{user.id}|{code}")
            for code, name in LANGUAGE_NAMES.items()
        ]
        await message.reply_text(
            t(await svc.language_of(user), N_("In welke taal wil je de vragen? Kies hieronder.")),
            reply_markup=InlineKeyboardMarkup([buttons]),
        )
        return
    await _switch_language(update, context, wanted)


async def on_language_button(update: Update, context: Context) -> None:
    """A language button of /taal or /language."""
    language = await services(context).language_of(update.effective_user)
    press = await button_press(update, language, needs_message=False, owner_in_key=True)
    if press is None:
        return
    if press.callback.arg not in LANGUAGES:
        await press.stale()
        return
    await press.query.answer()
    if press.message is not None:
        await edit_markup(press.message, None)
    await _switch_language(update, context, press.callback.arg)


async def _switch_language(update: Update, context: Context, language: str) -> None:
    """Store the choice, show this chat's menu in it, and ask the current question again."""
    svc = services(context)
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    user_ref = user_ref_of(user.id)
    async with svc.lock(user_ref):
        await svc.set_language(user_ref, language)
        draft = await svc.load_draft(user_ref)
        prompt = None
        if draft is not None:
            draft.interview.language = language
            await svc.save_draft(user_ref, draft)
            prompt = (await svc.interview(user_ref, draft)).current_prompt()
    await context.bot.set_my_commands(
        traveller_commands(language), scope=BotCommandScopeChat(chat.id)
    )
    done = t(
        language,
        N_("Ik praat nu Nederlands met je. Typ /language for English."),
    )
    if prompt is None:
        done += "\n" + t(language, N_("Typ /nieuw om een verslag te beginnen."))
    message = update.effective_message
    assert message is not None
    await send_prompt(message, prompt, frozenset(draft.toggled if draft else ()), [done])


async def on_unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not know."""
    message = update.effective_message
    assert message is not None
    await message.reply_text(
        t(
            await services(context).language_of(update.effective_user),
            N_("Dat commando ken ik niet. Typ /help voor wat wel kan."),
        )
    )

"""The interview: takes one message, returns what to say next. No I/O, no channel.

Adapters (Telegram, console, tests) create an `Interview` from a stored
`InterviewState`, call `start()` or `handle(text)`, show the `Reply`, and store
`interview.state_data()` again. The state is plain JSON-able data.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from bot.dialogs import parsers
from bot.dialogs.errors import Choice, Doubtful, NeedsChoice, TooLong
from bot.dialogs.machine import CONFIRM, DONE, REVIEW, fire
from bot.dialogs.ports import TripCalculator
from bot.dialogs.questions import (
    QUESTIONNAIRE,
    QUESTIONS,
    Context,
    Kind,
    Question,
    Questionnaire,
    RouteChecks,
)
from bot.i18n import DEFAULT_LANGUAGE, N_, msg, translate
from bot.report import FormAnswer, Leg, Report, TransportMode, Traveller

if TYPE_CHECKING:
    from transitions import EventData

__all__ = ["COMMANDS", "Interview", "InterviewState", "Prompt", "Reply", "prefilled_state"]

UNCHANGED = "ongewijzigd"
DOUBT_YES = "ja, dat klopt"
DOUBT_NO = "nee, ik pas het aan"
SEND = "versturen"
EDIT_PREFIX = "wijzig:"

#: Words understood at every question, with what they do (shown by `help`).
#: Keys are the command codes; shown in the traveller's language (the catalogue has both).
COMMANDS: dict[str, str] = {
    N_("terug"): N_("naar de vorige vraag"),
    N_("overslaan"): N_("een vraag overslaan (alleen waar dat mag)"),
    N_("overzicht"): N_("alle antwoorden tot nu toe"),
    N_("opnieuw"): N_("helemaal opnieuw beginnen"),
    N_("annuleer"): N_("dit verslag weggooien"),
    N_("help"): N_("uitleg bij de vraag"),
}
_ALIASES = {
    "terug": "terug",
    "vorige": "terug",
    "overslaan": "overslaan",
    "sla over": "overslaan",
    "overzicht": "overzicht",
    "opnieuw": "opnieuw",
    "annuleer": "annuleer",
    "annuleren": "annuleer",
    "stop": "annuleer",
    "help": "help",
    "hulp": "help",
    "?": "help",
    # English words for the same commands (the catalogue shows these to English travellers)
    "back": "terug",
    "previous": "terug",
    "skip": "overslaan",
    "overview": "overzicht",
    "summary": "overzicht",
    "start over": "opnieuw",
    "restart": "opnieuw",
    "cancel": "annuleer",
}


class InterviewState(BaseModel):
    """Everything needed to resume an interview exactly where it was."""

    version: Literal[1] = 1
    draft_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    current: str = QUESTIONS[0].key
    answers: dict[str, Any] = Field(default_factory=dict)
    history: list[str] = Field(default_factory=list)
    offered: list[tuple[str, str]] = Field(default_factory=list)
    offered_message: str | None = None
    doubt: str | None = None
    #: The question whose last answer was refused as too long, and how that answer began.
    too_long: tuple[str, str] | None = None
    pending: Literal["opnieuw", "annuleer"] | None = None
    started: bool = False
    #: The traveller's language ('nl' or 'en'): prompts come from its catalogue, answers in it
    #: are understood. Set by the adapter from the traveller's choice.
    language: str = DEFAULT_LANGUAGE


@dataclass
class Prompt:
    """A question as shown to the traveller."""

    key: str
    text: str
    kind: Kind
    choices: list[Choice] = field(default_factory=list)
    progress: str | None = None
    optional: bool = False
    current_answer: str | None = None
    numeric: bool = False  # a typed number is an answer ('2' hours), not an option's number
    language: str = DEFAULT_LANGUAGE  # the language of the texts, for the adapter's own words


@dataclass
class Reply:
    """What to say next: notices first, then the question (if any)."""

    messages: list[str] = field(default_factory=list)
    prompt: Prompt | None = None
    report: Report | None = None
    cancelled: bool = False


class Interview:
    """One traveller's interview. Bound to the shared state machine only while handling."""

    def __init__(
        self,
        trip: TripCalculator,
        now: datetime,
        *,
        state: InterviewState | None = None,
        profile: Traveller | None = None,
        user_ref: str = "",
        questions: Questionnaire = QUESTIONNAIRE,
        language: Literal["nl", "en"] | None = None,
    ) -> None:
        self.questions = questions
        self._trip = trip
        self._now = now
        self._profile = profile
        self._user_ref = user_ref
        self._data = state or InterviewState()
        if language is not None:
            self._data.language = language
        self.answers: dict[str, Any] = {
            key: questions.adapters[key].validate_python(value)
            for key, value in self._data.answers.items()
        }
        #: Each answer as read, with its stored form: kept as stored while it is not replaced.
        self._read: dict[str, tuple[Any, Any]] = {
            key: (self.answers[key], value) for key, value in self._data.answers.items()
        }
        self.state: str = self._data.current
        self._route_checks = RouteChecks()

    @property
    def language(self) -> str:
        """The language the traveller reads and answers in."""
        return self._data.language

    @language.setter
    def language(self, language: str) -> None:
        self._data.language = language

    def _t(self, text: str) -> str:
        """A message or msgid in the traveller's language."""
        return translate(self._data.language, text)

    # --- state as data -------------------------------------------------------------------

    def state_data(self) -> InterviewState:
        """The interview as plain data, for storing."""
        return self._data.model_copy(
            update={
                "current": self.state,
                "answers": {key: self._stored(key, value) for key, value in self.answers.items()},
            }
        )

    def _stored(self, key: str, value: Any) -> Any:
        """An answer as JSON-able data: as it was stored when it is the very value read from
        there (answers are replaced, never changed in place), else written afresh."""
        read = self._read.get(key)
        if read is not None and read[0] is value:
            return read[1]
        return self.questions.adapters[key].dump_python(value, mode="json")

    @property
    def finished(self) -> bool:
        """The report was confirmed."""
        return self.state == DONE

    # --- what the machine asks -----------------------------------------------------------

    def context(self, confirmed: bool = False) -> Context:
        """The answers so far with the ports, for conditions, prompts and parsers."""
        return Context(
            answers=self.answers,
            trip=self._trip,
            today=self._now.date(),
            profile=self._profile,
            confirmed=confirmed,
            language=self._data.language,
            route_checks=self._route_checks,
        )

    def should_ask(self, key: str) -> bool:
        """A question is asked when it applies and has no answer yet."""
        return key not in self.answers and self.questions[key].applies(self.context())

    def applicable(self) -> list[Question]:
        """The questions that apply with the answers given so far."""
        ctx = self.context()
        return [q for q in self.questions if q.applies(ctx) or q.key in self.answers]

    # --- entry points ----------------------------------------------------------------------

    def start(self) -> Reply:
        """Greet (first time) or show where the traveller is."""
        messages = []
        if not self._data.started:
            self._data.started = True
            messages.append(
                self._t(
                    N_(
                        "Welkom! Ik help je het verslag van je buitenlandse dienstreis voor de "
                        "gemeente Den Haag te maken. "
                        "Ik stel een paar vragen; afstanden en CO2 reken ik zelf uit. "
                        "Typ ‘help’ voor uitleg of ‘terug’ voor de vorige vraag."
                    )
                )
            )
        elif self.answers:
            messages.append(self._t(N_("Welkom terug! We gaan verder waar je was.")))
        return Reply(messages=messages, prompt=self.current_prompt())

    def handle(self, text: str) -> Reply:
        """Take one message (typed or a button's value) and answer it."""
        self._data.started = True
        if self.state == DONE:
            return Reply(
                messages=[
                    self._t(N_("Dit verslag is al verstuurd. Typ /nieuw voor een nieuw verslag."))
                ]
            )
        word = _normalise(text)
        picked = self._menu_pick(word)
        if picked is not None:
            text, word = picked, _normalise(picked)
        if self._data.pending:
            return self._answer_pending(word)
        command = _ALIASES.get(word)
        if command:
            return self._command(command)
        if self.state == REVIEW:
            return self._review_choice(text, word)
        if self.state == CONFIRM:
            return self._confirm(word)
        return self._answer(self.questions[self.state], text, word)

    def _menu_pick(self, word: str) -> str | None:
        """A typed number picks the option shown with that number ('1' -> the first option)."""
        number = _menu_number(word)
        prompt = self.current_prompt() if number is not None else None
        if prompt is None or number is None or prompt.kind is Kind.MULTI:
            return None
        if prompt.numeric:
            return None  # '5' persons or '2' hours, not the fifth or second option
        if 1 <= number <= len(prompt.choices):
            return prompt.choices[number - 1].value
        return None

    def _answer(self, question: Question, text: str, word: str) -> Reply:
        if word == UNCHANGED and question.key in self.answers:
            return self._advance([])
        doubt, self._data.doubt = self._data.doubt, None
        if doubt is not None and word in (DOUBT_YES, "ja", "yes"):
            text, confirmed = doubt, True
        elif doubt is not None and word in (DOUBT_NO, "nee", "no"):
            self._clear_offer()
            self._data.too_long = None
            return Reply(
                messages=[self._t(N_("Typ het dan opnieuw."))], prompt=self.current_prompt()
            )
        else:
            confirmed = False
        ctx = self.context(confirmed=confirmed)
        try:
            value = question.parse(text, ctx)
        except Doubtful as doubtful:
            self._data.doubt = text
            self._offer(doubtful.message, self._doubt_choices())
            return Reply(prompt=self.current_prompt())
        except NeedsChoice as ambiguous:
            self._offer(ambiguous.message, ambiguous.choices)
            return Reply(prompt=self.current_prompt())
        except ValueError as error:
            self._clear_offer()
            if isinstance(error, TooLong):
                self._data.too_long = (question.key, _opening(text))
            return Reply(
                messages=[_error_text(error, self._data.language)], prompt=self.current_prompt()
            )
        refused = self._data.too_long
        if (
            refused
            and refused[0] == question.key
            and not confirmed
            and _opening(text) != refused[1]
        ):
            # Telegram splits a long paste into several messages: the next one may be only the
            # rest of the refused text. Ask once instead of keeping a tail as the answer.
            self._data.doubt = text
            self._offer(
                msg(
                    "Je vorige bericht was te lang. Is dit je hele antwoord op ‘{question}’? "
                    "Het begint met {opening}.",
                    question=msg(question.label),
                    opening=parsers.quoted(text),
                ),
                self._doubt_choices(),
            )
            return Reply(prompt=self.current_prompt())
        self._data.too_long = None
        notices = []
        if question.notice:
            notice = question.notice(value, ctx)
            if notice:
                notices.append(notice)
        self._set_answer(question.key, value)
        if question.key == "legs":
            notices += self._sync_modes()
        return self._advance(notices)

    def _doubt_choices(self) -> list[Choice]:
        return [
            Choice(DOUBT_YES, self._t(N_("Ja, dat klopt"))),
            Choice(DOUBT_NO, self._t(N_("Nee, ik pas het aan"))),
        ]

    def _offer(self, message: str, choices: list[Choice]) -> None:
        """Ask the question again as this message with these options (stored translated)."""
        self._data.offered = [(c.value, self._t(c.label)) for c in choices]
        self._data.offered_message = self._t(message)

    def _clear_offer(self) -> None:
        self._data.offered = []
        self._data.offered_message = None

    def _sync_modes(self) -> list[str]:
        """The transport answer follows the route: modes the route added or dropped."""
        legs: list[Leg] = self.answers["legs"]
        used = _modes_used([], legs)
        if not used or used == self.answers.get("modes"):
            return []
        self.answers["modes"] = used
        for key in ("rail_hours", "justification"):
            self.answers.pop(key, None)
        return [
            self._t(
                msg(
                    "Vervoer aangepast aan de route: {modes}.",
                    modes=", ".join(self._t(m.label) for m in used),
                )
            )
        ]

    def _set_answer(self, key: str, value: Any) -> None:
        old = self.answers.get(key, _MISSING)
        self.answers[key] = value
        if old is not _MISSING and old != value:
            for dependent in self.questions.dependents(key):
                self.answers.pop(dependent, None)

    def _advance(self, notices: list[str]) -> Reply:
        fire(self, "advance")
        return Reply(messages=notices, prompt=self.current_prompt())

    # --- the machine's callbacks ------------------------------------------------------------

    def remember(self, event: EventData) -> None:
        """Push the state being left onto the back history (not the ones passed through)."""
        if not event.kwargs.get("passing"):
            self._data.history.append(self.state)

    def leave_question(self, event: EventData) -> None:
        """A question is left: what was offered or doubted there no longer holds."""
        self._clear_offer()
        self._data.doubt = None
        self._data.too_long = None

    def forget_history(self, event: EventData) -> None:
        """A restart: there is nothing to go back to."""
        self._data.history.clear()

    # --- commands --------------------------------------------------------------------------

    def _command(self, command: str) -> Reply:
        if command == "help":
            return Reply(messages=[self._help_text()], prompt=self.current_prompt())
        if command == "overzicht":
            return Reply(messages=[self.overview()], prompt=self.current_prompt())
        if command == "terug":
            return self._back()
        if command == "overslaan":
            return self._skip()
        self._data.pending = command  # type: ignore[assignment]
        return Reply(prompt=self.current_prompt())

    def _pending_prompt(self) -> Prompt:
        command = self._data.pending
        text = (
            N_("Weet je zeker dat je alle antwoorden wissen en opnieuw beginnen wilt?")
            if command == "opnieuw"
            else N_("Weet je zeker dat je dit verslag weggooien wilt?")
        )
        return Prompt(
            language=self._data.language,
            key=f"bevestig_{command}",
            text=self._t(text),
            kind=Kind.YES_NO,
            choices=[Choice("ja", self._t(N_("Ja"))), Choice("nee", self._t(N_("Nee, ga verder")))],
        )

    def _answer_pending(self, word: str) -> Reply:
        command = self._data.pending
        try:
            yes = parsers.parse_yes_no(word, self._data.language)
        except ValueError:
            self._data.pending = None
            return self._command(command or "opnieuw")
        self._data.pending = None
        if not yes:
            return Reply(
                messages=[self._t(N_("Prima, we gaan verder."))], prompt=self.current_prompt()
            )
        if command == "annuleer":
            self.answers.clear()
            return Reply(messages=[self._t(N_("Het verslag is weggegooid."))], cancelled=True)
        self.answers.clear()
        fire(self, "restart")
        return Reply(
            messages=[self._t(N_("Alle antwoorden zijn gewist. We beginnen opnieuw."))],
            prompt=self.current_prompt(),
        )

    def _back(self) -> Reply:
        if not self._data.history:
            return Reply(
                messages=[self._t(N_("Dit is de eerste vraag."))], prompt=self.current_prompt()
            )
        previous = self._data.history.pop()
        if previous == REVIEW and not self._complete():
            # An edit from the review cleared answers that depend on it: ask those first.
            previous = next(q.key for q in self.questions if self.should_ask(q.key))
        fire(self, "back", to=previous)
        return Reply(prompt=self.current_prompt())

    def _complete(self) -> bool:
        """Every question that applies has an answer: the review can show the report."""
        return not any(self.should_ask(q.key) for q in self.questions)

    def _skip(self) -> Reply:
        if self.state in (REVIEW, CONFIRM):
            return Reply(
                messages=[self._t(N_("Hier valt niets over te slaan."))],
                prompt=self.current_prompt(),
            )
        question = self.questions[self.state]
        if not question.optional:
            return Reply(
                messages=[self._t(N_("Deze vraag is verplicht en kan niet worden overgeslagen."))],
                prompt=self.current_prompt(),
            )
        value = question.skip_value(self.context()) if question.skip_value else None
        self._set_answer(question.key, value)
        return self._advance([])

    # --- review and confirmation ------------------------------------------------------------

    def _review_choice(self, text: str, word: str) -> Reply:
        if word in (SEND, "ja", "klopt", "verstuur", "✅ versturen", "yes", "send"):
            fire(self, "advance")
            return Reply(prompt=self.current_prompt())
        target = self._edit_target(word)
        if target is None:
            return Reply(
                messages=[self._t(N_("Kies ‘Versturen’, of het antwoord dat je wilt wijzigen."))],
                prompt=self.current_prompt(),
            )
        fire(self, "edit", to=target)
        return Reply(prompt=self.current_prompt())

    def _edit_target(self, word: str) -> str | None:
        word = word.removeprefix(EDIT_PREFIX).removeprefix("wijzig").strip()
        answered = self._reviewable()
        for question in answered:
            if word in (question.key, question.label.lower(), self._t(question.label).lower()):
                return question.key
        return None

    def _confirm(self, word: str) -> Reply:
        try:
            yes = parsers.parse_yes_no(word, self._data.language)
        except ValueError as error:
            return Reply(
                messages=[_error_text(error, self._data.language)], prompt=self.current_prompt()
            )
        if not yes:
            return self._back()
        report = self.build_report()
        fire(self, "advance")
        return Reply(
            messages=[
                self._t(N_("Dank je wel! Je verslag is klaar en gaat naar het secretariaat."))
            ],
            report=report,
        )

    def _reviewable(self) -> list[Question]:
        values = self.values()
        return [q for q in self.questions if q.key in values]

    # --- building the report -------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """What counts now, per question: the answer where the question applies (or has a
        remembered value), else the remembered value (name and department from a profile)."""
        ctx = self.context()
        values: dict[str, Any] = {}
        for question in self.questions:
            remembered = question.remembered(ctx) if question.remembered else None
            if question.key in self.answers and (question.applies(ctx) or remembered is not None):
                values[question.key] = self.answers[question.key]
            elif remembered is not None:
                values[question.key] = remembered
        return values

    def traveller(self) -> Traveller:
        """Who reports: each field answered now, or remembered from an earlier report."""
        values = self.values()
        fields = {f: values.get(f) or "" for f in Traveller.model_fields if f != "user_ref"}
        return Traveller(user_ref=self._user_ref, **fields)

    def build_report(self) -> Report:
        """The report from the answers: each answer fills the report field of its key, extra
        questions their own form question; emissions and the 8-hour rule computed, not asked."""
        ctx = self.context()
        values = self.values()
        fields = {key: value for key, value in values.items() if key in Report.model_fields}
        legs: list[Leg] = fields["legs"]
        justification: str | None = fields.get("justification")
        extra = [
            FormAnswer(question=q.form_heading, text=_document_text(q, values[q.key]))
            for q in self.questions
            if q.form_heading and q.key in values
        ]
        return Report(
            **{
                **fields,
                "modes": _modes_used(fields["modes"], legs),
                "report_id": self._data.draft_id,
                "traveller": self.traveller(),
                "emissions": self._trip.emissions(legs, fields["persons"]),
                "emission_list_version": self._trip.list_version,
                "rail_check": ctx.rail_check(),
                "justification_flagged": justification is not None
                and self._trip.is_weak_justification(justification),
                "extra_answers": extra,
                "submitted_at": self._now,
            }
        )

    # --- what the traveller sees ----------------------------------------------------------------

    def _choices(self, question: Question) -> list[Choice]:
        if self._data.offered:
            return [Choice(value, label) for value, label in self._data.offered]
        return question.offered_choices(self.context())

    def current_prompt(self) -> Prompt | None:
        """The question to show now (None when the interview is done)."""
        if self.state == DONE:
            return None
        if self._data.pending:
            return self._pending_prompt()
        if self.state == REVIEW:
            return self._review_prompt()
        if self.state == CONFIRM:
            return Prompt(
                language=self._data.language,
                key=CONFIRM,
                text=self._t(
                    N_(
                        "Wil je het verslag nu versturen naar het secretariaat? Het secretariaat "
                        "publiceert het in het openbare register van buitenlandse dienstreizen."
                    )
                ),
                kind=Kind.YES_NO,
                choices=[
                    Choice("ja", self._t(N_("✅ Ja, versturen"))),
                    Choice("nee", self._t(N_("Nee, terug naar overzicht"))),
                ],
            )
        question = self.questions[self.state]
        ctx = self.context()
        choices = self._choices(question)
        current = None
        if question.key in self.answers and self.answers[question.key] is not None:
            current = self._t(question.show(self.answers[question.key]))
            choices = [*choices, Choice(UNCHANGED, self._t(N_("Ongewijzigd")))]
        applicable = [q.key for q in self.applicable()]
        progress = None
        if question.key in applicable:
            # No total: questions that apply only after some answers would change it mid-way.
            progress = self._t(msg("Vraag {number}", number=applicable.index(question.key) + 1))
        text = self._data.offered_message or self._t(question.prompt_text(ctx))
        return Prompt(
            language=self._data.language,
            key=question.key,
            text=text,
            kind=Kind.CHOICE if self._data.offered else question.kind,
            choices=[Choice(c.value, self._t(c.label)) for c in choices],
            progress=progress,
            optional=question.optional,
            current_answer=current,
            numeric=question.numeric and not self._data.offered,
        )

    def _review_prompt(self) -> Prompt:
        questions = self._reviewable()
        choices = [Choice(SEND, self._t(N_("✅ Versturen")))]
        choices += [Choice(f"{EDIT_PREFIX}{q.key}", f"✏️ {self._t(q.label)}") for q in questions]
        report = self.build_report()
        lines = [
            self._t(N_("Controleer je verslag:")),
            "",
            self.overview(reviewing=True),
            "",
            self._t(N_("Berekend:")),
            self._t(report.emissions_text()),
            self._t(msg("8-uursregel: {rule}", rule=report.rule_text())),
        ]
        if report.justification_flagged:
            lines.append(
                self._t(
                    N_(
                        "⚠️ Je toelichting noemt alleen reistijd, gemak of prijs. Dat is volgens "
                        "het reisbeleid geen geldige reden; het secretariaat ziet dit gemarkeerd."
                    )
                )
            )
        lines += [
            "",
            self._t(N_("Klopt alles? Kies ‘Versturen’, of kies een antwoord om het te wijzigen.")),
        ]
        text = "\n".join(lines)
        return Prompt(
            key=REVIEW, text=text, kind=Kind.CHOICE, choices=choices, language=self._data.language
        )

    def overview(self, reviewing: bool = False) -> str:
        """Every answer so far, one line each."""
        questions = (
            self._reviewable()
            if reviewing
            else [q for q in self.questions if q.key in self.answers]
        )
        if not questions:
            return self._t(N_("Je hebt nog geen vragen beantwoord."))
        values = self.values()
        lines = []
        for question in questions:
            value = (
                self.answers[question.key] if question.key in self.answers else values[question.key]
            )
            shown = self._t(N_("(overgeslagen)") if value is None else question.show(value))
            lines.append(f"{self._t(question.label)}: {_first_line(shown)}")
        return "\n".join(lines)

    def where(self) -> str:
        """Where the interview is, in words: the question's title, or the review."""
        if self.state in (REVIEW, CONFIRM):
            return self._t(N_("het overzicht") if self.state == REVIEW else N_("het versturen"))
        if self.state == DONE:
            return self._t(N_("het einde"))
        return self._t(msg("de vraag ‘{question}’", question=msg(self.questions[self.state].label)))

    def _help_text(self) -> str:
        lines = []
        if self.state not in (REVIEW, CONFIRM):
            question = self.questions[self.state]
            if question.help:
                lines += [self._t(question.help), ""]
        lines.append(self._t(N_("Je kunt altijd typen:")))
        lines += [f"• {self._t(word)}: {self._t(meaning)}" for word, meaning in COMMANDS.items()]
        return "\n".join(lines)


_MISSING = object()


def _modes_used(named: list[TransportMode], legs: list[Leg]) -> list[TransportMode]:
    """The modes named, plus any the route description added, in the form's order."""
    used = set(named) | {leg.mode for leg in legs}
    return [mode for mode in TransportMode if mode in used]


def _document_text(question: Question, value: Any) -> str:
    """An extra question's answer as printed on the documents ('Nvt.' when skipped)."""
    return "Nvt." if value is None else question.show(value)


def _opening(text: str) -> str:
    """How an answer begins: a shortened retype of a long answer begins the same way."""
    return " ".join(text.split())[:30]


def _menu_number(word: str) -> int | None:
    """A plain ASCII option number ('2'), else None (so '⑨' or '²' never reach int())."""
    return int(word) if re.fullmatch(r"[0-9]{1,3}", word) else None


def _normalise(text: str) -> str:
    return " ".join(text.strip().lower().lstrip("/").split())


def _first_line(text: str, limit: int = 120) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    more = len(text.strip().splitlines()) > 1 or len(line) > limit
    return (line[:limit].rstrip() + " …") if more else line


def _error_text(error: ValueError, language: str = DEFAULT_LANGUAGE) -> str:
    """The message of a parser's ValueError in `language` (Pydantic wraps them)."""
    errors: Iterable[Any] = getattr(error, "errors", lambda: [])()
    for item in errors:
        original = item.get("ctx", {}).get("error")
        if isinstance(original, ValueError) and original is not error:
            return _error_text(original, language)
        message = str(item.get("msg", ""))
        return translate(language, message.removeprefix("Value error, "))
    text = error.args[0] if len(error.args) == 1 and isinstance(error.args[0], str) else str(error)
    return translate(language, text)


def prefilled_state(
    trip: TripCalculator,
    now: datetime,
    answers: dict[str, Any],
    *,
    start_at: str | None = None,
) -> InterviewState:
    """A new interview with some answers already given (typed values, e.g. from a planned trip).

    It starts at `start_at` (whose prefilled answer is shown with 'Ongewijzigd') or else
    at the first question that still needs an answer; 'terug' walks back over the
    prefilled questions.
    """
    interview = Interview(trip, now)
    for key, value in answers.items():
        interview.answers[key] = interview.questions.adapters[key].validate_python(value)
    current = start_at or next(
        (q.key for q in QUESTIONS if interview.should_ask(q.key)), QUESTIONS[0].key
    )
    order = interview.questions.keys()
    history = [key for key in order[: order.index(current)] if key in interview.answers]
    interview.state = current
    state = interview.state_data()
    return state.model_copy(update={"history": history})

"""The terminal channel: the same interview in a shell, typed or piped.

Each input line is one chat message; the two characters `\\n` inside a line stand
for a line break. The draft is stored after every message, so an interrupted
session resumes at the same question.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, TextIO

from bot.config import Settings
from bot.dialogs import Interview, InterviewState, Kind, Prompt, Reply
from bot.dialogs.ports import TripCalculator
from bot.i18n import DEFAULT_LANGUAGE, N_, t
from bot.report import Report
from bot.service.reports import finish
from bot.store import OutboxItem, Store, StoreUnavailable

__all__ = ["ConsoleChannel", "ConsoleSession", "format_prompt"]

Clock = Callable[[], datetime]
DocumentWriter = Callable[[Report, Path], list[Path]]


NEW_REPORT_HINT = N_("Start `reisverslag console` (of `make run`) opnieuw voor een nieuw verslag.")


def format_prompt(prompt: Prompt) -> str:
    """A question for the terminal: progress, text, choices numbered as the interview reads
    a typed number (options that are numbers themselves are listed as they are)."""
    lang = prompt.language
    lines = []
    if prompt.progress:
        lines.append(f"[{prompt.progress}]")
    lines.append(prompt.text)
    if prompt.current_answer:
        lines.append(t(lang, N_("(Huidig antwoord: {answer})"), answer=prompt.current_answer))
    if prompt.numeric:
        lines.append(
            t(lang, N_("  Kies: {choices}"), choices=", ".join(c.label for c in prompt.choices))
        )
    else:
        for number, choice in enumerate(prompt.choices, 1):
            lines.append(f"  {number}. {choice.label}")
    if prompt.kind is Kind.MULTI:
        lines.append(t(lang, N_("(Meer dan één? Typ bijvoorbeeld ‘1, 3’ of ‘trein en bus’.)")))
    if prompt.optional:
        lines.append(t(lang, N_("(Typ ‘overslaan’ om deze vraag over te slaan.)")))
    return "\n".join(lines)


@dataclass
class ConsoleChannel:
    """The terminal as the service's `Channel`: the traveller gets their copies as files
    written by the session, so nothing is queued for them."""

    def report_copies(self, report: Report) -> list[OutboxItem]:
        """No deliveries: the documents are written to the output folder."""
        return []


@dataclass
class ConsoleSession:
    """Runs one interview between a text stream and the store."""

    store: Store
    settings: Settings
    trip: TripCalculator
    clock: Clock
    user_ref: str
    out_dir: Path
    write_documents: DocumentWriter
    #: The traveller's language ('--lang en'); None keeps a resumed draft's own language.
    language: Literal["nl", "en"] | None = None

    def run(self, stdin: TextIO, stdout: TextIO) -> int:
        """Interview until the report is confirmed (exit 0) or input ends (exit 1)."""
        self._out = stdout
        self._language: str = self.language or DEFAULT_LANGUAGE
        interview = self._resume_or_new(stdin)
        if interview is None:
            return 1
        self._show(interview.start())
        self._save(interview)
        while True:
            line = self._read(stdin)
            if line is None:
                self._say(
                    "\n"
                    + self._t(
                        N_(
                            "Invoer gestopt bij {where}. "
                            "Je antwoorden zijn bewaard; start opnieuw om verder te gaan."
                        ),
                        where=interview.where(),
                    )
                )
                return 1
            interview = self._interview(interview.state_data())
            reply = interview.handle(line.replace("\\n", "\n"))
            if reply.cancelled:
                self.store.drafts.delete(self.user_ref)
                self._show(reply)
                self._say(self._t(NEW_REPORT_HINT))
                return 1
            if reply.report is not None:
                return self._finish(reply)
            self._save(interview)
            self._show(reply)

    def _resume_or_new(self, stdin: TextIO) -> Interview | None:
        draft = self.store.drafts.load(self.user_ref)
        if draft is None:
            return self._interview(None)
        state = InterviewState.model_validate(draft.state)
        self._language = self.language or state.language
        self._say(
            self._t(
                N_(
                    "Er staat een onafgemaakt verslag klaar (laatst bijgewerkt {updated}). "
                    "Verder gaan? (ja/nee)"
                ),
                updated=f"{draft.updated_at:%d-%m-%Y %H:%M}",
            )
        )
        while True:
            line = self._read(stdin)
            if line is None:
                return None
            word = line.strip().lower()
            if word in ("ja", "j", "1", "yes", "y"):
                return self._interview(state)
            if word in ("nee", "n", "2", "no"):
                self.store.drafts.delete(self.user_ref)
                return self._interview(None)
            self._say(self._t(N_("Typ ‘ja’ om verder te gaan of ‘nee’ om opnieuw te beginnen.")))

    def _interview(self, state: InterviewState | None) -> Interview:
        return Interview(
            self.trip,
            self.clock(),
            state=state,
            profile=self.store.profiles.profile(self.user_ref),
            user_ref=self.user_ref,
            language=self.language,
        )

    def _finish(self, reply: Reply) -> int:
        assert reply.report is not None
        report = reply.report
        # The same use case as in Telegram: report stored, deliveries to the secretariat
        # queued (the running bot sends them), a matching announced trip closed.
        finish(self.store, self.settings, self.user_ref, report, ConsoleChannel(), self.clock())
        for message in reply.messages:
            self._say(message)
        paths = self.write_documents(report, self.out_dir)
        self._say(self._t(N_("Opgeslagen:")))
        for path in paths:
            self._say(f"  {path}")
        return 0

    def _save(self, interview: Interview) -> None:
        """Store the draft; if the database is unavailable, say so and keep going in memory."""
        try:
            self.store.drafts.save(
                self.user_ref, interview.state_data().model_dump(mode="json"), self.clock()
            )
        except StoreUnavailable:
            self._say(
                self._t(
                    N_(
                        "Let op: de opslag is even niet beschikbaar. Je antwoorden blijven in "
                        "deze sessie bewaard en worden opgeslagen bij je volgende antwoord."
                    )
                )
            )

    def _show(self, reply: Reply) -> None:
        for message in reply.messages:
            self._say(message)
        if reply.prompt is not None:
            self._say("")
            self._say(format_prompt(reply.prompt))

    def _read(self, stdin: TextIO) -> str | None:
        self._out.write("> ")
        self._out.flush()
        line = stdin.readline()
        if not line:
            return None
        return line.rstrip("\r\n")

    def _t(self, msgid: str, **params: object) -> str:
        return t(self._language, msgid, **params)

    def _say(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()

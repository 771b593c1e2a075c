"""The example trip in English through the real python-telegram-bot stack and the fake Bot API:
no Dutch prompt leaks (checked against the catalogue), and the documents stay the Dutch form."""

from __future__ import annotations

import io
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from docx import Document

from bot.i18n import catalogue_path
from bot.report import TITLE
from testkit.bot_harness import SECRETARIAT_ID, TRAVELLER_ID, running_bot
from testkit.conversation import answer, documents, reply_with_buttons
from testkit.example_trip import EXAMPLE_NOW
from testkit.fake_telegram import BotMessage, FakeTelegram

pytestmark = pytest.mark.asyncio

#: The example trip as an English-speaking traveller types it.
ENGLISH_ANSWERS = [
    "Vienna and Bratislava",
    "sometime in spring",  # refused, and asked again in English
    "Sunday evening 27 April to Tuesday 29 April",
    "lots of us",  # refused
    "just me",
    "spaceship",  # refused
    "plane",
    "correct",
    "Meeting of the Council of Global City CIOs, a network of city CIOs and CTOs.",
    "Vienna and Bratislava: city halls and a tour of the city.",
    "CIOs of the cities of Paris and Prague.",
    "- Knowledge of digital city services\n- Contacts with other cities",
    "yes",
    "Next meeting in Prague in the autumn.",
    "J. de Vries",
    "Digital City",
]


def _dutch_fragments() -> list[str]:
    """Pieces of Dutch text from the catalogue that an English traveller must never see: the
    literal parts (between placeholders) of every msgid whose English text differs, where that
    part does not occur in the English text itself. Short pieces ('ma', 'Ja') are checked as
    button labels only, since they occur inside English words."""
    with (catalogue_path("en") / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale="en")
    pieces: set[str] = set()
    for message in catalogue:
        if not message.id or message.string == message.id:
            continue
        for literal, *_ in string.Formatter().parse(str(message.id)):
            for line in literal.split("\n"):
                piece = line.strip(" .,:;?!()‘’")
                if len(piece) >= 5 and piece not in str(message.string):
                    pieces.add(piece)
    return sorted(pieces)


def _dutch_labels() -> set[str]:
    """Whole Dutch msgids that differ in English: a button must never be labelled so."""
    with (catalogue_path("en") / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale="en")
    return {str(m.id) for m in catalogue if m.id and m.string != m.id}


def _leaks(messages: list[BotMessage], answers: list[str]) -> list[str]:
    fragments, labels = _dutch_fragments(), _dutch_labels()
    found = []
    for message in messages:
        text = message.plain_text
        for typed in answers:  # what the traveller typed may be shown back as typed
            text = text.replace(typed, "")
        found += [f"{piece!r} in {text[:80]!r}" for piece in fragments if piece in text]
        found += [f"button {b!r}" for b in message.buttons if b.removeprefix("✏️ ") in labels]
    return found


async def test_english_traveller_gets_the_whole_interview_in_english(tmp_path: Path) -> None:
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "bot.sqlite3", EXAMPLE_NOW) as bot,
    ):
        server.group(SECRETARIAT_ID, "Secretariaat")
        jan = server.user(user_id=TRAVELLER_ID, first_name="Jan", language_code="en-GB")
        await jan.send("/start")
        first = await reply_with_buttons(jan)
        assert "Welcome!" in server.messages(TRAVELLER_ID)[0].plain_text
        assert "Where did you travel to?" in first.plain_text
        assert "Question 1\n" in first.plain_text

        await jan.send("/help")
        helped = await reply_with_buttons(jan)
        assert "You can always type:" in server.messages(TRAVELLER_ID)[-1].plain_text or (
            "You can always type:" in helped.plain_text
        )

        question = first
        for text in ENGLISH_ANSWERS:
            question = await answer(jan, text)
        refusals = [m.plain_text for m in server.messages(TRAVELLER_ID)]
        assert any("I can't find a date in ‘sometime in spring’" in m for m in refusals)
        assert any("I can't find a number of people in ‘lots of us’" in m for m in refusals)
        assert any("I don't know ‘spaceship’ as a means of transport" in m for m in refusals)
        assert "Check your report:" in question.plain_text
        assert "Number of people: 1 person" in question.plain_text
        assert "✅ Send" in question.buttons

        await jan.click("✅ Send")
        confirm = await reply_with_buttons(jan)
        assert "Send the report to the secretariat now?" in confirm.plain_text
        await jan.click("✅ Yes, send")

        traveller_docs = await documents(server, TRAVELLER_ID, 2)
        thanks = [m for m in server.messages(TRAVELLER_ID) if "Thank you!" in m.plain_text]
        assert len(thanks) == 1

        # The official form (its chat summary and documents) stays Dutch, announced in English.
        sent = server.messages(TRAVELLER_ID)
        form = [i for i, m in enumerate(sent) if m.plain_text.startswith(TITLE)]
        assert form, "the chat summary of the form"
        assert "The official form is in Dutch" in sent[form[0] - 1].plain_text
        interview = [m for i, m in enumerate(sent) if i not in form]
        leaks = _leaks(interview, ENGLISH_ANSWERS)
        leaks += [
            f"callback answer {a!r}"
            for a in server.callback_answers.values()
            if isinstance(a, dict) and a.get("text") and _leaks_text(str(a["text"]))
        ]
        assert not leaks, "\n".join(leaks)

        # The document is the Dutch form with the traveller's answers as typed.
        docx = next(
            d.document
            for d in traveller_docs
            if d.document and d.document.filename.endswith(".docx")
        )
        assert docx is not None
        text = "\n".join(p.text for p in Document(io.BytesIO(docx.data)).paragraphs)
        assert "Meeting of the Council of Global City CIOs" in text
        assert "zondagavond 27 april t/m dinsdag 29 april 2025" in text
        assert re.search(r"\b1 persoon\b", text)
        stored = bot.store.reports.of_traveller(f"telegram:{TRAVELLER_ID}")
        assert [r.persons for r in stored] == [1]


def _leaks_text(text: str) -> bool:
    return any(piece in text for piece in _dutch_fragments()) or text in _dutch_labels()


async def test_taal_switches_the_language_and_back(tmp_path: Path) -> None:
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "bot.sqlite3", EXAMPLE_NOW) as bot,
    ):
        piet = server.user(user_id=TRAVELLER_ID, first_name="Piet", language_code="nl")
        await piet.send("/start")
        first = await reply_with_buttons(piet)
        assert "Waar ging de reis naartoe?" in first.plain_text

        await piet.send("/taal en")
        switched = await reply_with_buttons(piet)
        assert "I'll speak English with you now." in switched.plain_text
        assert "Where did you travel to?" in switched.plain_text
        assert bot.store.profiles.language(f"telegram:{TRAVELLER_ID}") == "en"
        chat_menu = server.commands[
            '{"chat_id": %d, "type": "chat"}|' % TRAVELLER_ID  # noqa: UP031
        ]
        assert {"command": "new", "description": "New report"} in chat_menu

        await piet.send("/taal nl")
        back = await reply_with_buttons(piet)
        assert "Ik praat nu Nederlands met je." in back.plain_text
        assert "Waar ging de reis naartoe?" in back.plain_text

        await piet.send("/language")
        offer = await piet.next_reply()
        assert offer.buttons == ["Nederlands", "English"]
        await piet.click("English")
        chosen = await reply_with_buttons(piet)
        assert "Where did you travel to?" in chosen.plain_text
        assert bot.store.profiles.language(f"telegram:{TRAVELLER_ID}") == "en"


async def test_command_menu_is_registered_per_language(tmp_path: Path) -> None:
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "bot.sqlite3", EXAMPLE_NOW),
    ):
        scope = '{"type": "all_private_chats"}'
        dutch = {c["command"]: c["description"] for c in server.commands[f"{scope}|"]}
        english = {c["command"]: c["description"] for c in server.commands[f"{scope}|en"]}
        assert dutch["nieuw"] == "Nieuw verslag"
        assert dutch["taal"] == "Taal: Nederlands of English"
        assert english["new"] == "New report"
        assert english["back"] == "Previous question"
        assert english["language"] == "Language: English or Nederlands"
        assert len(english) == len(dutch)


async def test_check_answers_an_english_traveller_in_english(tmp_path: Path) -> None:
    """/check in English: the explanation, the choice between places and the errors."""
    async with (
        FakeTelegram() as server,
        running_bot(
            server,
            tmp_path / "bot.sqlite3",
            EXAMPLE_NOW,
            allowed_user_ids=[TRAVELLER_ID, TRAVELLER_ID + 1],
        ),
    ):
        jan = server.user(user_id=TRAVELLER_ID, first_name="Jan", language_code="en-GB")
        await jan.send("/check Paris train")  # the mode named in English
        explained = (await jan.next_reply()).plain_text
        assert explained.startswith("Train The Hague → Paris (France) (return, 1 person)")
        assert "Distance: 960 km (as the crow flies" in explained
        assert "(detour factor train)" in explained
        assert "CO2 emissions: approx. 18 kg CO2e" in explained
        assert "Train from The Hague: about 3 h 10" in explained
        assert "Within 8 hours by train: flying would need a justification." in explained

        await jan.send("/check Vienna")
        flown = (await jan.next_reply()).plain_text
        assert "Distance: 1,917 km (great-circle distance AMS–VIE" in flown
        assert "Not within 8 hours by train: no justification needed." in flown

        await jan.send("/check Frankfurt")
        choice = await jan.next_reply()
        assert choice.plain_text.startswith("Which Frankfurt do you mean?")
        assert "/check Frankfurt am Main (Duitsland)" in choice.plain_text

        await jan.send("/check Xyzzyville")
        assert (await jan.next_reply()).plain_text.startswith("I don't know 'Xyzzyville'.")

        replies = server.messages(TRAVELLER_ID)
        assert not _leaks(replies, []), "\n".join(_leaks(replies, []))

        # The same command for a Dutch traveller stays Dutch: the language is per traveller.
        piet = server.user(user_id=TRAVELLER_ID + 1, first_name="Piet", language_code="nl")
        await piet.send("/check Parijs trein")
        dutch = (await piet.next_reply()).plain_text
        assert "Afstand: 960 km (hemelsbreed" in dutch
        assert "Binnen 8 uur per trein: vliegen zou een toelichting vragen." in dutch

"""The whole example trip through the real python-telegram-bot stack and the fake Bot API."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from testkit.bot_harness import SECRETARIAT_ID, TRAVELLER_ID, running_bot
from testkit.conversation import answer, documents, reply_with_buttons
from testkit.example_trip import EXAMPLE_NOW, example_messages
from testkit.fake_telegram import FakeTelegram

pytestmark = pytest.mark.asyncio


async def test_example_trip_from_start_to_documents(tmp_path: Path) -> None:
    async with (
        FakeTelegram() as server,
        running_bot(server, tmp_path / "bot.sqlite3", EXAMPLE_NOW) as bot,
    ):
        server.group(SECRETARIAT_ID, "Secretariaat")
        jan = server.user(user_id=TRAVELLER_ID, first_name="Jan")
        await jan.send("/start")
        first = await reply_with_buttons(jan)
        assert "Waar ging de reis naartoe" in first.plain_text
        assert "Vraag 1\n" in first.plain_text

        for text in example_messages(until="review"):
            question = await answer(jan, text)
        assert "Controleer je verslag" in question.plain_text
        flown = re.search(
            r"([\d.]+) km met vliegtuig \(retour\), ca\. (\d+) kg", question.plain_text
        )
        assert flown is not None and abs(int(flown.group(1).replace(".", "")) - 1918) <= 3
        assert re.search(r"\b1\.91\d km met vliegtuig", question.plain_text), "Dutch thousands"
        # The rail network gives about 11 hours; the example report's traveller wrote 12,5.
        assert re.search(
            r"Nvt \(treinreis naar Wenen is ca\. 1[01](,5)? uur\)\.", question.plain_text
        )

        await jan.click("✅ Versturen")
        confirm = await reply_with_buttons(jan)
        assert "versturen" in confirm.plain_text
        await jan.click("✅ Ja, versturen")

        traveller_docs = await documents(server, TRAVELLER_ID, 2)
        secretariat_docs = await documents(server, SECRETARIAT_ID, 2)
        names = sorted(d.document.filename for d in traveller_docs if d.document)
        assert names == [
            "verslag-dienstreis-2025-04-27-wenen.docx",
            "verslag-dienstreis-2025-04-27-wenen.pdf",
        ]
        for message in secretariat_docs:
            assert message.document is not None
        docx = next(
            d.document
            for d in traveller_docs
            if d.document and d.document.filename.endswith(".docx")
        )
        pdf = next(
            d.document
            for d in secretariat_docs
            if d.document and d.document.filename.endswith(".pdf")
        )
        assert docx is not None and pdf is not None
        text = "\n".join(p.text for p in Document(io.BytesIO(docx.data)).paragraphs)
        assert "2,5 dag (zondagavond 27 april t/m dinsdag 29 april 2025)" in text
        assert "1 persoon" in text
        pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
        assert "VERSLAG BUITENLANDSE DIENSTREIS" in pdf_text

        summary = [
            m for m in server.messages(SECRETARIAT_ID) if m.text and "Nieuw verslag" in m.text
        ]
        assert len(summary) == 1
        assert "J. de Vries" in summary[0].plain_text
        assert "8-uursregel niet van toepassing" in summary[0].plain_text

        stored = bot.store.reports.of_traveller(f"telegram:{TRAVELLER_ID}")
        assert len(stored) == 1
        assert stored[0].persons == 1
        assert bot.store.drafts.load(f"telegram:{TRAVELLER_ID}") is None
        commands = {c["command"] for scope in server.commands.values() for c in scope}
        assert {
            "start",
            "nieuw",
            "terug",
            "overzicht",
            "annuleer",
            "help",
            "mijnverslagen",
            "check",
        } <= commands

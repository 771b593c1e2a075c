"""Email to the secretariat: received by a real SMTP server on 127.0.0.1, documents attached."""

from __future__ import annotations

import email
import email.policy
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from docx import Document

from bot.config import Settings
from bot.console import ConsoleChannel
from bot.mail import DOCX_MIME, email_senders
from bot.outbox import OutboxWorker
from bot.render import document_filename
from bot.service.reports import finish
from bot.store import OutboxItem, Store
from bot.store.health import delivery_backlog
from testkit.example_report import example_report
from testkit.ptb import free_port

NOW = datetime(2025, 4, 30, 10, tzinfo=UTC)


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Store the message, accept it."""
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """An SMTP server on 127.0.0.1 collecting messages."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def mail_settings(port: int) -> Settings:
    """Email switched on, pointed at the test server, no TLS."""
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_from="reisverslag@denhaag.example",
        secretariat_email="secretariaat@denhaag.example",
    )


async def test_finished_report_is_mailed_with_both_documents(
    smtp: tuple[Inbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp
    settings = mail_settings(port)
    report = example_report()
    with Store.open(f"sqlite:///{tmp_path / 'db.sqlite3'}") as store:
        # The finish use case queues the e-mail because SMTP is configured.
        assert finish(store, settings, "telegram:1", report, ConsoleChannel(), NOW)
        worker = OutboxWorker(store, email_senders(settings, store), clock=lambda: NOW)
        assert await worker.flush() == 1
        assert await worker.flush() == 0  # sent once
        assert delivery_backlog(store, NOW).outbox_waiting == 0
    assert len(inbox.messages) == 1
    assert inbox.envelopes == [("reisverslag@denhaag.example", ["secretariaat@denhaag.example"])]
    message = inbox.messages[0]
    assert message["To"] == "secretariaat@denhaag.example"
    assert "Wenen en Bratislava" in message["Subject"] and "J. de Vries" in message["Subject"]
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and "HOELANG DUURDE DE REIS?" in text.get_content()
    assert html is not None and "<html" in html.get_content().lower()
    attachments = {part.get_filename(): part for part in message.iter_attachments()}
    assert set(attachments) == {
        document_filename(report, "docx"),
        document_filename(report, "pdf"),
    }
    docx_part = attachments[document_filename(report, "docx")]
    pdf_part = attachments[document_filename(report, "pdf")]
    assert docx_part.get_content_type() == DOCX_MIME
    assert pdf_part.get_content_type() == "application/pdf"
    assert pdf_part.get_content().startswith(b"%PDF")
    document = Document(io.BytesIO(docx_part.get_content()))
    assert any("VERSLAG BUITENLANDSE DIENSTREIS" in p.text for p in document.paragraphs)


async def test_mail_server_down_is_retried_later_and_then_delivered(
    smtp: tuple[Inbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp
    report = example_report()
    clock = [NOW]
    with Store.open(f"sqlite:///{tmp_path / 'db.sqlite3'}") as store:
        store.reports.add("telegram:1", report, NOW)
        store.outbox.enqueue([OutboxItem("email", "k", {"report_id": report.report_id})], NOW)
        down = mail_settings(free_port())  # nobody listens there
        worker = OutboxWorker(store, email_senders(down, store), clock=lambda: clock[0])
        assert await worker.flush() == 0
        backlog = delivery_backlog(store, NOW)
        assert backlog.outbox_waiting == 1 and backlog.outbox_failing == 1
        clock[0] = NOW + timedelta(minutes=5)
        worker = OutboxWorker(
            store, email_senders(mail_settings(port), store), clock=lambda: clock[0]
        )
        assert await worker.flush() == 1
    assert len(inbox.messages) == 1


def test_no_email_sender_without_configuration(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'db.sqlite3'}") as store:
        assert email_senders(Settings(_env_file=None), store) == {}  # type: ignore[call-arg]

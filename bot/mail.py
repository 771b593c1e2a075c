"""Email to the secretariat's mailbox: each finished report with its Word and PDF attached.

Delivered through the durable outbox (kind "email", payload `{"report_id": ...}`), so a
mail server that is down only delays the mail; it is sent once it answers again.
"""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import aiosmtplib

from bot.config import Settings
from bot.i18n import N_, SECRETARIAT_LANGUAGE, t
from bot.outbox import PermanentFailure, RetryLater, Sender
from bot.render import document_filename, render_html, render_text
from bot.render_process import render_document
from bot.report import Report
from bot.service.deliveries import EMAIL
from bot.store import Store

__all__ = ["DOCX_MIME", "build_email", "email_sender", "email_senders"]

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _sender_address(settings: Settings) -> str:
    """SMTP_FROM, else the SMTP user, else a local address."""
    return settings.smtp_from or settings.smtp_username or "reisverslag@localhost"


def build_email(report: Report, settings: Settings, docx: bytes, pdf: bytes) -> EmailMessage:
    """The mail for one report: text and HTML body, the Word and PDF documents attached."""
    assert settings.secretariat_email is not None
    message = EmailMessage()
    sender = _sender_address(settings)
    message["Subject"] = t(
        SECRETARIAT_LANGUAGE,
        N_("Verslag buitenlandse dienstreis: {destination}, {day} ({name})"),
        destination=report.destination_label,
        day=report.period.departure.strftime("%d-%m-%Y"),
        name=report.traveller.name,
    )
    message["From"] = sender
    message["To"] = settings.secretariat_email
    message["Message-ID"] = make_msgid(report.report_id[:32], sender.rpartition("@")[2] or None)
    message["X-Reisverslag-Report-Id"] = report.report_id
    message.set_content(render_text(report))
    message.add_alternative(render_html(report), subtype="html")
    maintype, subtype = DOCX_MIME.split("/")
    message.add_attachment(
        docx, maintype=maintype, subtype=subtype, filename=document_filename(report, "docx")
    )
    message.add_attachment(
        pdf, maintype="application", subtype="pdf", filename=document_filename(report, "pdf")
    )
    return message


def email_sender(settings: Settings, store: Store) -> Sender:
    """The outbox sender for kind "email": renders and mails one report to SECRETARIAT_EMAIL."""

    async def send(payload: dict[str, Any]) -> None:
        """Mail the report named in the payload."""
        report = await asyncio.to_thread(store.reports.get, payload["report_id"])
        if report is None:
            raise PermanentFailure(f"report {payload['report_id']} not found")
        docx = await render_document(report, "docx")
        pdf = await render_document(report, "pdf")
        message = build_email(report, settings, docx, pdf)
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        try:
            await aiosmtplib.send(
                message,
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username,
                password=password,
                start_tls=settings.smtp_starttls,
                timeout=60,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            raise PermanentFailure(f"recipient refused: {error}") from error
        except (aiosmtplib.SMTPException, OSError) as error:
            raise RetryLater(f"{type(error).__name__}: {error}") from error

    return send


def email_senders(settings: Settings, store: Store) -> dict[str, Sender]:
    """The email sender when email is configured (SMTP_HOST and SECRETARIAT_EMAIL), else none."""
    if not settings.email_enabled:
        return {}
    return {EMAIL: email_sender(settings, store)}

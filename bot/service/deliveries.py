"""What is delivered when, decided once for every channel: a finished report's copies for
the traveller (through their `Channel`), the secretariat's summary and files, the e-mail.

The outbox kinds are the stored vocabulary of deliveries; the secretariat's chat is a
Telegram group, so its items use the message and document kinds the Telegram sender sends.
"""

from __future__ import annotations

import html

from bot.config import Settings
from bot.i18n import N_, SECRETARIAT_LANGUAGE, t
from bot.report import Report
from bot.service.ports import Channel
from bot.store import OutboxItem

__all__ = [
    "DOCUMENT",
    "EMAIL",
    "MESSAGE",
    "document_copies",
    "report_outbox",
    "secretariat_summary",
]

#: Outbox kinds (stored values): an HTML message to a chat, a report file to a chat, an e-mail.
MESSAGE = "telegram_message"
DOCUMENT = "telegram_document"
EMAIL = "email"


def secretariat_summary(report: Report) -> str:
    """Short HTML summary for the secretariat: who, where, when, modes, km, CO2, the exception."""
    desk = SECRETARIAT_LANGUAGE
    check = report.rail_check
    if check and check.justification_required:
        rule = t(desk, N_("⚠️ uitzondering op de 8-uursregel gebruikt"))
        if report.justification_flagged:
            rule += t(desk, N_(" — toelichting noemt alleen efficiëntie (gemarkeerd)"))
    else:
        rule = t(desk, N_("8-uursregel niet van toepassing"))
    if check and check.flown:
        rule += "\n" + t(desk, N_("Treinreis {figures}"), figures=html.escape(check.figures_text()))
    department = html.escape(report.traveller.department or "-")
    lines = [
        t(desk, N_("<b>Nieuw verslag buitenlandse dienstreis</b>")),
        t(
            desk,
            N_("Van: {name} ({department})"),
            name=html.escape(report.traveller.name),
            department=department,
        ),
        t(desk, N_("Naar: {destination}"), destination=html.escape(report.destination_label)),
        t(desk, N_("Wanneer: {period}"), period=html.escape(report.period.describe())),
        t(desk, N_("Personen: {count}"), count=report.persons),
        t(desk, N_("Vervoer: {modes}"), modes=html.escape(report.modes_text())),
        t(desk, N_("Totaal: {totals}"), totals=report.totals_text()),
        rule,
    ]
    return "\n".join(lines)


def document_copies(report: Report, chat_id: int, who: str) -> list[OutboxItem]:
    """The Word and PDF file of a report for one chat, keyed once per report and `who`."""
    rid = report.report_id
    return [
        OutboxItem(
            DOCUMENT, f"{rid}:{who}:{fmt}", {"chat_id": chat_id, "report_id": rid, "format": fmt}
        )
        for fmt in ("docx", "pdf")
    ]


def report_outbox(report: Report, channel: Channel, settings: Settings) -> list[OutboxItem]:
    """Everything to deliver for a finished report, each with a key that makes it happen once:
    the traveller's copies on their channel, the secretariat's summary and files, the e-mail."""
    rid = report.report_id
    items = list(channel.report_copies(report))
    if settings.secretariat_chat_id is not None:
        chat = settings.secretariat_chat_id
        items.append(
            OutboxItem(
                MESSAGE,
                f"{rid}:secretariat:summary",
                {"chat_id": chat, "html": secretariat_summary(report)},
            )
        )
        items += document_copies(report, chat, "secretariat")
    if settings.email_enabled:
        items.append(OutboxItem(EMAIL, f"{rid}:email", {"report_id": rid}))
    return items

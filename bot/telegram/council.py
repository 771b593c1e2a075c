"""/jaarrapport [jaar] in the secretariat chat: the council's yearly report as a PDF."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import ContextTypes

from bot.annual import NoReportsError, annual_report_filename, annual_report_html
from bot.i18n import N_, SECRETARIAT_LANGUAGE, t, translate
from bot.reminders import WorkingHours
from bot.render_process import RenderFailed, render_html_pdf
from bot.telegram.services import services

__all__ = ["on_annual_report"]

log = logging.getLogger(__name__)


async def on_annual_report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/jaarrapport [jaar]: the yearly report (this year when none is named)."""
    svc = services(context)
    message = update.effective_message
    assert message is not None
    args = context.args or []
    today = WorkingHours.from_settings(svc.settings).working_day_of(svc.clock())
    if not args:
        year = today.year
    elif args[0].isdigit() and 1900 < int(args[0]) < 2200:
        year = int(args[0])
    else:
        await message.reply_text(t(SECRETARIAT_LANGUAGE, N_("Gebruik: /jaarrapport 2025")))
        return
    bot = message.get_bot()
    await bot.send_chat_action(message.chat_id, ChatAction.UPLOAD_DOCUMENT)
    try:
        page = await asyncio.to_thread(  # the store's reports, the figures and the charts
            annual_report_html,
            svc.store,
            year,
            svc.settings,
            lambda place: svc.trip.rail_time(place).hours,
            today,
        )
    except NoReportsError as error:
        await message.reply_text(
            t(
                SECRETARIAT_LANGUAGE,
                N_("{error} Kies een ander jaar, bijvoorbeeld /jaarrapport {year}."),
                error=translate(SECRETARIAT_LANGUAGE, error.args[0]),
                year=year - 1,
            )
        )
        return
    # Seconds of layout, in the render process: the other chats' replies go on meanwhile.
    try:
        pdf = await render_html_pdf(page, tagged=True)
    except RenderFailed:
        log.exception("the yearly report of %s could not be laid out", year)
        await message.reply_text(
            t(
                SECRETARIAT_LANGUAGE,
                N_(
                    "Het jaarrapport {year} kon nu niet worden gemaakt. Probeer het later "
                    "opnieuw met /jaarrapport {year}."
                ),
                year=year,
            )
        )
        return
    await bot.send_document(
        message.chat_id,
        pdf,
        filename=annual_report_filename(year),
        caption=t(
            SECRETARIAT_LANGUAGE,
            N_("Jaarrapport buitenlandse dienstreizen {year} voor de gemeenteraad."),
            year=year,
        ),
    )

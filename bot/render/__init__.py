"""Report -> chat summary, plain text, HTML, Word and PDF, through the templates in templates/.

Answers come from `Report.form_answers()`; `answer_blocks` turns each answer into
paragraphs and bullet lists for every format; the templates only format.
"""

from bot.render.blocks import Block, BulletItem, BulletList, Paragraph, answer_blocks
from bot.render.chat import TELEGRAM_MESSAGE_LIMIT, render_chat_summary, split_message
from bot.render.documents import (
    DOCUMENT_FORMATS,
    DOCX_TEMPLATE,
    document_filename,
    render_docx,
    render_html,
    render_pdf,
    render_text,
    write_documents,
)
from bot.render.templating import TEMPLATES_DIR
from bot.render.view import Letterhead

__all__ = [
    "DOCUMENT_FORMATS",
    "DOCX_TEMPLATE",
    "TELEGRAM_MESSAGE_LIMIT",
    "TEMPLATES_DIR",
    "Block",
    "BulletItem",
    "BulletList",
    "Letterhead",
    "Paragraph",
    "answer_blocks",
    "document_filename",
    "render_chat_summary",
    "render_docx",
    "render_html",
    "render_pdf",
    "render_text",
    "split_message",
    "write_documents",
]

"""The report as plain text, HTML, Word and PDF, and the files they are saved as."""

from __future__ import annotations

import io
import os
import re
import tempfile
import unicodedata
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined
from markupsafe import Markup, escape

from bot.render.templating import TEMPLATES_DIR, render_template
from bot.render.view import Letterhead, document_view
from bot.report import Report

__all__ = [
    "DOCUMENT_FORMATS",
    "DOCX_TEMPLATE",
    "document_filename",
    "html_to_pdf",
    "render_docx",
    "render_html",
    "render_pdf",
    "render_text",
    "write_documents",
]

#: The committed Word template (regenerate with scripts/make_docx_template.py).
DOCX_TEMPLATE = TEMPLATES_DIR / "verslag.docx"

# docxtpl turns "{_{", "%_}" and the like back into tags after rendering; character
# references for braces and percent signs keep traveller text out of that reach.
_DOCX_PROTECTED = str.maketrans({"{": "&#123;", "}": "&#125;", "%": "&#37;"})


def render_text(report: Report, letterhead: Letterhead | None = None) -> str:
    """Plain text in the form's layout: title, questions with answers, closing block."""
    return render_template("verslag.txt", view=document_view(report, letterhead))


def render_html(report: Report, letterhead: Letterhead | None = None) -> str:
    """A standalone HTML page (email body; the PDF adds page footers to it)."""
    return _html(report, letterhead, print_layout=False)


def _html(report: Report, letterhead: Letterhead | None, print_layout: bool) -> str:
    """The HTML template, with the running page footer for print when asked."""
    view = document_view(report, letterhead)
    return render_template("verslag.html", view=view, print_layout=print_layout)


def render_pdf(report: Report, letterhead: Letterhead | None = None) -> bytes:
    """An A4 PDF from the HTML, fonts embedded (WeasyPrint)."""
    return html_to_pdf(_html(report, letterhead, print_layout=True))


def html_to_pdf(html: str, tagged: bool = False) -> bytes:
    """A PDF from a page of HTML whose styles and images resolve against `templates/`;
    `tagged` adds the structure tree (headings, tables, figures with their alt text)."""
    with warnings.catch_warnings():
        # WeasyPrint warns at import when libharfbuzz-subset is missing; fontTools subsets then.
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        from weasyprint import HTML  # imported on use: loading Pango takes a moment

    pdf = HTML(string=html, base_url=str(TEMPLATES_DIR)).write_pdf(pdf_tags=tagged)
    if pdf is None:  # only when writing to a target
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(pdf)


def _docx_text(value: object) -> object:
    """Escape a value for Word XML; strings also out of reach of docxtpl's post-processing."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return Markup(str(escape(value)).translate(_DOCX_PROTECTED))


def render_docx(
    report: Report, letterhead: Letterhead | None = None, template: Path = DOCX_TEMPLATE
) -> bytes:
    """A Word document from the Word template (docxtpl), bullets as real list items."""
    document = DocxTemplate(str(template))
    environment = Environment(undefined=StrictUndefined, autoescape=True, finalize=_docx_text)
    document.render({"view": document_view(report, letterhead)}, environment, autoescape=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


_RENDERERS: dict[str, Callable[[Report, Letterhead | None], str | bytes]] = {
    "docx": render_docx,
    "pdf": render_pdf,
    "txt": render_text,
    "html": render_html,
}

#: The formats `write_documents` can write, by file extension.
DOCUMENT_FORMATS: tuple[str, ...] = tuple(_RENDERERS)


def _slug(text: str) -> str:
    """'Den Haag' -> 'den-haag', 'Genève' -> 'geneve' (ASCII, lower case)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


#: Longest place part of a file name: whole name stays far below every file system's 255 bytes.
MAX_PLACE_IN_FILENAME = 60


def document_filename(report: Report, ext: str) -> str:
    """'verslag-dienstreis-2025-04-27-wenen.docx': departure date and first destination."""
    place = _slug(report.destinations[0].name)[:MAX_PLACE_IN_FILENAME].strip("-") or "bestemming"
    return f"verslag-dienstreis-{report.period.departure.isoformat()}-{place}.{ext.lstrip('.')}"


def _umask() -> int:
    """The process's umask, read without changing it (Linux), else by setting it back."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_atomically(path: Path, content: str | bytes) -> None:
    """Write a file so that a reader never sees half of it."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it 0600; follow the umask
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_documents(
    report: Report,
    out_dir: Path,
    formats: Iterable[str] = ("docx", "pdf", "txt", "html"),
    letterhead: Letterhead | None = None,
) -> list[Path]:
    """Render the report in each format into `out_dir`; returns the files written."""
    wanted = [fmt.strip().lower().lstrip(".") for fmt in formats]
    unknown = sorted(set(wanted) - set(_RENDERERS))
    if unknown:
        raise ValueError(
            f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(DOCUMENT_FORMATS)}"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in dict.fromkeys(wanted):
        path = out_dir / document_filename(report, fmt)
        _write_atomically(path, _RENDERERS[fmt](report, letterhead))
        written.append(path)
    return written

"""What every document shows, computed once from a report; the templates only format it."""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.formatting import format_date_long, format_number
from bot.render.blocks import Block, answer_blocks, clean_text
from bot.report import TITLE, EmissionLine, Report

__all__ = [
    "AUTHOR_LABEL",
    "ClosingLine",
    "DocumentView",
    "Letterhead",
    "Section",
    "document_view",
]

#: The closing line that names the traveller (left out where reports are published).
AUTHOR_LABEL = "Opgesteld door"

_UNIT_LABELS = {"pkm": "per passagierskilometer", "vkm": "per voertuigkilometer"}


@dataclass(frozen=True)
class Letterhead:
    """The sender shown above the document; `logo` is an image file for HTML and PDF."""

    organisation: str = "Gemeente Den Haag"
    logo: Path | None = None

    def logo_data_uri(self) -> str | None:
        """The logo inlined as a data URI, so the HTML stands alone."""
        if self.logo is None:
            return None
        mime = mimetypes.guess_type(self.logo.name)[0] or "application/octet-stream"
        return f"data:{mime};base64,{base64.b64encode(self.logo.read_bytes()).decode('ascii')}"


@dataclass(frozen=True)
class Section:
    """One question of the form with its answer as blocks."""

    question: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ClosingLine:
    """One 'label: value' line of the closing block."""

    label: str
    value: str


@dataclass(frozen=True)
class DocumentView:
    """Everything a template needs, as ready-made strings."""

    title: str
    organisation: str
    logo_uri: str | None
    sections: tuple[Section, ...]
    closing: tuple[ClosingLine, ...]
    report_date: str
    list_version: str


def document_view(report: Report, letterhead: Letterhead | None = None) -> DocumentView:
    """The view of a report: the form's sections from `Report.form_answers()`, closing block."""
    letterhead = letterhead or Letterhead()
    sections = tuple(
        Section(question=answer.question, blocks=tuple(answer_blocks(answer.text)))
        for answer in report.form_answers()
    )
    report_date = format_date_long(report_day(report))
    list_version = emission_list_version(report)
    closing = [
        ClosingLine(AUTHOR_LABEL, clean_text(report.traveller.name)),
        ClosingLine("Afdeling", clean_text(report.traveller.department)),
        ClosingLine("Datum verslag", report_date),
        ClosingLine("Emissiefactorenlijst", list_version),
    ]
    closing.extend(
        ClosingLine(f"Emissiefactor {line.mode.value}", _describe_factor(line))
        for line in report.emissions
    )
    return DocumentView(
        title=TITLE,
        organisation=letterhead.organisation,
        logo_uri=letterhead.logo_data_uri(),
        sections=sections,
        closing=tuple(closing),
        report_date=report_date,
        list_version=list_version,
    )


def report_day(report: Report) -> date:
    """The date of the report: when it was submitted, else today."""
    return report.submitted_at.date() if report.submitted_at else date.today()


def emission_list_version(report: Report) -> str:
    """The emission factor list(s) the report used, 'onbekend' when none is recorded."""
    versions = [report.emission_list_version] if report.emission_list_version else []
    versions += [line.list_version for line in report.emissions]
    unique = list(dict.fromkeys(v for v in versions if v))
    return ", ".join(unique) if unique else "onbekend"


def _describe_factor(line: EmissionLine) -> str:
    """'0,172 kg CO2e per passagierskilometer (700-2500 km)'.

    The official document states list, version and factor only; whether a factor was
    verified against its source is for the secretariat (`reisverslag factors`, the export).
    """
    unit = _UNIT_LABELS.get(line.unit, f"per {line.unit}")
    suffix = f" ({line.factor_class})" if line.factor_class else ""
    return f"{format_number(line.factor_kg_per_unit, 3)} kg CO2e {unit}{suffix}"

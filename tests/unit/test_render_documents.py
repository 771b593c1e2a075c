"""The example trip rendered as text, HTML, Word and PDF reads heading by heading like the form."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from bot.formatting import format_number
from bot.render import (
    DOCX_TEMPLATE,
    TEMPLATES_DIR,
    Letterhead,
    document_filename,
    render_chat_summary,
    render_docx,
    render_html,
    render_pdf,
    render_text,
    write_documents,
)
from bot.render.word_template import INTRO_STYLE, build_docx_template
from bot.report import FORM_QUESTIONS, TITLE, Place
from testkit.example_report import EXAMPLE_FREE_TEXT, example_report
from testkit.render_readback import docx_content, html_text, pdf_body_text, pdf_pages, squash

SNAPSHOT = Path(__file__).parents[1] / "snapshots" / "verslag-voorbeeld.txt"
LIST_VERSION = "co2emissiefactoren-2025"


def _free_text(field: str) -> list[tuple[str, str]]:
    """The lines of one of the traveller's answers as (kind, text), bullets without '- '."""
    return [
        ("item", line[2:]) if line.startswith("- ") else ("paragraph", line)
        for line in EXAMPLE_FREE_TEXT[field].split("\n")
    ]


def _with_intro(lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Mark the first line as the introduction of the list after it."""
    (_, first), *rest = lines
    return [("intro", first), *rest]


#: What the form says for the example trip, question by question: (kind, text) per block line.
EXPECTED: list[tuple[str, list[tuple[str, str]]]] = list(
    zip(
        FORM_QUESTIONS,
        [
            [("paragraph", "1 persoon")],
            [("paragraph", "2,5 dag (zondagavond 27 april t/m dinsdag 29 april 2025)")],
            [("paragraph", "Vliegtuig")],
            [("paragraph", "Nvt (treinreis naar Wenen is ca. 12,5 uur).")],
            [("paragraph", "1.919 km met vliegtuig (retour), ca. 330 kg CO2-uitstoot")],
            _free_text("purpose"),
            _free_text("locations"),
            _free_text("people_met"),
            _free_text("results"),
            _with_intro(_free_text("follow_up")),
        ],
        strict=True,
    )
)

EXPECTED_CLOSING = [
    ["Opgesteld door", "J. de Vries"],
    ["Afdeling", "Digitale Stad"],
    ["Datum verslag", "woensdag 30 april 2025"],
    ["Emissiefactorenlijst", LIST_VERSION],
    [
        "Emissiefactor vliegtuig",
        "0,172 kg CO2e per passagierskilometer (700-2500 km)",
    ],
]


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    """The example as Word document."""
    return render_docx(example_report())


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    """The example as PDF."""
    return render_pdf(example_report())


def test_plain_text_matches_the_committed_snapshot() -> None:
    assert render_text(example_report()) == SNAPSHOT.read_text(encoding="utf-8")


def test_plain_text_has_the_form_layout() -> None:
    text = render_text(example_report())
    blocks = text.split("\n\n")
    assert blocks[0] == TITLE
    for question, lines in EXPECTED:
        start = text.index(question + "\n")
        answer_start = start + len(question) + 1
        for _, line in lines:
            assert line in text[answer_start:]
    assert "- Wenen: Verkenning uitwisseling" in text
    assert text.endswith(
        "Opgesteld door: J. de Vries\nAfdeling: Digitale Stad\n"
        "Datum verslag: woensdag 30 april 2025\n"
        f"Emissiefactorenlijst: {LIST_VERSION}\n"
        "Emissiefactor vliegtuig: 0,172 kg CO2e per passagierskilometer "
        "(700-2500 km)\n"
    )


def _docx_sections(paragraphs: list[tuple[str, str]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Group Word paragraphs under their 'Heading 1' question."""
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    for style, text in paragraphs:
        if style == "Heading 1":
            sections.append((text, []))
        elif sections and text:
            sections[-1][1].append((style, text))
    return sections


_DOCX_STYLE = {"paragraph": "Normal", "item": "List Bullet", "intro": INTRO_STYLE}


def test_docx_reads_like_the_form_heading_by_heading(docx_bytes: bytes) -> None:
    content = docx_content(docx_bytes)
    assert content.paragraphs[0] == ("Title", TITLE)
    expected = [
        (question, [(_DOCX_STYLE[kind], text) for kind, text in lines])
        for question, lines in EXPECTED
    ]
    assert _docx_sections(content.paragraphs) == expected


def test_docx_bullets_are_word_list_items_not_dashes(docx_bytes: bytes) -> None:
    content = docx_content(docx_bytes)
    bullets = [text for style, text in content.paragraphs if style == "List Bullet"]
    assert len(bullets) == 9
    assert not any(text.lstrip().startswith(("-", "•")) for _, text in content.paragraphs)
    style = content.document.styles["List Bullet"]
    num_id = style.element.pPr.numPr.numId.val
    numbering = content.document.part.numbering_part.element
    (num,) = [n for n in numbering.num_lst if n.numId == num_id]
    abstract_id = num.abstractNumId.val
    (abstract,) = [
        a
        for a in numbering.findall(_w("abstractNum"))
        if a.get(_w("abstractNumId")) == str(abstract_id)
    ]
    level_0 = abstract.find(_w("lvl"))
    assert level_0.find(_w("numFmt")).get(_w("val")) == "bullet"


def _w(tag: str) -> str:
    """A WordprocessingML qualified name."""
    return "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}" + tag


def test_docx_has_letterhead_closing_block_and_footer(docx_bytes: bytes) -> None:
    content = docx_content(docx_bytes)
    assert content.header == "Gemeente Den Haag"
    assert content.table_rows == EXPECTED_CLOSING
    assert content.footer.startswith(
        f"Gemeente Den Haag · Verslag buitenlandse dienstreis · Emissiefactorenlijst: {LIST_VERSION}"
    )
    footer_xml = content.document.sections[0].footer._element.xml
    assert 'w:instr="PAGE"' in footer_xml
    assert 'w:instr="NUMPAGES"' in footer_xml
    section = content.document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)


def test_pdf_reads_like_the_form_heading_by_heading(pdf_bytes: bytes) -> None:
    body = pdf_body_text(pdf_bytes)
    assert body.startswith(f"Gemeente Den Haag {TITLE} {FORM_QUESTIONS[0]} ")
    positions = [body.index(question) for question, _ in EXPECTED]
    assert positions == sorted(positions)
    closing_start = body.index("Opgesteld door")
    ends = [*positions[1:], closing_start]
    for (question, lines), start, end in zip(EXPECTED, positions, ends, strict=True):
        answer = body[start + len(question) : end].strip()
        assert answer == " ".join(text for _, text in lines), question
    closing = body[closing_start:]
    assert closing == " ".join(" ".join(row) for row in EXPECTED_CLOSING)


def test_pdf_is_a4_with_embedded_fonts_and_numbered_footers(pdf_bytes: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf_bytes))
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object()
    pages = pdf_pages(pdf_bytes)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Emissiefactorenlijst: {LIST_VERSION} Pagina {number} van {len(pages)}" in page
    assert reader.metadata is not None and reader.metadata.title == TITLE


def test_html_is_a_standalone_page_with_the_form_structure() -> None:
    html = render_html(example_report())
    text, tags = html_text(html)
    assert html.startswith("<!DOCTYPE html>")
    assert tags.count("h1") == 1 and tags.count("h2") == len(FORM_QUESTIONS)
    assert tags.count("li") == 9
    assert "<link" not in html and 'src="http' not in html
    assert squash(text).startswith(
        squash(f"Gemeente Den Haag {TITLE} {FORM_QUESTIONS[0]} 1 persoon")
    )


def test_regenerated_word_template_renders_the_same_document(tmp_path: Path) -> None:
    fresh = build_docx_template(tmp_path / "verslag.docx")
    committed = docx_content(render_docx(example_report()))
    regenerated = docx_content(render_docx(example_report(), template=fresh))
    assert regenerated.paragraphs == committed.paragraphs
    assert regenerated.table_rows == committed.table_rows
    assert (regenerated.header, regenerated.footer) == (committed.header, committed.footer)
    assert DOCX_TEMPLATE.parent == TEMPLATES_DIR


@pytest.mark.parametrize(
    ("name", "ext", "expected"),
    [
        ("Wenen", "docx", "verslag-dienstreis-2025-04-27-wenen.docx"),
        ("Genève", ".pdf", "verslag-dienstreis-2025-04-27-geneve.pdf"),
        ("'s-Hertogenbosch", "txt", "verslag-dienstreis-2025-04-27-s-hertogenbosch.txt"),
        ("Zürich / Köln", "html", "verslag-dienstreis-2025-04-27-zurich-koln.html"),
        ("東京", "docx", "verslag-dienstreis-2025-04-27-bestemming.docx"),
    ],
)
def test_document_filename_uses_date_and_ascii_slug_of_first_destination(
    name: str, ext: str, expected: str
) -> None:
    report = example_report(destinations=[Place(name=name, country="")])
    assert document_filename(report, ext) == expected


def test_a_very_long_destination_gives_a_file_name_the_disk_accepts(tmp_path: Path) -> None:
    name = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch " * 12
    report = example_report(destinations=[Place(name=name, country="")])
    filename = document_filename(report, "docx")
    assert filename.startswith("verslag-dienstreis-2025-04-27-llanfair") and len(filename) <= 100
    assert not filename.removesuffix(".docx").endswith("-")
    paths = write_documents(report, tmp_path, ("txt",))
    assert paths[0].read_text(encoding="utf-8") == render_text(report)


@pytest.mark.parametrize(("umask", "mode"), [(0o027, 0o640), (0o077, 0o600), (0o022, 0o644)])
def test_written_documents_follow_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    previous = os.umask(umask)
    try:
        (path,) = write_documents(example_report(), tmp_path, ("txt",))
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == mode


def test_write_documents_writes_every_format(tmp_path: Path) -> None:
    report = example_report()
    paths = write_documents(report, tmp_path / "uit")
    assert [p.name for p in paths] == [
        f"verslag-dienstreis-2025-04-27-wenen.{ext}" for ext in ("docx", "pdf", "txt", "html")
    ]
    docx_path, pdf_path, txt_path, html_path = paths
    assert txt_path.read_text(encoding="utf-8") == render_text(report)
    assert html_path.read_text(encoding="utf-8") == render_html(report)
    assert docx_content(docx_path.read_bytes()).paragraphs[0] == ("Title", TITLE)
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in (tmp_path / "uit").iterdir()) == sorted(p.name for p in paths)


def test_write_documents_writes_only_the_formats_asked(tmp_path: Path) -> None:
    paths = write_documents(example_report(), tmp_path, formats=["txt", "DOCX"])
    assert [p.suffix for p in paths] == [".txt", ".docx"]


def test_write_documents_refuses_an_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="odt"):
        write_documents(example_report(), tmp_path, formats=["txt", "odt"])
    assert list(tmp_path.iterdir()) == []


def test_letterhead_names_another_organisation_and_carries_a_logo(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 40), (0, 96, 58)).save(logo)
    letterhead = Letterhead(organisation="Gemeente Voorbeeld", logo=logo)
    report = example_report()
    page = render_html(report, letterhead)
    assert '<img class="logo" src="data:image/png;base64,' in page
    assert html_text(page)[0].lstrip().startswith("Gemeente Voorbeeld")
    pdf = render_pdf(report, letterhead)
    first_page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert len(first_page.images) == 1
    assert pdf_body_text(pdf).startswith(f"Gemeente Voorbeeld {TITLE}")
    assert docx_content(render_docx(report, letterhead)).header == "Gemeente Voorbeeld"


def test_group_report_says_km_are_per_person_and_co2_is_for_the_whole_party(
    tmp_path: Path,
) -> None:
    single = example_report()
    line = single.emissions[0]
    group = example_report(
        persons=3,
        emissions=[line.model_copy(update={"kg_co2e": line.kg_co2e * 3, "units": line.units * 3})],
    )
    km, kg = round(line.km), round(line.kg_co2e * 3)
    km_text, kg_text = format_number(km, 0), format_number(kg, 0)  # Dutch thousands: 1.919
    wording = (
        f"{km_text} km per persoon met vliegtuig (retour), "
        f"ca. {kg_text} kg CO2-uitstoot voor de 3 personen samen"
    )
    assert wording in render_text(group)
    docx_text = "\n".join(text for _, text in docx_content(render_docx(group)).paragraphs)
    assert wording in docx_text
    assert squash(wording) in squash(pdf_body_text(render_pdf(group)))
    chat = "\n".join(render_chat_summary(group))
    assert wording in chat
    assert group.totals_text() == (
        f"{km_text} km per persoon, ca. {kg_text} kg CO2e voor de 3 personen samen"
    )
    assert "per persoon" not in render_text(single) and "samen" not in single.totals_text()

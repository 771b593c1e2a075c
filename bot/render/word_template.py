"""Builds the Word template `templates/verslag.docx`: a .docx with Jinja tags for docxtpl.

Run `scripts/make_docx_template.py` to regenerate it. The result is an ordinary Word
document: the secretariat can change fonts, colours, the letterhead or add a logo in
Word, as long as the `{{ ... }}` and `{%p ... %}` tags stay in their own paragraphs.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph

__all__ = ["INTRO_STYLE", "build_docx_template"]

#: Paragraph style of a paragraph that introduces a bullet list (kept with the list).
INTRO_STYLE = "Inleiding opsomming"

_FONT = "Arial"
_ACCENT = RGBColor(0x00, 0x60, 0x3A)
_GREY = RGBColor(0x5A, 0x5A, 0x5A)
_TEXT = RGBColor(0x1D, 0x1D, 0x1B)
_TEXT_WIDTH = Cm(21.0 - 2.5 - 2.2)


def build_docx_template(path: Path) -> Path:
    """Write the Word template with its styles, letterhead, body tags, closing block, footer."""
    document = Document()
    _set_up_page(document)
    _set_up_styles(document)
    _add_letterhead(document)
    _add_body(document)
    _add_closing_block(document)
    _add_footer(document)
    document.core_properties.title = "Verslag buitenlandse dienstreis"
    document.core_properties.author = "Gemeente Den Haag"
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def _set_up_page(document: WordDocument) -> None:
    """A4 with the margins of a municipal letter."""
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.4)
    section.left_margin, section.right_margin = Cm(2.5), Cm(2.2)
    section.header_distance, section.footer_distance = Cm(1.2), Cm(1.1)


def _style_font(
    style: ParagraphStyle, size: float, bold: bool = False, color: RGBColor = _TEXT
) -> None:
    """One font for a style, overriding the theme fonts of the default template."""
    style.font.name = _FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = color
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme_attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme_attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), _FONT)


def _set_up_styles(document: WordDocument) -> None:
    """Normal text, title, question headings, bullets and the intro paragraph."""
    styles = document.styles
    normal = styles["Normal"]
    _style_font(normal, 10)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.15

    title = styles["Title"]
    _style_font(title, 15, bold=True)
    border = title.element.pPr.find(qn("w:pBdr"))
    if border is not None:
        title.element.pPr.remove(border)
    title.paragraph_format.space_before = Pt(12)
    title.paragraph_format.space_after = Pt(18)
    title.font.all_caps = False
    _set_character_spacing(title, 10)

    heading = styles["Heading 1"]
    _style_font(heading, 10, bold=True, color=_ACCENT)
    heading.paragraph_format.space_before = Pt(14)
    heading.paragraph_format.space_after = Pt(3)
    heading.paragraph_format.keep_with_next = True

    for name in ("List Bullet", "List Bullet 2"):
        bullet = styles[name]
        _style_font(bullet, 10)
        bullet.paragraph_format.space_after = Pt(3)

    intro = styles.add_style(INTRO_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    intro.base_style = normal
    intro.quick_style = True
    intro.paragraph_format.keep_with_next = True

    for name in ("Header", "Footer"):
        _style_font(styles[name], 7.5, color=_GREY)


def _set_character_spacing(style: ParagraphStyle, twentieths_of_a_point: int) -> None:
    """Letter spacing of a style (w:spacing in the run properties)."""
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(twentieths_of_a_point))
    style.element.get_or_add_rPr().append(spacing)


def _add_bottom_border(paragraph: Paragraph, color: str, size_eighths: int) -> None:
    """A rule under a paragraph."""
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", str(size_eighths)), ("space", "4")):
        bottom.set(qn(f"w:{key}"), value)
    bottom.set(qn("w:color"), color)
    borders.append(bottom)
    properties.append(borders)


def _add_letterhead(document: WordDocument) -> None:
    """The organisation's name in the page header, with a rule under it."""
    header = document.sections[0].header
    paragraph = header.paragraphs[0]
    paragraph.style = document.styles["Header"]
    run = paragraph.add_run("{{ view.organisation }}")
    run.font.size = Pt(14)
    run.font.bold = True
    run.font.color.rgb = _ACCENT
    _add_bottom_border(paragraph, "00603A", 12)
    paragraph.paragraph_format.space_after = Pt(0)


def _add_body(document: WordDocument) -> None:
    """The title and, per question, its heading and the answer's paragraphs and bullets."""
    add = document.add_paragraph
    add("{{ view.title }}", style="Title")
    add("{%p for section in view.sections %}")
    add("{{ section.question }}", style="Heading 1")
    add("{%p for block in section.blocks %}")
    add("{%p if block.is_list %}")
    add("{%p for item in block.items %}")
    add("{{ item.text }}", style="List Bullet")
    add("{%p for child in item.children %}")
    add("{{ child }}", style="List Bullet 2")
    add("{%p endfor %}")
    add("{%p endfor %}")
    add("{%p elif block.intro %}")
    # Direct keep-with-next as well: LibreOffice ignores it when only the style sets it.
    add("{{ block.text }}", style=INTRO_STYLE).paragraph_format.keep_with_next = True
    add("{%p else %}")
    add("{{ block.text }}", style="Normal")
    add("{%p endif %}")
    add("{%p endfor %}")
    add("{%p endfor %}")


def _add_closing_block(document: WordDocument) -> None:
    """Traveller, department, report date and emission factors as a borderless table."""
    rule = document.add_paragraph()
    rule.paragraph_format.space_before = Pt(18)
    rule.paragraph_format.space_after = Pt(6)
    rule.paragraph_format.keep_with_next = True
    _add_bottom_border(rule, "B5B5B5", 4)
    table = document.add_table(rows=3, cols=2)
    table.autofit = False
    widths = (Cm(4.5), _TEXT_WIDTH - Cm(4.5))
    for grid_column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        grid_column.w = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    table.cell(0, 0).paragraphs[0].add_run("{%tr for line in view.closing %}")
    label = table.cell(1, 0).paragraphs[0].add_run("{{ line.label }}")
    label.font.color.rgb = _GREY
    label.font.size = Pt(8.5)
    value = table.cell(1, 1).paragraphs[0].add_run("{{ line.value }}")
    value.font.size = Pt(8.5)
    table.cell(2, 0).paragraphs[0].add_run("{%tr endfor %}")
    for cell in table.columns[0].cells + table.columns[1].cells:
        cell.paragraphs[0].paragraph_format.space_after = Pt(1)
    # Word wants a paragraph after a table at the end of the body.
    document.add_paragraph().paragraph_format.space_after = Pt(0)


def _add_field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _add_footer(document: WordDocument) -> None:
    """Organisation, document kind and emission factor list left; page numbers right."""
    footer = document.sections[0].footer
    paragraph = footer.paragraphs[0]
    paragraph.style = document.styles["Footer"]
    paragraph.paragraph_format.tab_stops.clear_all()
    paragraph.paragraph_format.tab_stops.add_tab_stop(_TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    paragraph.add_run(
        "{{ view.organisation }} · Verslag buitenlandse dienstreis · "
        "Emissiefactorenlijst: {{ view.list_version }}\tPagina "
    )
    _add_field(paragraph, "PAGE")
    paragraph.add_run(" van ")
    _add_field(paragraph, "NUMPAGES")

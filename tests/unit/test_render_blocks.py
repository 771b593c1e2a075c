"""Answer text -> paragraphs and bullet lists, the one parser behind every format."""

from __future__ import annotations

from bot.render import BulletItem, BulletList, Paragraph, answer_blocks


def test_lines_are_paragraphs_and_blank_lines_vanish() -> None:
    assert answer_blocks("Eerste alinea.\n\n  Tweede alinea.  \n") == [
        Paragraph("Eerste alinea."),
        Paragraph("Tweede alinea."),
    ]


def test_consecutive_bullets_form_one_list_and_an_intro_is_marked() -> None:
    text = "Afspraken:\n- Wenen: kennis delen\n• Dublin: drones\nTot slot een alinea."
    assert answer_blocks(text) == [
        Paragraph("Afspraken:", intro=True),
        BulletList((BulletItem("Wenen: kennis delen"), BulletItem("Dublin: drones"))),
        Paragraph("Tot slot een alinea."),
    ]


def test_a_colon_without_a_list_after_it_is_no_intro() -> None:
    assert answer_blocks("Let op:\nGeen lijst.") == [Paragraph("Let op:"), Paragraph("Geen lijst.")]


def test_indented_bullets_are_sub_items_of_the_item_above() -> None:
    text = "- Steden:\n  - Wenen\n\t- Bratislava\n- Thema's"
    assert answer_blocks(text) == [
        BulletList((BulletItem("Steden:", children=("Wenen", "Bratislava")), BulletItem("Thema's")))
    ]


def test_an_indented_bullet_without_a_parent_is_a_top_level_item() -> None:
    assert answer_blocks("  - Alleen") == [BulletList((BulletItem("Alleen"),))]


def test_dashes_that_are_no_bullet_marker_stay_text() -> None:
    assert answer_blocks("-5 graden\n- \n--- einde") == [
        Paragraph("-5 graden"),
        Paragraph("-"),
        Paragraph("--- einde"),
    ]


def test_separate_lists_stay_separate() -> None:
    blocks = answer_blocks("- a\nTussentekst\n- b")
    assert blocks == [
        BulletList((BulletItem("a"),)),
        Paragraph("Tussentekst"),
        BulletList((BulletItem("b"),)),
    ]


def test_windows_line_ends_and_control_characters_are_cleaned() -> None:
    assert answer_blocks("a\x00b\r\n- c\x07\rd\x0c") == [
        Paragraph("ab"),
        BulletList((BulletItem("c"),)),
        Paragraph("d"),
    ]


def test_inner_spacing_and_markup_are_kept_literally() -> None:
    assert answer_blocks("{{ 7*7 }}  <b>x</b> &amp;") == [Paragraph("{{ 7*7 }}  <b>x</b> &amp;")]


def test_empty_answer_has_no_blocks() -> None:
    assert answer_blocks(" \n\n") == []

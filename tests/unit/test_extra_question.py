"""Adding a question is one entry: a test-only question list with one more question shows it
asked, stored, listed in the review and printed on every document, with no other change."""

from __future__ import annotations

from functools import cache

import pytest

from bot.config import Settings
from bot.dialogs import Interview, InterviewState, Reply
from bot.dialogs.machine import mermaid_diagram, transition_count
from bot.dialogs.questions import QUESTIONNAIRE, QUESTIONS, Context, Question, Questionnaire
from bot.render import render_chat_summary, render_docx, render_pdf, render_text
from bot.report import FORM_QUESTIONS, Report, Traveller
from bot.travel import TravelCalculator
from testkit.example_trip import EXAMPLE_ANSWERS, EXAMPLE_NOW, example_messages
from testkit.render_readback import docx_content, pdf_body_text, squash

COSTS_HEADING = "WAT HEEFT DE REIS GEKOST?"
COSTS = "Ca. 900 euro: vlucht, hotel en congresbijdrage."


def _costs(text: str, _: Context) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise ValueError("Typ de kosten, bijvoorbeeld ‘ca. 900 euro’.")
    return cleaned


COSTS_QUESTION = Question(
    key="costs",
    label="Kosten",
    prompt="Wat heeft de reis ongeveer gekost?",
    parse=_costs,
    value_type=str,
    optional=True,
    form_heading=COSTS_HEADING,
)


@pytest.fixture(scope="module")
def questions() -> Questionnaire:
    """The product's questions plus one, asked in the middle: after the results."""
    return QUESTIONNAIRE.with_question(COSTS_QUESTION, after="results")


@cache
def trip() -> TravelCalculator:
    """The real travel calculator with the default settings."""
    return TravelCalculator.from_settings(Settings(_env_file=None))  # type: ignore[call-arg]


def play(
    questions: Questionnaire, messages: list[str], state: InterviewState | None = None
) -> tuple[Interview, Reply]:
    """Send each message, storing and restoring the interview as JSON before every one."""
    interview = Interview(trip(), EXAMPLE_NOW, state=state, questions=questions)
    reply = interview.start()
    for message in messages:
        json = interview.state_data().model_dump_json()
        interview = Interview(
            trip(),
            EXAMPLE_NOW,
            state=InterviewState.model_validate_json(json),
            user_ref="test:1",
            questions=questions,
        )
        reply = interview.handle(message)
    return interview, reply


def answers_with_costs(costs: str = COSTS) -> dict[str, str]:
    """The example trip's answers, and one for the extra question."""
    return {**EXAMPLE_ANSWERS, "costs": costs}


def test_the_extra_question_is_asked_in_its_place(questions: Questionnaire) -> None:
    _, reply = play(questions, example_messages(until="costs", questions=questions))
    assert reply.prompt is not None
    assert reply.prompt.key == "costs"
    assert reply.prompt.text == "Wat heeft de reis ongeveer gekost?"
    assert reply.prompt.progress == "Vraag 10", "after the nine example questions before it"
    _, reply = play(questions, [*example_messages(until="costs", questions=questions), "  "])
    assert reply.messages == ["Typ de kosten, bijvoorbeeld ‘ca. 900 euro’."]
    assert reply.prompt is not None and reply.prompt.key == "costs", "asked again"


def test_the_answer_is_stored_and_listed_in_the_review(questions: Questionnaire) -> None:
    messages = example_messages(until="review", answers=answers_with_costs(), questions=questions)
    interview, reply = play(questions, messages)
    assert interview.state == "review"
    assert interview.state_data().answers["costs"] == COSTS
    assert reply.prompt is not None
    assert f"Kosten: {COSTS}" in reply.prompt.text
    assert ("wijzig:costs", "✏️ Kosten") in [(c.value, c.label) for c in reply.prompt.choices]
    labels = [c.label for c in reply.prompt.choices]
    assert labels.index("✏️ Kosten") == labels.index("✏️ Opbrengst") + 1, "in question order"


def test_the_answer_can_be_edited_from_the_review(questions: Questionnaire) -> None:
    messages = example_messages(until="review", answers=answers_with_costs(), questions=questions)
    interview, _ = play(questions, messages)
    interview, reply = play(questions, ["wijzig:costs"], interview.state_data())
    assert reply.prompt is not None and reply.prompt.key == "costs"
    assert reply.prompt.current_answer == COSTS
    interview, reply = play(questions, ["Ca. 1.100 euro."], interview.state_data())
    assert interview.state == "review"
    assert reply.prompt is not None and "Kosten: Ca. 1.100 euro." in reply.prompt.text
    interview, reply = play(questions, ["terug"], interview.state_data())
    assert reply.prompt is not None and reply.prompt.key == "costs", "back to the edited answer"


def finished_report(questions: Questionnaire, costs: str | None = COSTS) -> Report:
    """The example trip with the extra question answered (or skipped), sent and confirmed."""
    answers = answers_with_costs(costs) if costs else {**EXAMPLE_ANSWERS, "costs": "overslaan"}
    _, reply = play(questions, example_messages(answers=answers, questions=questions))
    assert reply.report is not None
    return reply.report


def test_the_answer_is_printed_after_the_forms_ten_questions(questions: Questionnaire) -> None:
    report = finished_report(questions)
    plain, _ = play(QUESTIONNAIRE, example_messages())
    assert plain.finished
    official = plain.build_report().form_answers()
    answers = report.form_answers()
    assert [a.question for a in answers] == [*FORM_QUESTIONS, COSTS_HEADING]
    assert answers[:10] == official, "the official form is as it was"
    assert answers[10].text == COSTS
    text = render_text(report)
    assert f"{FORM_QUESTIONS[-1]}\n" in text
    assert f"\n{COSTS_HEADING}\n{COSTS}\n" in text
    assert text.index(COSTS_HEADING) > text.index(FORM_QUESTIONS[-1])
    word = docx_content(render_docx(report))
    paragraphs = [text for _, text in word.paragraphs]
    assert paragraphs[paragraphs.index(COSTS_HEADING) + 1] == COSTS
    pdf = squash(pdf_body_text(render_pdf(report)))
    assert squash(f"{COSTS_HEADING}{COSTS}") in pdf
    assert pdf.index(squash(COSTS_HEADING)) > pdf.index(squash(FORM_QUESTIONS[-1]))
    assert COSTS in "\n".join(render_chat_summary(report))


def test_a_skipped_extra_question_reads_nvt(questions: Questionnaire) -> None:
    report = finished_report(questions, costs=None)
    assert report.form_answers()[-1].model_dump() == {"question": COSTS_HEADING, "text": "Nvt."}


def test_a_report_without_extra_answers_reads_as_before() -> None:
    restored = Report.model_validate_json(
        finished_report(QUESTIONNAIRE.with_question(COSTS_QUESTION, after="results"))
        .model_copy(update={"extra_answers": []})
        .model_dump_json(exclude={"extra_answers"})
    )
    assert [a.question for a in restored.form_answers()] == list(FORM_QUESTIONS)


def test_the_diagram_and_the_machine_grow_by_one_question(questions: Questionnaire) -> None:
    diagram = mermaid_diagram(questions)
    assert "results --> costs: advance" in diagram
    assert "costs --> has_follow_up: advance" in diagram
    assert "results --> has_follow_up" not in diagram
    # advance, back and restart leave every open state once, edit leaves the review.
    for question_list in (QUESTIONNAIRE, questions):
        open_states = len(question_list.keys()) + 2
        assert transition_count(question_list) == 3 * open_states + 1


def test_every_question_reaches_the_report() -> None:
    used_by_later = {key for q in QUESTIONS for key in q.depends_on}
    for question in QUESTIONS:
        assert (
            question.key in Report.model_fields
            or question.key in Traveller.model_fields
            or question.key in used_by_later
            or question.form_heading
        ), f"the answer to {question.key!r} reaches no document"

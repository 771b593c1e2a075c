"""The interview's state machine, generated from the question list (pytransitions).

One machine serves every interview: its events are fired on an interview's state
object without attaching it as a model, so a thousand open drafts cost a thousand
small state objects, not a thousand machines (nor the cost of attaching each).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, Protocol

from transitions import EventData, Machine

from bot.dialogs.questions import QUESTIONS, Question

__all__ = ["CONFIRM", "DONE", "REVIEW", "Asker", "fire", "mermaid_diagram", "state_names"]

REVIEW = "review"
CONFIRM = "confirm"
DONE = "done"


class Asker(Protocol):
    """What the machine's guards ask of the interview."""

    state: str

    def should_ask(self, key: str) -> bool:
        """Whether the question `key` still needs an answer now."""
        ...


def _should_ask(key: str) -> Callable[[EventData], bool]:
    def guard(event: EventData) -> bool:
        model: Asker = event.model  # type: ignore[assignment]
        return model.should_ask(key)

    guard.__name__ = f"needs_{key}"
    return guard


def state_names(questions: Sequence[Question] = QUESTIONS) -> list[str]:
    """Every state: one per question, then review, confirm and done."""
    return [q.key for q in questions] + [REVIEW, CONFIRM, DONE]


def _transitions(questions: Sequence[Question]) -> list[dict[str, Any]]:
    """`advance` goes to the first later question that still needs an answer, else to review;
    `goto_<state>` jumps anywhere (back, or edit from the review)."""
    order = [q.key for q in questions] + [REVIEW]
    result: list[dict[str, Any]] = []
    for index, source in enumerate(order[:-1]):
        for target in order[index + 1 : -1]:
            result.append(
                {
                    "trigger": "advance",
                    "source": source,
                    "dest": target,
                    "conditions": [_should_ask(target)],
                }
            )
        result.append({"trigger": "advance", "source": source, "dest": REVIEW})
    result.append({"trigger": "advance", "source": REVIEW, "dest": CONFIRM})
    result.append({"trigger": "advance", "source": CONFIRM, "dest": DONE})
    open_states = [*order, CONFIRM]
    for target in open_states:
        result.append({"trigger": f"goto_{target}", "source": open_states, "dest": target})
    return result


@cache
def _machine(questions: tuple[Question, ...]) -> Machine:
    return Machine(
        model=None,
        states=state_names(questions),
        transitions=_transitions(questions),
        initial=questions[0].key,
        auto_transitions=False,
        send_event=True,
        model_override=False,
    )


def fire(model: Asker, trigger: str, questions: tuple[Question, ...] = QUESTIONS) -> bool:
    """Run one trigger of the shared machine on `model` (which is never attached to it)."""
    return bool(_machine(questions).events[trigger].trigger(model))


def _drawn_transitions(questions: tuple[Question, ...]) -> list[dict[str, Any]]:
    """The `advance` transitions of a first pass: a question is skipped only when it does
    not apply. Edges that skip already answered questions, and the `goto_` jumps of back
    and edit, are left out of the picture."""
    unconditional = {q.key for q in questions if q.applies.__name__ == "_always"}
    order = [q.key for q in questions] + [REVIEW]
    drawn = []
    for transition in _transitions(questions):
        if transition["trigger"] != "advance":
            continue
        source, dest = transition["source"], transition["dest"]
        if source in order and dest in order:
            between = order[order.index(source) + 1 : order.index(dest)]
            if unconditional.intersection(between):
                continue
        drawn.append(transition)
    return drawn


class _Drawing:
    """A stand-in model: the diagram needs one, its guards are never called."""

    state = ""


def mermaid_diagram(questions: tuple[Question, ...] = QUESTIONS) -> str:
    """The interview as a Mermaid state diagram, drawn from the machine's own transitions."""
    from transitions.extensions import GraphMachine

    graph = GraphMachine(
        model=_Drawing(),
        states=state_names(questions),
        transitions=_drawn_transitions(questions),
        initial=questions[0].key,
        auto_transitions=False,
        send_event=True,
        graph_engine="mermaid",
        show_conditions=True,
        title="reisverslag interview",
    )
    return str(graph.get_graph().draw(None))

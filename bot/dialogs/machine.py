"""The interview's state machine (pytransitions): one state per question, then review, confirm, done.

Twenty-one declared transitions (55 counted per source state) carry the whole flow:

- `advance` walks the question order one step at a time, then review, confirm and done.
  A question state entered by `advance` whose question does not need asking (its guard
  from `QUESTIONS`: it applies and has no answer yet) passes straight on.
- `back` and `edit` jump to the state the caller names (`to=`): back to where the history
  says (from the confirmation that is the review), or from the review to the answer the
  traveller wants to change. `restart` goes to the first question.
- Callbacks on the model keep the rest: `remember` pushes the state left behind onto the
  history (before `advance` and `edit`), `leave_question` forgets a question's pending
  offer when the interview moves on, `forget_history` clears it on a restart.

One machine serves every interview of a question list: its events are fired on an
interview object without attaching it as a model, so a thousand open drafts cost a
thousand small objects, not a thousand machines.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from itertools import pairwise
from typing import Any, Protocol

from transitions import EventData, Machine, Transition

from bot.dialogs.questions import QUESTIONNAIRE, Questionnaire

__all__ = [
    "CONFIRM",
    "DONE",
    "REVIEW",
    "Asker",
    "fire",
    "mermaid_diagram",
    "state_names",
    "transition_count",
]

REVIEW = "review"
CONFIRM = "confirm"
DONE = "done"
#: The destination of a jump: the state named by the trigger's `to=` argument.
CHOSEN = "chosen"


class Asker(Protocol):
    """What the machine's guards and callbacks ask of the interview (its model)."""

    state: str

    def should_ask(self, key: str) -> bool:
        """Whether the question `key` still needs an answer now."""
        ...

    def remember(self, event: EventData) -> None:
        """Push the state being left onto the back history."""
        ...

    def leave_question(self, event: EventData) -> None:
        """Forget what was offered at the question being left."""
        ...

    def forget_history(self, event: EventData) -> None:
        """Start the back history afresh."""
        ...


class _Transition(Transition):
    """A transition; one whose destination is `CHOSEN` goes to the state given as `to=`."""

    def _change_state(self, event_data: EventData) -> None:
        if self.dest != CHOSEN:
            super()._change_state(event_data)
            return
        machine = event_data.machine
        target = event_data.kwargs["to"]
        machine.get_state(self.source).exit(event_data)
        machine.set_state(target, event_data.model)
        event_data.update(getattr(event_data.model, machine.model_attribute))
        machine.get_state(target).enter(event_data)


class _Machine(Machine):
    transition_cls = _Transition


def _pass_unless_needed(key: str) -> Callable[[EventData], None]:
    """The enter callback of a question's state: entered by `advance` while the question
    needs no asking (it does not apply, or it kept its answer through an edit), the
    interview moves straight on. Its guard is the question's own `applies`."""

    def enter(event: EventData) -> None:
        model: Asker = event.model  # type: ignore[assignment]
        if event.event.name == "advance" and not model.should_ask(key):
            fire(model, "advance", event.machine, passing=True)

    enter.__name__ = f"pass_unless_needs_{key}"
    return enter


def state_names(questions: Questionnaire = QUESTIONNAIRE) -> list[str]:
    """Every state: one per question, then review, confirm and done."""
    return [*questions.keys(), REVIEW, CONFIRM, DONE]


def _states(questions: Questionnaire) -> list[dict[str, Any]]:
    asked = [
        {
            "name": question.key,
            "on_enter": [_pass_unless_needed(question.key)],
            "on_exit": ["leave_question"],
        }
        for question in questions
    ]
    return [*asked, {"name": REVIEW}, {"name": CONFIRM}, {"name": DONE}]


def _transitions(questions: Questionnaire) -> list[dict[str, Any]]:
    """`advance` one step along the order; back, edit and restart jump out of it."""
    keys = questions.keys()
    order = [*keys, REVIEW, CONFIRM, DONE]
    steps = [
        {"trigger": "advance", "source": source, "dest": dest, "before": "remember"}
        for source, dest in pairwise(order)
    ]
    return [
        *steps,
        {"trigger": "back", "source": [*keys, REVIEW, CONFIRM], "dest": CHOSEN},
        {"trigger": "edit", "source": REVIEW, "dest": CHOSEN, "before": "remember"},
        {
            "trigger": "restart",
            "source": [*keys, REVIEW, CONFIRM],
            "dest": keys[0],
            "after": "forget_history",
        },
    ]


@cache
def _machine(questions: Questionnaire) -> Machine:
    return _Machine(
        model=None,
        states=_states(questions),
        transitions=_transitions(questions),
        initial=questions.keys()[0],
        auto_transitions=False,
        send_event=True,
        model_override=False,
    )


def fire(model: Asker, trigger: str, machine: Machine | None = None, **kwargs: Any) -> bool:
    """Run one trigger of the shared machine on `model` (which is never attached to it)."""
    machine = machine or _machine(getattr(model, "questions", QUESTIONNAIRE))
    return bool(machine.events[trigger].trigger(model, **kwargs))


def transition_count(questions: Questionnaire = QUESTIONNAIRE) -> int:
    """How many transitions the machine holds: one per trigger and source state."""
    events = _machine(questions).events.values()
    return sum(len(ts) for event in events for ts in event.transitions.values())


class _Drawing:
    """A stand-in model: the diagram needs one, its callbacks are never called."""

    state = ""


def mermaid_diagram(questions: Questionnaire = QUESTIONNAIRE) -> str:
    """The interview as a Mermaid state diagram, drawn from the machine's own states and
    transitions; the jumps to a chosen state (back, edit) and the restart, which lead
    anywhere, are left out of the picture."""
    from transitions.extensions import GraphMachine

    drawn = [
        t for t in _transitions(questions) if t["dest"] != CHOSEN and t["trigger"] != "restart"
    ]
    graph = GraphMachine(
        model=_Drawing(),
        states=_states(questions),
        transitions=drawn,
        initial=questions.keys()[0],
        auto_transitions=False,
        send_event=True,
        graph_engine="mermaid",
        show_state_attributes=True,
        title="reisverslag interview",
    )
    return str(graph.get_graph().draw(None))

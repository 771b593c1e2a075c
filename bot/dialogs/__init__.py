"""The interview, channel-independent: questions as data, a state machine built from them.

Pure Python: nothing here imports telegram, databases, files or settings.
"""

from bot.dialogs.errors import Choice, NeedsChoice
from bot.dialogs.interview import COMMANDS, Interview, InterviewState, Prompt, Reply
from bot.dialogs.questions import QUESTIONNAIRE, QUESTIONS, Kind, Question, Questionnaire

__all__ = [
    "COMMANDS",
    "QUESTIONNAIRE",
    "QUESTIONS",
    "Choice",
    "Interview",
    "InterviewState",
    "Kind",
    "NeedsChoice",
    "Prompt",
    "Question",
    "Questionnaire",
    "Reply",
]

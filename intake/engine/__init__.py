"""The report conversation, pure and without I/O: rules (what next), wording (replies), views (read-only models).

read(conversation, inbound, analysis, context) -> Understood   what the message asks for
advance(conversation, inbound, understood, context) -> Step    replies and events
"""

from intake.engine.context import EngineContext
from intake.engine.reading import Understood, Unread, read
from intake.engine.turn import Step, advance
from intake.engine.views import (
    asked,
    confirmation,
    current_question,
    progress,
    question_view,
    summary_rows,
    visible_answers,
)
from intake.engine.wording import SummaryRow

__all__ = [
    "EngineContext",
    "Step",
    "SummaryRow",
    "Understood",
    "Unread",
    "advance",
    "asked",
    "confirmation",
    "current_question",
    "progress",
    "question_view",
    "read",
    "summary_rows",
    "visible_answers",
]

"""The state of one report conversation: plain data, saved after every message."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from typing import Any

SUMMARY = "summary"  # the check-your-answers step
CONFIRM = "confirm_suggested"  # the step offering what was read from the description
LANGUAGE = "language"  # the language menu, open over whichever step the reporter is on
OPENING = "opening"  # the reporter's first message, kept whole: it is often the report itself


@dataclass
class Conversation:
    """Where a reporter is in the flow and everything they have said so far.

    `answers` maps a question id to {"value", "raw", "skipped", ...}: the raw text is
    kept whenever it could not be understood, so nothing a reporter says is lost.
    `ticks` holds a multi-select question's options ticked so far on a chat keyboard.
    """

    org: str
    channel: str
    language: str = "en"
    status: str = "new"  # new | active | submitted | ended
    step: str | None = None  # a question id, SUMMARY, CONFIRM, or None before the first question
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    unclear: int = 0
    menu: str | None = None  # LANGUAGE while the language menu is open
    menu_options: list[str] = field(default_factory=list)  # the languages that menu offers
    editing: bool = False  # answering a question picked from the summary
    ticks: dict[str, list[str]] = field(default_factory=dict)
    danger_evidence: list[str] = field(default_factory=list)
    # Answers read from the reporter's words, kept here until they confirm them.
    suggested: dict[str, dict[str, Any]] = field(default_factory=dict)
    suggested_after: str | None = None
    case_reference: str | None = None
    case_opened_at: str | None = None
    further_information: int = 0
    no_messages: bool = False
    ended_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Conversation:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def copy(self) -> Conversation:
        return copy.deepcopy(self)

    @property
    def asking(self) -> str | None:
        """The id of the question on the reporter's screen now: the language menu over any step, even after sending."""
        if self.menu == LANGUAGE and self.status in ("active", "submitted"):
            return LANGUAGE
        return self.step if self.status == "active" else None

    def value(self, question_id: str | None) -> Any:
        answer = self.answers.get(question_id) if question_id else None
        return None if answer is None or answer.get("skipped") else answer.get("value")

"""The state of one report conversation: plain data, saved after every message."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from typing import Any

SUMMARY = "summary"
CONFIRM = "confirm_suggested"  # the step offering what was read from the description
NAMED = ("named_here", "named_other")


@dataclass
class Conversation:
    """Where a reporter is in the flow and everything they have said so far.

    `answers` maps a question id to {"value", "raw", "skipped", ...}: the raw text is
    kept whenever it could not be understood, so nothing a reporter says is lost.
    """

    org: str
    channel: str
    language: str = "en"
    status: str = "new"  # new | active | submitted | ended
    step: str | None = None  # a question id, SUMMARY, or None before the first question
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    unclear: int = 0
    menu: str | None = None  # "language" while the language menu is open
    menu_options: list[str] = field(default_factory=list)  # the languages that menu offers
    editing: bool = False  # answering a question picked from the summary
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

    def answer(self, question_id: str) -> dict[str, Any] | None:
        return self.answers.get(question_id)

    @property
    def named(self) -> bool:
        """Whether the reporter gave their name and agreed to be contacted; skipping the question is staying anonymous."""
        return self.value("identity") in NAMED

    def value(self, question_id: str) -> Any:
        answer = self.answers.get(question_id)
        return None if answer is None else answer.get("value")

"""The state of one report conversation: plain data, saved after every message."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from typing import Any

SUMMARY = "summary"  # the check-your-answers step
CONFIRM = "confirm_suggested"  # the step offering what was read from the description
LANGUAGE = "language"  # the language menu, open over whichever step the reporter is on
RESUME = "resume_stopped"  # START's offer to carry on a report stopped a little while ago
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
    menu: str | None = None  # LANGUAGE while the language menu is open, RESUME while START's offer is
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
    # Danger was signalled mid-form: nothing more is asked until the reporter writes again.
    paused: bool = False
    paused_at: str | None = None  # the step it last paused at: once a step, so no reply can loop a reporter there
    ended_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Conversation:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    @property
    def resumable(self) -> bool:
        """Stopped while a report with something in it was being written (not after it was sent)."""
        stopped = self.status == "ended" and self.ended_reason == "stopped" and self.step is not None
        return stopped and (bool(self.case_reference) or not set(self.answers) <= {OPENING})

    @property
    def blank(self) -> bool:
        """Nothing said yet but a first message: a report START may set aside for a stopped one."""
        return self.status in ("new", "active") and not self.case_reference and set(self.answers) <= {OPENING}

    def copy(self) -> Conversation:
        return copy.deepcopy(self)

    @property
    def asking(self) -> str | None:
        """The id of the question on the reporter's screen now: a menu over any step, even after sending."""
        if self.menu in (LANGUAGE, RESUME) and self.status in ("active", "submitted"):
            return self.menu
        return self.step if self.status == "active" else None

    def value(self, question_id: str | None) -> Any:
        answer = self.answers.get(question_id) if question_id else None
        return None if answer is None or answer.get("skipped") else answer.get("value")

"""The only types that cross the channel boundary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Attachment:
    """A file the reporter sent, already stored by the channel outside the web root."""

    filename: str
    content_type: str
    size: int
    stored_path: str


@dataclass(frozen=True)
class InboundMessage:
    """One thing a reporter sent, normalised by the channel that received it.

    `sender_key` is a keyed hash of the provider's address (never the raw number);
    `reply_address` is the raw address, held only while the conversation needs it to
    reply through the outbox, and kept on a case only when the reporter agrees.
    `message_ref` is the provider's id of this message in the reporter's chat, for a door
    that can later erase it (Telegram's quick exit). `answers_question` is the question a
    button press answers, so a button left on an old question cannot answer a later one.
    """

    org: str
    channel: str
    sender_key: str
    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    provider_id: str | None = None
    locale_hint: str | None = None
    reply_address: str | None = None
    message_ref: str | None = None
    answers_question: str | None = None
    received_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class Choice:
    """One answer a reporter can pick: `value` is the stable id, `label` is in their language."""

    value: str
    label: str


@dataclass(frozen=True)
class OutboundMessage:
    """One reply, already in the reporter's language.

    `kind` tells a door how to show it: "question" carries `choices` (and `multi`),
    "danger" is the 999 advice that always comes first, "notice" is plain information.
    """

    text: str
    kind: str = "notice"
    question_id: str | None = None
    question_kind: str | None = None
    choices: tuple[Choice, ...] = ()
    multi: bool = False
    skippable: bool = True
    language: str | None = None  # the catalog code the text is in

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "kind": self.kind,
            "question_id": self.question_id,
            "question_kind": self.question_kind,
            "choices": [[c.value, c.label] for c in self.choices],
            "multi": self.multi,
            "skippable": self.skippable,
            "language": self.language,
        }

    @classmethod
    def from_dict(cls, data: dict) -> OutboundMessage:
        return cls(
            text=data["text"],
            kind=data.get("kind", "notice"),
            question_id=data.get("question_id"),
            question_kind=data.get("question_kind"),
            choices=tuple(Choice(v, label) for v, label in data.get("choices", [])),
            multi=data.get("multi", False),
            skippable=data.get("skippable", True),
            language=data.get("language"),
        )

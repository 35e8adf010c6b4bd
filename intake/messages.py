"""The only types that cross the boundary between the doors and the core.

The engine speaks in structured questions (`Question`, carried by an `OutboundMessage`);
a door that can show buttons or a page answers in structured answers (`Answer`,
`Toggle`, `Command`), each naming the question it answers. Text doors send the words
as typed, and the core reads them with one parser per question kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

# Words that work at every step. Yes, no and send are answers, not commands.
COMMANDS = ("help", "back", "skip", "language", "status", "stop", "start", "exit", "new")
# Why a file a reporter sent was not kept; each has its own words in the flow's messages.
FILE_REFUSALS = ("too_many", "too_big", "wrong_kind", "not_fetched")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Attachment:
    """A file the reporter sent, already stored by the door outside the web root."""

    filename: str
    content_type: str
    size: int
    stored_path: str


@dataclass(frozen=True)
class DoorTraits:
    """What the conversation knows of a door: facts its questions and words may branch on, nothing more.

    `address` is what identifies a reporter on the door ("phone", "account" or "none"):
    a door with an address can offer "contact me here". `title` is the door's name as
    reporters know it ("Telegram"), for words such as "contact me on Telegram".
    """

    name: str
    title: str = ""
    address: str = "none"
    # The replies go to a person who passes them on (an officer taking a report by phone):
    # the Victims Code is given when they record how, not when the reply is written.
    by_hand: bool = False


# The console's own door: an officer enters a report taken by phone, email, post or in person.
STAFF = DoorTraits("staff", by_hand=True)


@dataclass(frozen=True)
class Option:
    """One answer a reporter can pick: `id` is stable, `label` is in their language."""

    id: str
    label: str
    exclusive: bool = False  # a multi-select option that stands alone ("None of these")


@dataclass(frozen=True)
class Question:
    """A question as the engine asks it, for any door to render in its own medium.

    `current` is the answer given so far (a page that changes an answer shows it),
    `ticked` the options a chat keyboard has ticked so far, and `problem` the kind
    re-ask after an answer that could not be understood.
    """

    id: str
    kind: str  # yesno | choice | multi | text | date | location
    prompt: str
    hint: str | None = None
    options: tuple[Option, ...] = ()
    skippable: bool = True
    problem: str | None = None
    current: dict[str, Any] | None = None
    ticked: tuple[str, ...] = ()
    takes_files: bool = False

    @property
    def multi(self) -> bool:
        return self.kind == "multi"

    @property
    def exclusive(self) -> frozenset[str]:
        return frozenset(o.id for o in self.options if o.exclusive)

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["options"] = [[o.id, o.label, o.exclusive] for o in self.options]
        data["ticked"] = list(self.ticked)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["options"] = tuple(Option(*o) for o in data.get("options", ()))
        values["ticked"] = tuple(data.get("ticked", ()))
        return cls(**values)


@dataclass(frozen=True)
class Answer:
    """A structured answer: option ids, or the words of a free-text field, for one named question.

    `ticked` stands for "the options ticked so far" (a chat keyboard's Done button,
    whose ticks the conversation keeps).
    """

    question_id: str
    options: tuple[str, ...] = ()
    text: str | None = None
    ticked: bool = False


@dataclass(frozen=True)
class Toggle:
    """Tick or untick one option of a multi-select question, kept until the reporter is done."""

    question_id: str
    option: str


@dataclass(frozen=True)
class Command:
    """A word that works at every step, pressed as a button or picked from a menu.

    `question_id` is the question on the page it was pressed on, so a page left open in
    another tab cannot skip or go back from a question the report has moved past;
    `value` is the language a page's language switch picks.
    """

    name: str
    question_id: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class InboundMessage:
    """One thing a reporter sent, normalised by the door that received it.

    `sender_key` is a keyed hash of the provider's address (never the raw number);
    `reply_address` is the raw address, held only while the conversation needs it to
    reply through the outbox, and kept on a case only when the reporter agrees.
    `provider_id` is unique within the door's `instance` (a landlord's bot, a Twilio
    account): a provider's retry of it changes nothing. `message_ref` is the provider's
    id of this message in the reporter's chat, for a door that can later erase it or edit
    the buttons on it. `refused_files` are the reasons the door refused files that came
    with the message (see FILE_REFUSALS). `door_effects` are payloads the door's own
    sender must deliver for this message (taking a keyboard away), queued with the replies
    in the same transaction, so a retried message queues them once.
    """

    org: str
    channel: str
    sender_key: str
    text: str = ""
    answer: Answer | Toggle | None = None
    command: Command | None = None
    attachments: tuple[Attachment, ...] = ()
    refused_files: tuple[str, ...] = ()
    provider_id: str | None = None
    instance: str = ""
    locale_hint: str | None = None
    reply_address: str | None = None
    message_ref: str | None = None
    door_effects: tuple[dict[str, Any], ...] = ()
    received_at: datetime = field(default_factory=utcnow)

    @property
    def words(self) -> str:
        """Everything the reporter wrote in this message, typed or in a form's field."""
        typed = self.answer.text if isinstance(self.answer, Answer) and self.answer.text else ""
        return "\n".join(part for part in (self.text, typed) if part)


@dataclass(frozen=True)
class OutboundMessage:
    """One reply, already in the reporter's language.

    `kind` tells a door how to show it: "question" carries its `question`, "danger" is
    the 999 advice that always comes first, "victims_code" the lines sent the moment a
    report is made, "ticks" a multi-select question's ticks changed in place (a chat door
    updates the buttons it showed), "notice" plain information. `text` is the whole reply
    as a text door sends it; a page door shows the question's parts apart.
    """

    text: str
    kind: str = "notice"
    question: Question | None = None
    language: str | None = None  # the catalog code the text is in

    @property
    def question_id(self) -> str | None:
        return self.question.id if self.question else None

    @property
    def options(self) -> tuple[Option, ...]:
        return self.question.options if self.question else ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "kind": self.kind,
            "question": self.question.to_dict() if self.question else None,
            "language": self.language,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OutboundMessage:
        question = data.get("question")
        return cls(
            text=data["text"],
            kind=data.get("kind", "notice"),
            question=Question.from_dict(question) if question else None,
            language=data.get("language"),
        )

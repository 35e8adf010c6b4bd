"""Drive conversations in tests: through the pure engine, or through the whole pipeline.

A test reporter answers by question id or by role, never by position: `report(answers)`
answers whatever is asked from a dict, and skips any question it has no answer for, so
a new optional question in the flow changes no test that is not about it. Choice answers
are option ids; a text door is sent the option's number, as a reporter would type it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from itertools import count
from typing import Any

from channels.registry import load_doors, traits
from intake import nlp
from intake.conversation import SUMMARY, Conversation
from intake.engine import EngineContext, advance, read
from intake.flow import Flow, load_flow
from intake.messages import Answer, Command, InboundMessage, OutboundMessage, Question, Toggle
from intake.orgs.schema import Profile
from intake.pipeline import Intake, handle
from intake.questions import today_in
from intake.store.crypto import DataKeys

# The suite's data keys: every store and app a test makes uses them, so each reads what the
# others wrote. On PostgreSQL start-up refuses to run without INTAKE_DATA_KEYS.
TEST_DATA_KEYS = "oE6VOJQBTT2WJ1B5ctrIBGqi9ypEOzPBoXEoF1xjwcA="
TEST_SECRET = "test-secret"


def suite_keys(secret: str = TEST_SECRET) -> DataKeys:
    """The suite's data keys, with the secret key that keys lookup hashes (the app's INTAKE_SECRET_KEY)."""
    return DataKeys([TEST_DATA_KEYS], secret)


# A Tuesday in November: no bank holiday near it, so deadlines are easy to read.
FIXED_NOW = datetime(2026, 11, 17, 10, 30, tzinfo=UTC)
DOORS = traits(load_doors())

Answers = Mapping[str, Any]


def asked(replies: list[OutboundMessage]) -> Question | None:
    """The question the replies end on, if they ask one."""
    questions = [r.question for r in replies if r.kind == "question" and r.question is not None]
    return questions[-1] if questions else None


def question_ids(replies: list[OutboundMessage]) -> list[str]:
    return [r.question_id for r in replies if r.kind == "question" and r.question_id]


def wanted(question: Question, answers: Answers, flow: Flow | None = None) -> Any:
    """The answer for this question: by its id, else by the role the flow gives it; None to skip it."""
    if question.id in answers:
        return answers[question.id]
    flow = flow or load_flow()
    role = flow.question(question.id).role if flow.has(question.id) else None
    if role and role in answers:
        return answers[role]
    return "send" if question.id == SUMMARY else None


def typed(question: Question, value: Any) -> str:
    """What a reporter types on a text door to give `value`: an option's number, or the words."""
    if value is None:
        return "SKIP"
    ids = [o.id for o in question.options]
    if question.kind in ("choice", "yesno") and value in ids:
        return str(ids.index(value) + 1)
    if question.multi and isinstance(value, list | tuple):
        return " ".join(str(ids.index(v) + 1) for v in value)
    return str(value)


def walk(send: Callable[[str], list[OutboundMessage]], replies: list[OutboundMessage], answers: Answers,
         until: str | None = None, limit: int = 60) -> list[OutboundMessage]:  # fmt: skip
    """Answer each question asked until none is (the report is sent) or `until` is on screen."""
    for _ in range(limit):
        question = asked(replies)
        if question is None or question.id == until:
            return replies
        replies = send(typed(question, wanted(question, answers)))
    raise AssertionError(f"the conversation never reached {until or 'its end'}")


def engine_context(profile: Profile, channel: str = "sms", reference: str = "MK-ABCDEF", now: datetime = FIXED_NOW,
                   case_status: str | None = None, flow: Flow | None = None) -> EngineContext:  # fmt: skip
    return EngineContext(profile=profile, door=DOORS[channel], public_url="https://report.example.org",
                         fresh_reference=reference, case_status=case_status, today=today_in(now, profile.timezone),
                         flow=flow or load_flow())  # fmt: skip


class EngineChat:
    """A reporter talking to the pure engine: no database, fixed clock and reference."""

    def __init__(self, profile: Profile, channel: str = "sms", language: str = "en", hint: str | None = None,
                 reference: str = "MK-ABCDEF", now: datetime = FIXED_NOW, flow: Flow | None = None):  # fmt: skip
        self.profile, self.channel, self.hint, self.reference, self.now = profile, channel, hint, reference, now
        self.flow = flow
        self.conversation = Conversation(org=profile.slug, channel=channel, language=language)
        self.events: list[Any] = []
        self.case_status: str | None = None
        self.last: list[OutboundMessage] = []

    def message(self, text: str = "", **fields: Any) -> list[OutboundMessage]:
        inbound = InboundMessage(org=self.profile.slug, channel=self.channel, sender_key="tester", text=text,
                                 locale_hint=self.hint, received_at=self.now, **fields)  # fmt: skip
        context = engine_context(self.profile, self.channel, self.reference, self.now, self.case_status, self.flow)
        analysis = nlp.analyse(inbound.words, self.conversation.language)
        if self.conversation.status == "new":
            from dataclasses import replace

            analysis = replace(analysis, languages=nlp.detect_language(text))
        understood = read(self.conversation, inbound, analysis, context)
        step = advance(self.conversation, inbound, understood, context)
        self.conversation = step.conversation
        self.events.extend(step.events)
        self.last = step.replies
        return step.replies

    def send(self, text: str = "", attachments: tuple = ()) -> list[OutboundMessage]:
        return self.message(text, attachments=attachments)

    def answer(self, answer: Answer | Toggle) -> list[OutboundMessage]:
        return self.message(answer=answer)

    def command(self, name: str, question_id: str | None = None, value: str | None = None) -> list[OutboundMessage]:
        return self.message(command=Command(name, question_id, value))

    def texts(self, text: str = "") -> list[str]:
        return [r.text for r in self.send(text)]

    def report(self, answers: Answers, until: str | None = None, opening: str = "hi") -> list[OutboundMessage]:
        """From wherever the chat is (a first message if it has none), answer by question until `until` or the end."""
        replies = self.last or self.send(opening)
        return walk(self.send, replies, answers, until)

    @property
    def step(self) -> str | None:
        return self.conversation.step

    def event_types(self) -> list[str]:
        return [type(e).__name__ for e in self.events]


class PipelineChat:
    """A reporter talking through the whole pipeline and a real database."""

    _ids = count(1)

    def __init__(self, intake: Intake, org: str = "mkcc", channel: str = "sms", sender: str = "reporter-1",
                 address: str | None = None, hint: str | None = None):  # fmt: skip
        self.intake, self.org, self.channel, self.sender, self.address, self.hint = intake, org, channel, sender, address, hint
        self.last: list[OutboundMessage] = []

    def message(self, text: str = "", *, provider_id: str | None = None, at: datetime | None = None,
                **fields: Any) -> list[OutboundMessage]:  # fmt: skip
        inbound = InboundMessage(org=self.org, channel=self.channel, sender_key=self.sender, text=text,
                                 provider_id=provider_id or f"msg-{next(self._ids)}", locale_hint=self.hint,
                                 reply_address=self.address, received_at=at or datetime.now(UTC), **fields)  # fmt: skip
        self.last = handle(self.intake, inbound)
        return self.last

    def send(self, text: str = "", *, provider_id: str | None = None, at: datetime | None = None,
             attachments: tuple = ()) -> list[OutboundMessage]:  # fmt: skip
        return self.message(text, provider_id=provider_id, at=at, attachments=attachments)

    def say_all(self, *texts: str) -> list[OutboundMessage]:
        replies: list[OutboundMessage] = []
        for text in texts:
            replies = self.send(text)
        return replies

    def report(self, answers: Answers, until: str | None = None, opening: str = "hi",
               at: datetime | None = None) -> list[OutboundMessage]:  # fmt: skip
        """From wherever the chat is (a first message if it has none), answer by question until `until` or the end."""
        replies = self.last or self.send(opening, at=at)
        return walk(lambda text: self.send(text, at=at), replies, answers, until)


# An anonymous victim who reports all the way to the summary: an answer by question id or role.
ANONYMOUS_VICTIM: dict[str, Any] = {
    "danger_now": "no",
    "role": "victim",
    "identity": "anonymous",
    "scope": "yes",
    "description": "They shouted abuse at me and wrote on my door",
    "confirm_suggested": "yes",  # verbal abuse and graffiti, read from it: so no incident types question
    "when": "last night",
    "where": "Saxon Gate, MK9 3EJ",
    "motivation": ["race"],
    "perpetrator": "A man from the next block",
    "risk_incident": ["threats_violence", "perpetrator_nearby"],
    "risk_impact": ["worried_worse"],
    "consent": "yes",
}

# A named SMS reporter, contacted on this number, all the way to the summary.
NAMED_VICTIM: dict[str, Any] = {
    "danger_now": "no",
    "role": "victim",
    "identity": "named_here",
    "name": "Amina Yusuf",
    "scope": "yes",
    "description": "Someone keeps leaving rubbish at my door",
    "confirm_suggested": "no",  # what was read from the description (littering): no, ask me
    "when": "yesterday",
    "where": "MK9 3EJ",
    "motivation": ["religion"],
    "incident_types": ["littering"],
    "perpetrator": "no idea",
    "risk_incident": ["none"],
    "risk_impact": ["none"],
    "support": ["interpreter"],
    "consent": "yes",
    "contact_safety": ["daytime"],
}

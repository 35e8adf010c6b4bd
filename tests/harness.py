"""Drive conversations in tests: through the pure engine, or through the whole pipeline."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count
from typing import Any

from intake import nlp
from intake.conversation import Conversation
from intake.engine import EngineContext, advance
from intake.messages import InboundMessage, OutboundMessage
from intake.orgs.schema import Profile
from intake.pipeline import Intake, handle

# A Tuesday in November: no bank holiday near it, so deadlines are easy to read.
FIXED_NOW = datetime(2026, 11, 17, 10, 30, tzinfo=UTC)


class EngineChat:
    """A reporter talking to the pure engine: no database, fixed clock and reference."""

    def __init__(
        self,
        profile: Profile,
        channel: str = "sms",
        language: str = "en",
        hint: str | None = None,
        reference: str = "MK-ABCDEF",
        now: datetime = FIXED_NOW,
    ):
        self.profile, self.channel, self.hint, self.reference, self.now = profile, channel, hint, reference, now
        self.conversation = Conversation(org=profile.slug, channel=channel, language=language)
        self.events: list[Any] = []
        self.case_status: str | None = None

    def send(self, text: str = "", attachments: tuple = ()) -> list[OutboundMessage]:
        inbound = InboundMessage(
            org=self.profile.slug,
            channel=self.channel,
            sender_key="tester",
            text=text,
            locale_hint=self.hint,
            received_at=self.now,
            attachments=attachments,
        )
        context = EngineContext(
            profile=self.profile,
            channel=self.channel,
            public_url="https://report.example.org",
            fresh_reference=self.reference,
            case_status=self.case_status,
        )
        step = advance(self.conversation, inbound, nlp.analyse(text, self.conversation.language), context)
        self.conversation = step.conversation
        self.events.extend(step.events)
        return step.replies

    def texts(self, text: str = "") -> list[str]:
        return [r.text for r in self.send(text)]

    @property
    def step(self) -> str | None:
        return self.conversation.step

    def event_types(self) -> list[str]:
        return [type(e).__name__ for e in self.events]


class PipelineChat:
    """A reporter talking through the whole pipeline and a real database."""

    _ids = count(1)

    def __init__(
        self,
        intake: Intake,
        org: str = "mkcc",
        channel: str = "sms",
        sender: str = "reporter-1",
        address: str | None = None,
        hint: str | None = None,
    ):
        self.intake, self.org, self.channel, self.sender, self.address, self.hint = intake, org, channel, sender, address, hint

    def send(
        self, text: str = "", *, provider_id: str | None = None, at: datetime | None = None, attachments: tuple = ()
    ) -> list[OutboundMessage]:
        inbound = InboundMessage(
            org=self.org,
            channel=self.channel,
            sender_key=self.sender,
            text=text,
            provider_id=provider_id or f"msg-{next(self._ids)}",
            locale_hint=self.hint,
            reply_address=self.address,
            received_at=at or datetime.now(UTC),
            attachments=attachments,
        )
        return handle(self.intake, inbound)

    def say_all(self, *texts: str) -> list[OutboundMessage]:
        replies: list[OutboundMessage] = []
        for text in texts:
            replies = self.send(text)
        return replies


def question_ids(replies: list[OutboundMessage]) -> list[str]:
    return [r.question_id for r in replies if r.kind == "question" and r.question_id]


# Answers that take an anonymous victim on SMS straight through to the summary.
ANONYMOUS_VICTIM = [
    "hello",  # opens the chat
    "2",  # danger_now: no
    "1",  # role: victim
    "3",  # identity: anonymous (SMS offers here / other / anonymous)
    "1",  # scope: yes
    "They shouted abuse at me and wrote on my door",
    "1",  # what was read from the description (verbal abuse, graffiti): yes, so no incident type question
    "last night",
    "Saxon Gate, MK9 3EJ",
    "1",  # motivation
    "A man from the next block",
    "1 3",  # risk_incident
    "2",  # risk_impact
    "1",  # consent
]


# A named SMS reporter, contacted on this number, all the way to the summary.
NAMED_VICTIM = [
    "hello",
    "2",
    "1",
    "1",  # identity: give my name, contact me on this number
    "Amina Yusuf",  # name
    "1",  # scope
    "Someone keeps leaving rubbish at my door",
    "2",  # what was read from the description (littering): no, ask me
    "yesterday",
    "MK9 3EJ",
    "2",
    "14",
    "no idea",
    "7",
    "8",
    "3",  # support: interpreter
    "1",  # consent
    "2",  # contact_safety: daytime only
]

"""What the engine may know beyond the conversation and the message: all of it data, none of it I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from intake.conversation import Conversation
from intake.flow import Flow, Keyword, Vocabulary, load_flow, load_keywords, load_vocabulary
from intake.messages import DoorTraits
from intake.orgs.schema import Profile


@dataclass(frozen=True)
class EngineContext:
    profile: Profile
    door: DoorTraits
    public_url: str
    fresh_reference: str = ""  # the reference a case opened by this message will take
    case_status: str | None = None  # the case's status as staff left it, for STATUS
    first_contact_due: datetime | None = None  # the open case's deadline, if it has one
    today: date | None = None  # the landlord's date when the message arrived
    # This sender's report stopped within the landlord's idle limit, which START offers to carry on.
    stopped: Conversation | None = None
    flow: Flow = field(default_factory=load_flow)
    keywords: dict[str, Keyword] = field(default_factory=load_keywords)
    vocabulary: Vocabulary = field(default_factory=load_vocabulary)

    @property
    def channel(self) -> str:
        return self.door.name

    @property
    def facts(self) -> dict[str, Any]:
        """What `$name` clauses of the flow's conditions read."""
        return {"door": self.door, "profile": self.profile}

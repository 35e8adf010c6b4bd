"""What a report's answers mean, read by the role of the question that holds them, never by its id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from intake.flow import Flow, load_flow

NAMED_HERE, NAMED_OTHER, ANONYMOUS = "named_here", "named_other", "anonymous"
NAMED = (NAMED_HERE, NAMED_OTHER)
# A skipped or twice-unclear identity question is neither named nor anonymous.
Identity = Literal["named_here", "named_other", "anonymous", "not_said"]
# Answers that are contact details: kept only where the reporter agreed to be contacted.
CONTACT_ROLES = ("name", "contact", "victim_contact")


class Answers:
    """A conversation's answers, as the roles of the flow's questions give them meaning."""

    def __init__(self, answers: Mapping[str, Mapping[str, Any]], flow: Flow | None = None):
        self.answers, self.flow = answers, flow or load_flow()

    def value(self, role: str) -> Any:
        qid = self.flow.role_id(role)
        answer = self.answers.get(qid) if qid else None
        return None if answer is None or answer.get("skipped") else answer.get("value")

    def values(self, role: str) -> list:
        value = self.value(role)
        return value if isinstance(value, list) else []

    @property
    def identity(self) -> Identity:
        value = self.value("identity")
        return value if value in (NAMED_HERE, NAMED_OTHER, ANONYMOUS) else "not_said"

    @property
    def named(self) -> bool:
        """Whether the reporter gave their name and agreed to be contacted."""
        return self.identity in NAMED

    @property
    def contact_here(self) -> bool:
        """Whether the reporter asked to be contacted on the door they are using."""
        return self.identity == NAMED_HERE

    @property
    def no_messages(self) -> bool:
        """ "Do not leave voicemails or messages": nothing may arrive unprompted."""
        return "no_messages" in self.values("safe_contact")

    @property
    def postcode_district(self) -> str | None:
        """The outward code ("MK9") of the postcode read from where it happened, if one was."""
        qid = self.flow.role_id("where")
        answer = self.answers.get(qid) if qid else None
        postcode = None if answer is None or answer.get("skipped") else answer.get("postcode")
        return postcode.split()[0] if isinstance(postcode, str) and postcode.strip() else None

    def contact_ids(self) -> frozenset[str]:
        return frozenset(qid for role in CONTACT_ROLES if (qid := self.flow.role_id(role)))

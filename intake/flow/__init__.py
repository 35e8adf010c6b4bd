"""Load and validate the report conversation, its keywords and its vocabulary.

Questions carry roles (identity, contact, sharing, safe contact, description, ...):
the core finds a question by the meaning of its answer, never by its id, so a flow
can rename or reorder questions without touching code.
"""

from __future__ import annotations

from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from intake import datafiles

FLOW_DIR = Path(__file__).parent
QUESTION_KINDS = ("yesno", "choice", "multi", "text", "date", "location")
OPTION_SOURCES = ("strands", "incident_types", "offers")

Role = Literal[
    "danger",  # is anyone in danger now: "yes" gives the 999 advice
    "reporter",  # victim, witness or third party: the case's reporter_role
    "identity",  # named or anonymous: decides whether any contact detail is kept
    "name",
    "contact",  # another way to contact a named reporter
    "victim_contact",  # a third party's details for the person it happened to, given with their agreement
    "scope",
    "description",  # what happened: the words that open the case
    "when",
    "where",
    "strands",  # why it happened: the case's strands
    "incident_types",
    "perpetrator",
    "support",
    "sharing",  # consent to share with the police and other agencies
    "safe_contact",  # how to contact the reporter safely
]
# The option ids each role's answers must offer, because the core acts on them.
ROLE_OPTIONS: dict[str, tuple[str, ...]] = {
    "identity": ("named_here", "anonymous"),
    "safe_contact": ("no_messages",),
}
# Roles the conversation cannot do without.
REQUIRED_ROLES = ("identity", "description")
# What a description can answer of later questions, read from its words.
Signal = Literal["postcode", "strands", "incident_types", "when"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Variant(_Strict):
    if_: dict[str, Any] | None = Field(default=None, alias="if")
    text: str


Text = str | list[Variant]


class Option(_Strict):
    id: str
    label: Text
    ask_if: dict[str, Any] | None = None
    exclusive: bool = False


class After(_Strict):
    if_: dict[str, Any] | None = Field(default=None, alias="if")
    say: str


class Question(_Strict):
    id: str
    kind: Literal["yesno", "choice", "multi", "text", "date", "location"]
    role: Role | None = None
    prompt: Text
    hint: Text | None = None
    summary_label: str
    ask_if: dict[str, Any] | None = None
    options: list[Option] = []
    options_from: Literal["strands", "incident_types", "offers"] | None = None
    opens_case: bool = False
    fills: dict[str, Signal] = {}
    after: list[After] = []

    @model_validator(mode="after")
    def _choices_have_options(self) -> Question:
        if self.kind in ("choice", "multi") and not (self.options or self.options_from):
            raise ValueError(f"a {self.kind} question needs options or options_from")
        if self.kind not in ("choice", "multi") and (self.options or self.options_from):
            raise ValueError(f"a {self.kind} question takes no options")
        return self

    @property
    def option_ids(self) -> tuple[str, ...]:
        return ("yes", "no") if self.kind == "yesno" else tuple(o.id for o in self.options)


class Flow(_Strict):
    questions: list[Question]
    messages: dict[str, str]
    statuses: dict[str, str]

    @model_validator(mode="after")
    def _references_resolve(self) -> Flow:
        ids = [q.id for q in self.questions]
        if len(ids) != len(set(ids)):
            raise ValueError("question ids must be unique")
        for q in self.questions:
            for after in q.after:
                if after.say not in self.messages:
                    raise ValueError(f"{q.id}: after.say names unknown message {after.say!r}")
            for target in q.fills:
                if target not in ids:
                    raise ValueError(f"{q.id}: fills names unknown question {target!r}")
        if sum(q.opens_case for q in self.questions) != 1:
            raise ValueError("exactly one question must open the case")
        self._check_roles()
        return self

    def _check_roles(self) -> None:
        roles = [q.role for q in self.questions if q.role]
        repeated = sorted({r for r in roles if roles.count(r) > 1})
        if repeated:
            raise ValueError(f"role {repeated[0]!r} is given to more than one question")
        for role in REQUIRED_ROLES:
            if role not in roles:
                raise ValueError(f"no question has the role {role!r}, which the conversation needs")
        for role, needed in ROLE_OPTIONS.items():
            question = next((q for q in self.questions if q.role == role), None)
            missing = [o for o in needed if question is not None and o not in question.option_ids]
            if missing:
                raise ValueError(f"{question.id}: the {role} question must offer the option {missing[0]!r}")  # type: ignore[union-attr]

    def question(self, question_id: str) -> Question:
        return self._by_id[question_id]

    def has(self, question_id: str) -> bool:
        return question_id in self._by_id

    def index(self, question_id: str) -> int:
        return self._positions[question_id]

    def by_role(self, role: str) -> Question | None:
        """The question whose answer has this meaning, or None when the flow asks none."""
        return self._by_role.get(role)

    def role_id(self, role: str) -> str | None:
        question = self._by_role.get(role)
        return question.id if question else None

    # Built once per loaded flow: the engine looks questions up many times a message.
    @cached_property
    def _by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {q.id: i for i, q in enumerate(self.questions)}

    @cached_property
    def _by_role(self) -> dict[str, Question]:
        return {q.role: q for q in self.questions if q.role}


class Keyword(_Strict):
    display: str
    words: list[str]


class Vocabulary(_Strict):
    strands: dict[str, str]
    incident_types: dict[str, str]
    offers: dict[str, str]
    signpost_purposes: dict[str, str]
    accessible_formats: dict[str, str]
    commitments: dict[str, str]
    action_kinds: dict[str, str]
    outcomes: dict[str, str]
    disclosure_exceptions: dict[str, str]


class _Keywords(RootModel[dict[str, Keyword]]):
    pass


@cache
def load_flow(path: Path = FLOW_DIR / "report.yaml") -> Flow:
    """Load the report conversation, failing loudly on a bad file."""
    return datafiles.load(path, Flow)


@cache
def load_keywords(path: Path = FLOW_DIR / "keywords.yaml") -> dict[str, Keyword]:
    """Load the words that work at every step."""
    return datafiles.load(path, _Keywords).root


@cache
def load_vocabulary(path: Path = FLOW_DIR / "vocabulary.yaml") -> Vocabulary:
    """Load the wording for ids that profiles choose from."""
    return datafiles.load(path, Vocabulary)

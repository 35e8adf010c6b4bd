"""Load and validate the report conversation, its keywords and its vocabulary."""

from __future__ import annotations

from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError, model_validator

from intake.errors import ConfigError

FLOW_DIR = Path(__file__).parent
QUESTION_KINDS = ("yesno", "choice", "multi", "text", "date", "location")
OPTION_SOURCES = ("strands", "incident_types", "offers")


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
    prompt: Text
    hint: Text | None = None
    summary_label: str
    ask_if: dict[str, Any] | None = None
    options: list[Option] = []
    options_from: Literal["strands", "incident_types", "offers"] | None = None
    opens_case: bool = False
    fills: dict[str, Literal["postcode", "strands", "incident_types", "when"]] = {}
    after: list[After] = []

    @model_validator(mode="after")
    def _choices_have_options(self) -> Question:
        if self.kind in ("choice", "multi") and not (self.options or self.options_from):
            raise ValueError(f"a {self.kind} question needs options or options_from")
        if self.kind not in ("choice", "multi") and (self.options or self.options_from):
            raise ValueError(f"a {self.kind} question takes no options")
        return self


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
        for q in self.questions:
            for target in q.fills:
                if target not in ids:
                    raise ValueError(f"{q.id}: fills names unknown question {target!r}")
        if sum(q.opens_case for q in self.questions) != 1:
            raise ValueError("exactly one question must open the case")
        return self

    def question(self, question_id: str) -> Question:
        return self._by_id[question_id]

    def index(self, question_id: str) -> int:
        return self._positions[question_id]

    # Built once per loaded flow: the engine looks questions up many times a message.
    @cached_property
    def _by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {q.id: i for i, q in enumerate(self.questions)}


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


def _load(path: Path, model: type[BaseModel]) -> Any:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise ConfigError(f"{path}: {where}: {first['msg']}") from exc


class _Keywords(RootModel[dict[str, Keyword]]):
    pass


@cache
def load_flow(path: Path = FLOW_DIR / "report.yaml") -> Flow:
    """Load the report conversation, failing loudly on a bad file."""
    return _load(path, Flow)


@cache
def load_keywords(path: Path = FLOW_DIR / "keywords.yaml") -> dict[str, Keyword]:
    """Load the words that work at every step."""
    return _load(path, _Keywords).root


@cache
def load_vocabulary(path: Path = FLOW_DIR / "vocabulary.yaml") -> Vocabulary:
    """Load the wording for ids that profiles choose from."""
    return _load(path, Vocabulary)

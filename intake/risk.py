"""Score a hate-incident report's risk as standard, medium or high from the reporter's answers.

The factors, weights and forcing rules live in risk.yaml beside this module; this code only
adds them up. A bad matrix file raises ConfigError at load, naming the file and the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from intake import datafiles
from intake.errors import ConfigError

DEFAULT_PATH = Path(__file__).with_name("risk.yaml")
LEVELS = ("standard", "medium", "high")

Identifier = Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Weight = Annotated[StrictInt, Field(gt=0)]
NonEmptyStr = Annotated[StrictStr, Field(min_length=1)]

# The shapes a factor's `when` may take, by the keys it sets: a multi-select includes
# `option`, a single choice is `equals`, or the conversation raised `signal`.
_WHEN_FORMS = (
    frozenset({"question", "option"}),
    frozenset({"question", "equals"}),
    frozenset({"signal"}),
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Thresholds(_Strict):
    medium: Weight
    high: Weight

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.high <= self.medium:
            raise PydanticCustomError(
                "thresholds_order",
                "high ({high}) must be above medium ({medium})",
                {"high": self.high, "medium": self.medium},
            )
        return self


class When(_Strict):
    question: StrictStr | None = None
    option: StrictStr | None = None
    equals: StrictStr | None = None
    signal: Literal["danger_evidence"] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> When:
        given = frozenset(k for k in ("question", "option", "equals", "signal") if getattr(self, k) is not None)
        if given not in _WHEN_FORMS:
            raise PydanticCustomError(
                "when_form",
                "sets {given}; it must set exactly {forms}",
                {
                    "given": "{" + ", ".join(sorted(given)) + "}",
                    "forms": " or ".join("{" + ", ".join(sorted(f)) + "}" for f in _WHEN_FORMS),
                },
            )
        return self


class Factor(_Strict):
    id: Identifier
    when: When
    weight: Weight
    source: NonEmptyStr


class RiskMatrix(_Strict):
    """A validated risk.yaml: what each answer is worth and which combinations force a level."""

    thresholds: Thresholds
    # Each question's options as the flow sends them, so a typo in a factor fails at load.
    questions: dict[Identifier, tuple[NonEmptyStr, ...]]
    factors: tuple[Factor, ...] = Field(min_length=1)
    always_high: tuple[Annotated[tuple[Identifier, ...], Field(min_length=1)], ...] = ()
    at_least_medium: tuple[Identifier, ...] = ()


@dataclass(frozen=True)
class RiskAssessment:
    """The level a report's answers earn, and the factor ids behind it, highest weight first."""

    score: int
    level: str
    reasons: tuple[str, ...]


def _field(loc: Sequence[str | int]) -> str:
    """Spell a pydantic error location the way a reader finds it in YAML: factors[3].weight."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _cross_check(matrix: RiskMatrix) -> list[str]:
    """Return what the schema alone cannot catch: duplicates and references to nothing."""
    problems = []
    seen: set[str] = set()
    for i, factor in enumerate(matrix.factors):
        if factor.id in seen:
            problems.append(f"factors[{i}].id: {factor.id!r} is defined twice")
        seen.add(factor.id)
        when = factor.when
        if when.question is None:
            continue
        # A mistyped question or option would never match, silently dropping the factor.
        options = matrix.questions.get(when.question)
        if options is None:
            problems.append(f"factors[{i}].when.question: {when.question!r} is not in questions")
        elif (wanted := when.option or when.equals) not in options:
            key = "option" if when.option else "equals"
            problems.append(f"factors[{i}].when.{key}: {wanted!r} is not an option of {when.question}")
    for i, rule in enumerate(matrix.always_high):
        for j, factor_id in enumerate(rule):
            if factor_id not in seen:
                problems.append(f"always_high[{i}][{j}]: {factor_id!r} is not a defined factor")
    for i, factor_id in enumerate(matrix.at_least_medium):
        if factor_id not in seen:
            problems.append(f"at_least_medium[{i}]: {factor_id!r} is not a defined factor")
    return problems


def _load(path: Path) -> RiskMatrix:
    """Read and validate one matrix file, or raise ConfigError naming the file and field."""
    raw = datafiles.read(path)
    try:
        matrix = RiskMatrix.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{path}: {_field(e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ConfigError("\n".join(lines)) from None
    if problems := _cross_check(matrix):
        raise ConfigError("\n".join(f"{path}: {p}" for p in problems))
    return matrix


@lru_cache(maxsize=1)
def _default_matrix() -> RiskMatrix:
    return _load(DEFAULT_PATH)


def load_matrix(path: str | Path | None = None) -> RiskMatrix:
    """Load and check a risk matrix; the default one beside this module is read once."""
    if path is None:
        return _default_matrix()
    return _load(Path(path))


def _chosen(answers: Mapping[str, Any], question: str) -> frozenset[str]:
    """Return the option ids a reporter gave for `question`, or none if it was not answered."""
    answer = answers.get(question)
    # Missing, skipped, or unclear (value None) all mean "not answered": no risk, no crash.
    if not isinstance(answer, Mapping) or answer.get("skipped"):
        return frozenset()
    value = answer.get("value")
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(v for v in value if isinstance(v, str))
    return frozenset()


def _present(factor: Factor, answers: Mapping[str, Any], danger_evidence: Sequence[str]) -> bool:
    """Say whether the answers or the conversation show this factor."""
    when = factor.when
    if when.signal is not None:
        return any(isinstance(p, str) and p.strip() for p in danger_evidence)
    # "none" ticked alongside a real option is read as the option: a contradictory answer
    # should reach a case officer as a risk, not be cancelled out.
    return (when.option or when.equals) in _chosen(answers, when.question)


def assess(
    answers: Mapping[str, Mapping],
    danger_evidence: Sequence[str] = (),
    matrix: RiskMatrix | None = None,
) -> RiskAssessment:
    """Score the answers against the matrix and return the level with its reasons."""
    matrix = matrix or load_matrix()
    present = [f for f in matrix.factors if _present(f, answers or {}, danger_evidence or ())]
    ids = {f.id for f in present}
    score = sum(f.weight for f in present)

    rank = 0
    if score >= matrix.thresholds.high:
        rank = 2
    elif score >= matrix.thresholds.medium:
        rank = 1
    if ids.intersection(matrix.at_least_medium):
        rank = max(rank, 1)
    if any(set(rule) <= ids for rule in matrix.always_high):
        rank = 2

    # sorted() is stable, so equal weights keep the order the matrix lists them in.
    reasons = tuple(f.id for f in sorted(present, key=lambda f: -f.weight))
    return RiskAssessment(score=score, level=LEVELS[rank], reasons=reasons)

"""Find personal details in a message (phones, emails, postcodes, addresses, names) and redact them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import yaml

from intake.errors import ConfigError
from intake.nlp.patterns import PATTERNS_DIR
from intake.nlp.postcodes import POSTCODE_IN_TEXT

LABELS = ("phone", "email", "postcode", "address", "name")


@dataclass(frozen=True)
class PiiSpan:
    """Where one personal detail sits in the message: offsets only, never the text itself."""

    label: str
    start: int
    end: int


@cache
def _shapes() -> dict[str, tuple[re.Pattern[str], ...]]:
    path = PATTERNS_DIR / "pii.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from None
    shapes: dict[str, tuple[re.Pattern[str], ...]] = {"postcode": (POSTCODE_IN_TEXT,)}
    for label, listed in (data or {}).items():
        if label not in LABELS or label in ("postcode", "name"):
            raise ConfigError(f"{path}: {label!r} is not a label this file may set")
        try:
            shapes[label] = tuple(re.compile(p, re.IGNORECASE) for p in listed)
        except (re.error, TypeError) as exc:
            raise ConfigError(f"{path}: {label}: {exc}") from None
    return shapes


def check() -> int:
    """Compile every shape now, so a bad file stops start-up; return how many there are."""
    return sum(len(v) for v in _shapes().values())


def find_shapes(text: str) -> list[PiiSpan]:
    """Spans of the details that have a shape: phones, emails, postcodes, addresses."""
    found = [
        PiiSpan(label, m.start(), m.end()) for label, regexes in _shapes().items() for r in regexes for m in r.finditer(text)
    ]
    return _without_overlaps(found)


def merge(spans: list[PiiSpan]) -> tuple[PiiSpan, ...]:
    """Spans in order, none overlapping: where two overlap the longer one wins."""
    return tuple(_without_overlaps(spans))


def _without_overlaps(spans: list[PiiSpan]) -> list[PiiSpan]:
    kept: list[PiiSpan] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def redact(text: str, spans: tuple[PiiSpan, ...] | list[PiiSpan]) -> str:
    """`text` with each span replaced by its label in brackets, like "[phone]"."""
    out, position = [], 0
    for span in _without_overlaps(list(spans)):
        if span.start < position or span.end > len(text):
            continue
        out.append(text[position : span.start])
        out.append(f"[{span.label}]")
        position = span.end
    out.append(text[position:])
    return "".join(out)

"""Find personal details in a message (phones, emails, postcodes, addresses, names) and redact them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from intake import datafiles
from intake.errors import ConfigError
from intake.nlp.patterns import PATTERNS_DIR
from intake.nlp.postcodes import POSTCODE_IN_TEXT

LABELS = ("phone", "email", "postcode", "address", "name")
# A span no reading could check: the whole of a message whose analysis failed.
UNCHECKED = "unchecked"


@dataclass(frozen=True)
class PiiSpan:
    """Where one personal detail sits in the message: offsets only, never the text itself."""

    label: str
    start: int
    end: int


@cache
def _shapes() -> dict[str, tuple[re.Pattern[str], ...]]:
    path = PATTERNS_DIR / "pii.yaml"
    data = datafiles.read(path)
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
    # One pass in order of start, so a long message with many details stays linear:
    # of two spans that overlap, the longer is kept.
    kept: list[PiiSpan] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if kept and span.start < kept[-1].end:
            if span.end - span.start > kept[-1].end - kept[-1].start:
                kept[-1] = span
            continue
        kept.append(span)
    return kept


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

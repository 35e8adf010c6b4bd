"""Read the per-language phrase files under intake/nlp/patterns/.

Two shapes, both read by the spaCy matchers in intake/nlp/pipeline.py:
- `patterns/<lang>/<kind>.txt` (danger): one literal phrase per line, `#` comment
  lines and blank lines ignored.
- `patterns/<lang>/<kind>.yaml` (strands, incident_types, when, names): a mapping from a
  label to a list of literal phrases, each checked like a line of a .txt file.
Every check fails loudly with a ConfigError naming the file and the line or label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from intake import datafiles
from intake.errors import ConfigError
from intake.nlp.normalise import is_arabic_script, normalise

PATTERNS_DIR = Path(__file__).with_name("patterns")

# Catalog codes that have their own pattern folder. pa is Panjabi in Gurmukhi script,
# pa_Arab is Panjabi in Shahmukhi script.
LANGUAGES = ("en", "pl", "ro", "pa", "pa_Arab", "ur", "pt", "es", "ar", "bn", "gu", "so", "fa", "uk")
# Catalog codes that read another code's patterns.
ALIASES = {"en_easy": "en"}

# Characters that would make a line look like a regex, a glob or an inline comment.
# Phrases are literal, so these are refused rather than silently matched as text.
_RESERVED = re.compile(r"[|*?()\[\]{}\\^$+#]")
_MIN_LENGTH = 3


@dataclass(frozen=True)
class Phrase:
    """One line of a pattern file: `text` as written, `folded` as matched."""

    text: str
    folded: str
    line: int


def read_phrases(path: Path) -> tuple[Phrase, ...]:
    """Parse one pattern file, raising ConfigError on the first bad line."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: pattern file is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read as UTF-8 text ({exc})") from None

    lines = ((number, line.strip()) for number, line in enumerate(raw.splitlines(), start=1))
    phrases = _checked(path, ((n, text, f"{path}, line {n}") for n, text in lines if text and not text.startswith("#")))
    if not phrases:
        raise ConfigError(f"{path}: pattern file has no phrases")
    return phrases


def _checked(path: Path, lines: Iterable[tuple[int, str, str]]) -> tuple[Phrase, ...]:
    phrases: list[Phrase] = []
    seen: dict[str, int] = {}
    for number, text, where in lines:
        reserved = _RESERVED.search(text)
        if reserved:
            raise ConfigError(
                f"{where}: {reserved.group()!r} is not allowed in {text!r}; phrases are literal text, "
                "one per line, and comments go on their own line starting with #"
            )
        # In Arabic script a half-space (ZWNJ) becomes a space, which the matcher makes
        # optional, so "می‌خواد" in a file matches "میخواد" and "می خواد" in a message.
        folded = normalise(text.replace("\u200c", " ") if is_arabic_script(text) else text)
        if len(folded.replace(" ", "")) < _MIN_LENGTH or not re.search(r"\w", folded):
            raise ConfigError(f"{where}: {text!r} is too short to be a phrase")
        if folded in seen:
            raise ConfigError(
                f"{where}: {text!r} repeats line {seen[folded]} once case, accents and apostrophes are folded; keep one of them"
            )
        seen[folded] = number
        phrases.append(Phrase(text=text, folded=folded, line=number))
    return tuple(phrases)


def read_labelled(path: Path, labels: Iterable[str]) -> dict[str, tuple[Phrase, ...]]:
    """Parse one `label: [phrases]` YAML pattern file; every label must be one of `labels`."""
    allowed = tuple(labels)
    if not path.exists():
        raise ConfigError(f"{path}: pattern file is missing")
    data = datafiles.read(path)
    if not isinstance(data, dict) or not data:
        raise ConfigError(f"{path}: must map labels to lists of phrases")
    found: dict[str, tuple[Phrase, ...]] = {}
    numbered: list[tuple[int, str, str]] = []
    for label, listed in data.items():
        if label not in allowed:
            raise ConfigError(f"{path}: {label!r} is not a label; use one of {', '.join(allowed)}")
        if not isinstance(listed, list) or not listed or not all(isinstance(p, str) for p in listed):
            raise ConfigError(f"{path}: {label}: must be a non-empty list of phrases")
        start = len(numbered)
        numbered.extend((start + i + 1, p.strip(), f"{path}, {label}, phrase {i + 1}") for i, p in enumerate(listed))
    # Checked together, so a phrase filed under two labels is refused as a repeat.
    checked = _checked(path, numbered)
    position = 0
    for label, listed in data.items():
        found[label] = checked[position : position + len(listed)]
        position += len(listed)
    return found


@cache
def labelled(lang: str, kind: str, labels: tuple[str, ...]) -> dict[str, tuple[Phrase, ...]]:
    """Return one language's `kind` phrases by label, read once per process."""
    return read_labelled(PATTERNS_DIR / lang / f"{kind}.yaml", labels)


@cache
def phrases(lang: str, kind: str) -> tuple[Phrase, ...]:
    """Return the phrases of one language and kind, read once per process."""
    return read_phrases(PATTERNS_DIR / lang / f"{kind}.txt")


def check_all(kind: str) -> dict[str, int]:
    """Load every language's `kind` file, so a bad one stops start-up; return phrase counts."""
    return {lang: len(phrases(lang, kind)) for lang in LANGUAGES}


_BY_LOWER = {code.lower(): code for code in (*LANGUAGES, *ALIASES)}


def pattern_language(lang: object) -> str:
    """Return the pattern folder for a catalog code: "pt_BR" -> "pt", unknown -> "en"."""
    if not isinstance(lang, str):
        return "en"
    parts = lang.strip().replace("-", "_").lower().split("_")
    # Longest prefix first, so "pa_Arab_PK" finds pa_Arab before pa.
    for size in range(len(parts), 0, -1):
        code = _BY_LOWER.get("_".join(parts[:size]))
        if code:
            return ALIASES.get(code, code)
    return "en"

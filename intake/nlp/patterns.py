"""Read the per-language phrase files under intake/nlp/patterns/.

A file is `patterns/<lang>/<kind>.txt`: one literal phrase per line, `#` comment
lines and blank lines ignored. The format is kept this plain so that a later
spaCy PhraseMatcher can read the same files; every check here fails loudly with
a ConfigError naming the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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

    phrases: list[Phrase] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(raw.splitlines(), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        where = f"{path}, line {number}"
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

    if not phrases:
        raise ConfigError(f"{path}: pattern file has no phrases")
    return tuple(phrases)


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

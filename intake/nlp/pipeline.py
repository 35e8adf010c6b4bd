"""One spaCy pipeline per pattern language, built once from the pattern files and shared.

Each pipeline is `spacy.blank(code)` (or "xx", spaCy's multi-language tokenizer, where
spaCy has no language of its own) with one component, `intake_signals`, holding a
PhraseMatcher per kind of signal. It runs over the *folded* message (see `match_form`),
so a phrase matches however it was typed; the pattern phrases are folded and tokenised
by the same pipeline, so both sides always split into the same tokens.

The matchers hold sensitive words (slurs among them): they come only from the pattern
files, and a span's label is the phrase as written in the file, never the message.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from intake import datafiles
from intake.errors import ConfigError
from intake.nlp.patterns import LANGUAGES, PATTERNS_DIR, labelled, phrases

if TYPE_CHECKING:
    from spacy.tokens import Span

DANGER = "danger"
LABELLED_KINDS = ("strands", "incident_types", "when")
# Catalog pattern folders spaCy has no tokenizer for: its multi-language one reads them.
_SPACY_CODE = {"pa": "xx", "pa_Arab": "xx", "so": "xx"}
# An Arabic-script phrase matches with or without each of its spaces (Persian and Urdu
# writers join and split words freely); past this many spaces only the written form is used.
_MAX_OPTIONAL_SPACES = 4
# Pattern languages written in scripts without capital letters.
_CASELESS = frozenset({"ar", "fa", "ur", "pa_Arab", "pa", "bn", "gu"})


@dataclass(frozen=True)
class Labels:
    strands: dict[str, tuple[str, ...]]
    incident_types: tuple[str, ...]
    when: dict[str, int]
    names: tuple[str, ...]

    def of(self, kind: str) -> tuple[str, ...]:
        return tuple(getattr(self, kind))


@cache
def labels() -> Labels:
    """The labels pattern files may use (patterns/labels.yaml), checked once."""
    path = PATTERNS_DIR / "labels.yaml"
    data = datafiles.read(path)
    try:
        found = Labels(
            strands={str(k): tuple(v) for k, v in data["strands"].items()},
            incident_types=tuple(data["incident_types"]),
            when={str(k): int(v) for k, v in data["when"].items()},
            names=tuple(data["names"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc!r}") from None
    return found


def match_form(folded: str) -> str:
    """The text the matchers read: normalised, and without apostrophes, which people drop ("im", "hes")."""
    return folded.replace("'", "")


def span_label(span: Span) -> tuple[str, str]:
    """(label, phrase as written in its pattern file) for a span the signals component made."""
    label, _, phrase = span.label_.partition("\x1f")
    return label, phrase


@dataclass
class _Loaded:
    nlp: Any  # a spacy.language.Language
    names: Any  # a matchers.NameFinder
    lock: threading.Lock


_loaded: dict[str, _Loaded] = {}
_loading = threading.Lock()


def loaded(lang: str) -> _Loaded:
    """The pipeline for one pattern language, built on first use and shared by every thread after."""
    found = _loaded.get(lang)
    if found is not None:
        return found
    with _loading:
        found = _loaded.get(lang)
        if found is None:
            import spacy  # here, not at import: only a process that reads messages pays for spaCy

            from intake.nlp.matchers import NameFinder

            nlp = spacy.blank(_SPACY_CODE.get(lang, lang))
            nlp.add_pipe("intake_signals", config={"pattern_lang": lang})
            found = _Loaded(nlp=nlp, names=NameFinder(nlp, lang), lock=threading.Lock())
            _loaded[lang] = found
    return found


def unload() -> None:
    """Forget every built pipeline (tests that swap pattern files call this)."""
    with _loading:
        _loaded.clear()


def build_all() -> None:
    """Build every language's pipeline now rather than on its first message."""
    for lang in LANGUAGES:
        loaded(lang)


def check_all() -> dict[str, dict[str, int]]:
    """Read and check every language's pattern files, so a bad one stops start-up; return phrase counts."""
    counts: dict[str, dict[str, int]] = {DANGER: {}, **{kind: {} for kind in (*LABELLED_KINDS, "names")}}
    labels()
    for lang in LANGUAGES:
        counts[DANGER][lang] = len(phrases(lang, DANGER))
        for kind in (*LABELLED_KINDS, "names"):
            counts[kind][lang] = sum(len(v) for v in labelled(lang, kind, labels().of(kind)).values())
    return counts

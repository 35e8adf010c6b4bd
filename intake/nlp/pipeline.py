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
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import combinations

import spacy
import yaml
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from intake.errors import ConfigError
from intake.nlp.normalise import is_arabic_script, normalise
from intake.nlp.patterns import LANGUAGES, PATTERNS_DIR, Phrase, labelled, phrases

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
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found = Labels(
            strands={str(k): tuple(v) for k, v in data["strands"].items()},
            incident_types=tuple(data["incident_types"]),
            when={str(k): int(v) for k, v in data["when"].items()},
            names=tuple(data["names"]),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc!r}") from None
    return found


def match_form(folded: str) -> str:
    """The text the matchers read: normalised, and without apostrophes, which people drop ("im", "hes")."""
    return folded.replace("'", "")


def _variants(folded: str) -> Iterator[str]:
    yield folded
    if not is_arabic_script(folded):
        return
    gaps = [i for i, ch in enumerate(folded) if ch == " "]
    if len(gaps) > _MAX_OPTIONAL_SPACES:
        return
    for size in range(1, len(gaps) + 1):
        for dropped in combinations(gaps, size):
            yield "".join(ch for i, ch in enumerate(folded) if i not in dropped)


class Signals:
    """The spaCy component: puts danger, strand, incident-type and when spans on a folded doc."""

    def __init__(self, nlp: Language, lang: str):
        self.lang = lang
        self.matchers: dict[str, PhraseMatcher] = {}
        own_and_english = (lang,) if lang == "en" else (lang, "en")
        # English is always matched too: people switch to English mid-message.
        self._add(nlp, DANGER, [(DANGER, p) for code in own_and_english for p in phrases(code, DANGER)])
        for kind in LABELLED_KINDS:
            found = [
                (label, p)
                for code in own_and_english
                for label, listed in labelled(code, kind, labels().of(kind)).items()
                for p in listed
            ]
            self._add(nlp, kind, found)

    def _add(self, nlp: Language, kind: str, found: list[tuple[str, Phrase]]) -> None:
        matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        for label, phrase in found:
            docs = [nlp.make_doc(v) for v in dict.fromkeys(_variants(match_form(phrase.folded)))]
            # The key names the label and the phrase as written, so evidence never quotes the message.
            matcher.add(f"{label}\x1f{phrase.text}", docs)
        self.matchers[kind] = matcher

    def __call__(self, doc: Doc) -> Doc:
        for kind, matcher in self.matchers.items():
            doc.spans[kind] = _leftmost_longest(matcher(doc, as_spans=True))
        return doc


def _leftmost_longest(spans: list[Span]) -> list[Span]:
    # Read left to right like the reporter wrote it: at each start the longest phrase wins
    # ("breaking into" over "breaking in"), and a phrase overlapping one already taken is dropped.
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -len(s))):
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept


@Language.factory("intake_signals", default_config={"pattern_lang": "en"})
def _make_signals(nlp: Language, name: str, pattern_lang: str) -> Signals:
    return Signals(nlp, pattern_lang)


def span_label(span: Span) -> tuple[str, str]:
    """(label, phrase as written in its pattern file) for a span the signals component made."""
    label, _, phrase = span.label_.partition("\x1f")
    return label, phrase


class NameFinder:
    """A Matcher over the raw message: a name-introducing phrase ("my name is"), then the name."""

    def __init__(self, nlp: Language, lang: str):
        self.nlp = nlp
        self.matcher = Matcher(nlp.vocab)
        if lang in _CASELESS:
            # A script without capitals cannot show where a name ends: take up to two words.
            name = [{"IS_ALPHA": True}, {"IS_ALPHA": True, "OP": "?"}]
        else:
            name = [{"IS_TITLE": True}, {"IS_TITLE": True, "OP": "?"}, {"IS_TITLE": True, "OP": "?"}]
        for code in (lang,) if lang == "en" else (lang, "en"):
            for phrase in labelled(code, "names", labels().names).get("introduces", ()):
                words = match_form(phrase.folded).split()
                pattern = [*({"NORM": w} for w in words), {"IS_PUNCT": True, "OP": "?"}, *name]
                # The key carries how many words introduce the name, so the span can leave them out.
                self.matcher.add(f"name:{len(words)}", [pattern], greedy="LONGEST")

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Character spans of names introduced in `text`."""
        doc = self.nlp.make_doc(text)
        for token in doc:
            token.norm_ = match_form(normalise(token.text))
        found = []
        for match_id, start, end in self.matcher(doc):
            first = start + int(self.nlp.vocab.strings[match_id].partition(":")[2])
            while first < end and doc[first].is_punct:
                first += 1
            if first < end:
                found.append((doc[first].idx, doc[end - 1].idx + len(doc[end - 1])))
        return found


@dataclass
class _Loaded:
    nlp: Language
    names: NameFinder
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

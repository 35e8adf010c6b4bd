"""The spaCy side of reading messages: the matcher component and the name finder, built per pattern language.

Imported only when a pipeline is first built (intake.nlp.pipeline.loaded), so a command
that never reads a message never pays for importing spaCy.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from itertools import combinations

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from intake.nlp.normalise import is_arabic_script, normalise
from intake.nlp.patterns import Phrase, labelled, phrases
from intake.nlp.pipeline import _CASELESS, _MAX_OPTIONAL_SPACES, DANGER, LABELLED_KINDS, labels, match_form


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


@lru_cache(maxsize=1 << 16)
def _token_form(text: str) -> str:
    # Words repeat: a long message folds each distinct word once.
    return match_form(normalise(text))


class NameFinder:
    """A Matcher over the raw message: a name-introducing phrase ("my name is"), then the name."""

    def __init__(self, nlp: Language, lang: str):
        self.nlp = nlp
        self.matcher = Matcher(nlp.vocab)
        if lang in _CASELESS:
            # A script without capitals cannot show where a name ends: take up to two words.
            # Not IS_ALPHA: a Bengali, Gujarati or Gurmukhi vowel sign is a mark, not a letter.
            word = {"IS_PUNCT": False, "LIKE_NUM": False, "IS_SPACE": False}
            name = [word, {**word, "OP": "?"}]
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
            token.norm_ = _token_form(token.text)
        found = []
        for match_id, start, end in self.matcher(doc):
            first = start + int(self.nlp.vocab.strings[match_id].partition(":")[2])
            while first < end and doc[first].is_punct:
                first += 1
            if first < end:
                found.append((doc[first].idx, doc[end - 1].idx + len(doc[end - 1])))
        return found

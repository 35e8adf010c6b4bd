"""Spot phrases saying a reporter is in danger right now, from patterns/<lang>/danger.txt."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from intake.nlp.normalise import is_arabic_script, mark_class
from intake.nlp.patterns import Phrase, pattern_language, phrases

KIND = "danger"


@dataclass(frozen=True)
class _Matcher:
    regex: re.Pattern[str]
    # The phrase as written for each capturing group; group n is phrases[n - 1].
    phrases: tuple[str, ...]


def _units(phrase: Phrase) -> list[str]:
    # Urdu, Persian and Shahmukhi writers split and join words freely ("میخواد", "می خواد"),
    # so spaces inside an Arabic-script phrase are optional.
    space = " ?" if is_arabic_script(phrase.folded) else " "
    # An apostrophe is optional because text-speak drops it ("im in danger", "theyre outside").
    return [{" ": space, "'": "'?"}.get(char) or re.escape(char) for char in phrase.folded]


def _trie_regex(node: dict, ends: list[str]) -> str:
    # Phrases sharing a start share one branch, so the regex engine tries a handful of
    # branches at each word, not every phrase (18 µs for 300 characters, against 118 µs
    # for a flat alternation of the same phrases).
    # Each phrase ends in an empty group; the group that matched names the phrase.
    branches = [unit + _trie_regex(child, ends) for unit, child in node.items() if unit != ""]
    if "" in node:
        # After the longer phrases, so "breaking into" wins over "breaking in".
        ends.append(node[""])
        branches.append("()")
    return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"


@cache
def _matcher(lang: str) -> _Matcher:
    # English is always checked too: people switch language mid-message.
    own = phrases(lang, KIND)
    chosen = own if lang == "en" else own + phrases("en", KIND)
    trie: dict = {}
    for phrase in chosen:
        node = trie
        for unit in _units(phrase):
            node = node.setdefault(unit, {})
        node.setdefault("", phrase.text)
    ends: list[str] = []
    body = _trie_regex(trie, ends)
    # Word edges built from letters, digits and combining marks: \b alone misfires after
    # Brahmic vowel signs, which \w does not count as word characters.
    edge = rf"\w{mark_class()}"
    regex = re.compile(rf"(?<![{edge}]){body}(?![{edge}])")
    return _Matcher(regex=regex, phrases=tuple(ends))


def evidence(folded: str, lang: str) -> tuple[str, ...]:
    """Return the danger phrases found in already-normalised text, in order, each once."""
    matcher = _matcher(pattern_language(lang))
    found = dict.fromkeys(matcher.phrases[m.lastindex - 1] for m in matcher.regex.finditer(folded))
    return tuple(found)

"""Fold text so that a phrase matches however a reporter happened to type it.

The same `normalise` runs over every pattern-file phrase and every message, so a
fold only has to be right, not reversible. Each fold touches one script's
characters, which is why one function serves all fourteen languages and messages
that mix them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# Run before NFKC, which would turn an acute accent used as an apostrophe ("don´t")
# into a space and a combining accent.
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u201b`\u02bc\u00b4\u2032\uff07", "'"))

# Invisible characters a phone or a copy-paste leaves inside words. Persian's half-space
# (ZWNJ) is among them: Arabic-script phrases are matched with optional spaces instead.
_INVISIBLE = (
    "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)

# Arabic-script letters that Arabic, Persian, Urdu and Shahmukhi keyboards spell
# differently; each is folded to one form. The harakat and Quranic marks are dropped:
# hardly anyone types them, and those who do must still match.
_ARABIC_LETTERS = {
    "\u0623": "\u0627",
    "\u0625": "\u0627",
    "\u0622": "\u0627",
    "\u0671": "\u0627",  # alef forms
    "\u0672": "\u0627",
    "\u0673": "\u0627",
    "\u0649": "\u064a",
    "\u06cc": "\u064a",
    "\u06d2": "\u064a",
    "\u06d3": "\u064a",  # ى ی ے ۓ -> ي
    "\u0626": "\u064a",
    "\u0624": "\u0648",  # ئ -> ي, ؤ -> و
    "\u06a9": "\u0643",  # ک -> ك
    "\u06d5": "\u0647",
    "\u06c1": "\u0647",
    "\u06c0": "\u0647",
    "\u06c2": "\u0647",  # ە ہ ۀ ۂ -> ه
    "\u06be": "\u0647",
    "\u0629": "\u0647",
    "\u06c3": "\u0647",  # ھ ة ۃ -> ه
    "\u06ba": "\u0646",  # ں -> ن: Urdu nasal noon is often typed as a plain noon
}
_ARABIC_MARKS = [0x0640, 0x0670, *range(0x064B, 0x0660), *range(0x06D6, 0x06EE)]

# Brahmic-script marks that reporters commonly leave out: nukta (Devanagari, Bengali,
# Gurmukhi, Gujarati), Bengali chandrabindu and Gurmukhi addak. Gurmukhi bindi and
# tippi are the same nasal sign in two shapes.
_INDIC_DROPPED = [0x093C, 0x09BC, 0x0A3C, 0x0ABC, 0x0981, 0x0A71]
_INDIC_LETTERS = {"\u0a02": "\u0a70"}

_CYRILLIC_LETTERS = {"ё": "е", "ґ": "г"}

# Latin letters that carry their accent in the glyph, so NFD does not split it off.
_LATIN_LETTERS = {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe"}

# Digits of the scripts we serve, so "٩٩٩" reads as "999".
_DIGIT_ZEROS = (0x0660, 0x06F0, 0x0966, 0x09E6, 0x0A66, 0x0AE6)


def _build_folds() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for code in [*range(0x20), *range(0x7F, 0xA0)]:
        table[code] = " "
    for char in _INVISIBLE:
        table[ord(char)] = None
    for mapping in (_ARABIC_LETTERS, _INDIC_LETTERS, _CYRILLIC_LETTERS, _LATIN_LETTERS):
        table.update({ord(k): v for k, v in mapping.items()})
    for code in (*_ARABIC_MARKS, *_INDIC_DROPPED):
        table[code] = None
    for zero in _DIGIT_ZEROS:
        for digit in range(10):
            table[zero + digit] = str(digit)
    return table


_FOLDS = _build_folds()

# Combining accents in the blocks Latin text uses; stripped only after a Latin letter so
# that Cyrillic й and every Brahmic vowel sign survive.
_LATIN_ACCENTS = re.compile("(?<=[a-z])[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
# A Russian keyboard has no Ukrainian і, so people type a Latin i inside Cyrillic words.
_LATIN_I_IN_CYRILLIC = re.compile("(?<=[\u0400-\u04ff])i|i(?=[\u0400-\u04ff])")


@cache
def mark_class() -> str:
    """Return a regex character-class body matching every Unicode combining mark.

    Python's \\w leaves out combining marks, so \\b finds a false word edge after a
    Bengali, Gujarati or Gurmukhi vowel sign; word edges are built from \\w plus this.
    """
    ranges: list[list[int]] = []
    # Planes 0-1 and the variation selectors hold every mark a message will carry.
    for code in [*range(0x20000), *range(0xE0100, 0xE01F0)]:
        if unicodedata.category(chr(code))[0] != "M":
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


@cache
def _non_word() -> re.Pattern[str]:
    # Punctuation, symbols and emoji become spaces; apostrophes stay, since "he's" is a word.
    return re.compile(rf"[^\w\s'{mark_class()}]|_")


def normalise(text: str) -> str:
    """Return `text` folded for phrase matching: NFKC, casefolded, accents and variants folded."""
    text = unicodedata.normalize("NFKC", text.translate(_APOSTROPHES)).casefold().translate(_FOLDS)
    if not text.isascii():
        # NFD splits "ż" into "z" and a combining dot so the dot can go; NFC puts back
        # what was left (Cyrillic й, Brahmic vowels) so it matches the phrases.
        text = unicodedata.normalize("NFC", _LATIN_ACCENTS.sub("", unicodedata.normalize("NFD", text)))
        if _CYRILLIC.search(text):
            text = _LATIN_I_IN_CYRILLIC.sub("\u0456", text)
    return " ".join(_non_word().sub(" ", text).split())


def is_arabic_script(text: str) -> bool:
    """Say whether `text` contains Arabic-script letters (Arabic, Persian, Urdu, Shahmukhi)."""
    return any("\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f" for char in text)

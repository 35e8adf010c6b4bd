"""How many SMS segments a text costs, and how to keep a reply within budget.

A text is sent in GSM-7 when every character is in the GSM 03.38 alphabet (160
septets in one segment, 153 in each part of a longer one; the extension characters
cost two), otherwise in UCS-2 (70 UTF-16 units, 67 per part). One Polish or Urdu
letter makes the whole text UCS-2, so typography we add ourselves must never do it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")

# Typography that looks the same in GSM-7 but would force the whole text into UCS-2.
_GSM_LOOKALIKES = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
        "\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2212": "-", "\u2022": "-",
        "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u200a": " ",
        "\u2026": "...",
        # Direction marks and isolates only matter inside right-to-left text.
        "\u2066": "", "\u2067": "", "\u2068": "", "\u2069": "", "\u200e": "", "\u200f": "",
    }
)  # fmt: skip

SINGLE = {"GSM-7": 160, "UCS-2": 70}
PART = {"GSM-7": 153, "UCS-2": 67}
MAX_SEGMENTS = 3


@dataclass(frozen=True)
class Cost:
    encoding: str
    units: int
    segments: int


GSM_ALL = GSM_BASIC | GSM_EXTENSION


def is_gsm(text: str) -> bool:
    return GSM_ALL.issuperset(text)


def gsm_safe(text: str) -> str:
    """The text with our own typography made GSM-7, when that makes the whole text GSM-7; else unchanged."""
    plain = text.translate(_GSM_LOOKALIKES)
    return plain if is_gsm(plain) else text


def _char_units(c: str, encoding: str) -> int:
    if encoding == "GSM-7":
        return 2 if c in GSM_EXTENSION else 1
    return 2 if ord(c) > 0xFFFF else 1


def cost(text: str) -> Cost:
    """Segments as a handset counts them: an escape pair or a surrogate pair is never split."""
    encoding = "GSM-7" if is_gsm(text) else "UCS-2"
    # Extension characters take two septets; in UCS-2, characters past U+FFFF take two units.
    gsm = encoding == "GSM-7"
    doubles = sum(text.count(c) for c in GSM_EXTENSION) if gsm else len(text.encode("utf-16-le")) // 2 - len(text)
    units = len(text) + doubles
    if units <= SINGLE[encoding]:
        return Cost(encoding, units, 1 if units else 0)
    if not doubles:  # no pair to keep whole: the parts are simply full
        return Cost(encoding, units, -(-units // PART[encoding]))
    segments, room = 1, PART[encoding]
    for c in text:
        need = _char_units(c, encoding)
        if need > room:
            segments, room = segments + 1, PART[encoding]
        room -= need
    return Cost(encoding, units, segments)


def fits(text: str, max_segments: int = MAX_SEGMENTS) -> bool:
    return cost(text).segments <= max_segments


def split(text: str, max_segments: int = MAX_SEGMENTS) -> list[str]:
    """Cut a text that is too long into as few parts as fit, breaking at a line, a sentence or a word.

    Each part is numbered " (1/2)" so the reporter can put them in order if they arrive out of it.
    """
    text = text.strip()
    if fits(text, max_segments):
        return [text]

    def ok(candidate: str) -> bool:
        # Leave room for the " (n/m)" mark, which is GSM-7 and at most 8 characters.
        return fits(candidate + " (99/99)", max_segments)

    parts: list[str] = []
    rest = text
    while rest:
        if ok(rest):
            parts.append(rest)
            break
        cut = _break_before(rest, _longest_fitting(rest, ok))
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [f"{part} ({number}/{len(parts)})" for number, part in enumerate(parts, start=1)]


def _longest_fitting(text: str, ok: Callable[[str], bool]) -> int:
    """The length of the longest prefix that fits (cost only grows with length)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if ok(text[:middle]):
            low = middle
        else:
            high = middle - 1
    return low


_SENTENCE_END = re.compile(r"[.!?؟।۔:](?=\s)")


def _break_before(text: str, limit: int) -> int:
    """Where to cut within the first `limit` characters: the last line break, else sentence end,
    else space, as long as it keeps at least a third of the room used; a hard cut only for one long word."""
    window = text[: limit + 1]  # a break just after the limit still leaves a fitting part
    floor = limit // 3
    line = window.rfind("\n")
    if line >= floor:
        return line + 1
    sentences = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() <= limit]
    if sentences and sentences[-1] >= floor:
        return sentences[-1]
    space = max(window.rfind(" "), window.rfind("\n"))
    if space > 0:
        return space + 1
    return limit

"""Read a reporter's answer to one question: one kind per question type, in a registry.

A kind reads the words a text door sends (`read_text`) and the structured answer a
page or a keyboard sends (`read_answer`), and says which re-ask to use when neither
can be understood. Adding a question type is one class and one registry line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from intake.messages import Answer, Option, Question
from intake.nlp.normalise import normalise


@dataclass(frozen=True)
class Parsed:
    value: str | list[str] | None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Unclear:
    """The reply did not fit the question; the engine re-asks kindly, then moves on."""


@dataclass(frozen=True)
class Reading:
    """What a kind may know besides the question: the reporter's words for option ids, today, postcodes read."""

    synonyms: Mapping[str, frozenset[str]] = field(default_factory=dict)
    today: date = date(2000, 1, 1)
    postcodes: tuple[str, ...] = ()


def fold(text: str) -> str:
    """Fold a reply for comparing with options and keywords, however it was typed.

    The danger matcher's normalisation (case, accents, invisible marks, Arabic-script
    letter variants such as ي/ی and ك/ک, Indic nukta, Eastern digits), then without
    punctuation: 'Tak!' and 'tak', 'Sí' and 'si', 'وضعيت' and 'وضعیت' compare equal.
    """
    return normalise(text).replace("'", "").strip()


def _number(token: str) -> int | None:
    # Reporters on Arabic-script keyboards type Eastern Arabic digits; int() reads those too.
    try:
        return int(token)
    except ValueError:
        return None


def parse_choice(text: str, options: Sequence[Option], synonyms: Mapping[str, frozenset[str]]) -> Parsed | Unclear:
    """A number from the list, the option's words, or a synonym (yes/no in any language)."""
    folded = fold(text)
    if not folded:
        return Unclear()
    number = _number(folded)
    if number is not None:
        return Parsed(options[number - 1].id) if 1 <= number <= len(options) else Unclear()
    for option in options:
        if folded in (fold(option.label), fold(option.id)) or folded in synonyms.get(option.id, ()):
            return Parsed(option.id)
    starts = [o for o in options if len(folded) >= 3 and fold(o.label).startswith(folded)]
    if len(starts) == 1:
        return Parsed(starts[0].id)
    return _leading(folded, options, synonyms)


# After "no" or "yes", words that make it a hedge, not an answer: "no idea", "not sure".
HEDGES = frozenset({"idea", "clue", "sure", "se", "sé"})


def _leading(folded: str, options: Sequence[Option], synonyms: Mapping[str, frozenset[str]]) -> Parsed | Unclear:
    """An answer said first, then explained: "yes i rent from the council", "2 i think", "tak, to prawda"."""
    tokens = [t for t in re.split(r"[\s,.;:!?]+", folded) if t]
    if len(tokens) < 2 or tokens[1] in HEDGES:
        return Unclear()
    number = _number(tokens[0])
    if number is not None:
        return Parsed(options[number - 1].id) if 1 <= number <= len(options) else Unclear()
    said = [o.id for o in options if tokens[0] in synonyms.get(o.id, ()) or tokens[0] == fold(o.label)]
    return Parsed(said[0]) if len(said) == 1 else Unclear()


def parse_multi(text: str, options: Sequence[Option]) -> Parsed | Unclear:
    """Numbers like '1 3' or '1,3', or a single option's words; an exclusive option stands alone."""
    folded = fold(text)
    if not folded:
        return Unclear()
    tokens = re.split(r"[\s,;&+/]+|\band\b", folded)
    numbers = [_number(t) for t in tokens if t]
    if numbers and all(n is not None for n in numbers):
        valid = [n for n in numbers if 1 <= n <= len(options)]  # type: ignore[operator]
        if not valid:
            return Unclear()
        picked = _picked([options[n - 1].id for n in valid], options)  # type: ignore[index]
        ignored = [str(n) for n in numbers if n not in valid]
        # The valid choices are kept, and the reply says which numbers were not on the list.
        return Parsed(picked.value, {"ignored": ignored}) if ignored else picked
    single = parse_choice(text, options, {})
    return single if isinstance(single, Unclear) else _picked([single.value], options)  # type: ignore[list-item]


def _picked(ids: Sequence[str], options: Sequence[Option]) -> Parsed:
    picked = list(dict.fromkeys(ids))
    exclusive = {o.id for o in options if o.exclusive}
    if len(picked) > 1:
        picked = [p for p in picked if p not in exclusive] or picked[:1]
    return Parsed(picked)


class Kind:
    """How one type of question reads its answers."""

    reask = "reask_text"

    def read_text(self, text: str, question: Question, reading: Reading) -> Parsed | Unclear:
        stripped = text.strip()
        return Parsed(stripped) if stripped else Unclear()

    def read_answer(self, answer: Answer, question: Question, reading: Reading) -> Parsed | Unclear:
        return self.read_text(answer.text or "", question, reading)


class Choice(Kind):
    reask = "reask_choice"

    def read_text(self, text: str, question: Question, reading: Reading) -> Parsed | Unclear:
        return parse_choice(text, question.options, reading.synonyms)

    def read_answer(self, answer: Answer, question: Question, reading: Reading) -> Parsed | Unclear:
        offered = {o.id for o in question.options}
        if len(answer.options) != 1 or answer.options[0] not in offered:
            return Unclear()
        return Parsed(answer.options[0])


class YesNo(Choice):
    reask = "reask_yesno"


class Multi(Kind):
    reask = "reask_multi"

    def read_text(self, text: str, question: Question, reading: Reading) -> Parsed | Unclear:
        return parse_multi(text, question.options)

    def read_answer(self, answer: Answer, question: Question, reading: Reading) -> Parsed | Unclear:
        offered = {o.id for o in question.options}
        if not answer.options or not set(answer.options) <= offered:
            return Unclear()
        order = [o.id for o in question.options]
        return _picked(sorted(answer.options, key=order.index), question.options)


class Date(Kind):
    """Any words are kept; a date is read from the common forms (today, last night, 20/11, 3 days ago)."""

    def read_text(self, text: str, question: Question, reading: Reading) -> Parsed | Unclear:
        stripped = text.strip()
        if not stripped:
            return Unclear()
        return Parsed(stripped, {"date": read_date(stripped.casefold(), reading.today)})


class Location(Kind):
    def read_text(self, text: str, question: Question, reading: Reading) -> Parsed | Unclear:
        stripped = text.strip()
        if not stripped:
            return Unclear()
        return Parsed(stripped, {"postcode": reading.postcodes[0]} if reading.postcodes else {})


KINDS: dict[str, Kind] = {
    "yesno": YesNo(),
    "choice": Choice(),
    "multi": Multi(),
    "text": Kind(),
    "date": Date(),
    "location": Location(),
}


def kind(name: str) -> Kind:
    return KINDS[name]


_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DATE = re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2,4}))?\b")
_AGO = re.compile(r"\b(\d{1,3})\s+(day|days|week|weeks)\s+ago\b")


def read_date(text: str, today: date) -> str | None:
    """The day a reporter's words name, as an ISO date, when they name one on or before today."""
    found: date | None = None
    if "today" in text or "this morning" in text or "tonight" in text:
        found = today
    elif "yesterday" in text or "last night" in text:
        found = today - timedelta(days=1)
    elif match := _AGO.search(text):
        unit = 7 if match.group(2).startswith("week") else 1
        found = today - timedelta(days=int(match.group(1)) * unit)
    elif match := _DATE.search(text):
        day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
        full_year = today.year if year is None else int(year) + (2000 if len(year) == 2 else 0)
        try:
            found = date(full_year, month, day)
        except ValueError:
            return None
        if year is None and found > today:  # "20/12" said in January means last December
            found = found.replace(year=full_year - 1)
    else:
        for offset, name in enumerate(_DAYS):
            if re.search(rf"\b(last )?{name}\b", text):
                back = (today.weekday() - offset) % 7 or 7
                found = today - timedelta(days=back)
                break
    return found.isoformat() if found and found <= today else None


def today_in(received_at: datetime, timezone: str) -> date:
    return received_at.astimezone(ZoneInfo(timezone)).date()

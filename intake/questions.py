"""Turn what a reporter typed into an answer: one small parser per question kind."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from intake.messages import Choice
from intake.nlp.normalise import normalise


@dataclass(frozen=True)
class Parsed:
    value: str | list[str] | None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Unclear:
    """The reply did not fit the question; the engine re-asks kindly, then moves on."""


Answer = Parsed | Unclear


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


def parse_choice(text: str, choices: Sequence[Choice], synonyms: dict[str, set[str]]) -> Answer:
    """A number from the list, the option's words, or a synonym (yes/no in any language)."""
    folded = fold(text)
    if not folded:
        return Unclear()
    number = _number(folded)
    if number is not None:
        return Parsed(choices[number - 1].value) if 1 <= number <= len(choices) else Unclear()
    for choice in choices:
        if folded in (fold(choice.label), fold(choice.value)) or folded in synonyms.get(choice.value, ()):
            return Parsed(choice.value)
    starts = [c for c in choices if len(folded) >= 3 and fold(c.label).startswith(folded)]
    return Parsed(starts[0].value) if len(starts) == 1 else Unclear()


def parse_multi(text: str, choices: Sequence[Choice], exclusive: frozenset[str]) -> Answer:
    """Numbers like '1 3' or '1,3', or a single option's words; an exclusive option stands alone."""
    folded = fold(text)
    if not folded:
        return Unclear()
    tokens = re.split(r"[\s,;&+/]+|\band\b", folded)
    numbers = [_number(t) for t in tokens if t]
    if numbers and all(n is not None for n in numbers):
        if not all(1 <= n <= len(choices) for n in numbers):  # type: ignore[operator]
            return Unclear()
        picked = list(dict.fromkeys(choices[n - 1].value for n in numbers))  # type: ignore[operator]
    else:
        single = parse_choice(text, choices, {})
        if isinstance(single, Unclear):
            return single
        picked = [single.value]  # type: ignore[list-item]
    if len(picked) > 1:
        picked = [p for p in picked if p not in exclusive] or picked[:1]
    return Parsed(picked)


def parse_text(text: str) -> Answer:
    stripped = text.strip()
    return Parsed(stripped) if stripped else Unclear()


_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DATE = re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2,4}))?\b")
_AGO = re.compile(r"\b(\d{1,3})\s+(day|days|week|weeks)\s+ago\b")


def parse_date(text: str, today: date) -> Answer:
    """Any words are kept; a date is read from the common forms (today, last night, 20/11, 3 days ago)."""
    stripped = text.strip()
    if not stripped:
        return Unclear()
    return Parsed(stripped, {"date": _read_date(stripped.casefold(), today)})


def _read_date(text: str, today: date) -> str | None:
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


def parse_location(text: str, postcodes: Sequence[str]) -> Answer:
    stripped = text.strip()
    if not stripped:
        return Unclear()
    return Parsed(stripped, {"postcode": postcodes[0]} if postcodes else {})


def today_in(received_at: datetime, timezone: str) -> date:
    return received_at.astimezone(ZoneInfo(timezone)).date()

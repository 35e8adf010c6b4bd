"""Writing to a reporter: whether a message may go now, later or never, what it says, and what it came to.

Pure: no database, no provider. casework.message_reporter applies these rules; the console
shows their reasons. The reporter's own safe-contact answers decide, never the officer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from babel.dates import format_date

from intake.i18n import format_locale, mark, translator

TEMPLATES_FILE = Path(__file__).parent / "flow" / "officer_messages.yaml"
FREE_TEXT = "free_text"
PARAMS = ("name", "date")  # what the console's form fills in
# Doors a reporter can be written to on, and the outbox channel each goes out on.
WRITABLE_DOORS = {"sms": "sms", "telegram": "telegram", "web": "reporter_email"}
EMAIL_CHANNEL = "reporter_email"
WINDOW_ANSWERS = ("daytime", "evening")
# A sent message only becomes something on the case once the provider says where it got to.
DELIVERED = ("delivered", "read")
FAILED = ("failed", "undelivered")


@dataclass(frozen=True)
class Window:
    start: time
    end: time


@dataclass(frozen=True)
class Decision:
    """What becomes of a message: `send` now, `hold` until `release_at`, or `refuse`; `reason` is a msgid."""

    outcome: str
    reason: str | None = None
    release_at: datetime | None = None


@dataclass(frozen=True)
class Template:
    id: str
    text: str
    params: tuple[str, ...]


@cache
def templates() -> dict[str, Template]:
    return load_templates(TEMPLATES_FILE)


def load_templates(path: Path) -> dict[str, Template]:
    """The templates in `path`, checked: each one's placeholders are the params it names, and the console fills them."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = {x["id"]: Template(x["id"], x["text"], tuple(x.get("params") or ())) for x in data["templates"]}
    if FREE_TEXT in found:
        raise ValueError(f"{path}: {FREE_TEXT} is not a template id")
    for template in found.values():
        used = set(re.findall(r"%\((\w+)\)s", template.text))
        if used != set(template.params) or not used <= set(PARAMS):
            raise ValueError(f"{path}: {template.id}: its text uses {sorted(used)}, its params say "
                             f"{sorted(template.params)}; the console fills only {', '.join(PARAMS)}")  # fmt: skip
    return found


def render(template: Template, language: str, params: Mapping[str, Any]) -> str:
    """The template in the reporter's language, a date as their locale writes it."""
    shown = {}
    for name in template.params:
        value = params[name]
        shown[name] = format_date(value, format="long", locale=format_locale(language)) if isinstance(value, date) else value
    return translator(language)(template.text, **shown)


# ---- may it go, and when -------------------------------------------------------------------------
def decide(
    *,
    door: str | None,
    address: str | None,
    safety: Sequence[str],
    stopped: bool,
    windows: Mapping[str, Window],
    timezone: str,
    now: datetime,
) -> Decision:
    """Whether a message to this reporter may go now, must wait for their window, or must not go at all."""
    if stopped:
        return Decision("refuse", mark("The reporter sent STOP or left with the quick exit. Nothing can be sent to them."))
    if "no_messages" in safety:
        return Decision("refuse", mark("The reporter asked us not to leave messages. Call them instead."))
    if door not in WRITABLE_DOORS or not address:
        return Decision("refuse", mark("There is no way to write to this reporter. Call them and record the contact."))
    wanted = [windows[w] for w in WINDOW_ANSWERS if w in safety and w in windows]
    if not wanted:
        return Decision("send")
    opens = next_opening(wanted, ZoneInfo(timezone), now)
    if opens <= now:
        return Decision("send")
    return Decision("hold", mark("The reporter asked to be contacted only at certain times. It waits until %(time)s."), opens)


def next_opening(windows: Iterable[Window], zone: ZoneInfo, now: datetime) -> datetime:
    """Now if any window is open, else the soonest moment one opens (London time, across clock changes)."""
    local = now.astimezone(zone)
    soonest: datetime | None = None
    for window in windows:
        for days in (0, 1):
            day = local.date() + timedelta(days=days)
            start = datetime.combine(day, window.start, zone)
            end = datetime.combine(day, window.end, zone)
            if start <= local < end:
                return now
            if start > local and (soonest is None or start < soonest):
                soonest = start
    assert soonest is not None  # a window opens within a day
    return soonest.astimezone(now.tzinfo)


# ---- what a message came to ----------------------------------------------------------------------
def state(outbox_status: str | None, delivery_status: str | None, door: str, held_until: datetime | None, now: datetime) -> str:
    """queued, held, sent, delivered, failed or cancelled, from the outbox row and the provider's reports."""
    if outbox_status in ("failed", "cancelled") or delivery_status in FAILED:
        return "cancelled" if outbox_status == "cancelled" else "failed"
    if outbox_status in ("sent", "delivered"):
        # Telegram and email report nothing after they take a message: taken is delivered.
        if door != "sms" or delivery_status in DELIVERED:
            return "delivered"
        return "sent"
    if held_until is not None and held_until > now:
        return "held"
    return "queued"


def counts_as(delivered: bool, answered: bool) -> str | None:
    """A delivered message answered is a contact made; delivered and not answered, a message left."""
    if not delivered:
        return None
    return "spoke" if answered else "left_message"

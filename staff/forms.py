"""Reading the console's form fields: whole numbers, GOV.UK date inputs, and a date with a time in the landlord's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo


def whole(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def day(form: Any, prefix: str) -> date | None:
    """The date in a GOV.UK date input's three fields, `prefix`-day, -month and -year; None if it is not one."""
    try:
        return date(int(form.get(f"{prefix}-year", "")), int(form.get(f"{prefix}-month", "")), int(form.get(f"{prefix}-day", "")))
    except ValueError:
        return None


def moment(form: Any, prefix: str, timezone: str) -> datetime | None:
    """The date input with its `prefix`-time field (14:30 or 14.30), read in the landlord's zone, as UTC."""
    on = day(form, prefix)
    raw = form.get(f"{prefix}-time", "").strip()
    if on is None or not raw:
        return None
    try:
        hours, minutes = (int(p) for p in raw.replace(".", ":").split(":", 1))
        return datetime(on.year, on.month, on.day, hours, minutes, tzinfo=ZoneInfo(timezone)).astimezone(UTC)
    except ValueError:
        return None

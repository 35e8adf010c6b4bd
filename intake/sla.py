"""Work out when a landlord owes a hate-incident reporter first and follow-up contact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

import holidays


@dataclass(frozen=True)
class DeadlineRule:
    """A landlord's first-contact deadline.

    `hours` is plain elapsed time. `next_business_day_or_hours` is the later of that
    elapsed time and the same wall-clock time in `timezone` on the next business day,
    which is how we read Milton Keynes' "24 hours (1 business day)".
    """

    kind: Literal["hours", "next_business_day_or_hours"]
    hours: int = 24
    timezone: str = "Europe/London"


@lru_cache(maxsize=16)
def _bank_holidays(year: int) -> frozenset[date]:
    """Return the England and Wales bank holidays for one year."""
    # A frozenset, not the HolidayBase itself: its lookups quietly add years to it,
    # which would mutate a value shared through the cache.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_business_day(day: date) -> bool:
    """Say whether `day` is a weekday that is not an England and Wales bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def _require_aware(moment: datetime, name: str) -> None:
    """Refuse a naive datetime, whose instant we would otherwise have to guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")


def _at_wall_clock(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """Return `wall` on `day` in `zone` as an aware UTC datetime."""
    # fold=0 picks the earlier reading of an ambiguous time (the clocks going back)
    # and, for a time skipped by the clocks going forward, the pre-change offset, so
    # the round trip through UTC moves it on by the gap (01:30 becomes 02:30 BST).
    local = datetime.combine(day, wall.replace(tzinfo=None, fold=0), tzinfo=zone)
    return local.astimezone(UTC)


def add_working_days(start: datetime, days: int, timezone: str = "Europe/London") -> datetime:
    """Return the same wall-clock time in `timezone`, `days` business days after `start`."""
    _require_aware(start, "start")
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    if days == 0:
        return start.astimezone(UTC)
    zone = ZoneInfo(timezone)
    local = start.astimezone(zone)
    day = local.date()
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return _at_wall_clock(day, local.time(), zone)


def first_contact_due(reported_at: datetime, rule: DeadlineRule) -> datetime:
    """Return when first contact with the reporter is due under `rule`, in UTC."""
    _require_aware(reported_at, "reported_at")
    elapsed = reported_at.astimezone(UTC) + timedelta(hours=rule.hours)
    if rule.kind == "hours":
        return elapsed
    if rule.kind == "next_business_day_or_hours":
        # Elapsed time only wins when a short day (clocks going forward) falls between
        # the report and the next business day, e.g. 00:30 on a spring-forward Sunday.
        return max(elapsed, add_working_days(reported_at, 1, rule.timezone))
    raise ValueError(f"unknown deadline rule kind {rule.kind!r}")


def next_contact_due(last_contact_at: datetime, working_days: int | None, timezone: str = "Europe/London") -> datetime | None:
    """Return when the next contact is due, or None when the landlord sets no cadence."""
    _require_aware(last_contact_at, "last_contact_at")
    if working_days is None:
        return None
    return add_working_days(last_contact_at, working_days, timezone)

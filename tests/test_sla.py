"""Contact deadlines; every expected instant was worked out by hand, never by the code."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest

from intake.sla import (
    DeadlineRule,
    add_working_days,
    first_contact_due,
    is_business_day,
    next_contact_due,
)

LONDON = ZoneInfo("Europe/London")
MILTON_KEYNES = DeadlineRule("next_business_day_or_hours")
WYTHENSHAWE = DeadlineRule("hours")


def london(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=LONDON)


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)


# (reported at, Milton Keynes due, Wythenshawe due). BST is UTC+1 from 29 March to
# 25 October 2026; GMT is UTC+0 either side.
FIRST_CONTACT = [
    pytest.param(
        london(2026, 6, 8, 9, 15),
        utc(2026, 6, 9, 8, 15),
        utc(2026, 6, 9, 8, 15),
        id="monday-morning-is-due-tuesday-same-time",
    ),
    pytest.param(
        london(2026, 6, 12, 15, 40),
        utc(2026, 6, 15, 14, 40),
        utc(2026, 6, 13, 14, 40),
        id="friday-afternoon-is-due-monday-for-mk-saturday-for-wchg",
    ),
    pytest.param(
        london(2026, 4, 2, 11, 0),
        utc(2026, 4, 7, 10, 0),
        utc(2026, 4, 3, 10, 0),
        id="thursday-before-easter-skips-good-friday-weekend-and-easter-monday",
    ),
    pytest.param(
        london(2026, 4, 3, 11, 0),
        utc(2026, 4, 7, 10, 0),
        utc(2026, 4, 4, 10, 0),
        id="good-friday-report-is-due-tuesday-after-easter-monday",
    ),
    pytest.param(
        london(2026, 12, 24, 14, 0),
        utc(2026, 12, 29, 14, 0),
        utc(2026, 12, 25, 14, 0),
        id="christmas-eve-skips-christmas-weekend-and-substitute-boxing-day",
    ),
    pytest.param(
        london(2026, 12, 31, 14, 0),
        utc(2027, 1, 4, 14, 0),
        utc(2027, 1, 1, 14, 0),
        id="new-years-eve-skips-new-years-day-into-next-year",
    ),
    pytest.param(
        london(2026, 6, 13, 11, 0),
        utc(2026, 6, 15, 10, 0),
        utc(2026, 6, 14, 10, 0),
        id="saturday-report-is-due-monday-same-time",
    ),
    pytest.param(
        # Sat 10:00 GMT: MK Mon 10:00 BST; WCHG Sun 11:00 BST.
        london(2026, 3, 28, 10, 0),
        utc(2026, 3, 30, 9, 0),
        utc(2026, 3, 29, 10, 0),
        id="clocks-forward-mk-keeps-wall-clock-wchg-keeps-elapsed",
    ),
    pytest.param(
        # Sun 00:30 GMT, before the change: Mon 00:30 BST is only 23 hours later.
        london(2026, 3, 29, 0, 30),
        utc(2026, 3, 30, 0, 30),
        utc(2026, 3, 30, 0, 30),
        id="clocks-forward-night-mk-takes-24-hours-when-later-than-wall-clock",
    ),
    pytest.param(
        # Sat 10:00 BST: MK Mon 10:00 GMT; WCHG Sun 09:00 GMT.
        london(2026, 10, 24, 10, 0),
        utc(2026, 10, 26, 10, 0),
        utc(2026, 10, 25, 9, 0),
        id="clocks-back-mk-keeps-wall-clock-wchg-keeps-elapsed",
    ),
    pytest.param(
        london(2026, 6, 15, 23, 30),
        utc(2026, 6, 16, 22, 30),
        utc(2026, 6, 16, 22, 30),
        id="monday-late-evening-is-due-tuesday-late-evening",
    ),
    pytest.param(
        london(2026, 6, 12, 23, 30),
        utc(2026, 6, 15, 22, 30),
        utc(2026, 6, 13, 22, 30),
        id="friday-late-evening-is-due-monday-for-mk-saturday-for-wchg",
    ),
    pytest.param(
        # Sat 00:30 BST is still Friday 23:30 in UTC; the London date decides.
        london(2026, 6, 13, 0, 30),
        utc(2026, 6, 14, 23, 30),
        utc(2026, 6, 13, 23, 30),
        id="just-after-midnight-saturday-counts-as-saturday-not-friday",
    ),
    pytest.param(
        datetime(2026, 6, 8, 14, 15, tzinfo=timezone(timedelta(hours=5))),
        utc(2026, 6, 9, 9, 15),
        utc(2026, 6, 9, 9, 15),
        id="report-stamped-in-another-zone-is-read-in-london-time",
    ),
]


@pytest.mark.parametrize(("reported_at", "mk_due", "wchg_due"), FIRST_CONTACT)
def test_milton_keynes_first_contact_is_next_business_day_or_24_hours(reported_at, mk_due, wchg_due):
    assert first_contact_due(reported_at, MILTON_KEYNES) == mk_due


@pytest.mark.parametrize(("reported_at", "mk_due", "wchg_due"), FIRST_CONTACT)
def test_wythenshawe_first_contact_is_24_elapsed_hours(reported_at, mk_due, wchg_due):
    assert first_contact_due(reported_at, WYTHENSHAWE) == wchg_due


@pytest.mark.parametrize("rule", [MILTON_KEYNES, WYTHENSHAWE], ids=["mk", "wchg"])
@pytest.mark.parametrize(("reported_at", "mk_due", "wchg_due"), FIRST_CONTACT)
def test_first_contact_is_always_in_utc(rule, reported_at, mk_due, wchg_due):
    assert first_contact_due(reported_at, rule).tzinfo is UTC


def test_an_hours_rule_uses_its_own_number_of_hours():
    rule = DeadlineRule("hours", hours=48)
    assert first_contact_due(london(2026, 6, 12, 15, 40), rule) == utc(2026, 6, 14, 14, 40)


@pytest.mark.parametrize("rule", [MILTON_KEYNES, WYTHENSHAWE], ids=["mk", "wchg"])
def test_a_naive_report_time_is_refused(rule):
    with pytest.raises(ValueError, match="timezone-aware"):
        first_contact_due(datetime(2026, 6, 8, 9, 15), rule)


def test_an_unknown_rule_kind_is_refused():
    with pytest.raises(ValueError, match="unknown deadline rule kind"):
        first_contact_due(london(2026, 6, 8, 9, 15), DeadlineRule("days"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(date(2026, 6, 10), True, id="ordinary-wednesday"),
        pytest.param(date(2026, 6, 13), False, id="saturday"),
        pytest.param(date(2026, 6, 14), False, id="sunday"),
        pytest.param(date(2026, 4, 3), False, id="good-friday"),
        pytest.param(date(2026, 4, 6), False, id="easter-monday"),
        pytest.param(date(2026, 5, 25), False, id="spring-bank-holiday"),
        pytest.param(date(2026, 12, 25), False, id="christmas-day"),
        pytest.param(date(2026, 12, 28), False, id="substitute-boxing-day-monday"),
        pytest.param(date(2026, 12, 29), True, id="tuesday-after-christmas"),
        pytest.param(date(2027, 1, 1), False, id="new-years-day-2027"),
    ],
)
def test_business_days_skip_weekends_and_england_bank_holidays(day, expected):
    assert is_business_day(day) is expected


def test_holidays_library_moves_boxing_day_2026_to_monday_28th():
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=2026)
    assert date(2026, 12, 26).weekday() == 5
    assert "Boxing Day" in calendar[date(2026, 12, 28)]


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        pytest.param(
            # Tue 19..Fri 22 = 4, Mon 25 holiday, Tue 26..Fri 29 = 8, Mon 1 = 9, Tue 2 = 10.
            london(2026, 5, 18, 10, 0),
            10,
            utc(2026, 6, 2, 9, 0),
            id="ten-days-over-spring-bank-holiday",
        ),
        pytest.param(
            # Mon 30..Thu 2 = 4, Easter Fri and Mon off, Tue 7..Fri 10 = 8, Mon 13 = 9, Tue 14 = 10.
            london(2026, 3, 27, 10, 0),
            10,
            utc(2026, 4, 14, 9, 0),
            id="ten-days-over-clocks-forward-and-easter-keep-wall-clock",
        ),
        pytest.param(
            # Tue 22..Thu 24 = 3, Tue 29..Thu 31 = 6, Mon 4..Thu 7 Jan = 10.
            london(2026, 12, 21, 9, 0),
            10,
            utc(2027, 1, 7, 9, 0),
            id="ten-days-over-christmas-and-new-year",
        ),
        pytest.param(
            london(2026, 6, 13, 11, 0),
            1,
            utc(2026, 6, 15, 10, 0),
            id="one-day-from-saturday-is-monday",
        ),
        pytest.param(
            london(2026, 6, 13, 11, 0),
            0,
            utc(2026, 6, 13, 10, 0),
            id="zero-days-is-the-start-itself",
        ),
    ],
)
def test_add_working_days_keeps_london_wall_clock_time(start, days, expected):
    result = add_working_days(start, days)
    assert result == expected
    assert result.tzinfo is UTC


# No London business day falls on a clock change (always a Sunday), so these pin
# how a gap or a repeated hour resolves in a zone where one does: Cairo, 2024.
@pytest.mark.parametrize(
    ("start", "expected"),
    [
        pytest.param(
            # Fri 26 Apr 00:00 EET jumped to 01:00 EEST; 00:30 becomes 01:30 EEST.
            datetime(2024, 4, 25, 0, 30, tzinfo=ZoneInfo("Africa/Cairo")),
            utc(2024, 4, 25, 22, 30),
            id="skipped-time-lands-as-far-past-the-gap",
        ),
        pytest.param(
            # Thu 31 Oct 23:30 happened twice; take the first, still EEST (+03).
            datetime(2024, 10, 30, 23, 30, tzinfo=ZoneInfo("Africa/Cairo")),
            utc(2024, 10, 31, 20, 30),
            id="repeated-time-takes-the-earlier-one",
        ),
    ],
)
def test_add_working_days_resolves_clock_change_wall_times(start, expected):
    assert add_working_days(start, 1, "Africa/Cairo") == expected


def test_add_working_days_refuses_a_negative_count():
    with pytest.raises(ValueError, match="negative"):
        add_working_days(london(2026, 6, 8, 9, 15), -1)


def test_next_contact_is_ten_working_days_on_for_milton_keynes():
    assert next_contact_due(london(2026, 5, 18, 10, 0), 10) == utc(2026, 6, 2, 9, 0)


def test_next_contact_is_none_when_a_landlord_has_no_cadence():
    assert next_contact_due(london(2026, 5, 18, 10, 0), None) is None


@pytest.mark.parametrize("working_days", [10, None], ids=["cadence", "no-cadence"])
def test_a_naive_last_contact_time_is_refused(working_days):
    with pytest.raises(ValueError, match="timezone-aware"):
        next_contact_due(datetime(2026, 5, 18, 10, 0), working_days)

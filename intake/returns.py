"""The returns: each figure a landlord's policy promises to report, for a period, computed from case events and never kept.

Pure: `facts_of(case)` reads one case's timeline into the facts the figures need, and
`compute(profile, facts, period)` turns them into figures. Loading the cases, printing and
the console page are the callers' (intake.reports_io, staff/reports.py).

Every definition is the one README "Returns" gives, and the page explains:
- responded in time: cases opened in the period by a new (unlinked) report with a way to contact
  someone, whose first contact that reached someone ("spoke", "met", or an answered message)
  came by the first-contact deadline; cases with no way to contact anyone are counted beside.
- contacted regularly: cases open for a full cadence interval inside the period; one counts when
  no gap that overlaps the period exceeded the cadence. Gaps run from the first contact (or the
  first-contact deadline if there was none) to each contact, then to closure or the period's end.
- Victims Code: every report opened in the period; told in the reply, delivered by the outbox,
  shown on the web confirmation page, or given by an officer. Declined is counted beside.
- resolved: cases whose last closure fell in the period, "withdrawn" left out and counted beside.
- satisfied: "very" or "fairly" satisfied, of those who answered that question, for cases whose
  last closure fell in the period.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from intake import sla
from intake.i18n import mark
from intake.orgs.schema import Profile

# What a qualifying contact is: one that reached the person (intake.message_outcomes.REACHED).
REACHED = ("spoke", "met")
# The survey's 5-point scale, best first, and the answers counted as satisfied (MKCC §9.3).
SURVEY_SCALE = ("very_satisfied", "fairly_satisfied", "neither", "fairly_dissatisfied", "very_dissatisfied")
SATISFIED = frozenset(SURVEY_SCALE[:2])
SURVEY_QUESTIONS = ("outcome", "handling")
WITHDRAWN = "withdrawn"
RESOLVED = "resolved"
# In exports and anything shared (MKCC §9.6), a count this small could point to a person.
SMALLEST_SHOWN = 5
SUPPRESSED = "<5"
NOT_GIVEN = "not_given"

LABELS = {
    "responded_in_time": mark("Reports responded to within the first-contact deadline"),
    "no_contact_opened": mark("Reports with no way to contact anyone (not in the figure above)"),
    "contacted_regularly": mark("Complainants contacted every %(days)s working days"),
    "contacted_regularly_off": mark("Complainants contacted regularly: no interval is set by the policy"),
    "victims_code_told": mark("Reports told of the Victims Code when the report was made"),
    "victims_code_commitments": mark("Reports told of the Victims Code commitments when the report was made"),
    "victims_code_declined": mark("Reporters who did not want the Victims Code (not in the figure above)"),
    "resolved": mark("Cases resolved successfully"),
    "withdrawn": mark("Cases withdrawn (not in the figure above)"),
    "satisfied_outcome": mark("Complainants satisfied with the outcome of their case"),
    "satisfied_handling": mark("Complainants satisfied with the handling of their case"),
    "survey_responses": mark("Surveys answered, of those sent for cases closed in the period"),
    "new_cases": mark("New cases"),
    "new_cases_by_type": mark("New cases by incident type: %(name)s"),
    "new_cases_by_district": mark("New cases by postcode district: %(name)s"),
    "time_to_resolve_median": mark("Days to resolve, median: %(name)s"),
    "time_to_resolve_p90": mark("Days to resolve, 90th percentile: %(name)s"),
    "legal_actions": mark("Legal actions added to action plans: %(name)s"),
    "non_legal_actions": mark("Non-legal actions added to action plans: %(name)s"),
    "equality_strand": mark("New cases by motivation: %(name)s"),
    "equality_language": mark("New cases by language: %(name)s"),
    "equality_role": mark("New cases by who reported: %(name)s"),
    "equality_door": mark("New cases by how they were reported: %(name)s"),
    "nm01_contribution": mark(
        "Hate-incident cases opened through this service per 1,000 homes: a contribution to the Tenant Satisfaction "
        "Measures return NM01, which also counts cases opened other ways"
    ),
    "all": mark("All"),
}


# ---- periods -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """London dates, both ends inclusive."""

    first: date
    last: date

    def bounds(self, timezone: str) -> tuple[datetime, datetime]:
        """The period as UTC instants: its first moment, and the first moment after it."""
        zone = ZoneInfo(timezone)
        start = datetime.combine(self.first, time(), tzinfo=zone).astimezone(UTC)
        end = datetime.combine(self.last + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
        return start, end


_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})/(\d{2})-Q([1-4])$")


def financial_year(text: str) -> Period:
    """ "2026/27": 1 April 2026 to 31 March 2027, the UK financial year."""
    found = _YEAR.match(text.strip())
    if not found or (int(found.group(1)) + 1) % 100 != int(found.group(2)):
        raise ValueError(f"a financial year is written like 2026/27, not {text!r}")
    start = int(found.group(1))
    return Period(date(start, 4, 1), date(start + 1, 3, 31))


def quarter(text: str) -> Period:
    """ "2026/27-Q3": the third quarter of the financial year, 1 October to 31 December 2026."""
    found = _QUARTER.match(text.strip())
    if not found:
        raise ValueError(f"a quarter is written like 2026/27-Q3, not {text!r}")
    year = financial_year(f"{found.group(1)}/{found.group(2)}")
    n = int(found.group(3))
    first_month = 4 + 3 * (n - 1)
    first = date(year.first.year + (first_month - 1) // 12, (first_month - 1) % 12 + 1, 1)
    after = date(first.year + (first.month + 2) // 12, (first.month + 2) % 12 + 1, 1)
    return Period(first, after - timedelta(days=1))


def date_range(first: str, last: str) -> Period:
    period = Period(date.fromisoformat(first), date.fromisoformat(last))
    if period.last < period.first:
        raise ValueError("the range ends before it starts")
    return period


def quarter_of(day: date) -> str:
    """The financial quarter a date falls in, written as quarter() reads it."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}-Q{(day.month - 4) % 12 // 3 + 1}"


# ---- one case, as the returns read it -----------------------------------------------------------------
@dataclass(frozen=True)
class Facts:
    reference: str
    opened_at: datetime
    first_contact_due: datetime
    linked: bool
    reachable: bool
    channel: str
    language: str
    reporter_role: str | None
    strands: tuple[str, ...]
    incident_types: tuple[str, ...]
    district: str | None
    contacts: tuple[datetime, ...]  # each contact that reached someone, in order
    victims_code: str | None  # told | declined | None
    last_closure: tuple[datetime, str] | None  # when and how it was last closed, if it is closed now
    surveyed: bool
    closed_spans: tuple[tuple[datetime, datetime | None], ...] = ()  # each closure, to its reopening if any
    survey: dict[str, str] = field(default_factory=dict)  # question -> the last answer on the scale
    actions: tuple[tuple[str, datetime], ...] = ()  # (action kind, when it was added to the plan)


def _moment(value: Any, fallback: datetime) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else fallback


def facts_of(case: Any) -> Facts:
    """A case row and its events as the figures read them."""
    contacts, closure, code, surveyed, survey, actions = [], None, None, False, {}, []
    spans: list[list[datetime | None]] = []
    for event in sorted(case.events, key=lambda e: (e.at, e.id or 0)):
        d = event.data
        if event.kind == "contact" and d.get("outcome") in REACHED:
            contacts.append(_moment(d.get("happened_at"), event.at))
        elif event.kind == "message_outcome" and d.get("outcome") in REACHED:
            contacts.append(_moment(d.get("reply_at"), event.at))
        elif event.kind in ("victims_code_sent", "victims_code_delivered"):
            code = "told"
        elif event.kind == "victims_code_declined" and code is None:
            code = "declined"
        elif event.kind == "closed":
            closure = (event.at, d.get("outcome") or "")
            spans.append([event.at, None])
        elif event.kind == "reopened":
            closure = None
            if spans and spans[-1][1] is None:
                spans[-1][1] = event.at
        elif event.kind == "survey_sent":
            surveyed = True
        elif event.kind == "survey_answer" and d.get("question") in SURVEY_QUESTIONS and d.get("answer") in SURVEY_SCALE:
            survey[d["question"]] = d["answer"]
        elif event.kind == "action_added":
            actions.append((d.get("action_kind") or "", event.at))
    contact = case.contact or {}
    return Facts(
        reference=case.reference,
        opened_at=case.created_at,
        first_contact_due=case.first_contact_due,
        linked=case.linked_case_id is not None,
        reachable=bool(contact.get("address") or contact.get("other") or contact.get("victim")),
        channel=case.channel,
        language=case.language,
        reporter_role=case.reporter_role,
        strands=tuple(case.strands or ()),
        incident_types=tuple(case.incident_types or ()),
        district=case.postcode_district,
        contacts=tuple(sorted(contacts)),
        victims_code=code,
        last_closure=closure if case.work_status == "closed" else None,
        closed_spans=tuple((a, b) for a, b in spans if a is not None),
        surveyed=surveyed,
        survey=survey,
        actions=tuple(actions),
    )


# ---- figures ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    id: str
    policy_ref: str
    label: str  # a msgid from LABELS, with `name` and `days` to fill it
    numerator: float | None
    denominator: float | None
    value: float | None
    target: float | None
    unit: str = "%"  # % | count | days | per_1000
    name: str = ""  # the breakdown's member, in words, for the label
    params: dict[str, Any] = field(default_factory=dict)
    group: str = ""  # the figure id in the profile this row belongs to

    @property
    def met(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        return self.value >= self.target


def _percent(numerator: int, denominator: int) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


def _share(id_: str, ref: str, label: str, numerator: int, denominator: int, target: float | None, **extra: Any) -> Figure:
    return Figure(id_, ref, label, numerator, denominator, _percent(numerator, denominator), target, **extra)


def _count(id_: str, ref: str, label: str, n: int, **extra: Any) -> Figure:
    return Figure(id_, ref, label, n, None, n, None, unit="count", **extra)


def _within(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def open_spans(f: Facts, end: datetime) -> list[tuple[datetime, datetime]]:
    """When the case was open, up to `end`: from the report to each closure, and from each reopening."""
    spans, begin = [], f.opened_at
    for closed, reopened in f.closed_spans:
        spans.append((begin, closed))
        begin = reopened
        if reopened is None:
            break
    if begin is not None:
        spans.append((begin, end))
    return [(a, min(b, end)) for a, b in spans if a < min(b, end)]


def contacted_regularly(f: Facts, cadence: int, timezone: str, start: datetime, end: datetime) -> bool | None:
    """None when the case was not open for one full cadence interval inside the period; else whether no gap exceeded it.

    While a case is closed no contact is owed: the clock stops at closure and starts again at reopening.
    """
    inside = [(max(a, start), b) for a, b in open_spans(f, end) if b > start]
    if not any(sla.add_working_days(a, cadence, timezone) <= b for a, b in inside):
        return None
    contacts = [c for c in f.contacts if c < end]
    first = contacts[0] if contacts else f.first_contact_due
    for begin, stop in open_spans(f, end):
        # Each open span's clock runs from its first point: the first contact (or deadline), or a reopening.
        last = max(begin, first) if begin == f.opened_at else begin
        for following in [*[c for c in contacts if last < c < stop], stop]:
            due = sla.add_working_days(last, cadence, timezone)
            # The time overdue, [due, following), overlaps the period: this period's standard was missed.
            if due < following and following > start:
                return False
            last = following
    return True


def _nearest_rank(values: list[int], percentile: float) -> int:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percentile / 100 * len(ordered)) - 1)]


def _median(values: list[int]) -> float:
    ordered, middle = sorted(values), len(values) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _days(f: Facts, timezone: str) -> int:
    """Calendar days from the report to its last closure, by London dates."""
    zone = ZoneInfo(timezone)
    assert f.last_closure is not None
    return (f.last_closure[0].astimezone(zone).date() - f.opened_at.astimezone(zone).date()).days


def compute(
    profile: Profile, cases: Iterable[Facts], period: Period, words: dict[str, dict[str, str]] | None = None
) -> list[Figure]:
    """Every figure the profile's returns hold, for the period, in the profile's order.

    `words` names breakdown members ({"incident_types": {id: words}, ..., "all": {"": "All"}});
    ids stand for themselves without it.
    """
    words = words or {}
    start, end = period.bounds(profile.timezone)
    cases = list(cases)
    opened = [f for f in cases if _within(f.opened_at, start, end)]
    closed = [f for f in cases if f.last_closure and _within(f.last_closure[0], start, end)]
    legal = {k.id: k.legal for k in profile.action_kinds}
    out: list[Figure] = []

    def name(kind: str, key: str) -> str:
        return words.get(kind, {}).get(key, key) or "All"

    for wanted in profile.returns.figures:
        ref, target, group = wanted.policy_ref, wanted.target, wanted.id
        if wanted.id == "responded_in_time":
            counted = [f for f in opened if not f.linked and f.reachable]
            met = sum(1 for f in counted if f.contacts and f.contacts[0] <= f.first_contact_due)
            out.append(_share("responded_in_time", ref, LABELS["responded_in_time"], met, len(counted), target, group=group))
            none = sum(1 for f in opened if not f.linked and not f.reachable)
            out.append(_count("no_contact_opened", ref, LABELS["no_contact_opened"], none, group=group))
        elif wanted.id == "contacted_regularly":
            cadence = profile.contact_cadence_working_days
            if cadence is None:
                out.append(Figure("contacted_regularly", ref, LABELS["contacted_regularly_off"], None, None, None, None,
                                  group=group))  # fmt: skip
                continue
            verdicts = [contacted_regularly(f, cadence, profile.timezone, start, end) for f in cases]
            counted = [v for v in verdicts if v is not None]
            out.append(_share("contacted_regularly", ref, LABELS["contacted_regularly"], sum(counted), len(counted), target,
                              params={"days": cadence}, group=group))  # fmt: skip
        elif wanted.id == "victims_code_told":
            label = LABELS["victims_code_commitments" if profile.victims_code.kind == "commitments" else "victims_code_told"]
            told = sum(1 for f in opened if f.victims_code == "told")
            out.append(_share("victims_code_told", ref, label, told, len(opened), target, group=group))
            declined = sum(1 for f in opened if f.victims_code == "declined")
            out.append(_count("victims_code_declined", ref, LABELS["victims_code_declined"], declined, group=group))
        elif wanted.id == "resolved":
            counted = [f for f in closed if f.last_closure and f.last_closure[1] != WITHDRAWN]
            resolved = sum(1 for f in counted if f.last_closure and f.last_closure[1] == RESOLVED)
            out.append(_share("resolved", ref, LABELS["resolved"], resolved, len(counted), target, group=group))
            withdrawn = len(closed) - len(counted)
            out.append(_count("withdrawn", ref, LABELS["withdrawn"], withdrawn, group=group))
        elif wanted.id in ("satisfied_outcome", "satisfied_handling"):
            question = wanted.id.removeprefix("satisfied_")
            answered = [f.survey[question] for f in closed if question in f.survey]
            happy = sum(1 for a in answered if a in SATISFIED)
            out.append(_share(wanted.id, ref, LABELS[wanted.id], happy, len(answered), target, group=group))
            if wanted.id == "satisfied_outcome" or not any(x.id == "satisfied_outcome" for x in profile.returns.figures):
                sent = [f for f in closed if f.surveyed]
                replied = sum(1 for f in sent if f.survey)
                out.append(_share("survey_responses", ref, LABELS["survey_responses"], replied, len(sent), None, group=group))
        elif wanted.id == "new_cases":
            out.append(_count("new_cases", ref, LABELS["new_cases"], len(opened), group=group))
        elif wanted.id == "new_cases_by_type":
            counts = Counter(t for f in opened for t in f.incident_types)
            for kind in profile.incident_types:
                out.append(_share(f"new_cases_by_type:{kind}", ref, LABELS["new_cases_by_type"], counts[kind], len(opened),
                                  None, name=name("incident_types", kind), group=group))  # fmt: skip
        elif wanted.id == "new_cases_by_district":
            counts = Counter(f.district or NOT_GIVEN for f in opened)
            for district in sorted(counts, key=lambda d: (d == NOT_GIVEN, d)):
                out.append(_share(f"new_cases_by_district:{district}", ref, LABELS["new_cases_by_district"], counts[district],
                                  len(opened), None, name=name("districts", district), group=group))  # fmt: skip
        elif wanted.id == "time_to_resolve_by_type":
            by_type: dict[str, list[int]] = {}
            for f in closed:
                for kind in f.incident_types or ("",):
                    by_type.setdefault(kind, []).append(_days(f, profile.timezone))
            every = [_days(f, profile.timezone) for f in closed]
            for kind, days in [("", every), *[(k, by_type[k]) for k in profile.incident_types if k in by_type]]:
                member = name("incident_types", kind) if kind else name("all", "")
                suffix = kind or "all"
                out.append(Figure(f"time_to_resolve_median:{suffix}", ref, LABELS["time_to_resolve_median"], None, len(days),
                                  _median(days) if days else None, None, unit="days", name=member, group=group))  # fmt: skip
                out.append(Figure(f"time_to_resolve_p90:{suffix}", ref, LABELS["time_to_resolve_p90"], None, len(days),
                                  _nearest_rank(days, 90) if days else None, None, unit="days", name=member, group=group))  # fmt: skip
        elif wanted.id in ("legal_actions", "non_legal_actions"):
            is_legal = wanted.id == "legal_actions"
            added = Counter(
                kind for f in cases for kind, at in f.actions if _within(at, start, end) and legal.get(kind) is is_legal
            )
            kinds = [k.id for k in profile.action_kinds if k.legal is is_legal]
            out.append(_count(wanted.id, ref, LABELS[wanted.id], sum(added.values()), name=name("all", ""), group=group))
            for kind in kinds:
                out.append(_count(f"{wanted.id}:{kind}", ref, LABELS[wanted.id], added[kind], name=name("action_kinds", kind),
                                  group=group))  # fmt: skip
        elif wanted.id == "equality":
            for label, kind, members, values in (
                ("equality_strand", "strands", profile.strands, lambda f: f.strands),
                ("equality_language", "languages", None, lambda f: (f.language,)),
                ("equality_role", "roles", None, lambda f: (f.reporter_role or NOT_GIVEN,)),
                ("equality_door", "channels", None, lambda f: (f.channel,)),
            ):
                counts = Counter(v for f in opened for v in values(f))
                for member in members if members is not None else sorted(counts):
                    out.append(_share(f"{label}:{member}", ref, LABELS[label], counts[member], len(opened), None,
                                      name=name(kind, member), group=group))  # fmt: skip
        elif wanted.id == "nm01_contribution":
            homes = profile.homes_count
            rate = round(1000 * len(opened) / homes, 2) if homes else None
            out.append(Figure("nm01_contribution", ref, LABELS["nm01_contribution"], len(opened), homes, rate, None,
                              unit="per_1000", group=group))  # fmt: skip
    return out


# ---- shared figures hide small counts -------------------------------------------------------------------
def shared(figure: Figure) -> dict[str, Any]:
    """A figure as it leaves the console (an export, or shared as MKCC §9.6 says): counts under 5 show as "<5".

    A percentage of a hidden count would give it away, so it is hidden with it. The number of
    homes is not a count of people, and stays.
    """
    counts = {"numerator": figure.numerator, "denominator": figure.denominator}
    if figure.unit == "per_1000":
        counts.pop("denominator")
    hidden = {k for k, v in counts.items() if isinstance(v, int | float) and v < SMALLEST_SHOWN}
    row = {
        "numerator": figure.numerator,
        "denominator": figure.denominator,
        "value": figure.value,
        "met": figure.met,
    }
    for key in hidden:
        row[key] = SUPPRESSED
    if hidden and figure.unit != "count":
        row["value"], row["met"] = SUPPRESSED, None
    elif hidden:
        row["value"] = SUPPRESSED
    return row

"""The returns page (`/staff/reports`, team leaders and admins): a period's figures, how each is worked out, a chart, a CSV.

The figures are intake.returns', computed when the page is asked for; the CSV is the one
`intake report --csv` prints (counts under 5 as "<5"), and each download is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, render_template, request

from intake import reporting, returns
from intake.i18n import mark, translator
from intake.orgs.schema import Profile
from intake.returns import Figure, Period
from staff.access import account, requires
from staff.common import audit_line, db_session, intake, now

# How each figure is worked out, by the figure id the profile lists.
DEFINITIONS = {
    "responded_in_time": mark(
        "Cases opened in the period by a new report (not linked to an earlier case) with a way to contact someone. A case "
        "counts when the first contact that reached someone (spoke, met, or a message they answered) came by the "
        "first-contact deadline. Reports with no way to contact anyone are counted beside it."
    ),
    "contacted_regularly": mark(
        "Cases open for at least one full interval of %(days)s working days inside the period (England and Wales working "
        "days, London time). A case counts when no gap that overlaps the period was longer: gaps run from the first "
        "contact (or the first-contact deadline, if there was none) to each contact that reached someone, then to closure "
        "or the end of the period. No contact is owed while a case is closed."
    ),
    "contacted_regularly_off": mark("The policy sets no interval for keeping in contact, so this is not measured."),
    "victims_code_told": mark(
        "Every report opened in the period, unfinished ones and those with no way to contact anyone included. A report "
        "counts when the Victims Code was in the reply that opened the case, delivered by the outbox, shown on the web "
        "form's confirmation page, or given by an officer. Reporters who did not want it are counted beside it."
    ),
    "resolved": mark(
        "Cases whose last closure fell in the period, except those withdrawn, which are counted beside it. A reopened "
        "case counts once, at its last closure."
    ),
    "satisfied_outcome": mark(
        "Very or fairly satisfied, of those who answered that question, for cases whose last closure fell in the period."
    ),
    "satisfied_handling": mark(
        "Very or fairly satisfied, of those who answered that question, for cases whose last closure fell in the period."
    ),
    "new_cases": mark("Every case opened in the period through this service, reports taken by staff included."),
    "new_cases_by_type": mark("A case with several incident types counts under each."),
    "new_cases_by_district": mark("The postcode district where it happened, where the reporter gave one."),
    "time_to_resolve_by_type": mark(
        "Calendar days, by London dates, from the report to its last closure, for cases whose last closure fell in the "
        "period: the median and the 90th percentile (nearest rank). A case with several incident types counts under each."
    ),
    "legal_actions": mark("Actions added to action plans in the period whose kind is legal action (court or tenancy action)."),
    "non_legal_actions": mark("Actions added to action plans in the period whose kind is not legal action."),
    "equality": mark(
        "New cases by motivation, language, who reported and how. A case with several motivations counts under each."
    ),
    "nm01_contribution": mark(
        "Cases opened through this service in the period, per 1,000 homes (%(homes)s homes). The landlord's NM01 return "
        "also counts cases opened other ways, and all anti-social behaviour. The satisfaction survey here is not a Tenant "
        "Satisfaction Measures perception measure."
    ),
}
GROUP_TITLES = {
    "responded_in_time": mark("Responded to in time"),
    "contacted_regularly": mark("Regular contact"),
    "victims_code_told": mark("The Victims Code"),
    "resolved": mark("Resolved"),
    "satisfied_outcome": mark("Satisfaction with the outcome"),
    "satisfied_handling": mark("Satisfaction with the handling"),
    "new_cases": mark("New cases"),
    "new_cases_by_type": mark("New cases by incident type"),
    "new_cases_by_district": mark("New cases by locality"),
    "time_to_resolve_by_type": mark("Time to resolve, by incident type"),
    "legal_actions": mark("Legal action"),
    "non_legal_actions": mark("Non-legal action"),
    "equality": mark("Equality, diversity and inclusion"),
    "nm01_contribution": mark("Contribution to NM01"),
}
PERIOD_WORDS = {"quarter": mark("Quarter %(quarter)s"), "year": mark("Financial year %(year)s")}
BAD_DATE = mark("Enter a date like 2026-10-01")
BAD_RANGE = mark("The end date must be the same as or after the start date")


@dataclass(frozen=True)
class Chosen:
    period: Period
    kind: str  # quarter | year | range
    value: str  # the quarter or year as written, or "" for a range
    errors: dict[str, str]


def choices(profile: Profile, today: date) -> list[tuple[str, str]]:
    """The last eight quarters and three financial years, newest first, as (value, words)."""
    t = translator("en")
    quarters, day = [], today
    for _ in range(8):
        quarters.append(returns.quarter_of(day))
        day = returns.quarter(quarters[-1]).first - timedelta(days=1)
    start_year = today.year if today.month >= 4 else today.year - 1
    years = [f"{y}/{(y + 1) % 100:02d}" for y in range(start_year, start_year - 3, -1)]
    year = [(f"year:{y}", t(PERIOD_WORDS["year"], year=y)) for y in years]
    listed = [(f"quarter:{q}", t(PERIOD_WORDS["quarter"], quarter=q)) for q in quarters]
    return listed + year if profile.returns.every == "quarter" else year + listed


def chosen(args: Any, profile: Profile, today: date) -> Chosen:
    t, errors = translator("en"), {}
    first, last = (args.get("from") or "").strip(), (args.get("to") or "").strip()
    if first or last:
        try:
            start = date.fromisoformat(first)
        except ValueError:
            errors["from"] = t(BAD_DATE)
        try:
            end = date.fromisoformat(last)
        except ValueError:
            errors["to"] = t(BAD_DATE)
        if not errors and end < start:
            errors["to"] = t(BAD_RANGE)
        if not errors:
            return Chosen(Period(start, end), "range", "", {})
    default = choices(profile, today)[0][0]
    picked = args.get("period") or default
    kind, _, value = picked.partition(":")
    try:
        period = returns.quarter(value) if kind == "quarter" else returns.financial_year(value)
    except ValueError:
        kind, _, value = default.partition(":")
        period = returns.quarter(value) if kind == "quarter" else returns.financial_year(value)
    return Chosen(period, kind, value, errors)


def definition(group: str, profile: Profile) -> str:
    t = translator("en")
    if group == "contacted_regularly" and profile.contact_cadence_working_days is None:
        return t(DEFINITIONS["contacted_regularly_off"])
    return t(DEFINITIONS[group], days=profile.contact_cadence_working_days or "", homes=f"{profile.homes_count or 0:,}")


def chart(figures: list[Figure], title: str, description: str, names: dict[str, str]) -> str:
    """A horizontal bar chart of percentages, drawn here as SVG with its own title and description; the table beside it has the numbers."""
    t = translator("en")
    bars = [f for f in figures if f.unit == "%" and f.value is not None]
    # Narrow enough to read on a phone: each bar under its name, rather than beside it.
    row, width, span = 46, 420, 360
    height = row * max(len(bars), 1) + 8
    parts = [
        f'<svg class="app-chart" role="img" viewBox="0 0 {width} {height}" width="100%" aria-labelledby="chart-title chart-desc"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(description)}</desc>',
    ]
    for i, f in enumerate(bars):
        y = 4 + i * row
        # The figure's short name (its group's title) on the bar; its full label is in the table below.
        name = names.get(f.group) if f.group and f.id == f.group else None
        name = name or reporting.label(f, t)
        short = name if len(name) <= 56 else name[:55] + "…"
        length = max(1.0, span * (f.value or 0) / 100)
        parts.append(f'<text x="0" y="{y + 13}" class="app-chart__label">{escape(short)}</text>')
        parts.append(f'<rect x="0" y="{y + 19}" width="{length:.1f}" height="16" class="app-chart__bar"/>')
        if f.target is not None:
            x = span * f.target / 100
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y + 16}" y2="{y + 38}" class="app-chart__target"/>')
        parts.append(f'<text x="{min(length + 5, span + 5):.1f}" y="{y + 32}" class="app-chart__value">{f.value:g}%</text>')
    if not bars:
        parts.append(f'<text x="0" y="18" class="app-chart__label">{escape(t("No percentages to show for this period"))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def routes(bp: Blueprint) -> None:
    @bp.get("/reports")
    @requires("reports")
    def reports_page():  # type: ignore[no-untyped-def]
        t, me = translator("en"), account()
        profile = intake().profiles[me.org]
        today = now().astimezone(ZoneInfo(profile.timezone)).date()
        picked = chosen(request.args, profile, today)
        built = reporting.build(intake().store, profile, picked.period)
        with db_session() as db:
            audit_line(db, "viewed_reports", first=picked.period.first.isoformat(), last=picked.period.last.isoformat())
        groups: list[dict[str, Any]] = []
        for wanted in profile.returns.figures:
            rows = [f for f in built.figures if f.group == wanted.id]
            groups.append({"id": wanted.id, "title": t(GROUP_TITLES[wanted.id]), "ref": wanted.policy_ref,
                           "definition": definition(wanted.id, profile), "rows": rows})  # fmt: skip
        headline = [f for f in built.figures if f.target is not None]
        description = "; ".join(
            f"{reporting.label(f, t)}: {reporting.shown_value(f)}"
            + ("" if f.target is None else " " + t("(target %(target)s%%)", target=f"{f.target:g}"))
            for f in headline or built.figures[:6]
        )
        return render_template(
            "staff/reports.html",
            profile=profile,
            report=built,
            groups=groups,
            picked=picked,
            choices=choices(profile, today),
            chart=chart(
                headline or built.figures, t("Figures for the period"), description, {g["id"]: g["title"] for g in groups}
            ),
            label=lambda f: reporting.label(f, t),
            shown=reporting.shown_value,
            no_target=t(reporting.NO_TARGET),
            args=request.args,
            period_words=t("%(first)s to %(last)s", first=_day(picked.period.first), last=_day(picked.period.last)),
        )

    @bp.get("/reports.csv")
    @requires("reports")
    def reports_csv():  # type: ignore[no-untyped-def]
        me = account()
        profile = intake().profiles[me.org]
        today = now().astimezone(ZoneInfo(profile.timezone)).date()
        picked = chosen(request.args, profile, today)
        built = reporting.build(intake().store, profile, picked.period)
        with db_session() as db:
            audit_line(
                db, "exported", report="returns", first=picked.period.first.isoformat(), last=picked.period.last.isoformat()
            )
        name = f"{profile.slug}-returns-{picked.period.first.isoformat()}-to-{picked.period.last.isoformat()}.csv"
        response = Response(built.as_csv(), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        response.headers["Cache-Control"] = "no-store"
        return response

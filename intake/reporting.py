"""The returns read from the database and written out: as JSON, CSV or a plain table (`intake report`), or for the console.

intake.returns computes; this loads one landlord's cases for it and says the figures in words.
Exports (JSON, CSV) show counts under 5 as "<5"; the plain table is for the landlord's own staff.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from intake import returns
from intake.flow import load_vocabulary
from intake.i18n import available_languages, mark, native_name, translator
from intake.orgs.schema import Profile
from intake.returns import Figure, Period
from intake.store.db import Store
from intake.store.models import CaseRow

SCOPE = "reports made through this service"
COLUMNS = ("id", "policy_ref", "label", "numerator", "denominator", "value", "target", "met")
ROLE_WORDS = {
    "victim": mark("The victim"),
    "witness": mark("A witness"),
    "third_party": mark("Someone reporting for another person"),
    returns.NOT_GIVEN: mark("Not given"),
}
CHANNEL_WORDS = {
    "sms": mark("SMS"),
    "telegram": mark("Telegram"),
    "web": mark("Web form"),
    "console": mark("Console"),
    "staff": mark("Taken by staff"),
}
NO_TARGET = mark("no target")


@dataclass(frozen=True)
class Report:
    org: str
    period: Period
    figures: list[Figure]

    def rows(self, *, exported: bool) -> list[dict[str, Any]]:
        """Each figure as the JSON and CSV give it; `exported` hides counts under 5."""
        t = translator("en")
        out = []
        for f in self.figures:
            row: dict[str, Any] = {
                "id": f.id,
                "policy_ref": f.policy_ref,
                "label": label(f, t),
                "numerator": f.numerator,
                "denominator": f.denominator,
                "value": f.value,
                "target": f.target,
                "met": f.met,
            }
            if exported:
                row.update(returns.shared(f))
            out.append(row)
        return out

    def as_json(self) -> str:
        data = {
            "org": self.org,
            "period": {"from": self.period.first.isoformat(), "to": self.period.last.isoformat()},
            "scope": SCOPE,
            "figures": self.rows(exported=True),
        }
        return json.dumps(data, ensure_ascii=False, indent=2)

    def as_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in self.rows(exported=True):
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
        return buffer.getvalue()

    def as_table(self) -> str:
        t = translator("en")
        lines = [f"{self.org}: {self.period.first.isoformat()} to {self.period.last.isoformat()} ({SCOPE})", ""]
        for f in self.figures:
            target = t(NO_TARGET) if f.target is None else f"target {f.target:g}%"
            met = "" if f.met is None else ("  met" if f.met else "  NOT MET")
            counts = (
                ""
                if f.unit == "count"
                else f"{_n(f.numerator)}/{_n(f.denominator)}"
                if f.unit != "days"
                else f"n={_n(f.denominator)}"
            )
            lines.append(f"{f.policy_ref:<18} {label(f, t)}")
            lines.append(f"{'':<18} {shown_value(f):>10}   {counts:<12} {target}{met}")
        return "\n".join(lines)


def _n(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}"


def label(figure: Figure, t: Any) -> str:
    return t(figure.label, name=figure.name, **figure.params)


def shown_value(figure: Figure) -> str:
    if figure.value is None:
        return "-"
    return {"%": f"{figure.value:g}%", "days": f"{figure.value:g} days", "per_1000": f"{figure.value:g}"}.get(
        figure.unit, f"{figure.value:g}"
    )


def words(profile: Profile) -> dict[str, dict[str, str]]:
    """Each breakdown's members in words, for the labels."""
    t, vocabulary = translator("en"), load_vocabulary()
    return {
        "incident_types": {i: t(vocabulary.incident_types[i]) for i in profile.incident_types},
        "strands": {s: t(vocabulary.strands[s]) for s in profile.strands},
        "action_kinds": {k.id: t(vocabulary.action_kinds[k.id]) for k in profile.action_kinds},
        "roles": {k: t(v) for k, v in ROLE_WORDS.items()},
        "channels": {k: t(v) for k, v in CHANNEL_WORDS.items()},
        "districts": {returns.NOT_GIVEN: t(ROLE_WORDS[returns.NOT_GIVEN])},
        "languages": _languages(),
        "all": {"": t(returns.LABELS["all"])},
    }


def _languages() -> dict[str, str]:
    return {code: native_name(code) for code in available_languages()}


def build(store: Store, profile: Profile, period: Period) -> Report:
    """The landlord's figures for the period, from every case opened before it ended."""
    _, end = period.bounds(profile.timezone)
    with store.transaction() as session:
        query = (
            select(CaseRow)
            .where(CaseRow.org == profile.slug, CaseRow.created_at < end)
            .options(selectinload(CaseRow.events))
            .order_by(CaseRow.id)
        )
        facts = [returns.facts_of(case) for case in session.scalars(query)]
    return Report(profile.slug, period, returns.compute(profile, facts, period, words(profile)))

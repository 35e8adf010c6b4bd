"""The queue: which cases an officer sees, in what order, filtered how, a page at a time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Text, and_, case, func, or_, select
from sqlalchemy.orm import Session

from intake.store.models import CaseRow

PAGE_SIZE = 25
TABS = ("mine", "unassigned", "all", "closed")
RISK_RANK = case((CaseRow.risk_level == "high", 0), (CaseRow.risk_level == "medium", 1), else_=2)
# Until first contact the first-contact deadline counts; after it, the next contact's.
DUE = case((CaseRow.first_contacted_at.is_(None), CaseRow.first_contact_due), else_=CaseRow.next_contact_due)
FILTERS = ("status", "risk", "strand", "incident_type", "channel", "language", "overdue", "district")


@dataclass(frozen=True)
class Query:
    tab: str = "all"
    reference: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    page: int = 1

    @classmethod
    def from_args(cls, args: Any) -> Query:
        tab = args.get("tab", "all")
        try:
            page = max(1, int(args.get("page", "1")))
        except ValueError:
            page = 1
        filters = {name: tuple(v for v in args.getlist(name) if v) for name in FILTERS}
        return cls(
            tab=tab if tab in TABS else "all",
            reference=args.get("reference", "").strip().upper()[:16],
            filters={k: v for k, v in filters.items() if v},
            page=page,
        )


def overdue(now: datetime):  # type: ignore[no-untyped-def]
    return and_(CaseRow.work_status != "closed", DUE.is_not(None), now > DUE)


def _tab(query: Select, tab: str, account_id: int) -> Select:
    if tab == "closed":
        return query.where(CaseRow.work_status == "closed")
    query = query.where(CaseRow.work_status != "closed")
    if tab == "mine":
        return query.where(CaseRow.owner_id == account_id)
    if tab == "unassigned":
        return query.where(CaseRow.owner_id.is_(None))
    return query


def _contains(column, values: tuple[str, ...]):  # type: ignore[no-untyped-def]
    # Strands and incident types are JSON arrays of ids, and an id is [a-z_], so a quoted match is exact.
    ids = [v for v in values if v.replace("_", "").isalnum()] or ["-"]
    return or_(*[func.cast(column, Text()).like(f'%"{v}"%') for v in ids])


def _filtered(query: Select, q: Query, now: datetime) -> Select:
    f = q.filters
    if q.reference:
        query = query.where(CaseRow.reference.like(f"%{q.reference.replace('%', '').replace('_', '')}%"))
    if "status" in f:
        query = query.where(or_(*[_status(s) for s in f["status"]]))
    if "risk" in f:
        query = query.where(CaseRow.risk_level.in_(f["risk"]))
    if "channel" in f:
        query = query.where(CaseRow.channel.in_(f["channel"]))
    if "language" in f:
        query = query.where(CaseRow.language.in_(f["language"]))
    if "district" in f:
        query = query.where(CaseRow.postcode_district.in_([d.upper() for d in f["district"]]))
    if "strand" in f:
        query = query.where(_contains(CaseRow.strands, f["strand"]))
    if "incident_type" in f:
        query = query.where(_contains(CaseRow.incident_types, f["incident_type"]))
    if "overdue" in f:
        query = query.where(overdue(now))
    return query


def _status(value: str):  # type: ignore[no-untyped-def]
    # Work status and the reporter's side in one filter: what an officer calls a case's status.
    if value in ("new", "open", "closed"):
        return CaseRow.work_status == value
    return CaseRow.status == value


@dataclass(frozen=True)
class Page:
    cases: list[CaseRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int]


def statement(org: str, account_id: int, q: Query, now: datetime) -> Select:
    """The queue's cases for `q`, in the queue's order: overdue first, then by risk and due time; closed newest first."""
    query = _filtered(_tab(select(CaseRow).where(CaseRow.org == org), q.tab, account_id), q, now)
    if q.tab == "closed":
        return query.order_by(CaseRow.closed_at.desc(), CaseRow.id.desc())
    overdue_rank = case(
        (and_(CaseRow.work_status != "closed", CaseRow.first_contacted_at.is_(None), CaseRow.first_contact_due < now), 0),
        (and_(CaseRow.work_status != "closed", CaseRow.next_contact_due.is_not(None), CaseRow.next_contact_due < now), 1),
        else_=2,
    )
    return query.order_by(overdue_rank, RISK_RANK, DUE.asc().nulls_last(), CaseRow.id)


def page(db: Session, org: str, account_id: int, q: Query, now: datetime) -> Page:
    ordered = statement(org, account_id, q, now)
    total = db.scalar(select(func.count()).select_from(ordered.order_by(None).subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(q.page, pages)
    rows = list(db.scalars(ordered.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)))
    return Page(rows, total, number, pages, counts(db, org, account_id))


def counts(db: Session, org: str, account_id: int) -> dict[str, int]:
    """How many cases each tab holds, in one query."""
    open_ = CaseRow.work_status != "closed"
    row = db.execute(
        select(
            func.count().filter(and_(open_, CaseRow.owner_id == account_id)),
            func.count().filter(and_(open_, CaseRow.owner_id.is_(None))),
            func.count().filter(open_),
            func.count().filter(CaseRow.work_status == "closed"),
        ).where(CaseRow.org == org)
    ).one()
    return dict(zip(TABS, (int(n or 0) for n in row), strict=True))

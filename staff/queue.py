"""The queue: which cases an officer sees, in what order, filtered how, a page at a time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Text, and_, case, func, literal, or_, select, true
from sqlalchemy.orm import Session, load_only

from intake.store.models import CaseRow

PAGE_SIZE = 25
TABS = ("mine", "unassigned", "all", "closed")
# "closed" written into the SQL rather than bound, so PostgreSQL matches the queue's partial indexes
# (open cases, closed cases: migration 0006) in a prepared statement's generic plan as well.
_CLOSED = literal("closed", literal_execute=True)
IS_OPEN = CaseRow.work_status != _CLOSED
IS_CLOSED = CaseRow.work_status == _CLOSED
RISK_RANK = case((CaseRow.risk_level == "high", 0), (CaseRow.risk_level == "medium", 1), else_=2)
# Until first contact the first-contact deadline counts; after it, the next contact's.
DUE = case((CaseRow.first_contacted_at.is_(None), CaseRow.first_contact_due), else_=CaseRow.next_contact_due)
FILTERS = ("status", "risk", "strand", "incident_type", "channel", "language", "overdue", "district", "reply")


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
    return and_(IS_OPEN, DUE.is_not(None), now > DUE)


def _tab(query: Select, tab: str, account_id: int) -> Select:
    if tab == "closed":
        return query.where(IS_CLOSED)
    query = query.where(IS_OPEN)
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
    if "reply" in f:
        query = query.where(CaseRow.reply_waiting_since.is_not(None))
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


# What the list shows of a case (the template and staff.display.CaseView): nothing else is loaded, least
# of all what the reporter said, which would be decrypted for nothing; reading anything else raises.
# All in the open-queue index (intake.store.models.OPEN_QUEUE_COLUMNS), so a page of open cases is
# read from the index alone.
LISTED = (
    CaseRow.reference,
    CaseRow.risk_level,
    CaseRow.work_status,
    CaseRow.status,
    CaseRow.language,
    CaseRow.channel,
    CaseRow.created_at,
    CaseRow.first_contact_due,
    CaseRow.next_contact_due,
    CaseRow.first_contacted_at,
    CaseRow.reply_waiting_since,
)


def statement(org: str, account_id: int, q: Query, now: datetime) -> Select:
    """The queue's cases for `q`, in the queue's order: overdue first, then by risk and due time; closed newest first."""
    query = _filtered(_tab(select(CaseRow).where(CaseRow.org == org), q.tab, account_id), q, now)
    if q.tab == "closed":
        return query.order_by(CaseRow.closed_at.desc(), CaseRow.id.desc())
    overdue_rank = case(
        (and_(IS_OPEN, CaseRow.first_contacted_at.is_(None), CaseRow.first_contact_due < now), 0),
        (and_(IS_OPEN, CaseRow.next_contact_due.is_not(None), CaseRow.next_contact_due < now), 1),
        else_=2,
    )
    return query.order_by(overdue_rank, RISK_RANK, DUE.asc().nulls_last(), CaseRow.id)


def page(db: Session, org: str, account_id: int, q: Query, now: datetime) -> Page:
    ordered = statement(org, account_id, q, now)
    # A tab as it is holds what its badge says; a filtered view is counted with the badges, in the same query.
    filtered = ordered if q.filters or q.reference else None
    tabs, found = _counts(db, org, account_id, filtered)
    total = found if found is not None else tabs[q.tab]
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(q.page, pages)
    page_of = ordered.options(load_only(*LISTED, raiseload=True)).limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)
    return Page(list(db.scalars(page_of)), total, number, pages, tabs)


def counts(db: Session, org: str, account_id: int) -> dict[str, int]:
    """How many cases each tab holds, in one query."""
    return _counts(db, org, account_id, None)[0]


def _counts(db: Session, org: str, account_id: int, filtered: Select | None) -> tuple[dict[str, int], int | None]:
    """Each tab's count, open ones from the narrow open index and closed ones from the closed; and `filtered`'s, if given."""
    open_ = (
        select(
            func.count().filter(CaseRow.owner_id == account_id).label("mine"),
            func.count().filter(CaseRow.owner_id.is_(None)).label("unassigned"),
            func.count().label("open"),
        )
        .where(CaseRow.org == org, IS_OPEN)
        .subquery("open_cases")
    )
    closed = select(func.count().label("closed")).where(CaseRow.org == org, IS_CLOSED).subquery("closed_cases")
    columns = [open_.c.mine, open_.c.unassigned, open_.c.open, closed.c.closed]
    if filtered is not None:
        ids = filtered.with_only_columns(CaseRow.id).order_by(None).subquery("found")
        columns.append(select(func.count()).select_from(ids).scalar_subquery())
    row = db.execute(select(*columns).select_from(open_.join(closed, true()))).one()
    tabs = dict(zip(TABS, (int(n or 0) for n in row[:4]), strict=True))
    return tabs, (int(row[4] or 0) if filtered is not None else None)

"""The morning email: at 08:00 London time on working days, each officer's cases due today or overdue, each team leader's team's overdue ones.

Once per person per day however many workers run it: each email is queued under the key
digest:<landlord>:<account>:<date> (outbox.enqueue_once). References and deadlines only,
never what a reporter said. A person with nothing due gets no email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import load_only

from intake import outbox, sla
from intake.store.models import CaseRow, OutboxRow, StaffAccountRow

SENDS_AT = time(8, 0)
DIGEST = "digest"


@dataclass(frozen=True)
class Due:
    reference: str
    due: datetime
    overdue: bool
    risk_level: str
    kind: str  # first | next: which contact is due


def due_of(case: CaseRow) -> tuple[datetime | None, str]:
    """Until first contact the first-contact deadline counts; after it, the next contact's (none where the policy sets no interval)."""
    if case.first_contacted_at is None:
        return case.first_contact_due, "first"
    return case.next_contact_due, "next"


def choose(cases: list[CaseRow], now: datetime, end_of_today: datetime, *, overdue_only: bool) -> list[Due]:
    """The cases to list, overdue first then by deadline."""
    listed = []
    for case in cases:
        due, kind = due_of(case)
        if due is None or due >= end_of_today or (overdue_only and due >= now):
            continue
        listed.append(Due(case.reference, due, due < now, case.risk_level, kind))
    return sorted(listed, key=lambda d: (not d.overdue, d.due, d.reference))


def send_morning_digests(intake, now: datetime) -> int:  # type: ignore[no-untyped-def]
    """Queue the day's emails that are due and not yet queued; how many it queued."""
    queued = 0
    for profile in intake.profiles.values():
        zone = ZoneInfo(profile.timezone)
        local = now.astimezone(zone)
        if local.time() < SENDS_AT or not sla.is_business_day(local.date()):
            continue
        end_of_today = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=zone)
        with intake.store.transaction() as session:
            prefix = f"{DIGEST}:{profile.slug}:"
            done = set(session.scalars(select(OutboxRow.once_key).where(OutboxRow.once_key.like(f"{prefix}%:{local.date()}"))))
            people = [
                p
                for p in session.scalars(
                    select(StaffAccountRow).where(StaffAccountRow.org == profile.slug, StaffAccountRow.disabled.is_(False))
                )
                if p.role in ("officer", "team_leader") and f"{prefix}{p.id}:{local.date()}" not in done
            ]
            if not people:
                continue
            open_cases = session.scalars(
                select(CaseRow)
                .where(CaseRow.org == profile.slug, CaseRow.work_status != "closed")
                .options(
                    load_only(
                        CaseRow.reference,
                        CaseRow.owner_id,
                        CaseRow.risk_level,
                        CaseRow.first_contacted_at,
                        CaseRow.first_contact_due,
                        CaseRow.next_contact_due,
                        raiseload=True,
                    )
                )
            ).all()
            for person in people:
                if person.role == "officer":
                    mine = [c for c in open_cases if c.owner_id == person.id]
                    listed = choose(mine, now, end_of_today, overdue_only=False)
                else:
                    listed = choose(list(open_cases), now, end_of_today, overdue_only=True)
                if listed and _queue(session, intake, profile, person, local.date(), listed, now):
                    queued += 1
    if queued:
        intake.waker.wake()
    return queued


def _queue(session, intake, profile, person: StaffAccountRow, day: date, listed: list[Due], now: datetime) -> bool:  # type: ignore[no-untyped-def]
    base = intake.public_url.rstrip("/")
    payload = {
        "org_name": profile.name,
        "name": person.name,
        "role": person.role,
        "day": day.isoformat(),
        "console_url": f"{base}/staff/",
        "cases": [
            {"reference": d.reference, "due": d.due.isoformat(), "overdue": d.overdue, "risk_level": d.risk_level,
             "kind": d.kind, "url": f"{base}/staff/cases/{d.reference}"}
            for d in listed
        ],
    }  # fmt: skip
    row = outbox.enqueue_once(session, once_key=f"{DIGEST}:{profile.slug}:{person.id}:{day.isoformat()}", org=profile.slug,
                              channel="email", purpose=DIGEST, recipient=person.email, payload=payload, at=now)  # fmt: skip
    return row is not None

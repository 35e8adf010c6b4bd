"""What a message to a reporter came to, recorded on the case: answered is a contact, unanswered a message left.

Run after anything that can change it: a delivery report, a send that counts as delivered, a
reporter's later message. It records each outcome once, however often it runs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from intake import reporter_messages as rm
from intake import sla
from intake.cases import add_event
from intake.orgs.schema import Profile
from intake.store.models import CaseRow, OutboxRow

# Only a conversation stops the first-contact clock; an attempt shows on the timeline.
REACHED = ("spoke", "met")


def settle_messages(session: Session, case: CaseRow, profile: Profile, at: datetime) -> int:
    """Record what each delivered message came to; return how many outcomes it recorded."""
    events = sorted(case.events, key=lambda e: (e.at, e.id or 0))
    settled = {e.data.get("outbox_id"): e.data.get("outcome") for e in events if e.kind == "message_outcome"}
    recorded = 0
    for event in events:
        if event.kind != "message_to_reporter":
            continue
        row = session.get(OutboxRow, event.data.get("outbox_id"))
        if row is None or row.sent_at is None:
            continue
        delivered = rm.state(row.status, row.delivery_status, event.data.get("door", ""), None, at) == "delivered"
        answered = any(e.kind == "reporter_message" and e.at >= row.sent_at for e in events)
        outcome = rm.counts_as(delivered, answered)
        if outcome is None or settled.get(row.id) in (outcome, "spoke"):
            continue
        when: dict[str, str] = {}
        if outcome in REACHED:
            reply_at = min(e.at for e in events if e.kind == "reporter_message" and e.at >= row.sent_at)
            if case.first_contacted_at is None or reply_at < case.first_contacted_at:
                case.first_contacted_at = reply_at
            case.next_contact_due = sla.next_contact_due(reply_at, profile.contact_cadence_working_days, profile.timezone)
            when["reply_at"] = reply_at.isoformat()  # the contact's time, for the returns (intake.returns)
        add_event(session, case, "message_outcome", at, outbox_id=row.id, outcome=outcome, **when)
        settled[row.id] = outcome
        recorded += 1
    return recorded

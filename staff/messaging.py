"""The case page's part for writing to the reporter: what the officer may send, why a message waits or cannot go."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake import casework
from intake import reporter_messages as rm
from intake.i18n import mark, translator
from intake.orgs.schema import Profile
from intake.store.models import CaseRow, OutboxRow
from staff.display import when
from staff.forms import day

NO_HOME_VISITS = mark("The reporter asked us not to visit their home. Meet them somewhere else.")
STATE_WORDS = {
    "queued": mark("Queued"),
    "held": mark("Held until %(time)s"),
    "sent": mark("Sent"),
    "delivered": mark("Delivered"),
    "failed": mark("Not delivered"),
    "cancelled": mark("Not sent"),
}


def no_home_visits(case: CaseRow) -> bool:
    return "no_home_visits" in ((case.contact or {}).get("safety") or [])


def message_args(form: Any, profile: Profile) -> dict[str, Any]:
    """The message form's fields as casework.compose_message takes them."""
    return {
        "template": form.get("template"),
        "params": {"name": (form.get("officer_name") or "").strip(), "date": day(form, "calldate")},
        "free_text": form.get("free_text"),
        "confirmed_address": form.get("confirm_address"),
    }


def writing(db: Session, case: CaseRow, profile: Profile, at: datetime) -> dict[str, Any]:
    """Whether and how this reporter can be written to now, and each message's state, for the page."""
    t = translator("en")
    decision = casework.message_decision(db, case, profile, at)
    door, address = casework.reporter_channel(db, case)
    reason = None
    if decision.reason:
        reason = t(decision.reason, time=when(decision.release_at, profile)) if decision.release_at else t(decision.reason)
    sent = [e for e in case.events if e.kind == "message_to_reporter"]
    rows = {r.id: r for r in db.scalars(select(OutboxRow).where(OutboxRow.id.in_([e.data.get("outbox_id") for e in sent])))}
    states: dict[int, str] = {}
    for event in sent:
        row = rows.get(event.data.get("outbox_id"))
        if row is None:
            continue
        held = datetime.fromisoformat(event.data["held_until"]) if event.data.get("held_until") else None
        state = rm.state(row.status, row.delivery_status, event.data.get("door", ""), held, at)
        states[row.id] = t(STATE_WORDS[state], time=when(held, profile)) if state == "held" else t(STATE_WORDS[state])
    confirm = door == "web" and not any(e.data.get("door") == "web" for e in sent)
    return {
        "decision": decision.outcome,
        "reason": reason,
        "door": door,
        "email": address if confirm else None,
        "templates": [
            ("", t("Choose")),
            *[(x.id, t(x.text, name="NAME", date="DATE")) for x in rm.templates().values()],
            (rm.FREE_TEXT, t("Your own words (not translated)")),
        ],
        "language": case.language,
        "states": states,
    }

"""Sending the satisfaction survey: after closure, on the reporter's own door, inside their safe-contact wishes; one reminder.

The background worker runs `send_due` with housekeeping. Who gets it: a named reporter who
agreed to be contacted, on the door they used (SMS, Telegram) or, from the web form, by email
with a one-time link. Never a case with no contact, never after STOP or the quick exit, never
outside the reporter's safe-contact windows (casework.message_decision decides, as for an
officer's message). `waiting` finds the survey a reporter's reply answers (intake.pipeline).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from intake import casework, outbox, survey
from intake import reporter_messages as rm
from intake.cases import add_event
from intake.i18n import translator
from intake.messages import InboundMessage
from intake.orgs.schema import Profile
from intake.store.models import CaseRow, ConversationRow


def since_closure(case: CaseRow) -> list[Any]:
    """The case's events since it was last closed: a reopened and closed again case is surveyed again."""
    closed_at = case.closed_at
    return [e for e in case.events if closed_at is not None and e.at >= closed_at]


def _window(profile: Profile) -> timedelta:
    """How long after closure the survey may still be sent or reminded: the policy's limit, else the service's."""
    s = profile.survey
    if s.within_days:
        return timedelta(days=s.within_days)
    return timedelta(days=s.after_days + s.reminder_days) + survey.ANSWERS_TAKEN_FOR


def send_due(intake, now: datetime) -> int:  # type: ignore[no-untyped-def]
    """Send each survey and reminder that is due; how many it queued."""
    queued = 0
    for profile in intake.profiles.values():
        # Every 30 seconds: only the closures a survey or reminder can be due for now are read.
        with intake.store.transaction() as session:
            closed = session.scalars(
                select(CaseRow)
                .where(CaseRow.org == profile.slug, CaseRow.work_status == "closed",
                       CaseRow.closed_at <= now - timedelta(days=profile.survey.after_days),
                       CaseRow.closed_at >= now - _window(profile))
                .options(selectinload(CaseRow.events))
            ).all()  # fmt: skip
            for case in closed:
                queued += _one(session, intake, profile, case, now)
    if queued:
        intake.waker.wake()
    return queued


def _one(session, intake, profile: Profile, case: CaseRow, now: datetime) -> int:  # type: ignore[no-untyped-def]
    s, events = profile.survey, since_closure(case)
    current = survey.state(events)
    assert case.closed_at is not None
    if current.sent_at is None:
        if any(e.kind == "survey_not_sent" for e in events):
            return 0  # refused once, with its reason on the case
        return _send(session, intake, profile, case, now, reminder=False)
    if current.reminded or current.answered or current.ended or now < current.sent_at + timedelta(days=s.reminder_days):
        return 0
    return _send(session, intake, profile, case, now, reminder=True, current=current)


def _send(session, intake, profile: Profile, case: CaseRow, now: datetime, *, reminder: bool,  # type: ignore[no-untyped-def]
          current: survey.State | None = None) -> int:  # fmt: skip
    decision = casework.message_decision(session, case, profile, now)
    if decision.outcome == "refuse":
        if not reminder:
            add_event(session, case, "survey_not_sent", now, reason=decision.reason or "")
        return 0
    door, address = casework.reporter_channel(session, case)
    assert door is not None and address is not None
    t = translator(case.language)
    channel = rm.WRITABLE_DOORS[door]
    if channel == rm.EMAIL_CHANNEL:
        return _email(session, intake, profile, case, address, now, decision.release_at, reminder=reminder)
    at = decision.release_at or now
    step = current.next if current and current.next else "outcome"
    messages = survey.opening(t, profile.name, case.reference, reminder=reminder, step=step)
    payload: dict[str, Any] = {"messages": [m.to_dict() for m in messages]}
    row = session.scalar(select(ConversationRow).where(ConversationRow.case_id == case.id).limit(1))
    if row is not None:
        payload["sender_key"] = row.sender_key  # a STOP sent while it waited for its window stops it
    outbox.enqueue(session, org=case.org, channel=channel, purpose="survey", recipient=address, payload=payload, at=at,
                   case_id=case.id)  # fmt: skip
    if reminder:
        add_event(session, case, "survey_reminded", now)
    else:
        add_event(session, case, "survey_sent", now, door=door)
    return 1


def token_key(token: str) -> str:
    """What is kept of a web survey's one-time link: a hash of its token, as the emailed message's once_key."""
    return "survey:" + hashlib.sha256(token.encode()).hexdigest()


def _email(session, intake, profile: Profile, case: CaseRow, address: str, now: datetime,  # type: ignore[no-untyped-def]
           release_at: datetime | None, *, reminder: bool) -> int:  # fmt: skip
    """A web reporter's survey: an email with a one-time link to /survey/<token> (channels/survey_page.py)."""
    token = secrets.token_urlsafe(24)
    t = translator(case.language)
    link = f"{intake.public_url.rstrip('/')}/survey/{token}"
    text = t(survey.EMAIL_BODY, reference=case.reference, org=profile.name, link=link)
    payload = {"messages": [{"text": text, "kind": "notice", "language": case.language}], "org_name": profile.name,
               "language": case.language}  # fmt: skip
    outbox.enqueue(session, org=case.org, channel=rm.EMAIL_CHANNEL, purpose="survey", recipient=address, payload=payload,
                   at=release_at or now, case_id=case.id, once_key=token_key(token))  # fmt: skip
    add_event(session, case, "survey_reminded" if reminder else "survey_sent", now, **({} if reminder else {"door": "web"}))
    return 1


# ---- a reply that may answer one ---------------------------------------------------------------------
_LATEST = (
    select(ConversationRow)
    .join(CaseRow, ConversationRow.case_id == CaseRow.id)
    .where(CaseRow.work_status == "closed")
    .order_by(ConversationRow.updated_at.desc(), ConversationRow.id.desc())
)


def waiting(session, profiles, inbound: InboundMessage) -> tuple[CaseRow, ConversationRow] | None:  # type: ignore[no-untyped-def]
    """The closed case whose survey this sender's message may answer, and their chat on it; None when none waits."""
    row = session.scalar(
        _LATEST.where(ConversationRow.org == inbound.org, ConversationRow.channel == inbound.channel,
                      ConversationRow.sender_key == inbound.sender_key).limit(1)
    )  # fmt: skip
    if row is None or row.case is None:
        return None
    profile = profiles[row.org]
    current = survey.state(since_closure(row.case))
    if current.door not in ("sms", "telegram") or not current.open_at(inbound.received_at, profile.survey.reminder_days):
        return None
    return row.case, row

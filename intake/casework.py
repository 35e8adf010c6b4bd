"""What a case officer does to a case: each action checks its facts, changes the case and writes its timeline event.

No Flask here: the console (staff/) calls these, and so could any other client. A mistake
is a `Refused` naming the field and a msgid to show; permissions are the caller's to check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake import outbox, sla
from intake import reporter_messages as rm
from intake.answers import Answers
from intake.cases import add_event, reporter_left
from intake.i18n import mark
from intake.message_outcomes import REACHED
from intake.message_outcomes import settle_messages as settle_messages  # the console's way in too
from intake.messages import OutboundMessage
from intake.orgs.schema import Profile
from intake.store.models import ActionItemRow, CaseRow, ConversationRow, OptOutRow, OutboxRow, StaffAccountRow
from intake.victims_code import deadline_rule

RISK_LEVELS = ("standard", "medium", "high")
CONTACT_METHODS = ("phone", "in_person", "interview", "message", "email", "letter")
CONTACT_OUTCOMES = ("spoke", "met", "left_message", "no_answer")
CONTACT_WITH = ("reporter", "victim")
ACTION_STATUSES = ("planned", "in_progress", "done", "dropped")
BASES = ("consent", "exception")
CONSENT_SOURCES = ("intake", "now")
REVIEW_KINDS = ("formal", "informal")
CONTACT_LOOKBACK = timedelta(days=7)
RECEIVED_BY = ("phone", "email", "post", "in_person")
RECEIVED_LOOKBACK = timedelta(days=30)  # a letter can take a while to reach the team
VICTIMS_CODE_BY = ("told", "email", "post", "in_person", "declined")
NOTE_LIMIT = 5000


class Refused(Exception):
    """An action the facts do not allow; `message` is a msgid the console shows beside `field`."""

    def __init__(self, field: str, message: str, **params: Any):
        super().__init__(message)
        self.field, self.message, self.params = field, message, params


class CaseChanged(Exception):
    """Someone else changed the case after this officer opened it."""


@dataclass(frozen=True)
class Actor:
    """Who acts, and when: every action's timeline line carries both."""

    account: StaffAccountRow
    at: datetime


def check_version(case: CaseRow, seen: int | None) -> None:
    """Refuse a change made from a page showing an older version of the case."""
    if seen is not None and seen != case.version:
        raise CaseChanged(case.reference)


def _event(session: Session, case: CaseRow, actor: Actor, kind: str, **data: Any) -> None:
    add_event(session, case, kind, actor.at, actor_id=actor.account.id, **data)
    _open(case)


def _open(case: CaseRow) -> None:
    # Any officer's action on a new case means someone is working it.
    if case.work_status == "new":
        case.work_status = "open"


def _text(value: str | None, field: str, *, required: bool = True, limit: int = NOTE_LIMIT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Refused(field, mark("Enter some text"))
    if len(value) > limit:
        raise Refused(field, mark("Write %(limit)s characters or fewer"), limit=limit)
    return value


def _one_of(value: str | None, allowed: tuple[str, ...] | list[str], field: str, message: str) -> str:
    if value not in allowed:
        raise Refused(field, message)
    return value


def _not_closed(case: CaseRow) -> None:
    if case.work_status == "closed":
        raise Refused("case", mark("This case is closed. Reopen it to change it."))


# ---- ownership ---------------------------------------------------------------------------------
def assign(session: Session, case: CaseRow, actor: Actor, to: StaffAccountRow) -> None:
    """Give the case to `to` (an officer taking it gives it to themselves)."""
    if to.org != case.org or to.disabled:
        raise Refused("owner", mark("Choose someone in your team"))
    previous = case.owner_id
    case.owner_id = to.id
    _event(session, case, actor, "assigned", to=to.id, to_name=to.name, previous=previous)


# ---- risk --------------------------------------------------------------------------------------
def review_risk(session: Session, case: CaseRow, actor: Actor, level: str | None, reasons: str | None) -> None:
    """Confirm or change the risk level, with reasons; the intake assessment stays on the timeline."""
    _not_closed(case)
    level = _one_of(level, RISK_LEVELS, "level", mark("Choose a risk level"))
    reasons = _text(reasons, "reasons")
    previous = case.risk_level
    case.risk_level = level
    _event(session, case, actor, "risk_reviewed", level=level, previous=previous, reasons=reasons)


# ---- contact -----------------------------------------------------------------------------------
def record_contact(
    session: Session,
    case: CaseRow,
    actor: Actor,
    profile: Profile,
    *,
    method: str | None,
    happened_at: datetime | None,
    outcome: str | None,
    note: str | None,
    with_whom: str | None = "reporter",
) -> None:
    """A contact or an attempt; one that reached the person stops the first-contact clock and restarts the next."""
    _not_closed(case)
    method = _one_of(method, CONTACT_METHODS, "method", mark("Choose how the contact was made"))
    outcome = _one_of(outcome, CONTACT_OUTCOMES, "outcome", mark("Choose what happened"))
    with_whom = _one_of(with_whom or "reporter", CONTACT_WITH, "with_whom", mark("Choose who the contact was with"))
    if happened_at is None:
        raise Refused("happened_at", mark("Enter when it happened"))
    if happened_at > actor.at:
        raise Refused("happened_at", mark("When it happened must be now or in the past"))
    if happened_at < actor.at - CONTACT_LOOKBACK:
        raise Refused("happened_at", mark("When it happened must be in the last 7 days"))
    note = _text(note, "note", required=False)
    if outcome in REACHED:
        if case.first_contacted_at is None or happened_at < case.first_contacted_at:
            case.first_contacted_at = happened_at
        cadence = profile.contact_cadence_working_days
        case.next_contact_due = sla.next_contact_due(happened_at, cadence, profile.timezone)
        if with_whom == "reporter" and case.reply_waiting_since is not None and happened_at >= case.reply_waiting_since:
            case.reply_waiting_since = None  # they talked since it came: it has been dealt with
    _event(
        session,
        case,
        actor,
        "contact",
        method=method,
        outcome=outcome,
        with_whom=with_whom,
        happened_at=happened_at.isoformat(),
        note=note,
    )


def add_note(session: Session, case: CaseRow, actor: Actor, text: str | None) -> None:
    _event(session, case, actor, "note", text=_text(text, "text"))


# ---- the action plan ---------------------------------------------------------------------------
def add_action(
    session: Session,
    case: CaseRow,
    actor: Actor,
    profile: Profile,
    *,
    kind: str | None,
    what: str | None,
    who: str | None,
    due: date | None,
) -> ActionItemRow:
    _not_closed(case)
    kinds = {k.id: k for k in profile.action_kinds}
    kind = _one_of(kind, list(kinds), "kind", mark("Choose a kind of action"))
    what = _text(what, "what", limit=500)
    who = _text(who, "who", limit=200)
    if due is not None and due < actor.at.date() - timedelta(days=1):
        raise Refused("due", mark("The date it is due by must be today or in the future"))
    item = ActionItemRow(
        case=case, kind=kind, what=what, who=who, due=due, status="planned", created_at=actor.at, updated_at=actor.at
    )
    session.add(item)
    session.flush()
    _event(
        session,
        case,
        actor,
        "action_added",
        item=item.id,
        action_kind=kind,
        legal=kinds[kind].legal,
        what=what,
        who=who,
        due=due.isoformat() if due else None,
    )
    return item


def update_action(session: Session, case: CaseRow, actor: Actor, item_id: int | None, status: str | None) -> None:
    item = next((i for i in case.action_items if i.id == item_id), None)
    if item is None:
        raise Refused("item", mark("Choose an action from the plan"))
    status = _one_of(status, ACTION_STATUSES, "status", mark("Choose a status"))
    previous, item.status, item.updated_at = item.status, status, actor.at
    _event(session, case, actor, "action_updated", item=item.id, action_kind=item.kind, status=status, previous=previous)


def agree_plan(session: Session, case: CaseRow, actor: Actor, agreed_on: date | None) -> None:
    """Record the day the plan was agreed with the complainant."""
    if agreed_on is None:
        raise Refused("agreed_on", mark("Enter the date the plan was agreed"))
    if agreed_on > actor.at.date():
        raise Refused("agreed_on", mark("The date the plan was agreed must be today or in the past"))
    if not case.action_items:
        raise Refused("agreed_on", mark("Add at least one action before recording that the plan was agreed"))
    case.plan_agreed_at = datetime.combine(agreed_on, actor.at.timetz())
    _event(session, case, actor, "plan_agreed", agreed_on=agreed_on.isoformat())


# ---- referrals and disclosures -----------------------------------------------------------------
def intake_sharing(case: CaseRow) -> str | None:
    """What the reporter said at intake about sharing: yes, ask_first, no, or None when not asked or skipped."""
    return Answers(case.answers).value("sharing")


def disclose(
    session: Session,
    case: CaseRow,
    actor: Actor,
    profile: Profile,
    *,
    recipient: str | None,
    other_recipient: str | None,
    shared: str | None,
    purpose: str | None,
    basis: str | None,
    consent_source: str | None = None,
    consent_how: str | None = None,
    consent_at: datetime | None = None,
    exception: str | None = None,
    reason: str | None = None,
) -> None:
    """Record a referral or disclosure and its basis. The product records the basis; it does not judge it lawful."""
    recipients = {r.id: r for r in profile.referral_recipients}
    if recipient == "other":
        name = _text(other_recipient, "other_recipient", limit=200)
    else:
        recipient = _one_of(recipient, list(recipients), "recipient", mark("Choose who it was shared with"))
        name = recipients[recipient].name
    shared = _text(shared, "shared", limit=2000)
    purpose = _text(purpose, "purpose", limit=500)
    basis = _one_of(basis, BASES, "basis", mark("Choose the basis for sharing"))
    data: dict[str, Any] = {"recipient": recipient, "recipient_name": name, "shared": shared, "purpose": purpose, "basis": basis}
    if basis == "consent":
        said = intake_sharing(case)
        consent_source = _one_of(consent_source, CONSENT_SOURCES, "consent_source", mark("Say how the reporter consented"))
        if consent_source == "intake" and said != "yes":
            # "Ask me first", "no" or nothing said: only consent given now will do.
            raise Refused("consent_source", mark("The report does not give consent to share. Record consent given now."))
        if consent_source == "now":
            data["consent_how"] = _text(consent_how, "consent_how", limit=500)
            if consent_at is None or consent_at > actor.at:
                raise Refused("consent_at", mark("Enter when consent was given, now or in the past"))
            data["consent_at"] = consent_at.isoformat()
        data.update(consent_source=consent_source, intake_sharing=said)
    else:
        allowed = [e.id for e in profile.disclosure_exceptions]
        data["exception"] = _one_of(exception, allowed, "exception", mark("Choose the exception the policy gives"))
        data["reason"] = _text(reason, "reason", limit=2000)
    _event(session, case, actor, "disclosure", **data)


# ---- reviews, status, links --------------------------------------------------------------------
def request_review(session: Session, case: CaseRow, actor: Actor, profile: Profile, route: str | None, note: str | None) -> None:
    """A complainant asked for a case review (MKCC §7.7–7.8, WCHG §7)."""
    routes = [r.id for r in profile.case_review]
    route = _one_of(route, routes, "route", mark("Choose the kind of case review"))
    _event(session, case, actor, "review_requested", route=route, note=_text(note, "note", required=False))


def close(session: Session, case: CaseRow, actor: Actor, profile: Profile, outcome: str | None, note: str | None) -> None:
    _not_closed(case)
    outcome = _one_of(outcome, profile.outcomes, "outcome", mark("Choose an outcome"))
    note = _text(note, "note", required=False)
    _event(session, case, actor, "closed", outcome=outcome, note=note)
    case.work_status, case.outcome, case.closed_at = "closed", outcome, actor.at


def reopen(session: Session, case: CaseRow, actor: Actor, reason: str | None) -> None:
    if case.work_status != "closed":
        raise Refused("case", mark("This case is not closed"))
    reason = _text(reason, "reason")
    previous = case.outcome
    case.work_status, case.outcome, case.closed_at = "open", None, None
    _event(session, case, actor, "reopened", reason=reason, previous_outcome=previous)


def link(session: Session, case: CaseRow, actor: Actor, other: CaseRow | None) -> None:
    """Link this (later) report to an open case about the same people or address."""
    if other is None or other.org != case.org:
        raise Refused("reference", mark("There is no case with that reference"))
    if other.id == case.id:
        raise Refused("reference", mark("A case cannot be linked to itself"))
    if other.work_status == "closed":
        raise Refused("reference", mark("That case is closed. Link to an open case."))
    case.linked_case_id = other.id
    _event(session, case, actor, "linked", to=other.reference)
    add_event(session, other, "linked_from", actor.at, actor_id=actor.account.id, reference=case.reference)


# ---- a report taken another way ----------------------------------------------------------------
def check_taken(how: str | None, received_at: datetime | None, at: datetime) -> tuple[str, datetime]:
    """How and when a report reached the landlord other than through a door, checked before it is entered."""
    how = _one_of(how, RECEIVED_BY, "how", mark("Choose how the report reached you"))
    if received_at is None:
        raise Refused("received_at", mark("Enter when the report was received"))
    if received_at > at:
        raise Refused("received_at", mark("When the report was received must be now or in the past"))
    if received_at < at - RECEIVED_LOOKBACK:
        raise Refused("received_at", mark("When the report was received must be in the last 30 days"))
    return how, received_at


def taken_another_way(
    session: Session, case: CaseRow, actor: Actor, profile: Profile, *, how: str, received_at: datetime, language: str
) -> None:
    """A report an officer entered for the reporter: its clocks run from when it was received, not when it was typed.

    MKCC §5.3 and WCHG §3.1.4 take reports by phone, email, post and in person; the first-contact
    promise counts from the moment the landlord had the report.
    """
    case.created_at = received_at
    case.first_contact_due = case.next_contact_due = sla.first_contact_due(received_at, deadline_rule(profile))
    case.language = language
    if case.owner_id is None:
        case.owner_id = actor.account.id
    _event(session, case, actor, "taken_another_way", how=how, received_at=received_at.isoformat(), language=language)


def victims_code_given(session: Session, case: CaseRow, actor: Actor, by: str | None) -> None:
    """How the reporter of a report taken by hand was given the Victims Code, or that they did not want it."""
    by = _one_of(by, VICTIMS_CODE_BY, "by", mark("Choose how the reporter was given the Victims Code"))
    if by == "declined":
        case.victims_code_status = "declined"
        _event(session, case, actor, "victims_code_declined")
        return
    case.victims_code_sent_at, case.victims_code_status = actor.at, "sent"
    _event(session, case, actor, "victims_code_sent", via=by)


# ---- writing to the reporter -------------------------------------------------------------------
def reporter_channel(session: Session, case: CaseRow) -> tuple[str | None, str | None]:
    """The door a reporter can be written to on and their address there: their chat, or the email they gave on the form."""
    contact = case.contact or {}
    if contact.get("channel") in ("sms", "telegram") and contact.get("address"):
        return contact["channel"], contact["address"]
    if case.channel == "web":
        found = EMAIL_IN.search(contact.get("other") or "")
        if found:
            return "web", found.group(0)
    return None, None


EMAIL_IN = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+")


def reporter_stopped(session: Session, case: CaseRow) -> bool:
    """Whether the reporter sent STOP or left with the quick exit, on the case or by opting out of the door."""
    if reporter_left(case.events):
        return True
    keys = session.scalars(select(ConversationRow.sender_key).where(ConversationRow.case_id == case.id)).all()
    if not keys:
        return False
    return (
        session.scalar(select(OptOutRow.id).where(OptOutRow.channel == case.channel, OptOutRow.sender_key.in_(keys))) is not None
    )


def message_decision(session: Session, case: CaseRow, profile: Profile, at: datetime) -> rm.Decision:
    door, address = reporter_channel(session, case)
    return rm.decide(door=door, address=address, safety=(case.contact or {}).get("safety") or [],
                     stopped=reporter_stopped(session, case), windows=_windows(profile), timezone=profile.timezone,
                     now=at)  # fmt: skip


def _windows(profile: Profile) -> dict[str, rm.Window]:
    return {k: rm.Window(time.fromisoformat(w.start), time.fromisoformat(w.end)) for k, w in profile.safe_contact_windows.items()}


def compose_message(
    session: Session,
    case: CaseRow,
    profile: Profile,
    at: datetime,
    *,
    template: str | None,
    params: dict[str, Any],
    free_text: str | None = None,
    confirmed_address: str | None = None,
) -> tuple[str, rm.Decision]:
    """The words a message to the reporter would carry and what would become of it, checked, nothing queued (the preview)."""
    decision = message_decision(session, case, profile, at)
    if decision.outcome == "refuse":
        raise Refused("message", decision.reason or "")
    door, address = reporter_channel(session, case)
    assert door is not None and address is not None
    if template == rm.FREE_TEXT:
        text = _text(free_text, "free_text", limit=1000)
    else:
        chosen = rm.templates().get(template or "")
        if chosen is None:
            raise Refused("template", mark("Choose a message"))
        for name in chosen.params:
            if not params.get(name):
                raise Refused(f"param_{name}", mark("Enter the date") if name == "date" else mark("Enter some text"))
        text = rm.render(chosen, case.language, params)
    # An address typed into a form may be mistyped, or someone else's: the officer checks it once.
    confirmed = (confirmed_address or "").strip().lower() == address.lower()
    if rm.WRITABLE_DOORS[door] == rm.EMAIL_CHANNEL and not _emailed_before(case) and not confirmed:
        raise Refused("confirm_address", mark("Check the email address with the reporter and confirm it"))
    return text, decision


def message_reporter(
    session: Session,
    case: CaseRow,
    actor: Actor,
    profile: Profile,
    *,
    template: str | None,
    params: dict[str, Any],
    free_text: str | None = None,
    confirmed_address: str | None = None,
) -> OutboxRow:
    """Queue a message to the reporter on their own door, held to their safe-contact window or refused."""
    text, decision = compose_message(session, case, profile, actor.at, template=template, params=params,
                                     free_text=free_text, confirmed_address=confirmed_address)  # fmt: skip
    door, address = reporter_channel(session, case)
    assert door is not None
    channel = rm.WRITABLE_DOORS[door]
    payload: dict[str, Any] = {"messages": [OutboundMessage(text, kind="notice", language=case.language).to_dict()]}
    conversation = session.scalar(select(ConversationRow).where(ConversationRow.case_id == case.id).limit(1))
    if channel == rm.EMAIL_CHANNEL:
        payload.update(org_name=profile.name, language=case.language)
    elif conversation is not None:
        # Checked again when it goes: a STOP sent while it waited for its window stops it.
        payload["sender_key"] = conversation.sender_key
    row = outbox.enqueue(session, org=case.org, channel=channel, purpose="officer_message", recipient=address,
                         payload=payload, at=decision.release_at or actor.at, case_id=case.id)  # fmt: skip
    session.flush()
    _event(session, case, actor, "message_to_reporter", outbox_id=row.id, template=template, door=door, text=text,
           held_until=decision.release_at.isoformat() if decision.release_at else None)  # fmt: skip
    case.reply_waiting_since = None  # writing back deals with what they sent
    return row


def mark_reply_read(session: Session, case: CaseRow, actor: Actor) -> None:
    """The officer has read what the reporter sent after their report: the case stops showing a reply waiting."""
    if case.reply_waiting_since is None:
        raise Refused("case", mark("No message from the reporter is waiting"))
    since, case.reply_waiting_since = case.reply_waiting_since, None
    _event(session, case, actor, "reply_read", since=since.isoformat())


def _emailed_before(case: CaseRow) -> bool:
    return any(e.kind == "message_to_reporter" and e.data.get("door") == "web" for e in case.events)

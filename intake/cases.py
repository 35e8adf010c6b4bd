"""Cases: open one as soon as there is a description, apply each event's effect on it, keep it in step, show it."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake import events as ev
from intake import nlp, risk, sla
from intake.answers import ANONYMOUS, Answers
from intake.conversation import OPENING, Conversation
from intake.engine.views import visible_answers
from intake.flow import Flow, load_flow
from intake.messages import DoorTraits
from intake.orgs.schema import Profile
from intake.store.models import CaseEventRow, CaseRow
from intake.victims_code import deadline_rule

# No 0/O, 1/I/L: a reference read aloud over the phone or copied by hand stays unambiguous.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6
# A case's answers are worked on while it is open, whatever became of the conversation.
SYNCED_STATUSES = ("in_progress", "submitted", "incomplete")


def reporter_left(events: Any) -> bool:
    """Whether the reporter's last word on the chat was STOP or the quick exit, not a START that carried it on."""
    left = False
    for event in events:  # in the order they happened
        if event.kind == "conversation_ended" and event.data.get("reason") in ("stopped", "exited"):
            left = True
        elif event.kind == "conversation_resumed":
            left = False
    return left


def new_reference(prefix: str) -> str:
    return f"{prefix}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def find_case(session: Session, reference: str) -> CaseRow | None:
    return session.scalar(select(CaseRow).where(CaseRow.reference == reference.strip().upper()))


def open_case(session: Session, *, reference: str, profile: Profile, channel: str, language: str, at: datetime) -> CaseRow:
    """A new case, its first-contact clock started now. Written with the rest of the turn, once."""
    due = sla.first_contact_due(at, deadline_rule(profile))
    case = CaseRow(
        reference=reference,
        org=profile.slug,
        channel=channel,
        status="in_progress",
        language=language,
        answers={},
        strands=[],
        incident_types=[],
        risk_score=0,
        risk_level="standard",
        risk_reasons=[],
        created_at=at,
        first_contact_due=due,
        next_contact_due=due,
        no_messages=False,
    )
    session.add(case)
    add_event(session, case, "opened", at, channel=channel)
    return case


def add_event(session: Session, case: CaseRow, kind: str, at: datetime, *, actor_id: int | None = None, **data: Any) -> None:
    session.add(CaseEventRow(case=case, at=at, kind=kind, data=data, actor_id=actor_id))


# ---- what each event does to a case --------------------------------------------------------------
def _submitted(session: Session, case: CaseRow, event: ev.ReportSubmitted, at: datetime, delivery: str) -> None:
    case.status, case.submitted_at = "submitted", at
    add_event(session, case, "submitted", at)


def _victims_code(session: Session, case: CaseRow, event: ev.VictimsCodeSent, at: datetime, delivery: str) -> None:
    if delivery == "hand":
        # An officer gives it by the way the reporter asked, and records how (casework.victims_code_given).
        case.victims_code_status = "to_give"
        add_event(session, case, "victims_code_to_give", at)
    elif delivery == "outbox":
        # It is sent when the outbox delivers it, which records the time then.
        case.victims_code_status = "queued"
        add_event(session, case, "victims_code_queued", at)
    else:
        # The reply carrying the Victims Code is handed to the door in this very response.
        case.victims_code_sent_at, case.victims_code_status = at, "sent"
        add_event(session, case, "victims_code_sent", at, via="reply")


def _further(session: Session, case: CaseRow, event: ev.FurtherInformation, at: datetime, delivery: str) -> None:
    # Called a reporter's message: it may answer an officer's (intake.message_outcomes), and it waits to be read.
    add_event(session, case, "reporter_message", at, text=event.text)
    if case.reply_waiting_since is None:
        case.reply_waiting_since = at


def _danger(session: Session, case: CaseRow, event: ev.DangerSignalled, at: datetime, delivery: str) -> None:
    add_event(session, case, "danger_signalled", at, evidence=list(event.evidence))


def _ended(session: Session, case: CaseRow, event: ev.ConversationEnded, at: datetime, delivery: str) -> None:
    if case.status == "in_progress":
        case.status = "incomplete"
    add_event(session, case, "conversation_ended", at, reason=event.reason)


def _language(session: Session, case: CaseRow, event: ev.LanguageChanged, at: datetime, delivery: str) -> None:
    add_event(session, case, "language_changed", at, language=event.language)


def _files_refused(session: Session, case: CaseRow, event: ev.FilesRefused, at: datetime, delivery: str) -> None:
    add_event(session, case, "files_refused", at, reasons=list(event.reasons))


EFFECTS: dict[type, Callable[..., None]] = {
    ev.ReportSubmitted: _submitted,
    ev.VictimsCodeSent: _victims_code,
    ev.FurtherInformation: _further,
    ev.DangerSignalled: _danger,
    ev.ConversationEnded: _ended,
    ev.LanguageChanged: _language,
    ev.FilesRefused: _files_refused,
}


def apply(session: Session, case: CaseRow, event: Any, at: datetime, *, delivery: str = "reply") -> None:
    """Apply one event's effect on a case; events that mean nothing to a case change nothing.

    `delivery` is how this turn's replies reach the reporter: in the response ("reply"),
    through the outbox ("outbox"), or passed on by an officer ("hand").
    """
    effect = EFFECTS.get(type(event))
    if effect is not None:
        effect(session, case, event, at, delivery)


# ---- keeping a case in step with its conversation ----------------------------------------------
def sync(
    case: CaseRow,
    conversation: Conversation,
    profile: Profile,
    door: DoorTraits,
    reply_address: str | None,
    flow: Flow | None = None,
    *,
    after_report: bool = False,
    danger_now: bool = False,
) -> bool:
    """Copy the conversation's answers onto its case; True when this raised the risk to high.

    `after_report`: the report was sent before this message. Its answers stand then, and a
    level an officer set after reviewing it is theirs to lower: only `danger_now`, this
    message signalling danger, moves the level again, and only upwards.
    """
    flow = flow or load_flow()
    answers = visible_answers(conversation, profile, door, flow)
    meaning = Answers(answers, flow)
    identity = meaning.identity
    case.reporter_role = meaning.value("reporter")
    # "Not said" is neither: no contact is kept, and no one calls it anonymity.
    case.anonymous = None if identity == "not_said" else identity == ANONYMOUS
    case.language = conversation.language
    contact_ids = meaning.contact_ids()
    case.answers = {qid: a for qid, a in answers.items() if qid not in contact_ids}
    case.strands = [s for s in meaning.values("strands") if s in profile.strands]
    case.incident_types = [t for t in meaning.values("incident_types") if t in profile.incident_types]
    case.contact = _contact(meaning, case.channel, reply_address)
    case.postcode_district = meaning.postcode_district
    case.no_messages = conversation.no_messages
    assessment = risk.assess(answers, conversation.danger_evidence)
    raised_to_high = assessment.level == "high" and case.risk_level != "high"
    case.risk_score, case.risk_reasons = assessment.score, list(assessment.reasons)
    higher = risk.LEVELS.index(assessment.level) > risk.LEVELS.index(case.risk_level)
    if not after_report or (danger_now and higher):
        case.risk_level = assessment.level
    return raised_to_high and case.risk_level == "high"


def _contact(meaning: Answers, channel: str, reply_address: str | None) -> dict | None:
    """Contact details only where the reporter agreed: their own if named, else only a victim's given with consent."""
    victim = meaning.value("victim_contact")
    if not meaning.named:
        return {"victim": victim} if victim else None
    here = meaning.contact_here
    return {
        "name": meaning.value("name"),
        "channel": channel if here else None,
        "address": reply_address if here else None,
        "other": meaning.value("contact"),
        "safety": meaning.values("safe_contact"),
        "victim": victim,
    }


# ---- showing a case ------------------------------------------------------------------------------
def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def identity_of(case: CaseRow) -> str:
    """named, anonymous, or not_said: how the reporter answered the identity question."""
    return "not_said" if case.anonymous is None else ("anonymous" if case.anonymous else "named")


def case_json(case: CaseRow, *, detail: bool = False) -> dict[str, Any]:
    """A case as integrators read it (`intake cases list --json`): ids, never wording; times with offsets."""
    data: dict[str, Any] = {
        "reference": case.reference,
        "org": case.org,
        "channel": case.channel,
        "status": case.status,
        "created_at": _iso(case.created_at),
        "submitted_at": _iso(case.submitted_at),
        "reporter_role": case.reporter_role,
        "anonymous": case.anonymous,
        "identity": identity_of(case),
        "language": case.language,
        "strands": list(case.strands),
        "incident_types": list(case.incident_types),
        "risk_level": case.risk_level,
        "risk_score": case.risk_score,
        "risk_reasons": list(case.risk_reasons),
        "first_contact_due": _iso(case.first_contact_due),
        "next_contact_due": _iso(case.next_contact_due),
        "victims_code_sent_at": _iso(case.victims_code_sent_at),
        "victims_code_delivered_at": _iso(case.victims_code_delivered_at),
        "victims_code_status": case.victims_code_status,
        "attachments": len(case.attachments),
        "work_status": case.work_status,
        "outcome": case.outcome,
        "first_contacted_at": _iso(case.first_contacted_at),
    }
    if detail:
        # The reporter's own words stay as said only in `answers`, for the case officer; anywhere
        # else an export shows text, names, phone numbers, emails and addresses become labels.
        data["answers"] = case.answers
        data["contact"] = case.contact
        data["description"] = redacted(description(case.answers), case.language)
        data["timeline"] = [_event_json(e, case.language) for e in case.events]
    return data


def redacted(text: str | None, language: str) -> str | None:
    """`text` with the personal details analyse() finds replaced by labels such as "[phone]"."""
    if not text:
        return text
    return nlp.analyse(text, language).redact(text)


def description(answers: dict[str, Any], flow: Flow | None = None) -> str | None:
    """What happened, in the reporter's words: the description, else a first message that told the story."""
    flow = flow or load_flow()
    for qid in (flow.role_id("description"), OPENING):
        value = (answers.get(qid or "") or {}).get("value")
        if isinstance(value, str) and value.strip():
            return value
    return None


def _event_json(event: Any, language: str) -> dict[str, Any]:
    data = dict(event.data)
    if isinstance(data.get("text"), str):
        data["text"] = redacted(data["text"], language)
    return {"at": _iso(event.at), "kind": event.kind, **data}

"""Cases: open one as soon as there is a description, keep it in step with the conversation, show it."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake import nlp, risk, sla
from intake.conversation import NAMED, Conversation
from intake.engine import visible_answers
from intake.orgs.schema import Profile
from intake.store.models import CaseEventRow, CaseRow
from intake.victims_code import deadline_rule

# No 0/O, 1/I/L: a reference read aloud over the phone or copied by hand stays unambiguous.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6
# Contact details live only in `contact`, and only where the reporter agreed to be contacted.
CONTACT_QUESTIONS = ("name", "contact_other", "victim_contact")


def new_reference(prefix: str) -> str:
    return f"{prefix}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def find_case(session: Session, reference: str) -> CaseRow | None:
    return session.scalar(select(CaseRow).where(CaseRow.reference == reference.strip().upper()))


def open_case(session: Session, *, reference: str, profile: Profile, channel: str, language: str, at: datetime) -> CaseRow:
    """A new case, its first-contact clock started now."""
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
    session.flush()
    add_event(session, case, "opened", at, channel=channel)
    return case


def sync_case(case: CaseRow, conversation: Conversation, profile: Profile, reply_address: str | None) -> bool:
    """Copy the conversation's answers onto its case; True when this raised the risk to high."""
    answers = visible_answers(conversation, profile, case.channel)
    identity = _value(answers, "identity")
    case.reporter_role = _value(answers, "role")
    case.anonymous = identity not in NAMED
    case.language = conversation.language
    case.answers = {qid: a for qid, a in answers.items() if qid not in CONTACT_QUESTIONS}
    case.strands = [s for s in _values(answers, "motivation") if s in profile.strands]
    case.incident_types = [t for t in _values(answers, "incident_types") if t in profile.incident_types]
    case.contact = _contact(answers, identity, case.channel, reply_address)
    case.no_messages = conversation.no_messages
    assessment = risk.assess(answers, conversation.danger_evidence)
    raised_to_high = assessment.level == "high" and case.risk_level != "high"
    case.risk_score, case.risk_level, case.risk_reasons = assessment.score, assessment.level, list(assessment.reasons)
    return raised_to_high


def _contact(answers: dict, identity: str | None, channel: str, reply_address: str | None) -> dict | None:
    if identity not in NAMED:
        victim = _value(answers, "victim_contact")
        return {"victim": victim} if victim else None
    return {
        "name": _value(answers, "name"),
        "channel": channel if identity == "named_here" else None,
        "address": reply_address if identity == "named_here" else None,
        "other": _value(answers, "contact_other"),
        "safety": _values(answers, "contact_safety"),
        "victim": _value(answers, "victim_contact"),
    }


def _value(answers: dict, qid: str) -> Any:
    answer = answers.get(qid)
    return None if answer is None or answer.get("skipped") else answer.get("value")


def _values(answers: dict, qid: str) -> list:
    value = _value(answers, qid)
    return value if isinstance(value, list) else []


def add_event(session: Session, case: CaseRow, kind: str, at: datetime, **data: Any) -> None:
    session.add(CaseEventRow(case_id=case.id, at=at, kind=kind, data=data))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


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
    }
    if detail:
        # The reporter's own words stay as said only in `answers`, for the case officer; anywhere
        # else an export shows text, names, phone numbers, emails and addresses become labels.
        data["answers"] = case.answers
        data["contact"] = case.contact
        data["description"] = redacted(_description(case.answers), case.language)
        data["timeline"] = [_event_json(e, case.language) for e in case.events]
    return data


def redacted(text: str | None, language: str) -> str | None:
    """`text` with the personal details analyse() finds replaced by labels such as "[phone]"."""
    if not text:
        return text
    return nlp.analyse(text, language).redact(text)


def _description(answers: dict[str, Any]) -> str | None:
    for qid in ("description", "opening"):  # a first message is often the report itself
        value = (answers.get(qid) or {}).get("value")
        if isinstance(value, str) and value.strip():
            return value
    return None


def _event_json(event: Any, language: str) -> dict[str, Any]:
    data = dict(event.data)
    if isinstance(data.get("text"), str):
        data["text"] = redacted(data["text"], language)
    return {"at": _iso(event.at), "kind": event.kind, **data}

"""How the console shows a case: tags, deadlines in words, answers as summary cards, the timeline in sentences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from intake.flow import load_flow, load_vocabulary
from intake.i18n import mark, native_name, translator
from intake.orgs.schema import Profile
from intake.reporting import CHANNEL_WORDS, words
from intake.risk import load_matrix
from intake.store.models import CaseRow
from intake.survey import SCALE_WORDS

RISK_TAGS = {"high": "govuk-tag--red", "medium": "govuk-tag--orange", "standard": "govuk-tag--grey"}
WORK_TAGS = {"new": "govuk-tag--blue", "open": "govuk-tag--green", "closed": "govuk-tag--grey"}
RISK_WORDS = {"high": mark("High risk"), "medium": mark("Medium risk"), "standard": mark("Standard risk")}
WORK_WORDS = {"new": mark("New"), "open": mark("Open"), "closed": mark("Closed")}
# The reporter's side, where it is not simply "received".
REPORTER_WORDS = {"in_progress": mark("Still being written"), "incomplete": mark("Not finished")}
METHOD_WORDS = {
    "phone": mark("Phone call"),
    "in_person": mark("In person"),
    "interview": mark("Interview at a place the reporter chose"),
    "message": mark("Message"),
    "email": mark("Email"),
    "letter": mark("Letter"),
}
OUTCOME_WORDS = {
    "spoke": mark("Spoke to them"),
    "met": mark("Met them"),
    "left_message": mark("Left a message"),
    "no_answer": mark("No answer"),
}
ACTION_STATUS_WORDS = {
    "planned": mark("Planned"),
    "in_progress": mark("In progress"),
    "done": mark("Done"),
    "dropped": mark("Dropped"),
}
RECEIVED_WORDS = {
    "phone": mark("Taken by phone"),
    "email": mark("Sent by email"),
    "post": mark("Sent by post"),
    "in_person": mark("Made in person"),
}
VICTIMS_CODE_BY_WORDS = {
    "told": mark("Told about it by the officer"),
    "email": mark("Sent by email"),
    "post": mark("Sent by post"),
    "in_person": mark("Handed over in person"),
}
EVENT_WORDS = {
    "opened": mark("Report started"),
    "submitted": mark("Report sent"),
    "victims_code_queued": mark("Victims Code queued"),
    "victims_code_to_give": mark("Victims Code to be given by an officer"),
    "victims_code_declined": mark("The reporter did not want the Victims Code"),
    "taken_another_way": mark("Report taken by an officer"),
    "victims_code_sent": mark("Victims Code sent"),
    "victims_code_delivered": mark("Victims Code delivered"),
    "further_information": mark("Further information from the reporter"),
    "reporter_message": mark("Message from the reporter"),
    "reply_read": mark("Reporter's message marked as read"),
    "danger_signalled": mark("Danger signalled"),
    "conversation_ended": mark("Conversation ended"),
    "conversation_resumed": mark("The reporter carried on the report after stopping"),
    "language_changed": mark("Language changed"),
    "files_refused": mark("Files not kept"),
    "team_notified": mark("Team notified"),
    "assigned": mark("Assigned"),
    "risk_reviewed": mark("Risk reviewed"),
    "contact": mark("Contact"),
    "note": mark("Note"),
    "action_added": mark("Action added to the plan"),
    "action_updated": mark("Action updated"),
    "plan_agreed": mark("Action plan agreed"),
    "disclosure": mark("Referral or disclosure"),
    "review_requested": mark("Case review requested"),
    "closed": mark("Case closed"),
    "reopened": mark("Case reopened"),
    "linked": mark("Linked to another case"),
    "linked_from": mark("A later report was linked to this case"),
    "message_to_reporter": mark("Message to the reporter"),
    "message_outcome": mark("What a message to the reporter came to"),
    "survey_sent": mark("Satisfaction survey sent"),
    "survey_reminded": mark("Satisfaction survey reminder sent"),
    "survey_answer": mark("Satisfaction survey answer"),
    "survey_comment": mark("Satisfaction survey comment"),
    "survey_ended": mark("Satisfaction survey ended"),
    "survey_not_sent": mark("Satisfaction survey not sent"),
}
SURVEY_QUESTION_WORDS = {"outcome": mark("The outcome: %(answer)s"), "handling": mark("The handling: %(answer)s")}
SURVEY_END_WORDS = {
    "done": mark("Every question answered"),
    "declined": mark("They did not want to answer"),
    "stopped": mark("They sent STOP"),
    "exited": mark("They left with the quick exit"),
    "new_report": mark("They started a new report"),
}

AUDIT_WORDS = {
    "signed_in": mark("Signed in"),
    "sign_in_failed": mark("Sign-in failed"),
    "signed_out": mark("Signed out"),
    "locked_out": mark("Locked out"),
    "enrolled": mark("Set up an authenticator"),
    "password_changed": mark("Changed their password"),
    "authenticator_reset": mark("Reset an authenticator"),
    "account_added": mark("Added an account"),
    "account_disabled": mark("Disabled an account"),
    "viewed_queue": mark("Viewed the queue"),
    "searched": mark("Searched cases"),
    "viewed_case": mark("Viewed a case"),
    "downloaded": mark("Downloaded an attachment"),
    "exported": mark("Exported a case"),
    "changed_case": mark("Changed a case"),
    "viewed_audit": mark("Viewed the audit log"),
    "viewed_reports": mark("Viewed the reports"),
    "viewed_accounts": mark("Viewed accounts"),
    "recorded_report": mark("Recorded a report"),
    "started_report": mark("Started recording a report"),
    "erased": mark("Erased a case"),
}


def contact_methods() -> dict[str, str]:
    return METHOD_WORDS


def labels(profile: Profile) -> dict[str, dict[str, str]]:
    """Every id the console shows, in words."""
    t, vocabulary, named = translator("en"), load_vocabulary(), words(profile)
    return {
        "strands": named["strands"],
        "incident_types": named["incident_types"],
        "action_kinds": named["action_kinds"],
        "outcomes": {o: t(vocabulary.outcomes[o]) for o in profile.outcomes},
        "exceptions": {e.id: t(vocabulary.disclosure_exceptions[e.id]) for e in profile.disclosure_exceptions},
        "recipients": {r.id: r.name for r in profile.referral_recipients},
        "risk": {k: t(v) for k, v in RISK_WORDS.items()},
        "work": {k: t(v) for k, v in WORK_WORDS.items()},
        "reporter": {k: t(v) for k, v in REPORTER_WORDS.items()},
        "channels": {k: t(v) for k, v in CHANNEL_WORDS.items()},
        "methods": {k: t(v) for k, v in METHOD_WORDS.items()},
        "contact_outcomes": {k: t(v) for k, v in OUTCOME_WORDS.items()},
        "action_statuses": {k: t(v) for k, v in ACTION_STATUS_WORDS.items()},
        "events": {k: t(v) for k, v in EVENT_WORDS.items()},
        "review_routes": {r.id: r.run_by for r in profile.case_review},
        "received": {k: t(v) for k, v in RECEIVED_WORDS.items()},
        "victims_code_by": {k: t(v) for k, v in VICTIMS_CODE_BY_WORDS.items()},
    }


def when(moment: datetime | None, profile: Profile) -> str:
    """A time as a case officer reads it, on the landlord's clock: "3 Dec 2026, 14:05"."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(profile.timezone))
    return f"{local.day} {local:%b %Y, %H:%M}"


@dataclass
class CaseView:
    """One case as the queue and the case page show it."""

    case: CaseRow
    profile: Profile
    now: datetime
    detail: bool = False

    @property
    def due(self) -> datetime | None:
        c = self.case
        return c.first_contact_due if c.first_contacted_at is None else c.next_contact_due

    @property
    def due_kind(self) -> str:
        return "first" if self.case.first_contacted_at is None else "next"

    @property
    def overdue(self) -> bool:
        return self.case.work_status != "closed" and self.due is not None and self.due < self.now

    def overdue_words(self) -> str:
        t = translator("en")
        if not self.overdue:
            return ""
        return t("First contact overdue") if self.due_kind == "first" else t("Next contact overdue")

    def due_words(self) -> str:
        t = translator("en")
        if self.case.work_status == "closed" or self.due is None:
            return ""
        label = t("First contact due") if self.due_kind == "first" else t("Next contact due")
        return f"{label}: {when(self.due, self.profile)}"

    @property
    def interpreter(self) -> bool:
        return not self.case.language.startswith("en")

    def language_name(self) -> str:
        return native_name(self.case.language)

    def summary(self) -> list[dict[str, str]]:
        """Each answer, in the flow's order, in English for the officer: options in words, text in full."""
        t, vocabulary, rows = translator("en"), load_vocabulary(), []
        for question in load_flow().questions:
            answer = self.case.answers.get(question.id)
            if answer is None:
                continue
            label = t(question.summary_label, org=self.profile.name, org_short=self.profile.short_name)
            rows.append({"id": question.id, "label": label, "value": _shown(question, answer, vocabulary, t, self.profile)})
        return rows

    def risk_reasons(self) -> list[str]:
        """Why the intake assessment gave its level, in the words the reporter chose them by (not the factor ids)."""
        return [risk_reason_words(reason, self.profile) for reason in self.case.risk_reasons]

    def timeline(self) -> list[dict[str, Any]]:
        """Every event, newest first, with who and when."""
        items = []
        for event in sorted(self.case.events, key=lambda e: (e.at, e.id), reverse=True):
            items.append(
                {
                    "kind": event.kind,
                    "at": when(event.at, self.profile),
                    "at_iso": event.at.isoformat(),
                    "who": event.actor.name if event.actor else "",
                    "data": event.data,
                }
            )
        return items


def risk_reason_words(reason: str, profile: Profile) -> str:
    """One risk factor in words: the answer that raised it ("They live nearby"), or the danger the words signalled."""
    t, flow = translator("en"), load_flow()
    factor = next((f for f in load_matrix().factors if f.id == reason), None)
    when_ = factor.when if factor else None
    if when_ is None:
        return reason
    if when_.signal:
        return t(EVENT_WORDS["danger_signalled"])
    if not when_.question or not flow.has(when_.question):
        return reason
    question = flow.question(when_.question)
    if when_.option:
        option = next((o for o in question.options if o.id == when_.option), None)
        return t(_plain(option.label), org=profile.name, org_short=profile.short_name) if option else reason
    label = t(question.summary_label, org=profile.name, org_short=profile.short_name)
    return f"{label}: {_shown(question, {'value': when_.equals}, load_vocabulary(), t, profile)}"


def _plain(text: Any) -> str:
    # A variant list's words depend on the reporter's door and answers; the first is the general one.
    return text if isinstance(text, str) else text[-1].text


def _shown(question: Any, answer: dict[str, Any], vocabulary: Any, t: Any, profile: Profile) -> str:
    if answer.get("skipped"):
        return t("Skipped")
    value = answer.get("value")
    if value is None:
        raw = answer.get("raw") or ""
        return t("Not understood: %(raw)s", raw=raw) if raw else t("Not answered")
    if question.kind == "yesno":
        words = {"yes": t("Yes"), "no": t("No")}
    elif question.options_from:
        words = {k: t(v) for k, v in getattr(vocabulary, question.options_from).items()}
    else:
        words = {o.id: t(_plain(o.label), org=profile.name, org_short=profile.short_name) for o in question.options}
    if isinstance(value, list):
        return ", ".join(words.get(v, str(v)) for v in value)
    return words.get(value, str(value)) if isinstance(value, str) else str(value)


def event_lines(
    item: dict[str, Any], words: dict[str, dict[str, str]], profile: Profile, states: dict[int, str] | None = None
) -> list[str]:
    """What one timeline event says, line by line, in words; what someone wrote stays as written."""
    t, d, kind = translator("en"), item["data"], item["kind"]
    lines: list[str | None] = []
    if kind == "contact":
        happened = datetime.fromisoformat(d["happened_at"]) if d.get("happened_at") else None
        lines += [
            f"{words['methods'].get(d.get('method'), d.get('method'))}: {words['contact_outcomes'].get(d.get('outcome'), d.get('outcome'))}",
            t("With the victim") if d.get("with_whom") == "victim" else None,
            t("When: %(when)s", when=when(happened, profile)) if happened else None,
            d.get("note"),
        ]
    elif kind in ("note", "further_information"):
        lines.append(d.get("text"))
    elif kind == "reporter_message":
        lines.append(d.get("text") or t("Files only, no words"))
    elif kind == "risk_reviewed":
        lines += [
            t("From %(old)s to %(new)s", old=words["risk"].get(d.get("previous"), ""), new=words["risk"].get(d.get("level"), "")),
            d.get("reasons"),
        ]
    elif kind == "assigned":
        lines.append(t("To %(name)s", name=d.get("to_name", "")))
    elif kind == "action_added":
        due = t("by %(day)s", day=d["due"]) if d.get("due") else None
        lines += [words["action_kinds"].get(d.get("action_kind"), d.get("action_kind")), d.get("what"), d.get("who"), due]
    elif kind == "action_updated":
        lines.append(
            f"{words['action_kinds'].get(d.get('action_kind'), '')}: {words['action_statuses'].get(d.get('status'), '')}"
        )
    elif kind == "plan_agreed":
        lines.append(t("Agreed on %(day)s", day=d.get("agreed_on", "")))
    elif kind == "disclosure":
        lines += [t("To %(name)s", name=d.get("recipient_name", "")), d.get("shared"), d.get("purpose"), basis_words(d, words)]
    elif kind == "review_requested":
        lines += [words["review_routes"].get(d.get("route"), d.get("route")), d.get("note")]
    elif kind == "closed":
        lines += [words["outcomes"].get(d.get("outcome"), d.get("outcome")), d.get("note")]
    elif kind == "reopened":
        lines.append(d.get("reason"))
    elif kind == "linked":
        lines.append(t("To %(reference)s", reference=d.get("to", "")))
    elif kind == "linked_from":
        lines.append(t("From %(reference)s", reference=d.get("reference", "")))
    elif kind == "taken_another_way":
        received = datetime.fromisoformat(d["received_at"]) if d.get("received_at") else None
        lines += [words["received"].get(d.get("how"), d.get("how")), t("Received: %(when)s", when=when(received, profile))]
    elif kind == "victims_code_sent" and d.get("via") in words["victims_code_by"]:
        lines.append(words["victims_code_by"][d["via"]])
    elif kind == "danger_signalled":
        lines.append(t("The reporter's words signalled immediate danger; the 999 advice was given first."))
    elif kind == "conversation_ended":
        lines.append(d.get("reason"))
    elif kind == "message_to_reporter":
        free = d.get("template") == "free_text"
        lines += [
            (states or {}).get(d.get("outbox_id"), ""),
            t("Your own words (not translated)") if free else None,
            d.get("text"),
        ]
    elif kind == "message_outcome":
        lines.append(words["contact_outcomes"].get(d.get("outcome"), d.get("outcome")))
    elif kind == "survey_answer" and d.get("question") in SURVEY_QUESTION_WORDS:
        answer = t(SCALE_WORDS[d["answer"]]) if d.get("answer") in SCALE_WORDS else d.get("answer", "")
        lines.append(t(SURVEY_QUESTION_WORDS[d["question"]], answer=answer))
    elif kind == "survey_comment":
        lines.append(d.get("text") or t("Skipped"))
    elif kind == "survey_ended":
        lines.append(t(SURVEY_END_WORDS[d["reason"]]) if d.get("reason") in SURVEY_END_WORDS else d.get("reason"))
    elif kind == "survey_not_sent":
        lines.append(t(d["reason"]) if d.get("reason") else None)
    return [line for line in lines if line]


def basis_words(d: dict[str, Any], words: dict[str, dict[str, str]]) -> str:
    t = translator("en")
    if d.get("basis") == "consent":
        if d.get("consent_source") == "now":
            return t("Basis: consent given now (%(how)s)", how=d.get("consent_how", ""))
        return t("Basis: consent given in the report")
    return t("Basis: %(exception)s. Reason: %(reason)s", exception=words["exceptions"].get(d.get("exception"), d.get("exception", "")),
             reason=d.get("reason", ""))  # fmt: skip


def reachability(case: CaseRow) -> tuple[bool, str]:
    """Whether anyone can be contacted on this case, and if not, why not, in words."""
    t, contact = translator("en"), case.contact or {}
    if contact.get("address") or contact.get("other") or contact.get("victim"):
        return True, ""
    if case.anonymous:
        return False, t("The reporter chose to stay anonymous, so there is no way to contact them. Record a contact they start.")
    if case.anonymous is None:
        return False, t("The reporter did not say who they are or how to reach them. Record a contact they start.")
    return False, t("The reporter gave no way to contact them. Record a contact they start.")

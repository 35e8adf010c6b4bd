"""Exports and staff notices show the report's words only with personal details replaced; raw words stay in answers."""

from __future__ import annotations

import json

from sqlalchemy import select

from intake import cases
from intake.notify import CaseNotice, compose_case_email
from intake.store.models import CaseRow, OutboxRow
from tests.harness import ANONYMOUS_VICTIM, FIXED_NOW, PipelineChat

PHONE, EMAIL, POSTCODE = "07700 900123", "sam.patel@example.org", "MK9 3EJ"
DESCRIPTION = f"They keep ringing me on {PHONE} and emailing {EMAIL}, and wrote on my door at {POSTCODE}"
MORE = f"He rang again from {PHONE}"


ANSWERS = {**ANONYMOUS_VICTIM, "description": DESCRIPTION, "confirm_suggested": "no", "incident_types": ["graffiti"]}


def reported(intake) -> PipelineChat:
    """An anonymous victim who has said what happened and when (the postcode in it said where), and is asked why."""
    chat = PipelineChat(intake, address="+447700900999")
    chat.report(ANSWERS, until="motivation", at=FIXED_NOW)
    return chat


def test_a_case_export_shows_the_description_redacted_and_keeps_the_words_only_in_its_answers(intake):
    reported(intake)
    with intake.store.transaction() as session:
        case = session.scalars(select(CaseRow)).one()
        shown = cases.case_json(case, detail=True)
        listed = cases.case_json(case)

    assert shown["answers"]["description"]["value"] == DESCRIPTION  # for the case officer, as said
    assert shown["description"] == "They keep ringing me on [phone] and emailing [email], and wrote on my door at [postcode]"
    outside_answers = json.dumps({k: v for k, v in shown.items() if k != "answers"})
    assert PHONE not in outside_answers and EMAIL not in outside_answers
    assert not {"answers", "description"} & set(listed) and PHONE not in json.dumps(listed)


def test_more_words_sent_after_submission_are_redacted_in_the_exported_timeline(intake):
    chat = reported(intake)
    chat.report(ANSWERS, at=FIXED_NOW)  # on to the end: sent
    chat.send(MORE, at=FIXED_NOW)
    with intake.store.transaction() as session:
        case = session.scalars(select(CaseRow)).one()
        assert case.status == "submitted"
        shown = cases.case_json(case, detail=True)

    [more] = [e for e in shown["timeline"] if e["kind"] == "reporter_message"]
    assert more["text"] == "He rang again from [phone]"


def test_the_team_email_never_carries_the_reports_words(intake):
    reported(intake)
    with intake.store.transaction() as session:
        [notice] = [o for o in session.scalars(select(OutboxRow)) if o.purpose == "team_notice"]
        payload = dict(notice.payload)

    email = compose_case_email(CaseNotice.from_payload(payload), "team@example.org", "intake@example.org")
    sent = email.as_string() + json.dumps(payload)
    for words in (PHONE, EMAIL, POSTCODE, "ringing", "wrote on my door", "[phone]"):
        assert words not in sent

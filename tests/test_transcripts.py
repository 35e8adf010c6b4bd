"""Whole conversations through the pipeline on a real SQLite file, compared with golden transcripts in tests/data/transcripts.

Each script below is what one reporter sends; its golden file is everything they got
back, the events on the case, the case itself and the outbox rows the conversation left,
and where the conversation ended up. After a change to the flow or its wording, run
`pytest tests/test_transcripts.py --update-golden` and read the diff of the JSON files as
a reporter (and a case officer) would before committing it.

A script's step is either words sent as they are (a first message, a keyword) or
(question id, words): the words answer that question, and any question the flow asks
before it is skipped, so a new optional question shows up in the transcripts as one
skip, never as answers shifted onto the wrong questions.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from intake import cases
from intake.pipeline import Intake
from intake.store import migrate
from intake.store.db import Store
from intake.store.models import CaseRow, ConversationRow, OutboxRow
from tests.harness import DOORS, FIXED_NOW, PipelineChat, asked, suite_keys

GOLDEN_DIR = Path(__file__).parent / "data" / "transcripts"
Step = str | tuple[str, str]


@dataclass(frozen=True)
class Script:
    org: str
    channel: str
    description: str
    inputs: tuple[Step, ...]
    language: str = "en"


# Answers a victim on SMS gives from "When" to the summary, reused by scripts that are about something else.
AFTER_THE_DESCRIPTION: tuple[Step, ...] = (
    ("when", "last night"),
    ("where", "Outside Saxon Court, Central Milton Keynes"),
    ("motivation", "1"),  # race
    ("incident_types", "1 2"),  # verbal abuse, threats
    ("perpetrator", "A man from the flats opposite, about 40, with a grey van"),
    ("risk_incident", "1 3"),  # threats or violence, lives nearby
    ("risk_impact", "2"),  # worried it will get worse
)
# An anonymous victim on SMS, from the first message to the summary.
ANONYMOUS_VICTIM: tuple[Step, ...] = (
    "hello",
    ("danger_now", "2"),  # no
    ("role", "1"),  # myself
    ("identity", "3"),  # stay anonymous (SMS offers here / other / anonymous)
    ("scope", "1"),  # yes
    ("description", "They shouted abuse at me and wrote on my door"),
    ("confirm_suggested", "1"),  # yes to what was read from it (verbal abuse, graffiti)
    ("when", "last night"),
    ("where", "Saxon Gate, MK9 3EJ"),
    ("motivation", "1"),  # race
    ("perpetrator", "A man from the next block"),
    ("risk_incident", "1 3"),
    ("risk_impact", "2"),
    ("consent", "1"),
)

SCRIPTS: dict[str, Script] = {
    "victim_named_sms": Script(
        org="mkcc",
        channel="sms",
        description="A victim on SMS who gives their name, is contacted on this number and asks for help.",
        inputs=(
            "Hi I need to report something",
            ("danger_now", "2"),  # no
            ("role", "1"),  # myself
            ("identity", "1"),  # give my name, contact me on this number
            ("name", "Amina Hussain"),
            ("scope", "1"),  # yes, a council home
            (
                "description",
                "My neighbour shouted racist abuse at me and my children on the stairs and said we should go back where we came from",
            ),
            ("confirm_suggested", "1"),  # yes to what was read from it (race, verbal abuse): neither question is asked
            ("when", "last night"),
            ("where", "Outside Saxon Court, Central Milton Keynes"),
            ("perpetrator", "A man from the flats opposite, about 40, with a grey van"),
            ("risk_incident", "1 3"),  # threats or violence, lives nearby
            ("risk_impact", "2"),  # worried it will get worse
            ("support", "1 2"),  # action plan, support referral
            ("consent", "1"),  # yes, share it
            ("contact_safety", "2"),  # daytime only
            ("summary", "SEND"),
        ),
    ),
    "witness_web": Script(
        org="mkcc",
        channel="web",
        description="A witness on the web form who gives their name and an email address, and is not sure it involves a council home.",
        inputs=(
            "",  # the web page opens the chat with no text
            ("danger_now", "no"),
            ("role", "2"),  # I saw it happen to someone else
            ("identity", "1"),  # give my name and contact details
            ("name", "Peter Green"),
            ("contact_other", "peter.green@example.org"),
            ("scope", "3"),  # not sure
            ("description", "I saw two teenagers spit at a woman in a headscarf at the bus stop on Midsummer Boulevard, MK9 3BN"),
            ("confirm_suggested", "no"),  # to what was read from it (religion): the questions are asked, and their answers stand
            ("when", "yesterday"),  # where was filled from the postcode in the description
            ("motivation", "2"),  # religion
            ("incident_types", "verbal abuse"),  # in words
            ("perpetrator", "Two boys, about 15, school uniform"),
            ("risk_incident", "none"),
            ("risk_impact", "none"),
            ("support", "none"),  # none for now
            ("consent", "ask me first"),  # in words
            ("contact_safety", "none"),  # any time is fine
            ("summary", "send"),
        ),
    ),
    "third_party_support_worker_web": Script(
        org="wchg",
        channel="web",
        description="A support worker reporting for a tenant who knows and agrees, with the tenant's contact details.",
        inputs=(
            "",
            ("danger_now", "2"),  # no
            ("role", "3"),  # reporting for someone else
            ("relationship", "3"),  # support worker or carer
            ("agency_name", "Manchester Mind"),
            ("victim_consent", "1"),  # yes, and they agree
            ("victim_contact", "Mr Daniel Okafor, 07700 900456, best after 2pm"),
            ("identity", "1"),  # give my name and contact details
            ("name", "Sarah Jones"),
            ("contact_other", "0161 496 0000, or sarah.jones@example.org"),
            ("scope", "1"),  # yes
            (
                "description",
                "My client is a wheelchair user. Kids on the estate keep mocking him and throwing eggs at his window.",
            ),
            ("confirm_suggested", "1"),  # yes to what was read from it (disability; ridicule, throwing)
            ("when", "3 weeks ago, and again last Friday"),
            ("where", "Hollyhedge Road, M22 4QN"),
            ("perpetrator", "A group of about five teenagers, they hang around by the shops"),
            ("risk_incident", "4 5"),  # happened before, still going on
            ("risk_impact", "5 7"),  # disability, lives alone
            ("support", "2"),  # support referral
            ("consent", "1"),  # yes
            ("contact_safety", "1"),  # no voicemails
            ("summary", "send"),
        ),
    ),
    "anonymous_sms": Script(
        org="wchg",
        channel="sms",
        description="A victim on SMS who stays anonymous: WCHG points them to Crimestoppers, and asks no contact questions.",
        inputs=(
            "hello",
            ("danger_now", "2"),  # no
            ("role", "1"),  # myself
            ("identity", "3"),  # stay anonymous
            ("scope", "1"),  # yes
            ("description", "Someone wrote homophobic graffiti on my front door"),
            ("confirm_suggested", "yes"),  # to what was read from it (sexual orientation, graffiti)
            ("when", "this morning"),
            ("where", "M22 5RX"),
            ("perpetrator", "I don't know"),
            ("risk_incident", "7"),  # none of these
            ("risk_impact", "1"),  # unsafe at home
            ("consent", "3"),  # only when you must
            ("summary", "send"),
        ),
    ),
    "immediate_danger": Script(
        org="mkcc",
        channel="sms",
        description="A reporter whose first message says someone is at the door with a knife, who says yes to danger now, then carries on.",
        inputs=(
            "Please help he is outside my door with a knife",
            ("danger_now", "yes"),
            ("role", "1"),  # myself
            ("identity", "3"),  # stay anonymous
            ("scope", "1"),  # yes
            ("description", "My neighbour is outside my flat shouting he will stab me because I am gay"),
            ("confirm_suggested", "2"),  # no to what was read from it: the reporter picks more incident types themselves
            ("when", "now"),
            ("where", "skip"),
            ("motivation", "3"),  # sexual orientation
            ("incident_types", "2 3"),  # threats, physical attack
            ("perpetrator", "skip"),
            ("risk_incident", "1 2 3 5"),
            ("risk_impact", "1"),
            ("consent", "1"),
            ("summary", "send"),
        ),
    ),
    "abandoned_after_description": Script(
        org="mkcc",
        channel="sms",
        description="A reporter who stops answering after saying what happened: the case is open, the chat still waiting.",
        inputs=(
            "hi",
            ("danger_now", "2"),  # no
            ("role", "1"),  # myself
            ("identity", "3"),  # stay anonymous
            ("scope", "1"),  # yes
            ("description", "People from the next block keep calling me names because I am Polish"),
        ),
    ),
    "abandoned_after_description_then_exit": Script(
        org="mkcc",
        channel="sms",
        description="A reporter who leaves at once with EXIT after saying what happened.",
        inputs=(
            "hi",
            ("danger_now", "2"),  # no
            ("role", "1"),  # myself
            ("identity", "3"),  # stay anonymous
            ("scope", "1"),  # yes
            ("description", "People from the next block keep calling me names because I am Polish"),
            "EXIT",
        ),
    ),
    "stop_and_help": Script(
        org="mkcc",
        channel="telegram",
        description="A reporter on Telegram who asks for help, goes back, skips, opens the language menu, asks for status, then stops.",
        inputs=(
            "/start",  # Telegram's start button
            "help",
            ("danger_now", "2"),  # no
            ("role", "2"),  # witness (a mistake)
            "back",
            ("role", "1"),  # myself
            ("identity", "skip"),  # not said: neither named nor anonymous
            "language",
            ("language", "1"),  # English
            "status",  # before a case
            ("scope", "1"),  # yes
            ("description", "They threw a brick through my window"),
            "STATUS",  # after the case opened
            "Stop",
        ),
    ),
    "stop_then_start_carries_on": Script(
        org="mkcc",
        channel="sms",
        description="A victim on SMS who sends STOP after the description, writes again, then sends START and carries on the report.",
        inputs=(
            "hello",
            ("danger_now", "2"),  # no
            ("role", "1"),  # myself
            ("identity", "3"),  # stay anonymous
            ("scope", "1"),  # yes
            ("description", "The man upstairs shouted racist abuse at me on the stairs"),
            ("confirm_suggested", "1"),  # yes
            "STOP",
            "hello?",  # after STOP nothing is sent, not even to this
            "START",
            ("resume_stopped", "1"),  # yes, carry on
            *AFTER_THE_DESCRIPTION[:2],
            ("consent", "1"),
            ("summary", "SEND"),
        ),
    ),
    "summary_change": Script(
        org="mkcc",
        channel="sms",
        description="An anonymous victim who reaches the summary, changes when it happened and their mind about anonymity, then sends.",
        inputs=(
            *ANONYMOUS_VICTIM,  # to the summary
            ("summary", "7"),  # change "When"
            ("when", "on Sunday"),
            ("summary", "4"),  # change "Name or anonymous"
            ("identity", "1"),  # give my name, contact me on this number
            ("name", "Amina"),  # now asked
            ("support", "2"),  # now asked
            ("contact_safety", "4"),  # now asked
            ("summary", "send"),
        ),
    ),
    "further_information_after_submission": Script(
        org="mkcc",
        channel="sms",
        description="A reporter who sends more after the report is in, asks for its status, then starts a new report.",
        inputs=(
            "hello",
            ("danger_now", "2"),
            ("role", "1"),
            ("identity", "3"),
            ("scope", "1"),  # no danger, myself, anonymous, a council home
            ("description", "They shouted abuse at me and wrote on my door"),
            ("confirm_suggested", "no"),  # to what was read from it
            *AFTER_THE_DESCRIPTION,
            ("consent", "1"),
            ("summary", "send"),
            "They came back this morning and did it again",
            "status",
            "",  # an empty message (a photo the door could not keep, say)
            "NEW",
        ),
    ),
}

# The chat id a Telegram reporter is written back to through the outbox.
CHAT_ID = "5123456789"


def _reply(reply: Any) -> dict[str, Any]:
    return {
        "kind": reply.kind,
        "question_id": reply.question_id,
        "text": reply.text,
        "options": [[o.id, o.label] for o in reply.options],
    }


def _message_summary(message: dict[str, Any]) -> dict[str, Any]:
    question = message.get("question") or {}
    return {"kind": message.get("kind"), "question_id": question.get("id")}


def _outbox_row(row: OutboxRow) -> dict[str, Any]:
    payload = dict(row.payload)
    if "messages" in payload:
        # The words are in the turns above; here only what was queued, in order.
        payload["messages"] = [_message_summary(m) for m in payload["messages"]]
    return {"purpose": row.purpose, "channel": row.channel, "recipient": row.recipient, "status": row.status, "payload": payload}


def play(script: Script, store: Store, profiles: dict) -> dict[str, Any]:
    """Send every step of a script through the pipeline and record the conversation, its case and its outbox."""
    intake = Intake(store=store, profiles=profiles, public_url="https://report.example.org", team_emails={}, doors=DOORS,
                    references=lambda prefix: f"{prefix}-ABCDEF")  # fmt: skip
    telegram = script.channel == "telegram"
    chat = PipelineChat(intake, org=script.org, channel=script.channel, sender="golden", address=CHAT_ID if telegram else None,
                        hint=script.language)  # fmt: skip
    minute = iter(range(10_000))
    turns: list[dict[str, Any]] = []

    def send(text: str) -> None:
        at = FIXED_NOW + timedelta(minutes=next(minute))
        replies = chat.message(text, at=at) if not telegram else _by_outbox(chat, text, at)
        turns.append({"in": text, "out": [_reply(r) for r in replies]})

    for step in script.inputs:
        if isinstance(step, str):
            send(step)
            continue
        question_id, text = step
        for _ in range(5):  # a question added to the flow since the script was written: skip it
            current = asked(chat.last)
            if current is None or current.id == question_id:
                break
            send("SKIP")
        assert asked(chat.last) and asked(chat.last).id == question_id, f"{question_id} was never asked"  # type: ignore[union-attr]
        send(text)
    return {
        "org": script.org,
        "channel": script.channel,
        "language": script.language,
        "description": script.description,
        "turns": turns,
        **_left_behind(store),
    }


def _by_outbox(chat: PipelineChat, text: str, at) -> list:  # type: ignore[no-untyped-def]
    from intake.messages import InboundMessage
    from intake.pipeline import handle

    inbound = InboundMessage(org=chat.org, channel=chat.channel, sender_key=chat.sender, text=text, received_at=at,
                             provider_id=f"golden-{at.isoformat()}", reply_address=chat.address,
                             locale_hint=chat.hint)  # fmt: skip
    chat.last = handle(chat.intake, inbound, reply_by_outbox=True)
    return chat.last


def _left_behind(store: Store) -> dict[str, Any]:
    with store.transaction() as session:
        conversations = session.scalars(select(ConversationRow).order_by(ConversationRow.id)).all()
        found = session.scalars(select(CaseRow).order_by(CaseRow.id)).all()
        return {
            "conversations": [
                {"status": c.status, "answers": c.state["answers"], "case_reference": c.state["case_reference"]}
                for c in conversations
            ],
            "cases": [cases.case_json(c, detail=True) for c in found],
            "outbox": [_outbox_row(r) for r in session.scalars(select(OutboxRow).order_by(OutboxRow.id))],
        }


def render(transcript: dict[str, Any]) -> str:
    # Non-ASCII stays readable and keys stay in the order written, so a diff reads like the chat.
    return json.dumps(transcript, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_the_transcript_matches_its_golden_file(name, profiles, request, tmp_path):
    path = GOLDEN_DIR / f"{name}.json"
    store = Store(f"sqlite:///{tmp_path / 'golden.db'}", keys=suite_keys())
    migrate.upgrade(store.engine)
    try:
        actual = render(play(SCRIPTS[name], store, profiles))
    finally:
        store.dispose()
    if request.config.getoption("--update-golden"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"{path} is missing: run pytest {__file__} --update-golden and review it")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(True), actual.splitlines(True), f"{name}.json (golden)", f"{name}.json (now)"
            )
        )
        pytest.fail(f"the conversation changed; if that is intended, run with --update-golden and review:\n{diff}", pytrace=False)


def test_every_golden_file_has_a_script():
    orphans = {p.stem for p in GOLDEN_DIR.glob("*.json")} - set(SCRIPTS)
    assert not orphans, f"golden transcripts with no script (delete them?): {sorted(orphans)}"

"""Whole conversations through the pure engine, compared with golden transcripts in tests/data/transcripts.

Each script below is what one reporter sends; its golden file is everything they got
back, the events the engine emitted and where the conversation ended up. After a change
to the flow or its wording, run `pytest tests/test_transcripts.py --update-golden` and
read the diff of the JSON files as a reporter would before committing it.

The scripts live here rather than in the JSON files so that each answer can carry a
comment saying which option it picks; the golden file repeats every input, so a change
to a script shows up in the diff too.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.harness import ANONYMOUS_VICTIM, EngineChat

GOLDEN_DIR = Path(__file__).parent / "data" / "transcripts"


@dataclass(frozen=True)
class Script:
    org: str
    channel: str
    description: str
    inputs: tuple[str, ...]
    language: str = "en"

    @property
    def reference(self) -> str:
        return {"mkcc": "MK-ABCDEF", "wchg": "WC-ABCDEF"}[self.org]


# Answers a victim on SMS gives from "When" to the summary, reused by scripts that are about something else.
AFTER_THE_DESCRIPTION = (
    "last night",
    "Outside Saxon Court, Central Milton Keynes",
    "1",  # motivation: race
    "1 2",  # incident types: verbal abuse, threats
    "A man from the flats opposite, about 40, with a grey van",
    "1 3",  # risk_incident: threats or violence, lives nearby
    "2",  # risk_impact: worried it will get worse
)

SCRIPTS: dict[str, Script] = {
    "victim_named_sms": Script(
        org="mkcc",
        channel="sms",
        description="A victim on SMS who gives their name, is contacted on this number and asks for help.",
        inputs=(
            "Hi I need to report something",
            "2",  # danger_now: no
            "1",  # role: myself
            "1",  # identity: give my name, contact me on this number
            "Amina Hussain",
            "1",  # scope: yes, a council home
            "My neighbour shouted racist abuse at me and my children on the stairs and said we should go back where we came from",
            "1",  # yes to what was read from it (race, verbal abuse): neither question is asked
            "last night",
            "Outside Saxon Court, Central Milton Keynes",
            "A man from the flats opposite, about 40, with a grey van",
            "1 3",  # risk_incident: threats or violence, lives nearby
            "2",  # risk_impact: worried it will get worse
            "1 2",  # support: action plan, support referral
            "1",  # consent: yes, share it
            "2",  # contact_safety: daytime only
            "SEND",
        ),
    ),
    "witness_web": Script(
        org="mkcc",
        channel="web",
        description="A witness on the web form who gives their name and an email address, and is not sure it involves a council home.",
        inputs=(
            "",  # the web page opens the chat with no text
            "no",  # danger_now
            "2",  # role: I saw it happen to someone else
            "1",  # identity: give my name and contact details
            "Peter Green",
            "peter.green@example.org",
            "3",  # scope: not sure
            "I saw two teenagers spit at a woman in a headscarf at the bus stop on Midsummer Boulevard, MK9 3BN",
            "no",  # to what was read from it (religion): the questions are asked, and their answers stand
            "yesterday",  # where was filled from the postcode in the description
            "2",  # motivation: religion
            "verbal abuse",  # incident type, in words
            "Two boys, about 15, school uniform",
            "none",  # risk_incident
            "none",  # risk_impact
            "none",  # support: none for now
            "ask me first",  # consent, in words
            "none",  # contact_safety: any time is fine
            "send",
        ),
    ),
    "third_party_support_worker_web": Script(
        org="wchg",
        channel="web",
        description="A support worker reporting for a tenant who knows and agrees, with the tenant's contact details.",
        inputs=(
            "",
            "2",  # danger_now: no
            "3",  # role: reporting for someone else
            "3",  # relationship: support worker or carer
            "Manchester Mind",  # agency_name
            "1",  # victim_consent: yes, and they agree
            "Mr Daniel Okafor, 07700 900456, best after 2pm",  # victim_contact
            "1",  # identity: give my name and contact details
            "Sarah Jones",
            "0161 496 0000, or sarah.jones@example.org",
            "1",  # scope: yes
            "My client is a wheelchair user. Kids on the estate keep mocking him and throwing eggs at his window.",
            "1",  # yes to what was read from it (disability; ridicule, throwing)
            "3 weeks ago, and again last Friday",
            "Hollyhedge Road, M22 4QN",
            "A group of about five teenagers, they hang around by the shops",
            "4 5",  # risk_incident: happened before, still going on
            "5 7",  # risk_impact: disability, lives alone
            "2",  # support: support referral
            "1",  # consent: yes
            "1",  # contact_safety: no voicemails
            "send",
        ),
    ),
    "anonymous_sms": Script(
        org="wchg",
        channel="sms",
        description="A victim on SMS who stays anonymous: WCHG points them to Crimestoppers, and asks no contact questions.",
        inputs=(
            "hello",
            "2",  # danger_now: no
            "1",  # role: myself
            "3",  # identity: stay anonymous
            "1",  # scope: yes
            "Someone wrote homophobic graffiti on my front door",
            "yes",  # to what was read from it (sexual orientation, graffiti)
            "this morning",
            "M22 5RX",
            "I don't know",
            "7",  # risk_incident: none of these
            "1",  # risk_impact: unsafe at home
            "3",  # consent: only when you must
            "send",
        ),
    ),
    "immediate_danger": Script(
        org="mkcc",
        channel="sms",
        description="A reporter whose first message says someone is at the door with a knife, who says yes to danger now, then carries on.",
        inputs=(
            "Please help he is outside my door with a knife",
            "yes",  # danger_now
            "1",  # role: myself
            "3",  # identity: stay anonymous
            "1",  # scope: yes
            "My neighbour is outside my flat shouting he will stab me because I am gay",
            "2",  # no to what was read from it: the reporter picks more incident types themselves
            "now",  # when
            "skip",  # where
            "3",  # motivation: sexual orientation
            "2 3",  # incident types: threats, physical attack
            "skip",  # perpetrator
            "1 2 3 5",  # risk_incident
            "1",  # risk_impact
            "1",  # consent
            "send",
        ),
    ),
    "abandoned_after_description": Script(
        org="mkcc",
        channel="sms",
        description="A reporter who stops answering after saying what happened: the case is open, the chat still waiting.",
        inputs=(
            "hi",
            "2",  # danger_now: no
            "1",  # role: myself
            "3",  # identity: stay anonymous
            "1",  # scope: yes
            "People from the next block keep calling me names because I am Polish",
        ),
    ),
    "abandoned_after_description_then_exit": Script(
        org="mkcc",
        channel="sms",
        description="A reporter who leaves at once with EXIT after saying what happened.",
        inputs=(
            "hi",
            "2",  # danger_now: no
            "1",  # role: myself
            "3",  # identity: stay anonymous
            "1",  # scope: yes
            "People from the next block keep calling me names because I am Polish",
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
            "2",  # danger_now: no
            "2",  # role: witness (a mistake)
            "back",
            "1",  # role: myself
            "skip",  # identity
            "language",
            "1",  # English
            "status",  # before a case
            "1",  # scope: yes
            "They threw a brick through my window",
            "STATUS",  # after the case opened
            "Stop",
        ),
    ),
    "summary_change": Script(
        org="mkcc",
        channel="sms",
        description="An anonymous victim who reaches the summary, changes when it happened and their mind about anonymity, then sends.",
        inputs=(
            *ANONYMOUS_VICTIM,  # to the summary
            "7",  # summary: change "When"
            "on Sunday",
            "4",  # summary: change "Name or anonymous"
            "1",  # give my name, contact me on this number
            "Amina",  # now asked: name
            "2",  # now asked: support
            "4",  # now asked: contact_safety
            "send",
        ),
    ),
    "further_information_after_submission": Script(
        org="mkcc",
        channel="sms",
        description="A reporter who sends more after the report is in, asks for its status, then starts a new report.",
        inputs=(
            "hello",
            "2",
            "1",
            "3",
            "1",  # no danger, myself, anonymous, a council home
            "They shouted abuse at me and wrote on my door",
            "no",  # to what was read from it
            *AFTER_THE_DESCRIPTION,
            "1",  # consent
            "send",
            "They came back this morning and did it again",
            "status",
            "",  # an empty message (a photo the door could not keep, say)
            "NEW",
        ),
    ),
}


def _reply(reply: Any) -> dict[str, Any]:
    return {
        "kind": reply.kind,
        "question_id": reply.question_id,
        "text": reply.text,
        "choices": [[c.value, c.label] for c in reply.choices],
    }


def play(script: Script, profiles: dict) -> dict[str, Any]:
    """Send every input of a script to the engine and record the whole conversation."""
    chat = EngineChat(profiles[script.org], channel=script.channel, language=script.language, reference=script.reference)
    turns = [{"in": text, "out": [_reply(r) for r in chat.send(text)]} for text in script.inputs]
    conversation = chat.conversation
    return {
        "org": script.org,
        "channel": script.channel,
        "language": script.language,
        "description": script.description,
        "turns": turns,
        "events": chat.event_types(),
        "final": {"status": conversation.status, "case_reference": conversation.case_reference, "answers": conversation.answers},
    }


def render(transcript: dict[str, Any]) -> str:
    # Non-ASCII stays readable and keys stay in the order written, so a diff reads like the chat.
    return json.dumps(transcript, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_the_transcript_matches_its_golden_file(name, profiles, request):
    path = GOLDEN_DIR / f"{name}.json"
    actual = render(play(SCRIPTS[name], profiles))
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

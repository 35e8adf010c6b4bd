"""A new question is a few lines of YAML: the flow takes it, every landlord on every door can ask it, and it can be skipped.

The whole suite answers by question id and skips what it does not know, so the same
few lines added to intake/flow/report.yaml (with their msgids in every catalog) change
no test but the golden transcripts, which --update-golden regenerates.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from channels import registry
from intake.conversation import SUMMARY
from intake.engine.wording import MESSAGE_PLACEHOLDERS
from intake.flow import FLOW_DIR, check, load_flow, load_keywords
from tests.harness import ANONYMOUS_VICTIM, EngineChat, asked

# Five lines, before the risk questions, with words every catalog already has.
NEW_QUESTION = """  - id: witnesses
    kind: text
    prompt: "Which organisation do you work for?"
    hint: "We record what you think, whatever it is."
    summary_label: "Your organisation"

"""


@pytest.fixture
def flow(tmp_path: Path):
    text = (FLOW_DIR / "report.yaml").read_text(encoding="utf-8")
    path = tmp_path / "report.yaml"
    path.write_text(text.replace("  - id: risk_incident\n", NEW_QUESTION + "  - id: risk_incident\n", 1), encoding="utf-8")
    return load_flow(path)


def test_a_new_question_is_taken_by_the_flow_and_checked_against_every_landlord_and_door(flow, profiles):
    assert flow.index("witnesses") == flow.index("risk_incident") - 1
    check.check(flow, profiles, registry.traits(registry.load_doors()).values(), load_keywords(), MESSAGE_PLACEHOLDERS)


def test_a_reporter_who_does_not_know_the_new_question_skips_it_and_sends_the_report(flow, profiles):
    chat = EngineChat(profiles["mkcc"], flow=flow)
    summary = asked(chat.report(ANONYMOUS_VICTIM, until=SUMMARY))
    assert chat.conversation.answers["witnesses"]["skipped"]
    assert "Your organisation: (skipped)" in [o.label for o in summary.options]
    chat.send("send")
    assert chat.conversation.status == "submitted"


def test_a_reporter_who_answers_the_new_question_has_it_on_the_summary(flow, profiles):
    chat = EngineChat(profiles["mkcc"], flow=flow)
    summary = asked(chat.report({**ANONYMOUS_VICTIM, "witnesses": "My neighbour saw it"}, until=SUMMARY))
    assert "Your organisation: My neighbour saw it" in [o.label for o in summary.options]

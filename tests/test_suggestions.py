"""What the description says is offered back in one yes/no step: yes saves questions, the reporter's words win."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intake.conversation import CONFIRM, SUMMARY
from intake.engine import question_view
from tests.harness import (
    ANONYMOUS_VICTIM,
    FIXED_NOW,
    EngineChat,
    PipelineChat,
    asked,
    engine_context,
    question_ids,
    typed,
    wanted,
)

# Answers for every question, by question: whatever the flow asks, in its order.
ANSWERS = {**ANONYMOUS_VICTIM, "where": "Saxon Gate", "incident_types": ["verbal_abuse"]}
NAMES_IT = "They shouted racist abuse at me and wrote on my door last night"
SAYS_NOTHING_OF_IT = "A man from the next block came round to my flat again"


@pytest.fixture
def mkcc(profiles):
    return profiles["mkcc"]


def to_the_summary(chat: PipelineChat, description: str) -> list[str]:
    """Walk through the pipeline to the summary, answering what is asked; the questions asked after the description."""
    chat.report(ANSWERS, until="description", at=FIXED_NOW)
    replies = chat.send(description, at=FIXED_NOW)
    seen = question_ids(replies)
    while seen[-1] != SUMMARY:
        question = asked(replies)
        replies = chat.send(typed(question, wanted(question, ANSWERS)), at=FIXED_NOW)
        seen += question_ids(replies)
    return seen[:-1]


def test_a_description_naming_the_motivation_and_type_asks_at_least_two_fewer_questions(intake):
    naming = to_the_summary(PipelineChat(intake, sender="names-it"), NAMES_IT)
    silent = to_the_summary(PipelineChat(intake, sender="says-nothing"), SAYS_NOTHING_OF_IT)

    assert CONFIRM not in silent  # nothing was read, so nothing is offered
    assert {"when", "motivation", "incident_types"} <= set(silent)
    assert CONFIRM in naming and not {"when", "motivation", "incident_types"} & set(naming)
    assert len(naming) <= len(silent) - 2


def confirming(mkcc, description: str = NAMES_IT) -> EngineChat:
    chat = EngineChat(mkcc)
    chat.report(ANSWERS, until="description")
    chat.send(description)
    assert chat.step == CONFIRM
    return chat


def test_the_step_names_what_was_read_in_the_reporters_language(mkcc):
    chat = EngineChat(mkcc, hint="pl")
    chat.report(ANSWERS, until="description", opening="")
    [step] = chat.send(NAMES_IT)[-1:]
    assert step.question_id == CONFIRM and [o.id for o in step.options] == ["yes", "no"]
    assert step.text.startswith("Z tego, co piszesz") and "last night" in step.text


def test_yes_keeps_what_was_read_with_the_date_it_means(mkcc):
    chat = confirming(mkcc)
    chat.send("yes")
    answers = chat.conversation.answers
    assert answers["motivation"]["value"] == ["race"] and answers["motivation"]["inferred"] is True
    assert answers["incident_types"]["value"] == ["verbal_abuse", "graffiti"]
    assert answers["when"]["date"] == (FIXED_NOW.date() - timedelta(days=1)).isoformat()
    assert chat.step == "where"


@pytest.mark.parametrize("reply", ["no", "2", "skip"], ids=["no", "its number", "SKIP"])
def test_declining_or_skipping_asks_the_questions_and_keeps_nothing_read(mkcc, reply):
    chat = confirming(mkcc)
    chat.send(reply)
    assert chat.step == "when"
    assert not {"when", "motivation", "incident_types"} & set(chat.conversation.answers)
    assert chat.conversation.suggested == {}


def test_what_the_reporter_already_said_is_never_overwritten_by_what_was_read(mkcc):
    chat = confirming(mkcc)
    chat.send("back")  # to the description, which is asked again
    assert chat.step == "description"
    chat.conversation.answers["motivation"] = {"value": ["religion"], "raw": "2", "skipped": False}
    chat.send(NAMES_IT)
    chat.send("yes")
    assert chat.conversation.answers["motivation"]["value"] == ["religion"]


def test_something_not_understood_is_asked_again_then_taken_as_no(mkcc):
    chat = confirming(mkcc)
    again = chat.send("maybe")[-1]
    assert again.question_id == CONFIRM and again.text.startswith("Sorry")
    chat.send("perhaps")
    assert chat.step == "when"


@pytest.mark.parametrize(
    "command, step",
    [("help", CONFIRM), ("status", CONFIRM), ("back", "description")],
    ids=["HELP asks it again", "STATUS asks it again", "BACK returns to the description"],
)
def test_commands_work_at_the_step_like_at_any_question(mkcc, command, step):
    chat = confirming(mkcc)
    chat.send(command)
    assert chat.step == step


def test_stop_at_the_step_ends_the_chat(mkcc):
    chat = confirming(mkcc)
    chat.send("stop")
    assert chat.conversation.status == "ended" and chat.conversation.ended_reason == "stopped"


def test_a_page_at_a_time_door_shows_the_step_as_a_yes_no_question(mkcc):
    chat = confirming(mkcc)
    view = question_view(chat.conversation, engine_context(mkcc, "web"))
    assert view is not None and view.id == CONFIRM and view.kind == "yesno"
    assert [o.id for o in view.options] == ["yes", "no"] and "Is that right?" in view.prompt

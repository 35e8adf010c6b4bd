"""Answers that name their question: the current one is answered, an answered one is changed, any other is stale."""

from __future__ import annotations

import pytest

from intake.conversation import SUMMARY
from intake.messages import Answer, Toggle
from tests.harness import ANONYMOUS_VICTIM, EngineChat, asked


@pytest.fixture
def chat(profiles):
    return EngineChat(profiles["mkcc"], channel="web")


def test_an_answer_to_the_current_question_is_recorded_under_it(chat):
    chat.send("")
    replies = chat.answer(Answer("danger_now", options=("no",)))
    assert chat.conversation.value("danger_now") == "no"
    assert asked(replies).id == "role"


def test_an_answer_to_a_question_not_yet_reached_is_recorded_nowhere_and_the_current_one_is_shown(chat):
    chat.send("")
    replies = chat.answer(Answer("identity", options=("anonymous",)))
    assert "identity" not in chat.conversation.answers
    assert replies[0].text.startswith("We did not save that answer")
    assert asked(replies).id == "danger_now"


def test_an_answer_to_a_question_that_no_longer_applies_is_recorded_nowhere(chat):
    chat.report(ANONYMOUS_VICTIM, until="scope")
    replies = chat.answer(Answer("name", text="Amina"))  # asked only of a named reporter
    assert "name" not in chat.conversation.answers
    assert asked(replies).id == "scope"


def test_an_answer_from_an_answered_questions_own_page_changes_it_and_the_flow_goes_on(chat):
    chat.report(ANONYMOUS_VICTIM, until="scope")
    replies = chat.answer(Answer("role", options=("witness",)))
    assert chat.conversation.value("role") == "witness"
    assert asked(replies).id == "scope"  # nothing new applies: back to where the report was


def test_a_change_that_makes_questions_relevant_asks_them_then_the_summary(chat):
    chat.report(ANONYMOUS_VICTIM, until=SUMMARY)
    replies = chat.answer(Answer("identity", options=("named_here",)))
    assert asked(replies).id == "name"
    chat.answer(Answer("name", text="Amina"))
    assert chat.step == "contact_other"


def test_two_answers_to_the_same_question_each_land_under_it(chat):
    """Two tabs on one question: the second answer changes the first, never answers the next question."""
    chat.report(ANONYMOUS_VICTIM, until="role")
    chat.answer(Answer("role", options=("victim",)))
    assert chat.step == "identity"
    chat.answer(Answer("role", options=("witness",)))
    assert chat.conversation.value("role") == "witness"
    assert "identity" not in chat.conversation.answers and chat.step == "identity"


def test_an_option_the_question_does_not_offer_is_not_understood(chat):
    chat.send("")
    replies = chat.answer(Answer("danger_now", options=("maybe",)))
    assert "danger_now" not in chat.conversation.answers
    assert asked(replies).problem


def test_a_button_value_is_never_read_as_a_keyword(chat):
    chat.report(ANONYMOUS_VICTIM, until="perpetrator")
    chat.answer(Answer("perpetrator", text="stop"))  # a free-text answer that happens to be a keyword
    assert chat.conversation.status == "active"
    assert chat.conversation.value("perpetrator") == "stop"


def test_a_skip_from_a_page_left_behind_does_not_skip_the_current_question(chat):
    chat.report(ANONYMOUS_VICTIM, until="identity")
    replies = chat.command("skip", question_id="danger_now")  # an answered question: the skip changes it
    assert chat.conversation.answers["danger_now"]["skipped"]
    assert "identity" not in chat.conversation.answers and asked(replies).id == "identity"
    stale = chat.command("skip", question_id="where")  # not reached: nothing happens
    assert "where" not in chat.conversation.answers and stale[0].text.startswith("We did not save")


def test_back_from_a_page_left_behind_is_stale(chat):
    chat.report(ANONYMOUS_VICTIM, until="identity")
    chat.command("back", question_id="danger_now")
    assert chat.step == "identity" and "role" in chat.conversation.answers


def test_ticks_live_in_the_conversation_until_done(profiles):
    chat = EngineChat(profiles["mkcc"], channel="telegram")
    chat.report(ANONYMOUS_VICTIM, until="risk_incident")
    chat.answer(Toggle("risk_incident", "weapon"))
    replies = chat.answer(Toggle("risk_incident", "ongoing"))
    assert replies[-1].kind == "ticks" and replies[-1].question.ticked == ("weapon", "ongoing")
    chat.answer(Toggle("risk_incident", "weapon"))
    assert chat.conversation.ticks["risk_incident"] == ["ongoing"]
    chat.answer(Answer("risk_incident", ticked=True))
    assert chat.conversation.value("risk_incident") == ["ongoing"]
    assert "risk_incident" not in chat.conversation.ticks


def test_ticking_none_of_these_stands_alone(profiles):
    chat = EngineChat(profiles["mkcc"], channel="telegram")
    chat.report(ANONYMOUS_VICTIM, until="risk_incident")
    chat.answer(Toggle("risk_incident", "weapon"))
    chat.answer(Toggle("risk_incident", "none"))
    assert chat.conversation.ticks["risk_incident"] == ["none"]
    chat.answer(Toggle("risk_incident", "ongoing"))
    assert chat.conversation.ticks["risk_incident"] == ["ongoing"]


def test_done_with_nothing_ticked_asks_again(profiles):
    chat = EngineChat(profiles["mkcc"], channel="telegram")
    chat.report(ANONYMOUS_VICTIM, until="risk_incident")
    replies = chat.answer(Answer("risk_incident", ticked=True))
    assert chat.step == "risk_incident" and asked(replies).problem


def test_a_tick_on_an_old_keyboard_is_stale(profiles):
    chat = EngineChat(profiles["mkcc"], channel="telegram")
    chat.report(ANONYMOUS_VICTIM, until="risk_impact")
    replies = chat.answer(Toggle("risk_incident", "weapon"))
    assert replies[0].text.startswith("We did not save") and "risk_incident" not in chat.conversation.ticks

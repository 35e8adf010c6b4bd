"""Reading a conversation without changing it, the way a page-at-a-time door (the web form) shows it."""

from __future__ import annotations

import pytest

from intake.conversation import SUMMARY
from intake.engine import EngineContext, confirmation, progress, question_view, summary_rows
from tests.harness import ANONYMOUS_VICTIM, EngineChat, engine_context


@pytest.fixture
def mkcc(profiles):
    return profiles["mkcc"]


def context(chat: EngineChat) -> EngineContext:
    return engine_context(chat.profile, chat.channel, reference="")


def at_summary(mkcc, channel: str = "sms") -> EngineChat:
    chat = EngineChat(mkcc, channel=channel)
    chat.report(ANONYMOUS_VICTIM, until=SUMMARY)
    assert chat.conversation.step == SUMMARY
    return chat


def test_the_current_question_is_shown_with_its_prompt_hint_and_choices_apart(mkcc):
    chat = EngineChat(mkcc, channel="web")
    chat.report(ANONYMOUS_VICTIM, until="identity", opening="")
    view = question_view(chat.conversation, context(chat))
    assert view is not None and view.id == "identity"
    assert view.prompt.startswith("Do you want to give your name, or stay anonymous?")
    assert "\n" not in view.prompt and view.hint is None and view.problem is None
    # The web is offered only its own options: no "contact me on this number".
    assert [o.id for o in view.options] == ["named_here", "anonymous"]


def test_an_answer_that_was_not_understood_is_shown_as_the_problem_with_the_question(mkcc):
    chat = EngineChat(mkcc)
    chat.report(ANONYMOUS_VICTIM, until="confirm_suggested")
    chat.send("purple")  # neither yes nor no
    view = question_view(chat.conversation, context(chat))
    assert view.id == "confirm_suggested" and view.problem == "Sorry, I did not understand. Please reply YES or NO, or SKIP."


def test_a_multi_question_names_the_options_that_stand_alone(mkcc):
    chat = EngineChat(mkcc)
    chat.report(ANONYMOUS_VICTIM, until="risk_incident")
    view = question_view(chat.conversation, context(chat))
    assert view.id == "risk_incident" and view.exclusive == frozenset({"none"})


def test_an_answered_question_can_be_read_for_a_change_link_with_its_answer(mkcc):
    chat = at_summary(mkcc)
    view = question_view(chat.conversation, context(chat), "description")
    assert view.takes_files and view.current["value"] == "They shouted abuse at me and wrote on my door"


@pytest.mark.parametrize(
    "question_id",
    ["relationship", "name", "no_such_question"],
    ids=["not applicable to a victim", "never asked of an anonymous reporter", "unknown"],
)
def test_a_question_that_is_not_on_this_reporters_path_has_no_view(mkcc, question_id):
    chat = at_summary(mkcc)
    assert question_view(chat.conversation, context(chat), question_id) is None


def test_at_the_summary_the_question_on_screen_is_send_or_change_one_of_the_answers(mkcc):
    chat = at_summary(mkcc)
    view = question_view(chat.conversation, context(chat))
    assert view.id == SUMMARY and not view.skippable
    assert [o.id for o in view.options[:3]] == ["send", "danger_now", "role"]


def test_summary_rows_are_the_rows_the_summary_message_numbers_after_send(mkcc):
    chat = at_summary(mkcc)
    rows = summary_rows(chat.conversation, context(chat))
    summary = chat.send("nonsense that is not a choice")[-1]
    assert [o.id for o in summary.options[1:]] == [r.question_id for r in rows]
    assert [o.label for o in summary.options[1:]] == [f"{r.label}: {r.value}" for r in rows]
    assert ("description", "What happened", "They shouted abuse at me and wrote on my door") in [
        (r.question_id, r.label, r.value) for r in rows
    ]


def test_reading_changes_nothing(mkcc):
    chat = at_summary(mkcc)
    before = chat.conversation.to_json()
    question_view(chat.conversation, context(chat), "when")
    summary_rows(chat.conversation, context(chat))
    assert chat.conversation.to_json() == before


def test_the_confirmation_repeats_what_the_reporter_was_told_when_they_sent_it(mkcc):
    chat = at_summary(mkcc)
    assert confirmation(chat.conversation, context(chat)) == []
    sent = chat.send("1")
    shown = confirmation(chat.conversation, context(chat))
    assert [r.text for r in shown] == [r.text for r in sent]
    assert "MK-ABCDEF" in shown[0].text and all(r.language == "en" for r in shown)


def test_progress_counts_each_page_a_report_shows_in_order(mkcc):
    chat = EngineChat(mkcc, channel="web")
    steps = {}
    for question in ("danger_now", "role", "identity", "scope", "description", "confirm_suggested", "when"):
        chat.report(ANONYMOUS_VICTIM, until=question, opening="")
        steps[question] = progress(chat.conversation, context(chat), question)
    numbers = [s[0] for s in steps.values()]
    assert numbers == list(range(1, len(steps) + 1)), steps
    # The check of what was read is a page of its own, right after the description it read.
    assert steps["confirm_suggested"][0] == steps["description"][0] + 1
    assert all(step <= total for step, total in steps.values())


def test_progress_leaves_out_a_question_answered_from_the_description_without_asking(mkcc):
    chat = at_summary(mkcc, channel="web")
    # Verbal abuse and graffiti were read and confirmed, so the incident types question never showed.
    assert chat.conversation.answers["incident_types"].get("inferred")
    shown = [q for q in ("motivation", "perpetrator") if progress(chat.conversation, context(chat), q)]
    motivation, perpetrator = (progress(chat.conversation, context(chat), q)[0] for q in shown)
    assert perpetrator == motivation + 1
    # Opened from check your answers to change it, it takes its place in the count.
    assert progress(chat.conversation, context(chat), "incident_types")[0] == motivation + 1


def test_progress_is_none_for_a_question_that_does_not_apply(mkcc):
    chat = at_summary(mkcc, channel="web")
    assert progress(chat.conversation, context(chat), "agency_name") is None  # only a third party is asked it

"""Issue 18's worst misreadings, fixed: danger mid-form pauses it and is never taken as an answer; a typed name
at "name or anonymous?" means they are giving their name, never that they stay anonymous."""

from __future__ import annotations

import pytest

from tests.harness import ANONYMOUS_VICTIM, EngineChat, PipelineChat


@pytest.fixture
def mkcc(profiles):  # type: ignore[no-untyped-def]
    return profiles["mkcc"]


def at_identity(mkcc, channel: str = "sms") -> EngineChat:  # type: ignore[no-untyped-def]
    chat = EngineChat(mkcc, channel=channel)
    chat.report({"danger_now": "no", "role": "victim"}, until="identity")
    assert chat.step == "identity"
    return chat


def test_danger_at_a_question_gets_the_999_advice_then_the_form_waits_and_keeps_the_words(mkcc):
    chat = at_identity(mkcc)
    replies = chat.send("help hes outside my door with a knife")
    assert [r.kind for r in replies] == ["danger", "notice"]
    assert "We cannot send help ourselves" in replies[1].text
    assert "identity" not in chat.conversation.answers and chat.conversation.unclear == 0
    assert chat.event_types()[-2:] == ["DangerSignalled", "FurtherInformation"]
    again = chat.send("ok im safe now")
    assert "If you are safe now, we can carry on" in " ".join(r.text for r in again)
    assert again[-1].question_id == "identity" and "identity" not in chat.conversation.answers
    chat.send("3")
    assert chat.conversation.value("identity") == "anonymous"


def test_danger_written_at_where_is_not_stored_as_the_place(mkcc):
    chat = EngineChat(mkcc)
    chat.report(ANONYMOUS_VICTIM, until="where")
    replies = chat.send("hes back hes trying to get in")
    assert replies[0].kind == "danger" and chat.step == "where"
    assert "where" not in chat.conversation.answers


def test_at_the_danger_question_itself_a_danger_message_does_not_pause_the_form(mkcc):
    chat = EngineChat(mkcc)
    chat.send("hi")
    replies = chat.send("hes outside my door with a knife")
    assert replies[0].kind == "danger" and not chat.conversation.paused
    assert "We cannot send help ourselves" not in " ".join(r.text for r in replies)


def test_a_danger_pause_on_the_pipeline_puts_the_words_on_the_open_case(intake):
    chat = PipelineChat(intake, channel="sms")
    chat.report(ANONYMOUS_VICTIM, until="where")
    chat.send("hes back hes trying to get in")
    from sqlalchemy import select

    from intake.store.models import CaseRow

    with intake.store.transaction() as db:
        case = db.scalar(select(CaseRow))
        assert [e.data["text"] for e in case.events if e.kind == "reporter_message"] == ["hes back hes trying to get in"]
        assert case.risk_level == "high"


@pytest.mark.parametrize(
    ("typed", "name", "contact"),
    [("Amara Okafor", "Amara Okafor", None), ("my name is Amara Okafor", "Amara Okafor", None),
     ("07700 900123", None, "07700 900123"), ("amara.okafor@example.org", None, "amara.okafor@example.org")],
)  # fmt: skip
def test_a_name_number_or_email_typed_at_name_or_anonymous_means_they_are_giving_their_name(mkcc, typed, name, contact):
    chat = at_identity(mkcc)
    replies = chat.send(typed)
    assert chat.conversation.value("identity") == "named_other"  # how to contact them is still asked
    assert chat.conversation.value("name") == name
    assert chat.conversation.value("contact_other") == contact
    assert replies[-1].question_id == ("contact_other" if name else "name")


@pytest.mark.parametrize("typed", ["Not Sure", "i dont know", "maybe later"])
def test_words_that_are_not_a_name_are_asked_again_never_taken_as_a_name(mkcc, typed):
    chat = at_identity(mkcc)
    chat.send(typed)
    assert chat.step == "identity" and "name" not in chat.conversation.answers


def test_on_the_web_a_typed_name_gives_the_name_and_asks_for_contact_details(mkcc):
    chat = at_identity(mkcc, channel="web")
    chat.send("Amara Okafor")
    assert chat.conversation.value("identity") == "named_here" and chat.conversation.value("name") == "Amara Okafor"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("no, not right now", "no"), ("yes i rent from the council", "yes"), ("No he isnt here now", "no")],
)
def test_yes_or_no_said_first_then_explained_is_the_answer(mkcc, typed, expected):
    chat = EngineChat(mkcc)
    chat.send("hi")
    chat.send(typed)
    assert chat.conversation.value("danger_now") == expected


def test_no_idea_is_not_read_as_no(mkcc):
    chat = EngineChat(mkcc)
    chat.send("hi")
    chat.send("no idea")
    assert "danger_now" not in chat.conversation.answers


def test_numbers_not_on_the_list_are_left_out_and_the_valid_ones_kept_and_the_reply_says_so(mkcc):
    chat = EngineChat(mkcc)
    chat.report(ANONYMOUS_VICTIM, until="risk_impact")
    replies = chat.send("1 3 9 12")
    assert replies[0].text.startswith("Not on the list, so left out: 9, 12.")
    assert len(chat.conversation.value("risk_impact")) == 2

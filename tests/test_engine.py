"""The report conversation, branch by branch, through the pure engine; every walk answers by question id."""

from __future__ import annotations

import pytest

from intake.conversation import CONFIRM, LANGUAGE, SUMMARY
from tests.harness import ANONYMOUS_VICTIM, EngineChat, asked, typed


@pytest.fixture
def mkcc(profiles):
    return profiles["mkcc"]


@pytest.fixture
def wchg(profiles):
    return profiles["wchg"]


def until(chat: EngineChat, question_id: str, **answers) -> list:
    """Answer as the anonymous victim does (with `answers` instead) until `question_id` is asked."""
    return chat.report({**ANONYMOUS_VICTIM, **answers}, until=question_id)


def text_of(replies: list) -> str:
    return "\n".join(r.text for r in replies)


def test_the_first_question_asks_whether_anyone_is_in_danger_now(mkcc):
    chat = EngineChat(mkcc)
    replies = chat.send("hi")
    assert "Milton Keynes City Council" in replies[0].text
    assert replies[-1].question_id == "danger_now"
    assert [o.id for o in replies[-1].options] == ["yes", "no"]


def test_a_first_message_that_tells_the_story_is_kept(mkcc):
    chat = EngineChat(mkcc)
    chat.send("my neighbour keeps shouting abuse at my family because we are muslim")
    assert chat.conversation.answers["opening"]["raw"].startswith("my neighbour keeps")


def test_saying_someone_is_in_danger_gives_the_999_advice_before_the_next_question(mkcc):
    chat = EngineChat(mkcc)
    chat.send("hi")
    replies = chat.send("yes")
    assert replies[0].kind == "danger" and "999" in replies[0].text
    assert replies[-1].question_id == "role"


@pytest.mark.parametrize("step", ["danger_now", "role", "identity", CONFIRM])
def test_a_danger_message_at_any_step_gets_the_999_advice_first(mkcc, step):
    chat = EngineChat(mkcc)
    until(chat, step)
    replies = chat.send("he is outside my door with a knife")
    assert replies[0].kind == "danger"
    assert "999" in replies[0].text
    assert chat.conversation.danger_evidence


def test_the_danger_advice_is_not_said_twice_in_one_reply(mkcc):
    chat = EngineChat(mkcc)
    chat.send("hi")
    replies = chat.send("yes, he has a knife and is outside my door")
    assert sum(r.kind == "danger" for r in replies) == 1


def test_a_third_party_is_asked_about_the_victim_and_their_agreement(mkcc):
    chat = EngineChat(mkcc)
    replies = until(chat, "relationship", role="third_party")
    assert asked(replies).id == "relationship"
    assert chat.send(typed(asked(chat.last), "support_worker"))[-1].question_id == "agency_name"
    assert chat.send("Mind Milton Keynes")[-1].question_id == "victim_consent"
    assert chat.send(typed(asked(chat.last), "knows_agrees"))[-1].question_id == "victim_contact"
    assert chat.send("07700 900123")[-1].question_id == "identity"


def test_a_third_party_whose_victim_does_not_agree_is_not_asked_for_the_victims_contact(mkcc):
    chat = EngineChat(mkcc)
    until(chat, "victim_consent", role="third_party", relationship="family")
    assert chat.send(typed(asked(chat.last), "knows_not_agree"))[-1].question_id == "identity"


def test_a_witness_is_asked_about_the_person_it_happened_to(mkcc):
    chat = EngineChat(mkcc)
    impact = asked(until(chat, "risk_impact", role="witness"))
    assert "the person it happened to" in impact.prompt


def test_staying_anonymous_on_sms_says_what_happens_to_the_number_and_asks_no_contact_questions(mkcc):
    chat = EngineChat(mkcc, channel="sms")
    identity = asked(until(chat, "identity"))
    assert "phone number" in identity.prompt and "cannot" not in identity.prompt.split("?")[0]
    assert [o.id for o in identity.options] == ["named_here", "named_other", "anonymous"]
    until(chat, SUMMARY)
    assert not set(chat.conversation.answers) & {"name", "contact_other", "contact_safety", "support"}


def test_the_web_door_explains_anonymity_without_mentioning_a_phone_number(mkcc):
    chat = EngineChat(mkcc, channel="web")
    identity = asked(until(chat, "identity"))
    assert "phone" not in identity.prompt
    assert [o.id for o in identity.options] == ["named_here", "anonymous"]
    assert chat.send(typed(identity, "named_here"))[-1].question_id == "name"
    assert chat.send("Amina")[-1].question_id == "contact_other"


def test_telegram_names_itself_in_the_identity_question(mkcc):
    chat = EngineChat(mkcc, channel="telegram")
    identity = asked(until(chat, "identity"))
    assert "Telegram account" in identity.prompt
    assert identity.options[0].label == "Give my name, contact me on Telegram"


def test_a_named_sms_reporter_contacted_on_this_number_is_not_asked_for_another_contact(mkcc):
    chat = EngineChat(mkcc, channel="sms")
    until(chat, "name", identity="named_here")
    assert chat.send("Amina")[-1].question_id == "scope"


def test_saying_it_involves_no_home_of_ours_points_to_who_can_help_and_carries_on(mkcc):
    chat = EngineChat(mkcc)
    replies = until(chat, "description", scope="no")
    texts = text_of(replies)
    assert "Crimestoppers" in texts and "Stop Hate UK" in texts and "Victim Support" in texts


def test_describing_what_happened_opens_the_case(mkcc):
    chat = EngineChat(mkcc)
    until(chat, "description")
    replies = chat.send("They shouted abuse at me")
    assert chat.event_types()[-1] == "CaseOpened"
    assert chat.conversation.case_reference == "MK-ABCDEF"
    assert replies[-1].question_id == CONFIRM  # what was read from it comes next


def test_a_postcode_in_the_description_answers_where(mkcc):
    chat = EngineChat(mkcc)
    until(chat, "motivation", description="They wrote graffiti on my door at MK9 3EJ", confirm_suggested="no")
    assert chat.conversation.answers["where"]["postcode"] == "MK9 3EJ"


def test_an_unclear_answer_is_asked_again_kindly_then_kept_raw_and_moved_past(mkcc):
    chat = EngineChat(mkcc)
    chat.send("hi")
    first = chat.send("purple")
    assert chat.step == "danger_now"
    assert first[-1].text.startswith("Sorry, I did not understand")
    assert first[-1].question.problem.startswith("Sorry, I did not understand")
    second = chat.send("banana")
    assert chat.step == "role"
    assert any("kept what you wrote" in r.text for r in second)
    assert chat.conversation.answers["danger_now"] == {"value": None, "raw": "banana", "skipped": False}


@pytest.mark.parametrize("word, value", [("yes", "yes"), ("Y", "yes"), ("1", "yes"), ("No!", "no"), ("nope", "no"), ("2", "no")])
def test_yes_and_no_are_understood_as_words_or_numbers(mkcc, word, value):
    chat = EngineChat(mkcc)
    chat.send("hi")
    chat.send(word)
    assert chat.conversation.value("danger_now") == value


def test_multi_choice_takes_several_numbers_and_drops_none_when_others_are_picked(mkcc):
    chat = EngineChat(mkcc)
    question = asked(until(chat, "risk_incident"))
    numbers = [str([o.id for o in question.options].index(i) + 1) for i in ("threats_violence", "perpetrator_nearby", "none")]
    chat.send(f"{numbers[0]}, {numbers[1]} and {numbers[2]}")
    assert chat.conversation.value("risk_incident") == ["threats_violence", "perpetrator_nearby"]


def test_a_choice_can_be_answered_with_the_options_words(mkcc):
    chat = EngineChat(mkcc)
    until(chat, "role")
    chat.send("Myself: it happened to me")
    assert chat.conversation.value("role") == "victim"


def test_every_question_can_be_skipped_all_the_way_to_the_summary(mkcc):
    chat = EngineChat(mkcc)
    chat.report({}, until=SUMMARY)
    assert chat.step == SUMMARY
    assert all(a["skipped"] for q, a in chat.conversation.answers.items() if q != "opening")


def test_back_returns_to_the_previous_question_and_forgets_its_answer(mkcc):
    chat = EngineChat(mkcc)
    until(chat, "identity")
    replies = chat.send("back")
    assert replies[-1].question_id == "role"
    assert "role" not in chat.conversation.answers
    assert chat.send(typed(asked(replies), "witness"))[-1].question_id == "identity"


def test_back_at_the_first_question_says_so_and_asks_it_again(mkcc):
    chat = EngineChat(mkcc)
    chat.send("hi")
    replies = chat.send("BACK")
    assert replies[0].text == "This is the first question."
    assert replies[-1].question_id == "danger_now"


def test_help_explains_the_keywords_and_asks_the_question_again(mkcc):
    chat = EngineChat(mkcc)
    until(chat, "role")
    replies = chat.send("help")
    assert "SKIP" in replies[0].text and "EXIT" in replies[0].text and "999" in replies[0].text
    assert replies[-1].question_id == "role"


def test_language_opens_the_menu_and_a_choice_returns_to_the_same_question(mkcc):
    chat = EngineChat(mkcc)
    until(chat, "role")
    menu = chat.send("LANGUAGE")[-1]
    assert menu.question_id == LANGUAGE and menu.options[0].id == "en"
    replies = chat.send("1")
    assert replies[-1].question_id == "role"


def test_status_before_a_case_says_there_is_none_and_after_gives_the_reference(mkcc):
    chat = EngineChat(mkcc)
    until(chat, "role")
    assert chat.send("status")[0].text == "You have not made a report in this chat yet."
    until(chat, CONFIRM)
    status = chat.send("STATUS")[0].text
    assert "MK-ABCDEF" in status and "being written" in status


def test_stop_ends_the_chat_and_opts_out(mkcc):
    chat = EngineChat(mkcc)
    until(chat, "role")
    replies = chat.send("STOP")
    assert "START" in replies[0].text
    assert chat.conversation.status == "ended" and chat.conversation.no_messages
    assert chat.event_types()[-2:] == ["OptedOut", "ConversationEnded"]


@pytest.mark.parametrize("word", ["stopall", "unsubscribe", "cancel", "end", "quit"])
def test_every_carrier_opt_out_word_stops(mkcc, word):
    chat = EngineChat(mkcc)
    chat.send("hi")
    chat.send(word)
    assert chat.conversation.ended_reason == "stopped"


def test_exit_ends_the_chat_at_once_without_opting_out(mkcc):
    chat = EngineChat(mkcc)
    until(chat, "description")
    replies = chat.send("exit")
    assert [r.text for r in replies] == ["Chat ended."]
    assert chat.conversation.ended_reason == "exited"
    assert "OptedOut" not in chat.event_types()


def test_the_summary_lists_the_answers_and_a_change_comes_back_to_it(mkcc):
    chat = EngineChat(mkcc)
    summary = asked(until(chat, SUMMARY))
    labels = [o.label for o in summary.options]
    assert labels[0] == "Send my report"
    assert "What happened: They shouted abuse at me and wrote on my door" in labels
    assert chat.send(typed(summary, "when"))[-1].question_id == "when"
    back_to_summary = asked(chat.send("yesterday"))
    assert back_to_summary.id == SUMMARY
    assert "When: yesterday" in [o.label for o in back_to_summary.options]


def test_changing_an_answer_from_the_summary_asks_questions_it_makes_relevant(mkcc):
    chat = EngineChat(mkcc)
    summary = asked(until(chat, SUMMARY))
    identity = asked(chat.send(typed(summary, "identity")))
    assert chat.send(typed(identity, "named_here"))[-1].question_id == "name"  # now named: the name is asked
    assert chat.send("Amina")[-1].question_id == "support"


def test_sending_the_report_gives_the_reference_and_the_victims_code(mkcc):
    chat = EngineChat(mkcc)
    until(chat, SUMMARY)
    replies = chat.send("1")
    assert replies[0].text == "Thank you. Your report has been sent. Your reference is MK-ABCDEF."
    code = [r for r in replies if r.kind == "victims_code"]
    assert code and "https://report.example.org/victims-code/mkcc?lang=en" in text_of(code)
    assert "Crimestoppers" in code[-1].text
    assert chat.event_types()[-2:] == ["ReportSubmitted", "VictimsCodeSent"]


def test_a_named_reporter_is_told_when_the_case_officer_will_contact_them(mkcc):
    chat = EngineChat(mkcc)
    replies = chat.report({"identity": "named_here", "name": "Amina", "description": "They spat at me", "consent": "yes"})
    text = text_of(replies)
    # Reported Tuesday 17 November 2026 10:30 UTC: next business day, same London time.
    assert "Wednesday, 18 November 2026 at 10:30" in text
    assert "at least every 10 working days" in text


def test_sending_without_a_description_still_opens_a_case(mkcc):
    chat = EngineChat(mkcc)
    chat.report({})
    assert chat.event_types()[-3:] == ["CaseOpened", "ReportSubmitted", "VictimsCodeSent"]


def test_a_message_after_submission_is_added_as_further_information(mkcc):
    chat = EngineChat(mkcc)
    chat.report(ANONYMOUS_VICTIM)
    replies = chat.send("They came back this morning")
    assert "added this to your report MK-ABCDEF" in replies[0].text
    assert chat.events[-1].text == "They came back this morning"


def test_new_after_submission_starts_a_fresh_report(mkcc):
    chat = EngineChat(mkcc)
    chat.report(ANONYMOUS_VICTIM)
    replies = chat.send("NEW")
    assert replies[-1].question_id == "danger_now"
    assert chat.conversation.case_reference is None and chat.event_types()[-1] == "NewReportStarted"


def test_wythenshawe_asks_about_staff_and_says_it_reports_hate_crime_to_the_police(wchg):
    chat = EngineChat(wchg, reference="WC-ABCDEF")
    scope = asked(until(chat, "scope"))
    assert "staff or contractors" in scope.prompt
    consent = asked(chat.report({}, until="consent"))
    assert "We report all hate crimes to the police" in consent.hint


def test_wythenshawe_points_anonymous_reporters_to_crimestoppers_as_well(wchg):
    chat = EngineChat(wchg, reference="WC-ABCDEF")
    identity = asked(until(chat, "identity"))
    assert "Crimestoppers 0800 555 111" in identity.hint


def test_a_complete_anonymous_sms_report_takes_about_a_dozen_answers(mkcc):
    chat = EngineChat(mkcc)
    sent = []
    chat.send("hi")
    from tests.harness import walk

    walk(lambda text: sent.append(text) or chat.send(text), chat.last, ANONYMOUS_VICTIM)
    assert chat.conversation.status == "submitted"
    assert len([text for text in sent if text != "SKIP"]) <= 14


@pytest.mark.parametrize("how", ["skip", "twice unclear"])
def test_an_identity_question_skipped_or_never_understood_is_not_said_and_never_called_anonymous(mkcc, how):
    chat = EngineChat(mkcc)
    until(chat, "identity")
    if how == "skip":
        chat.send("skip")
    else:
        chat.send("purple")
        chat.send("banana")
    replies = chat.report({})
    assert "support" not in chat.conversation.answers and "name" not in chat.conversation.answers
    text = text_of(replies)
    assert "we cannot contact you" in text and "will contact you by" not in text
    assert "You did not give your name" in text and "You chose to stay anonymous" not in text

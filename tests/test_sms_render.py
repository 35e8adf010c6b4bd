"""SMS bodies: segments counted as a handset counts them, GSM-7 kept GSM-7, every body within three segments."""

from __future__ import annotations

import pytest

from channels.sms.render import render
from channels.sms.segments import cost, gsm_safe, split
from intake.i18n import available_languages
from intake.messages import Option, OutboundMessage, Question
from tests.harness import NAMED_VICTIM, EngineChat, walk

# A named reporter who answers every question a named victim on SMS is asked.
EVERY_ANSWER = {**NAMED_VICTIM, "description": "They shouted abuse and wrote on my door", "motivation": ["race", "religion"],
                "incident_types": ["verbal_abuse", "graffiti"], "risk_incident": ["threats_violence", "perpetrator_nearby"],
                "risk_impact": ["worried_worse"]}  # fmt: skip


@pytest.mark.parametrize(
    "text, encoding, segments",
    [
        pytest.param("", "GSM-7", 0, id="empty"),
        pytest.param("a" * 160, "GSM-7", 1, id="GSM-7 160 characters fit one segment"),
        pytest.param("a" * 161, "GSM-7", 2, id="GSM-7 161 characters need two"),
        pytest.param("a" * 306, "GSM-7", 2, id="GSM-7 two parts hold 153 each"),
        pytest.param("a" * 307, "GSM-7", 3, id="GSM-7 307 characters need three"),
        pytest.param("€" * 80, "GSM-7", 1, id="extension characters cost two septets"),
        pytest.param("€" * 81, "GSM-7", 2, id="one more extension character spills over"),
        pytest.param("a" * 152 + "€" + "a" * 10, "GSM-7", 2, id="an escape pair is never split between parts"),
        pytest.param("ż" * 70, "UCS-2", 1, id="one Polish letter makes it UCS-2: 70 fit"),
        pytest.param("ż" * 71, "UCS-2", 2, id="UCS-2 71 characters need two"),
        pytest.param("آپ" * 35, "UCS-2", 1, id="Urdu 70 characters"),
        pytest.param("👍" * 35, "UCS-2", 1, id="an emoji costs two UTF-16 units"),
        pytest.param("👍" * 36, "UCS-2", 2, id="36 emoji need two segments"),
        pytest.param("a" * 66 + "👍" + "a" * 4, "UCS-2", 2, id="a surrogate pair is never split between parts"),
    ],
)
def test_segments_are_counted_as_a_handset_counts_them(text, encoding, segments):
    counted = cost(text)
    assert (counted.encoding, counted.segments) == (encoding, segments)


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("We’ll call you “soon”…", 'We\'ll call you "soon"...', id="curly quotes and ellipsis become GSM-7"),
        pytest.param("10\u00a0days – at most", "10 days - at most", id="a non-breaking space and an en dash"),
        pytest.param("Zgłoszenie “MK-7K3M9Q”", "Zgłoszenie “MK-7K3M9Q”", id="left alone when the text is UCS-2 anyway"),
        pytest.param("رقم \u2068MK-7K3M9Q\u2069", "رقم \u2068MK-7K3M9Q\u2069", id="isolates kept in right-to-left text"),
    ],
)
def test_our_typography_never_forces_ucs2(text, expected):
    assert gsm_safe(text) == expected


def test_a_long_text_is_split_at_line_and_sentence_breaks_into_numbered_parts_that_each_fit():
    lines = [f"Line {n}. It says something useful about the report and what happens next." for n in range(12)]
    parts = split("\n".join(lines))
    assert len(parts) > 1
    assert all(cost(part).segments <= 3 for part in parts)
    assert [part.rsplit(" (", 1)[1] for part in parts] == [f"{n}/{len(parts)})" for n in range(1, len(parts) + 1)]
    assert all(part.rsplit(" (", 1)[0].endswith("next.") for part in parts)  # never cut mid-line here


def test_one_enormous_word_is_still_cut_to_fit():
    parts = split("x" * 1000)
    assert all(cost(part).segments <= 3 for part in parts) and "".join(p.rsplit(" (", 1)[0] for p in parts) == "x" * 1000


def test_the_999_advice_travels_alone_and_first():
    replies = [
        OutboundMessage("Call 999 now.", kind="danger"),
        OutboundMessage("Thank you."),
        OutboundMessage(
            "Is anyone hurt?",
            kind="question",
            question=Question("hurt", "yesno", "Is anyone hurt?", options=(Option("yes", "Yes"), Option("no", "No"))),
        ),
    ]
    assert render(replies) == ["Call 999 now.", "Thank you.\n\nIs anyone hurt?\n1. Yes\n2. No"]


@pytest.mark.parametrize("language", available_languages())
def test_every_body_of_a_whole_report_fits_three_segments_and_stays_gsm7_where_its_words_are(language, profiles):
    chat = EngineChat(profiles["mkcc"], language=language)
    seen = []

    def checked(replies: list[OutboundMessage]) -> list[OutboundMessage]:
        for body in render(replies):
            seen.append(body)
            assert cost(body).segments <= 3, body
        for reply in replies:
            # A reply whose own words are GSM-7 once our typography is plain must be sent as GSM-7.
            for body in render([reply]):
                if cost(gsm_safe(reply.text)).encoding == "GSM-7" and all(
                    cost(o.label).encoding == "GSM-7" for o in reply.options
                ):
                    assert cost(body).encoding == "GSM-7", body
        return replies

    walk(lambda text: checked(chat.send(text)), checked(chat.send("hello")), EVERY_ANSWER)
    assert chat.conversation.status == "submitted" and len(seen) > 15

"""What reporters are told: WCHG's confidentiality promise, the sharing hint, the signposts, the language chosen."""

from __future__ import annotations

import pytest

from intake.i18n import native_name, translator
from intake.victims_code import commitment_lines
from tests.console_support import talk
from tests.harness import ANONYMOUS_VICTIM, PipelineChat, asked

WCHG_PROMISE = (
    "We keep your information confidential. We share it with your permission, when the law requires it, when a crime "
    "may have been committed (we report hate crimes to the police), or to protect children and adults at risk."
)


def test_wchg_promises_confidentiality_with_the_crime_and_police_exceptions_its_policy_makes(profiles):
    # §3.1.5 and §4.3: hate crimes are reported to the police; §9.1: a crime is an exception.
    assert WCHG_PROMISE in commitment_lines(profiles["wchg"], translator("en"))


@pytest.mark.parametrize(
    "org, hint",
    [
        pytest.param(
            "wchg", "Even if you say no, we will still share information without your agreement when a crime", id="WCHG"
        ),
        pytest.param("mkcc", "Even if you say no, we will still share information without your agreement to protect", id="MKCC"),
    ],
)
def test_the_sharing_hint_says_we_will_still_share(intake, org, hint):
    chat = PipelineChat(intake, org=org, channel="sms")
    question = asked(chat.report({**ANONYMOUS_VICTIM, "consent": None}, until="consent"))
    assert question is not None and hint in (question.hint or "")
    assert "we must share" not in (question.hint or "")


# ---- signposts -------------------------------------------------------------------------------------
OUT_OF_SCOPE = {**ANONYMOUS_VICTIM, "scope": "no"}
ANONYMOUS_STEPS = [("danger_now", "2"), ("role", "1"), ("identity", "3")]


@pytest.mark.parametrize(
    "org, lines",
    [
        pytest.param("mkcc", ["Thames Valley Police 999", "Thames Valley Police 101", "Crimestoppers 0800 555 111"], id="MKCC"),
        pytest.param("wchg", ["Greater Manchester Police 999", "Greater Manchester Police 101", "True Vision"], id="WCHG"),
    ],
)
def test_an_out_of_scope_reporter_on_the_console_sees_each_signpost_once(intake, org, lines):
    steps = [*ANONYMOUS_STEPS, ("scope", "2"), ("description", "Someone wrote abuse on the bus stop"),
             ("summary", "1")]  # fmt: skip
    shown = talk(intake, steps, org=org, who=f"out-of-scope-{org}")
    assert "Your reference is" in shown
    for line in lines:
        assert shown.count(line) == 1, line


def test_an_out_of_scope_reporter_on_sms_gets_the_signposts_with_the_scope_answer_and_not_again(intake):
    chat = PipelineChat(intake, org="mkcc", channel="sms")
    said = []
    chat.report({**OUT_OF_SCOPE, "consent": "yes"}, until="scope")
    said.append(chat.send("2"))
    said.append(chat.report(OUT_OF_SCOPE))
    texts = ["\n".join(r.text for r in replies) for replies in said]
    assert "Thames Valley Police 101" in texts[0]
    assert "Thames Valley Police 101" not in texts[1] and "Your reference is" in texts[1]


@pytest.mark.parametrize("org", ["mkcc", "wchg"])
def test_a_reporter_in_scope_gets_the_signposts_with_the_confirmation_including_999_and_101(intake, org):
    chat = PipelineChat(intake, org=org, channel="sms")
    sent = "\n".join(r.text for r in chat.report(ANONYMOUS_VICTIM))
    assert "You can also get help from:" in sent and " 999" in sent and " 101" in sent


# ---- the language chosen ---------------------------------------------------------------------------


@pytest.mark.parametrize("code, named", [("pa", "ਪੰਜਾਬੀ"), ("gu", "ગુજરાતી")])
def test_choosing_punjabi_or_gujarati_says_we_will_talk_in_it_not_in_english(intake, code, named):
    menu = talk(intake, ["LANGUAGE"], who=f"menu-{code}")
    # The menu lists each language by its own name: "  7. ਪੰਜਾਬੀ".
    [number] = [line.split(".")[0].strip() for line in menu.splitlines() if line.strip().endswith(native_name(code))]
    shown = talk(intake, [number], who=f"menu-{code}")
    changed = translator(code)("We will talk in English from now on.")
    assert changed in shown and named in changed
    assert {"pa": "ਅੰਗਰੇਜ਼ੀ", "gu": "અંગ્રેજી"}[code] not in changed

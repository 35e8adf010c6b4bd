"""Talk to the console door (`intake chat`) as a reporter types, answering by question id."""

from __future__ import annotations

import io
from collections.abc import Iterable

from channels.console import CHANNEL, chat
from intake.pipeline import Intake, current_replies
from intake.privacy import sender_key
from tests.harness import TEST_SECRET, asked

Step = str | tuple[str, str]


def console_key(org: str, who: str) -> str:
    return sender_key(TEST_SECRET, CHANNEL, f"{org}:{who}")


def talk(intake: Intake, steps: Iterable[Step], *, org: str = "mkcc", who: str = "reporter",
         language: str | None = None) -> str:  # fmt: skip
    """Run one `intake chat` until it ends or the steps run out, and return what the terminal showed.

    A step is words typed as they are, or (question id, words): SKIP is typed at every question
    before that one, so the words answer the question they are meant for.
    """
    key = console_key(org, who)
    pending = list(steps)
    skips = iter(range(40))

    def read() -> str:
        if not pending:
            raise EOFError
        step = pending[0]
        if isinstance(step, str):
            return pending.pop(0)
        question_id = step[0]
        on_screen = asked(current_replies(intake, org, CHANNEL, key) or [])
        if on_screen is None or on_screen.id == question_id:
            return pending.pop(0)[1]
        if next(skips, None) is None:
            raise AssertionError(f"the chat never asked {question_id}")
        return "SKIP"

    out = io.StringIO()
    chat(intake, secret=TEST_SECRET, org=org, language=language, who=who, read=read, out=out)
    return out.getvalue()

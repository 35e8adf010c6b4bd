"""The console door: the whole report conversation in a terminal, through the same pipeline."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import TextIO

from intake.i18n import translator
from intake.messages import InboundMessage, OutboundMessage
from intake.pipeline import Intake, current_replies, handle
from intake.privacy import sender_key

CHANNEL = "console"


def render(replies: list[OutboundMessage]) -> str:
    """Replies as terminal lines: numbered choices under each question."""
    lines: list[str] = []
    for reply in replies:
        t = translator(reply.language or "en")
        lines.append(reply.text)
        for number, choice in enumerate(reply.choices, start=1):
            lines.append(f"  {number}. {choice.label}")
        if reply.multi:
            lines.append(t("Reply with one or more numbers, for example 1 3."))
        lines.append("")
    return "\n".join(lines)


def chat(
    intake: Intake,
    *,
    secret: str,
    org: str,
    language: str | None = None,
    who: str | None = None,
    read: Callable[[], str] = input,
    out: TextIO,
) -> None:
    """Talk until the reporter ends the chat or closes the input; a restart carries on where it stopped."""
    key = sender_key(secret, CHANNEL, f"{org}:{who or getpass.getuser()}")
    replies = current_replies(intake, org, CHANNEL, key)
    if replies is None:
        replies = handle(intake, InboundMessage(org=org, channel=CHANNEL, sender_key=key, locale_hint=language))
    while True:
        out.write(render(replies))
        out.write("> ")
        out.flush()
        try:
            text = read()
        except EOFError:
            out.write("\n")
            return
        replies = handle(intake, InboundMessage(org=org, channel=CHANNEL, sender_key=key, text=text, locale_hint=language))
        live = current_replies(intake, org, CHANNEL, key)
        if live is None:  # the reporter stopped or left: show the last words and finish
            out.write(render(replies))
            out.flush()
            return

"""The console door: the whole report conversation in a terminal, through the same pipeline (`intake chat`)."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import Any, TextIO

from babel.numbers import format_decimal

from channels.base import Door
from intake.i18n import translator
from intake.messages import DoorTraits, InboundMessage, OutboundMessage
from intake.pipeline import Intake, current_replies, handle
from intake.privacy import sender_key
from intake.settings import Settings
from intake.store import migrate

CHANNEL = "console"
# One line is one answer. A longer paste is refused whole, never cut: it is far past any report.
MAX_LINE = 4 * 1024 * 1024


def render(replies: list[OutboundMessage]) -> str:
    """Replies as terminal lines: numbered options under each question."""
    lines: list[str] = []
    for reply in replies:
        t = translator(reply.language or "en")
        lines.append(reply.text)
        for number, option in enumerate(reply.options, start=1):
            lines.append(f"  {number}. {option.label}")
        if reply.question is not None and reply.question.multi:
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
        if len(text) > MAX_LINE:
            t = translator(replies[-1].language or "en") if replies else translator("en")
            limit = format_decimal(MAX_LINE, locale=t.locale)
            out.write(t("Your answer must be %(num)s characters or less.", num=limit) + "\n")
            continue
        replies = handle(intake, InboundMessage(org=org, channel=CHANNEL, sender_key=key, text=text, locale_hint=language))
        live = current_replies(intake, org, CHANNEL, key)
        if live is None:  # the reporter stopped or left: show the last words and finish
            out.write(render(replies))
            out.flush()
            return


class ConsoleDoor(Door):
    traits = DoorTraits("console", address="none")

    def describe(self, settings: Settings, profiles: Any) -> list[str]:
        return ["console door: on (intake chat)"]

    def add_commands(self, commands: argparse._SubParsersAction) -> None:
        parser = commands.add_parser("chat", help="make a report in this terminal")
        parser.add_argument("--org", default=None, help="landlord profile slug (default: the first)")
        parser.add_argument("--lang", default=None, help="catalog code to start in, e.g. pl")
        parser.add_argument("--as", dest="who", default=None, help="who is chatting (default: your user name)")
        parser.set_defaults(door=self.name)

    def run_command(self, args: argparse.Namespace, settings: Settings, intake: Intake) -> int:
        org = args.org or next(iter(intake.profiles))
        if org not in intake.profiles:
            print(f"intake: no landlord profile {org!r}; known: {', '.join(intake.profiles)}", file=sys.stderr)
            return 2
        migrate.upgrade(intake.store.engine)
        chat(intake, secret=settings.secret_key, org=org, language=args.lang, who=args.who, out=sys.stdout)
        return 0


door = ConsoleDoor()

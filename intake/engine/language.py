"""The language menu: opened by LANGUAGE at any step (or by a first message two languages could be), answered, closed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from intake import events as ev
from intake.conversation import LANGUAGE
from intake.i18n import available_languages
from intake.messages import Command

if TYPE_CHECKING:
    from intake.engine.turn import Turn


class LanguageMenu:
    def __init__(self, turn: Turn):
        self.turn, self.conv = turn, turn.conv

    def command(self, command: Command) -> None:
        """LANGUAGE opens the menu; a page's language switch names the language and changes it at once."""
        if command.value is None:
            self.open()
        elif command.value in available_languages():
            self.choose(command.value)
        else:
            self.turn.ask()

    def open(self, only: list[str] | None = None) -> None:
        self.conv.menu, self.conv.menu_options = LANGUAGE, list(only or available_languages())
        self.turn.ask()

    def choose(self, code: str | None) -> None:
        """The menu answered (None: not understood): say so, then carry on where the report was."""
        self.conv.menu = None
        if code is not None and code != self.conv.language:
            self.turn.relanguage(code)
            self.turn.events.append(ev.LanguageChanged(code))
        self.turn.say("language_changed" if code is not None else "language_unclear")
        self.turn.resume()

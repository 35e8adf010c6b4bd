"""Questions as inline keyboards; a button's callback data names the question it answers.

Callback data is `a|<question>|<option>` (answer), `t|<question>|<option>` (tick or untick
one option of a multi-select) or `d|<question>|` (done). Which options are ticked lives
in the conversation, so a press that does not echo the keyboard back loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from intake.i18n import translator
from intake.messages import Answer, OutboundMessage, Toggle

ANSWER, TOGGLE, DONE = "a", "t", "d"
TICKED, UNTICKED = "☑ ", "☐ "
MAX_CALLBACK_BYTES = 64  # Telegram's limit


@dataclass(frozen=True)
class Press:
    action: str
    question: str
    value: str

    def answer(self) -> Answer | Toggle:
        """What the press says, as the core reads it."""
        if self.action == TOGGLE:
            return Toggle(self.question, self.value)
        if self.action == DONE:
            return Answer(self.question, ticked=True)
        return Answer(self.question, options=(self.value,))


def encode(action: str, question: str, value: str = "") -> str:
    data = f"{action}|{question}|{value}"
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data for {question!r} is longer than Telegram allows")
    return data


def decode(data: str | None) -> Press | None:
    """The press, or None when the data is not one of ours."""
    parts = (data or "").split("|")
    if len(parts) != 3 or parts[0] not in (ANSWER, TOGGLE, DONE) or not parts[1]:
        return None
    if parts[0] != DONE and not parts[2]:
        return None
    return Press(*parts)


def keyboard(message: OutboundMessage) -> InlineKeyboardMarkup | None:
    """The buttons for a question: one per row (labels can be long), ticks and Done for a multi-select."""
    question = message.question
    if message.kind not in ("question", "ticks") or question is None or not question.options:
        return None
    if question.multi:
        t = translator(message.language or "en")
        rows = [
            [InlineKeyboardButton((TICKED if o.id in question.ticked else UNTICKED) + o.label,
                                  callback_data=encode(TOGGLE, question.id, o.id))]
            for o in question.options
        ]  # fmt: skip
        rows.append([InlineKeyboardButton(t("Done"), callback_data=encode(DONE, question.id))])
        return InlineKeyboardMarkup(rows)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(o.label, callback_data=encode(ANSWER, question.id, o.id))] for o in question.options]
    )

"""Questions as inline keyboards; a button's callback data names the question it answers.

Callback data is `a|<question>|<value>` (answer), `t|<question>|<value>` (toggle one option
of a multi-select) or `d|<question>|` (done). Which options are ticked lives in the
keyboard itself, so a toggle needs no storage and a redelivered toggle computes the same
keyboard again.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from intake.i18n import translator
from intake.messages import OutboundMessage

ANSWER, TOGGLE, DONE = "a", "t", "d"
TICKED, UNTICKED = "☑ ", "☐ "
MAX_CALLBACK_BYTES = 64  # Telegram's limit


@dataclass(frozen=True)
class Press:
    action: str
    question: str
    value: str


def encode(action: str, question: str, value: str = "") -> str:
    data = f"{action}|{question}|{value}"
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data for {question!r} is longer than Telegram allows")
    return data


def decode(data: str | None) -> Press | None:
    parts = (data or "").split("|")
    if len(parts) != 3 or parts[0] not in (ANSWER, TOGGLE, DONE) or not parts[1]:
        return None
    return Press(*parts)


def keyboard(message: OutboundMessage) -> InlineKeyboardMarkup | None:
    """The buttons for a question: one per row (labels can be long), toggles and Done for a multi-select."""
    if message.kind != "question" or not message.choices or not message.question_id:
        return None
    qid = message.question_id
    if message.multi:
        t = translator(message.language or "en")
        rows = [[InlineKeyboardButton(UNTICKED + c.label, callback_data=encode(TOGGLE, qid, c.value))] for c in message.choices]
        rows.append([InlineKeyboardButton(t("Done"), callback_data=encode(DONE, qid))])
        return InlineKeyboardMarkup(rows)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(c.label, callback_data=encode(ANSWER, qid, c.value))] for c in message.choices]
    )


def toggled(markup: InlineKeyboardMarkup, press: Press) -> InlineKeyboardMarkup:
    """The same keyboard with the pressed option's tick flipped."""
    rows = []
    for row in markup.inline_keyboard:
        new_row = []
        for button in row:
            if button.callback_data == encode(TOGGLE, press.question, press.value):
                label = button.text
                label = UNTICKED + label[len(TICKED) :] if label.startswith(TICKED) else TICKED + label.removeprefix(UNTICKED)
                button = InlineKeyboardButton(label, callback_data=button.callback_data)
            new_row.append(button)
        rows.append(new_row)
    return InlineKeyboardMarkup(rows)


def ticked_numbers(markup: InlineKeyboardMarkup | None, question: str) -> list[int]:
    """The 1-based positions of the ticked options: the engine reads a multi-select answer as '1 3'."""
    if markup is None:
        return []
    toggles = [
        b for row in markup.inline_keyboard for b in row if (decode(str(b.callback_data)) or Press("", "", "")).action == TOGGLE
    ]
    return [
        n
        for n, b in enumerate(toggles, start=1)
        if decode(str(b.callback_data)).question == question and b.text.startswith(TICKED)
    ]  # type: ignore[union-attr]

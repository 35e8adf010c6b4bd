"""A posted form's fields as the structured answer they give to the question on screen, or what is wrong with them.

Any door that renders a question as an HTML form (the report form, the console taking a
report by phone) reads it back here. The form's values are option ids or the words of a
field; only what a page can get wrong is checked (nothing chosen, an empty or too long
answer), and the engine decides the rest.
"""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal

from intake.i18n import Translator
from intake.messages import Answer, Question

# The longest answer the form takes in one field: far past any report, short of a pasted book.
MAX_ANSWER_CHARS = 50_000


def answer(question: Question, form: Any, t: Translator) -> tuple[Answer | None, dict[str, str]]:
    """The answer the page gives to its question, or the errors to show on it, by field id."""
    if question.kind in ("choice", "yesno", "multi"):
        offered = {o.id for o in question.options}
        picked = tuple(v for v in form.getlist("answer") if v in offered)
        if not picked or (question.kind != "multi" and len(picked) != 1):
            return None, {"answer": t("Choose an answer, or skip this question")}
        return Answer(question.id, options=picked), {}
    text = form.get("answer", "").strip()
    if not text:
        return None, {"answer": t("Write an answer, or skip this question")}
    if len(text) > MAX_ANSWER_CHARS:
        limit = format_decimal(MAX_ANSWER_CHARS, locale=t.locale)  # 50,000 in English, 50.000 in Polish
        return None, {"answer": t("Your answer must be %(num)s characters or less.", num=limit)}
    return Answer(question.id, text=text), {}

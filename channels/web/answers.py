"""A posted page as the structured answer it gives, or what is wrong with it, in GOV.UK's words.

The form names the question its page showed; its values are option ids or the words
of a field. Only what a page can get wrong is checked here (nothing chosen, an empty
or too long answer, files that cannot be kept); the engine decides the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal

from channels.web import uploads
from intake.i18n import Translator
from intake.messages import Answer, Attachment, Question
from intake.store.crypto import DataKeys

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


def evidence(files: list[Any], folder: Path, keys: DataKeys, t: Callable[..., str]) -> tuple[list[Attachment], dict[str, str]]:
    """The files posted with a description, stored; or why none were kept: a reporter sees every refusal."""
    chosen = [f for f in files if f.filename]  # every browser sends an empty file input
    if len(chosen) > uploads.MAX_FILES:
        return [], {"evidence": t("You can only select up to %(num)s files at the same time", num=uploads.MAX_FILES)}
    checked: list[tuple[str, str, bytes]] = []
    for upload in chosen:
        data = upload.read(uploads.MAX_FILE_BYTES + 1)
        result = uploads.check(upload.filename, data)
        if isinstance(result, uploads.Rejected):
            return [], {"evidence": _refusal(result.reason, t)}
        checked.append((upload.filename, result, data))
    return [uploads.store(folder, name, kind, data, keys) for name, kind, data in checked], {}


def _refusal(reason: str, t: Callable[..., str]) -> str:
    if reason == "size":
        return too_big(t)
    if reason == "type":
        return t("The selected file must be a photo (JPG, PNG, GIF or WEBP) or a PDF")
    return t("The selected file's name does not match what is in it")


def too_big(t: Callable[..., str]) -> str:
    return t("The selected file must be smaller than %(size)s", size="10 MB")

"""A posted page as the structured answer it gives, or what is wrong with it, in GOV.UK's words.

Reading the fields is the core's (intake.posted), shared with the console; what is the
web form's own is its files: too many, too big, or not what their names say.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from channels.web import uploads
from intake.messages import Attachment
from intake.posted import MAX_ANSWER_CHARS, answer
from intake.store.crypto import DataKeys

# The form reads a posted page through the core's reader, as the console does; its own part is the files.
__all__ = ["MAX_ANSWER_CHARS", "answer", "evidence", "too_big"]


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
        kind, kept = result
        checked.append((upload.filename, kind, kept))
    return [uploads.store(folder, name, kind, data, keys) for name, kind, data in checked], {}


def _refusal(reason: str, t: Callable[..., str]) -> str:
    if reason == "size":
        return too_big(t)
    if reason == "type":
        return t("The selected file must be a photo (JPG, PNG, GIF or WEBP) or a PDF")
    return t("The selected file's name does not match what is in it")


def too_big(t: Callable[..., str]) -> str:
    return t("The selected file must be smaller than %(size)s", size="10 MB")

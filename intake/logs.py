"""Log lines as JSON, one object a line, each carrying the id of the request (or job) it belongs to.

What a log line may hold: what the code wrote (never a message body, name or number:
every call site logs ids, counts and exception types) and the fields below. An
exception's message is left out on purpose: a provider library or a validation error
may quote what a reporter sent, so only its type and where it was raised are kept.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
# A request id a proxy sends is kept only in the forms proxies use (a UUID, as Envoy and
# Heroku send, or 32 hex digits, as nginx's $request_id): any other value could carry a
# phone number or a reporter's words into every log line, so it is replaced with our own.
_GOOD_ID = re.compile(r"[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Attributes every LogRecord has; anything else on a record came from `extra=` and is kept.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


def new_request_id() -> str:
    return secrets.token_hex(16)


def request_id_from(given: str | None) -> str:
    """The X-Request-Id a request came with, when it is a plain id, else a fresh one."""
    if given and _GOOD_ID.fullmatch(given):
        return given
    return new_request_id()


@contextmanager
def request_id(value: str) -> Iterator[str]:
    """Every line logged inside carries this id."""
    token = REQUEST_ID.set(value)
    try:
        yield value
    finally:
        REQUEST_ID.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request_id, extras, and an exception's type and frames."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = REQUEST_ID.get()
        if rid:
            line["request_id"] = rid
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            kind, _, trace = record.exc_info
            line["exception"] = {
                "type": f"{kind.__module__}.{kind.__qualname__}",
                "frames": [f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(trace)],
            }
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(stream: TextIO | None = None, level: int = logging.INFO) -> logging.Handler:
    """Send every logger's lines to `stream` (stderr) as JSON; return the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_intake_json", False)]:
        root.removeHandler(old)
    handler._intake_json = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return handler

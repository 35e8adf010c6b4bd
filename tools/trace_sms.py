"""Trace one signed SMS through the app and count the project's files and functions it runs.

    .venv/bin/python tools/trace_sms.py

It walks an anonymous reporter on SMS up to the description question (by answering
whatever question the conversation is on), then traces two webhook requests: the
description, which opens the case, and a plain "1". For each it prints how many of the
project's files and functions ran, and how often control passed between the pipeline
and the engine, and between the pipeline and the cases module. Nothing leaves the
machine: the database is a temporary SQLite file and no reply is sent anywhere.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "trace-token"
PUBLIC_URL = "https://report.example.org"
REPORTER = "+447700900913"
MKCC_NUMBER = "+447700900101"
# Words (not numbers) so the walk does not depend on the order of the options.
WORDS = {"danger_now": "no", "role": "Myself", "identity": "Stay anonymous", "scope": "Yes"}
DESCRIPTION = "The man next door shouted racist abuse at me on the stairs last night"


def _module(filename: str) -> str | None:
    path = Path(filename)
    try:
        relative = path.resolve().relative_to(ROOT)
    except ValueError:
        return None
    if relative.parts[0] not in ("intake", "channels", "cli.py", "flask_app.py"):
        return None
    return ".".join(relative.with_suffix("").parts).removesuffix(".__init__")


def _area(module: str) -> str:
    if module.startswith("intake.engine"):
        return "engine"
    return {"intake.pipeline": "pipeline", "intake.cases": "cases"}.get(module, "other")


def trace(call) -> tuple[set[str], set[tuple[str, str]], Counter]:  # type: ignore[no-untyped-def]
    files: set[str] = set()
    functions: set[tuple[str, str]] = set()
    crossings: Counter = Counter()

    def profile(frame, event, arg):  # type: ignore[no-untyped-def]
        if event != "call":
            return
        module = _module(frame.f_code.co_filename)
        if module is None or "<" in frame.f_code.co_qualname:
            return  # comprehensions, generator expressions and lambdas are parts of a function, not functions
        files.add(module)
        functions.add((module, frame.f_code.co_qualname))
        caller = frame.f_back
        while caller is not None and _module(caller.f_code.co_filename) is None:
            caller = caller.f_back
        if caller is not None:
            pair = {_area(_module(caller.f_code.co_filename) or ""), _area(module)}
            if pair in ({"pipeline", "engine"}, {"pipeline", "cases"}):
                crossings["↔".join(sorted(pair, key=["pipeline", "engine", "cases"].index))] += 1

    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return files, functions, crossings


def main() -> int:
    from twilio.request_validator import RequestValidator

    folder = Path(tempfile.mkdtemp(prefix="trace-sms-"))
    os.environ.update(
        INTAKE_INSTANCE_PATH=str(folder),
        INTAKE_DATABASE_URL=f"sqlite:///{folder / 'trace.db'}",
        INTAKE_SECRET_KEY="trace-secret",
        INTAKE_PUBLIC_URL=PUBLIC_URL,
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_API_BASE="http://127.0.0.1:9",
    )
    from flask_app import create_app
    from intake.store import migrate
    from intake.store.models import ConversationRow

    app = create_app()
    intake = app.extensions["intake"]
    migrate.upgrade(intake.store.engine)
    client = app.test_client()
    sent = iter(range(1, 10_000))

    def sms(body: str):  # type: ignore[no-untyped-def]
        sid = f"SM{next(sent):032x}"
        form = {"MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": REPORTER, "To": MKCC_NUMBER, "Body": body, "NumMedia": "0"}
        signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + "/sms/inbound", form)
        response = client.post("/sms/inbound", data=form, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200, response.get_data(as_text=True)

    def step() -> str | None:
        with intake.store.transaction() as session:
            row = session.query(ConversationRow).filter(ConversationRow.status != "ended").one()
            return row.state.get("step")

    sms("hello")
    while (current := step()) != "description":
        if current not in WORDS:
            print(f"trace_sms: the walk met a question it has no answer for: {current}", file=sys.stderr)
            return 1
        sms(WORDS[current])
    for label, body in (("the description (opens the case)", DESCRIPTION), ('a plain "1"', "1")):
        files, functions, crossings = trace(lambda body=body: sms(body))
        shown = ", ".join(f"{k} {v}" for k, v in sorted(crossings.items())) or "none"
        print(f"{label}: {len(files)} files, {len(functions)} functions; crossings: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

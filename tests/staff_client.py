"""A case officer in Flask's test client: accounts made the way `intake staff add` makes them, real TOTP codes, forms with their CSRF tokens."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.store.crypto import write_file
from intake.store.models import AttachmentRow, CaseRow
from staff import accounts

PASSWORD = "correct horse battery staple"


def add_account(app: Flask, *, org: str = "mkcc", email: str = "officer@mkcc.example", role: str = "officer",
                name: str = "Olu Officer", password: str = PASSWORD) -> int:  # fmt: skip
    with app.extensions["intake"].store.transaction() as db:
        return accounts.add(db, org=org, email=email, name=name, role=role, password=password, at=datetime.now(UTC)).id


def attach(app: Flask, reference: str, data: bytes, *, content_type: str = "text/html") -> int:
    """A file on the case, encrypted on disk as the pipeline stores an upload; its attachment id."""
    store = app.extensions["intake"].store
    folder = Path(app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    with store.transaction() as db:
        case = db.scalar(select(CaseRow).where(CaseRow.reference == reference))
        path = folder / f"{reference}-{len(case.attachments)}.bin"
        write_file(path, data, store.keys)
        row = AttachmentRow(case=case, filename="x.html", content_type=content_type, size=len(data), stored_path=str(path),
                            received_at=datetime.now(UTC))  # fmt: skip
        db.add(row)
        db.flush()
        return row.id


def code_at(secret: str, steps_from_now: int = 0) -> str:
    """The code an authenticator app shows `steps_from_now` 30-second steps from now."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_from_now)


class Officer:
    def __init__(self, app: Flask, email: str = "officer@mkcc.example", password: str = PASSWORD):
        self.app, self.email, self.password = app, email, password
        self.client: FlaskClient = app.test_client()
        self.secret: str | None = None
        self.response: Any = None

    @property
    def page(self) -> str:
        return self.response.get_data(as_text=True)

    @property
    def status(self) -> int:
        return self.response.status_code

    def csrf(self) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.page)
        assert found, self.page[:2000]
        return found.group(1)

    def get(self, path: str, **kwargs: Any):
        self.response = self.client.get(path, **kwargs)
        return self.response

    def post(self, path: str, data: dict[str, Any] | None = None, *, token: str | None = None, **kwargs: Any):
        self.response = self.client.post(path, data={"csrf_token": token or self.csrf(), **(data or {})}, **kwargs)
        return self.response

    def password_step(self, password: str | None = None, next_path: str | None = None):
        self.get("/staff/login" + (f"?next={next_path}" if next_path else ""))
        return self.post("/staff/login", {"email": self.email, "password": password or self.password, "next": next_path or ""})

    def enrol(self, steps_from_now: int = -1):
        """First sign-in: the password, then the key the page shows once, confirmed with a real code."""
        self.password_step()
        assert self.response.headers["Location"].endswith("/staff/login/code"), self.status
        self.get("/staff/login/code")
        assert self.response.headers["Location"].endswith("/staff/login/enrol")
        self.get("/staff/login/enrol")
        key = re.search(r'<code id="totp-key">([A-Z2-7]+)</code>', self.page)
        assert key, self.page[:3000]
        self.secret = key.group(1)
        return self.post("/staff/login/enrol", {"code": code_at(self.secret, steps_from_now)})

    def sign_in(self, steps_from_now: int = 0, next_path: str | None = None):
        assert self.secret, "enrol first"
        self.password_step(next_path=next_path)
        self.get("/staff/login/code")
        return self.post("/staff/login/code", {"code": code_at(self.secret, steps_from_now)})

    def sign_out(self):
        self.get("/staff/")
        return self.post("/staff/logout")

    def case(self, reference: str):
        return self.get(f"/staff/cases/{reference}")

    def act(self, reference: str, action: str, data: dict[str, Any] | None = None, *, version: int | None = None):
        self.case(reference)
        seen = version if version is not None else int(re.search(r'name="version" value="(\d+)"', self.page).group(1))
        return self.post(f"/staff/cases/{reference}/{action}", {"version": seen, **(data or {})})

    def text(self) -> str:
        """The page's words without markup, as a screen reader would read them in order."""
        return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", self.page)))


def question_on(page: str) -> str:
    found = re.search(r'name="question" value="([^"]+)"', page)
    return found.group(1) if found else ""


def start_taking(officer: Officer, *, how: str, received: datetime, language: str = "en"):
    """The first page of a report taken another way: how it came, when (the landlord's clock) and the language."""
    at = received.astimezone(ZoneInfo("Europe/London"))
    officer.get("/staff/reports/new")
    return officer.post("/staff/reports/new", {"how": how, "received-day": at.day, "received-month": at.month,
                                               "received-year": at.year, "received-time": f"{at:%H:%M}", "language": language})  # fmt: skip


def take_report(officer: Officer, answers: dict[str, Any], *, how: str = "phone", received: datetime | None = None,
                language: str = "en", limit: int = 60, resume: bool = False):  # fmt: skip
    """Record a report taken another way: how and when it came, then the flow's questions by id, then save it.

    With `resume`, carry on with the report already started, from the question it is at.
    """
    if not resume:
        start_taking(officer, how=how, received=received or datetime.now(UTC), language=language)
        assert officer.status == 303, officer.text()[:2000]
    officer.get("/staff/reports/new/questions")
    for _ in range(limit):
        form_id = re.search(r'name="form_id" value="([^"]+)"', officer.page).group(1)
        question = question_on(officer.page)
        if not question:
            assert "Check the answers" in officer.page, officer.text()[:2000]
            return officer.post("/staff/reports/new/questions", {"action": "send", "form_id": form_id})
        value = answers.get(question)
        data = (
            {"action": "answer", "question": question, "answer": value}
            if value is not None
            else {"action": "skip", "question": question}
        )
        officer.post("/staff/reports/new/questions", {**data, "form_id": form_id})
        assert officer.status == 200, officer.text()[:2000]
    raise AssertionError("the questions never reached check the answers")


def account_row(session, *, email: str = "olu@mkcc.example", name: str = "Olu", role: str = "officer",  # type: ignore[no-untyped-def]
                org: str = "mkcc", at=None):  # fmt: skip
    """A staff account written straight to the database, for tests that act as an officer through intake.casework."""
    from datetime import UTC, datetime

    from intake.store.models import StaffAccountRow

    at = at or datetime.now(UTC)
    row = StaffAccountRow(org=org, email=email, name=name, role=role, password_hash="x", created_at=at, password_changed_at=at)
    session.add(row)
    session.flush()
    return row

"""The web form's session id and its CSRF token."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from flask import Request, Response

from intake.privacy import sender_key

COOKIE = "report_session"
CHANNEL = "web"
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_session_id() -> str:
    """256 random bits: the only thing the reporter's browser holds."""
    return secrets.token_urlsafe(32)


def session_id(request: Request) -> str | None:
    value = request.cookies.get(COOKIE)
    return value if value and _SESSION_ID.fullmatch(value) else None


def web_sender_key(secret: str, sid: str) -> str:
    """The conversation's key: a keyed hash, so the database never holds the cookie's value."""
    return sender_key(secret, CHANNEL, sid)


def csrf_token(secret: str, sid: str) -> str:
    """A token bound to this session: a page on another site can neither read nor make it."""
    return hmac.new(secret.encode(), f"csrf:{sid}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(secret: str, sid: str | None, token: str | None) -> bool:
    if not sid or not token:
        return False
    return hmac.compare_digest(csrf_token(secret, sid), token)


def set_session_cookie(response: Response, sid: str, secure: bool) -> None:
    # No Max-Age: the browser forgets it when it closes. Lax, not Strict, so arriving from
    # the landlord's own site still finds the report in progress.
    response.set_cookie(COOKIE, sid, httponly=True, secure=secure, samesite="Lax", path="/")

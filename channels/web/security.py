"""The web form's session id and its CSRF token.

The browser holds `<id>.<seal>`: a random id, sealed with the app's secret for one
landlord, under a cookie that only that landlord's form pages see. An id the app did not
issue for this landlord (a cookie someone wrote, or one from another landlord's form) is
not used: the page gets a fresh one. When a report starts, it starts under a new id
again, so an id someone planted in a shared browser before then, even one they had from
the app, never opens the report made after it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from flask import Request, Response

from intake.privacy import sender_key

COOKIE = "report_session"
CHANNEL = "web"
_COOKIE_VALUE = re.compile(r"^([A-Za-z0-9_-]{43})\.([0-9a-f]{32})$")


def new_session_id() -> str:
    """256 random bits: the only thing the reporter's browser holds, besides its seal."""
    return secrets.token_urlsafe(32)


def started_session_id(secret: str, sid: str, form_id: str | None) -> str:
    """The id a report starts under, never the one the browser came with.

    Drawn from the start page's own form id, which only that page carried, so a start
    posted twice (a double click) lands in the same report rather than two.
    """
    if not form_id:
        return new_session_id()
    digest = hmac.new(secret.encode(), f"web-session-start:{sid}:{form_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _seal(secret: str, org: str, sid: str) -> str:
    return hmac.new(secret.encode(), f"web-session:{org}:{sid}".encode(), hashlib.sha256).hexdigest()[:32]


def cookie_value(secret: str, org: str, sid: str) -> str:
    return f"{sid}.{_seal(secret, org, sid)}"


def issued_id(secret: str, org: str, value: str | None) -> str | None:
    """The session id in a cookie's value if this app issued it for this landlord, else None."""
    found = _COOKIE_VALUE.fullmatch(value or "")
    if found is None or not hmac.compare_digest(found.group(2), _seal(secret, org, found.group(1))):
        return None
    return found.group(1)


def session_id(request: Request, secret: str, org: str) -> str | None:
    """The id the browser holds for this landlord's form, when it is one we issued."""
    return issued_id(secret, org, request.cookies.get(COOKIE))


def cookie_path(org: str) -> str:
    # Only this landlord's form pages see it: another landlord's form never receives it.
    return f"/report/{org}/"


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


def set_session_cookie(response: Response, secret: str, org: str, sid: str, secure: bool) -> None:
    # No Max-Age: the browser forgets it when it closes. Lax, not Strict, so arriving from
    # the landlord's own site still finds the report in progress.
    value = cookie_value(secret, org, sid)
    response.set_cookie(COOKIE, value, httponly=True, secure=secure, samesite="Lax", path=cookie_path(org))


def forget_session_cookie(response: Response, org: str) -> None:
    response.delete_cookie(COOKIE, path=cookie_path(org))
    response.delete_cookie(COOKIE, path="/")  # where a cookie from before sessions were sealed lives

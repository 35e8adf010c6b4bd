"""The form's limits on posted pages, through Flask-Limiter, counted where every app process counts them.

INTAKE_RATELIMIT_STORAGE_URI says where: memory:// for one process (`intake run`), Redis
(or another store Flask-Limiter knows) for several, so two workers or hosts never each
allow the whole limit. A post is counted only once its CSRF token has been checked, so
only the reporter's own form spends the reporter's allowance. Two limits:
- per session (INTAKE_WEB_POSTS_PER_MINUTE): reporters behind one address, a housing
  office or a mobile network's shared address, are not held back by each other;
- per address (INTAKE_WEB_POSTS_PER_MINUTE_PER_ADDRESS, higher): one client starting
  session after session still meets a limit. The address is the client's as Werkzeug's
  ProxyFix reads it through INTAKE_TRUSTED_PROXIES hops.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, request
from flask_limiter import Limiter

from intake.privacy import sender_key

F = TypeVar("F", bound=Callable)
WINDOW_SECONDS = 60


class FormLimits:
    """The two limits on one app's form posts, kept in the configured store."""

    def __init__(self, storage_uri: str, per_session: int, per_address: int, secret: str, session_id: Callable[[], str]):
        self.per_session, self.per_address = per_session, per_address
        self._secret, self._session_id = secret, session_id
        self.limiter = Limiter(
            key_func=_address,
            storage_uri=storage_uri,
            strategy="moving-window",
            key_prefix="intake-web",
            # A store that cannot be reached must not stop someone reporting: count in this process until it is back.
            in_memory_fallback_enabled=True,
            swallow_errors=True,
        )

    def init_app(self, app: Flask) -> None:
        self.limiter.init_app(app)

    def counted(self, view: F) -> F:
        """`view`, counted against both limits each time it is called (raising RateLimitExceeded when over one)."""
        per_session = self.limiter.limit(f"{self.per_session}/minute", key_func=self._session, scope="web-session")
        per_address = self.limiter.limit(f"{self.per_address}/minute", key_func=_address, scope="web-address")
        return per_address(per_session(view))

    def retry_after(self) -> int:
        """Seconds until the limit this request broke lets another post through."""
        breached = self.limiter.current_limit
        if breached is None or not breached.breached:
            return WINDOW_SECONDS
        return max(1, min(WINDOW_SECONDS, math.ceil(breached.reset_at - time.time())))

    def _session(self) -> str:
        # A keyed hash: the store never holds the cookie that would let someone resume the report.
        return sender_key(self._secret, "web-ratelimit", self._session_id())


def _address() -> str:
    return request.remote_addr or "unknown"

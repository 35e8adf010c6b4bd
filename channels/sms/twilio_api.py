"""The real twilio REST client, pointed at TWILIO_API_BASE, and quiet about what it sends."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from channels.sms.config import DEFAULT_API_BASE, TwilioAccount

# twilio's client logs request URLs and response bodies at INFO; both can hold a phone number.
_quiet = logging.getLogger("channels.sms.twilio_http")
_quiet.setLevel(logging.WARNING)


class _RebasedHttpClient(TwilioHttpClient):
    """Sends what the client would send to api.twilio.com to another base (a fake Twilio in tests),
    and keeps the headers of each thread's last answer: TwilioRestException drops them, Retry-After with them."""

    def __init__(self, api_base: str, timeout: float):
        super().__init__(timeout=timeout, logger=_quiet)
        self.api_base = api_base
        self._answered = threading.local()

    def request(self, method: str, url: str, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def, override]
        if self.api_base != DEFAULT_API_BASE and url.startswith(DEFAULT_API_BASE):
            url = self.api_base + url[len(DEFAULT_API_BASE) :]
        self._answered.headers = {}
        response = super().request(method, url, *args, **kwargs)
        self._answered.headers = response.headers or {}
        return response

    def retry_after(self, now: datetime | None = None) -> float | None:
        """Seconds Twilio's last answer to this thread asked us to wait (Retry-After), or None when it did not say."""
        return retry_after_seconds(getattr(self._answered, "headers", {}).get("Retry-After"), now)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After in seconds: it may be a number of seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def client(account: TwilioAccount) -> Client:
    return Client(account.account_sid, account.auth_token, http_client=_RebasedHttpClient(account.api_base, account.timeout))


def media_prefix(account: TwilioAccount) -> str:
    """Media URLs Twilio gives us start with this; anything else is not fetched (no SSRF through MediaUrl)."""
    return f"{account.api_base}/2010-04-01/Accounts/{account.account_sid}/Messages/"

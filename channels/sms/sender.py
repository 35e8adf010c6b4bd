"""The SMS door's outbox sender: one queued message, one Twilio message, through the real REST client."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException

from channels.sms.config import SmsSection, TwilioAccount
from channels.sms.render import render
from channels.sms.twilio_api import client
from intake.errors import SendError
from intake.messages import OutboundMessage
from intake.outbox import Outgoing

# Twilio's times are whole seconds and its clock is not ours: a lookup starts a little before the attempt did.
CLOCK_MARGIN = timedelta(seconds=5)
# One page of the number's messages: far more than one reporter is sent in the minutes a lookup spans.
LOOKUP_PAGE = 50

# Twilio errors that will never succeed for this recipient, so retrying only repeats them.
# https://www.twilio.com/docs/api/errors
PERMANENT_CODES = {
    21211: "invalid To number",
    21408: "region not enabled",
    21610: "recipient unsubscribed (STOP)",
    21612: "cannot route to this number",
    21614: "not a mobile number",
    30004: "message blocked",
    30005: "unknown destination",
    30006: "landline or unreachable carrier",
}


class TwilioSmsSender:
    """Sends one SMS body per outbox row: a longer payload is first split into parts, one row each.

    Splitting before sending (see outbox.deliver_due) means a retry after a failure
    repeats only the part that failed, never the parts the reporter already has.
    """

    def __init__(self, accounts: Mapping[str, TwilioAccount], sections: Mapping[str, SmsSection], status_url: str):
        self.accounts = accounts
        self.sections = sections
        self.status_url = status_url
        # One client (and its connection pool) per landlord, not a new one for every message.
        self._clients = {org: client(account) for org, account in accounts.items()}

    def parts(self, message: Outgoing) -> list[dict[str, Any]] | None:
        payload = message.payload
        if "body" in payload:
            return None
        replies = [OutboundMessage.from_dict(m) for m in payload.get("messages", [])]
        bodies = render(replies)
        common = {k: v for k, v in payload.items() if k != "messages"}
        return [{**common, "body": body} for body in bodies]

    def send(self, message: Outgoing) -> str:
        account = self.accounts.get(message.org)
        sms = self.sections.get(message.org)
        if account is None or sms is None:
            raise SendError(f"SMS door is off for {message.org}", retryable=True)
        if not message.recipient:
            raise SendError("no number to send to", retryable=False)
        body = message.payload.get("body")
        if not body:
            raise SendError("nothing to send: the payload was never split into SMS bodies", retryable=False)
        twilio = self._clients[message.org]
        try:
            sent = twilio.messages.create(to=message.recipient, from_=sms.numbers[0], body=body, status_callback=self.status_url)
        except TwilioRestException as error:
            raise _send_error(error, twilio.http_client.retry_after()) from None
        except requests.RequestException as error:
            raise _network_error(error) from None
        return str(sent.sid)

    def sent_since(self, message: Outgoing, since: datetime) -> list[str]:
        """The sids of messages Twilio holds to this number, from the landlord's number, with this body, created since `since`."""
        sms, body = self.sections.get(message.org), message.payload.get("body")
        if message.org not in self._clients or sms is None or not message.recipient or not body:
            raise SendError("cannot look the message up: the SMS door is off for this landlord", retryable=True)
        after = since.replace(microsecond=0) - CLOCK_MARGIN
        messages = self._clients[message.org].messages
        wanted = {"to": message.recipient, "from_": sms.numbers[0], "limit": LOOKUP_PAGE}
        try:
            # Twilio dates a message when it hands it on: one still in its queue has no date_sent,
            # so no DateSent filter finds it. The newest page, unfiltered, does.
            queued = [m for m in messages.list(**wanted) if m.date_sent is None]
            found = queued + messages.list(date_sent_after=after, **wanted)
        except TwilioException as error:
            # A list page that fails is a bare TwilioException carrying the response, not a TwilioRestException.
            status = getattr(error.args[1], "status_code", "?") if len(error.args) > 1 else "?"
            raise SendError(f"looking the message up: Twilio {status}", retryable=True,
                            retry_after=self._clients[message.org].http_client.retry_after()) from None  # fmt: skip
        except requests.RequestException as error:
            raise SendError(f"could not look the message up at Twilio ({type(error).__name__})", retryable=True) from None
        return [str(m.sid) for m in found if _same(m, body, after)]


def _same(message: Any, body: str, after: datetime) -> bool:
    # Only what this worker sends (outbound-api): a webhook's TwiML reply with the same words is outbound-reply.
    created = message.date_created or message.date_sent
    return message.direction == "outbound-api" and message.body == body and created is not None and created >= after


def _network_error(error: requests.RequestException) -> SendError:
    if isinstance(error, requests.ConnectTimeout) or _never_connected(error):
        return SendError(f"could not reach Twilio ({type(error).__name__})", retryable=True)
    # The request may have reached Twilio, which may have taken the message: a read timeout, a dropped connection.
    if isinstance(error, requests.Timeout):
        return SendError("Twilio did not answer in time", retryable=True, outcome_unknown=True)
    return SendError(f"Twilio's answer was lost ({type(error).__name__})", retryable=True, outcome_unknown=True)


def _never_connected(error: requests.RequestException) -> bool:
    from urllib3.exceptions import NewConnectionError

    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(error, requests.ConnectionError) and isinstance(reason, NewConnectionError)


def _send_error(error: TwilioRestException, retry_after: float | None) -> SendError:
    # Twilio's own message text can quote the number, so only the status and code are kept.
    code = error.code if isinstance(error.code, int) else None
    reason = f"Twilio {error.status}" + (f" error {code}" if code else "")
    if code in PERMANENT_CODES:
        return SendError(f"{reason}: {PERMANENT_CODES[code]}", retryable=False)
    if error.status == 504:
        # A gateway that gave up waiting: Twilio behind it may still have taken the message.
        return SendError(reason, retryable=True, outcome_unknown=True)
    if error.status == 429 or error.status >= 500:
        return SendError(reason, retryable=True, retry_after=retry_after)
    return SendError(reason, retryable=False)

"""The SMS door's outbox sender: one queued message, one Twilio message, through the real REST client."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from twilio.base.exceptions import TwilioRestException

from channels.sms.config import SmsSection, TwilioAccount
from channels.sms.render import render
from channels.sms.twilio_api import client
from intake.errors import SendError
from intake.messages import OutboundMessage
from intake.outbox import Outgoing

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
        except requests.Timeout:
            raise SendError("Twilio did not answer in time", retryable=True) from None
        except requests.RequestException as error:
            raise SendError(f"could not reach Twilio ({type(error).__name__})", retryable=True) from None
        return str(sent.sid)


def _send_error(error: TwilioRestException, retry_after: float | None) -> SendError:
    # Twilio's own message text can quote the number, so only the status and code are kept.
    code = error.code if isinstance(error.code, int) else None
    reason = f"Twilio {error.status}" + (f" error {code}" if code else "")
    if code in PERMANENT_CODES:
        return SendError(f"{reason}: {PERMANENT_CODES[code]}", retryable=False)
    if error.status == 429 or error.status >= 500:
        return SendError(reason, retryable=True, retry_after=retry_after)
    return SendError(reason, retryable=False)

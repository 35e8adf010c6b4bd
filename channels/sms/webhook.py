"""Twilio's two webhooks: an incoming text (answered in TwiML) and a message's delivery status."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from channels.sms import media
from channels.sms.config import SmsSection, TwilioAccount, TwilioSettings, account_for, landlord_for_number
from channels.sms.form import MalformedForm, inbound_sms, status_callback
from channels.sms.render import render
from intake import outbox
from intake.messages import InboundMessage, OutboundMessage, utcnow
from intake.pipeline import Intake, already_handled, handle
from intake.privacy import sender_key
from intake.settings import Settings

log = logging.getLogger(__name__)
CHANNEL = "sms"
MAX_FORM_BYTES = 64 * 1024


@dataclass(frozen=True)
class Webhooks:
    """What the SMS webhooks need: the core, the Twilio accounts and each landlord's numbers."""

    intake: Intake
    twilio: TwilioSettings
    sections: Mapping[str, SmsSection]
    settings: Settings


def make_blueprint(here: Webhooks) -> Blueprint:
    webhooks = Blueprint("sms", __name__)
    webhooks.record_once(lambda setup: setup.app.extensions.__setitem__("sms", here))
    webhooks.add_url_rule("/sms/inbound", "inbound", inbound, methods=["POST"])
    webhooks.add_url_rule("/sms/status", "status", status, methods=["POST"])
    return webhooks


def _here() -> Webhooks:
    return current_app.extensions["sms"]


def _signed_url() -> str:
    """The URL Twilio signed: the public address it was given, not the one a proxy handed to us."""
    query = request.query_string.decode()
    return _here().settings.public_url + request.path + (f"?{query}" if query else "")


def _verified(account: TwilioAccount | None) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if account is None or not signature:
        return False
    # RequestValidator compares in constant time.
    return RequestValidator(account.auth_token).validate(_signed_url(), request.form.to_dict(), signature)


def _twiml(bodies: list[str], action: str | None = None) -> Response:
    response = MessagingResponse()
    for body in bodies:
        response.message(body, action=action)  # twilio leaves out an attribute that is None
    return Response(str(response), mimetype="application/xml")


def _verified_sender(landlord_number_field: str) -> tuple[str | None, TwilioAccount | None]:
    """The landlord whose number is in that field and its account, once the request is proven to be Twilio's.

    Aborts with 413 for an oversized form and 403 for a missing or wrong signature, before anything is touched.
    """
    if (request.content_length or 0) > MAX_FORM_BYTES:
        abort(413)
    here = _here()
    org = landlord_for_number(here.sections, request.form.get(landlord_number_field) or "")
    account = account_for(here.twilio, org)
    if not _verified(account):
        abort(403)
    return org, account


def inbound():  # type: ignore[no-untyped-def]
    org, account = _verified_sender("To")
    if org is None or account is None:
        log.info("sms: a text to a number no landlord here owns, ignored")
        return _twiml([])
    try:
        sms = inbound_sms(request.form)
    except MalformedForm as error:
        return {"error": "malformed Twilio webhook", "reason": str(error)}, 400
    if sms.account_sid != account.account_sid:
        return {"error": "malformed Twilio webhook", "reason": "AccountSid: not this landlord's Twilio account"}, 400
    here = _here()
    message = InboundMessage(
        org=org,
        channel=CHANNEL,
        sender_key=sender_key(here.settings.secret_key, CHANNEL, f"{org}:{sms.sender}"),
        text=sms.body,
        provider_id=sms.message_sid,
        instance=sms.account_sid,
        reply_address=sms.sender,
        received_at=utcnow(),
    )
    if sms.media and not already_handled(here.intake, message):
        # Fetched only for a message not handled before: a retry asks Twilio for nothing.
        kept, refused = media.fetch_all(account, sms.media, here.settings.uploads_dir, here.settings.keys)
        message = replace(message, attachments=tuple(kept), refused_files=tuple(refused))
    replies = handle(here.intake, message)
    return _twiml(render(replies), action=_delivery_url(sms.message_sid, replies))


def _delivery_url(message_sid: str, replies: list[OutboundMessage]) -> str | None:
    """Where Twilio reports how the reply carrying the Victims Code got on, so the case can show it."""
    if not any(reply.kind == "victims_code" for reply in replies):
        return None
    return f"{_here().settings.public_url}/sms/status?{urlencode({'reply_to': message_sid})}"


def status():  # type: ignore[no-untyped-def]
    _verified_sender("From")  # a status callback comes From the landlord's number
    try:
        report = status_callback(request.form)
    except MalformedForm as error:
        return {"error": "malformed Twilio status callback", "reason": str(error)}, 400
    at = utcnow()
    with _here().intake.store.transaction() as session:
        replying_to = request.args.get("reply_to")
        if replying_to:
            outbox.record_reply_delivery(session, CHANNEL, replying_to, report.status, at, instance=report.account_sid)
        else:
            outbox.record_delivery(session, report.message_sid, report.status, at)
    if report.error_code:
        log.info("sms status: a message ended %s with Twilio error %s", report.status, report.error_code)
    return "", 204

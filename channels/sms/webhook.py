"""Twilio's two webhooks: an incoming text (answered in TwiML) and a message's delivery status."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from channels import uploads
from channels.sms import media
from channels.sms.config import TwilioAccount, account_for
from channels.sms.form import MalformedForm, inbound_sms, status_callback
from channels.sms.render import render
from intake import outbox
from intake.i18n import translator
from intake.messages import InboundMessage, OutboundMessage, utcnow
from intake.orgs import profile_for_sms_number
from intake.pipeline import Intake, handle
from intake.privacy import sender_key
from intake.settings import Settings

log = logging.getLogger(__name__)
CHANNEL = "sms"
MAX_FORM_BYTES = 64 * 1024

webhooks = Blueprint("sms", __name__)


def _intake() -> Intake:
    return current_app.extensions["intake"]


def _settings() -> Settings:
    return current_app.config["INTAKE_SETTINGS"]


def _signed_url() -> str:
    """The URL Twilio signed: the public address it was given, not the one a proxy handed to us."""
    query = request.query_string.decode()
    return _settings().public_url + request.path + (f"?{query}" if query else "")


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
    profile = profile_for_sms_number(_intake().profiles, request.form.get(landlord_number_field) or "")
    org = profile.slug if profile else None
    account = account_for(_settings(), org)
    if not _verified(account):
        abort(403)
    return org, account


@webhooks.post("/sms/inbound")
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

    attachments, refused = media.fetch_all(account, sms.media, _settings().uploads_dir)
    if refused:
        log.info("sms %s: %d of %d attachments not kept", org, refused, len(sms.media))
    replies = handle(
        _intake(),
        InboundMessage(
            org=org,
            channel=CHANNEL,
            sender_key=sender_key(_settings().secret_key, CHANNEL, f"{org}:{sms.sender}"),
            text=sms.body,
            attachments=tuple(attachments),
            provider_id=sms.message_sid,
            reply_address=sms.sender,
            received_at=utcnow(),
        ),
    )
    if refused and replies:
        replies = _say_file_refused(replies)
    return _twiml(render(replies), action=_delivery_url(sms.message_sid, replies))


def _say_file_refused(replies: list[OutboundMessage]) -> list[OutboundMessage]:
    """Tell the reporter a photo was not kept, after any 999 advice (which always comes first)."""
    t = translator(replies[0].language or "en")
    notice = OutboundMessage(
        t("We could not keep that file. You can send photos, or PDF files up to %(num)d MB.", num=uploads.MAX_BYTES // 2**20),
        language=replies[0].language,
    )
    at = next((i for i, reply in enumerate(replies) if reply.kind != "danger"), len(replies))
    return [*replies[:at], notice, *replies[at:]]


def _delivery_url(message_sid: str, replies: list[OutboundMessage]) -> str | None:
    """Where Twilio reports how the reply carrying the Victims Code got on, so the case can show it."""
    if not any(reply.kind == "victims_code" for reply in replies):
        return None
    return f"{_settings().public_url}/sms/status?{urlencode({'reply_to': message_sid})}"


@webhooks.post("/sms/status")
def status():  # type: ignore[no-untyped-def]
    _verified_sender("From")  # a status callback comes From the landlord's number
    try:
        report = status_callback(request.form)
    except MalformedForm as error:
        return {"error": "malformed Twilio status callback", "reason": str(error)}, 400
    at = utcnow()
    with _intake().store.transaction() as session:
        replying_to = request.args.get("reply_to")
        if replying_to:
            outbox.record_reply_delivery(session, CHANNEL, replying_to, report.status, at)
        else:
            outbox.record_delivery(session, report.message_sid, report.status, at)
    if report.error_code:
        log.info("sms status: a message ended %s with Twilio error %s", report.status, report.error_code)
    return "", 204

"""POST /telegram/<org>/webhook: verify Telegram's secret header, then hand the update to the door.

A button press is answered in the response itself (Telegram runs one Bot API method
given there), so no press waits on a call to Telegram.
"""

from __future__ import annotations

import hmac
import json
import logging

from flask import Blueprint, abort, current_app, request

from channels.errors import BadRequest, Ignored
from channels.telegram.receive import Receiver

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1024 * 1024  # an update is a few kilobytes; Telegram sends nothing near this


def make_blueprint(receiver: Receiver) -> Blueprint:
    webhook = Blueprint("telegram", __name__)
    webhook.record_once(lambda setup: setup.app.extensions.__setitem__("telegram", receiver))
    webhook.add_url_rule("/telegram/<org>/webhook", "receive", receive, methods=["POST"])
    return webhook


def _receiver() -> Receiver:
    return current_app.extensions["telegram"]


def receive(org: str):  # type: ignore[no-untyped-def]
    receiver = _receiver()
    config = receiver.configs.get(org)
    if config is None:
        abort(404)
    given = request.headers.get(SECRET_HEADER, "")
    # Before reading the body: an unverified sender learns nothing, not even whether it parses.
    if not hmac.compare_digest(given.encode(), config.webhook_secret.encode()):
        return {"error": "forbidden"}, 403
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return {"error": "the body is too large for an update"}, 413
    try:
        data = json.loads(request.get_data(cache=False))
    except (ValueError, RecursionError):
        return {"error": "the body is not JSON"}, 400
    try:
        method = receiver.receive(org, data)
    except BadRequest as error:
        return {"error": str(error)}, 400
    except Ignored as error:
        return {"ignored": str(error)}, 200
    return method or {"ok": True}, 200

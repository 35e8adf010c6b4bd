"""POST /telegram/<org>/webhook: verify Telegram's secret header, then hand the update to the door."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable

from flask import Blueprint, abort, request

from channels.errors import BadRequest, Ignored
from channels.telegram.receive import Door

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def make_blueprint(door: Callable[[], Door]) -> Blueprint:
    webhook = Blueprint("telegram", __name__)

    @webhook.post("/telegram/<org>/webhook")
    def receive(org: str):  # type: ignore[no-untyped-def]
        config = door().configs.get(org)
        if config is None:
            abort(404)
        given = request.headers.get(SECRET_HEADER, "")
        # Before reading the body: an unverified sender learns nothing, not even whether it parses.
        if not hmac.compare_digest(given.encode(), config.webhook_secret.encode()):
            return {"error": "forbidden"}, 403
        data = request.get_json(silent=True)
        if data is None:
            return {"error": "the body is not JSON"}, 400
        try:
            door().receive(org, data)
        except BadRequest as error:
            return {"error": str(error)}, 400
        except Ignored as error:
            return {"ignored": str(error)}, 200
        return {"ok": True}, 200

    return webhook

"""A small fake of Twilio's REST API on 127.0.0.1, for the real twilio client to talk to.

It keeps what it was sent, checks the account's credentials as Twilio does, serves
MMS media, and can be told to fail the next requests: `fail_next("500", "429", "timeout", 21610)`;
"429:<seconds>" says how long to wait in Retry-After.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "fake-twilio-auth-token-0123456789"
HANG_SECONDS = 1.5


@dataclass
class Sent:
    to: str
    from_: str
    body: str
    status_callback: str | None
    sid: str


@dataclass
class FakeTwilio:
    port: int = 0
    sent: list[Sent] = field(default_factory=list)
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    deleted_media: list[str] = field(default_factory=list)
    media_fetches: int = 0
    failures: deque = field(default_factory=deque)
    requests: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail_next(self, *failures: str | int) -> None:
        self.failures.extend(failures)

    def add_media(self, content_type: str, data: bytes, *, message_sid: str | None = None) -> str:
        """Register a photo and return the MediaUrl Twilio would put in the webhook."""
        message_sid = message_sid or "MM" + secrets.token_hex(16)
        url = f"{self.base}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{message_sid}/Media/ME{secrets.token_hex(16)}"
        self.media[url.removeprefix(self.base)] = (content_type, data)
        return url

    # ---- the WSGI app --------------------------------------------------------------------
    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        return self.respond(Request(environ))(environ, start_response)

    def respond(self, request: Request) -> Response:
        self.requests += 1
        if not self._authorised(request):
            return _error(401, 20003, "Authenticate")
        path = request.path
        if self.failures:
            failure = self.failures.popleft()
            if failure == "timeout":
                time.sleep(HANG_SECONDS)
                return _error(504, None, "too late")
            if failure == "500":
                return _error(500, None, "Internal Server Error")
            if isinstance(failure, str) and failure.startswith("429"):
                refused = _error(429, 20429, "Too Many Requests")
                if ":" in failure:
                    refused.headers["Retry-After"] = failure.split(":", 1)[1]
                return refused
            if isinstance(failure, int):
                return _error(400, failure, "The message From/To pair violates a blacklist rule.")
        if request.method == "POST" and path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json":
            return self._create_message(request)
        if request.method == "GET" and path in self.media:
            self.media_fetches += 1
            content_type, data = self.media[path]
            return Response(data, content_type=content_type)
        if request.method == "DELETE" and path.removesuffix(".json") in self.media:
            self.deleted_media.append(path.removesuffix(".json"))
            return Response(status=204)
        return _error(404, 20404, "The requested resource was not found")

    def _authorised(self, request: Request) -> bool:
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        return request.headers.get("Authorization") == expected

    def _create_message(self, request: Request) -> Response:
        form = request.form
        sid = "SM" + secrets.token_hex(16)
        self.sent.append(Sent(form["To"], form["From"], form["Body"], form.get("StatusCallback"), sid))
        return Response(
            _json({"sid": sid, "status": "queued", "to": form["To"], "from": form["From"], "body": form["Body"],
                   "account_sid": ACCOUNT_SID, "num_segments": "1", "direction": "outbound-api"}),
            status=201, content_type="application/json",
        )  # fmt: skip


def _json(data: dict) -> str:
    import json

    return json.dumps(data)


def _error(status: int, code: int | None, message: str) -> Response:
    body = {"status": status, "message": message, "code": code, "more_info": "https://www.twilio.com/docs/errors"}
    return Response(_json(body), status=status, content_type="application/json")


class Serving:
    """The fake, served on a free loopback port in a thread until stopped."""

    def __init__(self) -> None:
        self.fake = FakeTwilio()
        self.server = make_server("127.0.0.1", 0, self.fake, threaded=True)
        self.fake.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join()

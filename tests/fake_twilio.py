"""A small fake of Twilio's REST API on 127.0.0.1, for the real twilio client to talk to.

It keeps what it was sent, checks the account's credentials as Twilio does, serves
MMS media, lists the messages it holds (To, From and DateSent filters, newest first),
and can be told to fail the next requests: `fail_next("500", "429", "timeout", 21610)`.

- "timeout": answer too late for the client, having taken nothing;
- "stall": take the message, then answer too late for the client (the send whose outcome is unknown);
- "429:<seconds>": too many requests, with Retry-After; "500"; a number: that Twilio error;
- "ok": answer as usual (so a list can say which requests in turn fail).

With `queueing` set, messages stay in Twilio's queue: no date_sent, as until Twilio hands them on.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

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
    created: datetime | None = None
    date_sent: datetime | None = None
    direction: str = "outbound-api"  # a webhook's TwiML reply is "outbound-reply"


@dataclass
class FakeTwilio:
    port: int = 0
    sent: list[Sent] = field(default_factory=list)
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    deleted_media: list[str] = field(default_factory=list)
    media_fetches: int = 0
    failures: deque = field(default_factory=deque)
    requests: int = 0
    lookups: int = 0
    queueing: bool = False
    # Twilio's own clock: a test whose worker runs on a clock of its own gives the fake the same one.
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    stall_seconds: float = HANG_SECONDS

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
        messages = path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
        if self.failures:
            failure = self.failures.popleft()
            if failure == "timeout":
                time.sleep(HANG_SECONDS)
                return _error(504, None, "too late")
            if failure == "stall" and request.method == "POST" and messages:
                taken = self._create_message(request)
                time.sleep(self.stall_seconds)
                return taken
            if failure == "500":
                return _error(500, None, "Internal Server Error")
            if isinstance(failure, str) and failure.startswith("429"):
                refused = _error(429, 20429, "Too Many Requests")
                if ":" in failure:
                    refused.headers["Retry-After"] = failure.split(":", 1)[1]
                return refused
            if isinstance(failure, int):
                return _error(400, failure, "The message From/To pair violates a blacklist rule.")
        if request.method == "POST" and messages:
            return self._create_message(request)
        if request.method == "GET" and messages:
            return self._list_messages(request)
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
        sid, now = "SM" + secrets.token_hex(16), self.clock()
        sent = Sent(form["To"], form["From"], form["Body"], form.get("StatusCallback"), sid, now, None if self.queueing else now)
        self.sent.append(sent)
        return Response(_json(_resource(sent)), status=201, content_type="application/json")

    def _list_messages(self, request: Request) -> Response:
        """Twilio's Messages list: To, From and DateSent (=, < and >) filters, newest first, one page."""
        self.lookups += 1
        args = request.args
        found = [m for m in reversed(self.sent) if args.get("To") in (None, m.to) and args.get("From") in (None, m.from_)]
        for key, keep in (("DateSent>", lambda d, at: d >= at), ("DateSent<", lambda d, at: d <= at),
                          ("DateSent", lambda d, at: d.date() == at.date())):  # fmt: skip
            if key in args:
                at = datetime.fromisoformat(args[key].replace("Z", "+00:00"))
                found = [m for m in found if m.date_sent is not None and keep(m.date_sent, at)]
        size = int(args.get("PageSize", 50))
        uri = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
        page = {"messages": [_resource(m) for m in found[:size]], "end": min(len(found), size) - 1, "first_page_uri": uri,
                "next_page_uri": None, "page": 0, "page_size": size, "previous_page_uri": None, "start": 0, "uri": uri}  # fmt: skip
        return Response(_json(page), content_type="application/json")


def _rfc2822(at: datetime | None) -> str | None:
    return format_datetime(at.astimezone(UTC), usegmt=True) if at else None


def _resource(m: Sent) -> dict:
    return {"sid": m.sid, "status": "queued" if m.date_sent is None else "sent", "to": m.to, "from": m.from_, "body": m.body,
            "account_sid": ACCOUNT_SID, "num_segments": "1", "direction": m.direction,
            "date_created": _rfc2822(m.created), "date_sent": _rfc2822(m.date_sent)}  # fmt: skip


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

"""A small fake of the Telegram Bot API on 127.0.0.1, for python-telegram-bot's real Bot to talk to.

It records every call, keeps per-chat message ids as Telegram does, serves getUpdates
from a queue and files for download, and can be told to answer a method with a 429
(and retry_after), a 500, by dropping the connection, by hanging before it acts, or by
acting and then hanging past the client's timeout (a send whose outcome is unknown).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from typing import Any
from urllib.parse import parse_qs, unquote

JSON_FIELDS = {"reply_markup", "message_ids", "commands", "allowed_updates", "chat_id", "message_id", "offset", "timeout"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]


class FakeTelegram:
    def __init__(self, token: str):
        self.token = token
        self.tokens = {token}  # more bots may share the fake: add their tokens
        self.calls: list[Call] = []
        self.updates: list[dict] = []
        self.files: dict[str, bytes] = {}
        self.sent: list[dict] = []  # every message the bot sent, as Telegram returned it
        self.markups: dict[tuple[int, int], Any] = {}  # each message's keyboard as it now stands
        self.deleted: set[tuple[int, int]] = set()
        self._faults: dict[str, list[str]] = {}
        self._message_ids: dict[int, count] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        # A short poll interval: shutdown() waits for the loop to look, and tests stop many fakes.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeTelegram:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ---- what a test tells it ----------------------------------------------------------
    def fail(self, method: str, *outcomes: str) -> None:
        """Answer the next calls of `method` with these, in turn: '429:<seconds>', '500', '400', 'drop',
        'hang:<seconds>' (wait, then act), 'stall:<seconds>' (act, then wait before answering) or 'ok' (as usual)."""
        with self._lock:
            self._faults.setdefault(method, []).extend(outcomes)

    def queue_update(self, update: dict) -> None:
        with self._lock:
            self.updates.append(update)

    def of(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [c.params for c in self.calls if c.method == method]

    def next_message_id(self, chat_id: int) -> int:
        with self._lock:
            return next(self._message_ids.setdefault(chat_id, count(1)))

    # ---- the API -----------------------------------------------------------------------
    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": 42, "is_bot": True, "first_name": "Report", "username": "report_test_bot"}
        if method == "sendMessage":
            chat_id = int(params["chat_id"])
            message = {
                "message_id": self.next_message_id(chat_id),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": 42, "is_bot": True, "first_name": "Report"},
                "text": params["text"],
            }
            with self._lock:
                self.sent.append({**message, "reply_markup": params.get("reply_markup")})
                self.markups[(chat_id, message["message_id"])] = params.get("reply_markup")
            return message
        if method == "editMessageReplyMarkup":
            with self._lock:
                self.markups[(int(params["chat_id"]), int(params["message_id"]))] = params.get("reply_markup")
            return True
        if method == "deleteMessages":
            with self._lock:
                self.deleted.update((int(params["chat_id"]), i) for i in params["message_ids"])
            return True
        if method == "getUpdates":
            offset = params.get("offset") or 0
            deadline = time.monotonic() + min(float(params.get("timeout") or 0), 0.2)
            while True:
                with self._lock:
                    self.updates = [u for u in self.updates if u["update_id"] >= offset]
                    ready = list(self.updates)
                if ready or time.monotonic() >= deadline:
                    return ready
                time.sleep(0.02)
        if method == "getFile":
            file_id = params["file_id"]
            data = self.files.get(file_id, b"")
            return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(data), "file_path": f"files/{file_id}"}
        if method in {"answerCallbackQuery", "setWebhook"}:
            return True
        if method in {"deleteWebhook", "setMyCommands"}:
            return True
        raise KeyError(method)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                path = unquote(self.path)
                prefix = next((f"/file/bot{t}/files/" for t in fake.tokens if path.startswith(f"/file/bot{t}/files/")), "")
                if not prefix or path[len(prefix) :] not in fake.files:
                    self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                    return
                data = fake.files[path[len(prefix) :]]
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                path = unquote(self.path)
                prefix = next((f"/bot{t}/" for t in fake.tokens if path.startswith(f"/bot{t}/")), "")
                if not prefix:
                    self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    return
                method = path[len(prefix) :]
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                params = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                for key in JSON_FIELDS & params.keys():
                    params[key] = json.loads(params[key])
                with fake._lock:
                    faults = fake._faults.get(method) or []
                    fault = faults.pop(0) if faults else None
                    fake.calls.append(Call(method if fault is None else f"{method}!{fault}", params))
                if fault == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                if fault and fault.startswith("hang:"):
                    time.sleep(float(fault.split(":")[1]))
                if fault and fault.startswith("stall:"):
                    done = fake._answer(method, params)
                    time.sleep(float(fault.split(":")[1]))
                    with contextlib.suppress(OSError):  # the client stopped waiting long ago
                        self._reply(200, {"ok": True, "result": done})
                    return
                if fault == "500":
                    self._reply(500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})
                    return
                if fault == "400":
                    self._reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: file is too big"})
                    return
                if fault and fault.startswith("429:"):
                    wait = int(fault.split(":")[1])
                    self._reply(
                        429,
                        {
                            "ok": False,
                            "error_code": 429,
                            "description": f"Too Many Requests: retry after {wait}",
                            "parameters": {"retry_after": wait},
                        },
                    )
                    return
                self._reply(200, {"ok": True, "result": fake._answer(method, params)})

        return Handler

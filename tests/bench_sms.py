"""`make bench`: the SMS webhook under a concurrent load of signed Twilio requests, served by waitress.

The baseline is a bare Flask route returning fixed TwiML, served by the same waitress
settings and hit by the same load in the same run, so the ratio shows what the door
itself costs: signature check, form model, one pipeline transaction, rendering.
Each client thread is one reporter walking a whole anonymous report.
"""

from __future__ import annotations

import logging
import statistics
import tempfile
import threading
import time
from pathlib import Path

import requests
from flask import Flask, Response
from waitress.server import create_server

from intake.store import migrate
from intake.store.db import Store
from tests.fake_twilio import AUTH_TOKEN
from tests.sms_support import PUBLIC_URL, fake_twilio, inbound_form, signature, sms_config

CLIENTS = 8
SERVER_THREADS = 4
REPORTS_PER_CLIENT = 4
SCRIPT = ["hello", "2", "1", "3", "1", "They shouted abuse at me and wrote on my door", "last night",
          "Saxon Gate, MK9 3EJ", "1", "1", "A man from the next block", "1 3", "2", "1", "SEND"]  # fmt: skip
FIXED_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thank you.</Message></Response>'


def _serve(app: Flask) -> str:
    """Serve in a daemon thread for the rest of the run."""
    server = create_server(app, host="127.0.0.1", port=0, threads=SERVER_THREADS)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}"


def _bare_app() -> Flask:
    app = Flask("bare")

    @app.post("/sms/inbound")
    def inbound():  # type: ignore[no-untyped-def]
        return Response(FIXED_TWIML, mimetype="application/xml")

    return app


def _load(base: str) -> tuple[list[float], float]:
    """Every client walks its reports in turn; returns each request's latency and the wall time."""
    latencies: list[float] = []
    lock = threading.Lock()

    def reporter(client: int) -> None:
        session = requests.Session()
        mine: list[float] = []
        for report in range(REPORTS_PER_CLIENT):
            sender = f"+4477009{client:02d}{report:03d}"
            for text in SCRIPT:
                form = inbound_form(text, sender=sender)
                headers = {"X-Twilio-Signature": signature(form, PUBLIC_URL + "/sms/inbound", AUTH_TOKEN)}
                start = time.perf_counter()
                response = session.post(base + "/sms/inbound", data=form, headers=headers, timeout=30)
                mine.append(time.perf_counter() - start)
                assert response.status_code == 200, response.status_code
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=reporter, args=(n,)) for n in range(CLIENTS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - start


def _summary(latencies: list[float], wall: float) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return len(latencies) / wall, statistics.median(ordered) * 1000, p99 * 1000


def main() -> None:
    logging.disable(logging.WARNING)
    from flask_app import create_app

    with tempfile.TemporaryDirectory() as folder, fake_twilio() as twilio:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        migrate.upgrade(Store(url).engine)
        door = _serve(create_app(sms_config(Path(folder), url, twilio.fake.base)))
        bare = _serve(_bare_app())
        _load(bare)  # warm both up: imports, connection pools, the language detector
        _load(door)
        bare_rate, bare_p50, bare_p99 = _summary(*_load(bare))
        rate, p50, p99 = _summary(*_load(door))

    total = CLIENTS * REPORTS_PER_CLIENT * len(SCRIPT)
    print(
        f"SMS webhook: {CLIENTS} concurrent reporters, {total} signed requests, waitress with {SERVER_THREADS} threads, SQLite (WAL)"
    )
    print(f"  door     {rate:7.0f} msg/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
    print(
        f"  baseline {bare_rate:7.0f} msg/s   p50 {bare_p50:6.2f} ms   p99 {bare_p99:6.2f} ms   (bare Flask route, fixed TwiML)"
    )
    print(
        f"  ratio    throughput {rate / bare_rate:.2f}x of baseline; p50 {p50 / bare_p50:.1f}x, p99 {p99 / bare_p99:.1f}x baseline latency"
    )


if __name__ == "__main__":
    main()

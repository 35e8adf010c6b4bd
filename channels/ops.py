"""What operators and their tools ask of every deployment: liveness, readiness, metrics, and a request id on every line.

- `/healthz`: the process answers (liveness). It touches nothing else, so a database
  outage never gets healthy processes restarted.
- `/readyz`: the database answers and its schema is at the newest migration (readiness);
  503 with the reason otherwise.
- `/metrics`: Prometheus' text format. With INTAKE_METRICS_TOKEN set it needs that token
  as a bearer token (401 otherwise); without it, it answers only to this machine (403).
- Every request gets an id (the X-Request-Id it came with, when that is a plain id, or a
  new one), which every log line written while handling it carries and the response
  echoes. Each request is logged as one line: method, route pattern, status, duration.
  Never its path or query, which a scanner or a client could fill with anything.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from typing import Any

from flask import Blueprint, Response, g, request

from intake import logs, metrics
from intake.store import migrate

log = logging.getLogger("intake.requests")
REQUEST_ID_HEADER = "X-Request-Id"


def blueprint(settings: Any, assembly: Any) -> Blueprint:
    ops = Blueprint("ops", __name__)
    doors = {door.name for door in assembly.doors}
    intake = assembly.intake
    database = metrics.DatabaseCollector(intake.store, intake.profiles, sorted(doors))
    scraped = metrics.registry(database, settings.prometheus_multiproc_dir)

    @ops.before_app_request
    def _start() -> None:
        g.request_started = time.perf_counter()
        g.request_id = logs.request_id_from(request.headers.get(REQUEST_ID_HEADER))
        logs.REQUEST_ID.set(g.request_id)

    @ops.after_app_request
    def _finish(response: Response) -> Response:
        started = g.pop("request_started", None)
        if started is None:
            return response
        seconds = time.perf_counter() - started
        response.headers[REQUEST_ID_HEADER] = g.request_id
        door = request.blueprint if request.blueprint in doors else None
        endpoint = (request.endpoint or "").rsplit(".", 1)[-1]
        if door is not None and endpoint != "static":
            metrics.WEBHOOK_SECONDS.labels(door, endpoint, str(response.status_code)).observe(seconds)
        route = request.url_rule.rule if request.url_rule is not None else None
        log.info("request", extra={"method": request.method, "route": route, "status": response.status_code,
                                   "duration_ms": round(seconds * 1000, 1)})  # fmt: skip
        return response

    @ops.teardown_app_request
    def _forget(error: BaseException | None) -> None:
        # The thread serves other requests next: none of them may carry this id.
        logs.REQUEST_ID.set(None)

    @ops.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        return {"status": "ok"}

    @ops.get("/readyz")
    def readyz():  # type: ignore[no-untyped-def]
        problem = migrate.not_ready(intake.store.engine)
        if problem is not None:
            return {"status": "unavailable", "reason": problem}, 503
        return {"status": "ready"}

    @ops.get("/metrics")
    def scrape():  # type: ignore[no-untyped-def]
        refused = _refused(settings.metrics_token)
        if refused is not None:
            return refused
        return Response(metrics.exposition(scraped), mimetype=metrics.CONTENT_TYPE)

    return ops


def _refused(token: str) -> tuple[dict, int, dict] | None:
    """Why this client may not read the metrics, or None when it may."""
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return None
        return {"error": "a valid bearer token is required"}, 401, {"WWW-Authenticate": 'Bearer realm="metrics"'}
    if _loopback(request.remote_addr):
        return None
    return {"error": "metrics answer only on loopback unless INTAKE_METRICS_TOKEN is set"}, 403, {}


def _loopback(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def describe(settings: Any) -> list[str]:
    protected = "bearer token" if settings.metrics_token else "loopback only"
    return [f"operations: /healthz, /readyz and /metrics ({protected}) on"]

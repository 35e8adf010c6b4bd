"""Every response carries the hardening headers: pages, webhooks, health, errors and static files, on every route.

The app sets them on whatever a blueprint did not, so the console keeps its own policy.
"""

from __future__ import annotations

import re

import pytest

from channels import headers
from flask_app import create_app
from intake.store import migrate
from intake.store.db import Store
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN
from tests.harness import TEST_DATA_KEYS

STAFF_POLICY = "default-src 'self'; img-src 'self' data:"


def make_app(tmp_path, **env: str):
    url = f"sqlite:///{tmp_path / 'headers.db'}"
    migrate.upgrade(Store(url).engine)
    config = {"INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_DATABASE_URL": url, "INTAKE_SECRET_KEY": "headers-test-secret",
              "INTAKE_DATA_KEYS": TEST_DATA_KEYS, "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
              "TELEGRAM_BOT_TOKEN_MKCC": "123456:TEST-token", "TELEGRAM_API_BASE": "http://127.0.0.1:9", **env}  # fmt: skip
    app = create_app(config)

    # A route with a bug, for the 500 page: added before the app serves anything, as any blueprint's are.
    @app.get("/broken-for-the-test")
    def broken():  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug")

    return app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("headers"))


def assert_hardened(response, where: str) -> None:
    h = response.headers
    assert h.get("X-Frame-Options") == "DENY", where
    assert h.get("X-Content-Type-Options") == "nosniff", where
    assert h.get("Referrer-Policy") == "no-referrer", where
    assert h.get("Cache-Control") == "no-store", where
    assert "frame-ancestors 'none'" in h.get("Content-Security-Policy", ""), where
    assert "unsafe-inline" not in h["Content-Security-Policy"], where
    assert h.get("Permissions-Policy") and h.get("Cross-Origin-Opener-Policy") == "same-origin", where


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        pytest.param("GET", "/", 200, id="the index"),
        pytest.param("GET", "/victims-code/mkcc?lang=pl", 200, id="a Victims Code page"),
        pytest.param("GET", "/report/mkcc/", 200, id="a report page"),
        pytest.param("GET", "/healthz", 200, id="liveness"),
        pytest.param("GET", "/readyz", 200, id="readiness"),
        pytest.param("GET", "/metrics", 200, id="metrics"),
        pytest.param("POST", "/sms/inbound", 403, id="an unsigned Twilio webhook"),
        pytest.param("POST", "/telegram/mkcc/webhook", 403, id="a Telegram webhook without its secret"),
        pytest.param("GET", "/pages/pages.css", 200, id="the pages' stylesheet"),
        pytest.param("GET", "/web/web/web.css", 200, id="a static file of the form"),
        pytest.param("GET", "/no/such/page", 404, id="Flask's 404"),
        pytest.param("GET", "/staff/no/such/page", 404, id="a 404 under the console"),
        pytest.param("POST", "/healthz", 405, id="Flask's 405"),
        pytest.param("GET", "/broken-for-the-test", 500, id="a 500 from a bug"),
    ],
)
def test_each_kind_of_response_carries_the_hardening_headers(app, method, path, status):
    response = app.test_client().open(path, method=method)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert_hardened(response, path)


def test_every_route_the_app_has_answers_with_the_hardening_headers(app):
    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: "mkcc" if m.group(1) == "org" else "x", rule.rule)
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS", "HEAD"})[0]
        assert_hardened(client.open(path, method=method), f"{method} {rule.rule}")
        checked += 1
    assert checked > 30


def test_the_console_keeps_its_own_policy_and_gains_the_rest(app):
    for path in ("/staff/login", "/staff/static/build/staff.min.css", "/staff/"):
        response = app.test_client().get(path)
        assert response.headers["Content-Security-Policy"].startswith(STAFF_POLICY), path
        assert response.headers["Content-Security-Policy"] != headers.CONTENT_SECURITY_POLICY
        assert_hardened(response, path)


def test_the_pages_outside_the_form_have_no_inline_style_or_script_for_the_policy_to_block(app):
    for path in ("/", "/victims-code/mkcc", "/victims-code/wchg?size=large"):
        page = app.test_client().get(path).get_data(as_text=True)
        assert "<style" not in page and " style=" not in page, path
        # Exit this page's script is a file from this site, as the policy allows; nothing inline.
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
        assert scripts and all(re.search(r' src="/[^/]', attrs) and not body.strip() for attrs, body in scripts), path
        assert '<link rel="stylesheet" href="/pages/pages.css">' in page


def test_hsts_is_on_every_response_when_the_service_is_public_over_https(tmp_path):
    app = make_app(tmp_path, INTAKE_PUBLIC_URL="https://report.example.org")
    for path in ("/", "/healthz", "/no/such/page", "/staff/login", "/victims-code/mkcc"):
        response = app.test_client().get(path, base_url="https://report.example.org")
        assert response.headers["Strict-Transport-Security"] == headers.HSTS, path

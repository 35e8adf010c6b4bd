"""Whatever a provider sends, properly signed, no webhook answers 5xx: 3,000 generated requests each.

The requests are near real ones (recorded payloads and Twilio's own fields) with parts
replaced by anything JSON or a form can hold: wrong types, huge and empty values, odd
scripts and control characters, extra and missing fields. Each is signed as the provider
signs, so it reaches the parsing, the pipeline and the replies. Providers' other hosts
are pointed at a closed port, so a fetch fails at once, as a provider that is down does.
"""

from __future__ import annotations

import json
import socket
from itertools import count
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flask_app import create_app
from intake.store import migrate
from intake.store.db import Store
from tests.harness import TEST_DATA_KEYS
from tests.sms_support import MKCC_NUMBER, PUBLIC_URL, REPORTER, inbound_form, post_signed, status_form

CASES = 3_000
FUZZ = settings(max_examples=CASES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
TOKEN = "123456:FUZZ-token"
SECRET = "fuzz-webhook-secret"
DATA = Path(__file__).parent / "data" / "telegram"
_ids = count(1)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{folder / 'fuzz.db'}"
    migrate.upgrade(Store(url).engine)
    nowhere = f"http://127.0.0.1:{_closed_port()}"
    from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN

    app = create_app(
        {
            "INTAKE_INSTANCE_PATH": str(folder),
            "INTAKE_DATABASE_URL": url,
            "INTAKE_SECRET_KEY": "fuzz-secret",
            "INTAKE_DATA_KEYS": TEST_DATA_KEYS,
            "INTAKE_PUBLIC_URL": PUBLIC_URL,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_API_BASE": nowhere,
            "TWILIO_TIMEOUT_SECONDS": "0.2",
            "TELEGRAM_BOT_TOKEN_MKCC": TOKEN,
            "TELEGRAM_WEBHOOK_SECRET_MKCC": SECRET,
            "TELEGRAM_API_BASE": nowhere,
            "TELEGRAM_TIMEOUT_SECONDS": "0.2",
        }
    )
    return app.test_client()


# ---- what providers might send ------------------------------------------------------------------
# Kept cheap to draw: 3,000 cases a webhook must take seconds, not minutes.
odd_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "0", "-1", "1e9", "NaN", "null", "true", "STOP", "EXIT", "yes", "1 3", "+447700900913",
                     "\x00", "\u202e", "ل" * 50, "😀" * 30, "a" * 5000, "MMxyz", "%PDF-1.7", "http://127.0.0.1/x"]),
)  # fmt: skip
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), odd_text)
json_value = st.one_of(
    json_leaf,
    st.lists(json_leaf, max_size=4),
    st.dictionaries(odd_text, json_leaf, max_size=4),
    st.lists(st.dictionaries(odd_text, json_leaf, max_size=3), max_size=3),
)


def _recorded(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


BASES = ["text", "photo", "document", "callback_query", "start", "sticker", "edited_message"]


def _paths(value, prefix=()):  # type: ignore[no-untyped-def]
    """Every place in a JSON document a fuzzer may put something else."""
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _paths(inner, (*prefix, index))


def _replaced(document, path, new):  # type: ignore[no-untyped-def]
    if not path:
        return new
    copy = json.loads(json.dumps(document))
    target = copy
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = new
    return copy


@st.composite
def telegram_updates(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    update = _recorded(BASES[draw(st.integers(min_value=0, max_value=len(BASES) - 1))])
    update["update_id"] = next(_ids)
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        paths = list(_paths(update))
        update = _replaced(update, paths[draw(st.integers(min_value=0, max_value=len(paths) - 1))], draw(json_value))
    if draw(st.booleans()) and isinstance(update, dict):
        update = {**update, draw(odd_text): draw(json_value)}
    return update


TWILIO_FIELDS = ["MessageSid", "AccountSid", "From", "To", "Body", "NumMedia", "MediaUrl0", "MediaContentType0",
                 "MessageStatus", "ErrorCode", "SmsSid", "NumSegments"]  # fmt: skip


@st.composite
def twilio_forms(draw: st.DrawFn, base):  # type: ignore[no-untyped-def]
    form = dict(base())
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        key = draw(FIELD_NAMES)
        if draw(st.booleans()) and key in form:
            del form[key]
        else:
            form[key] = draw(odd_text)
    return form


FIELD_NAMES = st.one_of(st.sampled_from(TWILIO_FIELDS), st.text(min_size=1, max_size=12))


def _inbound_form() -> dict[str, str]:
    # A few reporters, each going on with their conversation, as real traffic does.
    return inbound_form("hello", sender=f"+44770090{next(_ids) % 8:04d}", to=MKCC_NUMBER)


def _status_form() -> dict[str, str]:
    return status_form("SM" + "0" * 32, "delivered", sender=MKCC_NUMBER, to=REPORTER)


# ---- the webhooks ---------------------------------------------------------------------------------
@FUZZ
@given(update=st.one_of(telegram_updates(), json_value))
def test_no_signed_telegram_update_gets_a_5xx(client, update):
    response = client.post("/telegram/mkcc/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status_code < 500, (response.status_code, update)


@FUZZ
@given(form=twilio_forms(_inbound_form))
def test_no_signed_sms_webhook_gets_a_5xx(client, form):
    response = post_signed(client, "/sms/inbound", form)
    assert response.status_code < 500, (response.status_code, form)


@FUZZ
@given(form=twilio_forms(_status_form))
def test_no_signed_sms_status_callback_gets_a_5xx(client, form):
    response = post_signed(client, "/sms/status", form)
    assert response.status_code < 500, (response.status_code, form)


def test_json_nested_deeper_than_any_parser_takes_is_a_400(client):
    body = '{"update_id": 1, "message": ' + "[" * 200_000 + "]" * 200_000 + "}"
    response = client.post(
        "/telegram/mkcc/webhook", data=body, content_type="application/json", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert response.status_code == 400

"""What operators ask of the running app: /healthz, /readyz, /metrics and the request id, on the real app and stores."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from flask_app import create_app
from intake import cases, outbox
from intake.messages import utcnow
from intake.store import migrate
from intake.store.db import Store
from tests.harness import NAMED_VICTIM, TEST_DATA_KEYS
from tests.sms_support import REPORTER, database_url, fake_twilio, report_by_text, sms_config

TOKEN = "metrics-token-for-tests-0123456789"
ELSEWHERE = {"REMOTE_ADDR": "10.0.0.5"}
(HEAD,) = migrate.heads()  # the newest migration, which readiness asks the database to be at
# The only labels our own metrics carry: never a reference, a sender or anything a reporter wrote.
OUR_LABELS = {"org", "door", "outcome", "channel", "endpoint", "code", "le"}


def app_on(store: Store, tmp_path, **env: str):
    config = {
        "INTAKE_INSTANCE_PATH": str(tmp_path),
        "INTAKE_DATABASE_URL": database_url(store),
        "INTAKE_DATA_KEYS": TEST_DATA_KEYS,
    }
    return create_app({**config, **env})


def scrape(client, **kwargs) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample /metrics gives, by name and labels."""
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for s in family.samples
    }


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# ---- liveness and readiness ----------------------------------------------------------------------
def app_without_a_database(tmp_path):
    return create_app(
        {
            "INTAKE_INSTANCE_PATH": str(tmp_path),
            "INTAKE_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "INTAKE_DATA_KEYS": TEST_DATA_KEYS,
        }
    )


def test_healthz_answers_ok_while_the_process_is_up(store, tmp_path):
    response = app_on(store, tmp_path).test_client().get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_healthz_answers_ok_even_when_the_database_does_not_so_an_outage_restarts_nothing(tmp_path):
    app = app_without_a_database(tmp_path)
    assert app.test_client().get("/healthz").status_code == 200


def test_readyz_answers_ready_when_the_database_answers_at_the_newest_migration(store, tmp_path):
    response = app_on(store, tmp_path).test_client().get("/readyz")
    assert response.status_code == 200 and response.json == {"status": "ready"}


def test_readyz_answers_503_naming_the_reason_when_the_database_does_not_answer(tmp_path):
    app = app_without_a_database(tmp_path)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "reason": "database: no answer (OperationalError)"}


@pytest.mark.parametrize(
    ("revision", "reason"),
    [
        pytest.param(None, "the database is at no migration, the code at {head}: run intake db upgrade", id="never migrated"),
        pytest.param("0002", "the database is at 0002, the code at {head}: run intake db upgrade", id="one behind"),
    ],
)
def test_readyz_answers_503_until_every_migration_is_applied(tmp_path, revision, reason):
    store = Store(f"sqlite:///{tmp_path / 'behind.db'}")
    if revision:
        migrate.upgrade(store.engine, revision)
    client = app_on(store, tmp_path).test_client()
    response = client.get("/readyz")
    expected = reason.format(head=HEAD)
    assert response.status_code == 503 and response.json == {"status": "unavailable", "reason": f"migrations: {expected}"}
    migrate.upgrade(store.engine)
    assert client.get("/readyz").status_code == 200


def test_readyz_answers_503_when_the_database_is_newer_than_the_code(sqlite_store, tmp_path):
    with sqlite_store.transaction() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    response = app_on(sqlite_store, tmp_path).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["reason"] == f"migrations: the database is at 0099, newer than this code ({HEAD})"


def test_the_migrations_have_one_head():
    assert len(migrate.heads()) == 1


# ---- who may read /metrics ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param({}, 401, id="no token"),
        pytest.param({"Authorization": "Bearer not-the-token"}, 401, id="wrong token"),
        pytest.param({"Authorization": f"Basic {TOKEN}"}, 401, id="not a bearer token"),
        pytest.param({"Authorization": f"Bearer {TOKEN}x"}, 401, id="token with more after it"),
        pytest.param({"Authorization": f"Bearer {TOKEN}"}, 200, id="the token"),
        pytest.param({"Authorization": f"bearer {TOKEN}"}, 200, id="the token, scheme in lower case"),
    ],
)
def test_with_a_metrics_token_set_metrics_need_it_as_a_bearer_token_from_anywhere(sqlite_store, tmp_path, headers, status):
    client = app_on(sqlite_store, tmp_path, INTAKE_METRICS_TOKEN=TOKEN).test_client()
    response = client.get("/metrics", headers=headers, environ_base=ELSEWHERE)
    assert response.status_code == status
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer") and b"intake_" not in response.data


@pytest.mark.parametrize(
    ("address", "status"),
    [("127.0.0.1", 200), ("127.8.9.10", 200), ("::1", 200), ("::ffff:127.0.0.1", 200), ("10.0.0.5", 403), ("2001:db8::1", 403)],
)
def test_without_a_metrics_token_metrics_answer_only_to_this_machine(sqlite_store, tmp_path, address, status):
    client = app_on(sqlite_store, tmp_path).test_client()
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == status
    if status == 403:
        assert b"intake_" not in response.data


def test_the_metrics_token_is_never_repeated_in_the_settings_repr(tmp_path):
    from intake.settings import Settings

    settings = Settings.from_env({"INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_METRICS_TOKEN": TOKEN})
    assert settings.metrics_token == TOKEN and TOKEN not in repr(settings)


# ---- what /metrics says ----------------------------------------------------------------------------


@pytest.fixture
def twilio():
    with fake_twilio() as serving:
        yield serving.fake


def test_a_whole_report_by_text_is_counted_per_door_and_outcome_and_timed_with_no_reference_or_number(store, tmp_path, twilio):
    app = create_app(sms_config(tmp_path, database_url(store), twilio.base))
    client = app.test_client()
    before = scrape(client)
    report_by_text(client, NAMED_VICTIM)
    with store.transaction() as session:
        [reference] = session.scalars(text("SELECT reference FROM cases")).all()

    after = scrape(client)
    handled = value(after, "intake_messages_total", org="mkcc", door="sms", outcome="handled")
    assert handled - value(before, "intake_messages_total", org="mkcc", door="sms", outcome="handled") >= 10
    assert value(after, "intake_messages_total", org="mkcc", door="sms", outcome="error") == value(
        before, "intake_messages_total", org="mkcc", door="sms", outcome="error"
    )
    timed = value(after, "intake_webhook_duration_seconds_count", door="sms", endpoint="inbound", code="200")
    assert timed - value(before, "intake_webhook_duration_seconds_count", door="sms", endpoint="inbound", code="200") >= 10
    assert value(after, "intake_cases_opened_total", org="mkcc", channel="sms") == 1
    assert value(after, "intake_cases_opened_total", org="wchg", channel="sms") == 0
    assert value(after, "intake_metrics_database_up") == 1

    exposition = client.get("/metrics").get_data(as_text=True)
    for secret in (reference, REPORTER, REPORTER.lstrip("+"), "Amina", "Yusuf", NAMED_VICTIM["description"]):
        assert secret not in exposition
    ours = {label for (name, labels) in after if name.startswith("intake_") for label, _ in labels}
    assert ours <= OUR_LABELS


def test_a_providers_retry_is_counted_as_a_duplicate_not_handled_twice(store, tmp_path, twilio):
    from tests.sms_support import inbound_form, post_signed

    client = create_app(sms_config(tmp_path, database_url(store), twilio.base)).test_client()
    form = inbound_form("hello")
    post_signed(client, "/sms/inbound", form)
    before = scrape(client)
    post_signed(client, "/sms/inbound", form)
    after = scrape(client)
    for outcome, more in (("duplicate", 1), ("handled", 0)):
        key = {"org": "mkcc", "door": "sms", "outcome": outcome}
        assert value(after, "intake_messages_total", **key) - value(before, "intake_messages_total", **key) == more


def test_a_forged_webhook_is_timed_under_its_403_and_handles_no_message(store, tmp_path, twilio):
    from tests.sms_support import inbound_form

    client = create_app(sms_config(tmp_path, database_url(store), twilio.base)).test_client()
    before = scrape(client)
    assert client.post("/sms/inbound", data=inbound_form("hello"), headers={"X-Twilio-Signature": "forged"}).status_code == 403
    after = scrape(client)
    key = {"door": "sms", "endpoint": "inbound", "code": "403"}
    assert (
        value(after, "intake_webhook_duration_seconds_count", **key)
        - value(before, "intake_webhook_duration_seconds_count", **key)
        == 1
    )
    handled = {"org": "mkcc", "door": "sms", "outcome": "handled"}
    assert value(after, "intake_messages_total", **handled) == value(before, "intake_messages_total", **handled)


def test_outbox_depth_oldest_age_failures_and_overdue_first_contacts_are_read_from_the_database(store, tmp_path, profiles):
    now = utcnow()
    with store.transaction() as session:
        for minutes in (1, 5):
            outbox.enqueue(session, org="wchg", channel="sms", purpose="reply", recipient="+447700900999",
                           payload={}, at=now - timedelta(minutes=minutes))  # fmt: skip
        sending = outbox.enqueue(session, org="wchg", channel="sms", purpose="reply", recipient=None, payload={}, at=now)
        sending.status = "sending"
        outbox.enqueue(session, org="mkcc", channel="email", purpose="team_notice", recipient="t@x", payload={}, at=now)
        given_up = outbox.enqueue(session, org="mkcc", channel="telegram", purpose="reply", recipient=None, payload={}, at=now)
        given_up.status = "failed"
        undelivered = outbox.enqueue(session, org="mkcc", channel="sms", purpose="reply", recipient=None, payload={}, at=now)
        undelivered.status, undelivered.delivery_status = "sent", "undelivered"
        delivered = outbox.enqueue(session, org="mkcc", channel="sms", purpose="reply", recipient=None, payload={}, at=now)
        delivered.status, delivered.delivery_status = "sent", "delivered"

        long_ago = now - timedelta(days=30)
        for reference, channel, at in (("MK-AAAAAA", "web", long_ago), ("MK-BBBBBB", "sms", long_ago), ("MK-CCCCCC", "web", now)):
            cases.open_case(session, reference=reference, profile=profiles["mkcc"], channel=channel, language="en", at=at)
        contacted = cases.open_case(session, reference="MK-DDDDDD", profile=profiles["mkcc"], channel="web", language="en",
                                    at=long_ago)  # fmt: skip
        cases.add_event(session, contacted, "first_contact", long_ago + timedelta(hours=2))
        closed = cases.open_case(session, reference="MK-EEEEEE", profile=profiles["mkcc"], channel="web", language="en",
                                 at=long_ago)  # fmt: skip
        closed.status = "closed"

    samples = scrape(app_on(store, tmp_path).test_client())
    assert value(samples, "intake_outbox_depth", org="wchg", channel="sms") == 3
    assert value(samples, "intake_outbox_depth", org="mkcc", channel="email") == 1
    assert value(samples, "intake_outbox_depth", org="mkcc", channel="telegram") == 0
    assert 300 <= value(samples, "intake_outbox_oldest_age_seconds", org="wchg", channel="sms") < 360
    assert ("intake_outbox_oldest_age_seconds", (("channel", "telegram"), ("org", "wchg"))) in samples  # zero, not absent
    assert value(samples, "intake_outbox_oldest_age_seconds", org="wchg", channel="telegram") == 0
    assert value(samples, "intake_deliveries_failed_total", org="mkcc", channel="telegram") == 1
    assert value(samples, "intake_deliveries_failed_total", org="mkcc", channel="sms") == 1
    assert value(samples, "intake_cases_opened_total", org="mkcc", channel="web") == 4
    assert value(samples, "intake_cases_opened_total", org="mkcc", channel="sms") == 1
    assert value(samples, "intake_first_contact_overdue", org="mkcc") == 2
    assert value(samples, "intake_first_contact_overdue", org="wchg") == 0
    exposition = app_on(store, tmp_path).test_client().get("/metrics").get_data(as_text=True)
    assert "MK-" not in exposition and "+447700900999" not in exposition


def test_a_scrape_while_the_database_is_down_still_answers_saying_so(tmp_path):
    app = app_without_a_database(tmp_path)
    samples = scrape(app.test_client())
    assert value(samples, "intake_metrics_database_up") == 0
    assert not [name for name, _ in samples if name.startswith("intake_outbox")]


def test_with_several_worker_processes_one_scrape_adds_up_every_workers_counts(sqlite_store, tmp_path):
    shared = tmp_path / "prometheus"
    shared.mkdir()
    count = "from intake import metrics\nfor _ in range({n}): metrics.MESSAGES.labels('mkcc', 'sms', 'handled').inc()\n"
    for n in (3, 4):
        env = {"PROMETHEUS_MULTIPROC_DIR": str(shared), "PATH": "/usr/bin:/bin"}
        subprocess.run([sys.executable, "-c", count.format(n=n)], env=env, check=True, timeout=60)
    client = app_on(sqlite_store, tmp_path, PROMETHEUS_MULTIPROC_DIR=str(shared)).test_client()
    samples = scrape(client)
    assert value(samples, "intake_messages_total", org="mkcc", door="sms", outcome="handled") == 7
    assert value(samples, "intake_metrics_database_up") == 1  # the database's figures are there too


# ---- the request id ---------------------------------------------------------------------------------


def test_every_response_carries_a_fresh_request_id(sqlite_store, tmp_path):
    client = app_on(sqlite_store, tmp_path).test_client()
    ids = [client.get(path).headers["X-Request-Id"] for path in ("/healthz", "/healthz", "/", "/no-such-page")]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids) and len(set(ids)) == 4


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        pytest.param("3f2c1a9e-8b7d-4c6e-9f01-23456789abcd", True, id="a UUID, as Envoy and Heroku send"),
        pytest.param("0123456789abcdef0123456789abcdef", True, id="32 hex digits, as nginx sends"),
        pytest.param("+447700900913", False, id="a phone number"),
        pytest.param("07700900913-07700900913-07700900913", False, id="digits and dashes that are no UUID"),
        pytest.param("0123456789abcdef 0123456789abcdef", False, id="a space"),
        pytest.param("x" * 300, False, id="too long"),
    ],
)
def test_a_clients_request_id_is_kept_only_when_it_is_a_plain_id(sqlite_store, tmp_path, given, kept):
    client = app_on(sqlite_store, tmp_path).test_client()
    returned = client.get("/healthz", headers={"X-Request-Id": given}).headers["X-Request-Id"]
    assert (returned == given) is kept
    if not kept:
        assert re.fullmatch(r"[0-9a-f]{32}", returned)

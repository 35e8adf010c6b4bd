"""The web form through Flask's test client: the flow, its pages, and everything a hostile request tries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from channels.web import security, uploads
from flask_app import create_app
from intake.store import migrate
from intake.store.crypto import read_file
from intake.store.db import Store
from intake.store.models import AttachmentRow, CaseRow, ConversationRow
from tests import images
from tests.harness import TEST_DATA_KEYS
from tests.web_client import ANONYMOUS_VICTIM, WebReporter

SECRET = "web-test-secret-" + "x" * 32
CALL_999 = 'call <a class="govuk-link" href="tel:999">999</a>'
PNG = images.PNG
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def make_app(tmp_path, url: str, **env: str):
    config = {"INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_DATABASE_URL": url, "INTAKE_SECRET_KEY": SECRET,
              "INTAKE_DATA_KEYS": TEST_DATA_KEYS, **env}  # fmt: skip
    return create_app(config)


@pytest.fixture
def app(tmp_path):
    url = f"sqlite:///{tmp_path / 'web.db'}"
    migrate.upgrade(Store(url).engine)
    return make_app(tmp_path, url)


@pytest.fixture
def reporter(app):
    return WebReporter(app.test_client())


def store_of(app) -> Store:
    return app.extensions["intake"].store


def walk(reporter: WebReporter, steps) -> None:
    for question, value in steps:
        assert reporter.question == question, reporter.page[:3000]
        reporter.answer(value)
        assert reporter.status == 200


def at_summary(reporter: WebReporter) -> WebReporter:
    reporter.start()
    reporter.report(ANONYMOUS_VICTIM, until="summary")
    assert reporter.heading == "Check your answers"
    return reporter


# ---- the flow ---------------------------------------------------------------------------------
def test_a_whole_anonymous_report_ends_on_the_confirmation_with_its_reference(store, tmp_path):
    url = store.engine.url.render_as_string(hide_password=False)
    app = make_app(tmp_path, url)
    reporter = at_summary(WebReporter(app.test_client()))
    reporter.send()
    page = reporter.page
    with store.transaction() as session:
        case = session.scalars(select(CaseRow)).one()
        reference, status, channel = case.reference, case.status, case.channel
    assert status == "submitted" and channel == "web"
    panel = re.search(r'<div class="govuk-panel[^"]*">(.*?)</div>\s*</div>', page, re.S).group(1)
    # GOV.UK's confirmation: the reference on a line of its own in the panel, not inside a sentence.
    assert f'<br><strong class="app-reference" dir="ltr">{reference}</strong>' in panel
    assert page.index("govuk-panel") < page.index("What happens next") < page.index("Contact Milton Keynes City Council</h2>")
    assert "/victims-code/mkcc?lang=en" in page and 'href="tel:01908691691"' in page
    assert 'href="mailto:ASB@milton-keynes.gov.uk"' in page and "1 Saxon Gate East" in page
    # Reading the page again shows the same confirmation: it comes from the conversation, not the last post.
    assert f">{reference}</strong>" in reporter.get().get_data(as_text=True)


def test_the_start_page_leads_to_the_first_question_of_the_flow(reporter):
    assert reporter.heading == "Report a hate incident" and CALL_999 in reporter.page
    reporter.start()
    assert reporter.question == "danger_now" and reporter.heading == "Is anyone in danger right now?"
    assert 'type="radio"' in reporter.page


def test_saying_someone_is_in_danger_shows_the_999_advice_above_the_next_question(reporter):
    reporter.start()
    reporter.answer("yes")
    assert reporter.question == "role"
    assert reporter.page.index("govuk-warning-text__text") < reporter.page.index('name="question"')
    assert CALL_999 in reporter.page


def test_a_third_party_is_asked_relationship_agency_consent_and_the_victims_contact(reporter):
    reporter.start()
    walk(
        reporter,
        [
            ("danger_now", "no"),
            ("role", "third_party"),
            ("relationship", "support_worker"),
            ("agency_name", "Open Door Support"),
            ("victim_consent", "knows_agrees"),
            ("victim_contact", "Her mobile: 07700 900123"),
            ("identity", "named_here"),
            ("name", "Sam Patel"),
            ("contact_other", "sam@opendoor.example"),
        ],
    )
    assert reporter.question == "scope"


def test_a_third_party_whose_victim_did_not_agree_is_not_asked_for_their_contact(reporter):
    reporter.start()
    walk(
        reporter, [("danger_now", "no"), ("role", "third_party"), ("relationship", "family"), ("victim_consent", "does_not_know")]
    )
    assert reporter.question == "identity"


def test_an_empty_answer_gets_an_error_summary_linked_to_the_field(reporter):
    reporter.start()
    reporter.post({"action": "answer"})
    assert reporter.status == 400 and reporter.question == "danger_now"
    assert "There is a problem" in reporter.page and 'href="#answer"' in reporter.page
    assert "Choose an answer, or skip this question" in reporter.page
    assert reporter.page.count('class="govuk-error-message"') == 1


def test_a_question_can_be_skipped_and_shows_as_skipped(reporter):
    reporter.start()
    reporter.skip()
    assert reporter.question == "role"


def test_back_returns_to_the_previous_question(reporter):
    reporter.start()
    reporter.answer("no")
    reporter.post({"action": "back"})
    assert reporter.question == "danger_now"


def test_a_change_link_reopens_the_answer_and_returns_to_check_your_answers(reporter):
    at_summary(reporter)
    change = re.search(r'href="(/report/mkcc/change/description)"', reporter.page)
    assert change, "every answer has a change link"
    reporter.get(change.group(1))
    assert reporter.question == "description" and "They shouted abuse at me" in reporter.page
    reporter.answer("They spat at me on the stairs")
    assert reporter.heading == "Check your answers" and "They spat at me on the stairs" in reporter.page


def test_a_form_sent_twice_is_answered_once(reporter, app):
    reporter.start()
    form = {"csrf_token": reporter.hidden("csrf_token"), "form_id": reporter.hidden("form_id"), "question": "danger_now"}
    reporter.client.post(reporter.url, data={**form, "action": "answer", "answer": "no"})
    reporter.client.post(reporter.url, data={**form, "action": "answer", "answer": "no"})
    assert reporter.get().status_code == 200 and reporter.question == "role"


def test_an_answer_from_a_page_left_open_in_another_tab_changes_its_own_question_not_the_current_one(reporter, app):
    reporter.start()
    reporter.answer("no")
    reporter.post({"action": "answer", "answer": "yes", "question": "danger_now"})
    # The old page's question took the answer: the 999 advice, and the report stays where it was.
    assert reporter.question == "role" and f"{CALL_999} and ask" in reporter.page.split("main-content")[-1]
    with store_of(app).transaction() as session:
        answers = session.scalars(select(ConversationRow)).one().state["answers"]
    assert answers["danger_now"]["value"] == "yes" and "role" not in answers


def test_an_answer_to_a_question_the_report_has_not_reached_is_recorded_nowhere(reporter, app):
    reporter.start()
    reporter.post({"action": "answer", "answer": "anonymous", "question": "identity"})
    assert reporter.question == "danger_now" and "We did not save that answer" in reporter.page
    with store_of(app).transaction() as session:
        assert session.scalars(select(ConversationRow)).one().state["answers"] == {}


# ---- what a browser holds ------------------------------------------------------------------------
def session_cookie(reporter: WebReporter, org: str = "mkcc"):
    return reporter.client.get_cookie(security.COOKIE, path=security.cookie_path(org))


def conversations(app) -> list[ConversationRow]:
    with store_of(app).transaction() as session:
        found = list(session.scalars(select(ConversationRow)))
        session.expunge_all()
        return found


def test_the_browser_holds_only_a_random_id_and_the_database_only_its_keyed_hash(reporter, app):
    reporter.start()
    cookie = session_cookie(reporter)
    assert cookie is not None and cookie.http_only and cookie.path == "/report/mkcc/"
    sid = security.issued_id(SECRET, "mkcc", cookie.value)
    assert sid is not None and len(sid) == 43
    [row] = conversations(app)
    assert row.sender_key == security.web_sender_key(SECRET, sid) and sid not in row.sender_key


def test_a_session_id_the_form_never_issued_is_replaced_by_a_fresh_one(app):
    planted = WebReporter(app.test_client())
    written = "A" * 43  # a well-formed id, written by someone rather than issued: no seal, or a wrong one
    for value in (written, f"{written}.{'0' * 32}"):
        planted.client.set_cookie(security.COOKIE, value, path="/report/mkcc/")
        planted.get()
        fresh = session_cookie(planted).value
        assert fresh != value and security.issued_id(SECRET, "mkcc", fresh) not in (None, written)


def test_an_issued_id_planted_in_a_shared_browser_never_opens_the_report_made_after_it(app):
    someone = WebReporter(app.test_client())
    planted = session_cookie(someone).value  # an id the form really issued, to someone who kept it
    reporter = WebReporter(app.test_client())
    reporter.client.set_cookie(security.COOKIE, planted, path="/report/mkcc/")
    reporter.get()
    assert session_cookie(reporter).value == planted  # issued, so used ... until the report starts
    reporter.start()
    reporter.report(ANONYMOUS_VICTIM, until="when")
    assert session_cookie(reporter).value != planted

    someone.get()
    assert someone.heading == "Report a hate incident" and "shouted abuse" not in someone.page
    someone.start()
    assert someone.question == "danger_now"  # a report of their own, not the one made in the shared browser
    assert len(conversations(app)) == 2


def test_a_session_from_one_landlords_form_does_not_work_at_anothers(app):
    mkcc = WebReporter(app.test_client(), org="mkcc")
    mkcc.start()
    mkcc.report(ANONYMOUS_VICTIM, until="when")
    value = session_cookie(mkcc, "mkcc").value
    assert security.issued_id(SECRET, "wchg", value) is None

    wchg = WebReporter(app.test_client(), org="wchg")
    wchg.client.set_cookie(security.COOKIE, value, path="/report/wchg/")
    wchg.get()
    assert session_cookie(wchg, "wchg").value != value and wchg.heading == "Report a hate incident"
    # The browser itself never sends it there: the cookie belongs to mkcc's form pages.
    assert mkcc.client.get("/report/wchg/").headers.get("Set-Cookie", "").startswith(f"{security.COOKIE}=")


def test_a_start_sent_twice_lands_in_one_report(app):
    reporter = WebReporter(app.test_client())
    fields = {"action": "start", "csrf_token": reporter.hidden("csrf_token"), "form_id": reporter.hidden("form_id")}
    # A double click: both posts leave before the first answer (and its new cookie) is back.
    browser = app.test_client(use_cookies=False)
    cookie = {"Cookie": f"{security.COOKIE}={session_cookie(reporter).value}"}
    first, again = (browser.post(reporter.url, data=fields, headers=cookie) for _ in range(2))
    assert first.status_code == again.status_code == 200
    assert first.headers["Set-Cookie"].split(";")[0] == again.headers["Set-Cookie"].split(";")[0]
    assert len(conversations(app)) == 1


def test_no_url_ever_carries_the_report(reporter):
    at_summary(reporter)
    urls = re.findall(r'(?:href|action|src)="([^"]+)"', reporter.page)
    assert urls and not [u for u in urls if "shouted" in u or "MK9" in u or "Saxon" in u]
    assert all(not u.startswith(("/report/mkcc/?", "/report/mkcc/change/?")) for u in urls)


@pytest.mark.parametrize("path", ["/report/mkcc/", "/report/wchg/"], ids=["Milton Keynes", "Wythenshawe"])
def test_every_report_page_sends_strict_headers(app, path):
    response = app.test_client().get(path)
    csp = response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers  # served over http here
    assert "<script>" not in response.get_data(as_text=True)  # no inline script for the CSP to forbid


def test_hsts_is_sent_when_the_service_is_public_over_https(tmp_path):
    url = f"sqlite:///{tmp_path / 'web.db'}"
    migrate.upgrade(Store(url).engine)
    app = make_app(tmp_path, url, INTAKE_PUBLIC_URL="https://report.example.org")
    response = app.test_client().get("/report/mkcc/", base_url="https://report.example.org")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Secure" in response.headers["Set-Cookie"]


def test_the_landlords_colours_come_from_its_profile(app, profiles):
    css = app.test_client().get("/report/wchg/brand.css").get_data(as_text=True)
    assert profiles["wchg"].brand.colour in css


def test_an_unknown_landlord_is_not_found(app):
    assert app.test_client().get("/report/nowhere/").status_code == 404


def test_the_home_page_lists_each_landlords_start_page(app):
    page = app.test_client().get("/").get_data(as_text=True)
    assert 'href="/report/mkcc/"' in page and 'href="/report/wchg/"' in page


# ---- hostile requests ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "token",
    [None, "", "0" * 64, "forged"],
    ids=["no token", "empty token", "a well-formed wrong token", "garbage"],
)
def test_a_form_without_this_sessions_csrf_token_is_refused_and_changes_nothing(reporter, app, token):
    reporter.start()
    data = {"action": "answer", "answer": "no", "question": "danger_now", "form_id": reporter.hidden("form_id")}
    if token is not None:
        data["csrf_token"] = token
    response = reporter.client.post(reporter.url, data=data)
    assert response.status_code == 400 and "this form has expired" in response.get_data(as_text=True)
    assert reporter.get() and reporter.question == "danger_now"


def test_a_token_from_another_session_is_refused(app):
    first, second = WebReporter(app.test_client()), WebReporter(app.test_client())
    second.start()
    response = second.client.post(second.url, data={"csrf_token": first.hidden("csrf_token"), "action": "answer", "answer": "no"})
    assert response.status_code == 400


def evidence_page(reporter: WebReporter) -> WebReporter:
    reporter.start()
    reporter.report(ANONYMOUS_VICTIM, until="description")
    assert reporter.question == "description" and 'type="file"' in reporter.page
    return reporter


def test_a_photo_and_a_pdf_are_stored_outside_the_web_root_and_attached_to_the_case(reporter, app, tmp_path):
    evidence_page(reporter)
    reporter.answer(
        "They threw eggs at my window",
        evidence=[(_file(PNG), "window.png"), (_file(PDF), "letter.pdf")],
        content_type="multipart/form-data",
    )
    assert reporter.status == 200 and reporter.question == "confirm_suggested"  # throwing, read from it
    with store_of(app).transaction() as session:
        rows = session.scalars(select(AttachmentRow)).all()
        case = session.scalars(select(CaseRow)).one()
        assert sorted(r.content_type for r in rows) == ["application/pdf", "image/png"]
        assert all(r.case_id == case.id for r in rows)
        paths = [r.stored_path for r in rows]
    static = app.blueprints["web"].static_folder
    for path in paths:
        assert path.startswith(str(tmp_path / "uploads" / "mkcc")) and not path.startswith(static)
        assert read_file(Path(path), store_of(app).keys) in (PNG, PDF)  # kept encrypted, opened with the data keys
        assert PNG not in Path(path).read_bytes() and PDF not in Path(path).read_bytes()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("evidence.pdf", b"<html><script>alert(1)</script></html>", "must be a photo (JPG, PNG, GIF or WEBP) or a PDF"),
        ("photo.jpg", PDF, "name does not match what is in it"),
        ("run.exe", b"MZ\x90\x00" + b"\x00" * 60, "must be a photo (JPG, PNG, GIF or WEBP) or a PDF"),
    ],
    ids=["HTML named .pdf", "a PDF named .jpg", "a program"],
)
def test_a_file_whose_content_is_not_what_its_name_says_is_refused_with_a_clear_error(reporter, app, name, content, message):
    evidence_page(reporter)
    reporter.answer("They threw eggs", evidence=(_file(content), name), content_type="multipart/form-data")
    assert reporter.status == 400 and message in reporter.page and 'href="#evidence"' in reporter.page
    assert reporter.question == "description"
    with store_of(app).transaction() as session:
        assert session.scalars(select(AttachmentRow)).all() == [] and session.scalars(select(CaseRow)).all() == []


def test_an_oversized_upload_is_refused_with_a_clear_error(reporter, app):
    evidence_page(reporter)
    big = PNG + b"\x00" * uploads.MAX_FILE_BYTES
    reporter.answer("They threw eggs", evidence=(_file(big), "big.png"), content_type="multipart/form-data")
    assert reporter.status == 400 and "must be smaller than 10 MB" in reporter.page
    with store_of(app).transaction() as session:
        assert session.scalars(select(AttachmentRow)).all() == []


def test_more_files_than_the_form_takes_at_once_are_refused_with_a_reason_not_dropped(reporter, app):
    evidence_page(reporter)
    files = [(_file(PNG), f"photo-{n}.png") for n in range(uploads.MAX_FILES + 3)]
    reporter.answer("They threw eggs", evidence=files, content_type="multipart/form-data")
    assert reporter.status == 400 and f"You can only select up to {uploads.MAX_FILES} files at the same time" in reporter.page
    with store_of(app).transaction() as session:
        assert session.scalars(select(AttachmentRow)).all() == [] and session.scalars(select(CaseRow)).all() == []


def test_an_answer_longer_than_the_form_takes_is_refused_whole_never_cut(reporter, app):
    from channels.web.answers import MAX_ANSWER_CHARS

    evidence_page(reporter)
    reporter.answer("x" * (MAX_ANSWER_CHARS + 1))
    assert reporter.status == 400 and "Your answer must be 50,000 characters or less." in reporter.page
    with store_of(app).transaction() as session:
        assert session.scalars(select(CaseRow)).all() == []
    reporter.answer("y" * MAX_ANSWER_CHARS)
    with store_of(app).transaction() as session:
        assert len(session.scalars(select(CaseRow)).one().answers["description"]["value"]) == MAX_ANSWER_CHARS


def test_a_request_larger_than_the_server_takes_gets_the_same_clear_error(reporter, app):
    evidence_page(reporter)
    app.config["MAX_CONTENT_LENGTH"] = 1024
    reporter.answer("They threw eggs", evidence=(_file(PNG * 40), "big.png"), content_type="multipart/form-data")
    assert reporter.status == 413 and "must be smaller than 10 MB" in reporter.page


# ---- the rate limit: per session, then per address, after the CSRF check, in a shared store ------------
def limited_app(tmp_path, **env: str):
    url = f"sqlite:///{tmp_path / 'web.db'}"
    migrate.upgrade(Store(url).engine)
    return make_app(tmp_path, url, **{"INTAKE_WEB_POSTS_PER_MINUTE": "5", **env})


def test_a_submission_flood_hits_the_rate_limit_and_says_when_to_try_again(tmp_path):
    reporter = WebReporter(limited_app(tmp_path).test_client())
    reporter.start()
    # The start counts against the id it came with; the report goes on under a new one (see security.py).
    statuses = [reporter.post({"action": "skip"}).status_code for _ in range(8)]
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429] * 3
    assert "too many answers" in reporter.page
    assert 1 <= int(reporter.response.headers["Retry-After"]) <= 60


def test_another_reporter_at_the_same_address_is_not_held_back_by_the_first_ones_flood(tmp_path):
    app = limited_app(tmp_path)
    flooding, other = WebReporter(app.test_client()), WebReporter(app.test_client())
    flooding.start()
    assert [flooding.post({"action": "skip"}).status_code for _ in range(6)][-1] == 429
    other.start()
    assert other.status == 200 and other.question == "danger_now"


def test_posts_that_fail_the_csrf_check_cost_the_reporter_nothing(tmp_path):
    reporter = WebReporter(limited_app(tmp_path).test_client())
    forged = [reporter.client.post(reporter.url, data={"action": "start", "csrf_token": "forged"}).status_code for _ in range(9)]
    assert set(forged) == {400}
    reporter.get()
    reporter.start()
    assert [reporter.post({"action": "skip"}).status_code for _ in range(4)] == [200] * 4


def test_one_address_starting_session_after_session_meets_the_higher_per_address_limit(tmp_path):
    app = limited_app(tmp_path, INTAKE_WEB_POSTS_PER_MINUTE_PER_ADDRESS="7")
    statuses = []
    for _ in range(4):
        reporter = WebReporter(app.test_client())  # a fresh session each time, from the same address
        statuses += [reporter.start().status_code, reporter.post({"action": "skip"}).status_code]
    assert statuses == [200] * 7 + [429]


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_address_limit(tmp_path):
    app = limited_app(tmp_path, INTAKE_WEB_POSTS_PER_MINUTE_PER_ADDRESS="5", INTAKE_TRUSTED_PROXIES="1")

    def post_start(forwarded_for: str) -> int:
        reporter = WebReporter(app.test_client())
        return reporter.post({"action": "start"}, headers={"X-Forwarded-For": forwarded_for}).status_code

    assert [post_start("198.51.100.1") for _ in range(6)] == [200] * 5 + [429]
    assert post_start("198.51.100.2") == 200  # another client behind the same proxy
    # Only the hop the proxy added is believed: an address the client wrote before it changes nothing.
    assert post_start("203.0.113.9, 198.51.100.1") == 429


def test_without_trusted_proxies_a_client_cannot_choose_its_address_with_x_forwarded_for(tmp_path):
    app = limited_app(tmp_path, INTAKE_WEB_POSTS_PER_MINUTE_PER_ADDRESS="5")

    def post_start(forwarded_for: str) -> int:
        reporter = WebReporter(app.test_client())
        return reporter.post({"action": "start"}, headers={"X-Forwarded-For": forwarded_for}).status_code

    assert [post_start(f"198.51.100.{n}") for n in range(6)] == [200] * 5 + [429]


class Alternating:
    """Two app instances behind one address, taking turns with requests as a load balancer would."""

    def __init__(self, *apps, address: str):
        self.apps, self.address, self.served = apps, address, 0

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        app = self.apps[self.served % len(self.apps)]
        self.served += 1
        environ["REMOTE_ADDR"] = self.address
        return app(environ, start_response)


def _two_instances(tmp_path, storage: str) -> WebReporter:
    import secrets

    from flask.testing import FlaskClient
    from werkzeug.test import Client

    url = f"sqlite:///{tmp_path / 'web.db'}"
    migrate.upgrade(Store(url).engine)
    env = {"INTAKE_WEB_POSTS_PER_MINUTE": "4", "INTAKE_RATELIMIT_STORAGE_URI": storage}
    first, second = make_app(tmp_path, url, **env), make_app(tmp_path, url, **env)
    # An address of its own (documentation range), so runs sharing one Redis never count each other's posts.
    both = Alternating(first, second, address=f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}")
    return WebReporter(Client(both, response_wrapper=FlaskClient(first).response_wrapper))


@pytest.mark.redis
def test_two_app_instances_on_redis_share_one_limit(tmp_path, redis_url):
    reporter = _two_instances(tmp_path, redis_url)
    reporter.start()
    statuses = [reporter.post({"action": "skip"}).status_code for _ in range(6)]
    assert statuses == [200] * 4 + [429] * 2  # four posts of the report in all, whichever instance took each


def test_two_app_instances_counting_in_memory_each_allow_the_whole_limit(tmp_path):
    # Why the store is configurable: in memory, each instance counts only the posts it served.
    reporter = _two_instances(tmp_path, "memory://")
    reporter.start()
    assert [reporter.post({"action": "skip"}).status_code for _ in range(6)] == [200] * 6


def test_a_ratelimit_store_that_cannot_be_reached_neither_stops_a_report_nor_lifts_the_limit(tmp_path, caplog):
    # Nothing listens on port 9: the process counts in its own memory until the store is back.
    reporter = WebReporter(limited_app(tmp_path, INTAKE_RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0").test_client())
    reporter.start()
    statuses = [reporter.post({"action": "skip"}).status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    assert "falling back to in-memory storage" in caplog.text


SCRIPT = '<script>alert("x")</script><b onmouseover="steal()">bold</b> & "quotes"'


def test_html_and_script_in_a_report_are_shown_escaped_everywhere(reporter, app):
    reporter.start()
    # Nothing is read from the script, so no step confirms it and incident types are asked.
    answers = {**ANONYMOUS_VICTIM, "description": SCRIPT, "incident_types": ["verbal_abuse", "graffiti"], "perpetrator": SCRIPT}
    reporter.report(answers, until="summary")
    pages = {"check your answers": reporter.page}
    pages["change page"] = reporter.get("/report/mkcc/change/description").get_data(as_text=True)
    pages["change page for who did it"] = reporter.get("/report/mkcc/change/perpetrator").get_data(as_text=True)
    for name, page in pages.items():
        assert "<script>alert" not in page and "<b onmouseover" not in page, name
        assert "&lt;script&gt;alert(" in page, name


def _file(content: bytes):
    import io

    return io.BytesIO(content)


# ---- two tabs at once ----------------------------------------------------------------------------
def test_two_tabs_answering_at_once_record_each_answer_under_its_own_question_or_none(store, tmp_path):
    """Tab one answers "who are you reporting for"; tab two, a page ahead, answers "name or anonymous" at the same moment."""
    import threading

    app = make_app(tmp_path, store.engine.url.render_as_string(hide_password=False), INTAKE_WEB_POSTS_PER_MINUTE="100000")
    for trial in range(20):
        first = WebReporter(app.test_client())
        first.start()
        first.report(ANONYMOUS_VICTIM, until="role")
        second = WebReporter(app.test_client())
        second.client.set_cookie(security.COOKIE, session_cookie(first).value, path="/report/mkcc/")
        second.get()
        forms = [
            (first, {"action": "answer", "answer": "victim", "question": "role"}),
            (second, {"action": "answer", "answer": "anonymous", "question": "identity"}),
        ]
        barrier = threading.Barrier(2)

        def post(tab, data, barrier=barrier):  # type: ignore[no-untyped-def]
            fields = {"csrf_token": tab.hidden("csrf_token"), "form_id": tab.hidden("form_id"), **data}
            barrier.wait()
            tab.client.post(tab.url, data=fields)

        threads = [threading.Thread(target=post, args=form) for form in forms]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        with store.transaction() as session:
            key = security.web_sender_key(SECRET, security.issued_id(SECRET, "mkcc", session_cookie(first).value))
            row = session.scalars(select(ConversationRow).where(ConversationRow.sender_key == key)).one()
            answers = row.state["answers"]
        assert answers["role"]["value"] == "victim", trial
        assert answers.get("identity", {}).get("value") in (None, "anonymous"), (trial, answers.get("identity"))

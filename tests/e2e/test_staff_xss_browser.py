"""What a reporter writes reaches the case officers' console only as text, whichever door it came in by.

Script, HTML, a javascript: link and template syntax go in through the real doors: Twilio's signed webhook
(an MMS carries the description as its words), Telegram's webhook (a photo's caption, a document's caption
and file name, the account's own name) and the web form (an evidence file's name), into every free-text
answer each door asks for, a choice answered in words the door cannot read, and further information sent
after the report. Officers then open, in headless Chromium, every console page that can show them: the
queue in each tab with a search and filters, each case page with all its forms open and sent back with an
error, the audit log and the accounts. On each page no script ran, no alert opened, no handler attribute,
javascript: URL or injected element is in the DOM, `{{7*7}}` is not 49, and the words are shown as written.

The team email is a pointer: its payload and the email written from it carry none of the reporter's words.
"""

from __future__ import annotations

import io
import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_string, policy
from itertools import count
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select
from sqlalchemy import func, select

from channels.telegram.runner import RUNNER
from flask_app import create_app
from intake import outbox
from intake.messages import utcnow
from intake.pipeline import current_replies
from intake.privacy import sender_key
from intake.store import migrate
from intake.store.db import Store
from intake.store.models import CaseRow, ConversationRow, OutboxRow
from tests import images
from tests.e2e.browser import chrome, navigating, open_alert, page_state, require_browser, serve
from tests.fake_twilio import FakeTwilio
from tests.harness import asked, typed, wanted
from tests.sms_support import REPORTER, fake_twilio, inbound_form, post_signed, sms_config
from tests.staff_client import PASSWORD, Officer, add_account, code_at
from tests.telegram_fake import FakeTelegram
from tests.web_client import WebReporter

pytestmark = pytest.mark.browser

PAYLOADS = (
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1;alert(1)">',
    '"><svg onload=window.__xss=1>',
    "'><svg onload=alert(1)>",
    "javascript:window.__xss=1",
    "[a link](javascript:window.__xss=1)",
    "sum={{7*7}}",
    "{{config.SECRET_KEY}}",
    "</textarea><script>window.__xss=1</script>",
)
HOSTILE = " ".join(PAYLOADS)
WHAT_HAPPENED = "Two men shouted abuse at me by the bins and wrote this on my door: "
# No double quote: the test client would put it bare in the multipart header, where a browser sends %22.
WEB_FILE = "<img src=x onerror=alert(1)>.png"
TELEGRAM_FILE = '"><svg onload=window.__xss=1>.png'
PNG = images.PNG
SECRET = "staff-xss-secret-" + "s" * 40
TOKEN = "123456:XSS-test-token"
WEBHOOK_SECRET = "xss-webhook-secret"
OFFICER, LEADER, ADMIN, NAMED = "officer@mkcc.example", "lead@mkcc.example", "admin@mkcc.example", "named@mkcc.example"
# The one free text the accounts page shows is a name an admin typed into `intake staff add`.
STAFF_NAME = f"Staff name: {HOSTILE}"
NOTICE_FIELDS = {"reference", "org_name", "channel", "risk_level", "first_contact_due", "case_url", "status", "kind"}
# Fragments of what reporters wrote, none of which a team email may carry.
REPORTER_WORDS = ("__xss", "<script", "onerror", "onload", "javascript", "{{", "7*7", "SECRET_KEY", "shouted", "bins",
                  "agency_name:", "victim_contact:", "contact_other:", "perpetrator:", "further_information:", ".png")  # fmt: skip


def said(door: str, field: str, lead: str = "") -> str:
    """What a reporter on `door` writes for `field`: tagged, so each can be found on the page it should be on."""
    return f"{door} {field}: {lead}{HOSTILE}"


def free_text(door: str, *fields: str) -> dict[str, str]:
    return {f: said(door, f, WHAT_HAPPENED if f == "description" else "") for f in fields}


# ---- the web form: a support worker reporting for someone, with an evidence file ------------------
WEB = {
    "danger_now": "no", "role": "third_party", "relationship": "support_worker", "victim_consent": "knows_agrees",
    "identity": "named_here", "scope": "yes", "confirm_suggested": "no", "motivation": ["race"],
    "incident_types": ["verbal_abuse"], "risk_incident": ["ongoing"], "risk_impact": ["worried_worse"], "support": ["none"],
    "consent": "yes", "contact_safety": ["daytime"],
    **free_text("web", "agency_name", "victim_contact", "name", "contact_other", "description", "when", "where", "perpetrator"),
}  # fmt: skip


def by_web_form(app: Flask) -> None:
    reporter = WebReporter(app.test_client(), "mkcc")
    reporter.start()
    reporter.report(WEB, until="description")
    reporter.answer(WEB["description"], evidence=(io.BytesIO(PNG), WEB_FILE))
    assert reporter.status == 200, reporter.page[:2000]
    reporter.report(WEB)
    assert "Your reference number" in reporter.page, reporter.page[:2000]


# ---- SMS: a victim contacted another way, the description as an MMS's words ----------------------
SMS = {
    "danger_now": "no", "role": "victim", "identity": "named_other", "confirm_suggested": "no", "motivation": ["race"],
    "incident_types": ["verbal_abuse"], "risk_incident": ["none"], "risk_impact": ["none"], "support": ["none"],
    "consent": "yes", "contact_safety": ["none"],
    **free_text("sms", "name", "contact_other", "description", "when", "where", "perpetrator"),
}  # fmt: skip
SMS_UNREAD = said("sms", "scope")  # a choice answered in words: asked again, then kept as written
SMS_LATER = said("sms", "further_information")


def by_text(app: Flask, twilio: FakeTwilio) -> None:
    intake, client = app.extensions["intake"], app.test_client()
    key = sender_key(app.config["INTAKE_SETTINGS"].secret_key, "sms", f"mkcc:{REPORTER}")

    def text(body: str, media: tuple[tuple[str, str], ...] = ()) -> None:
        response = post_signed(client, "/sms/inbound", inbound_form(body, media=media))
        assert response.status_code == 200, response.get_data(as_text=True)

    text("hello")
    for _ in range(60):
        question = asked(current_replies(intake, "mkcc", "sms", key) or [])
        if question is None:
            break
        if question.id == "scope":
            text(SMS_UNREAD)
        elif question.id == "description":
            text(SMS["description"], media=(("image/png", twilio.add_media("image/png", PNG)),))
        else:
            text(typed(question, wanted(question, SMS)))
    else:
        raise AssertionError("the texts never reached the end")
    text(SMS_LATER)


# ---- Telegram: someone from another agency, buttons where there are buttons -----------------------
TELEGRAM = {
    "danger_now": "no", "role": "third_party", "relationship": "agency", "victim_consent": "knows_agrees",
    "identity": "named_other", "scope": "yes", "confirm_suggested": "no", "motivation": ["race"],
    "incident_types": ["verbal_abuse"], "risk_incident": ["none"], "risk_impact": ["none"], "support": ["none"],
    "consent": "yes", "contact_safety": ["none"], "summary": "send",
    **free_text("telegram", "agency_name", "victim_contact", "name", "contact_other", "description", "when", "where", "perpetrator"),
}  # fmt: skip
TELEGRAM_LATER = said("telegram", "further_information")


class TelegramReporter:
    """Someone on Telegram: their updates to the webhook, the bot's replies delivered to the fake Bot API by the outbox."""

    def __init__(self, app: Flask, fake: FakeTelegram, chat_id: int = 5123456789):
        self.app, self.fake, self.chat_id = app, fake, chat_id
        self.client, self.store = app.test_client(), app.extensions["intake"].store
        self.ids = count(700_000)
        self.person = {"id": chat_id, "is_bot": False, "first_name": said("telegram", "first_name"), "language_code": "en"}

    def post(self, update: dict) -> None:
        response = self.client.post(
            "/telegram/mkcc/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        senders, later = self.app.extensions["assembly"].senders(self.app.config["INTAKE_SETTINGS"]), timedelta()
        for _ in range(20):  # the delivery worker, its clock run past any backoff
            outbox.deliver_due(
                self.store, senders, "xss-test", clock=lambda later=later: utcnow() + later, channels=("telegram",)
            )
            with self.store.transaction() as db:
                waiting = db.scalar(
                    select(func.count()).where(OutboxRow.channel == "telegram", OutboxRow.status.in_(("pending", "sending")))
                )
            if not waiting:
                return
            later += timedelta(minutes=2)
        raise AssertionError("telegram replies still waiting")

    def send(self, **content: Any) -> None:
        chat = {"id": self.chat_id, "first_name": self.person["first_name"], "type": "private"}
        message = {
            "message_id": self.fake.next_message_id(self.chat_id),
            "from": self.person,
            "chat": chat,
            "date": int(time.time()),
        }
        self.post({"update_id": next(self.ids), "message": {**message, **content}})

    def buttons(self) -> dict[str, dict]:
        """Each button on the bot's messages that still have a keyboard, by its callback data: the message it is on."""
        found = {}
        for sent in self.fake.sent:
            markup = self.fake.markups.get((self.chat_id, sent["message_id"]))
            for row in (markup or {}).get("inline_keyboard", []):
                found.update({b["callback_data"]: {**sent, "reply_markup": markup} for b in row})
        return found

    def press(self, data: str) -> None:
        query = {
            "id": str(next(self.ids)),
            "from": self.person,
            "message": self.buttons()[data],
            "chat_instance": "-1",
            "data": data,
        }
        self.post({"update_id": next(self.ids), "callback_query": query})

    def step(self) -> str | None:
        with self.store.transaction() as db:
            row = db.scalar(
                select(ConversationRow).where(ConversationRow.channel == "telegram", ConversationRow.status != "ended")
            )
            return None if row is None else row.state["step"]

    def report(self) -> None:
        self.send(text="Someone wrote a slur on my door last night")
        for _ in range(60):
            step = self.step()
            value = TELEGRAM.get(step or "")
            if step is None:
                break
            if step == "description":  # a photo, what happened as its caption
                self.fake.files["photo-1"] = PNG
                self.send(photo=[{"file_id": "photo-1", "file_unique_id": "p1", "file_size": len(PNG), "width": 9, "height": 9}],
                          caption=value)  # fmt: skip
            elif step == "perpetrator":  # a document: its file name, its caption, and a type its bytes belie
                self.fake.files["document-1"] = PNG
                document = {"file_name": TELEGRAM_FILE, "mime_type": "text/html", "file_id": "document-1",
                            "file_unique_id": "d1", "file_size": len(PNG)}  # fmt: skip
                self.send(document=document, caption=value)
            elif isinstance(value, list):
                for option in value:
                    self.press(f"t|{step}|{option}")
                self.press(f"d|{step}|")
            elif f"a|{step}|{value}" in self.buttons():
                self.press(f"a|{step}|{value}")
            else:
                self.send(text=value if value is not None else "/skip")
        else:
            raise AssertionError("the Telegram report never ended")
        self.send(text=TELEGRAM_LATER)


# ---- what each case page must show, as written -----------------------------------------------------
def _contact(answers: dict[str, Any]) -> list[str]:
    return [answers[f] for f in ("name", "contact_other", "victim_contact") if f in answers]


SHOWN = {
    "web": [WEB[f] for f in ("description", "agency_name", "when", "where", "perpetrator")] + _contact(WEB),
    "sms": [SMS[f] for f in ("description", "when", "where", "perpetrator")]
    + _contact(SMS)
    + [f"Not understood: {SMS_UNREAD}", SMS_LATER],
    "telegram": [TELEGRAM[f] for f in ("description", "agency_name", "when", "where", "perpetrator")]
    + _contact(TELEGRAM)
    + [TELEGRAM_LATER],
}


@dataclass
class Site:
    base: str
    app: Flask
    cases: dict[str, str]  # door -> its case's reference
    secrets: dict[str, str]  # email -> TOTP key, for accounts enrolled before the browser signs them in
    closed_note: str

    @property
    def store(self):  # type: ignore[no-untyped-def]
        return self.app.extensions["intake"].store


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_browser()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    folder = tmp_path_factory.mktemp("staff-xss")
    url = f"sqlite:///{folder / 'xss.db'}"
    migrate.upgrade(Store(url).engine)
    telegram = FakeTelegram(TOKEN).start()
    try:
        with fake_twilio() as twilio:
            app = create_app(
                {
                    **sms_config(folder, url, twilio.fake.base),
                    "INTAKE_SECRET_KEY": SECRET,
                    "TELEGRAM_BOT_TOKEN_MKCC": TOKEN,
                    "TELEGRAM_WEBHOOK_SECRET_MKCC": WEBHOOK_SECRET,
                    "TELEGRAM_API_BASE": telegram.url,
                    "INTAKE_WEB_POSTS_PER_MINUTE": "100000",
                }
            )
            by_web_form(app)
            by_text(app, twilio.fake)
            TelegramReporter(app, telegram).report()
            with app.extensions["intake"].store.transaction() as db:
                cases = {c.channel: c.reference for c in db.scalars(select(CaseRow).where(CaseRow.org == "mkcc"))}
            assert set(cases) == {"web", "sms", "telegram"}, cases
            officer_id = add_account(app, email=OFFICER, name="Olu Officer")
            add_account(app, email=ADMIN, role="admin", name="Ade Admin")
            add_account(app, email=NAMED, name=STAFF_NAME)
            add_account(app, email=LEADER, role="team_leader", name="Tia Lead")
            # A team leader gives the web report to the officer and closes the SMS one, so no tab is empty.
            leader = Officer(app, email=LEADER)
            leader.enrol()
            closed_note = f"Closed after speaking to them: {HOSTILE}"
            leader.act(cases["web"], "assign", {"owner": officer_id})
            assert leader.status == 302, leader.page[:2000]
            leader.act(cases["sms"], "close", {"close_outcome": "resolved", "close_note": closed_note})
            assert leader.status == 302, leader.page[:2000]
            with serve(app) as base:
                yield Site(base, app, cases, {LEADER: leader.secret or ""}, closed_note)
    finally:
        telegram.stop()
        RUNNER.forget_bots()


class Console:
    """The console in the module's one browser: signs each account in once, then swaps its session cookie back in."""

    def __init__(self, driver: WebDriver, site: Site):
        self.driver, self.site = driver, site
        self.cookies: dict[str, dict] = {}

    def sign_in(self, email: str) -> None:
        d, base = self.driver, self.site.base
        d.get(base + "/staff/static/build/staff.min.css")  # on the site, to set its cookies, without a page view
        d.delete_all_cookies()
        if email in self.cookies:
            d.add_cookie(self.cookies[email])
            return
        d.get(base + "/staff/login")
        d.find_element(By.ID, "email").send_keys(email)
        d.find_element(By.ID, "password").send_keys(PASSWORD)
        submit(d, "main form button")
        # First sign-in: the key the page shows once; an account enrolled before has its key in the site.
        key = d.find_element(By.ID, "totp-key").text if d.current_url.endswith("/enrol") else self.site.secrets[email]
        d.find_element(By.ID, "code").send_keys(code_at(key))
        submit(d, "main form button")
        assert d.current_url == base + "/staff/", (d.current_url, d.find_element(By.TAG_NAME, "main").text[:500])
        cookie = d.get_cookie("session")
        assert cookie is not None
        self.cookies[email] = cookie

    def open(self, path: str, **expect: Any) -> dict:
        self.driver.get(self.site.base + path)
        return inert(self.driver, **expect)


@pytest.fixture(scope="module")
def console(site):
    driver = chrome()
    yield Console(driver, site)
    driver.quit()


# The browser's own request for a download, with its session: the status, Content-Disposition and Content-Type.
DOWNLOAD = """
const done = arguments[arguments.length - 1];
fetch(arguments[0], {redirect: 'manual'}).then(
  r => done([r.status, r.headers.get('content-disposition') || '', r.headers.get('content-type') || '']),
  e => done([0, String(e), '']));
"""


def submit(driver: WebDriver, css: str) -> None:
    navigating(driver, lambda: driver.find_element(By.CSS_SELECTOR, css).click())


def inert(driver: WebDriver, shown: list[str] | tuple[str, ...] = (), values: dict[str, str] | None = None) -> dict:
    """Assert that nothing on the page ran or became markup, and that each of `shown` is on it as written."""
    where = driver.current_url
    alert = open_alert(driver)
    assert alert is None, f"an alert opened on {where}: {alert!r}"
    state = page_state(driver)
    assert state["xss"] == "undefined", f"a reporter's script ran on {where}"
    assert state["bad"] == [], f"what someone wrote became markup on {where}: {state['bad']}"
    assert "sum=49" not in state["html"] and "sum=49" not in state["text"], f"{{{{7*7}}}} was evaluated on {where}"
    assert SECRET not in state["html"], f"the secret key is on {where}"
    words = "\n".join([state["text"], *state["options"]])
    missing = [s[:40] for s in shown if s not in words]
    assert not missing, f"not shown as written on {where}: {missing}"
    for field, value in (values or {}).items():
        assert state["values"].get(field) == value, f"#{field} on {where} holds {state['values'].get(field)!r}"
    return state


def open_every_form(driver: WebDriver) -> None:
    for summary in driver.find_elements(By.CSS_SELECTOR, "details:not([open]) > summary"):
        summary.click()
    assert driver.execute_script("return [...document.querySelectorAll('details')].every(d => d.open)")


def open_form(driver: WebDriver, action: str) -> None:
    if not driver.find_element(By.ID, f"act-{action}").get_dom_attribute("open"):
        driver.find_element(By.CSS_SELECTOR, f"#act-{action} > summary").click()


def fill(driver: WebDriver, **fields: str) -> None:
    for field, value in fields.items():
        element = driver.find_element(By.ID, field)
        element.clear()
        element.send_keys(value)


# ---- the reports themselves ----------------------------------------------------------------------
def test_every_door_kept_what_was_written_as_written(site):
    """The browser checks mean something only if the words reached the cases unchanged, files included."""
    with site.store.transaction() as db:
        for door, reference in site.cases.items():
            case = db.scalar(select(CaseRow).where(CaseRow.reference == reference))
            stored = json.dumps([case.answers, case.contact, [e.data for e in case.events]], ensure_ascii=False)
            expected = [s.removeprefix("Not understood: ") for s in SHOWN[door]]
            assert all(json.dumps(s, ensure_ascii=False)[1:-1] in stored for s in expected), door
            names = {a.filename for a in case.attachments}
            assert {"web": {WEB_FILE}, "sms": {"photo-1.png"}, "telegram": {"telegram.png", TELEGRAM_FILE}}[door] == names


def test_the_team_email_says_which_case_and_how_urgent_and_nothing_the_reporter_wrote(site):
    with site.store.transaction() as db:
        payloads = [row.payload for row in db.scalars(select(OutboxRow).where(OutboxRow.purpose == "team_notice"))]
    assert {p["reference"] for p in payloads} == set(site.cases.values())
    assert all(set(p) <= NOTICE_FIELDS for p in payloads), payloads
    settings = site.app.config["INTAKE_SETTINGS"]
    senders = site.app.extensions["assembly"].senders(settings)
    outbox.deliver_due(site.store, senders, "xss-test", channels=("email",))
    mails = [message_from_string(p.read_text(), policy=policy.default) for p in sorted(settings.mail_dir.glob("*.eml"))]
    assert len(mails) == len(payloads)
    with site.store.transaction() as db:
        rows = db.scalars(select(OutboxRow).where(OutboxRow.purpose == "team_notice")).all()
        assert {row.status for row in rows} == {"sent"}
    for text in [json.dumps(payloads), *(m.as_string() + m.get_body().get_content() for m in mails)]:
        leaked = [w for w in (*REPORTER_WORDS, STAFF_NAME) if w.lower() in text.lower()]
        assert not leaked, leaked
    assert all(m["X-Case-Reference"] in site.cases.values() for m in mails)


# ---- the queue -----------------------------------------------------------------------------------
def test_the_queue_in_every_tab_with_a_search_and_filters_shows_nothing_as_markup(console, site):
    console.sign_in(OFFICER)
    web, sms, telegram = (site.cases[d] for d in ("web", "sms", "telegram"))
    tabs = {tab: console.open(f"/staff/?tab={tab}")["text"] for tab in ("all", "unassigned", "mine", "closed")}
    assert web in tabs["all"] and telegram in tabs["all"] and sms not in tabs["all"]
    assert telegram in tabs["unassigned"] and web not in tabs["unassigned"]
    assert web in tabs["mine"] and telegram not in tabs["mine"]
    assert sms in tabs["closed"] and web not in tabs["closed"]
    found = console.open(f"/staff/?{urlencode({'tab': 'all', 'reference': telegram})}", values={"reference": telegram})
    assert telegram in found["text"] and web not in found["text"]
    # What is typed in a search comes back in the page: as a field's value, never as markup.
    console.open(f"/staff/?{urlencode({'reference': HOSTILE})}", values={"reference": HOSTILE.upper()[:16]})
    filters = [("tab", "all"), ("district", HOSTILE), ("language", HOSTILE), ("risk", "standard"), ("risk", HOSTILE),
               ("channel", "telegram"), ("strand", "race"), ("strand", HOSTILE), ("incident_type", "verbal_abuse"),
               ("status", "new"), ("overdue", "yes")]  # fmt: skip
    console.open(f"/staff/?{urlencode(filters)}", values={"district": HOSTILE, "language": HOSTILE})
    # And through the filter form itself.
    console.open("/staff/?tab=closed")
    fill(console.driver, district=HOSTILE, language=HOSTILE)
    door = console.driver.find_element(By.CSS_SELECTOR, "input[name=channel][value=sms]")
    folded = door.find_element(By.XPATH, "ancestor::details")
    if folded.get_dom_attribute("open") is None:  # the door list folds away until opened, as on a phone
        folded.find_element(By.TAG_NAME, "summary").click()
    door.click()
    submit(console.driver, ".moj-filter button")
    state = inert(console.driver, values={"district": HOSTILE, "language": HOSTILE})
    assert "Cases found: 0" in state["text"]


# ---- each case page ------------------------------------------------------------------------------
@pytest.mark.parametrize("door", ["web", "sms", "telegram"])
def test_each_case_page_with_every_form_open_shows_the_reporters_words_as_written(console, site, door):
    console.sign_in(OFFICER)
    console.driver.get(f"{site.base}/staff/cases/{site.cases[door]}")
    open_every_form(console.driver)
    state = inert(console.driver, shown=SHOWN[door] + ([site.closed_note] if door == "sms" else []))
    links = [a.get_dom_attribute("href") for a in console.driver.find_elements(By.CSS_SELECTOR, "a[href*='/attachments/']")]
    assert len(links) == {"web": 1, "sms": 1, "telegram": 2}[door]
    # The file names reporters chose are not shown at all, nor sent back: a download is named by the case.
    assert WEB_FILE not in state["text"] and TELEGRAM_FILE not in state["text"]
    for link in links:
        status, disposition, kind = console.driver.execute_async_script(DOWNLOAD, link)
        assert status == 200 and kind == "application/octet-stream", (link, status, kind)
        assert disposition.startswith(f'attachment; filename="{site.cases[door]}-') and "<" not in disposition, disposition


def test_an_officer_pasting_the_reporters_words_into_every_form_gets_them_back_as_text(console, site):
    """The case's forms, sent back with an error (the words return in the fields) and then saved (on the page)."""
    console.sign_in(OFFICER)
    d, reference = console.driver, site.cases["telegram"]
    words = f"They told me: {HOSTILE}"
    who = f"Legal team {PAYLOADS[1]} {PAYLOADS[2]} {PAYLOADS[-1]}"  # "who" takes 200 characters
    d.get(f"{site.base}/staff/cases/{reference}")
    open_form(d, "note")
    fill(d, note_text=words)
    submit(d, "#act-note button")
    inert(d, shown=[words])
    # A contact without how it was made: refused, the note back in its textarea.
    open_form(d, "contact")
    fill(d, contact_note=words)
    submit(d, "#act-contact button")
    state = inert(d, values={"contact_note": words})
    assert "There is a problem" in state["text"] and d.find_element(By.ID, "act-contact").get_dom_attribute("open") is not None
    # An action due last week: refused, both fields back as typed; then saved without a date.
    open_form(d, "action_add")
    Select(d.find_element(By.ID, "kind")).select_by_index(1)
    last_week = datetime.now(UTC) - timedelta(days=7)
    fill(
        d,
        what=words,
        who=who,
        **{"due-day": str(last_week.day), "due-month": str(last_week.month), "due-year": str(last_week.year)},
    )
    submit(d, "#act-action_add button")
    state = inert(d, values={"what": words, "who": who})
    assert "must be today or in the future" in state["text"]
    fill(d, **{"due-day": "", "due-month": "", "due-year": ""})
    submit(d, "#act-action_add button")
    open_every_form(d)
    state = inert(d, shown=[words, who])
    assert any(o.endswith(": " + words[:60]) for o in state["options"]), "the action is offered by its words in Update an action"
    # A referral: what was shared and why, in the referrals card and on the timeline.
    open_form(d, "disclose")
    Select(d.find_element(By.ID, "recipient")).select_by_index(1)
    fill(d, shared=words, purpose=words)
    d.find_element(By.CSS_SELECTOR, "input[name=basis][value=consent]").click()
    d.find_element(By.CSS_SELECTOR, "input[name=consent_source][value=intake]").click()
    submit(d, "#act-disclose button")
    open_every_form(d)
    state = inert(d, shown=[words, who, *SHOWN["telegram"]])
    assert "There is a problem" not in state["text"]
    assert state["text"].count(words) >= 4  # the note, the action, what was shared and why


# ---- team leaders and admins ---------------------------------------------------------------------
def test_a_team_leader_sees_the_audit_log_filtered_and_the_assign_form_as_text(console, site):
    console.sign_in(LEADER)
    d = console.driver
    state = console.open("/staff/audit", shown=[STAFF_NAME])
    assert "Changed a case" in state["text"] and site.cases["web"] in state["text"]  # the leader's own, in the site
    Select(d.find_element(By.ID, "person")).select_by_visible_text("Tia Lead")
    submit(d, "main form button")
    inert(d, shown=[STAFF_NAME])
    console.open(f"/staff/audit?reference={site.cases['web']}", values={"reference": site.cases["web"]})
    d.get(f"{site.base}/staff/cases/{site.cases['telegram']}")
    open_every_form(d)
    inert(d, shown=[STAFF_NAME, *SHOWN["telegram"]])  # the team in the assign form's list


def test_an_admin_sees_every_account_by_the_name_it_was_given(console, site):
    console.sign_in(ADMIN)
    state = console.open("/staff/accounts", shown=[STAFF_NAME])
    assert "Olu Officer" in state["text"] and "Tia Lead" in state["text"]

"""The case officers' console in headless Chromium, used as a case officer uses it.

Sign-in with real codes from the key the enrolment page shows, the queue's tabs, filters and pages,
every case action from its form on the case page, the audit log, an admin resetting an authenticator,
axe on every page at desktop and phone widths, and a contact recorded with the keyboard alone.

One site (a real SQLite file) and one browser serve the whole module. Each person signs in through
the browser once; after that the test puts their session cookie back, as their own browser would keep it.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest
from argon2 import PasswordHasher
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select
from sqlalchemy import select, text

from flask_app import create_app
from intake.cases import new_reference
from intake.store import migrate
from intake.store.db import Store
from intake.store.models import CaseEventRow, CaseRow, StaffAccountRow
from staff import accounts
from staff.display import labels
from tests.e2e.browser import (
    axe_violations,
    chrome,
    describe,
    heading,
    navigating,
    press,
    question_id,
    require_browser,
    serve,
    sideways,
    tab_to,
)
from tests.harness import TEST_DATA_KEYS
from tests.staff_client import PASSWORD, add_account
from tests.web_client import ANONYMOUS_VICTIM, WebReporter

pytestmark = pytest.mark.browser

DESKTOP, PHONE = (1280, 720), (412, 915)
SHOTS = Path("/tmp/staff-shots")
NAMED = {**ANONYMOUS_VICTIM, "identity": "named_here", "name": "Amina Yusuf", "contact_other": "07700 900123", "consent": "yes"}
RELIGION = {**ANONYMOUS_VICTIM, "description": "Someone smashed the window of my flat and left a note about my faith",
            "confirm_suggested": "no", "where": "Netherfield, MK6 4NE", "motivation": ["religion"], "incident_types": ["damage"],
            "risk_incident": ["none"], "risk_impact": ["none"]}  # fmt: skip
POLISH = {**ANONYMOUS_VICTIM, "description": "Sąsiad krzyczał na mnie obelgi, bo jestem z Polski", "confirm_suggested": "no",
          "incident_types": ["verbal_abuse"], "motivation": ["race"]}  # fmt: skip
COPIES = 28  # cases copied from one report (four of them named in the site), so the open cases run to a second page


# ---- the people and the site ------------------------------------------------------------------------
@dataclass
class Person:
    email: str
    name: str
    role: str = "officer"
    secret: str | None = None
    cookies: list[dict] = field(default_factory=list)


PEOPLE = {
    "officer": Person("olu@mkcc.example", "Olu Officer"),
    "second": Person("bea@mkcc.example", "Bea Officer"),
    "lead": Person("tia@mkcc.example", "Tia Lead", "team_leader"),
    "admin": Person("ada@mkcc.example", "Ada Admin", "admin"),
    "new": Person("nia@mkcc.example", "Nia New"),
    "locked": Person("lee@mkcc.example", "Lee Locked"),
    "lost": Person("rio@mkcc.example", "Rio Reset"),
    "checker": Person("kai@mkcc.example", "Kai Checker"),
}


@dataclass
class Site:
    base: str
    app: Any
    cases: dict[str, str]  # what each seeded report is for -> its reference

    def db(self):  # type: ignore[no-untyped-def]
        return self.app.extensions["intake"].store.transaction()

    def case(self, reference: str) -> CaseRow:
        with self.db() as db:
            row = db.scalar(select(CaseRow).where(CaseRow.reference == reference))
            db.expunge(row)
            return row

    def open_cases(self) -> list[CaseRow]:
        with self.db() as db:
            rows = list(db.scalars(select(CaseRow).where(CaseRow.org == "mkcc", CaseRow.work_status != "closed")))
            db.expunge_all()
            return rows


def _report(app, answers: dict, *, org: str = "mkcc", language: str | None = None, until: str | None = None) -> str:
    """A report made through the web form, as a reporter makes it; the case's reference."""
    reporter = WebReporter(app.test_client(), org)
    if language:
        reporter.post({"action": "language", "language": language})
        reporter.get()
    reporter.start()
    reporter.report(answers, until=until)
    if language and until is None:
        reporter.send()  # report() knows check-your-answers by its English heading
    with app.extensions["intake"].store.transaction() as db:
        return db.scalars(select(CaseRow.reference).where(CaseRow.org == org).order_by(CaseRow.id.desc())).first()


def _copies(app, reference: str, n: int) -> list[str]:
    """`n` more cases like `reference`'s, timeline and all: a busy queue, without making each report by hand."""
    made = []
    with app.extensions["intake"].store.transaction() as db:
        source = db.scalar(select(CaseRow).where(CaseRow.reference == reference))
        columns = [c.key for c in CaseRow.__table__.columns if c.key not in ("id", "reference", "version")]
        for _ in range(n):
            made.append(new_reference(source.reference.split("-")[0]))
            copy = CaseRow(reference=made[-1], **{c: getattr(source, c) for c in columns})
            copy.events = [CaseEventRow(at=e.at, kind=e.kind, data=dict(e.data), actor_id=e.actor_id) for e in source.events]
            db.add(copy)
    return made


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_browser()
    # argon2id as the product uses it, with lighter costs: each sign-in here would otherwise spend half a second
    # hashing on a small machine. tests/test_staff.py signs in with the real costs.
    light = pytest.MonkeyPatch()
    light.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1))
    try:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        folder = tmp_path_factory.mktemp("staff-browser")
        url = f"sqlite:///{folder / 'staff.db'}"
        migrate.upgrade(Store(url).engine)
        app = create_app({"INTAKE_INSTANCE_PATH": str(folder), "INTAKE_DATABASE_URL": url,
                          "INTAKE_SECRET_KEY": "staff-browser-" + "k" * 40, "INTAKE_DATA_KEYS": TEST_DATA_KEYS,
                          "INTAKE_WEB_POSTS_PER_MINUTE": "100000"})  # fmt: skip
        for person in PEOPLE.values():
            person.secret, person.cookies = None, []
            add_account(app, email=person.email, name=person.name, role=person.role)
        cases = {
            "worked": _report(app, NAMED),
            "linked": _report(app, ANONYMOUS_VICTIM),
            "religion": _report(app, RELIGION),
            "polish": _report(app, POLISH, language="pl"),
            "partial": _report(app, ANONYMOUS_VICTIM, until="perpetrator"),
            "other landlord": _report(app, ANONYMOUS_VICTIM, org="wchg"),
        }
        cases.update(zip(("keyboard", "errors"), _copies(app, cases["worked"], 2), strict=True))
        cases.update(zip(("audited", "overdue", "closed", "telegram"), _copies(app, cases["linked"], 4), strict=True))
        _copies(app, cases["linked"], COPIES - 4)
        with app.extensions["intake"].store.transaction() as db:
            db.execute(text("UPDATE cases SET first_contact_due = :due WHERE reference = :r"),
                       {"due": datetime.now(UTC) - timedelta(hours=2), "r": cases["overdue"]})  # fmt: skip
            db.execute(text("UPDATE cases SET work_status = 'closed', outcome = 'resolved', closed_at = :at WHERE reference = :r"),
                       {"at": datetime.now(UTC), "r": cases["closed"]})  # fmt: skip
            # The web is the only door a test can knock at here; the queue's door filter reads this column.
            db.execute(text("UPDATE cases SET channel = 'telegram' WHERE reference = :r"), {"r": cases["telegram"]})
        with serve(app) as base:
            yield Site(base, app, cases)
    finally:
        light.undo()


@pytest.fixture(scope="module")
def browser(site):
    driver = chrome()
    driver.set_window_size(*DESKTOP)
    yield driver
    driver.quit()


# ---- what a person does in the browser -----------------------------------------------------------------
def css(driver, selector: str):  # type: ignore[no-untyped-def]
    return driver.find_element(By.CSS_SELECTOR, selector)


def texts(driver, selector: str) -> list[str]:
    """The words of every element matching `selector`, as shown, in one round trip to the browser."""
    return driver.execute_script("return [...document.querySelectorAll(arguments[0])].map(e => e.innerText.trim())", selector)


def fill(driver, field_id: str, value: str) -> None:
    box = driver.find_element(By.ID, field_id)
    if box.get_property("value"):
        box.clear()
    box.send_keys(value)


def choose(driver, name: str, value: str) -> None:
    css(driver, f"input[name='{name}'][value='{value}']").click()


def pick(driver, field_id: str, value: str) -> None:
    Select(driver.find_element(By.ID, field_id)).select_by_value(value)


def send(driver, button: str) -> None:
    """Press a form's button and wait for the page it leads to."""
    navigating(driver, lambda: css(driver, button).click())


def main_text(driver) -> str:
    return css(driver, "main").text


def banner(driver) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, ".govuk-notification-banner")
    return found[0].text if found else ""


def error_summary(driver) -> list[tuple[str, str]]:
    """The error summary's links: (words, href)."""
    return [
        (a.text.strip(), a.get_dom_attribute("href")) for a in driver.find_elements(By.CSS_SELECTOR, ".govuk-error-summary a")
    ]


def last_step(site: Site, email: str) -> int | None:
    with site.db() as db:
        return db.scalar(select(StaffAccountRow.totp_last_step).where(StaffAccountRow.email == email))


def fresh_code(site: Site, person: Person) -> str:
    """The code the person's authenticator app shows: now's, or, when that one is spent, the next (waited for if need be)."""
    totp = pyotp.TOTP(person.secret)
    while True:
        at = time.time()
        step, into = int(at // 30), at % 30
        # The step before is accepted too (a phone clock a little out), while the server is sure to be in this one.
        earliest = step - 1 if into < 24 else step
        used = last_step(site, person.email)
        wanted = earliest if used is None else max(earliest, used + 1)
        if wanted <= step + 1:
            return totp.generate_otp(wanted)
        time.sleep(30 - into + 0.05)


def password_step(driver, site: Site, person: Person, password: str = PASSWORD) -> None:
    driver.get(site.base + "/staff/login")
    fill(driver, "email", person.email)
    fill(driver, "password", password)
    send(driver, "main form button")


def enter_code(driver, code: str) -> None:
    fill(driver, "code", code)
    send(driver, "main form button")


def enrol(driver, site: Site, person: Person) -> None:
    """On the enrolment page: add the key shown to an authenticator (here pyotp) and confirm with its code."""
    assert driver.current_url.endswith("/staff/login/enrol"), driver.current_url
    person.secret = css(driver, "#totp-key").text.strip()
    enter_code(driver, fresh_code(site, person))


def sign_in(driver, site: Site, person: Person) -> None:
    """Through the sign-in pages with a real code, enrolling first if the account has no authenticator yet."""
    driver.delete_all_cookies()
    password_step(driver, site, person)
    if driver.current_url.endswith("/login/enrol"):
        enrol(driver, site, person)
    else:
        enter_code(driver, fresh_code(site, person))
    assert heading(driver) == "Cases", main_text(driver)[:500]
    person.cookies = [c for c in driver.get_cookies() if c["name"] == "session"]


def be(driver, site: Site, key: str) -> Person:
    """Be this person in the shared browser: their own session, kept as their browser keeps it."""
    person = PEOPLE[key]
    if not person.cookies:
        sign_in(driver, site, person)
        return person
    if not driver.current_url.startswith(site.base):
        driver.get(site.base + "/staff/login")
    driver.delete_all_cookies()
    for cookie in person.cookies:
        driver.add_cookie({k: v for k, v in cookie.items() if k in ("name", "value", "path", "httpOnly", "sameSite")})
    return person


def sign_out(driver) -> None:
    send(driver, "nav form[action$='/staff/logout'] button")
    assert heading(driver) == "Sign in" and "You have signed out" in banner(driver)


# ---- the case page ---------------------------------------------------------------------------------------
def open_case(driver, site: Site, reference: str) -> None:
    driver.get(f"{site.base}/staff/cases/{reference}")
    assert heading(driver) == f"Case {reference}", main_text(driver)[:300]


def open_form(driver, action: str) -> None:
    if not driver.execute_script("return document.getElementById(arguments[0]).open", f"act-{action}"):
        css(driver, f"#act-{action} summary").click()
        assert driver.execute_script("return document.getElementById(arguments[0]).open", f"act-{action}")


def act(driver, action: str, **fields: str | list[str]) -> None:
    """Open an action's form, fill it (text by field id, radios by name, selects by id), send it."""
    open_form(driver, action)
    kinds = driver.execute_script(
        "const form = document.querySelector(arguments[0]);"
        "return arguments[1].map(n => form.querySelector(`input[type=radio][name='${n}']`) ? 'radio'"
        " : form.querySelector(`select#${n}`) ? 'select' : 'text')",
        f"#act-{action} form",
        list(fields),
    )
    for (name, value), kind in zip(fields.items(), kinds, strict=True):
        if kind == "radio":
            choose(driver, name, value)
        elif kind == "select":
            css(driver, f"select#{name} option[value='{value}']").click()
        else:
            fill(driver, name, value)
    send(driver, f"#act-{action} form button")


_TIMELINE = """
return [...document.querySelectorAll('.moj-timeline .moj-timeline__item')].map(item => ({
  title: item.querySelector('.moj-timeline__title').innerText.trim(),
  by: [...item.querySelectorAll('.moj-timeline__byline')].map(e => e.innerText.trim()).join(' '),
  lines: [...item.querySelectorAll('.moj-timeline__description p')].map(e => e.innerText.trim()),
}));
"""


def timeline(driver) -> list[dict[str, Any]]:
    """The timeline as shown, newest first: each event's title, byline and lines."""
    return driver.execute_script(_TIMELINE)


def summary_row(driver, key: str) -> str:
    """A value in the case's summary list at the top of the page, by its key."""
    for row in driver.find_elements(By.CSS_SELECTOR, "main > dl .govuk-summary-list__row"):
        if row.find_element(By.CSS_SELECTOR, "dt").text.strip() == key:
            return row.find_element(By.CSS_SELECTOR, "dd").text.strip()
    return ""


def saved(driver, title: str, *lines: str, by: str) -> None:
    """The action was saved, and the timeline's newest event says what it was, who did it and its details."""
    assert "Saved" in banner(driver), main_text(driver)[:800]
    assert driver.current_url.endswith("#timeline")
    newest = timeline(driver)[0]
    assert newest["title"] == title, newest
    assert newest["by"] == f"by {by}", newest
    for line in lines:
        assert line in newest["lines"], (line, newest)


# ---- 1. enrolment and sign-in ----------------------------------------------------------------------------
def test_first_sign_in_enrols_an_authenticator_then_codes_sign_in_and_a_spent_code_is_refused(browser, site):
    person = PEOPLE["new"]
    browser.delete_all_cookies()
    password_step(browser, site, person)
    assert browser.current_url.endswith("/staff/login/enrol") and heading(browser) == "Set up your authenticator"
    qr = css(browser, "main img")
    assert qr.get_dom_attribute("src").startswith("data:image/svg+xml") and qr.get_dom_attribute("alt")
    key = css(browser, "#totp-key").text.strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", key), key
    link = urlsplit(css(browser, "a[href^='otpauth://']").get_dom_attribute("href"))
    assert (link.scheme, link.netloc) == ("otpauth", "totp")
    assert parse_qs(link.query)["secret"] == [key] and person.email in unquote(link.path)
    assert parse_qs(link.query)["issuer"] == ["Hate incident reports"]
    enter_code(browser, "000000" if pyotp.TOTP(key).now() != "000000" else "111111")
    assert heading(browser) == "Set up your authenticator" and error_summary(browser) == [
        ("Enter the 6-digit code your authenticator app shows now", "#code")
    ]
    assert css(browser, "#totp-key").text.strip() == key  # the same key until a code confirms it
    enrol(browser, site, person)
    assert heading(browser) == "Cases" and person.name in css(browser, "nav.moj-primary-navigation").text

    sign_out(browser)
    password_step(browser, site, person)
    assert browser.current_url.endswith("/staff/login/code") and heading(browser) == "Enter your code"
    code = fresh_code(site, person)
    enter_code(browser, code)
    assert heading(browser) == "Cases"

    sign_out(browser)
    password_step(browser, site, person)
    enter_code(browser, code)  # seen over a shoulder, say: spent
    assert heading(browser) == "Enter your code"
    assert error_summary(browser) == [("Enter the 6-digit code your authenticator app shows now", "#code")]
    enter_code(browser, fresh_code(site, person))
    assert heading(browser) == "Cases"
    person.cookies = [c for c in browser.get_cookies() if c["name"] == "session"]


def test_ten_wrong_passwords_lock_the_account_and_the_page_says_so(browser, site):
    person = PEOPLE["locked"]
    browser.delete_all_cookies()
    password_step(browser, site, person, password="not the password 1")
    for attempt in range(1, 11):
        if attempt > 1:  # the page keeps the email: the person tries another password
            fill(browser, "password", f"not the password {attempt}")
            send(browser, "main form button")
        assert heading(browser) == "Sign in"
        if attempt < 10:
            assert error_summary(browser) == [("Enter a correct email address and password", "#email")], attempt
    locked = "This account is locked after too many attempts. Try again in 15 minutes."
    assert error_summary(browser) == [(locked, "#email")]  # the tenth says so at once
    password_step(browser, site, person)  # the right password does not open it
    assert heading(browser) == "Sign in" and error_summary(browser) == [(locked, "#email")]
    assert browser.find_element(By.ID, "email").get_dom_attribute("value") == person.email  # kept, so nothing is typed twice


def test_an_admin_resets_a_lost_authenticator_and_the_person_enrols_again(browser, site):
    lost = PEOPLE["lost"]
    be(browser, site, "lost")
    old_secret, old_session = lost.secret, lost.cookies
    be(browser, site, "admin")
    browser.get(site.base + "/staff/accounts")
    assert heading(browser) == "Accounts"
    row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "tbody tr") if lost.email in r.text)
    assert "Active" in row.text
    button = row.find_element(By.XPATH, ".//button[contains(., 'Reset authenticator')]")
    assert " ".join(button.accessible_name.split()) == f"Reset authenticator – {lost.name}"  # which one, to a screen reader too
    navigating(browser, button.click)
    assert f"{lost.name} will set up a new authenticator at their next sign-in" in banner(browser)
    row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "tbody tr") if lost.email in r.text)
    assert "Not set up yet" in row.text

    lost.cookies = old_session  # the reset ended the session on the lost phone's browser too
    be(browser, site, "lost")
    browser.get(site.base + "/staff/")
    assert heading(browser) == "Sign in"
    password_step(browser, site, lost)
    assert heading(browser) == "Set up your authenticator"
    assert css(browser, "#totp-key").text.strip() != old_secret
    enter_code(browser, pyotp.TOTP(old_secret).now())  # the old phone's codes are no good
    assert heading(browser) == "Set up your authenticator" and error_summary(browser)
    enrol(browser, site, lost)
    assert heading(browser) == "Cases"
    lost.cookies = [c for c in browser.get_cookies() if c["name"] == "session"]


# ---- 2. the queue ----------------------------------------------------------------------------------------
def tab_counts(driver) -> dict[str, int]:
    found = {}
    for link in driver.find_elements(By.CSS_SELECTOR, ".moj-sub-navigation__link"):
        words = link.text.split()
        found[" ".join(words[:-1])] = int(words[-1])
    return found


def shown(driver) -> list[str]:
    return texts(driver, "main tbody .app-queue__reference a")


def cases_found(driver) -> int:
    return int(re.search(r"Cases found: (\d+)", main_text(driver)).group(1))


def apply_filters(driver, site: Site, *, boxes: tuple[tuple[str, str], ...] = (), **boxes_text: str) -> None:
    driver.get(site.base + "/staff/?tab=all")
    for name, value in boxes:
        box = css(driver, f"input[name='{name}'][value='{value}']")
        for fold in box.find_elements(By.XPATH, "./ancestor::details[not(@open)]/summary"):
            fold.click()  # a long list is folded away until opened
        box.click()
    for field_id, value in boxes_text.items():
        fill(driver, field_id, value)
    send(driver, ".moj-filter form button")


def all_results(driver) -> set[str]:
    """Every reference a filtered list holds, following its pages."""
    found = set(shown(driver))
    while driver.find_elements(By.CSS_SELECTOR, ".govuk-pagination__next a"):
        send(driver, ".govuk-pagination__next a")
        found |= set(shown(driver))
    return found


def test_the_queue_has_tabs_with_counts_filters_search_and_pages_with_overdue_first(browser, site):
    me = be(browser, site, "officer")
    open_case(browser, site, site.cases["religion"])
    send(browser, "form[action$='/take'] button")  # one of Olu's own, for the Mine tab
    browser.get(site.base + "/staff/")
    opened = site.open_cases()
    with site.db() as db:
        closed = db.scalar(text("SELECT count(*) FROM cases WHERE org = 'mkcc' AND work_status = 'closed'"))
        my_id = db.scalar(select(StaffAccountRow.id).where(StaffAccountRow.email == me.email))
    expected = {
        "Mine": sum(c.owner_id == my_id for c in opened),
        "Unassigned": sum(c.owner_id is None for c in opened),
        "All open": len(opened),
        "Closed": closed,
    }
    assert tab_counts(browser) == expected and expected["Mine"] >= 1 and expected["Closed"] >= 1
    assert css(browser, ".moj-sub-navigation__link[aria-current=page]").text.startswith("All open")

    # Overdue first, and said in words.
    first_row = css(browser, "main tbody tr")
    assert shown(browser)[0] == site.cases["overdue"] and "First contact overdue" in first_row.text

    for tab, count in expected.items():
        navigating(browser, browser.find_element(By.XPATH, f"//a[@class='moj-sub-navigation__link'][contains(., '{tab}')]").click)
        assert css(browser, ".moj-sub-navigation__link[aria-current=page]").text.startswith(tab)
        assert cases_found(browser) == count and len(shown(browser)) == min(count, 25), tab
    assert site.cases["closed"] in shown(browser)  # the Closed tab, last

    # Pages: 25 a page, the rest on the next, none twice; the filters and tab stay with the page links.
    browser.get(site.base + "/staff/?tab=all")
    first_page = shown(browser)
    assert len(first_page) == 25 and "Page 1 of 2" in main_text(browser)
    assert not browser.find_elements(By.CSS_SELECTOR, ".govuk-pagination__prev a")
    send(browser, ".govuk-pagination__next a")
    second_page = shown(browser)
    assert "Page 2 of 2" in main_text(browser) and len(second_page) == len(opened) - 25
    assert not set(first_page) & set(second_page) and set(first_page) | set(second_page) == {c.reference for c in opened}
    send(browser, ".govuk-pagination__prev a")
    assert shown(browser) == first_page

    # Each filter, through the MOJ filter's own form, against what the database holds.
    def refs(keep) -> set[str]:  # type: ignore[no-untyped-def]
        return {c.reference for c in opened if keep(c)}

    now = datetime.now(UTC)
    checks = [
        ({"boxes": (("status", "in_progress"),)}, refs(lambda c: c.status == "in_progress")),
        ({"boxes": (("status", "new"),)}, refs(lambda c: c.work_status == "new")),
        ({"boxes": (("risk", "standard"),)}, refs(lambda c: c.risk_level == "standard")),
        ({"boxes": (("risk", "standard"), ("risk", "high"))}, refs(lambda c: c.risk_level in ("standard", "high"))),
        ({"boxes": (("strand", "religion"),)}, refs(lambda c: "religion" in c.strands)),
        ({"boxes": (("incident_type", "damage"),)}, refs(lambda c: "damage" in c.incident_types)),
        ({"boxes": (("channel", "telegram"),)}, refs(lambda c: c.channel == "telegram")),
        ({"language": "pl"}, refs(lambda c: c.language == "pl")),
        ({"district": "mk6"}, refs(lambda c: c.postcode_district == "MK6")),
        ({"boxes": (("overdue", "yes"),)}, refs(lambda c: _overdue(c, now))),
        ({"boxes": (("strand", "race"), ("incident_type", "damage"))}, refs(lambda c: "race" in c.strands and "damage" in c.incident_types)),
    ]  # fmt: skip
    assert refs(lambda c: c.status == "in_progress") == {site.cases["partial"]}
    assert refs(lambda c: c.channel == "telegram") == {site.cases["telegram"]}
    assert refs(lambda c: c.language == "pl") == {site.cases["polish"]}
    assert refs(lambda c: "religion" in c.strands) == refs(lambda c: c.postcode_district == "MK6") == {site.cases["religion"]}
    for chosen, wanted in checks:
        apply_filters(browser, site, **chosen)
        assert all_results(browser) == wanted, chosen
        ticked = browser.execute_script(
            "return [...document.querySelectorAll('.moj-filter input:checked')].map(e => [e.name, e.value])"
        )
        assert sorted(map(tuple, ticked)) == sorted(chosen.get("boxes", ())), chosen  # the officer sees what the list is
    assert len(refs(lambda c: c.risk_level in ("standard", "high"))) > len(refs(lambda c: c.risk_level == "standard")) > 0

    # Search by reference, whole or in part, and clear it.
    apply_filters(browser, site, reference=site.cases["polish"].lower())
    assert shown(browser) == [site.cases["polish"]]
    apply_filters(browser, site, reference=site.cases["religion"][-4:])
    assert site.cases["religion"] in shown(browser)
    navigating(browser, browser.find_element(By.XPATH, "//main//a[.='Clear filters']").click)
    assert cases_found(browser) == len(opened)
    apply_filters(browser, site, reference="MK-ZZZZZZ")
    assert cases_found(browser) == 0 and "No cases match." in main_text(browser)


def _overdue(case: CaseRow, now: datetime) -> bool:
    due = case.first_contact_due if case.first_contacted_at is None else case.next_contact_due
    return due is not None and due.replace(tzinfo=UTC) < now


# ---- 3. every case action --------------------------------------------------------------------------------
def test_every_case_action_from_its_form_shows_on_the_timeline_newest_first(browser, site):
    reference, other = site.cases["worked"], site.cases["linked"]
    profile = site.app.extensions["intake"].profiles["mkcc"]
    words = labels(profile)
    done: list[str] = []

    # A team leader assigns it.
    be(browser, site, "lead")
    open_case(browser, site, reference)
    assert summary_row(browser, "Owner") == "Unassigned"
    # Why the intake gave its level, in words, not the risk matrix's ids.
    assert texts(browser, "#risk li")[:2] == ["They threatened or used violence", "Worried it will get worse"]
    assert "threats_violence" not in main_text(browser)
    act(browser, "assign", owner=str(_account_id(site, PEOPLE["second"].email)))
    saved(browser, "Assigned", "To Bea Officer", by="Tia Lead")
    assert summary_row(browser, "Owner") == "Bea Officer"
    done.append("Assigned")

    # An officer cannot assign, but takes the case for themself.
    be(browser, site, "officer")
    open_case(browser, site, reference)
    assert not browser.find_elements(By.ID, "act-assign")
    send(browser, "form[action$='/take'] button")
    saved(browser, "Assigned", "To Olu Officer", by="Olu Officer")
    assert summary_row(browser, "Owner") == "Olu Officer" and not browser.find_elements(By.CSS_SELECTOR, "form[action$='/take']")
    done.append("Assigned")

    act(browser, "risk", level="medium", risk_reasons="Perpetrator has moved away; no threats since")
    saved(
        browser,
        "Risk reviewed",
        "From High risk to Medium risk",
        "Perpetrator has moved away; no threats since",
        by="Olu Officer",
    )
    assert "Medium risk" in texts(browser, "main > p .govuk-tag")
    done.append("Risk reviewed")

    # An attempt that reached no one leaves the first-contact clock running...
    act(browser, "contact", method="phone", contact_outcome="no_answer")
    saved(browser, "Contact", "Phone call: No answer", by="Olu Officer")
    assert site.case(reference).first_contacted_at is None
    assert summary_row(browser, "Deadline").startswith("First contact due") and not summary_row(browser, "First contact")
    done.append("Contact")

    # ...a contact with a time left out is refused, with the error summary linking to the field, and keeps what was typed...
    open_form(browser, "contact")
    fill(browser, "happened-time", "")
    act(browser, "contact", method="in_person", contact_outcome="spoke", contact_note="Visited at home; she is safe")
    assert heading(browser) == f"Case {reference}" and browser.title.startswith("Error:")
    assert error_summary(browser) == [("Enter when it happened", "#happened")]
    assert browser.switch_to.active_element == css(browser, ".govuk-error-summary")  # GOV.UK Frontend's script moves focus there
    assert css(browser, "#happened-error").text.endswith("Enter when it happened")
    assert css(browser, "input[name=method][value=in_person]").is_selected()
    assert css(browser, "input[name=contact_outcome][value=spoke]").is_selected()
    assert css(browser, "#contact_note").get_property("value") == "Visited at home; she is safe"
    assert css(browser, "#happened-time").get_property("value") == ""  # not silently put back to now
    css(browser, ".govuk-error-summary a").click()
    assert browser.current_url.endswith("#happened") and css(browser, "#happened-time").is_displayed()
    assert site.case(reference).first_contacted_at is None

    # ...and one that reached her stops it and starts the next.
    fill(browser, "happened-time", datetime.now(UTC).astimezone(_tz(profile)).strftime("%H:%M"))
    send(browser, "#act-contact form button")
    saved(browser, "Contact", "In person: Spoke to them", "Visited at home; she is safe", by="Olu Officer")
    assert site.case(reference).first_contacted_at is not None
    assert summary_row(browser, "First contact") and summary_row(browser, "Deadline").startswith("Next contact due")
    done.append("Contact")

    act(browser, "note", note_text="Neighbour confirms the graffiti was there on Monday")
    saved(browser, "Note", "Neighbour confirms the graffiti was there on Monday", by="Olu Officer")
    done.append("Note")

    # The action plan: kinds from the landlord's profile, a status, the day it was agreed.
    open_form(browser, "action_add")
    kinds = [o.get_dom_attribute("value") for o in css(browser, "#kind").find_elements(By.TAG_NAME, "option")]
    assert [k for k in kinds if k] == [k.id for k in profile.action_kinds]
    due = (datetime.now(UTC) + timedelta(days=14)).date()
    act(browser, "action_add", kind="injunction", what="Apply for an injunction against the man next door", who="Legal team",
        **{"due-day": str(due.day), "due-month": str(due.month), "due-year": str(due.year)})  # fmt: skip
    saved(browser, "Action added to the plan", words["action_kinds"]["injunction"], "Legal team", f"by {due.isoformat()}",
          by="Olu Officer")  # fmt: skip
    plan = css(browser, "#plan").text
    assert "Injunction" in plan and "Legal" in plan and "Planned" in plan and due.strftime("%d/%m/%Y") in plan
    done.append("Action added to the plan")

    item = css(browser, "#item option:not([value=''])").get_dom_attribute("value")
    act(browser, "action_update", item=item, item_status="in_progress")
    saved(browser, "Action updated", "Injunction: In progress", by="Olu Officer")
    assert "In progress" in css(browser, "#plan tbody").text
    done.append("Action updated")

    act(browser, "plan_agreed")  # today, as the form offers
    today = datetime.now(UTC).astimezone(_tz(profile)).date()
    saved(browser, "Action plan agreed", f"Agreed on {today.isoformat()}", by="Olu Officer")
    assert f"Agreed with the complainant on {today.day} {today:%b %Y}" in css(browser, "#plan").text
    done.append("Action plan agreed")

    # Referrals and disclosures: on the report's consent, on consent given now, and on an exception with a reason.
    open_form(browser, "disclose")
    assert "Yes, you can share it" in css(browser, "#act-disclose").text  # what the reporter said, beside the form
    act(browser, "disclose", recipient="thames_valley_police", shared="Her account and the photo of the door",
        purpose="To investigate the graffiti", basis="consent", consent_source="intake")  # fmt: skip
    saved(browser, "Referral or disclosure", "To Thames Valley Police", "Basis: consent given in the report", by="Olu Officer")
    done.append("Referral or disclosure")
    now = datetime.now(UTC).astimezone(_tz(profile))
    act(browser, "disclose", recipient="community_safety", shared="Her name and phone number", purpose="Support",
        basis="consent", consent_source="now", consent_how="On the phone", **{"consent-day": str(now.day),
        "consent-month": str(now.month), "consent-year": str(now.year), "consent-time": now.strftime("%H:%M")})  # fmt: skip
    saved(browser, "Referral or disclosure", "To Community Safety", "Basis: consent given now (On the phone)", by="Olu Officer")
    done.append("Referral or disclosure")
    act(browser, "disclose", recipient="safeguarding", shared="That children live in the home", purpose="Safeguarding",
        basis="exception", exception="safeguarding", exception_reason="The children heard the threats")  # fmt: skip
    exception_words = words["exceptions"]["safeguarding"]
    saved(browser, "Referral or disclosure", "To Safeguarding", f"Basis: {exception_words}. Reason: The children heard the threats",
          by="Olu Officer")  # fmt: skip
    shared_with = texts(browser, "#disclosures dt")
    assert [s.splitlines()[0] for s in shared_with] == ["Safeguarding", "Community Safety", "Thames Valley Police"]
    done.append("Referral or disclosure")

    act(browser, "review", route="informal_case_review", review_note="She is unhappy nothing has changed")
    saved(browser, "Case review requested", "ASB Team Leader", "She is unhappy nothing has changed", by="Olu Officer")
    done.append("Case review requested")

    act(browser, "link", link_reference=other.lower())
    saved(browser, "Linked to another case", f"To {other}", by="Olu Officer")
    assert summary_row(browser, "Linked cases") == other
    done.append("Linked to another case")

    act(browser, "close", close_outcome="resolved", close_note="Perpetrator moved; she feels safe")
    saved(browser, "Case closed", words["outcomes"]["resolved"], "Perpetrator moved; she feels safe", by="Olu Officer")
    assert "Closed" in texts(browser, "main > p .govuk-tag") and summary_row(browser, "Outcome") == words["outcomes"]["resolved"]
    assert not browser.find_elements(By.ID, "act-contact")  # a closed case offers only to reopen it
    done.append("Case closed")

    act(browser, "reopen", reopen_reason="He is back and it has started again")
    saved(browser, "Case reopened", "He is back and it has started again", by="Olu Officer")
    assert "Open" in texts(browser, "main > p .govuk-tag") and not summary_row(browser, "Outcome")
    done.append("Case reopened")

    titles = [item["title"] for item in timeline(browser)]
    assert titles[: len(done)] == done[::-1], titles
    assert titles[-1] == "Report started"  # the reporter's own events, oldest last
    times = [e.get_dom_attribute("datetime") for e in browser.find_elements(By.CSS_SELECTOR, ".moj-timeline__date time")]
    assert times == sorted(times, reverse=True)

    # The other case shows the link from its side.
    send(browser, f"main > dl a[href$='/cases/{other}']")
    assert timeline(browser)[0]["title"] == "A later report was linked to this case"
    assert f"From {reference}" in timeline(browser)[0]["lines"]


def _account_id(site: Site, email: str) -> int:
    with site.db() as db:
        return db.scalar(select(StaffAccountRow.id).where(StaffAccountRow.email == email))


def _tz(profile):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo(profile.timezone)


# ---- 4. the audit log -----------------------------------------------------------------------------------
def audit_rows(driver) -> list[dict[str, str]]:
    cells = driver.execute_script(
        "return [...document.querySelectorAll('main tbody tr')].map(tr => [...tr.cells].map(td => td.innerText.trim()))"
    )
    return [dict(zip(("when", "who", "what", "case", "from"), row, strict=True)) for row in cells]


def test_a_team_leader_reads_the_audit_log_by_person_and_by_case(browser, site):
    reference = site.cases["audited"]
    be(browser, site, "second")
    open_case(browser, site, reference)
    act(browser, "note", note_text="Called the caretaker")
    apply_filters(browser, site, reference=reference)

    lead = be(browser, site, "lead")
    browser.get(site.base + "/staff/audit")
    assert heading(browser) == "Audit log"
    pick(browser, "person", str(_account_id(site, PEOPLE["second"].email)))
    send(browser, "main form button")
    rows = audit_rows(browser)
    assert rows and {r["who"] for r in rows} == {"Bea Officer"}
    what = [r["what"] for r in rows]
    assert {"Signed in", "Viewed the queue", "Viewed a case", "Changed a case", "Searched cases"} <= set(what)
    assert what.index("Searched cases") < what.index("Changed a case") < what.index("Signed in")  # newest first
    assert all(r["from"] == "127.0.0.1" for r in rows)
    assert Select(css(browser, "#person")).first_selected_option.text == "Bea Officer"  # the filter stays chosen

    pick(browser, "person", "")
    fill(browser, "reference", reference.lower())
    send(browser, "main form button")
    rows = audit_rows(browser)
    assert rows and {r["case"] for r in rows} == {reference}
    assert {(r["who"], r["what"]) for r in rows} >= {("Bea Officer", "Viewed a case"), ("Bea Officer", "Changed a case")}
    send(browser, f"main tbody a[href$='/cases/{reference}']")
    assert heading(browser) == f"Case {reference}"
    browser.get(site.base + f"/staff/audit?reference={reference}")
    newest = audit_rows(browser)[0]
    assert (newest["who"], newest["what"], newest["case"]) == (lead.name, "Viewed a case", reference)  # that look too


# ---- 5. axe and a phone's width on every page ---------------------------------------------------------
class Pages:
    """Checks the page on screen at both sizes: axe's WCAG 2.2 A and AA rules, and at 412 px nothing scrolls sideways."""

    def __init__(self, driver):  # type: ignore[no-untyped-def]
        self.driver, self.checked, self.problems = driver, [], []

    def __call__(self, name: str, shots: bool = False) -> None:
        for width, height in (DESKTOP, PHONE):
            self.driver.set_window_size(width, height)
            found = axe_violations(self.driver)
            if found:
                self.problems.append(f"{name} at {width}px: {describe(found)}")
            if (width, height) == PHONE and (wide := sideways(self.driver)):
                self.problems.append(f"{name} at {width}px: {wide}")
            if shots:
                slug = re.sub(r"\W+", "-", name).strip("-")
                self.driver.save_screenshot(str(SHOTS / f"{slug}-{width}.png"))
            self.checked.append((name, width))
        self.driver.set_window_size(*DESKTOP)


def open_every_form(driver) -> None:
    driver.execute_script("document.querySelectorAll('main details').forEach(d => d.open = true)")


EVERY_PAGE = [
    "sign in", "sign in with an error", "set up your authenticator", "set up your authenticator with an error",
    "enter your code", "enter your code with an error", "queue", "queue with filters", "queue with no cases",
    "case page", "case page saved", "case page with every form open",
    "case page with a text box error", "case page with a text area error", "case page with a radios error",
    "case page with a select error", "case page with a date error", "case page with a version error",
    "closed case with the reopen form open", "closed case with a reopen error",
    "confirm your password", "confirm your password with an error", "change password", "change password with an error",
    "403 page", "404 page for a case", "404 page for an address", "audit log", "audit log filtered", "accounts",
]  # fmt: skip


def test_every_staff_page_passes_axe_at_desktop_and_phone_sizes_and_fits_a_phone(browser, site):
    SHOTS.mkdir(parents=True, exist_ok=True)
    check = Pages(browser)
    checker = PEOPLE["checker"]

    browser.delete_all_cookies()
    browser.get(site.base + "/staff/login")
    check("sign in")
    send(browser, "main form button")
    check("sign in with an error")
    password_step(browser, site, checker)
    check("set up your authenticator")
    enter_code(browser, "12345")
    check("set up your authenticator with an error")
    enrol(browser, site, checker)
    checker.cookies = [c for c in browser.get_cookies() if c["name"] == "session"]
    sign_out(browser)
    password_step(browser, site, checker)
    check("enter your code")
    enter_code(browser, "abc")
    check("enter your code with an error")
    enter_code(browser, fresh_code(site, checker))
    checker.cookies = [c for c in browser.get_cookies() if c["name"] == "session"]

    browser.get(site.base + "/staff/")
    check("queue", shots=True)
    apply_filters(browser, site, boxes=(("risk", "high"), ("strand", "race"), ("overdue", "yes")), district="MK9")
    check("queue with filters")
    apply_filters(browser, site, reference="MK-ZZZZZZ")
    check("queue with no cases")

    reference = site.cases["errors"]
    open_case(browser, site, reference)
    check("case page")
    browser.set_window_size(*PHONE)  # on a phone the actions come last: a link at the top leads there
    css(browser, "main a[href='#work']").click()
    assert browser.current_url.endswith("#work") and css(browser, "#act-contact summary").is_displayed()
    browser.set_window_size(*DESKTOP)
    assert not css(browser, "main a[href='#work']").is_displayed()
    act(browser, "action_add", kind="support_referral", what="Refer to Victim Support", who="Kai")
    check("case page saved", shots=True)
    open_every_form(browser)
    check("case page with every form open", shots=True)
    for name, action, fields in (
        ("a text box error", "link", {"link_reference": "MK-ZZZZZZ"}),
        ("a text area error", "note", {}),
        ("a radios error", "review", {}),
        ("a select error", "disclose", {}),
        ("a date error", "plan_agreed", {"agreed-day": "31", "agreed-month": "2"}),
    ):
        act(browser, action, **fields)
        assert error_summary(browser), name
        href = error_summary(browser)[0][1]
        assert css(browser, href).is_displayed(), (name, href)  # the summary's link leads to a field on show
        open_every_form(browser)
        check(f"case page with {name}", shots=name == "a date error")
    # Someone else saved first: the page the officer had open is out of date.
    open_case(browser, site, reference)
    open_form(browser, "note")
    browser.execute_script("document.querySelector('#act-note input[name=version]').value = '1'")
    act(browser, "note", note_text="From an old page")
    assert "Someone else changed this case" in error_summary(browser)[0][0]
    open_every_form(browser)
    check("case page with a version error")
    act(browser, "close", close_outcome="withdrawn")
    open_form(browser, "reopen")
    check("closed case with the reopen form open")
    act(browser, "reopen")
    check("closed case with a reopen error")

    browser.get(site.base + "/staff/confirm?next=/staff/")
    check("confirm your password")
    send(browser, "main form button")
    check("confirm your password with an error")
    browser.get(site.base + "/staff/password")
    check("change password")
    fill(browser, "current", PASSWORD)
    fill(browser, "new", "short")
    send(browser, "main form button")
    check("change password with an error")

    browser.get(site.base + "/staff/audit")
    assert heading(browser) == "You do not have access to this page" and checker.name in css(browser, "nav").text
    check("403 page")
    browser.get(f"{site.base}/staff/cases/{site.cases['other landlord']}")  # another landlord's: as if there were none
    assert heading(browser) == "Page not found" and site.cases["other landlord"] not in main_text(browser)
    check("404 page for a case", shots=True)
    browser.get(site.base + "/staff/no-such-page")
    assert heading(browser) == "Page not found" and checker.name in css(browser, "nav").text
    check("404 page for an address")

    be(browser, site, "lead")
    browser.get(site.base + "/staff/audit")
    check("audit log", shots=True)
    browser.get(f"{site.base}/staff/audit?person={_account_id(site, checker.email)}&reference={reference}")
    check("audit log filtered")
    be(browser, site, "admin")
    browser.get(site.base + "/staff/accounts")
    check("accounts", shots=True)

    names = list(dict.fromkeys(name for name, _ in check.checked))
    report = "\n".join(f"  {name}: {', '.join(str(w) for n, w in check.checked if n == name)} px" for name in names)
    print(f"\naxe and a 412 px window checked {len(names)} pages:\n{report}")
    assert names == EVERY_PAGE, report
    assert all({w for n, w in check.checked if n == name} == {DESKTOP[0], PHONE[0]} for name in names)
    assert not check.problems, "\n".join(check.problems)


# ---- 6. the keyboard alone -------------------------------------------------------------------------------
def test_an_officer_records_a_contact_with_the_keyboard_alone(browser, site):
    reference = site.cases["keyboard"]
    be(browser, site, "officer")
    open_case(browser, site, reference)
    tab_to(browser, ".govuk-skip-link")
    press(browser, Keys.ENTER)  # past the header and navigation
    tab_to(browser, "#act-contact summary")
    press(browser, Keys.ENTER)
    assert css(browser, "#act-contact").get_dom_attribute("open") is not None
    tab_to(browser, "input[name=method]")  # the first of a group none of which is chosen: phone
    press(browser, Keys.SPACE)
    tab_to(browser, "input[name=contact_outcome]")  # spoke
    press(browser, Keys.SPACE)
    tab_to(browser, "#contact_note")
    press(browser, "Rang her back; she wants a visit next week")
    tab_to(browser, "#act-contact form button")
    navigating(browser, lambda: press(browser, Keys.ENTER))
    saved(browser, "Contact", "Phone call: Spoke to them", "Rang her back; she wants a visit next week", by="Olu Officer")
    assert site.case(reference).first_contacted_at is not None


# ---- 7. a report taken by phone -------------------------------------------------------------------------
BY_PHONE = {**NAMED, "description": "He called me a terrorist on the stairs and pushed me", "confirm_suggested": "no",
            "incident_types": ["verbal_abuse", "physical_attack"]}  # fmt: skip


def test_an_officer_records_a_phone_report_through_the_flows_own_questions_and_gives_the_victims_code(browser, site):
    check = Pages(browser)
    be(browser, site, "officer")
    browser.get(site.base + "/staff/reports/new")
    check("record a report")
    send(browser, "main form button.govuk-button")
    assert [words for words, _ in error_summary(browser)] == ["Choose how the report reached you"]
    check("record a report with an error")
    choose(browser, "how", "phone")
    pick(browser, "language", "pl")
    send(browser, "main form button.govuk-button")

    kinds_checked = set()
    for _ in range(40):
        if heading(browser) == "Check the answers":
            break
        question = question_id(browser)
        kind = "choices" if browser.find_elements(By.CSS_SELECTOR, "input[name=answer][type=radio]") else (
            "ticks" if browser.find_elements(By.CSS_SELECTOR, "input[name=answer][type=checkbox]") else "words")  # fmt: skip
        if kind not in kinds_checked:
            kinds_checked.add(kind)
            check(f"a question asked with {kind}")
        value = BY_PHONE.get(question)
        if value is None:
            send(browser, "button[value=skip]")
            continue
        if kind == "words":
            fill(browser, "answer", value)
        else:
            for one in value if isinstance(value, list) else [value]:
                choose(browser, "answer", one)
        send(browser, "button[value=answer]")
    check("check the answers")
    send(browser, "button[value=send]")

    assert "Now give the reporter the Victims Code" in banner(browser)
    reference = heading(browser).removeprefix("Case ")
    case = site.case(reference)
    assert case.channel == "staff" and case.language == "pl" and case.victims_code_status == "to_give"
    assert "Polski" in main_text(browser) and "interpreter may be needed" in main_text(browser)
    check("case page with the Victims Code to give")
    choose(browser, "victims_code_by", "told")
    send(browser, "#victims-code button")
    assert site.case(reference).victims_code_status == "sent"
    titles = [item["title"] for item in timeline(browser)]
    assert titles[0] == "Victims Code sent" and "Report taken by an officer" in titles
    assert not check.problems, "\n".join(check.problems)
    print(f"\naxe and a 412 px window checked: {', '.join(dict.fromkeys(n for n, _ in check.checked))}")


# ---- 8. writing to a reporter ---------------------------------------------------------------------------
def test_an_officer_previews_a_message_confirms_the_email_address_and_sees_it_queued_with_axe_on_each_state(browser, site):
    check = Pages(browser)
    emailed = _report(site.app, {**NAMED, "contact_other": "amina.yusuf@example.org"}, language="pl")
    phoned = site.cases["keyboard"]  # a web reporter who gave only a phone number
    be(browser, site, "officer")
    open_case(browser, site, phoned)
    open_form(browser, "message")
    assert "Call them and record the contact" in css(browser, "#message-refused").text
    check("case page with a message that cannot be sent")
    open_case(browser, site, emailed)
    open_form(browser, "message")
    check("case page with the message form")
    act(browser, "message", template="plan_agreed")
    assert [words for words, _ in error_summary(browser)] == ["Check the email address with the reporter and confirm it"]
    check("case page with a message error")
    open_form(browser, "message")
    pick(browser, "template", "plan_agreed")
    fill(browser, "confirm_address", "amina.yusuf@example.org")
    send(browser, "#act-message form button")
    assert css(browser, "#message-preview").text == "Uzgodniliśmy Twój plan działania."
    check("case page with a message preview")
    send(browser, "#act-message form button")
    item = timeline(browser)[0]
    assert item["title"] == "Message to the reporter" and item["lines"] == ["Queued", "Uzgodniliśmy Twój plan działania."]
    check("case page with a message queued")
    assert not check.problems, "\n".join(check.problems)


def test_a_reporters_reply_shows_in_the_queue_and_on_the_case_until_the_officer_marks_it_read(browser, site):
    from intake import cases
    from intake import events as ev

    check = Pages(browser)
    reference = _report(site.app, NAMED)
    with site.app.extensions["intake"].store.transaction() as db:
        case = db.scalar(select(CaseRow).where(CaseRow.reference == reference))
        cases.apply(db, case, ev.FurtherInformation(reference, "They were back again last night, shouting at my door"),
                    datetime.now(UTC))  # fmt: skip
    be(browser, site, "officer")
    browser.get(site.base + "/staff/?reply=yes")
    assert [a.text for a in browser.find_elements(By.CSS_SELECTOR, "main tbody .app-queue__reference a")] == [reference]
    assert "Reply waiting" in main_text(browser)
    check("queue filtered to replies waiting", shots=True)
    open_case(browser, site, reference)
    assert "The reporter sent a message after their report" in css(browser, "#reply-waiting").text
    item = timeline(browser)[0]
    assert item["title"] == "Message from the reporter"
    assert item["lines"] == ["They were back again last night, shouting at my door"]
    check("case page with a reply waiting", shots=True)
    send(browser, "#reply-waiting form button")
    assert not browser.find_elements(By.CSS_SELECTOR, "#reply-waiting")
    assert timeline(browser)[0]["title"] == "Reporter's message marked as read"
    browser.get(site.base + "/staff/?reply=yes")
    assert reference not in main_text(browser)
    assert not check.problems, "\n".join(check.problems)


def test_a_team_leader_reads_the_quarters_figures_with_their_definitions_and_a_chart_and_downloads_them(browser, site):
    check = Pages(browser)
    be(browser, site, "officer")
    browser.get(site.base + "/staff/reports")
    assert heading(browser) != "Reports"  # an officer may not
    be(browser, site, "lead")
    browser.get(site.base + "/staff/")
    send(browser, "nav a[href$='/staff/reports']")
    assert heading(browser) == "Reports"
    quarter = css(browser, "#period").get_attribute("value")
    assert quarter.startswith("quarter:")  # MKCC reports quarterly (§9.2, §9.3)
    figures = {row.get_attribute("data-figure") for row in browser.find_elements(By.CSS_SELECTOR, "tr[data-figure]")}
    assert {"responded_in_time", "contacted_regularly", "victims_code_told", "resolved", "satisfied_outcome"} <= figures
    svg = css(browser, "svg.app-chart")
    assert svg.find_element(By.TAG_NAME, "title").get_attribute("textContent") == "Figures for the period"
    assert "target 100%" in svg.find_element(By.TAG_NAME, "desc").get_attribute("textContent")
    assert "first contact that reached someone" in main_text(browser)
    check("reports", shots=True)
    browser.get(site.base + "/staff/reports?from=2026-13-01&to=2026-10-01")
    assert [words for words, _ in error_summary(browser)] == ["Enter a date like 2026-10-01"]
    check("reports with a date error", shots=True)
    assert not check.problems, "\n".join(check.problems)

"""The web form in headless Chromium: keyboard only, a third party with evidence, the quick exit, Arabic, no JavaScript, axe."""

from __future__ import annotations

import logging
import time

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from flask_app import create_app
from intake.i18n import available_languages
from intake.store import migrate
from intake.store.db import Store
from intake.store.models import AttachmentRow, CaseRow, ConversationRow
from tests.e2e.browser import (
    axe_violations,
    chrome,
    describe,
    heading,
    neutral_site,
    question_id,
    require_browser,
    serve,
)

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# One answer per question, by option id or text: a named third party reaches every question in the flow.
EVERY_QUESTION = {
    "danger_now": "no",
    "role": "third_party",
    "relationship": "support_worker",
    "agency_name": "Open Door Support",
    "victim_consent": "knows_agrees",
    "victim_contact": "07700 900123",
    "identity": "named_here",
    "name": "Sam Patel",
    "contact_other": "sam@opendoor.example",
    "scope": "yes",
    "description": "Two men shouted racist abuse at her by the bins",
    "confirm_suggested": "no",  # race and verbal abuse were read from it: "no" asks both questions
    "when": "yesterday",
    "where": "MK9 3EJ",
    "motivation": ["race"],
    "incident_types": ["verbal_abuse"],
    "perpetrator": "Two men from the next block",
    "risk_incident": ["ongoing"],
    "risk_impact": ["worried_worse"],
    "support": ["none"],
    "consent": "yes",
    "contact_safety": ["daytime"],
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_browser()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    folder = tmp_path_factory.mktemp("web-browser")
    url = f"sqlite:///{folder / 'web.db'}"
    migrate.upgrade(Store(url).engine)
    with neutral_site() as exit_url:
        app = create_app(
            {
                "INTAKE_INSTANCE_PATH": str(folder),
                "INTAKE_DATABASE_URL": url,
                "INTAKE_SECRET_KEY": "browser-tests-" + "k" * 40,
                "INTAKE_WEB_EXIT_URL": exit_url,
                "INTAKE_WEB_POSTS_PER_MINUTE": "100000",
            }
        )
        with serve(app) as base:
            yield base, exit_url, app.extensions["intake"].store, folder


@pytest.fixture(scope="module")
def browser():
    require_browser()
    driver = chrome()
    yield driver
    driver.quit()


@pytest.fixture
def fresh(browser, site):
    """The shared browser as a new visitor: no cookies, on the start page."""
    base = site[0]
    browser.get(base + "/report/mkcc/")
    browser.delete_all_cookies()
    browser.get(base + "/report/mkcc/")
    return browser


def click(driver, css: str) -> None:
    driver.find_element(By.CSS_SELECTOR, css).click()


def navigating(driver, act) -> None:
    """Do `act` (a click or a key that sends a form) and wait until the next page has replaced this one."""
    old = driver.find_element(By.TAG_NAME, "html").id
    act()
    # A new document has a new element reference; compared without running script, so it works with JavaScript off.
    WebDriverWait(driver, 15).until(lambda d: d.find_element(By.TAG_NAME, "html").id != old)


def submit(driver, css: str) -> None:
    navigating(driver, lambda: click(driver, css))


def answer_by_mouse(driver, value) -> None:
    """Fill the question on screen with `value` (an option id, a list of them, or text) and continue."""
    if isinstance(value, list):
        for v in value:
            click(driver, f"input[name=answer][value='{v}']")
    elif driver.find_elements(By.CSS_SELECTOR, "input[type=radio][name=answer]"):
        click(driver, f"input[name=answer][value='{value}']")
    else:
        field = driver.find_element(By.ID, "answer")
        field.clear()
        field.send_keys(value)
    submit(driver, "button[value=answer]")


def run_to_summary(driver, answers: dict, on_page=None) -> list[str]:
    seen = []
    while question_id(driver):
        qid = question_id(driver)
        assert qid not in seen[-1:], f"stuck on {qid}"
        seen.append(qid)
        if on_page:
            on_page(qid)
        answer_by_mouse(driver, answers[qid])
    return seen


# ---- keyboard only ------------------------------------------------------------------------------
def press(driver, *keys) -> None:
    ActionChains(driver).send_keys(*keys).perform()


def tab_to(driver, css: str, limit: int = 60) -> None:
    """Press Tab until the element matching `css` has focus, as a keyboard user moves through a page."""
    for _ in range(limit):
        if driver.execute_script("return document.activeElement.matches(arguments[0])", css):
            return
        press(driver, Keys.TAB)
    raise AssertionError(f"Tab never reached {css} on {heading(driver)!r}")


def answer_by_keyboard(driver, value) -> None:
    if isinstance(value, list):
        for v in value:
            tab_to(driver, f"input[name=answer][value='{v}']")
            press(driver, Keys.SPACE)
    elif driver.find_elements(By.CSS_SELECTOR, "input[type=radio][name=answer]"):
        # Tab reaches a radio group once; the arrow keys move within it and select as they go.
        tab_to(driver, "input[type=radio][name=answer]")
        values = [e.get_dom_attribute("value") for e in driver.find_elements(By.CSS_SELECTOR, "input[name=answer]")]
        focused = driver.execute_script("return document.activeElement.value")
        for _ in range((values.index(value) - values.index(focused)) % len(values)):
            press(driver, Keys.ARROW_DOWN)
        press(driver, Keys.SPACE)
    else:
        tab_to(driver, "#answer")
        press(driver, value)
    tab_to(driver, "button[value=answer]")
    navigating(driver, lambda: press(driver, Keys.ENTER))


def test_a_keyboard_only_reporter_can_make_a_whole_report(fresh, site):
    tab_to(fresh, ".govuk-skip-link")  # the first stop is the skip link
    tab_to(fresh, "button.govuk-button--start")
    navigating(fresh, lambda: press(fresh, Keys.ENTER))
    seen = []
    while question_id(fresh):
        qid = question_id(fresh)
        assert qid not in seen[-1:], f"stuck on {qid}: {fresh.find_element(By.TAG_NAME, 'main').text[:300]}"
        seen.append(qid)
        answer_by_keyboard(fresh, EVERY_QUESTION[qid])
    assert seen == list(EVERY_QUESTION), (fresh.current_url, fresh.find_element(By.TAG_NAME, "body").text[:500])
    assert heading(fresh) == "Check your answers"
    tab_to(fresh, "button[value=send]")
    navigating(fresh, lambda: press(fresh, Keys.ENTER))
    assert "Your reference is" in fresh.find_element(By.CSS_SELECTOR, ".govuk-panel").text


# ---- a third party with evidence ------------------------------------------------------------------
def test_a_third_party_reports_with_a_photo_attached_to_the_case(fresh, site, tmp_path):
    _base, _, store, folder = site
    photo = tmp_path / "bins.png"
    photo.write_bytes(PNG)

    def attach(qid: str) -> None:
        if qid == "description":
            fresh.find_element(By.ID, "evidence").send_keys(str(photo))

    submit(fresh, "button.govuk-button--start")
    run_to_summary(fresh, EVERY_QUESTION, on_page=attach)
    rows = fresh.find_element(By.CSS_SELECTOR, ".govuk-summary-list").text
    assert "Support worker or carer" in rows and "Open Door Support" in rows and "Yes, and they agree" in rows
    submit(fresh, "button[value=send]")
    reference = fresh.find_element(By.CSS_SELECTOR, ".govuk-panel").text.split()[-1].rstrip(".")
    with store.transaction() as session:
        case = session.scalars(select(CaseRow).where(CaseRow.reference == reference)).one()
        files = session.scalars(select(AttachmentRow).where(AttachmentRow.case_id == case.id)).all()
        assert case.reporter_role == "third_party" and [f.filename for f in files] == ["bins.png"]
        assert files[0].stored_path.startswith(str(folder / "uploads"))


# ---- the quick exit -------------------------------------------------------------------------------
def test_exit_this_page_leaves_for_a_neutral_site_and_back_shows_nothing(fresh, site):
    _base, exit_url, _store, _ = site
    submit(fresh, "button.govuk-button--start")
    answer_by_mouse(fresh, "no")
    click(fresh, ".govuk-exit-this-page__button")
    _wait_for(lambda: fresh.current_url == exit_url, fresh)
    fresh.back()
    _wait_for(lambda: "report" in fresh.current_url or fresh.current_url == exit_url, fresh)
    page = fresh.find_element(By.TAG_NAME, "body").text
    assert "Who are you reporting for?" not in page and "Is anyone in danger" not in page
    assert fresh.get_cookies() == [] or all(c["name"] != "report_session" for c in fresh.get_cookies())


def test_pressing_shift_three_times_leaves_at_once(fresh, site):
    _base, exit_url, store, _ = site
    submit(fresh, "button.govuk-button--start")
    answer_by_mouse(fresh, "no")
    for _ in range(3):
        press(fresh, Keys.SHIFT)
    _wait_for(lambda: fresh.current_url == exit_url, fresh)
    with store.transaction() as session:
        ended = session.scalars(select(ConversationRow).where(ConversationRow.status == "ended")).all()
        # The quick exit ended the report, as EXIT does on SMS, so no one can carry it on from this browser.
        assert ended and all(row.state["ended_reason"] == "exited" for row in ended)


# ---- right to left --------------------------------------------------------------------------------
def test_an_arabic_report_reads_right_to_left_from_start_to_confirmation(fresh, site):
    submit(fresh, "button[name=language][value=ar]")
    assert fresh.find_element(By.TAG_NAME, "html").get_dom_attribute("dir") == "rtl"
    assert fresh.find_element(By.TAG_NAME, "html").get_dom_attribute("lang") == "ar"
    submit(fresh, "button.govuk-button--start")
    radio = fresh.find_element(By.CSS_SELECTOR, ".govuk-radios__item")
    box = radio.find_element(By.CSS_SELECTOR, "input").rect
    label = radio.find_element(By.CSS_SELECTOR, "label").rect
    # The radio sits at the right of its words, where a right-to-left reader starts.
    assert box["x"] > label["x"] + label["width"] / 2
    run_to_summary(fresh, EVERY_QUESTION | {"role": "victim", "identity": "anonymous"})
    submit(fresh, "button[value=send]")
    assert fresh.find_element(By.TAG_NAME, "html").get_dom_attribute("dir") == "rtl"
    assert fresh.find_element(By.CSS_SELECTOR, ".govuk-panel").text.strip()


# ---- no JavaScript ---------------------------------------------------------------------------------
def test_the_whole_form_works_with_javascript_off(site):
    base = site[0]
    driver = chrome(javascript=False)
    try:
        driver.get(base + "/report/wchg/")
        assert "js-enabled" not in driver.find_element(By.TAG_NAME, "body").get_dom_attribute("class")
        submit(driver, "button.govuk-button--start")
        submit(driver, "button[value=answer]")  # nothing chosen: the server says so
        assert driver.find_elements(By.CSS_SELECTOR, ".govuk-error-summary")
        run_to_summary(driver, EVERY_QUESTION | {"role": "witness"})
        navigating(driver, lambda: driver.find_element(By.PARTIAL_LINK_TEXT, "Change").click())
        answer_by_mouse(driver, driver.find_element(By.CSS_SELECTOR, "input[name=answer]").get_dom_attribute("value"))
        assert heading(driver) == "Check your answers"
        submit(driver, "button[value=send]")
        assert "Your reference is" in driver.find_element(By.CSS_SELECTOR, ".govuk-panel").text
        # The exit button is a plain link without JavaScript: it still leaves.
        click(driver, ".govuk-exit-this-page__button")
        assert driver.current_url == site[1]
    finally:
        driver.quit()


# ---- accessibility -----------------------------------------------------------------------------------
def test_every_page_of_the_flow_in_every_language_has_no_wcag_22_aa_violations(fresh, site):
    base = site[0]
    checked: dict[str, int] = {}
    failures: list[str] = []

    def check(name: str) -> None:
        found = axe_violations(fresh)
        checked[language] = checked.get(language, 0) + 1
        if found:
            failures.append(f"{language} {name}: {describe(found)}")

    started = time.monotonic()
    for language in available_languages():
        fresh.delete_all_cookies()
        fresh.get(base + "/report/mkcc/")
        submit(fresh, f"button[name=language][value='{language}']")
        check("start")
        submit(fresh, "button.govuk-button--start")
        submit(fresh, "button[value=answer]")
        check("error summary")
        run_to_summary(fresh, EVERY_QUESTION, on_page=check)
        check("check your answers")
        navigating(fresh, lambda: fresh.find_element(By.CSS_SELECTOR, ".govuk-summary-list__actions a").click())
        check("change an answer")
        fresh.get(base + "/report/mkcc/")
        submit(fresh, "button[value=send]")
        check("confirmation")
    # Bigger text and high contrast are part of the visit too.
    for display in ("text", "contrast"):
        language = f"en+{display}"
        fresh.get(base + "/report/mkcc/")
        submit(fresh, f"button[name=display][value={display}]")
        check(f"confirmation with {display}")
    print(
        f"\naxe-core: {sum(checked.values())} pages in {len(available_languages())} languages "
        f"(+ bigger text and high contrast), WCAG 2.2 A/AA, {time.monotonic() - started:.0f}s"
    )
    assert not failures, "\n".join(failures)
    assert len(available_languages()) == 15 and all(checked[lang] >= len(EVERY_QUESTION) + 5 for lang in available_languages())


def _wait_for(condition, driver, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out at {driver.current_url}")

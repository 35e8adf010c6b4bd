"""The web form in headless Chromium: keyboard only, a third party with evidence, the quick exit, Arabic, no JavaScript, axe."""

from __future__ import annotations

import html
import re
import time

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from intake.i18n import available_languages
from intake.store.models import AttachmentRow, CaseRow, ConversationRow
from tests import images
from tests.e2e.browser import (
    axe_violations,
    chrome,
    describe,
    heading,
    question_id,
    require_browser,
    web_site,
)
from tests.web_client import WebReporter

pytestmark = pytest.mark.browser
PNG = images.PNG

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
    folder = tmp_path_factory.mktemp("web-browser")
    with web_site(folder, "browser-tests-") as (base, exit_url, app):
        yield base, exit_url, app.extensions["intake"].store, folder, app


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
    WebDriverWait(driver, 15, poll_frequency=0.02).until(lambda d: d.find_element(By.TAG_NAME, "html").id != old)


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
    """Answer each question by its id (a question the answers do not name is skipped) until check your answers."""
    seen = []
    while question_id(driver):
        qid = question_id(driver)
        assert qid not in seen[-1:], f"stuck on {qid}"
        seen.append(qid)
        if on_page:
            on_page(qid)
        if qid in answers:
            answer_by_mouse(driver, answers[qid])
        else:
            submit(driver, "button[value=skip]")
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
        if qid in EVERY_QUESTION:
            answer_by_keyboard(fresh, EVERY_QUESTION[qid])
        else:  # a question added since: the keyboard skips it too
            tab_to(fresh, "button[value=skip]")
            navigating(fresh, lambda: press(fresh, Keys.ENTER))
    assert set(EVERY_QUESTION) <= set(seen), (fresh.current_url, fresh.find_element(By.TAG_NAME, "body").text[:500])
    assert heading(fresh) == "Check your answers"
    tab_to(fresh, "button[value=send]")
    navigating(fresh, lambda: press(fresh, Keys.ENTER))
    assert "Your reference number" in fresh.find_element(By.CSS_SELECTOR, ".govuk-panel").text


# ---- a third party with evidence ------------------------------------------------------------------
def test_a_third_party_reports_with_a_photo_attached_to_the_case(fresh, site, tmp_path):
    _base, _, store, folder, _app = site
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
    _base, exit_url, _store, _, _app = site
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
    _base, exit_url, store, _, _app = site
    submit(fresh, "button.govuk-button--start")
    answer_by_mouse(fresh, "no")
    for _ in range(3):
        press(fresh, Keys.SHIFT)
    _wait_for(lambda: fresh.current_url == exit_url, fresh)
    with store.transaction() as session:
        ended = session.scalars(select(ConversationRow).where(ConversationRow.status == "ended")).all()
        # The quick exit ended the report, as EXIT does on SMS, so no one can carry it on from this browser.
        assert ended and all(row.state["ended_reason"] == "exited" for row in ended)


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
        assert "Your reference number" in driver.find_element(By.CSS_SELECTOR, ".govuk-panel").text
        # The exit button is a plain link without JavaScript: it still leaves.
        click(driver, ".govuk-exit-this-page__button")
        assert driver.current_url == site[1]
    finally:
        driver.quit()


# ---- accessibility ---------------------------------------------------------------------------------
def _visit_every_page(driver, base: str, language: str, on_page) -> None:
    """Start, an error summary, every question, check your answers, a change page and the confirmation, in `language`."""
    driver.delete_all_cookies()
    driver.get(base + "/report/mkcc/")
    submit(driver, f"button[name=language][value='{language}']")
    on_page("start")
    submit(driver, "button.govuk-button--start")
    submit(driver, "button[value=answer]")
    on_page("error summary")
    run_to_summary(driver, EVERY_QUESTION, on_page=on_page)
    on_page("check your answers")
    navigating(driver, lambda: driver.find_element(By.CSS_SELECTOR, ".govuk-summary-list__actions a").click())
    on_page("change an answer")
    driver.get(base + "/report/mkcc/")
    submit(driver, "button[value=send]")
    on_page("confirmation")


@pytest.mark.parametrize("language", ["en", "ar"], ids=["left to right", "right to left"])
def test_every_template_has_no_wcag_22_aa_violations(fresh, site, language):
    """axe on every page of the flow, in one left-to-right and one right-to-left language, with both display options.

    In Arabic the whole visit reads right to left: every page says so, and a radio sits at the right of
    its words, where a right-to-left reader starts.
    """
    base, failures, checked = site[0], [], []
    rtl = language == "ar"

    def check(name: str) -> None:
        checked.append(name)
        if fresh.find_element(By.TAG_NAME, "html").get_dom_attribute("dir") != ("rtl" if rtl else "ltr"):
            failures.append(f"{language} {name}: not marked {'rtl' if rtl else 'ltr'}")
        radios = fresh.find_elements(By.CSS_SELECTOR, ".govuk-radios__item")
        if rtl and radios:
            box = radios[0].find_element(By.CSS_SELECTOR, "input").rect
            label = radios[0].find_element(By.CSS_SELECTOR, "label").rect
            if box["x"] < label["x"] + label["width"] / 2:
                failures.append(f"{language} {name}: a radio sits left of its words")
        found = axe_violations(fresh)
        if found:
            failures.append(f"{language} {name}: {describe(found)}")

    _visit_every_page(fresh, base, language, check)
    for display in ("text", "contrast"):  # bigger text and high contrast are part of the visit too
        fresh.get(base + "/report/mkcc/")
        submit(fresh, f"button[name=display][value={display}]")
        check(f"confirmation with {display}")
    assert not failures, "\n".join(failures)
    assert len(checked) >= len(EVERY_QUESTION) + 6


def _main(page: str) -> str:
    found = re.search(r"<main[^>]*>(.*?)</main>", page, re.S)
    return found.group(1) if found else ""


def _words(page: str) -> int:
    return len(html.unescape(re.sub(r"<[^>]+>|\s+", " ", _main(page))).split())


def _report_pages(reporter: WebReporter, language: str) -> dict[str, str]:
    """Every page of a report in `language` as the server sends it, by name, up to check your answers."""
    reporter.post({"action": "language", "language": language})
    pages = {"start": reporter.get().get_data(as_text=True)}
    reporter.start()
    reporter.post({"action": "answer"})
    pages["error summary"] = reporter.page
    while reporter.question:
        pages[reporter.question] = reporter.page
        value = EVERY_QUESTION.get(reporter.question)
        reporter.answer(value) if value is not None else reporter.skip()
    pages["check your answers"] = reporter.page
    return pages


# Swaps one page's content into the page on screen and measures it, so every page of a language is laid out
# at 412 px in one visit, with the real stylesheet and the real header, tools and exit button around it.
_LAY_OUT = """
document.querySelector('main').innerHTML = arguments[0];
const root = document.documentElement;
return [root.scrollWidth, window.innerWidth];
"""


@pytest.mark.parametrize("language", available_languages())
def test_every_page_in_each_language_is_marked_up_in_it_fits_a_phone_and_its_longest_passes_axe(fresh, site, language):
    """Every page says its language and direction and, 412 px wide, scrolls only down; axe checks the one with most words.

    The server's pages are read through its test client; the browser lays each one out, then shows the longest
    for real (a question through its change link, as a reporter checking their answers reads it) for axe.
    """
    from intake.i18n import translator

    base, app, t = site[0], site[4], translator(language)
    reporter = WebReporter(app.test_client())
    pages = _report_pages(reporter, language)
    reporter.send()
    pages["confirmation"] = reporter.page
    marked = f'<html lang="{t.html_lang}" dir="{"rtl" if t.rtl else "ltr"}"'
    problems = [f"{name}: not marked up as {marked}" for name, page in pages.items() if marked not in page]

    visitor = WebReporter(app.test_client())
    visitor_pages = _report_pages(visitor, language)  # the same report, left at check your answers for the browser
    longest = max((n for n in visitor_pages if n != "error summary"), key=lambda n: _words(visitor_pages[n]))
    fresh.set_window_size(412, 915)
    try:
        session = visitor.client.get_cookie("report_session", path="/report/mkcc/").value
        for name, value, path in (("report_session", session, "/report/mkcc/"), ("report_lang", language, "/")):
            fresh.add_cookie({"name": name, "value": value, "path": path})
        fresh.get(
            f"{base}/report/mkcc/" if longest in ("check your answers", "start") else f"{base}/report/mkcc/change/{longest}"
        )
        found = axe_violations(fresh)
        for name, page in pages.items():
            wide, room = fresh.execute_script(_LAY_OUT, _main(page))
            if wide > room:
                problems.append(f"{name}: {wide}px wide on a {room}px screen")
    finally:
        fresh.set_window_size(1100, 900)
    assert not problems, "\n".join(problems)
    assert not found, f"{language} {longest}: {describe(found)}"


def _wait_for(condition, driver, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out at {driver.current_url}")

"""The web form on a phone in headless Chromium: titles in history, Exit on every page, tel: links, the confirmation, Arabic links.

Each test also saves the page it checks, 412×915, beside the staff console's screenshots
(`web-<page>-412.png`), so a reviewer can see what a phone shows.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from intake.i18n import translator
from tests.e2e.browser import (
    axe_violations,
    chrome,
    describe,
    heading,
    navigating,
    question_id,
    require_browser,
    sideways,
    web_site,
)
from tests.web_client import ANONYMOUS_VICTIM

pytestmark = pytest.mark.browser
PHONE = (412, 915)
SHOTS = Path("/tmp/staff-shots")  # the browser tests' screenshot folder (tests/e2e/test_staff_browser.py)
# Words that would tell someone looking at the browser's history what the visit was about.
TELLING = re.compile(r"hate|danger|racis|abuse|victim|report|crime|police", re.I)
NAMED = {**ANONYMOUS_VICTIM, "identity": "named_here", "name": "Amina Yusuf", "contact_other": "07700 900123"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_browser()
    folder = tmp_path_factory.mktemp("web-phone")
    with web_site(folder, "phone-tests-") as (base, exit_url, _app):
        yield base, exit_url


@pytest.fixture(scope="module")
def phone():
    require_browser()
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver = chrome()
    driver.set_window_size(*PHONE)
    yield driver
    driver.quit()


@pytest.fixture
def fresh(phone, site):
    phone.get(site[0] + "/report/mkcc/")
    phone.delete_all_cookies()
    phone.get(site[0] + "/report/mkcc/")
    return phone


def shot(driver, name: str) -> None:
    driver.save_screenshot(str(SHOTS / f"web-{name}-412.png"))


def submit(driver, css: str) -> None:
    navigating(driver, lambda: driver.find_element(By.CSS_SELECTOR, css).click())


def answer(driver, value) -> None:
    if isinstance(value, list):
        for v in value:
            driver.find_element(By.CSS_SELECTOR, f"input[name=answer][value='{v}']").click()
    elif driver.find_elements(By.CSS_SELECTOR, "input[type=radio][name=answer]"):
        driver.find_element(By.CSS_SELECTOR, f"input[name=answer][value='{value}']").click()
    else:
        driver.find_element(By.ID, "answer").send_keys(value)
    submit(driver, "button[value=answer]")


def walk(driver, answers: dict, on_page=None) -> None:
    """Answer each question by its id (skipping any the answers do not name) until check your answers."""
    seen: list[str] = []
    while qid := question_id(driver):
        assert qid not in seen[-1:], f"stuck on {qid}"
        seen.append(qid)
        if on_page:
            on_page(qid)
        answer(driver, answers[qid]) if qid in answers else submit(driver, "button[value=skip]")


def choose_language(driver, code: str) -> None:
    # The language buttons are the form's own: on a phone they may sit below the fold.
    button = driver.find_element(By.CSS_SELECTOR, f"button[name=language][value='{code}']")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    navigating(driver, button.click)


def exit_button(driver):
    found = driver.find_elements(By.CSS_SELECTOR, ".govuk-exit-this-page__button")
    assert found and found[0].is_displayed(), f"no Exit this page on {driver.current_url}"
    return found[0]


def _wait_for(condition, driver, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out at {driver.current_url}")


# ---- titles ----------------------------------------------------------------------------------------
def test_titles_name_the_step_and_a_neutral_service_while_the_heading_keeps_the_question(fresh):
    service = "Contact Milton Keynes City Council"
    titles = [("start", fresh.title, heading(fresh))]
    submit(fresh, "button.govuk-button--start")
    shot(fresh, "question")

    def record(qid: str) -> None:
        titles.append((qid, fresh.title, heading(fresh)))

    walk(fresh, ANONYMOUS_VICTIM, on_page=record)
    titles.append(("check", fresh.title, heading(fresh)))
    submit(fresh, "button[value=send]")
    titles.append(("confirmation", fresh.title, heading(fresh)))

    assert titles[0][1] == service
    assert titles[1][1] == f"Step 1 of about 13 – {service}" and titles[1][2] == "Is anyone in danger right now?"
    assert titles[-2][1] == f"Check your answers – {service}" and titles[-1][1] == f"Form sent – {service}"
    steps = []
    for name, title, h1 in titles:
        assert title.endswith(f" – {service}") or title == service, (name, title)
        assert not TELLING.search(title), f"{name}: the title {title!r} says what this is about"
        if name != "check":  # "Check your answers" is its own neutral title, as on GOV.UK
            assert h1 not in title, f"{name}: the heading {h1!r} is in the title"
        if found := re.match(r"Step (\d+) of about (\d+)", title):
            steps.append(int(found.group(1)))
            assert int(found.group(1)) <= int(found.group(2)), title
    # One step a page, counting up: what the reporter went through, in order.
    assert steps == list(range(1, len(steps) + 1)), steps


def test_an_arabic_report_is_titled_in_arabic_with_the_same_neutral_words(fresh):
    t = translator("ar")
    choose_language(fresh, "ar")
    submit(fresh, "button.govuk-button--start")
    assert fresh.title.startswith(t("Step %(step)s of about %(total)s", step=1, total=13))
    assert t("Is anyone in danger right now?") not in fresh.title and fresh.title.endswith(
        t("Contact %(org)s", org="Milton Keynes City Council")
    )


# ---- exit and emergency ----------------------------------------------------------------------------
def test_exit_this_page_is_on_every_page_and_staying_safe_online_sits_beside_it(fresh, site):
    base = site[0]
    pages: list[str] = []

    def check(name: str) -> None:
        button = exit_button(fresh)
        pages.append(name)
        # Beside the button: the next link after it on the page, before the page's own content.
        safety = fresh.find_elements(By.CSS_SELECTOR, ".app-safety-link a")
        assert safety and safety[0].get_dom_attribute("href").endswith("/report/mkcc/staying-safe-online"), name
        assert safety[0].rect["y"] - (button.rect["y"] + button.rect["height"]) < 80, f"{name}: the link is far from Exit"

    check("start")
    submit(fresh, "button.govuk-button--start")
    walk(fresh, ANONYMOUS_VICTIM, on_page=check)
    check("check your answers")
    submit(fresh, "button[value=send]")
    check("confirmation")
    for path in ("/report/mkcc/staying-safe-online", "/victims-code/mkcc?lang=en", "/victims-code/mkcc?lang=ar"):
        fresh.get(base + path)
        check(path)
    fresh.get(base + "/")
    exit_button(fresh)
    assert len(pages) >= len(ANONYMOUS_VICTIM) + 5


def test_exit_on_the_victims_code_page_leaves_for_the_neutral_site_by_tap_and_by_shift(fresh, site):
    base, exit_url = site
    fresh.get(base + "/victims-code/mkcc?lang=en")
    shot(fresh, "victims-code")
    exit_button(fresh).click()
    _wait_for(lambda: fresh.current_url == exit_url, fresh)
    fresh.get(base + "/victims-code/wchg?lang=ar")
    exit_button(fresh)
    for _ in range(3):
        ActionChains(fresh).send_keys(Keys.SHIFT).perform()
    _wait_for(lambda: fresh.current_url == exit_url, fresh)


def test_the_shift_timeout_says_the_count_restarted_not_that_exit_is_gone(fresh):
    region = fresh.find_element(By.CSS_SELECTOR, ".govuk-exit-this-page").get_dom_attribute("data-i18n.timed-out")
    assert region == "Shift presses reset. To exit, press Shift 3 times quickly."


def test_staying_safe_online_is_linked_from_the_start_page_and_passes_axe_on_a_phone(fresh):
    start_link = fresh.find_element(By.CSS_SELECTOR, "main a[href$='/staying-safe-online']")
    navigating(fresh, start_link.click)
    assert heading(fresh) == "Staying safe online"
    sections = [h.text for h in fresh.find_elements(By.CSS_SELECTOR, "main h2")]
    assert sections == ["Leaving quickly", "Private browsing", "Clearing your history", "A shared phone"]
    shot(fresh, "staying-safe")
    found = axe_violations(fresh)
    assert not found, describe(found)
    assert not sideways(fresh)


def test_999_is_a_tap_to_call_link_wherever_a_page_says_it(fresh, site):
    base = site[0]

    def calls() -> tuple[int, int]:
        text = fresh.find_element(By.TAG_NAME, "main").text
        said = len(re.findall(r"(?<![\w-])999(?!\w)", text))
        links = fresh.find_elements(By.CSS_SELECTOR, "main a[href='tel:999']")
        assert all(a.text == "999" for a in links)
        return said, len(links)

    assert calls() == (2, 2)
    shot(fresh, "start")
    submit(fresh, "button.govuk-button--start")
    answer(fresh, "yes")  # someone is in danger: the advice comes first
    assert calls() == (2, 2)
    shot(fresh, "danger-advice")
    for path in ("/report/mkcc/staying-safe-online", "/victims-code/mkcc?lang=en", "/victims-code/mkcc?lang=ar"):
        fresh.get(base + path)
        said, links = calls()
        assert said == links, path


# ---- the confirmation ------------------------------------------------------------------------------
def test_the_confirmation_shows_the_reference_alone_then_what_happens_next_then_how_to_contact_the_landlord(fresh):
    submit(fresh, "button.govuk-button--start")
    walk(fresh, NAMED)
    submit(fresh, "button[value=send]")
    shot(fresh, "confirmation")
    panel = fresh.find_element(By.CSS_SELECTOR, ".govuk-panel")
    assert panel.find_element(By.CSS_SELECTOR, "h1").text == "Report sent"
    reference = panel.find_element(By.CSS_SELECTOR, ".govuk-panel__body strong")
    assert re.fullmatch(r"MK-[A-Z0-9]{6}", reference.text)
    label_lines = [line for line in panel.find_element(By.CSS_SELECTOR, ".govuk-panel__body").text.split("\n")]
    assert label_lines == ["Your reference number", reference.text], "the reference should have its own line"
    headings = [h.text for h in fresh.find_elements(By.CSS_SELECTOR, "main h2")]
    assert headings == ["What happens next", "Contact Milton Keynes City Council"]
    contact = fresh.find_element(By.CSS_SELECTOR, ".app-contact")
    assert contact.find_element(By.CSS_SELECTOR, "a[href='tel:01908691691']").text == "01908 691691"
    assert contact.find_element(By.CSS_SELECTOR, "a[href='mailto:ASB@milton-keynes.gov.uk']")
    # Below what happens next, as GOV.UK's confirmation pattern orders it.
    assert contact.rect["y"] > fresh.find_element(By.XPATH, "//h2[.='What happens next']").rect["y"]
    found = axe_violations(fresh)
    assert not found, describe(found)
    assert not sideways(fresh)


# ---- right to left ---------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["ar", "ur"])
def test_the_victims_code_link_on_a_right_to_left_confirmation_opens_the_page_in_that_language(fresh, site, language):
    base, t = site[0], translator(language)
    choose_language(fresh, language)
    submit(fresh, "button.govuk-button--start")
    walk(fresh, ANONYMOUS_VICTIM)
    submit(fresh, "button[value=send]")
    shot(fresh, f"confirmation-{language}")
    href = fresh.find_element(By.CSS_SELECTOR, "main a[href*='/victims-code/mkcc']").get_dom_attribute("href")
    assert href.endswith(f"/victims-code/mkcc?lang={language}"), href
    # The link carries INTAKE_PUBLIC_URL, which is not this test's server: open its path here.
    fresh.get(base + urlsplit(href).path + "?" + urlsplit(href).query)
    assert fresh.find_element(By.TAG_NAME, "html").get_dom_attribute("lang") == t.html_lang
    assert fresh.find_element(By.TAG_NAME, "html").get_dom_attribute("dir") == "rtl"
    assert heading(fresh) == t("What %(org)s promises you", org="Milton Keynes City Council")
    shot(fresh, f"victims-code-{language}")
    found = axe_violations(fresh)
    assert not found, describe(found)

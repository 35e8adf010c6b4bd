"""The web survey page in Debian's Chromium: axe at desktop and phone sizes, in English and Arabic; a plain form that needs no script."""

from __future__ import annotations

import logging

import pytest
from selenium.webdriver.common.by import By

from channels.survey_page import DONE
from intake import surveys
from intake.i18n import translator
from tests.e2e.browser import axe_violations, chrome, describe, navigating, require_browser, serve, sideways
from tests.test_survey import DUE, closed_web_case, emailed_link, web_app  # noqa: F401 (a fixture)

SHOTS = __import__("pathlib").Path("/tmp/staff-shots")


@pytest.fixture
def browser():
    require_browser()
    driver = chrome()
    yield driver
    driver.quit()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_survey_page_passes_axe_at_both_sizes_and_takes_the_answers(browser, web_app, profiles, language):  # noqa: F811
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    closed_web_case(web_app, profiles, language=language)
    surveys.send_due(web_app.extensions["intake"], DUE)
    path = emailed_link(web_app)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with serve(web_app) as base:
        problems = []
        for width, height in ((1280, 720), (412, 915)):
            browser.set_window_size(width, height)
            browser.get(base + path)
            found = axe_violations(browser)
            if found:
                problems.append(f"{width}px: {describe(found)}")
            if width == 412 and (wide := sideways(browser)):
                problems.append(wide)
            browser.save_screenshot(str(SHOTS / f"survey-{language}-{width}.png"))
        assert not problems, "\n".join(problems)
        browser.find_element(By.ID, "outcome-1").click()
        browser.find_element(By.ID, "handling-2").click()
        browser.find_element(By.ID, "comment").send_keys("OK")
        navigating(browser, lambda: browser.find_element(By.CSS_SELECTOR, "main form button").click())
        thanks = translator(language)(DONE)
        assert browser.find_element(By.TAG_NAME, "main").text.endswith(thanks)
        assert not axe_violations(browser)

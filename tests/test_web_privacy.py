"""What the web form leaves behind on a phone: titles in history, the safety page, Exit everywhere, addresses free of isolates."""

from __future__ import annotations

import html
import re

import pytest

from intake.i18n import ISOLATES, translator
from tests.test_web import make_app
from tests.web_client import ANONYMOUS_VICTIM, WebReporter

TELLING = re.compile(r"hate|danger|racist|abuse|victim|report", re.I)


@pytest.fixture
def app(tmp_path, database_url):
    return make_app(tmp_path, database_url)


def title(page: str) -> str:
    return html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1)).strip()


def visit(reporter: WebReporter) -> dict[str, str]:
    """Every page of an anonymous report, by name (a question by its id), through to the confirmation."""
    pages = {"start": reporter.page}
    reporter.start()
    pages[reporter.question] = reporter.page
    reporter.post({"action": "answer"})
    pages["error"] = reporter.page
    while reporter.question:
        pages.setdefault(reporter.question, reporter.page)
        value = ANONYMOUS_VICTIM.get(reporter.question)
        reporter.answer(value) if value is not None else reporter.skip()
    pages["check"] = reporter.page
    reporter.send()
    pages["confirmation"] = reporter.page
    return pages


def test_every_title_names_the_step_and_a_neutral_service_never_the_question(app):
    pages = visit(WebReporter(app.test_client()))
    service = "Contact Milton Keynes City Council"
    assert title(pages["start"]) == service
    assert title(pages["danger_now"]) == f"Step 1 of about 13 – {service}"
    assert title(pages["error"]) == f"There is a problem: Step 1 of about 13 – {service}"
    assert title(pages["check"]) == f"Check your answers – {service}"
    assert title(pages["confirmation"]) == f"Form sent – {service}"
    steps = []
    for name, page in pages.items():
        assert not TELLING.search(title(page)), f"{name}: {title(page)!r}"
        if found := re.match(r"Step (\d+) of about (\d+) – ", title(page)):
            steps.append((int(found.group(1)), int(found.group(2))))
            assert int(found.group(1)) <= int(found.group(2)), title(page)
        if name not in ("start", "check", "confirmation", "error"):
            # The heading keeps the question the title leaves out.
            assert "<h1" in page and name in page
    assert [n for n, _ in steps] == sorted(n for n, _ in steps) and len({n for n, _ in steps}) == len(steps)


def test_a_question_opened_to_change_it_keeps_its_place_in_the_title(app):
    reporter = WebReporter(app.test_client())
    reporter.start()
    reporter.report(ANONYMOUS_VICTIM, until="summary")
    changing = reporter.get("/report/mkcc/change/role").get_data(as_text=True)
    assert title(changing).startswith("Step 2 of about ")


@pytest.mark.parametrize("path", ["/report/mkcc/", "/report/mkcc/staying-safe-online", "/victims-code/mkcc?lang=en", "/"])
def test_every_page_has_exit_this_page(app, path):
    page = app.test_client().get(path).get_data(as_text=True)
    assert "govuk-exit-this-page__button" in page
    assert "Shift presses reset. To exit, press Shift 3 times quickly." in page
    assert "Exit this page expired" not in page


def test_a_landlords_pages_link_staying_safe_online_beside_exit(app):
    client = app.test_client()
    for path in ("/report/mkcc/", "/victims-code/mkcc?lang=en"):
        page = client.get(path).get_data(as_text=True)
        exit_at = page.index("govuk-exit-this-page__button")
        assert page.index('href="/report/mkcc/staying-safe-online"', exit_at) - exit_at < 1200, path


def test_staying_safe_online_says_how_to_clear_history_browse_privately_and_share_a_phone(app):
    client = app.test_client()
    page = client.get("/report/mkcc/staying-safe-online").get_data(as_text=True)
    assert title(page) == "Staying safe online – Contact Milton Keynes City Council"
    for heading in ("Leaving quickly", "Private browsing", "Clearing your history", "A shared phone"):
        assert f'<h2 class="govuk-heading-m">{heading}</h2>' in page
    assert 'href="tel:999"' in page
    # The language the reporter chose carries over.
    client.set_cookie("report_lang", "pl", path="/")
    polish = client.get("/report/mkcc/staying-safe-online").get_data(as_text=True)
    assert '<html lang="pl"' in polish and translator("pl")("Staying safe online") in polish


def test_the_victims_code_page_leaves_through_the_forms_exit_and_forgets_its_cookies(app):
    client = app.test_client()
    page = client.get("/victims-code/wchg?lang=en").get_data(as_text=True)
    href = html.unescape(re.search(r'href="([^"]+)"[^>]*class="[^"]*govuk-exit-this-page__button', page).group(1))
    assert href == "/report/wchg/exit"
    left = client.get(href)
    assert left.status_code == 303 and left.headers["Clear-Site-Data"] == '"cache", "cookies"'


def _attributes(page: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(r'\s[\w:.-]+="([^"]*)"', page)]


@pytest.mark.parametrize("language", ["ar", "ur", "fa", "pa_Arab"])
def test_direction_isolates_stay_in_the_text_of_a_right_to_left_confirmation(app, language):
    reporter = WebReporter(app.test_client())
    reporter.post({"action": "language", "language": language})
    reporter.get()
    pages = visit(reporter)
    confirmation = pages["confirmation"]
    assert any(c in confirmation for c in ISOLATES), "the text should still carry its isolates"
    for name, page in pages.items():
        bad = [v for v in _attributes(page) if any(c in v for c in ISOLATES)]
        assert not bad, f"{language} {name}: isolates in {bad[:3]}"
    link = re.search(r'href="(http[^"]*/victims-code/mkcc\?lang=[^"]*)"', confirmation).group(1)
    assert link.endswith(f"?lang={language}")


def test_a_victims_code_link_sent_with_an_isolate_still_opens_in_arabic(app):
    page = app.test_client().get("/victims-code/mkcc?lang=ar%E2%81%A9").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in page
    assert translator("ar")("What %(org)s promises you", org="Milton Keynes City Council") in page


def test_999_is_a_call_link_wherever_the_form_and_its_pages_say_it(app):
    client = app.test_client()
    reporter = WebReporter(client)
    assert 'call <a class="govuk-link" href="tel:999">999</a>' in reporter.page
    reporter.start()
    reporter.answer("yes")
    assert reporter.page.count('href="tel:999"') >= 2
    for path in ("/report/mkcc/staying-safe-online", "/victims-code/mkcc?lang=en"):
        page = client.get(path).get_data(as_text=True)
        said = len(re.findall(r"(?<![\w-])999(?!\w)", re.sub(r"<[^>]+>", " ", page)))
        assert said and page.count('href="tel:999"') == said, path


def test_a_reference_or_longer_number_holding_999_is_not_made_a_call():
    from channels.links import linkify

    assert "tel:" not in linkify("Your reference is MK-999ABC. Call 0999 123 or 1999.")
    assert str(linkify("call 999.")) == 'call <a class="govuk-link" href="tel:999">999</a>.'

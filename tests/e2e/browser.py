"""Headless Chromium for the browser tests: Debian's chromium driven by Debian's chromedriver, nothing downloaded.

The app runs in a real WSGI server on loopback, beside a tiny "neutral site" that the
quick exit leads to (the real default, a weather page, is not reachable from a test).
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
GOVUK_CSS = ROOT / "channels" / "web" / "static" / "govuk" / "govuk-frontend.min.css"
# What axe checks: WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def require_browser() -> None:
    """Fail, not skip, when the machine lacks what `make test` installs: a skipped browser test proves nothing."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER, str(AXE), str(GOVUK_CSS)) if not Path(p).exists()]
    if missing:
        pytest.fail(f"browser tests need {', '.join(missing)}: run make test, which installs them (tools/setup_system.sh)")


def chrome(*, javascript: bool = True) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1100,900",
        "--lang=en-GB",
    ):
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    return driver


class _Neutral(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!DOCTYPE html><html lang='en'><title>Weather</title><h1>Weather</h1></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def serve(app) -> Iterator[str]:
    """Serve a WSGI app on a free loopback port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@contextmanager
def neutral_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Neutral)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/weather"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def web_site(folder: Path, secret: str) -> Iterator[tuple[str, str, object]]:
    """The app on a fresh SQLite file in `folder`, served on loopback beside the neutral site: (base URL, exit URL, app)."""
    import logging

    from flask_app import create_app
    from intake.store import migrate
    from intake.store.db import Store
    from tests.harness import TEST_DATA_KEYS

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    url = f"sqlite:///{folder / 'web.db'}"
    migrate.upgrade(Store(url).engine)
    with neutral_site() as exit_url:
        app = create_app({"INTAKE_INSTANCE_PATH": str(folder), "INTAKE_DATABASE_URL": url,
                          "INTAKE_SECRET_KEY": secret + "k" * 40, "INTAKE_DATA_KEYS": TEST_DATA_KEYS,
                          "INTAKE_WEB_EXIT_URL": exit_url, "INTAKE_WEB_POSTS_PER_MINUTE": "100000"})  # fmt: skip
        with serve(app) as base:
            yield base, exit_url, app


def axe_violations(driver: webdriver.Chrome) -> list[dict]:
    """Run axe-core in the page as it stands; the WCAG 2.2 A and AA violations it finds."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then(r => done(JSON.stringify(r.violations)), e => done(JSON.stringify([{id: 'axe-error', help: String(e), nodes: []}])));",
        WCAG_TAGS,
    )
    return json.loads(result)


def describe(violations: list[dict]) -> str:
    return "; ".join(f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in violations)


def question_id(driver: webdriver.Chrome) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, "input[name=question]")
    return found[0].get_dom_attribute("value") if found else ""


def heading(driver: webdriver.Chrome) -> str:
    return driver.find_element(By.TAG_NAME, "h1").text.strip()


# ---- signs that something a page shows was taken for markup --------------------------------------
_PAGE_STATE = """
const bad = [];
for (const el of document.querySelectorAll('*')) {
  for (const a of el.attributes) {
    if (a.name.toLowerCase().startsWith('on')) bad.push(`handler ${a.name} on <${el.localName}>`);
    if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data'].includes(a.name) && /^[\\s\\u0000-\\u001f]*javascript:/i.test(a.value))
      bad.push(`javascript: URL in ${a.name} of <${el.localName}>`);
  }
}
for (const s of document.scripts)
  if (!s.src || new URL(s.src).origin !== location.origin) bad.push(`script ${s.src || s.text.slice(0, 80)}`);
for (const el of document.querySelectorAll('iframe, frame, object, embed, base, img[src="x"]')) bad.push(`<${el.localName}>`);
return {
  xss: typeof window.__xss,
  bad: bad,
  text: document.body.innerText,
  options: [...document.querySelectorAll('option')].map(o => o.text),
  values: Object.fromEntries([...document.querySelectorAll('input[id], textarea[id]')].map(e => [e.id, e.value])),
  html: document.documentElement.outerHTML,
};
"""


def page_state(driver: webdriver.Chrome) -> dict:
    """The page as it stands: whether `window.__xss` was set, any handler attribute, javascript: URL, inline or
    foreign script, frame or `<img src=x>` in the DOM (`bad`), its rendered text, option texts, field values and HTML."""
    return driver.execute_script(_PAGE_STATE)


def open_alert(driver: webdriver.Chrome) -> str | None:
    """The text of an alert, confirm or prompt the page has open, or None."""
    try:
        return driver.switch_to.alert.text
    except NoAlertPresentException:
        return None


def navigating(driver: webdriver.Chrome, act, timeout: float = 15) -> None:
    """Do `act` (a click that sends a form or follows a link) and wait until the next page has replaced this one."""
    old = driver.find_element(By.TAG_NAME, "html").id
    act()
    WebDriverWait(driver, timeout, poll_frequency=0.02).until(lambda d: d.find_element(By.TAG_NAME, "html").id != old)


# ---- shared by the console's tests (the web form's tests keep their own copies) ----------------------
def press(driver: webdriver.Chrome, *keys: str) -> None:
    ActionChains(driver).send_keys(*keys).perform()


def tab_to(driver: webdriver.Chrome, css: str, limit: int = 120) -> None:
    """Press Tab until the element matching `css` has focus, as a keyboard user moves through a page."""
    for _ in range(limit):
        if driver.execute_script("return document.activeElement.matches(arguments[0])", css):
            return
        press(driver, Keys.TAB)
    raise AssertionError(f"Tab never reached {css} on {heading(driver)!r}")


# What sticks out past the right edge of the window, leaf-most first, so a failure names the culprit.
_OVERFLOW = """
const room = window.innerWidth, wide = document.documentElement.scrollWidth, out = [];
if (wide > room) {
  for (const el of document.body.querySelectorAll('*')) {
    if (el.getBoundingClientRect().right <= room + 1 || el.closest('.govuk-visually-hidden')) continue;
    if ([...el.children].some(c => c.getBoundingClientRect().right > room + 1)) continue;
    const classes = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes);
  }
}
return [wide, room, out.slice(0, 6)];
"""


def sideways(driver: webdriver.Chrome) -> str:
    """Empty when the page scrolls only down; otherwise how wide it is and what sticks out."""
    wide, room, culprits = driver.execute_script(_OVERFLOW)
    return "" if wide <= room else f"{wide}px wide in a {room}px window: {', '.join(culprits)}"

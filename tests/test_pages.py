"""The pages every deployment serves: each landlord's Victims Code (health and metrics: test_operations.py)."""

from __future__ import annotations

import re

import pytest

from flask_app import create_app


@pytest.fixture
def client(tmp_path):
    from intake.store import migrate
    from intake.store.db import Store

    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(Store(url).engine)
    app = create_app({"INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_DATABASE_URL": url})
    return app.test_client()


@pytest.mark.parametrize(
    "org, title, facts",
    [
        pytest.param(
            "mkcc",
            "What Milton Keynes City Council promises you",
            ["within 24 hours (1 business day)", "at least every 10 working days", "ASB Team Leader", "Crimestoppers"],
            id="Milton Keynes",
        ),
        pytest.param(
            "wchg",
            "What Wythenshawe Community Housing Group promises you",
            ["safe place", "Manchester City Council", "True Vision"],
            id="Wythenshawe",
        ),
    ],
)
def test_the_victims_code_page_shows_the_landlords_commitments_and_signposting(client, org, title, facts):
    page = client.get(f"/victims-code/{org}?lang=en").get_data(as_text=True)
    assert f"<h1>{title}</h1>" in page
    for fact in facts:
        assert fact in page


def test_an_unknown_landlord_has_no_victims_code_page(client):
    assert client.get("/victims-code/nowhere").status_code == 404


@pytest.mark.parametrize("code", ["ar", "ur", "fa", "pa_Arab"])
def test_right_to_left_languages_get_a_right_to_left_page_with_isolated_numbers(client, code):
    page = client.get(f"/victims-code/mkcc?lang={code}").get_data(as_text=True)
    assert 'dir="rtl"' in page
    # A phone number or web address inside right-to-left text keeps its own direction.
    assert "<bdi>" in page and "0800 555 111" in page


@pytest.mark.parametrize("code", ["en", "pl", "uk", "so", "gu"])
def test_left_to_right_languages_get_a_left_to_right_page(client, code):
    assert 'dir="ltr"' in client.get(f"/victims-code/wchg?lang={code}").get_data(as_text=True)


def test_the_victims_code_page_links_the_formats_the_landlord_offers(client):
    page = client.get("/victims-code/wchg?lang=en").get_data(as_text=True)
    assert "lang=en_easy" in page and "size=large" in page
    assert "Braille" in page and "Audio" in page
    large = client.get("/victims-code/wchg?lang=en&size=large").get_data(as_text=True)
    assert '<body class="large-print">' in large


def test_the_victims_code_page_prints_without_its_navigation(client):
    page = client.get("/victims-code/mkcc?lang=en").get_data(as_text=True)
    [stylesheet] = re.findall(r'<link rel="stylesheet" href="([^"]+/pages.css)">', page)
    css = client.get(stylesheet).get_data(as_text=True)
    assert "@media print" in css and "nav, .no-print { display: none; }" in css


def test_a_browser_language_picks_the_page_language_when_none_is_asked_for(client):
    page = client.get("/victims-code/mkcc", headers={"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert 'lang="pl"' in page

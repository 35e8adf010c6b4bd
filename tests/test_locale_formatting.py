"""Plurals, dates and times come out right in each reporter's language (Polish, Arabic and Ukrainian rules)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from babel.messages.pofile import read_po

from intake.i18n import TRANSLATIONS_DIR, translator
from intake.orgs import load_profiles
from intake.victims_code import when

SINGULAR, PLURAL = "%(num)d hour", "%(num)d hours"
# The form each count takes, worked out by hand from each language's CLDR plural rules
# (never from the catalog's own Plural-Forms expression, which is what is under test).
EXPECTED_FORM = {
    "pl": {0: 2, 1: 0, 2: 1, 5: 2, 22: 1, 101: 2},
    "uk": {0: 2, 1: 0, 2: 1, 5: 2, 22: 1, 101: 0},
    "ar": {0: 0, 1: 1, 2: 2, 5: 3, 22: 4, 101: 5},
}


def _forms(code: str) -> tuple[str, ...]:
    with (TRANSLATIONS_DIR / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    return tuple(catalog[(SINGULAR, PLURAL)].string)


@pytest.mark.parametrize("code", sorted(EXPECTED_FORM))
@pytest.mark.parametrize("count", [0, 1, 2, 5, 22, 101])
def test_a_count_takes_the_plural_form_its_language_needs(code, count):
    forms = _forms(code)
    text = translator(code).plural(SINGULAR, PLURAL, count)
    assert text == forms[EXPECTED_FORM[code][count]] % {"num": count}
    assert str(count) in text or any(ch.isdigit() for ch in text)


def test_the_forms_differ_where_the_language_distinguishes_them():
    assert len(set(_forms("pl"))) == 3
    assert len(set(_forms("uk"))) == 3
    assert len(set(_forms("ar"))) >= 5


@pytest.mark.parametrize(
    "code, month_word",
    [
        pytest.param("pl", "listopada", id="Polish genitive month"),
        pytest.param("uk", "листопада", id="Ukrainian genitive month"),
        pytest.param("ar", "نوفمبر", id="Arabic month"),
    ],
)
def test_a_deadline_reads_in_the_reporters_language_on_the_landlords_clock(code, month_word):
    mkcc = load_profiles()["mkcc"]
    # 10:30 UTC on 18 November is 10:30 in London (GMT).
    text = when(datetime(2026, 11, 18, 10, 30, tzinfo=UTC), mkcc, translator(code))
    assert month_word in text
    assert "10:30" in text or "١٠:٣٠" in text


@pytest.mark.parametrize("code", ["ar", "ur", "fa", "pa_Arab"])
def test_a_reference_inside_right_to_left_text_is_isolated_so_it_reads_in_order(code):
    text = translator(code)("Thank you. Your report has been sent. Your reference is %(reference)s.", reference="MK-7K3M9Q")
    assert "\u2068MK-7K3M9Q\u2069" in text


def test_left_to_right_languages_add_no_isolates():
    text = translator("pl")("Thank you. Your report has been sent. Your reference is %(reference)s.", reference="MK-7K3M9Q")
    assert "\u2068" not in text and "MK-7K3M9Q" in text

"""The floors the labelled set in tests/data/nlp must clear (`make eval` prints the detail)."""

from __future__ import annotations

import pytest

from tests.nlp_eval import evaluate, load_rows

SHIPPED = ("en", "en_easy", "pl", "ro", "pa", "pa_Arab", "ur", "pt", "es", "ar", "bn", "gu", "so", "fa", "uk")


@pytest.fixture(scope="module")
def scores():
    return evaluate()


def test_the_set_has_fifteen_messages_in_every_shipped_language_and_three_hundred_in_all():
    rows = load_rows()

    assert set(rows) == set(SHIPPED)
    assert all(len(rows[lang]) >= 15 for lang in SHIPPED)
    assert sum(len(r) for r in rows.values()) >= 300


def test_row_ids_are_unique_and_name_their_language():
    rows = load_rows()
    ids = [row["id"] for lang, listed in rows.items() for row in listed]

    assert len(ids) == len(set(ids))
    assert all(row["id"].rsplit("-", 1)[0] == lang for lang, listed in rows.items() for row in listed)


def test_danger_recall_is_at_least_097_with_precision_at_least_085(scores):
    danger = scores.overall[("danger", "danger")]

    assert danger.recall >= 0.97, [m for m in scores.misses if m[1] == "danger"]
    assert danger.precision >= 0.85


@pytest.mark.parametrize("task", ["strand", "type"])
def test_strand_and_incident_type_macro_f1_is_at_least_080(scores, task):
    assert scores.macro_f1(task) >= 0.80


@pytest.mark.parametrize("label", ["phone", "email", "postcode"])
def test_pii_recall_is_at_least_095(scores, label):
    assert scores.overall[("pii", label)].recall >= 0.95

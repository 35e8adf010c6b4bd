"""What the labelled sets must clear (`make eval` prints the detail), and that the frozen set stays frozen."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from intake.nlp import classifier
from intake.nlp.pipeline import labels
from tests.nlp_eval import SETS, evaluate, load_rows, wilson

SHIPPED = ("en", "en_easy", "pl", "ro", "pa", "pa_Arab", "ur", "pt", "es", "ar", "bn", "gu", "so", "fa", "uk")
PATTERN_LANGUAGES = tuple(lang for lang in SHIPPED if lang != "en_easy")


@pytest.fixture(scope="module")
def dev():
    return evaluate("dev")


@pytest.fixture(scope="module")
def frozen():
    return evaluate("frozen")


def test_the_dev_set_has_fifteen_messages_in_every_shipped_language_and_three_hundred_in_all():
    rows = load_rows("dev")

    assert set(rows) == set(SHIPPED)
    assert all(len(rows[lang]) >= 15 for lang in SHIPPED)
    assert sum(len(r) for r in rows.values()) >= 300


@pytest.mark.parametrize("name", ["dev", "train", "frozen"])
def test_row_ids_are_unique_and_name_their_language(name):
    rows = load_rows(name)
    ids = [row["id"] for lang, listed in rows.items() for row in listed]

    assert len(ids) == len(set(ids))
    assert all(row["id"].rsplit("-", 1)[0].split("-", 1)[-1] == lang for lang, listed in rows.items() for row in listed)


def test_the_frozen_set_is_exactly_what_was_frozen():
    (folder,) = SETS["frozen"]
    pinned = dict(line.split()[::-1] for line in (folder / "SHA256SUMS").read_text().splitlines())

    assert pinned == {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.glob("*.yaml"))}


def test_the_frozen_set_has_twenty_danger_and_twenty_other_messages_in_every_pattern_language_and_twenty_of_every_label():
    rows = load_rows("frozen")
    known = labels()
    seen = Counter(label for listed in rows.values() for row in listed for label in (*row["strands"], *row["types"]))

    assert set(rows) == set(PATTERN_LANGUAGES)
    assert all(sum(row["danger"] for row in rows[lang]) >= 20 for lang in PATTERN_LANGUAGES)
    assert all(sum(not row["danger"] for row in rows[lang]) >= 20 for lang in PATTERN_LANGUAGES)
    assert all(seen[label] >= 20 for label in (*known.strands, *known.incident_types))


def test_no_training_row_is_a_dev_or_frozen_message():
    def texts(name: str) -> set[str]:
        return {" ".join(classifier.words(row["text"])) for listed in load_rows(name).values() for row in listed}

    assert not texts("train") & (texts("dev") | texts("frozen"))


def test_wilson_intervals_match_the_textbook_values():
    low, high = wilson(8, 10)

    assert (round(low, 3), round(high, 3)) == (0.490, 0.943)
    assert wilson(0, 0) == (0.0, 1.0)
    assert wilson(5, 5)[1] == 1.0


# ---- floors ---------------------------------------------------------------------------------------
# Dev holds the 303 rows the patterns were written beside and 706 they never saw; floors only go up.
def test_on_dev_danger_recall_is_at_least_091_with_precision_at_least_055_and_the_pause_090(dev):
    danger = dev.overall[("danger", "danger")]

    assert danger.recall >= 0.91, [m for m in dev.misses if m[1] == "danger"]
    assert danger.precision >= 0.55
    assert dev.overall[("danger", "pause")].precision >= 0.90


@pytest.mark.parametrize("task", ["strand", "type"])
def test_on_dev_strand_and_incident_type_macro_f1_is_at_least_066(dev, task):
    assert dev.macro_f1(task) >= 0.66


@pytest.mark.parametrize("label", ["phone", "email", "postcode"])
def test_on_dev_pii_recall_is_at_least_095(dev, label):
    assert dev.overall[("pii", label)].recall >= 0.95


# The frozen set's floors are what the reader scored when it was last improved, less a little;
# they only ever go up, towards the targets in the NLP issue (danger R 0.95 and P 0.90, strands
# 0.80, types 0.75, names 0.85). A failure names no row: the frozen set is not for tuning.
# Scored on 2 December 2026: danger R 0.96 P 0.59, pause P 0.90 R 0.70, strands 0.67, types 0.63,
# names 0.38, and danger recall 0.85 or more in every language (Romanian lowest).
FROZEN_FLOORS = {
    "danger recall": 0.94,
    "danger precision": 0.56,
    "pause precision": 0.87,
    "danger recall in each language": 0.82,
    "strand": 0.64,
    "type": 0.60,
    "name": 0.35,
}


def test_on_the_frozen_set_danger_clears_its_floors(frozen):
    danger = frozen.overall[("danger", "danger")]
    pause = frozen.overall[("danger", "pause")]

    assert danger.recall >= FROZEN_FLOORS["danger recall"]
    assert danger.precision >= FROZEN_FLOORS["danger precision"]
    assert pause.precision >= FROZEN_FLOORS["pause precision"]


def test_on_the_frozen_set_danger_recall_clears_its_floor_in_every_language(frozen):
    low = {
        lang
        for lang, counts in frozen.by_language.items()
        if counts[("danger", "danger")].recall < FROZEN_FLOORS["danger recall in each language"]
    }

    assert not low


@pytest.mark.parametrize("task", ["strand", "type"])
def test_on_the_frozen_set_strands_and_incident_types_clear_their_floors(frozen, task):
    assert frozen.macro_f1(task) >= FROZEN_FLOORS[task]


@pytest.mark.parametrize("label", ["phone", "email", "postcode"])
def test_on_the_frozen_set_phone_email_and_postcode_recall_is_at_least_097(frozen, label):
    assert frozen.pii_recall(label=label).value >= 0.97


def test_on_the_frozen_set_names_clear_their_floor(frozen):
    assert frozen.pii_recall(label="name").value >= FROZEN_FLOORS["name"]

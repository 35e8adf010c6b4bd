"""The risk matrix: answers in, level and reasons out; a bad matrix file fails loudly."""

from pathlib import Path

import pytest
import yaml

from intake.errors import ConfigError
from intake.risk import DEFAULT_PATH, RiskAssessment, assess, load_matrix


def ticked(*options: str) -> dict:
    """Return a multi-select answer as the flow records it."""
    return {"value": list(options), "raw": ", ".join(options), "skipped": False}


def said(value: str) -> dict:
    return {"value": value, "raw": value, "skipped": False}


SKIPPED = {"value": None, "raw": None, "skipped": True}


def unclear(raw: str) -> dict:
    """Return an answer the flow could not map to an option: the raw text, value None."""
    return {"value": None, "raw": raw, "skipped": False}


# (answers, danger_evidence, expected level, expected reasons)
LEVELS = [
    pytest.param({}, (), "standard", (), id="nothing-answered-is-standard-with-no-reasons"),
    pytest.param(
        {"danger_now": said("no"), "risk_incident": ticked("none"), "risk_impact": ticked("none")},
        (),
        "standard",
        (),
        id="no-danger-and-none-ticked-is-standard",
    ),
    # Each always_high rule on its own.
    pytest.param(
        {"risk_incident": ticked("weapon")},
        (),
        "high",
        ("weapon",),
        id="a-weapon-alone-is-high",
    ),
    pytest.param(
        {"danger_now": said("yes")},
        (),
        "high",
        ("immediate_danger",),
        id="danger-now-alone-is-high",
    ),
    pytest.param(
        {"danger_now": said("no")},
        ("he is outside my door",),
        "high",
        ("danger_signalled",),
        id="danger-words-in-the-conversation-are-high-even-after-saying-no",
    ),
    pytest.param(
        {"risk_incident": ticked("threats_violence", "perpetrator_nearby")},
        (),
        "high",
        ("threats_violence", "perpetrator_nearby"),
        id="threats-from-someone-living-nearby-are-high",
    ),
    # Either half of the threats-and-nearby rule is not enough alone.
    pytest.param(
        {"risk_incident": ticked("threats_violence")},
        (),
        "medium",
        ("threats_violence",),
        id="threats-alone-are-medium",
    ),
    pytest.param(
        {"risk_incident": ticked("perpetrator_nearby")},
        (),
        "standard",
        ("perpetrator_nearby",),
        id="a-perpetrator-nearby-alone-is-standard",
    ),
    # The reporter's own sense of risk.
    pytest.param(
        {"risk_impact": ticked("unsafe_at_home")},
        (),
        "medium",
        ("unsafe_at_home",),
        id="feeling-unsafe-at-home-is-medium",
    ),
    pytest.param(
        {"risk_impact": ticked("worried_worse")},
        (),
        "medium",
        ("worried_worse",),
        id="worry-that-it-will-get-worse-is-medium",
    ),
    # Moderate factors adding up.
    pytest.param(
        {"risk_impact": ticked("disability")},
        (),
        "standard",
        ("disability",),
        id="one-vulnerability-alone-is-standard",
    ),
    pytest.param(
        {"risk_incident": ticked("ongoing"), "risk_impact": ticked("children")},
        (),
        "medium",
        ("children", "ongoing"),
        id="ongoing-with-children-at-home-adds-up-to-medium",
    ),
    pytest.param(
        {"risk_impact": ticked("disability", "isolated", "health_affected")},
        (),
        "medium",
        ("health_affected", "disability", "isolated"),
        id="three-vulnerabilities-add-up-to-medium",
    ),
    pytest.param(
        {"risk_incident": ticked("happened_before"), "risk_impact": ticked("disability", "isolated", "health_affected")},
        (),
        "high",
        ("happened_before", "health_affected", "disability", "isolated"),
        id="a-repeat-victim-who-is-vulnerable-isolated-and-suffering-adds-up-to-high",
    ),
    pytest.param(
        {"risk_incident": ticked("threats_violence", "happened_before", "ongoing")},
        (),
        "high",
        ("threats_violence", "happened_before", "ongoing"),
        id="repeated-ongoing-threats-add-up-to-high",
    ),
    pytest.param(
        {"risk_impact": ticked("unsafe_at_home", "worried_worse", "children")},
        (),
        "high",
        ("unsafe_at_home", "worried_worse", "children"),
        id="fear-at-home-and-of-escalation-with-children-adds-up-to-high",
    ),
    # Answers that were not really given.
    pytest.param(
        {"risk_incident": {**ticked("weapon"), "skipped": True}},
        (),
        "standard",
        (),
        id="a-skipped-question-is-ignored-even-with-a-value",
    ),
    pytest.param(
        {"danger_now": SKIPPED, "risk_incident": SKIPPED, "risk_impact": SKIPPED},
        (),
        "standard",
        (),
        id="every-question-skipped-is-standard",
    ),
    pytest.param(
        {"danger_now": unclear("dunno"), "risk_incident": unclear("it was a knife maybe")},
        (),
        "standard",
        (),
        id="unclear-answers-are-ignored",
    ),
    pytest.param(
        {"danger_now": None, "risk_incident": {}, "risk_impact": {"value": 7}},
        (),
        "standard",
        (),
        id="malformed-answers-are-ignored-without-crashing",
    ),
    pytest.param({}, ("", "  "), "standard", (), id="blank-danger-evidence-is-ignored"),
    pytest.param(
        {"risk_impact": ticked("Unsafe_At_Home", "not_an_option")},
        (),
        "standard",
        (),
        id="option-ids-the-matrix-does-not-know-are-ignored",
    ),
    # Contradictory or oddly shaped answers still count the risk.
    pytest.param(
        {"risk_incident": ticked("none", "weapon")},
        (),
        "high",
        ("weapon",),
        id="none-ticked-with-a-weapon-still-counts-the-weapon",
    ),
    pytest.param(
        {"risk_incident": said("weapon")},
        (),
        "high",
        ("weapon",),
        id="a-multi-select-sent-as-one-string-still-counts",
    ),
]


@pytest.mark.parametrize(("answers", "evidence", "level", "reasons"), LEVELS)
def test_answers_earn_the_expected_level_and_reasons(answers, evidence, level, reasons):
    result = assess(answers, evidence)
    assert (result.level, result.reasons) == (level, reasons)


def test_the_score_is_the_sum_of_the_weights_present():
    weights = {f.id: f.weight for f in load_matrix().factors}
    result = assess({"risk_incident": ticked("happened_before", "ongoing"), "risk_impact": ticked("isolated")})
    assert result == RiskAssessment(
        score=weights["happened_before"] + weights["ongoing"] + weights["isolated"],
        level="medium",
        reasons=("happened_before", "isolated", "ongoing"),
    )


def test_reasons_run_from_highest_weight_down_and_keep_matrix_order_on_ties():
    everything = assess(
        {
            "danger_now": said("yes"),
            "risk_incident": ticked(*load_matrix().questions["risk_incident"]),
            "risk_impact": ticked(*load_matrix().questions["risk_impact"]),
        },
        ("help",),
    )
    by_weight = {f.id: f.weight for f in load_matrix().factors}
    matrix_order = [f.id for f in load_matrix().factors]
    weights = [by_weight[r] for r in everything.reasons]
    assert weights == sorted(weights, reverse=True)
    for earlier, later in zip(everything.reasons, everything.reasons[1:], strict=False):
        if by_weight[earlier] == by_weight[later]:
            assert matrix_order.index(earlier) < matrix_order.index(later)
    assert set(everything.reasons) == set(matrix_order)


@pytest.mark.parametrize("option", ["unsafe_at_home", "worried_worse"])
def test_own_sense_of_risk_is_medium_even_when_thresholds_are_raised(tmp_path, option):
    data = yaml.safe_load(DEFAULT_PATH.read_text())
    data["thresholds"] = {"medium": 90, "high": 99}
    matrix = load_matrix(write(tmp_path, data))
    assert assess({"risk_impact": ticked(option)}, matrix=matrix).level == "medium"


def test_the_default_matrix_is_loaded_once_and_shared():
    assert load_matrix() is load_matrix()


def test_every_factor_says_where_its_question_and_weight_come_from():
    assert all(f.source.strip() for f in load_matrix().factors)


def test_every_option_the_flow_offers_is_scored_except_none():
    matrix = load_matrix()
    scored = {(f.when.question, f.when.option or f.when.equals) for f in matrix.factors}
    offered = {(q, o) for q, options in matrix.questions.items() for o in options if o not in ("none", "no")}
    assert offered == scored - {(None, None)}


def write(tmp_path: Path, data) -> Path:
    path = tmp_path / "risk.yaml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def index_of(data: dict, factor_id: str) -> int:
    return next(i for i, f in enumerate(data["factors"]) if f["id"] == factor_id)


def break_factor(factor_id: str, **changes):
    def mutate(data):
        data["factors"][index_of(data, factor_id)].update(changes)

    return mutate


def set_key(key, value):
    def mutate(data):
        data[key] = value

    return mutate


def add_rule(rule):
    def mutate(data):
        data["always_high"].append(rule)

    return mutate


def unquoted_yes(data):
    # YAML 1.1 reads a bare `yes` as True: the file must quote it, and strict loading says so.
    data["factors"][index_of(data, "immediate_danger")]["when"]["equals"] = True


def duplicate_first_factor(data):
    data["factors"].append(dict(data["factors"][0]))


# (how to break the default matrix, the field the error must name)
BAD_MATRICES = [
    pytest.param(set_key("colour", "red"), "colour", id="an-unknown-top-level-key"),
    pytest.param(break_factor("ongoing", colour="red"), "factors[{ongoing}].colour", id="an-unknown-key-in-a-factor"),
    pytest.param(break_factor("children", weight=-2), "factors[{children}].weight", id="a-negative-weight"),
    pytest.param(break_factor("children", weight=0), "factors[{children}].weight", id="a-zero-weight"),
    pytest.param(break_factor("children", weight="2"), "factors[{children}].weight", id="a-weight-written-as-text"),
    pytest.param(break_factor("children", source=""), "factors[{children}].source", id="an-empty-source"),
    pytest.param(add_rule(["threats_violence", "perp_nearby"]), "always_high[4][1]", id="an-undefined-id-in-always-high"),
    pytest.param(add_rule([]), "always_high[4]", id="an-empty-always-high-rule"),
    pytest.param(set_key("at_least_medium", ["unsafe"]), "at_least_medium[0]", id="an-undefined-id-in-at-least-medium"),
    pytest.param(set_key("thresholds", {"medium": 8, "high": 4}), "thresholds", id="thresholds-out-of-order"),
    pytest.param(set_key("thresholds", {"medium": 4}), "thresholds.high", id="a-missing-threshold"),
    pytest.param(
        break_factor("weapon", when={"question": "risk_incident"}), "factors[{weapon}].when", id="a-when-with-no-option"
    ),
    pytest.param(
        break_factor("weapon", when={"question": "risk_incident", "option": "weapon", "equals": "weapon"}),
        "factors[{weapon}].when",
        id="a-when-mixing-two-forms",
    ),
    pytest.param(break_factor("weapon", when={"signal": "shouting"}), "factors[{weapon}].when.signal", id="an-unknown-signal"),
    pytest.param(
        break_factor("weapon", when={"question": "risk_incident", "option": "weapons"}),
        "factors[{weapon}].when.option",
        id="a-mistyped-option",
    ),
    pytest.param(
        break_factor("weapon", when={"question": "risk_incidents", "option": "weapon"}),
        "factors[{weapon}].when.question",
        id="a-mistyped-question",
    ),
    pytest.param(unquoted_yes, "factors[{immediate_danger}].when.equals", id="an-unquoted-yes-that-yaml-reads-as-true"),
    pytest.param(duplicate_first_factor, "factors[15].id", id="a-factor-defined-twice"),
]


@pytest.mark.parametrize(("mutate", "field"), BAD_MATRICES)
def test_a_bad_matrix_file_raises_config_error_naming_file_and_field(tmp_path, mutate, field):
    data = yaml.safe_load(DEFAULT_PATH.read_text())
    field = field.format(**{f["id"]: i for i, f in enumerate(data["factors"])})
    mutate(data)
    path = write(tmp_path, data)
    with pytest.raises(ConfigError) as caught:
        load_matrix(path)
    assert f"{path}: {field}: " in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("factors: [unclosed", r"line \d+: ", id="broken-yaml"),
        pytest.param("", "(top level)", id="an-empty-file"),
        pytest.param("- just\n- a list\n", "(top level)", id="a-list-instead-of-a-mapping"),
    ],
)
def test_an_unreadable_matrix_file_raises_config_error_naming_the_file(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=expected) as caught:
        load_matrix(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_a_missing_matrix_file_raises_config_error_naming_the_file(tmp_path):
    with pytest.raises(ConfigError, match="the file is missing") as caught:
        load_matrix(tmp_path / "absent.yaml")
    assert str(tmp_path / "absent.yaml") in str(caught.value)

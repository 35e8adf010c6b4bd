"""The flow, keyword and vocabulary files are checked at start-up and fail naming the file and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from intake.errors import ConfigError
from intake.flow import FLOW_DIR, load_flow, load_keywords, load_vocabulary
from intake.orgs import load_profiles


def _broken_copy(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((FLOW_DIR / "report.yaml").read_text())
    change(data)
    path = tmp_path / "report.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


@pytest.mark.parametrize(
    "change, field",
    [
        pytest.param(lambda d: d["questions"][0].update(kind="slider"), "questions[0].kind", id="unknown question kind"),
        pytest.param(lambda d: d["questions"][1].pop("options"), "questions[1]", id="choice question without options"),
        pytest.param(lambda d: d["questions"][0].update(colour="red"), "questions[0].colour", id="misspelt key"),
        pytest.param(
            lambda d: d["questions"][0]["after"][0].update(say="no_such_message"),
            "no_such_message",
            id="after names an unknown message",
        ),
        pytest.param(lambda d: d["questions"].append(dict(d["questions"][0])), "unique", id="repeated question id"),
    ],
)
def test_a_bad_flow_file_fails_naming_the_file_and_field(tmp_path, change, field):
    path = _broken_copy(tmp_path, change)
    with pytest.raises(ConfigError) as caught:
        load_flow(path)
    assert str(path) in str(caught.value) and field in str(caught.value)


def test_the_shipped_flow_keywords_and_vocabulary_load():
    flow = load_flow()
    assert flow.questions[0].id == "danger_now"
    assert {"help", "back", "skip", "language", "status", "stop", "exit"} <= set(load_keywords())
    assert load_vocabulary().strands


def test_every_id_a_profile_names_has_wording_in_the_vocabulary():
    vocabulary = load_vocabulary()
    for profile in load_profiles().values():
        assert set(profile.strands) <= set(vocabulary.strands)
        assert set(profile.incident_types) <= set(vocabulary.incident_types)
        assert set(profile.offers) <= set(vocabulary.offers)
        assert set(profile.victims_code.commitments) <= set(vocabulary.commitments)
        assert {s.purpose for s in profile.signposting} <= set(vocabulary.signpost_purposes)


def test_every_opt_out_word_twilio_honours_is_a_stop_word():
    stop = set(load_keywords()["stop"].words)
    assert {"stop", "stopall", "unsubscribe", "cancel", "end", "quit"} <= stop

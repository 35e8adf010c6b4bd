"""The core knows nothing of its doors: intake/ imports no web framework, provider SDK or channel."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from intake.flow import load_flow
from intake.risk import load_matrix

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("flask", "twilio", "telegram", "channels", "staff", "werkzeug", "waitress")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "intake").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_core_imports_no_door_or_provider(path):
    assert not _imports(path) & set(FORBIDDEN)


def test_the_risk_matrix_knows_exactly_the_options_the_flow_offers():
    flow = load_flow()
    matrix = load_matrix()
    for question_id, options in matrix.questions.items():
        question = flow.question(question_id)
        offered = ["yes", "no"] if question.kind == "yesno" else [o.id for o in question.options]
        assert list(options) == offered, question_id

"""The one boundary test: the core knows nothing of its doors or the console, and doors know nothing of the console.

Adapters depend on the core, never the reverse: intake/ imports no web framework, no
provider SDK, no door and no staff code; channels/ import the core but never staff/;
staff/, when it exists, never imports a door. Checked on the source (every import, even
one inside a function) and at run time (what loading the core actually pulls in).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from intake.flow import load_flow
from intake.risk import load_matrix

ROOT = Path(__file__).resolve().parent.parent
PROVIDERS = {"flask", "werkzeug", "waitress", "twilio", "telegram"}
RULES = {
    "intake": PROVIDERS | {"channels", "staff", "flask_app", "cli"},
    "channels": {"staff"},
    "staff": {"channels", "twilio", "telegram"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


SOURCES = [(package, path) for package in RULES for path in sorted((ROOT / package).rglob("*.py"))]


@pytest.mark.parametrize(("package", "path"), SOURCES, ids=[str(p.relative_to(ROOT)) for _, p in SOURCES])
def test_each_module_imports_only_what_its_side_of_the_boundary_may(package, path):
    assert not _imports(path) & RULES[package]


def test_loading_the_whole_core_pulls_in_no_web_framework_provider_or_door():
    modules = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__") for p in (ROOT / "intake").rglob("*.py")
                     if "migrations" not in p.parts)  # fmt: skip
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(RULES['intake'])!r})))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"


def test_the_risk_matrix_knows_exactly_the_options_the_flow_offers():
    flow = load_flow()
    matrix = load_matrix()
    for question_id, options in matrix.questions.items():
        question = flow.question(question_id)
        offered = ["yes", "no"] if question.kind == "yesno" else [o.id for o in question.options]
        assert list(options) == offered, question_id

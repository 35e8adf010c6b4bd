"""Every word a reporter sees is in the catalogs, and every shipped catalog is complete and compiled."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from intake.i18n import TRANSLATIONS_DIR

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
CATALOGS = sorted(TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po"))


def _read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _key(message) -> tuple:
    return (message.context, message.id if isinstance(message.id, str) else tuple(message.id))


def test_the_template_holds_every_msgid_in_the_code_and_data_files(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "extract",
            "-F",
            "translations/babel.cfg",
            "-k",
            "t",
            "-k",
            "mark",
            "-k",
            "plural:1,2",
            "--no-location",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    extracted = {_key(m) for m in _read(fresh) if m.id}
    committed = {_key(m) for m in _read(TRANSLATIONS_DIR / "messages.pot") if m.id}
    assert extracted - committed == set(), "run `make translations`: these msgids are not in messages.pot"
    assert committed - extracted == set(), "run `make translations`: messages.pot holds msgids no longer used"


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_every_catalog_translates_every_msgid_with_the_same_placeholders(path):
    template = {_key(m) for m in _read(TRANSLATIONS_DIR / "messages.pot") if m.id}
    catalog = {_key(m): m for m in _read(path) if m.id}
    assert template - set(catalog) == set(), "msgids missing from the catalog"
    for key, message in catalog.items():
        assert "fuzzy" not in message.flags, key
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {key}"
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, f"placeholders differ in {key}"


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_every_catalog_is_compiled_and_not_older_than_its_source(path):
    compiled = path.with_suffix(".mo")
    assert compiled.exists(), "run `make compile-translations`"
    assert compiled.stat().st_mtime >= path.stat().st_mtime

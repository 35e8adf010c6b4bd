"""Keep the Babel catalogs in step: `init CODE`, `update`, `compile`, `fill-source`, `merge CODE FILE.json`,
`correct CODE FILE.json`.

`merge` takes a translator's work as a JSON object, msgid -> msgstr, and fills only the
catalog's empty messages, so a .po file is never edited by hand; a translation whose
placeholders differ from its msgid's is refused, with every such message named.
`correct` takes the same JSON and replaces translations already there: a reviewer's
fix to a message that was translated wrongly.

A catalog's directory name is its catalog code (en, pl, pa_Arab, en_easy…). Easy Read
English is no locale Babel knows, so it takes English's plural rules; every other code
is its own locale.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent / "translations"
TEMPLATE = ROOT / "messages.pot"
SOURCE = "en"
PLURAL_LOCALE = {"en_easy": "en"}
WIDTH = 100
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def locale_of(code: str) -> Locale:
    return Locale.parse(PLURAL_LOCALE.get(code, code))


def po_path(code: str) -> Path:
    return ROOT / code / "LC_MESSAGES" / "messages.po"


def codes() -> list[str]:
    return sorted(p.parent.parent.name for p in ROOT.glob("*/LC_MESSAGES/messages.po"))


def _read(path: Path, code: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale_of(code) if code else None)


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=WIDTH, sort_output=True, ignore_obsolete=True)


def init(code: str) -> None:
    """Start a catalog for `code` from the template (every msgstr empty)."""
    if po_path(code).exists():
        raise SystemExit(f"{po_path(code)} exists already")
    template = _read(TEMPLATE)
    catalog = Catalog(locale=locale_of(code), domain="messages", project="hate-report-intake")
    catalog.update(template, no_fuzzy_matching=True)
    _write(po_path(code), catalog)


def update() -> None:
    """Bring every catalog in line with the template: new msgids added empty, gone ones dropped."""
    template = _read(TEMPLATE)
    for code in codes():
        catalog = _read(po_path(code), code)
        catalog.update(template, no_fuzzy_matching=True)
        _write(po_path(code), catalog)


def fill_source() -> int:
    """English is the msgid language: its msgstrs are its msgids."""
    catalog = _read(po_path(SOURCE), SOURCE)
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if message.pluralizable and not all(message.string):
            message.string = (message.id[0], message.id[1])
            filled += 1
        elif not message.pluralizable and not message.string:
            message.string = message.id
            filled += 1
    _write(po_path(SOURCE), catalog)
    return filled


def merge(code: str, source: Path, *, replace: bool = False) -> int:
    """Fill `code`'s untranslated messages (with `replace`, its translated ones) from a JSON object of msgid -> msgstr.

    Returns how many were filled; with `replace`, a msgid the catalog does not have is an error.
    """
    given: dict[str, str] = json.loads(source.read_text(encoding="utf-8"))
    catalog = _read(po_path(code), code)
    if replace and (unknown := sorted(set(given) - {m.id for m in catalog if isinstance(m.id, str)})):
        raise SystemExit(f"{source}: {code} has no message {unknown}")
    wrong = []
    filled = 0
    for message in catalog:
        if not message.id or message.pluralizable or message.id not in given or (message.string and not replace):
            continue
        if set(PLACEHOLDER.findall(message.id)) != set(PLACEHOLDER.findall(given[message.id])):
            wrong.append(message.id)
            continue
        message.string, filled = given[message.id], filled + 1
    if wrong:
        raise SystemExit(f"{source}: placeholders differ from the msgid in: {wrong}")
    _write(po_path(code), catalog)
    return filled


def compile_all() -> int:
    """Compile every catalog; a placeholder or plural error in any one fails the build."""
    problems = 0
    for code in codes():
        catalog = _read(po_path(code), code)
        for message, errors in catalog.check():
            for error in errors:
                problems += 1
                print(f"{po_path(code)}: {message.id!r}: {error}", file=sys.stderr)
        translated = sum(1 for m in catalog if m.id and m.string and (not m.pluralizable or all(m.string)))
        total = sum(1 for m in catalog if m.id)
        with po_path(code).with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)
        print(f"{code}: {translated} of {total} messages translated", file=sys.stderr)
    return problems


def main(argv: list[str]) -> int:
    command, *rest = argv or ["help"]
    if command == "init" and rest:
        init(rest[0])
    elif command == "update":
        update()
    elif command == "fill-source":
        print(f"filled {fill_source()} English messages", file=sys.stderr)
    elif command == "merge" and len(rest) == 2:
        print(f"{rest[0]}: filled {merge(rest[0], Path(rest[1]))} messages", file=sys.stderr)
    elif command == "correct" and len(rest) == 2:
        print(f"{rest[0]}: corrected {merge(rest[0], Path(rest[1]), replace=True)} messages", file=sys.stderr)
    elif command == "compile":
        return 1 if compile_all() else 0
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

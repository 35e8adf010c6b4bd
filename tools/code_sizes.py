"""Print the longest classes and functions of the given Python files or folders, in lines.

    .venv/bin/python tools/code_sizes.py intake/engine intake/pipeline.py channels/web/views.py

A length is the span from the `def` or `class` line to the last line of its body,
decorators left out, as an editor shows it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def _files(arguments: list[str]) -> list[Path]:
    found: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            found.extend(sorted(path.rglob("*.py")))
        elif path.with_suffix(".py").exists():
            found.append(path.with_suffix(".py"))
        elif path.exists():
            found.append(path)
    return found


def sizes(path: Path) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(classes, functions) of one file as (lines, qualified name), functions including methods."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    classes: list[tuple[int, str]] = []
    functions: list[tuple[int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                length = (child.end_lineno or child.lineno) - child.lineno + 1
                (classes if isinstance(child, ast.ClassDef) else functions).append((length, f"{path}:{name}"))
                visit(child, f"{name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return classes, functions


def main(arguments: list[str]) -> int:
    files = _files(arguments)
    if not files:
        print("usage: code_sizes.py FILE_OR_FOLDER...", file=sys.stderr)
        return 2
    classes: list[tuple[int, str]] = []
    functions: list[tuple[int, str]] = []
    for path in files:
        found_classes, found_functions = sizes(path)
        classes += found_classes
        functions += found_functions
    lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in files)
    print(f"{len(files)} files, {lines} lines")
    for title, rows in (("longest classes", classes), ("longest functions", functions)):
        print(title + ":")
        for length, name in sorted(rows, reverse=True)[:5]:
            print(f"  {length:4d}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

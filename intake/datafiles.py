"""Read and validate the YAML data files: the flow, keywords, vocabulary, profiles, the risk matrix, pattern files.

Every file goes through `load`: a safe loader that also refuses a key written twice
(plain YAML lets the last one win), then a pydantic model. Any fault is a ConfigError
that names the file and the field, so a bad file stops start-up where it can be mended.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from intake.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
M = TypeVar("M", bound=BaseModel)


# libyaml's parser where PyYAML was built with it: the pattern files alone are some 60 files,
# and the pure-Python parser spends a second of every start on them.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """A safe loader (it builds no objects) that refuses repeated keys."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"{key!r} appears twice", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def shown(path: Path) -> str:
    """A path as an operator finds it: relative to the checkout when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def read(path: Path) -> Any:
    """The YAML document in `path`, or ConfigError naming the file and the line."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{shown(path)}: the file is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{shown(path)}: cannot be read as UTF-8 text ({exc})") from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise ConfigError(f"{shown(path)}: {where}{problem}") from None


def load(path: Path, model: type[M]) -> M:
    """Read `path` and validate it as `model`, raising ConfigError that names every faulty field."""
    return validate(path, read(path), model)


def validate(path: Path, data: Any, model: type[M]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("\n".join(f"{shown(path)}: {describe(e, model)}" for e in exc.errors())) from None


def where(loc: Sequence[str | int]) -> str:
    """Turn pydantic's ('signposting', 0, 'phone') into 'signposting[0].phone', as a reader finds it in YAML."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def describe(error: Any, model: type[BaseModel]) -> str:
    """One validation error as a line: the field, what is wrong, and the value when it is short."""
    loc, kind, value = error["loc"], error["type"], error.get("input")
    if kind == "extra_forbidden":
        message = f"{loc[-1]!r} is not a field here"
        close = _close_field(model, loc)
        return f"{where(loc)}: {message}" + (f"; did you mean {close!r}?" if close else "")
    if kind == "missing":
        return f"{where(loc)}: is required"
    message = error["msg"].removeprefix("Value error, ")
    if kind != "value_error" and isinstance(value, str | int | float | bool | type(None)):
        message += f" (got {value!r})"
    return f"{where(loc)}: {message}"


def _close_field(model: type[BaseModel], loc: Sequence[str | int]) -> str | None:
    import difflib

    found: type[BaseModel] | None = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue  # a list index: the item model was found from the list's field
        field = found.model_fields.get(str(part)) if found is not None else None
        found = _first_model(field.annotation) if field is not None else None
    if found is None:
        return None
    close = difflib.get_close_matches(str(loc[-1]), found.model_fields, n=1)
    return close[0] if close else None


def _first_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _first_model(arg)
        if found is not None:
            return found
    return None

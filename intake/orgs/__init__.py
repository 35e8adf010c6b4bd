"""Load landlord profiles: one YAML file of policy facts per landlord, checked at start-up."""

from __future__ import annotations

import difflib
import typing
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from intake.errors import ConfigError
from intake.orgs.schema import Profile

__all__ = ["ORGS_DIR", "Profile", "load_profile", "load_profiles", "profile_for_sms_number"]

ORGS_DIR = Path(__file__).parent
_REPO_ROOT = ORGS_DIR.parent.parent


def load_profile(path: Path) -> Profile:
    """Load one profile, raising ConfigError that names the file and field on any fault."""
    path = Path(path)
    shown = _shown(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot be read: {exc.strerror or exc}") from exc
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader: builds no objects
    except yaml.YAMLError as exc:
        raise ConfigError(f"{shown}: {_yaml_problem(exc)}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{shown}: expected a mapping of profile fields at the top level")

    problems: list[str] = []
    slug = data.get("slug")
    # The file name is how operators find a landlord's facts; a slug that differs
    # would send one landlord's reports under another's name.
    if isinstance(slug, str) and slug != path.stem:
        problems.append(f"slug: {slug!r} does not match the file name {path.stem!r}")
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(error) for error in exc.errors()] + problems
    if problems:
        raise ConfigError("\n".join(f"{shown}: {problem}" for problem in problems))
    return profile


def load_profiles(directory: Path | None = None) -> dict[str, Profile]:
    """Load every *.yaml profile in `directory` (intake/orgs by default), keyed by slug."""
    if directory is None:
        return dict(_default_profiles())  # a copy, so no caller can edit the cached set
    return _load_directory(Path(directory))


def profile_for_sms_number(profiles: Mapping[str, Profile], number: str) -> Profile | None:
    """Return the profile whose SMS channel owns `number` (E.164), or None."""
    wanted = "".join(number.split())
    for profile in profiles.values():
        sms = profile.channels.sms
        if sms is not None and wanted in sms.numbers:
            return profile
    return None


@cache
def _default_profiles() -> dict[str, Profile]:
    return _load_directory(ORGS_DIR)


def _load_directory(directory: Path) -> dict[str, Profile]:
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise ConfigError(f"{_shown(directory)}: no landlord profiles (*.yaml) found")
    profiles = {path.stem: load_profile(path) for path in paths}

    # Facts that must not be shared between landlords: an inbound SMS is routed by
    # the number it was sent to, and case references are read over the phone.
    owners: dict[tuple[str, str], str] = {}
    for slug, profile in profiles.items():
        claims = [("reference_prefix", profile.reference_prefix)]
        if profile.channels.sms is not None:
            claims += [("channels.sms.numbers", n) for n in profile.channels.sms.numbers]
        for field, value in claims:
            other = owners.setdefault((field, value), slug)
            if other != slug:
                raise ConfigError(
                    f"{_shown(directory / f'{slug}.yaml')}: {field}: {value!r} "
                    f"is already used by {_shown(directory / f'{other}.yaml')}"
                )
    return profiles


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses repeated keys, which plain YAML lets the last one win."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"{key!r} appears twice", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(_REPO_ROOT))
    except ValueError:
        return str(path)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    return f"line {mark.line + 1}: {problem}" if mark is not None else problem


def _where(loc: tuple) -> str:
    """Turn pydantic's ('signposting', 0, 'phone') into 'signposting[0].phone'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _describe(error: dict) -> str:
    loc, kind, value = error["loc"], error["type"], error.get("input")
    if kind == "extra_forbidden":
        message = f"{loc[-1]!r} is not a field here"
        model = _model_at(loc[:-1])
        if model is not None:
            close = difflib.get_close_matches(str(loc[-1]), model.model_fields, n=1)
            message += f"; did you mean {close[0]!r}?" if close else ""
        return f"{_where(loc)}: {message}"
    if kind == "missing":
        return f"{_where(loc)}: is required"
    message = error["msg"].removeprefix("Value error, ")
    if kind != "value_error" and isinstance(value, (str, int, float, bool, type(None))):
        message += f" (got {value!r})"
    return f"{_where(loc)}: {message}"


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """Find the model whose fields sit at `loc`, to suggest a name for a misspelt key."""
    model: type[BaseModel] | None = Profile
    for part in loc:
        if isinstance(part, int):
            continue  # a list index: the item model was already found from the list's field
        field = model.model_fields.get(part) if model is not None else None
        model = _first_model(field.annotation) if field is not None else None
    return model


def _first_model(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _first_model(arg)
        if found is not None:
            return found
    return None

"""Load landlord profiles: one YAML file of policy facts per landlord, checked at start-up.

A profile's `channels` section holds one entry per door, which the door itself checks
(channels/base.py): the core knows no door's settings.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from intake import datafiles
from intake.errors import ConfigError
from intake.orgs.schema import Profile

__all__ = ["ORGS_DIR", "Profile", "load_profile", "load_profiles", "source_of"]

ORGS_DIR = Path(__file__).parent


def load_profile(path: Path) -> Profile:
    """Load one profile, raising ConfigError that names the file and field on any fault."""
    path = Path(path)
    data = datafiles.read(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{datafiles.shown(path)}: expected a mapping of profile fields at the top level")
    problems: list[str] = []
    slug = data.get("slug")
    # The file name is how operators find a landlord's facts; a slug that differs
    # would send one landlord's reports under another's name.
    if isinstance(slug, str) and slug != path.stem:
        problems.append(f"{datafiles.shown(path)}: slug: {slug!r} does not match the file name {path.stem!r}")
    try:
        profile = datafiles.validate(path, data, Profile)
    except ConfigError as error:
        problems.insert(0, str(error))
    if problems:
        raise ConfigError("\n".join(problems))
    profile._source = path
    return profile


def source_of(profile: Profile) -> str:
    """The profile's file as an operator finds it, for errors that name it."""
    return datafiles.shown(profile._source or ORGS_DIR / f"{profile.slug}.yaml")


def load_profiles(directory: Path | None = None) -> dict[str, Profile]:
    """Load every *.yaml profile in `directory` (intake/orgs by default), keyed by slug."""
    if directory is None:
        return dict(_default_profiles())  # a copy, so no caller can edit the cached set
    return _load_directory(Path(directory))


@cache
def _default_profiles() -> dict[str, Profile]:
    return _load_directory(ORGS_DIR)


def _load_directory(directory: Path) -> dict[str, Profile]:
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise ConfigError(f"{datafiles.shown(directory)}: no landlord profiles (*.yaml) found")
    profiles = {path.stem: load_profile(path) for path in paths}
    # Case references are read over the phone: no two landlords may share a prefix.
    owners: dict[str, str] = {}
    for slug, profile in profiles.items():
        other = owners.setdefault(profile.reference_prefix, slug)
        if other != slug:
            raise ConfigError(
                f"{source_of(profile)}: reference_prefix: {profile.reference_prefix!r} is already used by {source_of(profiles[other])}"
            )
    return profiles

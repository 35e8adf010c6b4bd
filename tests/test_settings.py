"""Settings come from the environment, with working defaults and loud failures."""

from __future__ import annotations

import pytest

from intake.errors import ConfigError
from intake.settings import Settings


def test_with_no_environment_it_runs_on_sqlite_under_the_instance_folder_with_a_kept_secret(tmp_path):
    env = {"INTAKE_INSTANCE_PATH": str(tmp_path)}
    first = Settings.from_env(env)
    assert first.database_url == f"sqlite:///{tmp_path / 'intake.db'}"
    assert len(first.secret_key) == 64
    assert Settings.from_env(env).secret_key == first.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_a_public_url_without_a_scheme_fails_naming_the_variable(tmp_path):
    with pytest.raises(ConfigError, match="INTAKE_PUBLIC_URL"):
        Settings.from_env({"INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_PUBLIC_URL": "report.example.org"})


def test_team_addresses_are_read_per_landlord(tmp_path):
    settings = Settings.from_env({"INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_TEAM_EMAIL_WCHG": "asb@wchg.example"})
    assert settings.team_emails == {"wchg": "asb@wchg.example"}

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


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("INTAKE_WEB_POSTS_PER_MINUTE", "lots", "INTAKE_WEB_POSTS_PER_MINUTE: Input should be a valid integer"),
        ("INTAKE_WEB_POSTS_PER_MINUTE", "0", "INTAKE_WEB_POSTS_PER_MINUTE: Input should be greater than 0"),
        ("TWILIO_TIMEOUT_SECONDS", "ten", "TWILIO_TIMEOUT_SECONDS: Input should be a valid number"),
        ("TELEGRAM_API_BASE", "api.telegram.org", "TELEGRAM_API_BASE: expected an address starting with http"),
        ("INTAKE_WEB_EXIT_URL", "bbc.co.uk", "INTAKE_WEB_EXIT_URL: expected an address starting with http"),
        ("INTAKE_SMTP_PORT", "twenty-five", "INTAKE_SMTP_PORT: Input should be a valid integer"),
        ("INTAKE_TRUSTED_PROXIES", "-1", "INTAKE_TRUSTED_PROXIES: Input should be greater than or equal to 0"),
        ("INTAKE_OUTBOX_RECHECK_SECONDS", "soon", "INTAKE_OUTBOX_RECHECK_SECONDS: Input should be a valid number"),
        (
            "INTAKE_WEB_POSTS_PER_MINUTE_PER_ADDRESS",
            "0",
            "INTAKE_WEB_POSTS_PER_MINUTE_PER_ADDRESS: Input should be greater than 0",
        ),
    ],
)
def test_a_bad_value_for_any_door_stops_start_up_naming_the_variable_and_what_it_expected(tmp_path, variable, value, expected):
    from flask_app import create_app

    with pytest.raises(ConfigError) as caught:
        create_app({"INTAKE_INSTANCE_PATH": str(tmp_path), variable: value})
    assert expected in str(caught.value) and repr(value) in str(caught.value)


def test_a_secret_in_a_bad_setting_is_never_repeated(tmp_path):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_SMTP_USER": "intake", "INTAKE_SMTP_PASSWORD": ""})
    assert "INTAKE_SMTP_PASSWORD" in str(caught.value)


def test_the_command_line_says_which_variable_is_wrong(tmp_path, capsys, monkeypatch):
    import cli

    monkeypatch.setenv("INTAKE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TWILIO_TIMEOUT_SECONDS", "ten")
    assert cli.main(["cases", "list", "--json"]) == 2
    assert "TWILIO_TIMEOUT_SECONDS" in capsys.readouterr().err


def test_a_per_address_limit_below_the_per_session_one_stops_start_up_naming_both(tmp_path):
    from flask_app import create_app

    with pytest.raises(ConfigError) as caught:
        create_app({"INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_WEB_POSTS_PER_MINUTE": "30",
                    "INTAKE_WEB_POSTS_PER_MINUTE_PER_ADDRESS": "10"})  # fmt: skip
    assert "INTAKE_WEB_POSTS_PER_MINUTE_PER_ADDRESS: must be at least INTAKE_WEB_POSTS_PER_MINUTE (30)" in str(caught.value)


def test_a_ratelimit_store_of_no_known_kind_fails_naming_the_variable_but_never_its_password(tmp_path):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(
            {"INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_RATELIMIT_STORAGE_URI": "reddis://:hunter2@cache:6379/0"}
        )
    assert "INTAKE_RATELIMIT_STORAGE_URI: expected a storage address such as memory://" in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_the_edge_settings_have_defaults_for_one_process_with_no_proxy(tmp_path):
    settings = Settings.from_env({"INTAKE_INSTANCE_PATH": str(tmp_path)})
    assert (settings.ratelimit_storage_uri, settings.trusted_proxies, settings.outbox_recheck_seconds) == ("memory://", 0, 60.0)
    assert "memory" not in repr(settings)  # a store's address may hold its password

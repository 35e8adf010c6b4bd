"""Typed settings from the environment, failing loudly on bad values."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from intake.errors import ConfigError
from intake.notify import EmailSettings

DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    secret_key: str
    public_url: str
    email: EmailSettings
    team_emails: Mapping[str, str] = field(default_factory=dict)
    environ: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        instance = Path(env.get("INTAKE_INSTANCE_PATH") or Path.cwd() / "instance").resolve()
        public_url = env.get("INTAKE_PUBLIC_URL") or DEFAULT_PUBLIC_URL
        if not public_url.startswith(("http://", "https://")):
            raise ConfigError(f"INTAKE_PUBLIC_URL: {public_url!r} must start with http:// or https://")
        teams = {
            key.removeprefix("INTAKE_TEAM_EMAIL_").lower(): value
            for key, value in env.items()
            if key.startswith("INTAKE_TEAM_EMAIL_") and value
        }
        return cls(
            instance_path=instance,
            database_url=env.get("INTAKE_DATABASE_URL") or f"sqlite:///{instance / 'intake.db'}",
            secret_key=env.get("INTAKE_SECRET_KEY") or _local_secret(instance),
            public_url=public_url.rstrip("/"),
            email=EmailSettings.from_env(env),
            team_emails=teams,
            environ=env,
        )

    @property
    def mail_dir(self) -> Path:
        return self.instance_path / "mail"

    @property
    def uploads_dir(self) -> Path:
        return self.instance_path / "uploads"


def _local_secret(instance: Path) -> str:
    # With no INTAKE_SECRET_KEY, a machine keeps its own random key, so keyed hashes
    # of senders stay stable across restarts without anyone having to set one.
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key

"""The core's settings from the environment (INTAKE_*), typed, failing loudly on bad values.

Each door reads its own settings model from the same variables (`Settings.part`).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import Field, PrivateAttr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from intake.config import EnvironSettings, WebAddress, from_environ, suffixed
from intake.notify import EmailSettings
from intake.store import crypto

DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"
P = TypeVar("P", bound=EnvironSettings)


class Settings(EnvironSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_")

    instance_path: Path = Field(default_factory=lambda: Path.cwd() / "instance")
    database_url: str = ""
    secret_key: str = Field(default="", repr=False)
    # Fernet keys, comma-separated: the first encrypts, all decrypt. Generated under instance/ on SQLite only.
    data_keys: str = Field(default="", repr=False)
    public_url: WebAddress = DEFAULT_PUBLIC_URL
    email: EmailSettings = Field(default_factory=lambda: EmailSettings(host=None))
    team_emails: dict[str, str] = Field(default_factory=dict)
    # With it, /metrics needs it as a bearer token; without it, /metrics answers only to loopback.
    metrics_token: str = Field(default="", repr=False)
    # Where the web form's rate limits are counted: memory:// keeps them in this process (one `intake run`);
    # several app processes or hosts share one store, e.g. redis://127.0.0.1:6379/0.
    # It may carry the store's password, so it is never shown.
    ratelimit_storage_uri: str = Field(default="memory://", repr=False)
    # How many reverse proxies in front of the app to trust for X-Forwarded-For and X-Forwarded-Proto.
    # 0 (no proxy): the connecting address is the client's. Trusting more hops than there are lets a client choose its address.
    trusted_proxies: int = Field(default=0, ge=0, le=10)
    # How long a send whose outcome is unknown waits before it is looked up (SMS) or tried once more (Telegram).
    outbox_recheck_seconds: float = Field(default=60.0, ge=0, le=3600)
    # prometheus-client's own variable: where several worker processes keep their counts for one scrape to add up.
    prometheus_multiproc_dir: Path | None = Field(default=None, validation_alias="PROMETHEUS_MULTIPROC_DIR")
    # Every variable, for each door to read its own settings from.
    environ: dict[str, str] = Field(default_factory=dict, repr=False)
    _parts: dict[type, Any] = PrivateAttr(default_factory=dict)
    _local_data_key: bool = PrivateAttr(default=False)
    _keyring: crypto.DataKeys | None = PrivateAttr(default=None)

    @field_validator("ratelimit_storage_uri")
    @classmethod
    def _storage_uri(cls, value: str) -> str:
        from limits.storage import SCHEMES

        scheme = value.partition("://")[0]
        known = sorted(s for s in SCHEMES if not s.startswith("async+"))
        if "://" not in value or scheme not in known:
            raise ValueError(f"expected a storage address such as memory:// or redis://host:6379/0 (schemes: {', '.join(known)})")
        return value

    @field_validator("data_keys")
    @classmethod
    def _data_keys(cls, value: str) -> str:
        return ",".join(crypto.parse_keys(value)) if value.strip() else ""

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        instance = Path(self.instance_path).resolve()
        object.__setattr__(self, "instance_path", instance)
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{instance / 'intake.db'}")
        if not self.secret_key:
            object.__setattr__(self, "secret_key", _local_secret(instance))
        on_sqlite = self.database_url.startswith("sqlite")
        local = crypto.local_key(instance, create=not self.data_keys and on_sqlite)
        if not on_sqlite and (not self.data_keys or self.data_keys.split(",")[0] == local):
            raise ValueError(
                "INTAKE_DATA_KEYS: is required on a database other than SQLite, and may not be the key generated under "
                f"{instance}: a key kept beside the data protects nothing. Make one with `intake keys new`, keep it in "
                "your secret store, apart from the database and its backups, and set INTAKE_DATA_KEYS to it"
            )
        if not self.data_keys:
            object.__setattr__(self, "data_keys", local)
            self._local_data_key = True
        return self

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        return from_environ(
            cls, env, email=EmailSettings.from_env(env), team_emails=suffixed(env, "INTAKE_TEAM_EMAIL_"), environ=env
        )

    @property
    def keys(self) -> crypto.DataKeys:
        """The data keys encrypted values and files are kept under, with the secret key for lookup hashes."""
        if self._keyring is None:
            keys = crypto.parse_keys(self.data_keys)
            self._keyring = crypto.DataKeys(keys, self.secret_key, local=self._local_data_key)
        return self._keyring

    def part(self, model: type[P]) -> P:
        """A door's own settings model, read from the same variables once."""
        if model not in self._parts:
            self._parts[model] = from_environ(model, self.environ)
        return self._parts[model]

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

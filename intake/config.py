"""Typed settings from environment variables: pydantic-settings models read from one mapping of variables.

Every settings model (the core's and each door's) subclasses `EnvironSettings` and is
built with `from_environ`, from the process environment or from a test's own mapping.
A bad or missing value is a ConfigError naming the variable and what it expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, ValidationError
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings.sources.utils import parse_env_vars

from intake.errors import ConfigError

S = TypeVar("S", bound="EnvironSettings")
# Values too secret to repeat in an error message (so are those of fields declared with repr=False).
_SECRET_WORDS = ("token", "password", "secret", "key")


def _web_address(value: str) -> str:
    value = value.strip().rstrip("/")
    if not value.startswith(("http://", "https://")) or " " in value:
        raise ValueError("expected an address starting with http:// or https://")
    return value


WebAddress = Annotated[str, AfterValidator(_web_address)]


class EnvironSettings(BaseSettings):
    """A settings model read only from the mapping given to `from_environ`."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True, env_ignore_empty=True, populate_by_name=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)

    @classmethod
    def read_also(cls, variables: Mapping[str, str]) -> dict[str, Any]:
        """Fields read from variables whose names no field can give ahead, such as a landlord's own (..._WCHG)."""
        return {}


class _Variables(EnvSettingsSource):
    """pydantic-settings' own environment source, over a given mapping instead of os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]):
        self._environ = dict(environ)
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str)


def variable(model: type[BaseSettings], field: str) -> str:
    """The environment variable a field of `model` is read from."""
    info = model.model_fields[field]
    alias = info.validation_alias
    if isinstance(alias, str):
        return alias
    return f"{model.model_config.get('env_prefix', '')}{field}".upper()


def from_environ(model: type[S], variables: Mapping[str, str], **values: Any) -> S:
    """Build `model` from these variables (`values` are fields given directly, not read from them)."""
    try:
        read = _Variables(model, variables)()
        return model(**{**read, **model.read_also(variables), **values})
    except ValidationError as error:
        raise ConfigError("\n".join(_problem(model, e) for e in error.errors())) from None
    except ValueError as error:  # a variable pydantic-settings could not even decode (bad JSON for a list)
        raise ConfigError(str(error)) from None


def _problem(model: type[BaseSettings], error: Any) -> str:
    loc = error["loc"]
    field = str(loc[0]) if loc else ""
    aliases = {info.validation_alias: name for name, info in model.model_fields.items() if isinstance(info.validation_alias, str)}
    field = aliases.get(field, field)
    message = error["msg"].removeprefix("Value error, ")
    if field not in model.model_fields:
        return message  # a rule across fields: its message names the variables
    value = error.get("input")
    name = variable(model, field)
    if error["type"] == "missing":
        return f"{name}: is required"
    secret = not model.model_fields[field].repr or any(word in name.lower() for word in _SECRET_WORDS)
    if isinstance(value, str) and not secret:
        message += f", got {value!r}"
    return f"{name}: {message}"


def suffixed(environ: Mapping[str, str], prefix: str) -> dict[str, str]:
    """Variables named PREFIX<SUFFIX> (a landlord's own, such as INTAKE_TEAM_EMAIL_WCHG), by lower-case suffix."""
    return {key.removeprefix(prefix).lower(): value for key, value in environ.items() if key.startswith(prefix) and value}

"""Field-level encryption: the data keys, column types that encrypt what they store, and keyed lookup hashes.

`INTAKE_DATA_KEYS` is a comma-separated list of Fernet keys. The first encrypts; every
key decrypts, so a new key can go first while values written under the old ones are
re-encrypted (`intake keys rotate`). An engine is bound to its keys (`bind`); the
column types find them through the dialect they are handed, so two databases in one
process (the tests, a migration from one to another) each use their own.

An encrypted column cannot be searched: a query that needs to find rows by such a
value compares a keyed hash of it (`DataKeys.lookup`) kept in a column of its own.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Engine, Text, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import BindParameter, ClauseElement, Null

# A Fernet token is url-safe base64 of a version byte 0x80 and a timestamp: it always begins so.
TOKEN_PREFIX = b"gAAAAA"
LOCAL_KEY_FILE = "data_key"


class KeysMissing(RuntimeError):
    """An encrypted value was read or written on an engine bound to no data keys."""


class UnreadableValue(RuntimeError):
    """A stored value no data key opens: the key that wrote it is not in INTAKE_DATA_KEYS."""


def new_key() -> str:
    """A fresh random Fernet key, url-safe base64, for INTAKE_DATA_KEYS."""
    return Fernet.generate_key().decode("ascii")


def parse_keys(value: str) -> tuple[str, ...]:
    """The keys in a comma-separated INTAKE_DATA_KEYS value; ValueError saying which entry is wrong (never its value)."""
    keys = tuple(part.strip() for part in value.split(","))
    if not any(keys):
        raise ValueError("expected one or more Fernet keys separated by commas")
    for position, key in enumerate(keys, start=1):
        if not _is_fernet_key(key):
            raise ValueError(
                f"entry {position} of {len(keys)} is not a Fernet key (32 bytes in url-safe base64, as `intake keys new` prints)"
            )
    if len(set(keys)) != len(keys):
        raise ValueError("the same key is listed twice")
    return keys


def _is_fernet_key(key: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32 and len(key) == 44
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return False


def local_key(instance: Path, *, create: bool) -> str | None:
    """The key this machine generated under `instance/` (0600), made now when `create` and missing."""
    path = instance / LOCAL_KEY_FILE
    if path.exists():
        return path.read_text().strip()
    if not create:
        return None
    instance.mkdir(parents=True, exist_ok=True)
    key = new_key()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process of this instance made it first: use theirs
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key


class DataKeys:
    """The data keys: encrypt under the first, decrypt under any; and a keyed hash for lookups."""

    def __init__(self, keys: Sequence[str], lookup_secret: str, *, local: bool = False):
        if not keys:
            raise ValueError("at least one data key is needed")
        self._first = Fernet(keys[0])
        self._all = MultiFernet([Fernet(key) for key in keys])
        self._lookup = hashlib.sha256(b"intake lookup hash\x00" + lookup_secret.encode()).digest()
        self.count = len(keys)
        # Generated under instance/ by this machine, beside the data: only for SQLite and trying it out.
        self.local = local

    def __repr__(self) -> str:
        return f"DataKeys({self.count} key(s){', local' if self.local else ''})"

    def encrypt(self, data: bytes) -> bytes:
        return self._first.encrypt(data)

    def decrypt(self, token: bytes) -> bytes:
        try:
            return self._all.decrypt(token)
        except InvalidToken:
            raise UnreadableValue("a stored value opens with none of INTAKE_DATA_KEYS: is a key missing?") from None

    def is_current(self, token: bytes) -> bool:
        """Whether the first key wrote this token (so rotating it would change nothing)."""
        try:
            self._first.decrypt(token)
        except InvalidToken:
            return False
        return True

    def rotate(self, token: bytes) -> bytes:
        """The same value, encrypted under the first key."""
        try:
            return self._all.rotate(token)
        except InvalidToken:
            raise UnreadableValue("a stored value opens with none of INTAKE_DATA_KEYS: is a key missing?") from None

    def lookup(self, purpose: str, value: str) -> str:
        """A keyed hash of `value`, for finding rows by a value kept encrypted; stable across data-key rotations."""
        return hmac.new(self._lookup, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def is_token(data: bytes) -> bool:
    return data.startswith(TOKEN_PREFIX)


# ---- which keys an engine uses -------------------------------------------------------------------
_BOUND: WeakKeyDictionary[Dialect, DataKeys] = WeakKeyDictionary()


def bind(engine: Engine, keys: DataKeys) -> None:
    """Encrypt and decrypt every encrypted column read or written through `engine` with `keys`."""
    _BOUND[engine.dialect] = keys


def keys_for(dialect: Dialect) -> DataKeys:
    keys = _BOUND.get(dialect)
    if keys is None:
        raise KeysMissing("this database was opened without data keys (Store(url, keys=...)): encrypted values cannot be used")
    return keys


# ---- column types ------------------------------------------------------------------------------
class _Opaque(TypeDecorator.Comparator):  # type: ignore[name-defined]
    """No searching by value: the same value encrypts differently each time, so a WHERE on it would find nothing.

    NULL tests and comparisons with other columns (which the ORM makes internally) still work.
    """

    def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
        if any(_is_value(o) for o in other):
            raise TypeError(f"{self.expr} is encrypted and cannot be compared or searched: compare a lookup hash of it instead")
        return super().operate(op, *other, **kwargs)

    def reverse_operate(self, op: Any, other: Any, **kwargs: Any) -> Any:
        if _is_value(other):
            raise TypeError(f"{self.expr} is encrypted and cannot be compared or searched: compare a lookup hash of it instead")
        return super().reverse_operate(op, other, **kwargs)


def _is_value(other: Any) -> bool:
    if other is None or isinstance(other, Null):
        return False
    return isinstance(other, BindParameter) or not isinstance(other, ClauseElement)


class Encrypted(TypeDecorator):
    """Base of the encrypted column types: stored as a Fernet token in a text column; None stays NULL."""

    impl = Text
    cache_ok = True
    comparator_factory = _Opaque

    def encode(self, value: Any) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:
        raise NotImplementedError

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return keys_for(dialect).encrypt(self.encode(value)).decode("ascii")

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return self.decode(keys_for(dialect).decrypt(value.encode("ascii")))


class EncryptedText(Encrypted):
    """A string, encrypted at rest."""

    cache_ok = True  # not inherited: SQLAlchemy asks each type class

    def encode(self, value: Any) -> bytes:
        if not isinstance(value, str):
            raise TypeError(f"EncryptedText takes a str, not {type(value).__name__}")
        return value.encode("utf-8")

    def decode(self, data: bytes) -> str:
        return data.decode("utf-8")


class EncryptedJSON(Encrypted):
    """Any JSON value (dicts, lists), encrypted at rest. As with JSON, reassign it to save a change: mutation is not tracked."""

    cache_ok = True

    def encode(self, value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def decode(self, data: bytes) -> Any:
        return json.loads(data)


# ---- files -------------------------------------------------------------------------------------
def write_file(path: Path, data: bytes, keys: DataKeys) -> None:
    """Write `data` encrypted, readable by this service's user only, whole or not at all."""
    replace_file(path, keys.encrypt(data))


def replace_file(path: Path, content: bytes) -> None:
    """Put `content` at `path` in one step (a reader sees the old file or the new, never half), mode 0600."""
    temporary = path.with_suffix(path.suffix + ".part")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    os.replace(temporary, path)


def read_file(path: Path, keys: DataKeys) -> bytes:
    """A file written by `write_file`, decrypted."""
    return keys.decrypt(path.read_bytes())

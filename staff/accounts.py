"""Staff accounts: add, list, disable; passwords (argon2id), time-based codes, lockouts and sessions.

Everything is kept in the database, so several processes (and several hosts) agree on
who is locked out and which sessions are live.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from intake.store.models import StaffAccountRow, StaffSessionRow

ROLES = ("officer", "team_leader", "admin")
Role = Literal["officer", "team_leader", "admin"]
MIN_PASSWORD = 12
FAILURES_ALLOWED = 10
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
IDLE = timedelta(minutes=30)
REAUTH = timedelta(minutes=15)
ISSUER = "Hate incident reports"
# A code from the step before or after is accepted, for a phone clock a little out.
CLOCK_DRIFT_STEPS = 1

_hasher = PasswordHasher()  # argon2id, with argon2-cffi's current recommended parameters
# Verified when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A request the account rules refuse; the message is safe to print."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")


def add(session: Session, *, org: str, email: str, name: str, role: str, password: str, at: datetime) -> StaffAccountRow:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError("that is not an email address")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if not name.strip():
        raise AccountError("a name is needed")
    check_password_rules(password)
    if session.scalar(select(StaffAccountRow.id).where(StaffAccountRow.email == email)) is not None:
        raise AccountError("an account with that email already exists")
    account = StaffAccountRow(
        org=org,
        email=email,
        name=name.strip(),
        role=role,
        password_hash=_hasher.hash(password),
        disabled=False,
        failed_count=0,
        created_at=at,
        password_changed_at=at,
    )
    session.add(account)
    session.flush()
    return account


def find(session: Session, email: str) -> StaffAccountRow | None:
    return session.scalar(select(StaffAccountRow).where(StaffAccountRow.email == normalise_email(email)))


def listed(session: Session, org: str) -> list[StaffAccountRow]:
    return list(
        session.scalars(select(StaffAccountRow).where(StaffAccountRow.org == org).order_by(func.lower(StaffAccountRow.name)))
    )


def describe(account: StaffAccountRow) -> dict:
    return {
        "email": account.email,
        "org": account.org,
        "name": account.name,
        "role": account.role,
        "disabled": account.disabled,
        "locked_until": account.locked_until.isoformat() if account.locked_until else None,
        "enrolment": "done" if account.totp_enrolled_at else "pending",
    }


def disable(session: Session, account: StaffAccountRow, at: datetime) -> None:
    account.disabled = True
    end_sessions(session, account, at)


# ---- passwords and lockout ---------------------------------------------------------------------
def locked(account: StaffAccountRow, at: datetime) -> bool:
    return account.locked_until is not None and account.locked_until > at


def note_failure(account: StaffAccountRow, at: datetime) -> bool:
    """Count a failed password or code; True when this failure locked the account."""
    if account.failed_since is None or at - account.failed_since > FAILURE_WINDOW:
        account.failed_since, account.failed_count = at, 0
    account.failed_count += 1
    if account.failed_count >= FAILURES_ALLOWED:
        account.locked_until, account.failed_count, account.failed_since = at + LOCKOUT, 0, None
        return True
    return False


def password_matches(account: StaffAccountRow | None, password: str) -> bool:
    if account is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return False
    try:
        _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    return True


def change_password(session: Session, account: StaffAccountRow, new: str, at: datetime, keep: StaffSessionRow | None) -> None:
    """Set a new password and end every other session of the account."""
    check_password_rules(new)
    account.password_hash, account.password_changed_at = _hasher.hash(new), at
    end_sessions(session, account, at, keep=keep)


# ---- time-based codes --------------------------------------------------------------------------
def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(account: StaffAccountRow, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account.email, issuer_name=ISSUER)


def code_step(secret: str, code: str, at: datetime) -> int | None:
    """The time step `code` belongs to, near `at`, or None when it is no code of this key."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(at)
    for step in range(now_step - CLOCK_DRIFT_STEPS, now_step + CLOCK_DRIFT_STEPS + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def accept_code(account: StaffAccountRow, secret: str, code: str, at: datetime) -> bool:
    """True for a fresh code; a code (or an earlier one) already used is refused, so a code seen over a shoulder is spent."""
    step = code_step(secret, code, at)
    if step is None or (account.totp_last_step is not None and step <= account.totp_last_step):
        return False
    account.totp_last_step = step
    return True


def enrol(account: StaffAccountRow, secret: str, code: str, at: datetime) -> bool:
    if not accept_code(account, secret, code, at):
        return False
    account.totp_secret, account.totp_enrolled_at = secret, at
    return True


def reset_authenticator(session: Session, account: StaffAccountRow, at: datetime) -> None:
    """Forget the authenticator: the next sign-in enrols a new one."""
    account.totp_secret, account.totp_enrolled_at, account.totp_last_step = None, None, None
    end_sessions(session, account, at)


# ---- sessions ----------------------------------------------------------------------------------
def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Started:
    token: str
    row: StaffSessionRow


def start_session(session: Session, account: StaffAccountRow, at: datetime) -> Started:
    token = secrets.token_urlsafe(32)
    row = StaffSessionRow(token_hash=_hash(token), account=account, created_at=at, last_seen_at=at, reauth_at=at)
    session.add(row)
    account.failed_count, account.failed_since = 0, None
    session.flush()
    return Started(token, row)


def live_session(session: Session, token: str | None, at: datetime) -> StaffSessionRow | None:
    """The session for `token` if it is live, touched now; an idle, ended or disabled one is ended and gives None."""
    if not token:
        return None
    # The account with it, in the same query: every console request asks whether it is disabled.
    found = select(StaffSessionRow).options(joinedload(StaffSessionRow.account))
    row = session.scalar(found.where(StaffSessionRow.token_hash == _hash(token)))
    if row is None or row.ended_at is not None:
        return None
    if at - row.last_seen_at > IDLE or row.account.disabled:
        row.ended_at = at
        return None
    row.last_seen_at = at
    return row


def end_sessions(session: Session, account: StaffAccountRow, at: datetime, keep: StaffSessionRow | None = None) -> None:
    rows = session.scalars(
        select(StaffSessionRow).where(StaffSessionRow.account_id == account.id, StaffSessionRow.ended_at.is_(None))
    )
    for row in rows:
        if keep is None or row.id != keep.id:
            row.ended_at = at


def recently_confirmed(row: StaffSessionRow, at: datetime) -> bool:
    """Whether the password was given in the last 15 minutes (downloads ask again after that)."""
    return row.reauth_at is not None and at - row.reauth_at <= REAUTH

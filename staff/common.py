"""What every console route shares: the time, the core, one transaction, and a line in the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import current_app, g, request
from sqlalchemy.orm import Session

from intake import audit
from intake.pipeline import Intake


def now() -> datetime:
    return datetime.now(UTC)


def intake() -> Intake:
    return current_app.extensions["intake"]


@contextmanager
def db_session() -> Iterator[Session]:
    with intake().store.transaction() as db:
        yield db


def audit_line(db: Session, action: str, **kwargs: Any) -> None:
    """Who did `action`, to what, when and from where; the signed-in account unless `account_id` says who tried."""
    user = g.get("staff")
    org = kwargs.pop("org", None) or (user.account.org if user else "")
    audit.record(db, org=org, action=action, at=now(), account_id=user.account.id if user else kwargs.pop("account_id", None),
                 address=request.remote_addr, **kwargs)  # fmt: skip

"""The audit log: every look and change by staff, appended, never edited (the database refuses it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.store.models import AuditRow

# What staff can do that is written down. Views and searches count as much as changes.
ACTIONS = frozenset(
    {
        "signed_in",
        "sign_in_failed",
        "signed_out",
        "locked_out",
        "enrolled",
        "password_changed",
        "authenticator_reset",
        "account_added",
        "account_disabled",
        "viewed_queue",
        "searched",
        "viewed_case",
        "downloaded",
        "exported",
        "changed_case",
        "viewed_audit",
        "viewed_reports",
        "viewed_accounts",
        "recorded_report",
        "started_report",
        "erased",
    }
)


def record(
    session: Session,
    *,
    org: str,
    action: str,
    at: datetime,
    account_id: int | None = None,
    case_id: int | None = None,
    address: str | None = None,
    **detail: Any,
) -> AuditRow:
    """Append one line, in the caller's transaction, so what was done and its record commit together."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    row = AuditRow(org=org, action=action, at=at, account_id=account_id, case_id=case_id, address=address, detail=detail)
    session.add(row)
    return row


def lines(
    session: Session,
    org: str,
    *,
    account_id: int | None = None,
    case_id: int | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> Sequence[AuditRow]:
    """One landlord's lines, newest first, optionally for one person or one case; `before_id` pages on."""
    query = select(AuditRow).where(AuditRow.org == org)
    if account_id is not None:
        query = query.where(AuditRow.account_id == account_id)
    if case_id is not None:
        query = query.where(AuditRow.case_id == case_id)
    if before_id is not None:
        query = query.where(AuditRow.id < before_id)
    return session.scalars(query.order_by(AuditRow.id.desc()).limit(limit)).all()

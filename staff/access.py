"""Who may do what, and the one way a staff route reaches a case: through the signed-in account's landlord.

Access fails closed: every route names its permission (a test enumerates them), another
landlord's case is 404 as if it did not exist, and a role without the permission gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import abort, g, redirect, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.store.models import AttachmentRow, CaseRow, StaffAccountRow, StaffSessionRow

# permission -> the roles that hold it
PERMISSIONS: dict[str, frozenset[str]] = {
    "work": frozenset({"officer", "team_leader", "admin"}),
    "assign": frozenset({"team_leader", "admin"}),
    "audit": frozenset({"team_leader", "admin"}),
    "reports": frozenset({"team_leader", "admin"}),
    "accounts": frozenset({"admin"}),
}
PUBLIC = "public"  # the sign-in pages, which a signed-out browser must reach


@dataclass
class SignedIn:
    account: StaffAccountRow
    session: StaffSessionRow
    token: str

    # Flask-Login's user protocol: the id it keeps is the session token, so a session ended in
    # the database (sign-out, idle, disabled, password changed) is ended for every process.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return self.token


def may(account: StaffAccountRow, permission: str) -> bool:
    return account.role in PERMISSIONS[permission]


def requires(permission: str) -> Callable:
    """Mark a view with the permission it needs, and enforce it before the view runs."""
    if permission != PUBLIC and permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if permission != PUBLIC:
                user = g.get("staff")
                if user is None:
                    return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
                if not may(user.account, permission):
                    abort(403)
            return view(*args, **kwargs)

        guarded.permission = permission  # type: ignore[attr-defined]
        return guarded

    return decorate


def account() -> StaffAccountRow:
    return g.staff.account


def own_case(db: Session, reference: str) -> CaseRow:
    """The case with `reference` if it is this account's landlord's; 404 for any other, as for none."""
    case = db.scalar(select(CaseRow).where(CaseRow.reference == reference.strip().upper(), CaseRow.org == account().org))
    if case is None:
        abort(404)
    return case


def own_attachment(db: Session, case: CaseRow, attachment_id: int) -> AttachmentRow:
    found = db.scalar(select(AttachmentRow).where(AttachmentRow.id == attachment_id, AttachmentRow.case_id == case.id))
    if found is None:
        abort(404)
    return found


def own_account(db: Session, account_id: int) -> StaffAccountRow:
    found = db.get(StaffAccountRow, account_id)
    if found is None or found.org != account().org:
        abort(404)
    return found

"""The isolation matrix: every console route × role × landlord × (signed in, signed out, disabled).

The routes come from the app's own URL map, so a new route cannot skip the check: each must
name its permission with `requires`, and each is then tried by every kind of visitor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from intake.store.models import StaffAccountRow
from staff.access import PERMISSIONS, PUBLIC
from tests.staff_client import Officer, add_account, attach
from tests.test_staff import make_app, report
from tests.web_client import ANONYMOUS_VICTIM

ROLES = ("officer", "team_leader", "admin")
ORGS = ("mkcc", "wchg")
STATES = ("signed in", "signed out", "disabled")
# One harmless value for each part of a route: the action forms get an empty form, so they are refused as
# incomplete (400) by whoever may use them, and change nothing that a later cell depends on.
ACTIONS = {"staff.case_action": "note", "staff.account_action": "reset"}


@dataclass
class Target:
    reference: str
    attachment_id: int
    account_id: int


@pytest.fixture(scope="module")
def world(tmp_path_factory, module_database_url):
    folder = tmp_path_factory.mktemp("staff-access")
    app = make_app(folder, module_database_url)
    targets = {}
    for org in ORGS:
        reference = report(app, ANONYMOUS_VICTIM, org=org)
        add_account(app, org=org, email=f"target@{org}.example", name="Target Account")
        with app.extensions["intake"].store.transaction() as db:
            account_id = db.scalar(select(StaffAccountRow.id).where(StaffAccountRow.email == f"target@{org}.example"))
        targets[org] = Target(reference, attach(app, reference, b"evidence"), account_id)
    yield app, targets
    app.extensions["intake"].store.dispose()


def routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) for every console route but its static files."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("staff.") and rule.endpoint != "staff.static":
            found += [(rule.endpoint, method, rule.rule) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    # Signing out ends the visitor's session, so it is tried last.
    return sorted(found, key=lambda r: (r[0] == "staff.logout", r))


def url_for_target(rule: str, endpoint: str, target: Target) -> str:
    values = {"reference": target.reference, "attachment_id": target.attachment_id, "account_id": target.account_id,
              "action": ACTIONS.get(endpoint, "")}  # fmt: skip
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)


def visitor(app, org: str, role: str, state: str) -> Officer:
    email = f"{role}.{state.replace(' ', '-')}@{org}.example"
    person = Officer(app, email=email)
    if state == "signed out":
        person.get("/staff/login")  # a sign-in page's CSRF token, so a POST reaches the access check
        return person
    add_account(app, org=org, email=email, role=role, name=f"{role} {org}")
    person.enrol()
    person.get("/staff/password")
    if state == "disabled":
        with app.extensions["intake"].store.transaction() as db:
            from staff import accounts

            found = accounts.find(db, email)
            accounts.disable(db, found, found.created_at)
    return person


def test_every_console_route_names_the_permission_it_needs(world):
    app, _ = world
    for endpoint, _method, rule in routes(app):
        permission = getattr(app.view_functions[endpoint], "permission", None)
        assert permission == PUBLIC or permission in PERMISSIONS, f"{rule} does not say who may use it"


def test_every_route_by_every_role_landlord_and_state_reaches_only_what_it_may(world):
    app, targets = world
    cells = 0
    for org in ORGS:
        for role in ROLES:
            for state in STATES:
                person = visitor(app, org, role, state)
                token = person.csrf()
                for endpoint, method, rule in routes(app):
                    permission = app.view_functions[endpoint].permission
                    for whose in ORGS:
                        target = targets[whose]
                        path = url_for_target(rule, endpoint, target)
                        response = (person.client.get(path) if method == "GET" else
                                    person.client.post(path, data={"csrf_token": token}))  # fmt: skip
                        cells += 1
                        where = f"{role} of {org}, {state}: {method} {path} ({whose}'s)"
                        assert response.status_code < 500, where
                        body = response.get_data(as_text=True)
                        other = targets[next(o for o in ORGS if o != org)]
                        if response.status_code == 200:
                            assert other.reference not in body, f"{where} shows another landlord's case"
                        if permission == PUBLIC:
                            continue
                        if state != "signed in":
                            assert response.status_code == 302, where
                            assert "/staff/login" in response.headers["Location"], where
                        elif role not in PERMISSIONS[permission]:
                            assert response.status_code == 403, where
                        elif "<" in rule and whose != org:
                            assert response.status_code == 404, where
                        else:
                            assert response.status_code in (200, 302, 303, 400), where  # 303: a form posted, see the next page
    # 2 landlords × 3 roles × 3 states × each route and method × whose data it names
    assert cells == len(ORGS) * len(ROLES) * len(STATES) * len(routes(app)) * len(ORGS)

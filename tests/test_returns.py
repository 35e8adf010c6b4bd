"""The returns, exact: every figure compared with a value worked out by hand, across quarter ends, bank holidays,
weekends and the October and March clock changes, reopened and linked cases, no contact, and surveys."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from intake import returns, sla
from intake.returns import Facts, Period
from intake.victims_code import deadline_rule

LONDON = ZoneInfo("Europe/London")
Q3 = returns.quarter("2026/27-Q3")


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


def case(reference: str, opened: datetime, *, due: datetime | None = None, **changes) -> Facts:  # type: ignore[no-untyped-def]
    base = Facts(reference=reference, opened_at=opened, first_contact_due=due or opened, linked=False, reachable=True,
                 channel="sms", language="en", reporter_role="victim", strands=(), incident_types=(), district=None,
                 contacts=(), victims_code="told", last_closure=None, surveyed=False)  # fmt: skip
    return replace(base, **changes)


def by_id(figures: list) -> dict:
    return {f.id: f for f in figures}


def only(profile, *ids: str):  # type: ignore[no-untyped-def]
    """The profile reporting just these figures, so a test reads the ones it is about."""
    wanted = [f for f in profile.returns.figures if f.id in ids]
    return profile.model_copy(update={"returns": profile.returns.model_copy(update={"figures": wanted})})


# ---- periods -----------------------------------------------------------------------------------------------
def test_quarters_and_years_are_the_uk_financial_years_in_london_dates_both_ends_included():
    assert Period(date(2026, 10, 1), date(2026, 12, 31)) == Q3
    assert returns.quarter("2026/27-Q1") == Period(date(2026, 4, 1), date(2026, 6, 30))
    assert returns.quarter("2026/27-Q4") == Period(date(2027, 1, 1), date(2027, 3, 31))
    assert returns.financial_year("2026/27") == Period(date(2026, 4, 1), date(2027, 3, 31))
    # 1 October is still summer time: the quarter starts at 23:00 UTC the day before.
    assert Q3.bounds("Europe/London") == (datetime(2026, 9, 30, 23, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert returns.quarter_of(date(2027, 3, 31)) == "2026/27-Q4" and returns.quarter_of(date(2026, 4, 1)) == "2026/27-Q1"
    for wrong in ("2026/28", "2026-Q3", "2026/27-Q5"):
        with pytest.raises(ValueError):
            returns.quarter(wrong) if "Q" in wrong else returns.financial_year(wrong)


# ---- MKCC §9.2 ------------------------------------------------------------------------------------------------
def test_responded_within_one_business_day_over_the_clock_change_christmas_and_the_quarters_edges(profiles):
    mkcc = profiles["mkcc"]
    rule = deadline_rule(mkcc)

    def due(opened: datetime) -> datetime:
        return sla.first_contact_due(opened, rule)

    # Worked by hand: Friday 16:00 BST is due Monday 16:00 GMT, across the clocks going back on 25 October.
    a_open = london(2026, 10, 23, 16)
    assert due(a_open) == london(2026, 10, 26, 16) == datetime(2026, 10, 26, 16, tzinfo=UTC)
    # Christmas Eve: 25th, the weekend and the 28th (Boxing Day's substitute) are not business days.
    b_open = london(2026, 12, 24, 10)
    assert due(b_open) == london(2026, 12, 29, 10)
    h_open = london(2026, 12, 31, 23, 59)
    assert due(h_open) == london(2027, 1, 4, 23, 59)  # New Year's Day, then the weekend
    cases = [
        case("A", a_open, due=due(a_open), contacts=(london(2026, 10, 26, 15, 59),)),
        case("B", b_open, due=due(b_open), contacts=(london(2026, 12, 29, 10),)),  # on the minute: in time
        case("C", london(2026, 11, 2, 9), due=due(london(2026, 11, 2, 9)), contacts=(london(2026, 11, 3, 9, 1),)),
        case("D", london(2026, 11, 2, 9), due=due(london(2026, 11, 2, 9)), linked=True, contacts=(london(2026, 11, 2, 10),)),
        case("E", london(2026, 11, 3, 9), due=due(london(2026, 11, 3, 9)), reachable=False, victims_code=None),
        case("F", london(2026, 9, 30, 23, 30), due=due(london(2026, 9, 30, 23, 30))),  # the quarter before
        case("G", london(2026, 10, 1, 0, 30), due=due(london(2026, 10, 1, 0, 30)), victims_code="declined"),
        case("H", h_open, due=due(h_open), contacts=(london(2027, 1, 4, 12),)),  # contacted after the quarter, in time
        case("I", london(2027, 1, 1, 0, 0), due=due(london(2027, 1, 1, 0, 0))),  # the next quarter
    ]
    figures = by_id(returns.compute(only(mkcc, "responded_in_time", "victims_code_told", "new_cases"), cases, Q3))

    responded = figures["responded_in_time"]
    assert (responded.numerator, responded.denominator, responded.value, responded.target, responded.met) == (
        3,
        5,
        60.0,
        100,
        False,
    )
    assert figures["no_contact_opened"].value == 1
    assert figures["new_cases"].value == 7  # A B C D E G H
    told = figures["victims_code_told"]
    assert (told.numerator, told.denominator, told.value) == (5, 7, 71.4)
    assert told.label == returns.LABELS["victims_code_commitments"]  # MKCC's own Victims Code is not supplied
    assert figures["victims_code_declined"].value == 1


def test_contacted_every_10_working_days_counts_reopened_cases_by_their_open_time_only(profiles):
    mkcc = only(profiles["mkcc"], "contacted_regularly")
    every_ten = [london(2026, 9, 2, 10), london(2026, 9, 16, 10), london(2026, 9, 30, 10), london(2026, 10, 14, 10),
                 london(2026, 10, 28, 10), london(2026, 11, 11, 10), london(2026, 11, 25, 10), london(2026, 12, 9, 10),
                 london(2026, 12, 23, 10)]  # fmt: skip
    # Each one exactly 10 working days after the last, 10:00 London time on both sides of 25 October.
    for before, after in pairwise(every_ten):
        assert sla.add_working_days(before, 10) == after
    assert sla.add_working_days(every_ten[-1], 10) == london(2027, 1, 11, 10)  # past Christmas, Boxing Day, New Year
    assert sla.add_working_days(london(2026, 12, 21, 9), 10) == london(2027, 1, 7, 9)
    cases = [
        case("R1", london(2026, 9, 1, 10), due=london(2026, 9, 2, 10), contacts=tuple(every_ten)),
        case(
            "R2", london(2026, 10, 1, 9), due=london(2026, 10, 2, 9), contacts=(london(2026, 10, 2, 9), london(2026, 10, 19, 9))
        ),  # due on the 16th
        case("R3", london(2026, 12, 21, 9), due=london(2026, 12, 22, 9)),  # not open 10 working days in the quarter
        case(
            "R4",
            london(2026, 9, 1, 10),
            due=london(2026, 9, 2, 10),
            contacts=(london(2026, 9, 2, 10),),
            last_closure=(london(2026, 9, 15, 10), "resolved"),
            closed_spans=((london(2026, 9, 15, 10), None),),
        ),
        case("R5", london(2026, 9, 1, 10), due=london(2026, 9, 2, 10)),  # never contacted: overdue all quarter
        # Closed from 10 September to 5 October: no contact was owed then; the clock starts again at reopening.
        case(
            "R6",
            london(2026, 9, 1, 10),
            due=london(2026, 9, 2, 10),
            contacts=(london(2026, 9, 2, 10), london(2026, 10, 19, 10)),
            last_closure=(london(2026, 10, 30, 10), "resolved"),
            closed_spans=((london(2026, 9, 10, 10), london(2026, 10, 5, 10)), (london(2026, 10, 30, 10), None)),
        ),
    ]
    [figure] = returns.compute(mkcc, cases, Q3)
    assert (figure.numerator, figure.denominator, figure.value, figure.target) == (2, 4, 50.0, 100)
    verdicts = {f.reference: returns.contacted_regularly(f, 10, "Europe/London", *Q3.bounds("Europe/London")) for f in cases}
    assert verdicts == {"R1": True, "R2": False, "R3": None, "R4": None, "R5": False, "R6": True}


def test_wchg_sets_no_contact_interval_so_the_figure_says_so(profiles):
    [figure] = returns.compute(only(profiles["wchg"], "contacted_regularly"), [case("X", london(2026, 10, 1, 9))], Q3)
    assert figure.value is None and figure.label == returns.LABELS["contacted_regularly_off"]


# ---- MKCC §9.3 ------------------------------------------------------------------------------------------------
def closed(ref: str, at: datetime, outcome: str, **changes) -> Facts:  # type: ignore[no-untyped-def]
    return case(ref, london(2026, 9, 1, 10), last_closure=(at, outcome), closed_spans=((at, None),), **changes)


def test_resolved_and_satisfaction_count_each_case_once_at_its_last_closure(profiles):
    mkcc = only(profiles["mkcc"], "resolved", "satisfied_outcome", "satisfied_handling")
    cases = [
        closed(
            "S1",
            london(2026, 10, 10, 10),
            "resolved",
            surveyed=True,
            survey={"outcome": "very_satisfied", "handling": "fairly_dissatisfied"},
        ),
        closed("S2", london(2026, 11, 1, 10), "not_resolved", surveyed=True, survey={"outcome": "neither"}),
        closed(
            "S3",
            london(2026, 11, 2, 10),
            "withdrawn",
            surveyed=True,
            survey={"outcome": "fairly_satisfied", "handling": "very_satisfied"},
        ),
        # Closed not resolved in October, reopened, closed resolved in December: once, resolved.
        replace(
            closed("S4", london(2026, 12, 1, 10), "resolved", surveyed=True),
            closed_spans=((london(2026, 10, 5, 10), london(2026, 10, 10, 10)), (london(2026, 12, 1, 10), None)),
        ),
        case("S5", london(2026, 9, 1, 10), closed_spans=((london(2026, 11, 5, 10), london(2026, 12, 2, 10)),)),  # open again
        closed("S6", london(2026, 9, 29, 10), "resolved", surveyed=True, survey={"outcome": "very_dissatisfied"}),
        closed("S7", london(2026, 12, 31, 23, 30), "no_further_action"),
    ]
    figures = by_id(returns.compute(mkcc, cases, Q3))
    resolved = figures["resolved"]
    assert (resolved.numerator, resolved.denominator, resolved.value, resolved.target, resolved.met) == (2, 4, 50.0, 80, False)
    assert figures["withdrawn"].value == 1
    outcome, handling = figures["satisfied_outcome"], figures["satisfied_handling"]
    assert (outcome.numerator, outcome.denominator, outcome.value, outcome.met) == (2, 3, 66.7, False)
    assert (handling.numerator, handling.denominator, handling.value) == (1, 2, 50.0)
    responses = figures["survey_responses"]
    assert (responses.numerator, responses.denominator, responses.value) == (3, 4, 75.0)


# ---- WCHG §11.3 ---------------------------------------------------------------------------------------------
def test_wchgs_annual_indicators_by_type_locality_time_to_resolve_actions_and_equality(profiles):
    wchg = profiles["wchg"]
    year = returns.financial_year("2026/27")

    def made(ref, opened, types, district, strands, language, role, door, closure=None, actions=()):  # type: ignore[no-untyped-def]
        return case(ref, opened, incident_types=types, district=district, strands=strands, language=language,
                    reporter_role=role, channel=door, last_closure=closure,
                    closed_spans=((closure[0], None),) if closure else (), actions=actions)  # fmt: skip

    cases = [
        made(
            "W1",
            london(2026, 5, 10, 12),
            ("verbal_abuse", "threats"),
            "M22",
            ("race",),
            "en",
            "victim",
            "sms",
            (london(2026, 5, 20, 12), "resolved"),
            (("support_referral", london(2026, 5, 11, 9)),),
        ),
        made(
            "W2",
            london(2026, 6, 1, 12),
            ("verbal_abuse",),
            "M23",
            ("religion_or_belief",),
            "ur",
            "witness",
            "web",
            (london(2026, 6, 5, 12), "not_resolved"),
            (("injunction", london(2026, 6, 2, 9)), ("possession", london(2027, 4, 2, 9))),
        ),
        # Across the clocks going back: 24 October 23:30 BST to 26 October 00:30 GMT is two London days.
        made(
            "W3",
            london(2026, 10, 24, 23, 30),
            ("threats",),
            None,
            ("disability",),
            "pl",
            "third_party",
            "telegram",
            (london(2026, 10, 26, 0, 30), "resolved"),
        ),
        # Across the clocks going forward on 28 March.
        made(
            "W4",
            london(2027, 3, 27, 12),
            ("damage",),
            "M22",
            ("race", "religion_or_belief"),
            "en",
            "victim",
            "sms",
            (london(2027, 3, 29, 10), "resolved"),
        ),
        made("W5", london(2027, 3, 31, 23, 30), ("verbal_abuse",), "M22", ("race",), "en", "victim", "staff"),
        made(
            "W6",
            london(2026, 3, 31, 12),
            ("noise",),
            "M22",
            ("race",),
            "en",
            "victim",
            "sms",
            (london(2026, 4, 2, 12), "resolved"),
            (("mediation", london(2026, 3, 31, 13)),),
        ),
        made("W7", london(2027, 4, 1, 0, 30), ("verbal_abuse",), "M22", ("race",), "en", "victim", "sms"),
    ]
    f = by_id(returns.compute(wchg, cases, year))

    assert f["new_cases"].value == 5
    assert {k: f[f"new_cases_by_type:{k}"].numerator for k in ("verbal_abuse", "threats", "damage", "noise", "arson")} == {
        "verbal_abuse": 3, "threats": 2, "damage": 1, "noise": 0, "arson": 0}  # fmt: skip
    assert f["new_cases_by_type:verbal_abuse"].value == 60.0
    districts = {k.split(":")[1]: v.numerator for k, v in f.items() if k.startswith("new_cases_by_district:")}
    assert districts == {"M22": 3, "M23": 1, "not_given": 1}
    assert (f["resolved"].numerator, f["resolved"].denominator, f["resolved"].value, f["resolved"].target) == (4, 5, 80.0, None)
    # Days: W1 10, W2 4, W3 2, W4 2, W6 2. Median 2; 90th percentile by nearest rank, the 5th of 5: 10.
    assert (f["time_to_resolve_median:all"].value, f["time_to_resolve_p90:all"].value) == (2, 10)
    assert (f["time_to_resolve_median:verbal_abuse"].value, f["time_to_resolve_p90:verbal_abuse"].value) == (7.0, 10)
    assert (f["time_to_resolve_median:threats"].value, f["time_to_resolve_p90:threats"].value) == (6.0, 10)
    assert f["time_to_resolve_median:damage"].value == 2 and f["time_to_resolve_median:noise"].value == 2
    assert (f["legal_actions"].value, f["legal_actions:injunction"].value, f["legal_actions:possession"].value) == (1, 1, 0)
    assert (f["non_legal_actions"].value, f["non_legal_actions:support_referral"].value, f["non_legal_actions:mediation"].value) == (
        1, 1, 0)  # fmt: skip
    assert {k: f[f"equality_strand:{k}"].numerator for k in ("race", "religion_or_belief", "disability")} == {
        "race": 3, "religion_or_belief": 2, "disability": 1}  # fmt: skip
    assert {k: f[f"equality_language:{k}"].numerator for k in ("en", "ur", "pl")} == {"en": 3, "ur": 1, "pl": 1}
    assert {k: f[f"equality_role:{k}"].numerator for k in ("victim", "witness", "third_party")} == {
        "victim": 3, "witness": 1, "third_party": 1}  # fmt: skip
    assert {k: f[f"equality_door:{k}"].numerator for k in ("sms", "web", "telegram", "staff")} == {
        "sms": 2, "web": 1, "telegram": 1, "staff": 1}  # fmt: skip
    nm01 = f["nm01_contribution"]
    assert (nm01.numerator, nm01.denominator, nm01.value) == (5, 14000, 0.36)  # 5 × 1000 / 14,000
    assert f["contacted_regularly"].value is None
    assert all(x.target is None for x in f.values())  # §11.3 sets no targets


def test_an_export_shows_counts_under_5_as_under_5_and_hides_the_share_they_would_give_away(profiles):
    wchg = only(profiles["wchg"], "new_cases", "new_cases_by_type", "nm01_contribution")
    cases = [case(f"N{i}", london(2026, 10, 2, 9), incident_types=("verbal_abuse",) if i < 3 else ("threats",))
             for i in range(8)]  # fmt: skip
    figures = by_id(returns.compute(wchg, cases, returns.financial_year("2026/27")))
    assert returns.shared(figures["new_cases"])["value"] == 8
    assert returns.shared(figures["new_cases_by_type:threats"]) == {"numerator": 5, "denominator": 8, "value": 62.5, "met": None}
    hidden = returns.shared(figures["new_cases_by_type:verbal_abuse"])
    assert hidden == {"numerator": "<5", "denominator": 8, "value": "<5", "met": None}
    assert returns.shared(figures["nm01_contribution"])["denominator"] == 14000  # homes, not people


# ---- from the database, through the command ------------------------------------------------------------------
def test_intake_report_prints_every_figure_for_both_landlords_from_real_cases(store, profiles, tmp_path, capsys):
    from cli import main
    from intake import casework
    from intake.cases import add_event, open_case
    from intake.store.models import StaffAccountRow
    from tests.harness import TEST_DATA_KEYS, TEST_SECRET

    mkcc = profiles["mkcc"]
    with store.transaction() as db:
        officer = StaffAccountRow(org="mkcc", email="o@mkcc.example", name="O", role="officer", password_hash="x",
                                  created_at=london(2026, 9, 1), password_changed_at=london(2026, 9, 1))  # fmt: skip
        db.add(officer)
        db.flush()
        made = []
        for i, opened in enumerate([london(2026, 10, 5, 9), london(2026, 10, 6, 9), london(2026, 11, 2, 9)]):
            c = open_case(db, reference=f"MK-R{i}", profile=mkcc, channel="sms", language="en", at=opened)
            c.contact = {"name": "A", "channel": "sms", "address": "+447700900123", "other": None, "safety": [], "victim": None}
            add_event(db, c, "victims_code_sent", opened, via="reply")
            made.append((c, opened))
        db.flush()
        for c, opened in made[:2]:
            at = opened.replace(hour=opened.hour + 2)
            casework.record_contact(db, c, casework.Actor(officer, at), mkcc, method="phone", happened_at=at,
                                    outcome="spoke", note=None)  # fmt: skip
        closer = casework.Actor(officer, london(2026, 12, 1, 9))
        casework.close(db, made[0][0], closer, mkcc, "resolved", "Sorted with the neighbour")
    env = {"INTAKE_DATABASE_URL": store.url, "INTAKE_INSTANCE_PATH": str(tmp_path), "INTAKE_SECRET_KEY": TEST_SECRET,
           "INTAKE_DATA_KEYS": TEST_DATA_KEYS}  # fmt: skip
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        assert main(["report", "quarterly", "--org", "mkcc", "--quarter", "2026/27-Q3", "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert main(["report", "annual", "--org", "wchg", "--year", "2026/27", "--csv"]) == 0
        csv_text = capsys.readouterr().out
        assert main(["report", "range", "--org", "mkcc", "--from", "2026-10-01", "--to", "2026-10-31"]) == 0
        table = capsys.readouterr().out
        assert main(["report", "quarterly", "--org", "mkcc", "--quarter", "2026/27-Q7"]) == 2
    assert data["org"] == "mkcc" and data["period"] == {"from": "2026-10-01", "to": "2026-12-31"}
    assert data["scope"] == "reports made through this service"
    rows = {r["id"]: r for r in data["figures"]}
    assert set(rows) >= {f.id for f in mkcc.returns.figures}
    assert all(
        set(r) == {"id", "policy_ref", "label", "numerator", "denominator", "value", "target", "met"} for r in rows.values()
    )
    # Three cases, all small: counts under 5 leave the console as "<5".
    assert rows["new_cases"]["value"] == "<5" and rows["responded_in_time"]["target"] == 100
    assert csv_text.splitlines()[0] == "id,policy_ref,label,numerator,denominator,value,target,met"
    assert "new_cases_by_type:verbal_abuse" in csv_text and "contacted_regularly" in csv_text
    assert "Reports responded to within the first-contact deadline" in table and "2/2" in table  # in October, internal
    with store.transaction() as db:
        from sqlalchemy import select

        from intake.store.models import AuditRow

        assert [a.action for a in db.scalars(select(AuditRow))].count("exported") == 2


def test_the_console_csv_is_for_team_leaders_hides_small_counts_and_is_in_the_audit_log(tmp_path, database_url):
    from sqlalchemy import select

    from flask_app import create_app
    from intake.store.models import AuditRow
    from tests.harness import TEST_DATA_KEYS, TEST_SECRET
    from tests.staff_client import Officer, add_account

    app = create_app({"INTAKE_DATABASE_URL": database_url, "INTAKE_INSTANCE_PATH": str(tmp_path),
                      "INTAKE_SECRET_KEY": TEST_SECRET, "INTAKE_DATA_KEYS": TEST_DATA_KEYS})  # fmt: skip
    add_account(app)
    officer = Officer(app)
    officer.enrol()
    officer.get("/staff/reports.csv?period=quarter:2026/27-Q3")
    assert officer.status == 403
    add_account(app, email="lead@mkcc.example", role="team_leader")
    lead = Officer(app, email="lead@mkcc.example")
    lead.enrol()
    response = lead.get("/staff/reports.csv?period=quarter:2026/27-Q3")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "mkcc-returns-2026-10-01-to-2026-12-31.csv" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "id,policy_ref,label,numerator,denominator,value,target,met"
    assert any(line.startswith("new_cases,not in the policy,New cases,<5,,<5") for line in lines)
    with app.extensions["intake"].store.transaction() as db:
        assert "exported" in [a.action for a in db.scalars(select(AuditRow))]
    app.extensions["intake"].store.dispose()


def test_a_report_taken_by_phone_counts_from_when_it_was_received_and_an_officer_giving_the_code_counts(profiles):
    mkcc = only(profiles["mkcc"], "responded_in_time", "victims_code_told")
    received = london(2026, 11, 6, 16, 30)  # a Friday afternoon call, entered on Monday
    due = sla.first_contact_due(received, deadline_rule(profiles["mkcc"]))
    assert due == london(2026, 11, 9, 16, 30)
    taken = case("P1", received, due=due, channel="staff", contacts=(london(2026, 11, 9, 10),), victims_code="told")
    late = case("P2", received, due=due, channel="staff", contacts=(london(2026, 11, 10, 9),), victims_code=None)
    figures = by_id(returns.compute(mkcc, [taken, late], Q3))
    assert (figures["responded_in_time"].numerator, figures["responded_in_time"].denominator) == (1, 2)
    assert (figures["victims_code_told"].numerator, figures["victims_code_told"].denominator) == (1, 2)

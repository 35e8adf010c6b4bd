"""`make bench`: the case officers' queue on 100,000 cases in PostgreSQL, as ratios to a bare SELECT in the same run.

Two landlords' worth of cases (two years of them, most closed, with owners, deadlines
past and future, every risk level, strand, door, language and district) go in by bulk
insert, then VACUUM ANALYZE. Each view of the queue an officer typically opens is timed three ways:

- `staff.queue.page`: what the console asks the database (the page's rows, its total, the
  tab badges) and the ORM work, in one transaction;
- `GET /staff/`: the whole page through Flask's test client, signed in with a real second
  factor: session check, queue, audit line, template;
- the baseline: a bare SELECT of the same 25 rows (the queue's WHERE and ORDER BY, LIMIT 25,
  the columns the list shows), as raw SQL on a connection from the same pool.

The three are run in turn, round after round, so a change in the machine's load falls on
all of them alike. Each line gives p50 and p95 in ms, and the ratios to the bare SELECT at
p50 and at p95; the target is a p95 ratio of at most 5 for staff.queue.page. With
INTAKE_BENCH_EXPLAIN set, each line is followed by how PostgreSQL scans for the bare SELECT.

INTAKE_BENCH_DATABASE_URL names the database (default: bench15 on the local server). It is
emptied and refilled every run, so its name must contain "bench". It is made when missing;
without a PostgreSQL server the bench says so and measures nothing.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from flask_app import create_app
from intake.store import migrate
from intake.store.db import Store
from intake.store.models import Base, CaseRow
from staff import accounts, queue
from tests.harness import TEST_DATA_KEYS
from tests.staff_client import PASSWORD, Officer

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench15"
SECRET = "bench-queue-secret-" + "x" * 32
CASES = 100_000
BATCH = 5_000
REPEAT = 200  # timed runs of each view, each way
WARM_UP = 10
ORGS = {"mkcc": 0.6, "wchg": 0.4}
PREFIX = {"mkcc": "MK", "wchg": "WC"}
DISTRICTS = {"mkcc": [f"MK{n}" for n in range(1, 20)], "wchg": [f"WV{n}" for n in range(1, 16)] + ["WS1", "WS2", "B70"]}
OFFICERS_PER_ORG = 8
BENCH_OFFICER = "officer@mkcc.example"
# The other languages an interpreter may be needed for, as the landlords' areas speak them.
LANGUAGES = ["pl", "ro", "ur", "pa", "ar", "so", "bn", "gu", "lt", "cy", "ti", "fa", "ku", "uk"]
CHANNELS = (["web", "sms", "telegram", "staff", "console"], [45, 25, 18, 10, 2])


@dataclass(frozen=True)
class View:
    name: str
    args: dict[str, str | list[str]] = field(default_factory=dict)

    def query(self) -> queue.Query:
        return queue.Query.from_args(_Args(self.args))

    @property
    def path(self) -> str:
        return "/staff/" + ("?" + urlencode(self.args, doseq=True) if self.args else "")


class _Args(dict):
    """What Flask's request.args offers queue.Query.from_args: get and getlist."""

    def get(self, key, default=None):  # type: ignore[no-untyped-def,override]
        value = super().get(key, default)
        return value[0] if isinstance(value, list) else value

    def getlist(self, key):  # type: ignore[no-untyped-def]
        value = super().get(key, [])
        return value if isinstance(value, list) else [value]


VIEWS = [
    View("all open (default)"),
    View("all open, page 2", {"page": "2"}),
    View("risk = high", {"risk": "high"}),
    View("overdue", {"overdue": "yes"}),
    View("district MK9", {"district": "MK9"}),
    View("strand = race", {"strand": "race"}),
    View("mine", {"tab": "mine"}),
    View("unassigned", {"tab": "unassigned"}),
    View("closed", {"tab": "closed"}),
]
# What the list shows of each case (the template and staff.display.CaseView), for the baseline.
LIST_COLUMNS = ("id", "reference", "risk_level", "work_status", "status", "language", "channel", "created_at",
                "first_contact_due", "next_contact_due", "first_contacted_at")  # fmt: skip


# ---- the database --------------------------------------------------------------------------------
def bench_database(url: str) -> str | None:
    """`url`, its database made when missing; None (and why, printed) when no server answers."""
    target = make_url(url)
    if not target.drivername.startswith("postgresql"):
        print(f"bench_queue: INTAKE_BENCH_DATABASE_URL must be PostgreSQL, not {target.drivername}: skipped")
        return None
    if "bench" not in (target.database or ""):
        print(f"bench_queue: the bench empties its database; {target.database!r} has no 'bench' in its name: skipped")
        return None
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": target.database})
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    except OperationalError as error:
        print(f"bench_queue: no PostgreSQL at {target.render_as_string(hide_password=True)} "
              f"({str(error.orig).strip().splitlines()[0]}): skipped. Set INTAKE_BENCH_DATABASE_URL to a server's database.")  # fmt: skip
        return None
    finally:
        server.dispose()
    return target.render_as_string(hide_password=False)


def fresh_schema(url: str) -> None:
    store = Store(url)
    with store.engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    migrate.upgrade(store.engine)
    store.dispose()


def add_officers(store: Store, now: datetime) -> dict[str, list[int]]:
    """A team per landlord, made as `intake staff add` makes them; the bench's own officer first in mkcc's."""
    team: dict[str, list[int]] = {}
    with store.transaction() as db:
        for org in ORGS:
            team[org] = []
            for n in range(OFFICERS_PER_ORG):
                email = BENCH_OFFICER if (org, n) == ("mkcc", 0) else f"officer{n}@{org}.example"
                role = "team_leader" if n == OFFICERS_PER_ORG - 1 else "officer"
                row = accounts.add(db, org=org, email=email, name=f"Officer {n}", role=role, password=PASSWORD, at=now)
                team[org].append(row.id)
    return team


def _answers(rng: random.Random, strands: list[str], types: list[str], district: str) -> dict:
    said = "They shouted at me across the car park again and wrote something on my door. " * rng.randint(1, 4)
    return {
        "danger_now": {"value": "no"},
        "role": {"value": "victim"},
        "identity": {"value": rng.choice(["named_here", "anonymous"])},
        "scope": {"value": "yes"},
        "description": {"value": said, "raw": said},
        "when": {"value": "2026-11-01", "raw": "last night"},
        "where": {"value": {"postcode": f"{district} 3EJ", "text": "Outside the block"}, "raw": f"{district} 3EJ"},
        "motivation": {"value": strands},
        "incident_types": {"value": types},
        "perpetrator": {"value": "A man from the next block", "raw": "A man from the next block"},
        "risk_incident": {"value": rng.sample(["threats_violence", "happened_before", "ongoing"], rng.randint(0, 2))},
        "risk_impact": {"value": rng.sample(["unsafe_at_home", "worried_worse", "children"], rng.randint(0, 2))},
        "consent": {"value": rng.choice(["yes", "ask_first", "no"])},
    }


def case_rows(rng: random.Random, profiles, team: dict[str, list[int]], now: datetime, start: int, count: int) -> list[dict]:
    rows = []
    for i in range(start, start + count):
        org = "mkcc" if rng.random() < ORGS["mkcc"] else "wchg"
        profile = profiles[org]
        roll = rng.random()
        work = "new" if roll < 0.06 else "open" if roll < 0.20 else "closed"
        # New cases are recent; open ones span months; closed ones two years.
        age = timedelta(hours=rng.uniform(1, 24 * (10 if work == "new" else 150 if work == "open" else 730)))
        created = now - age
        status = rng.choices(["submitted", "incomplete", "in_progress"], [85, 10, 5])[0]
        risk = rng.choices(["standard", "medium", "high"], [65, 25, 10])[0]
        strands = rng.sample(profile.strands, rng.choices([1, 2], [80, 20])[0])
        types = rng.sample(profile.incident_types, rng.randint(1, 3))
        district = rng.choice(DISTRICTS[org])
        first_due = created + timedelta(hours=24 if risk == "high" else 72)
        contacted = None if work == "new" else created + timedelta(hours=rng.uniform(1, 96))
        closed = created + timedelta(days=rng.uniform(5, 90)) if work == "closed" else None
        if work == "new":
            owner = rng.choice(team[org]) if rng.random() < 0.3 else None
        elif work == "open":
            owner = rng.choice(team[org]) if rng.random() < 0.92 else None
        else:
            owner = rng.choice(team[org])
        # Contacted once, the next contact falls anywhere from two weeks ago to four weeks ahead.
        next_due = first_due if contacted is None else now + timedelta(hours=rng.uniform(-14 * 24, 28 * 24))
        if work == "closed":
            next_due = None
        named = rng.random() < 0.45
        rows.append(
            {
                "reference": f"{PREFIX[org]}-{i:07d}",
                "org": org,
                "channel": rng.choices(*CHANNELS)[0],
                "status": status,
                "reporter_role": rng.choices(["victim", "witness", "third_party"], [75, 15, 10])[0],
                "anonymous": not named,
                "language": "en" if rng.random() < 0.82 else rng.choice(LANGUAGES),
                "answers": _answers(rng, strands, types, district),
                "strands": strands,
                "incident_types": types,
                "risk_score": {"standard": rng.randint(0, 3), "medium": rng.randint(4, 7), "high": rng.randint(8, 15)}[risk],
                "risk_level": risk,
                "risk_reasons": ["threats_violence", "happened_before"] if risk == "high" else [],
                "contact": {"name": f"Reporter {i}", "phone": "07700 900123", "safe_times": ["daytime"]} if named else None,
                "postcode_district": district,
                "created_at": created,
                "submitted_at": created + timedelta(minutes=12) if status == "submitted" else None,
                "first_contact_due": first_due,
                "next_contact_due": next_due,
                "victims_code_sent_at": created + timedelta(minutes=13) if status == "submitted" else None,
                "victims_code_delivered_at": None,
                "victims_code_status": "sent" if status == "submitted" else None,
                "no_messages": rng.random() < 0.05,
                "work_status": work,
                "outcome": rng.choice(["resolved", "no_further_action", "referred"]) if closed else None,
                "owner_id": owner,
                "first_contacted_at": contacted,
                "plan_agreed_at": contacted + timedelta(days=3) if contacted and rng.random() < 0.6 else None,
                "closed_at": closed,
                "linked_case_id": None,
                "version": rng.randint(1, 12),
            }
        )
    return rows


def fill(store: Store, profiles, team: dict[str, list[int]], now: datetime) -> float:
    """CASES rows in batches of BATCH by Core bulk insert (encrypting as the app does), then ANALYZE; the seconds it took."""
    rng = random.Random(15)
    started = time.perf_counter()
    with store.engine.begin() as connection:
        for start in range(0, CASES, BATCH):
            connection.execute(insert(CaseRow.__table__), case_rows(rng, profiles, team, now, start, BATCH))
    # As autovacuum leaves a table that has settled: statistics fresh, visibility map set.
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started


# ---- timing ------------------------------------------------------------------------------------------
def timed(*fns: Callable[[], object], repeat: int = REPEAT) -> list[list[float]]:
    """Samples of each of `fns`, run in turn round after round (each round in a rotated order), so a
    change in the machine's load in the middle of a run falls on all of them alike."""
    for _ in range(WARM_UP):
        for fn in fns:
            fn()
    samples: list[list[float]] = [[] for _ in fns]
    for round_ in range(repeat):
        for k in range(len(fns)):
            index = (round_ + k) % len(fns)
            start = time.perf_counter()
            fns[index]()
            samples[index].append(time.perf_counter() - start)
    return samples


def p(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1] * 1000


def baseline_sql(store: Store, view: View, org: str, account_id: int, now: datetime) -> tuple[str, dict]:
    """The bare SELECT: the queue's WHERE and ORDER BY for this view, the list's columns, LIMIT 25 at the page's offset."""
    q = view.query()
    statement = queue.statement(org, account_id, q, now).with_only_columns(*(CaseRow.__table__.c[c] for c in LIST_COLUMNS))
    compiled = (
        statement.limit(queue.PAGE_SIZE)
        .offset((q.page - 1) * queue.PAGE_SIZE)
        .compile(dialect=store.engine.dialect, compile_kwargs={"render_postcompile": True})
    )
    return str(compiled), dict(compiled.params)


def explain(store: Store, sql: str, params: dict) -> str:
    """How PostgreSQL reads the cases for the bare SELECT: its scan, in a line."""
    with store.engine.connect() as connection:
        plan = connection.exec_driver_sql("EXPLAIN " + sql, params).scalars().all()
    return next((line.strip().lstrip("-> ") for line in plan if "Scan" in line), plan[0] if plan else "")


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def main() -> None:
    url = bench_database(os.environ.get("INTAKE_BENCH_DATABASE_URL", DEFAULT_URL))
    if url is None:
        return
    fresh_schema(url)
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"INTAKE_INSTANCE_PATH": instance, "INTAKE_DATABASE_URL": url, "INTAKE_SECRET_KEY": SECRET,
                          "INTAKE_DATA_KEYS": TEST_DATA_KEYS})  # fmt: skip
        intake = app.extensions["intake"]
        store = intake.store
        now = datetime.now(UTC)
        team = add_officers(store, now)
        seconds = fill(store, intake.profiles, team, now)
        officer = Officer(app, email=BENCH_OFFICER)
        officer.enrol()
        me = team["mkcc"][0]
        print(f"{CASES:,} cases over {len(ORGS)} landlords on PostgreSQL, inserted and analysed in {seconds:.1f} s;"
              f" {REPEAT} runs of each view each way, round-robin, one process; {_load()}")  # fmt: skip
        print(f"{'':28}| {'bare SELECT':^13} | {'staff.queue.page':^29} | {'GET /staff/ (whole page)':^29}")
        print(f"{'view':<20} {'cases':>6} | {'p50':>5} / {'p95':>5} | {'p50':>5} / {'p95':>5} = {'p50':>4}x {'p95':>4}x |"
              f" {'p50':>5} / {'p95':>5} = {'p50':>4}x {'p95':>4}x")  # fmt: skip
        worst: dict[str, tuple[float, str]] = {"query": (0.0, ""), "page": (0.0, "")}
        for view in VIEWS:
            q = view.query()
            sql, params = baseline_sql(store, view, "mkcc", me, now)

            def bare(sql: str = sql, params: dict = params) -> None:
                with store.engine.connect() as connection:
                    connection.exec_driver_sql(sql, params).fetchall()

            def page(q: queue.Query = q) -> queue.Page:
                with store.transaction() as db:
                    return queue.page(db, "mkcc", me, q, now)

            def http(path: str = view.path) -> None:
                response = officer.get(path)
                assert response.status_code == 200, (path, response.status_code)

            total = page().total
            base, query, whole = timed(bare, page, http)
            cells = [f"{p(base, 50):5.2f} / {p(base, 95):5.2f}"]
            for kind, samples in (("query", query), ("page", whole)):
                r50, r95 = p(samples, 50) / p(base, 50), p(samples, 95) / p(base, 95)
                worst[kind] = max(worst[kind], (r95, view.name))
                cells.append(f"{p(samples, 50):5.2f} / {p(samples, 95):5.2f} = {r50:4.1f}x {r95:4.1f}x")
            print(f"{view.name:<20} {total:>6} | " + " | ".join(cells))
            if os.environ.get("INTAKE_BENCH_EXPLAIN"):
                print(f"{'':28}bare SELECT: {explain(store, sql, params)}")
        target = 5.0
        (query_ratio, query_view), (page_ratio, page_view) = worst["query"], worst["page"]
        print(f"worst p95 ratio to the bare SELECT: staff.queue.page {query_ratio:.1f}x ({query_view}),"
              f" GET /staff/ {page_ratio:.1f}x ({page_view}); target for staff.queue.page {target:.0f}x:"
              f" {'met' if query_ratio <= target else 'missed'}; {_load()}")  # fmt: skip
        store.dispose()
    sys.stdout.flush()


if __name__ == "__main__":
    main()

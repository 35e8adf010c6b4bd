"""Seed a database with a made-up quarter of cases, to try the returns: `python tools/seed_returns.py --org mkcc --quarter 2026/27-Q3`.

Demonstration data only, never for a landlord's real database (it refuses one that has cases
already). The cases are made the way the console makes them (intake.casework), so every figure
comes from real timeline events; survey answers are written as the survey will write them. The
same seed gives the same cases, so the figures it leads to can be quoted.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from intake import casework, returns
from intake.cases import add_event, new_reference, open_case
from intake.orgs import load_profiles
from intake.settings import Settings
from intake.store.db import Store
from intake.store.models import CaseRow, StaffAccountRow

DISTRICTS = {"mkcc": ["MK1", "MK6", "MK9", "MK10", "MK13"], "wchg": ["M22", "M23", "M90"]}
LANGUAGES = ["en"] * 6 + ["pl", "ar", "ur", "so", "ro"]
ROLES = ["victim"] * 5 + ["witness", "third_party"]
DOORS = ["sms", "web", "web", "telegram", "staff"]


def seed(store: Store, org: str, period: returns.Period, count: int, rng: random.Random) -> int:
    profile = load_profiles()[org]
    zone = ZoneInfo(profile.timezone)
    start, end = period.bounds(profile.timezone)
    # As things stood six weeks after the period: the same seed gives the same figures whatever today is.
    now = end + timedelta(weeks=6)
    with store.transaction() as db:
        if db.scalar(select(func.count()).select_from(CaseRow).where(CaseRow.org == org)):
            raise SystemExit(f"seed_returns: {org} already has cases; seed an empty database")
        officer = StaffAccountRow(org=org, email=f"seeded-officer@{org}.example", name="Seeded Officer", role="officer",
                                  password_hash="!", created_at=start, password_changed_at=start, disabled=True)  # fmt: skip
        db.add(officer)
        db.flush()
        span = (end - start).total_seconds()
        for _ in range(count):
            opened = start + timedelta(seconds=rng.uniform(-0.3, 0.95) * span)
            local = opened.astimezone(zone)
            opened = datetime.combine(local.date(), time(rng.randint(8, 21), rng.choice((0, 15, 30, 45))), zone).astimezone(UTC)
            case = open_case(db, reference=new_reference(profile.reference_prefix), profile=profile,
                             channel=rng.choice(DOORS), language=rng.choice(LANGUAGES), at=opened)  # fmt: skip
            case.status, case.submitted_at = "submitted", opened
            case.reporter_role = rng.choice(ROLES)
            case.strands = rng.sample(profile.strands, rng.choice((1, 1, 1, 2)))
            case.incident_types = rng.sample(profile.incident_types[:8], rng.choice((1, 1, 2)))
            case.postcode_district = rng.choice([*DISTRICTS.get(org, []), None])
            reachable = rng.random() > 0.12
            case.anonymous = not reachable
            case.contact = {"name": "Seeded", "channel": None, "address": None, "other": "07700 900000", "safety": [],
                            "victim": None} if reachable else None  # fmt: skip
            if rng.random() < 0.06:
                add_event(db, case, "victims_code_declined", opened)
            elif rng.random() < 0.95:
                add_event(db, case, "victims_code_sent", opened, via="reply")
            db.flush()
            if not reachable:
                continue
            at = opened + timedelta(hours=rng.choice((2, 5, 20, 22, 30, 70)))
            cadence = profile.contact_cadence_working_days or 10
            closes = opened + timedelta(days=rng.randint(6, 70))
            while at < min(closes, now):
                actor = casework.Actor(officer, at)
                casework.record_contact(db, case, actor, profile, method=rng.choice(("phone", "in_person", "email")),
                                        happened_at=at, outcome=rng.choice(("spoke", "spoke", "met", "no_answer")),
                                        note=None)  # fmt: skip
                if rng.random() < 0.3:
                    kind = rng.choice(profile.action_kinds)
                    casework.add_action(db, case, actor, profile, kind=kind.id, what="Seeded action", who="Officer", due=None)
                gap = rng.choice((cadence - 2, cadence - 1, cadence, cadence + 3))
                at = datetime.combine(
                    returns.sla.add_working_days(at, gap, profile.timezone).astimezone(zone).date(), time(10), zone
                ).astimezone(UTC)
            if closes < now:
                outcome = rng.choices(profile.outcomes, weights=(7, 2, 1, 1)[: len(profile.outcomes)])[0]
                casework.close(db, case, casework.Actor(officer, closes), profile, outcome, "Seeded closure")
                if closes + timedelta(days=16) < now and rng.random() < 0.6:
                    add_event(db, case, "survey_sent", closes + timedelta(days=14))
                    for question in returns.SURVEY_QUESTIONS:
                        if rng.random() < 0.7:
                            answer = rng.choices(returns.SURVEY_SCALE, weights=(5, 3, 1, 1, 1))[0]
                            add_event(db, case, "survey_answer", closes + timedelta(days=16), question=question, answer=answer)
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", required=True)
    parser.add_argument("--quarter", required=True, help="e.g. 2026/27-Q3")
    parser.add_argument("--cases", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    settings = Settings.from_env()
    store = Store(settings.database_url, keys=settings.keys)
    made = seed(store, args.org, returns.quarter(args.quarter), args.cases, random.Random(args.seed))
    print(f"seed_returns: {made} made-up cases for {args.org} around {args.quarter}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What an operator watches, in Prometheus' format: counted in this process, or read from the database when scraped.

Two kinds, because a deployment runs several processes:
- in-process: messages handled per door and outcome, and how long each door's requests
  take. Each process counts its own; with PROMETHEUS_MULTIPROC_DIR set (several
  workers), prometheus-client keeps them in files there and a scrape adds them up.
- from the database, at scrape time (`DatabaseCollector`): outbox depth and oldest age,
  deliveries failed, cases opened, first-contact deadlines overdue. These must be right
  whichever process is scraped, so no process keeps them.

Labels are a landlord's slug, a door or channel name, an outcome or an endpoint name:
never a case reference, a sender, or anything a reporter wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import exists, func, select

from intake.messages import utcnow
from intake.store.db import Store
from intake.store.models import CaseEventRow, CaseRow, OutboxRow

log = logging.getLogger(__name__)
CONTENT_TYPE = CONTENT_TYPE_LATEST

MESSAGES = Counter(
    "intake_messages",
    "Messages the pipeline handled, by landlord, door and outcome (handled, duplicate: a provider's retry, error).",
    ["org", "door", "outcome"],
)
WEBHOOK_SECONDS = Histogram(
    "intake_webhook_duration_seconds",
    "Time to answer a request to a door's routes (Twilio's and Telegram's webhooks, the form's pages), by door, endpoint and status code.",
    ["door", "endpoint", "code"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

WAITING = ("pending", "sending")
# Statuses in which a case is still owed its first contact by an officer.
OPEN_STATUSES = ("in_progress", "submitted", "incomplete")
# The case event that records an officer's first contact (written by the staff console).
FIRST_CONTACT = "first_contact"
# A provider's delivery report that says a message we handed over never arrived.
UNDELIVERED = ("failed", "undelivered")


class DatabaseCollector:
    """Figures read from the database at each scrape, the same whichever process answers it.

    Every landlord has a series on every channel, zero when nothing is there, so an
    alert on a series sees 0 rather than nothing.
    """

    def __init__(self, store: Store, orgs: Iterable[str], doors: Iterable[str], clock: Callable[[], datetime] = utcnow):
        self.store, self.orgs, self.doors, self.clock = store, tuple(orgs), tuple(doors), clock
        # The team's notices and officers' emails to reporters go through the outbox too.
        self.channels = (*self.doors, "email", "reporter_email")

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("intake_metrics_database_up", "1 when the database answered this scrape's queries, else 0.")
        try:
            families = list(self._read(self.clock()))
        except Exception as error:  # a scrape must still answer, saying the database did not
            log.warning("metrics: the database did not answer (%s)", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _read(self, now: datetime) -> Iterator[Metric]:
        with self.store.transaction() as session:
            waiting = session.execute(
                select(OutboxRow.org, OutboxRow.channel, func.count(), func.min(OutboxRow.created_at))
                .where(OutboxRow.status.in_(WAITING))
                .group_by(OutboxRow.org, OutboxRow.channel)
            ).all()
            failed = session.execute(
                select(OutboxRow.org, OutboxRow.channel, func.count())
                .where((OutboxRow.status == "failed") | OutboxRow.delivery_status.in_(UNDELIVERED))
                .group_by(OutboxRow.org, OutboxRow.channel)
            ).all()
            opened = session.execute(
                select(CaseRow.org, CaseRow.channel, func.count()).group_by(CaseRow.org, CaseRow.channel)
            ).all()
            contacted = exists().where(CaseEventRow.case_id == CaseRow.id, CaseEventRow.kind == FIRST_CONTACT)
            overdue = session.execute(
                select(CaseRow.org, func.count())
                .where(CaseRow.first_contact_due < now, CaseRow.status.in_(OPEN_STATUSES), ~contacted)
                .group_by(CaseRow.org)
            ).all()

        depth = self._zeroed(self.channels)
        oldest = self._zeroed(self.channels)
        for org, channel, count, first in waiting:
            depth[org, channel] = count
            oldest[org, channel] = max((now - first).total_seconds(), 0.0) if first is not None else 0.0
        yield _gauge(
            "intake_outbox_depth", "Messages waiting in the outbox (pending or being sent), by landlord and channel.", depth
        )
        yield _gauge(
            "intake_outbox_oldest_age_seconds",
            "Age of the oldest message waiting in the outbox, by landlord and channel; 0 when none waits.",
            oldest,
        )
        failures = self._zeroed(self.channels)
        failures.update({(org, channel): count for org, channel, count in failed})
        yield _counter(
            "intake_deliveries_failed",
            "Outbox messages given up on, or reported undelivered by the provider, by landlord and channel.",
            failures,
        )
        cases = self._zeroed(self.doors)
        cases.update({(org, channel): count for org, channel, count in opened})
        yield _counter("intake_cases_opened", "Cases opened, by landlord and the door the report came through.", cases)
        late = GaugeMetricFamily(
            "intake_first_contact_overdue",
            "Open cases past their first-contact deadline with no first contact recorded, by landlord.",
            labels=["org"],
        )
        counts = dict.fromkeys(self.orgs, 0) | dict(overdue)
        for org, count in sorted(counts.items()):
            late.add_metric([org], count)
        yield late

    def _zeroed(self, channels: Iterable[str]) -> dict[tuple[str, str], float]:
        return {(org, channel): 0 for org in self.orgs for channel in channels}


def _gauge(name: str, documentation: str, values: dict[tuple[str, str], float]) -> Metric:
    family = GaugeMetricFamily(name, documentation, labels=["org", "channel"])
    for labels, value in sorted(values.items()):
        family.add_metric(list(labels), value)
    return family


def _counter(name: str, documentation: str, values: dict[tuple[str, str], float]) -> Metric:
    family = CounterMetricFamily(name, documentation, labels=["org", "channel"])
    for labels, value in sorted(values.items()):
        family.add_metric(list(labels), value)
    return family


class _ThisProcess:
    """This process's own metrics (the default registry), for a registry that also holds the database's."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def registry(database: DatabaseCollector, multiprocess_dir: Path | None = None) -> CollectorRegistry:
    """What a scrape reads: this process's counts (or every worker's, from their files) and the database's figures."""
    found = CollectorRegistry(auto_describe=False)
    if multiprocess_dir is not None:
        MultiProcessCollector(found, path=str(multiprocess_dir))
    else:
        found.register(_ThisProcess())
    found.register(database)
    return found


def exposition(found: CollectorRegistry) -> bytes:
    return generate_latest(found)

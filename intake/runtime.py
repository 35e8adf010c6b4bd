"""Assemble the core from settings, and run the one background worker."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Mapping

from intake import housekeeping, nlp, outbox, reporter_messages, risk
from intake.engine.wording import MESSAGE_PLACEHOLDERS
from intake.flow import check, load_flow, load_keywords, load_vocabulary
from intake.messages import DoorTraits, utcnow
from intake.notify import EmailSender, ReporterEmailSender, TeamNoticeSender
from intake.orgs import load_profiles
from intake.pipeline import Intake
from intake.settings import Settings
from intake.store.db import Store

log = logging.getLogger(__name__)
HOUSEKEEPING_EVERY_SECONDS = 30.0


def load_intake(settings: Settings, doors: Mapping[str, DoorTraits] | None = None) -> Intake:
    """The core, with every data file checked now rather than on the first message that needs it.

    The flow is cross-checked against every landlord on every door, so a profile that
    would crash a conversation stops start-up, naming its file and field.
    """
    flow, keywords = load_flow(), load_keywords()
    load_vocabulary()
    risk.load_matrix()
    reporter_messages.templates()
    nlp.check_patterns()
    profiles = load_profiles()
    doors = dict(doors or {})
    check.check(flow, profiles, doors.values() or [DoorTraits("console")], keywords, MESSAGE_PLACEHOLDERS)
    return Intake(
        store=Store(settings.database_url, keys=settings.keys),
        profiles=profiles,
        public_url=settings.public_url,
        team_emails=settings.team_emails,
        doors=doors,
    )


def core_senders(settings: Settings) -> dict[str, outbox.Sender]:
    """Senders the core owns; each door adds its own."""
    mail = EmailSender(settings.email, settings.mail_dir)
    return {
        "email": TeamNoticeSender(mail, settings.email.sender),
        "reporter_email": ReporterEmailSender(mail, settings.email.sender),
    }


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def work(
    intake: Intake,
    senders: Mapping[str, outbox.Sender],
    *,
    once: bool = False,
    idle_sleep: float = 1.0,
    stop: threading.Event | None = None,
    recheck_seconds: float = outbox.RECHECK_SECONDS,
) -> int:
    """Deliver the outbox and run housekeeping when due; with `once`, a single pass.

    A send whose outcome is unknown waits `recheck_seconds` before it is reconciled."""
    name = worker_name()
    stop = stop or threading.Event()
    delivered, last_housekeeping = 0, 0.0
    while not stop.is_set():
        if time.monotonic() - last_housekeeping >= HOUSEKEEPING_EVERY_SECONDS or once:
            expired = housekeeping.run_due(intake, utcnow())
            if expired:
                log.info("worker: closed %d idle conversations", expired)
            last_housekeeping = time.monotonic()
        sent = outbox.deliver_due(intake.store, senders, name, recheck_seconds=recheck_seconds)
        delivered += sent
        if once:
            while sent:
                sent = outbox.deliver_due(intake.store, senders, name, recheck_seconds=recheck_seconds)
                delivered += sent
            break
        if not sent and not stop.is_set():
            intake.waker.wait(idle_sleep)  # a turn that queues something wakes it at once
    return delivered

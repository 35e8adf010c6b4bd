"""Deliver Telegram replies as soon as they are queued, and retry what failed, in a background thread."""

from __future__ import annotations

import logging
import threading

from intake import outbox
from intake.outbox import Sender
from intake.runtime import worker_name
from intake.store.db import Store

log = logging.getLogger(__name__)
RETRY_EVERY_SECONDS = 5.0


class Kicker:
    """A webhook commits its replies to the outbox and kicks this; the worker (`intake outbox work`) retries too."""

    def __init__(self, store: Store, sender: Sender, channel: str = "telegram"):
        self.store, self.sender, self.channel = store, sender, channel
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def kick(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name=f"{self.channel}-delivery", daemon=True)
                self._thread.start()
        self._wake.set()

    def deliver_now(self) -> int:
        """Deliver everything due on this channel, in order, until nothing is left."""
        total, name = 0, worker_name()
        while sent := outbox.deliver_due(self.store, {self.channel: self.sender}, name, channels=(self.channel,)):
            total += sent
        return total

    def _serve(self) -> None:
        while True:
            self._wake.wait(RETRY_EVERY_SECONDS)
            self._wake.clear()
            try:
                self.deliver_now()
            except Exception as crash:  # the database went away: the next kick or tick tries again
                log.error("telegram delivery: %s", type(crash).__name__)

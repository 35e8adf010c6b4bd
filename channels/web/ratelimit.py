"""A per-client limit on form submissions, kept in this process.

`intake run` serves the app as one waitress process, so one in-process window per client
is exact there and needs no shared store. Behind several processes each keeps its own
window, so the effective limit is multiplied by their number: a deployment that runs
many would move this to the database or a shared cache.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    """At most `limit` events per client in any `window` seconds."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic, max_clients: int = 10_000):
        self.limit, self.window, self.clock, self.max_clients = limit, window, clock, max_clients
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        """Count one event for `client`; False when it is over the limit (the refused event is not counted)."""
        now = self.clock()
        with self._lock:
            times = self._seen.setdefault(client, deque())
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) >= self.limit:
                return False
            times.append(now)
            if len(self._seen) > self.max_clients:
                self._forget_idle(now)
            return True

    def _forget_idle(self, now: float) -> None:
        # Bounded memory under a flood from many addresses: drop clients with nothing in their window.
        for client in [c for c, t in self._seen.items() if not t or t[-1] <= now - self.window]:
            del self._seen[client]

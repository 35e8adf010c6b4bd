"""Run python-telegram-bot's async Bot from synchronous code, on one event loop per process.

Waitress serves requests on several threads, and the outbox worker runs in another. A
Bot's HTTP client belongs to the event loop it first ran on, so every call goes to one
loop running in its own daemon thread (asyncio.run_coroutine_threadsafe). That keeps
one connection pool and its warm TLS connections for the whole process; a fresh loop
per call would need a fresh Bot and a new handshake with Telegram for every message.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from telegram import Bot
from telegram.request import HTTPXRequest

from channels.telegram.config import BotConfig

T = TypeVar("T")
CALL_TIMEOUT_SECONDS = 60.0

# httpx logs every request URL at INFO, and a Bot API URL carries the bot's token.
logging.getLogger("httpx").setLevel(logging.WARNING)
# python-telegram-bot logs each Bot API call's parameters and answer at DEBUG: the chat id
# and the text sent, which can quote the reporter (the summary does). Even at DEBUG, never.
logging.getLogger("telegram").setLevel(logging.INFO)


class Runner:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._bots: dict[tuple[str, str], Bot] = {}

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or not self._loop.is_running():
                loop = asyncio.new_event_loop()
                started = threading.Event()

                def serve() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(started.set)
                    loop.run_forever()

                threading.Thread(target=serve, name="telegram-bot-loop", daemon=True).start()
                started.wait()
                self._loop = loop
            return self._loop

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = CALL_TIMEOUT_SECONDS) -> T:
        """Run `coroutine` on the Bot loop and wait for its result (or its exception); TimeoutError past `timeout`."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self._ensure_loop())
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()  # a call that has waited too long is not left running on the loop
            raise

    def bot(self, config: BotConfig) -> Bot:
        """One Bot per token and API base, reused for every call."""
        key = (config.token, config.api_base)
        with self._lock:
            if key not in self._bots:
                self._bots[key] = make_bot(config)
            return self._bots[key]

    def forget_bots(self) -> None:
        """Drop every cached Bot (and its pooled connections), e.g. when the API server it knew is gone."""
        with self._lock:
            self._bots.clear()


def make_bot(config: BotConfig) -> Bot:
    # Several threads send at once through one loop: a pool bigger than PTB's default of one.
    timeout = config.timeout
    request = HTTPXRequest(
        connection_pool_size=8, connect_timeout=timeout, read_timeout=timeout, write_timeout=timeout, pool_timeout=timeout
    )
    return Bot(config.token, base_url=config.base_url, base_file_url=config.base_file_url, request=request)


RUNNER = Runner()

"""`intake telegram poll`: for a landlord whose deployment cannot take webhooks, ask Telegram for updates.

It drives getUpdates itself, through python-telegram-bot's Bot, rather than with the
Application's Updater, because the Updater confirms an update to Telegram (by moving
the offset on) as soon as it has fetched it, whether or not handling it worked. Here
the offset moves past an update only once the pipeline has committed it, so a crash or
a database outage loses nothing: Telegram sends it again and the pipeline's receipt of
its update_id makes sure it counts once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

from telegram import Bot
from telegram.error import RetryAfter, TelegramError

from channels.errors import BadRequest, Ignored

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
LONG_POLL_SECONDS = 25
ATTEMPTS_PER_UPDATE = 5


def poll(
    bot: Bot,
    receive: Callable[[dict], None],
    stop: threading.Event,
    *,
    long_poll: int = LONG_POLL_SECONDS,
    pause: Callable[[float], None] | None = None,
) -> None:
    """Fetch and handle updates one by one, in order, until `stop` is set."""
    pause = pause or stop.wait
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(bot.initialize())
        # getUpdates is refused while a webhook is set.
        loop.run_until_complete(bot.delete_webhook(drop_pending_updates=False))
        offset: int | None = None
        failures = 0
        while not stop.is_set():
            try:
                updates = loop.run_until_complete(
                    bot.get_updates(
                        offset=offset, timeout=long_poll, allowed_updates=ALLOWED_UPDATES, read_timeout=long_poll + 10
                    )
                )
            except RetryAfter as error:
                wait = error.retry_after
                pause(wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait))  # type: ignore[union-attr]
                continue
            except TelegramError as error:
                log.warning("telegram poll: getUpdates failed (%s)", type(error).__name__)
                pause(min(2**failures, 60))
                failures += 1
                continue
            failures = 0
            for update in updates:
                if stop.is_set():
                    break
                _handle(receive, update.to_dict(), pause)
                offset = update.update_id + 1
    finally:
        loop.run_until_complete(bot.shutdown())
        loop.close()


def _handle(receive: Callable[[dict], None], data: dict, pause: Callable[[float], None]) -> None:
    """Handle one update, trying again while it fails (the database restarting, say)."""
    for attempt in range(1, ATTEMPTS_PER_UPDATE + 1):
        try:
            receive(data)
            return
        except (BadRequest, Ignored):
            return
        except Exception as crash:
            log.error("telegram poll: update failed, attempt %d (%s)", attempt, type(crash).__name__)
            pause(min(2**attempt, 30))
    # One update that can never be handled must not stop every other reporter's.
    log.error("telegram poll: update skipped after %d attempts", ATTEMPTS_PER_UPDATE)

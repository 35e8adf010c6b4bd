"""Failures that cross from the edges into the core."""


class SendError(Exception):
    """A message could not be handed to its provider.

    `retryable` says whether the outbox should try again later (5xx, 429, timeouts)
    or give up (an unsubscribed number, a bad address). `retry_after` is the
    provider's own wait in seconds, when it gave one.
    """

    def __init__(self, reason: str, *, retryable: bool, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


class ConfigError(Exception):
    """A settings value, profile or data file is wrong; the message names the file and field."""

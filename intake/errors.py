"""Failures that cross from the edges into the core."""


class SendError(Exception):
    """A message could not be handed to its provider.

    `retryable` says whether the outbox should try again later (5xx, 429, timeouts)
    or give up (an unsubscribed number, a bad address). `retry_after` is the
    provider's own wait in seconds, when it gave one. `outcome_unknown` says the
    request may have reached the provider all the same (it took the message but its
    answer timed out, or the connection broke after the request went): the outbox
    then reconciles before it sends the message again.
    """

    def __init__(self, reason: str, *, retryable: bool, retry_after: float | None = None, outcome_unknown: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable or outcome_unknown
        self.retry_after = retry_after
        self.outcome_unknown = outcome_unknown


class ConfigError(Exception):
    """A settings value, profile or data file is wrong; the message names the file and field."""

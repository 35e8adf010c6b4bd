"""What a door answers a provider with: 400 for malformed, 200 for ignored, SendError for the outbox."""

from intake.errors import SendError


class BadRequest(Exception):
    """The provider's payload is malformed: answer 400 with the reason."""


class Ignored(Exception):
    """A kind of update we do not handle: answer 200 so the provider does not retry."""


__all__ = ["BadRequest", "Ignored", "SendError"]

"""Keyed hashes of senders, so a conversation can be found again without keeping who sent it."""

from __future__ import annotations

import hashlib
import hmac


def sender_key(secret: str, channel: str, address: str) -> str:
    """The HMAC-SHA256 of a channel's address for a sender (a phone number, a chat id)."""
    digest = hmac.new(secret.encode(), f"{channel}:{address}".encode(), hashlib.sha256)
    return digest.hexdigest()

"""Senders who said STOP: nothing goes to them on that door until they say START."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from intake.store.models import OptOutRow

_OPTED_OUT = select(OptOutRow.id).where(OptOutRow.channel == bindparam("channel"), OptOutRow.sender_key == bindparam("key"))


def opted_out(session: Session, channel: str, sender_key: str) -> bool:
    return session.scalar(_OPTED_OUT, {"channel": channel, "key": sender_key}) is not None


def opt_out(session: Session, channel: str, sender_key: str, at: datetime, *, already: bool) -> None:
    """Record a STOP; `already` is what `opted_out` said when the message was loaded."""
    if not already:
        session.add(OptOutRow(channel=channel, sender_key=sender_key, at=at))


def opt_in(session: Session, channel: str, sender_key: str) -> None:
    session.execute(delete(OptOutRow).where(OptOutRow.channel == channel, OptOutRow.sender_key == sender_key))

"""Senders who said STOP: nothing goes to them on that door until they say START."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from intake.store.models import OptOutRow


def opted_out(session: Session, channel: str, sender_key: str) -> bool:
    query = select(OptOutRow.id).where(OptOutRow.channel == channel, OptOutRow.sender_key == sender_key)
    return session.scalar(query) is not None


def opt_out(session: Session, channel: str, sender_key: str, at: datetime, *, already: bool) -> None:
    """Record a STOP; `already` is what `opted_out` said when the message was loaded."""
    if not already:
        session.add(OptOutRow(channel=channel, sender_key=sender_key, at=at))


def opt_in(session: Session, channel: str, sender_key: str) -> None:
    session.execute(delete(OptOutRow).where(OptOutRow.channel == channel, OptOutRow.sender_key == sender_key))

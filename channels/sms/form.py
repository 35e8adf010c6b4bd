"""Twilio's webhook forms, decoded strictly: what a valid request must hold, and why one is refused."""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

E164 = r"^\+[1-9][0-9]{6,14}$"
MAX_MEDIA = 10  # Twilio's own limit per message
MAX_BODY = 1600  # Twilio joins a long text into one Body of at most this


class MalformedForm(ValueError):
    """The request is signed but does not hold what Twilio sends; the reason says what is wrong."""


class Media(BaseModel):
    model_config = ConfigDict(frozen=True)
    url: str
    content_type: str


class InboundSms(BaseModel):
    """An incoming message webhook (https://www.twilio.com/docs/messaging/guides/webhook-request)."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    message_sid: str = Field(alias="MessageSid", pattern=r"^(SM|MM)[0-9a-fA-F]{32}$")
    account_sid: str = Field(alias="AccountSid", pattern=r"^AC[0-9a-fA-F]{32}$")
    sender: str = Field(alias="From", min_length=3, max_length=32)
    to: str = Field(alias="To", pattern=E164)
    body: str = Field(alias="Body", default="", max_length=MAX_BODY)
    num_media: int = Field(alias="NumMedia", default=0, ge=0, le=MAX_MEDIA)
    media: tuple[Media, ...] = ()

    @field_validator("sender")
    @classmethod
    def _address(cls, value: str) -> str:
        # E.164 from phones; short codes and alphanumeric senders are not people to answer.
        if not re.fullmatch(E164, value):
            raise ValueError("From is not an E.164 phone number")
        return value


class StatusCallback(BaseModel):
    """A message status callback (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status)."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    message_sid: str = Field(alias="MessageSid", pattern=r"^(SM|MM)[0-9a-fA-F]{32}$")
    account_sid: str = Field(alias="AccountSid", pattern=r"^AC[0-9a-fA-F]{32}$")
    status: str = Field(alias="MessageStatus", pattern=r"^[a-z_]{3,20}$")
    error_code: int | None = Field(alias="ErrorCode", default=None)


def _reason(error: ValidationError) -> str:
    # Field names and what was wrong, never the values: they may be a phone number or words.
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors(include_input=False))


def inbound_sms(form: Mapping[str, str]) -> InboundSms:
    fields = dict(form)
    try:
        count = int(fields.get("NumMedia") or 0)
    except ValueError:
        raise MalformedForm("NumMedia: not a whole number") from None
    media = []
    for index in range(max(0, min(count, MAX_MEDIA))):
        url, kind = fields.get(f"MediaUrl{index}"), fields.get(f"MediaContentType{index}")
        if not url or not kind:
            raise MalformedForm(f"MediaUrl{index}/MediaContentType{index}: missing for NumMedia={count}")
        media.append(Media(url=url, content_type=kind))
    try:
        return InboundSms.model_validate({**fields, "media": tuple(media)})
    except ValidationError as error:
        raise MalformedForm(_reason(error)) from None


def status_callback(form: Mapping[str, str]) -> StatusCallback:
    fields = {k: v for k, v in form.items() if not (k == "ErrorCode" and v == "")}
    try:
        return StatusCallback.model_validate(fields)
    except ValidationError as error:
        raise MalformedForm(_reason(error)) from None

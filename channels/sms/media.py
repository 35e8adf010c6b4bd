"""MMS photos: fetched from Twilio with the account's credentials, checked, kept, then deleted at Twilio."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import requests

from channels import uploads
from channels.sms.config import TwilioAccount
from channels.sms.form import Media
from channels.sms.twilio_api import client, media_prefix
from intake.messages import Attachment
from intake.store.crypto import DataKeys

log = logging.getLogger(__name__)
_MEDIA_SID = re.compile(r"/Messages/(MM[0-9a-fA-F]{32})/Media/(ME[0-9a-fA-F]{32})$")


def fetch_all(
    account: TwilioAccount, media: tuple[Media, ...], uploads_dir: Path, keys: DataKeys
) -> tuple[list[Attachment], list[str]]:
    """The attachments that could be kept, and why each of the others was not (messages.FILE_REFUSALS)."""
    kept: list[Attachment] = []
    refused: list[str] = []
    for index, item in enumerate(media):
        found = _fetch(account, item, uploads_dir, keys, index)
        if isinstance(found, str):
            refused.append(found)
        else:
            kept.append(found)
    return kept, refused


def _fetch(account: TwilioAccount, item: Media, uploads_dir: Path, keys: DataKeys, index: int) -> Attachment | str:
    if not item.url.startswith(media_prefix(account)) or _MEDIA_SID.search(item.url) is None:
        log.warning("sms media %d: not a media URL of this Twilio account, not fetched", index)
        return "not_fetched"
    try:
        data = _download(account, item.url)
    except requests.RequestException as error:
        log.warning("sms media %d: download failed (%s)", index, type(error).__name__)
        return "not_fetched"
    if data is None:
        log.warning("sms media %d: larger than %d bytes, refused", index, uploads.MAX_BYTES)
        return "too_big"
    kind = uploads.sniff(data[:32])
    if kind is None:
        log.warning("sms media %d: not an image or PDF by its content, refused", index)
        return "wrong_kind"
    data = uploads.cleaned(kind, data)
    if data is None:
        log.warning("sms media %d: an image that does not decode, refused", index)
        return "wrong_kind"
    path = uploads.write(uploads_dir / "sms", kind, data, keys, name_seed=item.url)
    _delete_at_twilio(account, item.url, index)
    return Attachment(
        filename=f"photo-{index + 1}.{uploads.extension(kind)}", content_type=kind, size=len(data), stored_path=str(path)
    )


def _download(account: TwilioAccount, url: str) -> bytes | None:
    # Twilio answers with a redirect to short-lived storage; requests drops the credentials
    # when the host changes, which is what we want.
    with requests.get(
        url, auth=(account.account_sid, account.auth_token), timeout=(3.05, account.timeout), stream=True
    ) as response:
        response.raise_for_status()
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > uploads.MAX_BYTES:
            return None
        data = bytearray()
        for chunk in response.iter_content(64 * 1024):
            data.extend(chunk)
            if len(data) > uploads.MAX_BYTES:
                return None
        return bytes(data)


def _delete_at_twilio(account: TwilioAccount, url: str, index: int) -> None:
    """Twilio keeps MMS media until it is deleted; once we hold the photo, it should not."""
    found = _MEDIA_SID.search(url)
    assert found is not None
    message_sid, media_sid = found.groups()
    try:
        client(account).messages(message_sid).media(media_sid).delete()
    except Exception as error:  # the photo is safe with us; Twilio's copy is a privacy clean-up
        log.warning("sms media %d: could not delete Twilio's copy (%s)", index, type(error).__name__)

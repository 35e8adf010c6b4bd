"""Photos and documents a reporter sends: checked by their bytes, kept outside the web root."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from intake.messages import Attachment

MAX_BYTES = 10 * 1024 * 1024  # Telegram lets a bot download up to 20 MB; a photo or letter needs far less.

# What the bytes say, never what the sender's file name or MIME type claims.
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
    (b"%PDF-", "application/pdf", "pdf"),
)


def sniff(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an image or PDF, or None for anything else."""
    for magic, content_type, extension in _SIGNATURES:
        if data.startswith(magic):
            return content_type, extension
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def keep(uploads_dir: Path, data: bytes, original_name: str | None) -> Attachment | None:
    """Store an accepted file under a random name readable only by us; None when it is refused."""
    if not data or len(data) > MAX_BYTES:
        return None
    kind = sniff(data)
    if kind is None:
        return None
    content_type, extension = kind
    folder = uploads_dir / "telegram"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(16)}.{extension}"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    name = Path(original_name).name[:200] if original_name else f"telegram.{extension}"
    return Attachment(filename=name, content_type=content_type, size=len(data), stored_path=str(path))

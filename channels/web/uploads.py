"""Evidence files from the web form: checked by what is in them, stored outside the web root under a random name."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path, PurePath

from intake.messages import Attachment

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5

# The first bytes of each kind we accept, and the name endings that honestly describe it.
_KINDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("image/jpeg", "jpg", (".jpg", ".jpeg")),
    ("image/png", "png", (".png",)),
    ("image/gif", "gif", (".gif",)),
    ("image/webp", "webp", (".webp",)),
    ("application/pdf", "pdf", (".pdf",)),
)


@dataclass(frozen=True)
class Rejected:
    """Why a file was refused: "type" (not an image or PDF, or not what its name says) or "size"."""

    reason: str


def sniff(head: bytes) -> str | None:
    """The content type the file's own first bytes declare, if it is one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def check(filename: str, data: bytes) -> str | Rejected:
    """The file's content type, or why it is refused: the content decides, and the name must not claim otherwise."""
    if len(data) > MAX_FILE_BYTES:
        return Rejected("size")
    kind = sniff(data[:16])
    if kind is None:
        return Rejected("type")
    suffix = PurePath(filename).suffix.lower()
    endings = next(e for k, _, e in _KINDS if k == kind)
    # A name claiming another kind (a PDF called photo.jpg) misleads whoever opens it later.
    if suffix and suffix not in endings:
        return Rejected("type")
    return kind


def store(directory: Path, filename: str, kind: str, data: bytes) -> Attachment:
    """Write the file under a random name no URL leads to, readable by this service's user only."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    extension = next(ext for k, ext, _ in _KINDS if k == kind)
    path = directory / f"{secrets.token_hex(16)}.{extension}"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    # Keep only the name's last part: a browser may send a whole client path.
    shown = PurePath(filename.replace("\\", "/")).name[:200] or f"evidence.{extension}"
    return Attachment(filename=shown, content_type=kind, size=len(data), stored_path=str(path))

"""Evidence files from the web form: checked by what is in them, stored outside the web root under a random name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath

from channels import uploads
from intake.messages import Attachment
from intake.store.crypto import DataKeys

MAX_FILE_BYTES = uploads.MAX_BYTES
MAX_FILES = 5


@dataclass(frozen=True)
class Rejected:
    """Why a file was refused: "type" (not an image or PDF), "name" (its name claims another kind) or "size"."""

    reason: str


def check(filename: str, data: bytes) -> tuple[str, bytes] | Rejected:
    """The file's content type and the file as it may be kept (channels.uploads.cleaned), or why it is refused.

    The content decides, and the name must not claim otherwise."""
    if len(data) > MAX_FILE_BYTES:
        return Rejected("size")
    kind = uploads.sniff(data[:16])
    if kind is None:
        return Rejected("type")
    suffix = PurePath(filename).suffix.lower()
    # A name claiming another kind (a PDF called photo.jpg) misleads whoever opens it later.
    if suffix and suffix not in uploads.KINDS[kind][1]:
        return Rejected("name")
    kept = uploads.cleaned(kind, data)
    if kept is None:
        return Rejected("type")  # an image whose pixels cannot be read cannot be kept without its metadata
    return kind, kept


def store(directory: Path, filename: str, kind: str, data: bytes, keys: DataKeys) -> Attachment:
    """Write the file encrypted under a random name no URL leads to, readable by this service's user only.

    `data` is the file as `check` gave it back: an image already without its metadata."""
    path = uploads.write(directory, kind, data, keys)
    # Keep only the name's last part: a browser may send a whole client path.
    shown = PurePath(filename.replace("\\", "/")).name[:200] or f"evidence.{uploads.extension(kind)}"
    return Attachment(filename=shown, content_type=kind, size=len(data), stored_path=str(path))

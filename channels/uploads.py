"""Files reporters send: what a file really is (by its bytes, not its name) and where it is kept."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

# Images a phone sends and PDF letters; anything else is refused.
MAX_BYTES = 10 * 1024 * 1024
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp", "image/heic": "heic",
              "application/pdf": "pdf"}  # fmt: skip
_HEIC_BRANDS = (b"heic", b"heix", b"mif1", b"msf1", b"hevc")


def sniff(head: bytes) -> str | None:
    """The accepted type these first bytes belong to, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return "image/heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def store(uploads_dir: Path, door: str, name_seed: str, content_type: str, data: bytes) -> Path:
    """Write the file outside the web root, readable by this service only.

    The name comes from a hash of `name_seed` (the provider's id for the file), so a
    retried webhook overwrites the same file instead of leaving a second copy.
    """
    folder = uploads_dir / door
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{hashlib.sha256(name_seed.encode()).hexdigest()[:32]}.{EXTENSIONS[content_type]}"
    temporary = path.with_suffix(path.suffix + ".part")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)
    return path

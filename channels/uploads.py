"""Files reporters send, on every door: what a file really is (by its bytes, not its name) and where it is kept.

Every file is kept encrypted under the data keys; `intake.store.crypto.read_file` opens it.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from pathlib import Path

from intake.evidence import KINDS, MAX_FILE_BYTES
from intake.store.crypto import DataKeys, write_file

MAX_BYTES = MAX_FILE_BYTES


def sniff(head: bytes) -> str | None:
    """The accepted content type these first bytes belong to, or None."""
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


IMAGES = ("image/jpeg", "image/png", "image/gif", "image/webp")


def cleaned(content_type: str, data: bytes) -> bytes | None:
    """The file as it may be kept: an image decoded and saved again with no metadata, anything else as it came.

    A photo's EXIF can hold where it was taken (often the reporter's home), the phone and its
    owner's name; only the pixels survive. None when an image does not decode: it is refused,
    since the original is never stored.
    """
    if content_type not in IMAGES:
        return data
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            frames = getattr(image, "n_frames", 1)
            fmt = image.format
            if frames > 1 and fmt in ("GIF", "WEBP"):
                out = io.BytesIO()
                image.save(out, format=fmt, save_all=True)  # an animation keeps its frames, not its metadata
                return out.getvalue()
            upright = ImageOps.exif_transpose(image)  # turned as the phone meant it, before the orientation tag goes
            pixels = upright.copy()
            pixels.info = {}  # EXIF, XMP, ICC, text chunks: none is written again
            if fmt == "JPEG" and pixels.mode not in ("RGB", "L", "CMYK"):
                pixels = pixels.convert("RGB")
            out = io.BytesIO()
            pixels.save(out, format=fmt or "PNG", **({"quality": 92} if fmt == "JPEG" else {}))
            return out.getvalue()
    except Exception:
        return None


def extension(content_type: str) -> str:
    return KINDS[content_type][0]


def write(folder: Path, content_type: str, data: bytes, keys: DataKeys, name_seed: str | None = None) -> Path:
    """Write the file encrypted, outside the web root, readable by this service only, under a name no URL leads to.

    With `name_seed` (a provider's id for the file) the name is a hash of it, so a retried
    webhook overwrites the same file instead of leaving a second copy; otherwise it is random.
    """
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stem = hashlib.sha256(name_seed.encode()).hexdigest()[:32] if name_seed else secrets.token_hex(16)
    path = folder / f"{stem}.{extension(content_type)}"
    write_file(path, data, keys)
    return path

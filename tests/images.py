"""Real tiny images for the tests that send photos: every door now decodes a photo and saves it again (channels.uploads.cleaned)."""

from __future__ import annotations

import io

from PIL import Image


def _saved(fmt: str, size: tuple[int, int] = (9, 9), **options) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt, **options)
    return out.getvalue()


# Already as the doors keep them (no metadata), so a stored copy is byte for byte the one sent.
PNG = _saved("PNG")
JPEG = _saved("JPEG", quality=92)


def jpeg_with_gps() -> bytes:
    """A photo as a phone takes it: EXIF with the camera's owner and where it was taken."""
    exif = Image.Exif()
    exif[0x013B] = "Amina Yusuf"  # Artist
    exif[0x0110] = "Pixel 8 Pro"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (52.0, 2.0, 30.0), "W", (0.0, 45.0, 10.0)
    return _saved("JPEG", size=(32, 24), exif=exif.tobytes())

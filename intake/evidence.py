"""What files a report keeps: how many, how big, and of which kinds. Every door refuses the rest with a reason."""

from __future__ import annotations

# Images a phone sends and PDF letters; anything else is refused.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_REPORT = 20
# content type -> (extension we store it under, name endings that honestly describe it)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "image/jpeg": ("jpg", (".jpg", ".jpeg")),
    "image/png": ("png", (".png",)),
    "image/gif": ("gif", (".gif",)),
    "image/webp": ("webp", (".webp",)),
    "application/pdf": ("pdf", (".pdf",)),
}


def size_words() -> str:
    """The largest file, as reporters read it ("10 MB")."""
    return f"{MAX_FILE_BYTES // 2**20} MB"

"""Photos and documents a reporter sends: checked by their bytes, kept outside the web root."""

from __future__ import annotations

from pathlib import Path

from channels import uploads
from intake.messages import Attachment
from intake.store.crypto import DataKeys

MAX_BYTES = uploads.MAX_BYTES  # Telegram lets a bot download up to 20 MB; a photo or letter needs far less.


def keep(uploads_dir: Path, keys: DataKeys, data: bytes, original_name: str | None, name_seed: str) -> Attachment | str:
    """Store an accepted file under a name readable only by us; else why it was refused (messages.FILE_REFUSALS)."""
    if not data:
        return "not_fetched"
    if len(data) > MAX_BYTES:
        return "too_big"
    content_type = uploads.sniff(data[:16])
    if content_type is None:
        return "wrong_kind"
    data = uploads.cleaned(content_type, data)
    if data is None:
        return "wrong_kind"
    path = uploads.write(uploads_dir / "telegram", content_type, data, keys, name_seed=name_seed)
    name = Path(original_name).name[:200] if original_name else f"telegram.{uploads.extension(content_type)}"
    return Attachment(filename=name, content_type=content_type, size=len(data), stored_path=str(path))

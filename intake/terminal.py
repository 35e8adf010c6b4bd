"""Text made safe to print to a terminal: what a reporter wrote can carry escape sequences.

A terminal obeys the control characters in what it prints: ESC sequences set its title,
clear the screen or rewrite what is already there, a bare CR overwrites a line, and
bidirectional overrides reorder what the eye reads. Each becomes a visible escape
(`\\x1b`, `\\u202e`). Joiners and marks that scripts need (ZWJ, ZWNJ, LRM) are left as they are.
"""

from __future__ import annotations

import json
from typing import Any

# Bidirectional embeddings, overrides and isolates: they make a terminal show text in another order than it is.
_REORDERING = {*range(0x202A, 0x202F), *range(0x2066, 0x206A)}
# Line and paragraph separators: some terminals break the line at them.
_SEPARATORS = {0x2028, 0x2029}


def _unsafe(code: int) -> bool:
    return code < 0x20 or 0x7F <= code <= 0x9F or code in _REORDERING or code in _SEPARATORS


def _escape(code: int, json_form: bool) -> str:
    if json_form or code > 0xFF:
        return f"\\u{code:04x}"
    return {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}.get(code, f"\\x{code:02x}")


_TEXT = {code: _escape(code, False) for code in range(0x2070) if _unsafe(code)}
_LINES = {code: text for code, text in _TEXT.items() if code != 0x0A}
_JSON = {code: _escape(code, True) for code in _TEXT if code != 0x0A}


def escape(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every control character shown as an escape; with `keep_newlines`, line breaks stay line breaks."""
    return text.translate(_LINES if keep_newlines else _TEXT)


def dumps(data: Any, **options: Any) -> str:
    """JSON as json.dumps writes it (UTF-8 kept), with the control characters it leaves raw written as \\u escapes.

    json.dumps escapes U+0000-U+001F itself, but not DEL, the C1 controls (U+0080-U+009F, one of
    which starts an escape sequence), the bidirectional controls or the line separators; the
    escapes it adds are JSON's own, so a reader gets back exactly the same strings.
    """
    return json.dumps(data, ensure_ascii=False, **options).translate(_JSON)

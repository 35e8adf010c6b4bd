"""Links made in a reply's text for a page: its web addresses, and 999 as a call."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from intake.i18n import ISOLATES

# A web address ends before a direction isolate: in right-to-left text the translator wraps it in
# U+2068…U+2069 (intake/i18n.py), and an isolate kept in the link asks for "?lang=ar%E2%81%A9", an unknown language.
_URL = re.compile(rf"https?://[^\s<>\"'{ISOLATES}]+[^\s<>\"'.,;:!?){ISOLATES}]")
# 999 said on its own, not inside a longer number or a reference (MK-999ABC).
_EMERGENCY = re.compile(r"(?<![\w-])999(?!\w)")


def linkify(text: str) -> Markup:
    """Escape a reply's text and make its web addresses links (the Victims Code page, a signpost's site), and 999 a call."""
    parts: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        parts.append(_calls(text[last : match.start()]))
        url = escape(match.group(0))
        parts.append(f'<a class="govuk-link" href="{url}">{url}</a>')
        last = match.end()
    parts.append(_calls(text[last:]))
    return Markup("".join(parts))


def _calls(text: str) -> str:
    return _EMERGENCY.sub('<a class="govuk-link" href="tel:999">999</a>', str(escape(text)))

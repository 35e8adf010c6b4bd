"""Find UK postcodes in a message."""

from __future__ import annotations

import re

# The outward and inward shapes from the gov.uk postcode data standard, with the letters
# each position never uses, so "sn1 5pm" (a time) is not taken for a postcode.
_OUTWARD = (
    r"(?P<outward>[a-pr-uwyz][0-9][0-9]?|[a-pr-uwyz][a-hk-y][0-9][0-9]?"
    r"|[a-pr-uwyz][0-9][a-hjkpstuw]|[a-pr-uwyz][a-hk-y][0-9][abehmnprvwxy])"
)
_INWARD = r"(?P<inward>[0-9][abd-hjlnp-uw-z]{2})"
_POSTCODE = re.compile(rf"(?<![a-z0-9]){_OUTWARD} ?{_INWARD}(?![a-z0-9])", re.ASCII)
# The same shapes in a message as written, for redaction: any case, a space or hyphen between.
POSTCODE_IN_TEXT = re.compile(rf"(?<![a-z0-9]){_OUTWARD}[ -]?{_INWARD}(?![a-z0-9])", re.ASCII | re.IGNORECASE)


def find_postcodes(folded: str) -> tuple[str, ...]:
    """Return the UK postcodes in normalised text, like "MK9 3EJ", in order, each once.

    Takes `normalise`d text, which is already casefolded, in ASCII digits, and has
    punctuation as single spaces, so "mk93ej", "MK9-3EJ" and "ＭＫ９ ３ＥＪ" all match.
    """
    found = dict.fromkeys(f"{m['outward']} {m['inward']}".upper() for m in _POSTCODE.finditer(folded))
    return tuple(found)

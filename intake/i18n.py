"""Babel catalogs: load them once, pick a reporter's language, format for their locale."""

from __future__ import annotations

import gettext as _gettext
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.support import Translations

TRANSLATIONS_DIR = Path(os.environ.get("INTAKE_TRANSLATIONS_DIR", Path(__file__).resolve().parent.parent / "translations"))
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"

# Catalog codes in the order a language menu lists them. A code is offered to reporters
# only once its compiled catalog exists (English, the msgid language, always is).
LANGUAGES = (
    "en",
    "en_easy",
    "pl",
    "ro",
    "pa",
    "pa_Arab",
    "ur",
    "pt",
    "es",
    "ar",
    "bn",
    "gu",
    "so",
    "fa",
    "uk",
)
RTL_LANGUAGES = frozenset({"ar", "ur", "fa", "pa_Arab"})
FSI, PDI = "\u2068", "\u2069"
# Every direction isolate and its closer (LRI, RLI, FSI, PDI): for text only, never an address or an attribute.
ISOLATES = "\u2066\u2067\u2068\u2069"
_LEFT_TO_RIGHT = re.compile(r"[A-Za-z0-9]")

# The locale Babel formats dates and numbers with, where the catalog code is not one.
_FORMAT_LOCALES = {"en": "en_GB", "en_easy": "en_GB", "pa_Arab": "pa_Arab_PK"}
# Native names where Babel's own would confuse a reporter choosing between scripts.
_NATIVE_NAMES = {
    "en_easy": "Easy Read English",
    "pa": "ਪੰਜਾਬੀ (ਗੁਰਮੁਖੀ)",
    "pa_Arab": "پنجابی (شاہ مکھی)",
}


@dataclass(frozen=True)
class Translator:
    """Every word a reporter sees passes through one of these."""

    code: str
    catalog: _gettext.NullTranslations

    def __call__(self, msgid: str, **params: object) -> str:
        text = self.catalog.gettext(msgid)
        return text % self._isolated(params) if params else text

    def plural(self, singular: str, plural: str, n: int, **params: object) -> str:
        text = self.catalog.ngettext(singular, plural, n)
        return text % {"num": n, **self._isolated(params)}

    def _isolated(self, params: dict[str, object]) -> dict[str, object]:
        """In right-to-left text, wrap each left-to-right value (MK-7K3M9Q, 0800 555 111, a URL) in
        Unicode first-strong isolates, so it keeps its own order where no markup can (SMS, chat)."""
        if not self.rtl:
            return params
        return {k: f"{FSI}{v}{PDI}" if isinstance(v, str) and _LEFT_TO_RIGHT.search(v) else v for k, v in params.items()}

    def keyword(self, display: str) -> str:
        """The reporter's word for a keyword (HELP, STOP…), shown in replies."""
        return self.catalog.pgettext("keyword", display)

    @property
    def locale(self) -> Locale:
        return format_locale(self.code)

    @property
    def html_lang(self) -> str:
        """The BCP 47 tag for a page's lang attribute: pa-Arab, not pa_Arab; Easy Read is English."""
        return "en" if self.code == "en_easy" else self.code.replace("_", "-")

    @property
    def rtl(self) -> bool:
        return self.code in RTL_LANGUAGES


def mark(msgid: str) -> str:
    """Mark words for the catalogs that are translated later, where they are shown (`make translations` extracts them)."""
    return msgid


def _catalog_path(code: str) -> Path:
    return TRANSLATIONS_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo"


@cache
def translator(code: str) -> Translator:
    """The translator for a catalog code, loaded once; unknown codes get English."""
    code = normalise_code(code) or SOURCE_LANGUAGE
    path = _catalog_path(code)
    if path.exists():
        with path.open("rb") as handle:
            catalog: _gettext.NullTranslations = Translations(handle, domain=DOMAIN)
    else:
        catalog = _gettext.NullTranslations()
    return Translator(code, catalog)


def available_languages() -> tuple[str, ...]:
    """Catalog codes a reporter can choose, in menu order."""
    return tuple(c for c in LANGUAGES if c == SOURCE_LANGUAGE or _catalog_path(c).exists())


def normalise_code(value: str | None) -> str | None:
    """Map a hint such as 'pl-PL', 'pa_Arab', 'PT_br' or 'ur' to a catalog code, or None."""
    if not value:
        return None
    cleaned = value.strip().replace("-", "_")
    lowered = {c.lower(): c for c in LANGUAGES}
    if cleaned.lower() in lowered:
        return lowered[cleaned.lower()]
    try:
        locale = Locale.parse(cleaned)
    except (ValueError, UnknownLocaleError):
        return None
    if locale.language == "pa" and locale.script == "Arab":
        return "pa_Arab"
    return locale.language if locale.language in LANGUAGES else None


def choose_language(hint: str | None, default: str = SOURCE_LANGUAGE) -> str:
    """The language to start in: the channel's hint when we ship it, else the default."""
    code = normalise_code(hint)
    return code if code in available_languages() else default


@cache
def format_locale(code: str) -> Locale:
    return Locale.parse(_FORMAT_LOCALES.get(code, code))


def native_name(code: str) -> str:
    """A language's name in that language, for menus (not translated: readers look for their own)."""
    if code in _NATIVE_NAMES:
        return _NATIVE_NAMES[code]
    name = format_locale(code).get_display_name(format_locale(code)) or code
    return name[:1].upper() + name[1:]

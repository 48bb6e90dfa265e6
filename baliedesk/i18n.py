"""The one translation mechanism: gettext, for Qt widgets and PDF slips alike.

Source strings (msgids) are the Dutch B1 texts the product ships with; a
catalogue in ``resources/locale/<lang>/LC_MESSAGES/baliedesk.mo`` can replace
them (for example Frisian or English). ``_`` and ``ngettext`` are all the code
uses; the user interface never builds sentences by concatenation.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

DOMAIN = "baliedesk"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "resources" / "locale"

_translation: gettext.NullTranslations = gettext.NullTranslations()


def install(language: str | None = None) -> None:
    """Load the catalogue for ``language`` (default: $BALIEDESK_LANG, else the Dutch source)."""
    global _translation
    language = language or os.environ.get("BALIEDESK_LANG")
    languages = [language] if language else None
    _translation = gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=languages, fallback=True) \
        if languages else gettext.NullTranslations()


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet."""
    return message

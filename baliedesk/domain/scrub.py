"""Scrub personal details out of free text (descriptions, notes) when a record is anonymised.

Removed: Dutch phone numbers (06-12345678, +31 6 1234 5678, 0031 20 123 4567,
(020) 123 45 67 ...), e-mail addresses (any word holding an ``@``) and
postcodes with or without a house number ("1234 AB 12", "1234ab"). Everything
else stays as it was, so a description still says what the melding was about.
"""

from __future__ import annotations

import re

PHONE_MARK = "[telefoon]"
EMAIL_MARK = "[e-mail]"
ADDRESS_MARK = "[adres]"

_SEP = r"[\s.\-()/]*"
# A Dutch number: 0 + 9 digits, or +31 / 0031 (optionally "(0)") + 9 digits; separators anywhere between.
_PHONE = re.compile(
    r"(?<![\d+])"
    r"(?:(?:\+|00)" + _SEP + r"31" + _SEP + r"(?:\(?0\)?" + _SEP + r")?|\(?0" + _SEP + r")"
    r"(?:\d" + _SEP + r"){8}\d"
    r"(?!\d)"
)
# Any run of non-space characters around an "@": an e-mail address, whatever odd characters it holds.
_EMAIL = re.compile(r"[^\s@]+@[^\s@]*[^\s@.,;:!?)\]>'\"]")
# A postcode (first digit not 0; letters upper case, or lower case written against the digits)
# with an optional house number and addition.
_POSTCODE = re.compile(
    r"(?<![\dA-Za-z])[1-9]\d{3}(?:[ \t]?[A-Z]{2}|[a-z]{2})(?![A-Za-z])"
    r"(?:[ \t,]*(?:nr\.?|huisnummer)?[ \t]*\d{1,5}"
    r"(?:[A-Za-z](?![A-Za-z])|[ \t]?-[ \t]?[A-Za-z0-9]{1,4}(?![A-Za-z0-9]))?"
    r"(?!\d))?"
)


def scrub_text(text: str | None) -> str | None:
    """``text`` without phone numbers, e-mail addresses and postcodes (with house numbers)."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL_MARK, text)
    text = _PHONE.sub(PHONE_MARK, text)
    return _POSTCODE.sub(ADDRESS_MARK, text)


def has_personal_details(text: str | None) -> bool:
    return bool(text) and scrub_text(text) != text

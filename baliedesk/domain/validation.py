"""Validation of free text typed by people. Stores text verbatim where valid."""

from __future__ import annotations

import unicodedata

from baliedesk.domain.errors import ValidationError


def clean_text(value: str | None, *, field: str, max_length: int, required: bool = False) -> str:
    """Trim surrounding white space; refuse control characters and overlong text.

    Line breaks and tabs are allowed in notes. Everything else is kept as typed
    (also SQL-looking text and right-to-left scripts: the database stores it
    through bound parameters).
    """
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(field, "required")
    if len(text) > max_length:
        raise ValidationError(field, "too_long", max_length)
    for ch in text:
        if ch in "\n\t":
            continue
        if unicodedata.category(ch) in ("Cc", "Cs") or ch == "\x00":
            raise ValidationError(field, "control_character")
    return text


def clean_name(value: str | None, *, field: str, max_length: int = 80) -> str:
    text = clean_text(value, field=field, max_length=max_length, required=True)
    if "\n" in text or "\t" in text:
        raise ValidationError(field, "control_character")
    return text

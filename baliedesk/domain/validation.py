"""Validation of what callers pass in: the rules, once, for every service.

* :func:`clean_text` / :func:`clean_name` / :func:`clean_line`: free text typed
  by people. Stored verbatim where valid (also SQL-looking text and
  right-to-left scripts: the database stores it through bound parameters).
* ``check_*``: the type and range of every service argument (see
  ``services.common.checked``, which applies them by parameter annotation),
  so a wrong type, an unencodable string or a date at the end of time becomes
  a :class:`ValidationError` before anything reaches the database.
* :func:`safe_display_text`: text from elsewhere (the database, a file) made
  safe to show.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata

from baliedesk.domain.errors import ValidationError

#: Explicit direction embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069): they
#: reorder what a reader sees ("Trojan Source"); refused anywhere in input. Right-to-left scripts
#: themselves, and the invisible marks U+200E/U+200F, are fine.
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Characters that break a line: refused in one-line fields (names, teams, subjects, addresses).
LINE_BREAKS = frozenset("\n\r\t\v\f\x1c\x1d\x1e\x85\u2028\u2029")

#: The calendar range BalieDesk deals in: far enough for any real date, far from date.max.
MIN_DAY = dt.date(1970, 1, 1)
MAX_DAY = dt.date(2199, 12, 31)
#: Integers (ids, counts, minutes) fit a database INTEGER (32 bits) on every backend.
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
#: No text argument is longer than this (field limits are far lower; an import file fits).
TEXT_ARGUMENT_MAX = 2_000_000
#: Lists of ids (services of a counter) are never longer than this.
LIST_ARGUMENT_MAX = 1000


def _invisible(ch: str) -> bool:
    """White space or an invisible format character (zero-width space, BOM, word joiner ...)."""
    return ch.isspace() or unicodedata.category(ch) == "Cf"


def has_visible(text: str) -> bool:
    return any(not _invisible(ch) for ch in text)


def _forbidden(ch: str) -> bool:
    return ch in DIRECTION_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs")


def clean_text(value: str | None, *, field: str, max_length: int, required: bool = False) -> str:
    """Trim surrounding white space; refuse control characters and overlong text.

    Line breaks and tabs are allowed in notes. Direction overrides (U+202E ...),
    other control characters and lone surrogates are refused. A required field
    needs a visible character: only zero-width spaces or a BOM count as empty.
    """
    if value is not None and not isinstance(value, str):
        raise ValidationError(field, "invalid")
    text = (value or "").strip()
    if required and not has_visible(text):
        raise ValidationError(field, "required")
    if len(text) > max_length:
        raise ValidationError(field, "too_long", max_length)
    for ch in text:
        if ch in "\n\t":
            continue
        if _forbidden(ch):
            raise ValidationError(field, "control_character")
    return text


def clean_line(value: str | None, *, field: str, max_length: int, required: bool = False) -> str:
    """:func:`clean_text` for one-line fields: no line break of any kind (also U+2028/U+2029)."""
    text = clean_text(value, field=field, max_length=max_length, required=required)
    if any(ch in LINE_BREAKS for ch in text):
        raise ValidationError(field, "control_character")
    return text


def clean_name(value: str | None, *, field: str, max_length: int = 80) -> str:
    return clean_line(value, field=field, max_length=max_length, required=True)


def safe_display_text(value: object) -> str:
    """Text from the database or a file, safe to show: without direction overrides, control
    characters (line breaks and tabs become spaces) and lone surrogates."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    out = []
    for ch in text:
        if ch in LINE_BREAKS:
            out.append(" ")
        elif not _forbidden(ch):
            out.append(ch)
    return "".join(out)


# ---------------------------------------------------------------------------
# argument types (services.common.checked applies these by annotation)
# ---------------------------------------------------------------------------
def check_text_argument(value: object, field: str) -> str:
    """Any text argument: a str that the databases can store (no NUL, no lone surrogate) and
    no direction override. Field rules (length, line breaks) come later."""
    if not isinstance(value, str):
        raise ValidationError(field, "invalid")
    if len(value) > TEXT_ARGUMENT_MAX:
        raise ValidationError(field, "too_long", TEXT_ARGUMENT_MAX)
    if "\x00" in value or any(ch in DIRECTION_CONTROLS for ch in value):
        raise ValidationError(field, "control_character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(field, "control_character") from None
    return value


def check_int(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, "invalid")
    if not INT_MIN <= value <= INT_MAX:
        raise ValidationError(field, "out_of_range")
    return int(value)


def check_bool(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(field, "invalid")
    return value


def check_number(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(field, "invalid")
    try:
        number = float(value)
    except OverflowError:
        raise ValidationError(field, "out_of_range") from None
    if not math.isfinite(number):
        raise ValidationError(field, "out_of_range")
    return number


def check_day(value: object, field: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError(field, "invalid")
    if not MIN_DAY <= value <= MAX_DAY:
        raise ValidationError(field, "out_of_range")
    return value


def check_moment(value: object, field: str) -> dt.datetime:
    """An aware datetime within :data:`MIN_DAY` .. :data:`MAX_DAY`."""
    if not isinstance(value, dt.datetime):
        raise ValidationError(field, "invalid")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(field, "naive_datetime")
    if not MIN_DAY < value.date() < MAX_DAY:  # a day's margin: no time zone can overflow
        raise ValidationError(field, "out_of_range")
    return value


def check_request_id(value: object) -> str | None:
    """An idempotency key made by the client when a form opens (a UUID, typically)."""
    if value is None:
        return None
    text = check_text_argument(value, "request_id").strip()
    if not 8 <= len(text) <= 64 or not text.isascii() or not all(ch.isalnum() or ch in "-_:." for ch in text):
        raise ValidationError("request_id", "invalid")
    return text

"""The municipality's own details: name, logo, addresses, phone, website, service colours.

Plain rules (no database, no clock): what a valid postcode, phone number, web
address, logo and service colour are, and the typed errors for the set-up of
locations, services and counters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from baliedesk import colors
from baliedesk.domain.errors import DomainError, ValidationError

#: The text colours the screens put on a service colour (ui/theme.py LIGHT_TEXT/DARK_TEXT,
#: display/palette.py LIGHT/DARK): a service colour must carry one of them readably.
LIGHT_TEXT = "#FFFFFF"
DARK_TEXT = "#111111"
#: WCAG 2.1 AA for normal text.
MIN_CONTRAST = 4.5

LOGO_MAX_BYTES = 512 * 1024
LOGO_TYPES = ("image/png", "image/jpeg", "image/svg+xml")

#: Characters that look like nothing or turn text around: refused in one-line fields.
_INVISIBLE_OR_BIDI = {"\u2028", "\u2029", "\ufeff", "\u200b", "\u200c", "\u200d", "\u2060",
                      *(chr(c) for c in range(0x202A, 0x202F)), *(chr(c) for c in range(0x2066, 0x206A))}

POSTCODE_RE = re.compile(r"^([1-9][0-9]{3})\s?([A-Za-z]{2})$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()\-]{4,30}$")
URL_RE = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#][^\s]*)?$", re.IGNORECASE)


@dataclass(eq=False)
class HasHistory(DomainError):
    """A service or counter with tickets (or appointments, contacts) cannot be deleted:
    history would lose its meaning. Deactivate it instead (``kind``: service | counter)."""

    kind: str
    name: str
    records: int


@dataclass(eq=False)
class ColorContrastTooLow(DomainError):
    """Neither white nor the dark text reads on this colour at ``minimum`` (WCAG AA)."""

    field: str
    color: str
    with_light: float
    with_dark: float
    minimum: float = MIN_CONTRAST


@dataclass(frozen=True)
class ColorCheck:
    """How a colour does as a background for the screens' text."""

    color: str  # normalised: "#1F4E8C"
    with_light: float  # contrast ratio with white text
    with_dark: float  # ... with the dark text
    text: str  # the text colour the screens use on it
    ok: bool  # one of the two reaches MIN_CONTRAST

    @property
    def best(self) -> float:
        return max(self.with_light, self.with_dark)


def check_color(value: object, *, field: str = "color") -> ColorCheck:
    """Check a ``#RRGGBB`` colour; a value that is no such colour is a ValidationError."""
    if not isinstance(value, str) or not re.fullmatch(r"#[0-9A-Fa-f]{6}", value.strip()):
        raise ValidationError(field, "invalid")
    color = colors.normalise(value.strip())
    light, dark = colors.contrast(LIGHT_TEXT, color), colors.contrast(DARK_TEXT, color)
    return ColorCheck(color, round(light, 2), round(dark, 2), LIGHT_TEXT if light >= dark else DARK_TEXT,
                      max(light, dark) >= MIN_CONTRAST)


def readable_color(value: object, *, field: str = "color") -> str:
    """The normalised colour, or :class:`ColorContrastTooLow` when no text reads on it."""
    check = check_color(value, field=field)
    if not check.ok:
        raise ColorContrastTooLow(field, check.color, check.with_light, check.with_dark)
    return check.color


def one_line(value: object, *, field: str, max_length: int, required: bool = False) -> str:
    """One line of text: trimmed; no control, invisible or direction-changing characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(field, "invalid")
    text = value.strip()
    if len(text) > max_length:
        raise ValidationError(field, "too_long", max_length)
    for ch in text:
        if ch in _INVISIBLE_OR_BIDI or unicodedata.category(ch) in ("Cc", "Cs", "Cf"):
            raise ValidationError(field, "control_character")
    if required and not text:
        raise ValidationError(field, "required")
    return text


def clean_postcode(value: object) -> str:
    """A Dutch postcode as ``1234 AB``; empty stays empty."""
    text = one_line(value, field="postcode", max_length=8)
    if not text:
        return ""
    match = POSTCODE_RE.match(text)
    if match is None:
        raise ValidationError("postcode", "invalid")
    return f"{match.group(1)} {match.group(2).upper()}"


def clean_phone(value: object) -> str:
    text = one_line(value, field="phone", max_length=32)
    if text and not PHONE_RE.match(text):
        raise ValidationError("phone", "invalid")
    return text


def clean_url(value: object, *, field: str) -> str:
    """An http(s) web address; empty stays empty. ``{code}`` may appear (the tracking page)."""
    text = one_line(value, field=field, max_length=200)
    if text and not URL_RE.match(text):
        raise ValidationError(field, "invalid")
    return text


def logo_type(data: object) -> str:
    """The content type of a logo (PNG, JPEG or SVG), from its first bytes."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise ValidationError("logo", "invalid")
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError("logo", "too_long", LOGO_MAX_BYTES)
    head = bytes(data[:512])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in bytes(data[:4096]).lower()):
        return "image/svg+xml"
    raise ValidationError("logo", "invalid")


@dataclass(frozen=True)
class Address:
    street: str = ""
    house_number: str = ""
    postcode: str = ""
    place: str = ""

    @property
    def line(self) -> str:
        """``Stationsweg 1, 9919 AH Loppersum`` (what slips print); "" when nothing is filled in."""
        first = " ".join(x for x in (self.street, self.house_number) if x)
        second = " ".join(x for x in (self.postcode, self.place) if x)
        return ", ".join(x for x in (first, second) if x)


def clean_address(street: object, house_number: object, postcode: object, place: object) -> Address:
    return Address(
        one_line(street, field="street", max_length=120),
        one_line(house_number, field="house_number", max_length=16),
        clean_postcode(postcode),
        one_line(place, field="place", max_length=80),
    )


@dataclass(frozen=True)
class SetupProblem:
    """One error in a set-up file: ``place`` names the table and key (``locatie[1].dienst[2].kleur``)."""

    place: str
    code: str  # invalid | required | too_long | out_of_range | taken | unknown_key | not_toml | contrast | ...
    limit: int | float | None = None


@dataclass(eq=False)
class SetupFileInvalid(DomainError):
    """The set-up file was refused whole; nothing was saved. Every problem found is listed."""

    problems: tuple[SetupProblem, ...]

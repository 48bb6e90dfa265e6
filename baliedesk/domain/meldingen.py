"""Meldingen openbare ruimte, contacts, callback notes and complaints: the rules.

Plain Python. Every deadline counts on the one working-day calendar
(:class:`baliedesk.domain.calendar.WorkdayCalendar`); ``now`` and the
calendar are passed in.

* A melding moves through explicit states (:data:`TRANSITIONS`); anything else
  raises :class:`MeldingTransitionRefused`.
* Its deadline is the category's term in working days after the day it came in.
* Possible duplicates: same category, same street (compared without case and
  spaces) or same postcode area (the four digits), still open, taken in the
  last :data:`DUPLICATE_WINDOW_DAYS` days.
* Callback notes are due two working days after they were written.
* A complaint (Awb 9:11) is due six weeks after receipt, extendable once by four
  weeks with a reason (9:11 lid 2). A term that ends on a day the
  municipality is closed moves to the next working day (Algemene termijnenwet).
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import math
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from baliedesk.domain.appointments import clean_email, clean_phone
from baliedesk.domain.calendar import WorkdayCalendar
from baliedesk.domain.errors import (
    ComplaintAlreadyExtended,
    MeldingTransitionRefused,
    RecordClosed,
    ValidationError,
)
from baliedesk.domain.validation import clean_line, clean_name, clean_text

# ---------------------------------------------------------------------------
# lengths
# ---------------------------------------------------------------------------
DESCRIPTION_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 1000
STREET_MAX_LENGTH = 120
PLACE_MAX_LENGTH = 80
LOCATION_TEXT_MAX_LENGTH = 300
NAME_MAX_LENGTH = 120
CATEGORY_NAME_MAX_LENGTH = 80
TEAM_MAX_LENGTH = 80
SUBJECT_MAX_LENGTH = 200
QUESTION_MAX_LENGTH = 2000
OUTCOME_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 1000
HOUSE_NUMBER_MAX = 99999
ADDITION_MAX_LENGTH = 6
TERM_DAYS_MAX = 260  # about a year of working days
SEARCH_MAX_LENGTH = 100
CATEGORY_FILE_MAX_LENGTH = 1_000_000

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTOS_MAX = 5
PHOTO_TYPES = {  # magic bytes -> content type
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}

DUPLICATE_WINDOW_DAYS = 28
DUPLICATES_MAX = 10
CALLBACK_TERM_WORKING_DAYS = 2
COMPLAINT_TERM = dt.timedelta(weeks=6)
COMPLAINT_EXTENSION = dt.timedelta(weeks=4)


# ---------------------------------------------------------------------------
# states, channels, urgency
# ---------------------------------------------------------------------------
class MeldingState(str, enum.Enum):
    GEMELD = "gemeld"
    IN_BEHANDELING = "in_behandeling"
    DOORGEZET = "doorgezet"  # handed to an external party
    AFGEHANDELD = "afgehandeld"
    GEANNULEERD = "geannuleerd"
    HEROPEND = "heropend"


S = MeldingState
TRANSITIONS: dict[MeldingState, frozenset[MeldingState]] = {
    S.GEMELD: frozenset({S.IN_BEHANDELING, S.DOORGEZET, S.AFGEHANDELD, S.GEANNULEERD}),
    S.IN_BEHANDELING: frozenset({S.DOORGEZET, S.AFGEHANDELD, S.GEANNULEERD}),
    S.DOORGEZET: frozenset({S.IN_BEHANDELING, S.AFGEHANDELD, S.GEANNULEERD}),
    S.HEROPEND: frozenset({S.IN_BEHANDELING, S.DOORGEZET, S.AFGEHANDELD, S.GEANNULEERD}),
    S.AFGEHANDELD: frozenset({S.HEROPEND}),
    S.GEANNULEERD: frozenset({S.HEROPEND}),
}
OPEN_STATES = frozenset({S.GEMELD, S.IN_BEHANDELING, S.DOORGEZET, S.HEROPEND})
CLOSED_STATES = frozenset(set(MeldingState) - OPEN_STATES)
OPEN_STATE_VALUES = tuple(sorted(s.value for s in OPEN_STATES))


def parse_state(value: object, field: str = "state") -> MeldingState:
    try:
        return MeldingState(value)
    except ValueError:
        raise ValidationError(field, "invalid") from None


def check_transition(number: str, state: str, target: MeldingState | str) -> MeldingState:
    """The target state when ``state -> target`` is allowed; else :class:`MeldingTransitionRefused`."""
    current = parse_state(state)
    to = parse_state(target, "target")
    if to not in TRANSITIONS[current]:
        raise MeldingTransitionRefused(number, current.value, to.value)
    return to


def closes(state: MeldingState) -> bool:
    return state in CLOSED_STATES


class Channel(str, enum.Enum):
    BALIE = "balie"
    TELEFOON = "telefoon"
    EMAIL = "email"
    POST = "post"
    SOCIAL_MEDIA = "social_media"
    APP = "app"
    WEBSITE = "website"


def parse_channel(value: object) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        raise ValidationError("channel", "invalid") from None


class Urgency(str, enum.Enum):
    NORMAAL = "normaal"
    HOOG = "hoog"  # danger: a hole in a cycle path, a fallen tree on the road


def parse_urgency(value: object) -> Urgency:
    try:
        return Urgency(value)
    except ValueError:
        raise ValidationError("urgency", "invalid") from None


# ---------------------------------------------------------------------------
# categories
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CategoryDef:
    """Main > sub, the responsible team and the handling term in working days."""

    main: str
    sub: str
    team: str
    term_days: int

    @property
    def label(self) -> str:
        return f"{self.main} > {self.sub}"


def clean_term_days(value: object) -> int:
    if isinstance(value, bool):
        raise ValidationError("term_days", "invalid")
    if isinstance(value, str):
        value = value.strip()
        # ASCII digits only: "²" and "٣" pass str.isdigit() but are no term a clerk typed.
        if not (value.isascii() and value.isdigit()) or len(value) > 4:
            raise ValidationError("term_days", "invalid")
        value = int(value)
    if not isinstance(value, int):
        raise ValidationError("term_days", "invalid")
    if not 1 <= value <= TERM_DAYS_MAX:
        raise ValidationError("term_days", "working_days_range", TERM_DAYS_MAX)
    return value


def clean_category(main: object, sub: object, team: object, term_days: object) -> CategoryDef:
    def one_line(value: object, field: str, limit: int) -> str:
        if value is not None and not isinstance(value, str):
            raise ValidationError(field, "invalid")
        return clean_name(value, field=field, max_length=limit)

    main_s = one_line(main, "category_main", CATEGORY_NAME_MAX_LENGTH)
    sub_s = one_line(sub, "category_sub", CATEGORY_NAME_MAX_LENGTH)
    if ">" in main_s or ">" in sub_s:
        raise ValidationError("category_main" if ">" in main_s else "category_sub", "invalid")
    return CategoryDef(main_s, sub_s, one_line(team, "team", TEAM_MAX_LENGTH), clean_term_days(term_days))


def _unique(defs: Iterable[CategoryDef]) -> tuple[CategoryDef, ...]:
    seen: set[tuple[str, str]] = set()
    out = []
    for d in defs:
        key = (d.main.casefold(), d.sub.casefold())
        if key in seen:
            raise ValidationError("categories", "taken")
        seen.add(key)
        out.append(d)
    if not out:
        raise ValidationError("categories", "required")
    return tuple(out)


def parse_categories_toml(text: str) -> tuple[CategoryDef, ...]:
    """``[[categorie]]`` tables with ``hoofd``, ``sub``, ``team`` and ``termijn`` (working days).

    A main category may also list its subs with a shared team and term::

        [[categorie]]
        hoofd = "Afval"
        team = "Team Afval"
        termijn = 5
        subs = ["Grofvuil", "Zwerfafval"]
    """
    if not isinstance(text, str) or len(text) > CATEGORY_FILE_MAX_LENGTH:
        raise ValidationError("categories", "invalid")
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeError, RecursionError):  # RecursionError: nested too deep
        raise ValidationError("categories", "invalid") from None
    rows = data.get("categorie")
    if not isinstance(rows, list):
        raise ValidationError("categories", "invalid")
    defs: list[CategoryDef] = []
    for row in rows:
        if not isinstance(row, dict):
            raise ValidationError("categories", "invalid")
        subs = row.get("subs")
        if subs is None:
            subs = [row.get("sub")]
        if not isinstance(subs, list):
            raise ValidationError("categories", "invalid")
        for sub in subs:
            if isinstance(sub, dict):
                defs.append(clean_category(row.get("hoofd"), sub.get("naam"), sub.get("team", row.get("team")),
                                           sub.get("termijn", row.get("termijn"))))
            else:
                defs.append(clean_category(row.get("hoofd"), sub, row.get("team"), row.get("termijn")))
    return _unique(defs)


def parse_categories_csv(text: str) -> tuple[CategoryDef, ...]:
    """``hoofd;sub;team;termijn`` per line (a header line with these words is skipped; ``,`` also works)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValidationError("categories", "required")
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    defs = []
    for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter):
        if [c.strip().lower() for c in row[:2]] == ["hoofd", "sub"]:
            continue
        if len(row) != 4:
            raise ValidationError("categories", "invalid")
        defs.append(clean_category(*row))
    return _unique(defs)


def categories_toml(defs: Iterable[CategoryDef]) -> str:
    """The list as TOML (what :func:`parse_categories_toml` reads back)."""
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    parts = []
    for d in defs:
        parts.append(f"[[categorie]]\nhoofd = {q(d.main)}\nsub = {q(d.sub)}\nteam = {q(d.team)}\n"
                     f"termijn = {d.term_days}\n")
    return "\n".join(parts)


# ---------------------------------------------------------------------------
# address and location
# ---------------------------------------------------------------------------
_POSTCODE_RE = re.compile(r"^([1-9][0-9]{3})\s?([A-Za-z]{2})$")
_ADDITION_RE = re.compile(r"^[A-Za-z0-9]{1,4}(?:[ \-][A-Za-z0-9]{1,4})?$")


def clean_postcode(value: str | None) -> str | None:
    """``"1234ab"``, ``"1234 AB"`` -> ``"1234 AB"``. Empty: None. SA, SD and SS are never used."""
    text = (value or "").strip()
    if not text:
        return None
    m = _POSTCODE_RE.match(text)
    if not m or m.group(2).upper() in ("SA", "SD", "SS"):
        raise ValidationError("postcode", "invalid")
    return f"{m.group(1)} {m.group(2).upper()}"


def postcode_area(postcode: str | None) -> str | None:
    """The four digits of a normalised postcode (the neighbourhood)."""
    return postcode[:4] if postcode else None


def clean_house_number(number: object, addition: str | None = None) -> tuple[int | None, str | None]:
    """House number 1..99999 and an optional addition (``A``, ``2``, ``bis``, ``3-hoog``, ``A 2``)."""
    if number is None or (isinstance(number, str) and not number.strip()):
        if (addition or "").strip():
            raise ValidationError("house_number", "required")
        return None, None
    if isinstance(number, bool):
        raise ValidationError("house_number", "invalid")
    if isinstance(number, str):
        text = number.strip()
        if not text.isascii() or not text.isdigit() or len(text) > 5:
            raise ValidationError("house_number", "invalid")
        number = int(text)
    if not isinstance(number, int) or not 1 <= number <= HOUSE_NUMBER_MAX:
        raise ValidationError("house_number", "invalid")
    add = (addition or "").strip()
    if not add:
        return number, None
    if len(add) > ADDITION_MAX_LENGTH + 3 or not add.isascii() or not _ADDITION_RE.match(add):
        raise ValidationError("house_addition", "invalid")
    return number, add.upper() if len(add) == 1 else add


def street_key(street: str | None) -> str | None:
    """The street for comparing: case-folded, accents kept, without spaces, dots and dashes."""
    if not street:
        return None
    key = re.sub(r"[\s.\-'’]", "", unicodedata.normalize("NFC", street).casefold())
    return key[:STREET_MAX_LENGTH] or None


#: The Netherlands (European part, Wadden islands and the North Sea coast included), in WGS84 degrees.
NL_LATITUDE = (50.70, 53.70)
NL_LONGITUDE = (3.20, 7.30)
COORDINATE_TEXT_MAX_LENGTH = 30
_COORDINATE_RE = re.compile(r"[+-]?([0-9]{1,3}([.,][0-9]{1,15})?|[.,][0-9]{1,15})")


def _degrees(value: object) -> float | None:
    """A number, or text as typed: "53,3312" (Dutch decimal comma) or "53.3312"; empty text is None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValidationError("coordinates", "invalid")
    if isinstance(value, (int, float)):
        try:
            return float(value)
        except OverflowError:  # an int beyond a float (10**400)
            raise ValidationError("coordinates", "invalid") from None
    if not isinstance(value, str):
        raise ValidationError("coordinates", "invalid")
    text = value.strip().replace("\u00b0", "")  # "53,33°" as copied from a map
    if not text:
        return None
    if len(text) > COORDINATE_TEXT_MAX_LENGTH or not _COORDINATE_RE.fullmatch(text):
        raise ValidationError("coordinates", "invalid")
    return float(text.replace(",", "."))


def clean_coordinate(lat: object, lon: object) -> tuple[float | None, float | None]:
    """Latitude and longitude (numbers, or text with a decimal comma or point), both or neither,
    and lying in the Netherlands."""
    la, lo = _degrees(lat), _degrees(lon)
    if la is None and lo is None:
        return None, None
    if la is None or lo is None:
        raise ValidationError("coordinates", "both")
    if not (math.isfinite(la) and math.isfinite(lo)) or not -90 <= la <= 90 or not -180 <= lo <= 180:
        raise ValidationError("coordinates", "invalid")
    if not (NL_LATITUDE[0] <= la <= NL_LATITUDE[1] and NL_LONGITUDE[0] <= lo <= NL_LONGITUDE[1]):
        if NL_LATITUDE[0] <= lo <= NL_LATITUDE[1] and NL_LONGITUDE[0] <= la <= NL_LONGITUDE[1]:
            raise ValidationError("coordinates", "swapped")
        raise ValidationError("coordinates", "outside")
    return round(la, 7), round(lo, 7)


@dataclass(frozen=True)
class MeldingPlace:
    street: str | None
    house_number: int | None
    house_addition: str | None
    postcode: str | None
    place: str | None
    location_text: str | None
    latitude: float | None
    longitude: float | None

    @property
    def postcode_area(self) -> str | None:
        return postcode_area(self.postcode)

    @property
    def street_key(self) -> str | None:
        return street_key(self.street)

    def text(self) -> str:
        """One line for lists and slips: ``"Dorpsstraat 12A, 9919 AB Loppersum"`` or the free description."""
        address = " ".join(p for p in (self.street, _house(self.house_number, self.house_addition)) if p)
        town = " ".join(p for p in (self.postcode, self.place) if p)
        line = ", ".join(p for p in (address, town) if p)
        if self.location_text:
            line = f"{line} ({self.location_text})" if line else self.location_text
        return line


def _house(number: int | None, addition: str | None) -> str:
    if number is None:
        return ""
    if not addition:
        return str(number)
    return f"{number}{addition}" if len(addition) == 1 and addition.isalpha() else f"{number}-{addition}"


def clean_place(street: str | None = None, house_number: object = None, house_addition: str | None = None,
                postcode: str | None = None, place: str | None = None, location_text: str | None = None,
                latitude: object = None, longitude: object = None) -> MeldingPlace:
    """An address (street or postcode), a free description, or coordinates: at least one of them."""
    st = clean_line(street, field="street", max_length=STREET_MAX_LENGTH) or None
    number, addition = clean_house_number(house_number, house_addition)
    pc = clean_postcode(postcode)
    pl = clean_line(place, field="place", max_length=PLACE_MAX_LENGTH) or None
    free = clean_text(location_text, field="location_text", max_length=LOCATION_TEXT_MAX_LENGTH) or None
    lat, lon = clean_coordinate(latitude, longitude)
    if number is not None and st is None and pc is None:
        raise ValidationError("street", "required")
    if st is None and pc is None and free is None and lat is None:
        raise ValidationError("location", "required")
    return MeldingPlace(st, number, addition, pc, pl, free, lat, lon)


# ---------------------------------------------------------------------------
# reporter
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Reporter:
    name: str | None
    phone: str | None
    email: str | None
    wants_feedback: bool

    @property
    def anonymous(self) -> bool:
        return self.name is None and self.phone is None and self.email is None


def clean_reporter(name: str | None = None, phone: str | None = None, email: str | None = None,
                   wants_feedback: bool = False) -> Reporter:
    """Anonymous is allowed. Feedback needs a phone number or an e-mail address."""
    nm = (name or "").strip()
    clean = Reporter(
        clean_name(nm, field="reporter_name", max_length=NAME_MAX_LENGTH) if nm else None,
        clean_phone(phone),
        clean_email(email),
        bool(wants_feedback),
    )
    if clean.wants_feedback and clean.phone is None and clean.email is None:
        raise ValidationError("contact", "phone_or_email")
    return clean


def clean_description(value: str | None) -> str:
    return clean_text(value, field="description", max_length=DESCRIPTION_MAX_LENGTH, required=True)


def clean_note(value: str | None, *, field: str = "note", required: bool = False) -> str | None:
    return clean_text(value, field=field, max_length=NOTE_MAX_LENGTH, required=required) or None


def clean_search(value: str | None) -> str | None:
    return clean_line(value, field="search", max_length=SEARCH_MAX_LENGTH) or None


# ---------------------------------------------------------------------------
# photos
# ---------------------------------------------------------------------------
_FILENAME_BAD = re.compile(r"[\\/:*?\"<>|]")


def photo_type(data: bytes) -> str | None:
    for magic, kind in PHOTO_TYPES.items():
        if data.startswith(magic):
            return kind
    return None


def clean_photo(filename: str | None, data: object) -> tuple[str, str, bytes]:
    """(file name without folders, content type, bytes): JPEG, PNG or GIF up to :data:`PHOTO_MAX_BYTES`."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValidationError("photo", "invalid")
    blob = bytes(data)
    if not blob:
        raise ValidationError("photo", "required")
    if len(blob) > PHOTO_MAX_BYTES:
        raise ValidationError("photo", "too_large", PHOTO_MAX_BYTES // (1024 * 1024))
    kind = photo_type(blob)
    if kind is None:
        raise ValidationError("photo", "not_an_image")
    name = re.split(r"[\\/]", (filename or "").strip())[-1]
    name = _FILENAME_BAD.sub("_", "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cs")))
    return (name[:120] or "foto"), kind, blob


def clean_photos(photos: Iterable[tuple[str | None, object]] | None) -> tuple[tuple[str, str, bytes], ...]:
    items = tuple(photos or ())
    if len(items) > PHOTOS_MAX:
        raise ValidationError("photo", "too_many", PHOTOS_MAX)
    return tuple(clean_photo(name, data) for name, data in items)


# ---------------------------------------------------------------------------
# numbers and tracking codes
# ---------------------------------------------------------------------------
_NUMBER_RE = re.compile(r"^\s*M[-\s]?(\d{4})[-\s]?(\d{1,6})\s*$", re.IGNORECASE)
TRACKING_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # no look-alikes (0/O, 1/I/L, 5/S, 8/B, 2/Z)
TRACKING_LENGTH = 8
_TRACKING_SET = frozenset(TRACKING_ALPHABET)
SEQUENCE_MAX = 999_999


def melding_number(year: int, sequence: int) -> str:
    """``M-2026-000123``: the year it came in and a number that restarts every year."""
    if not 1 <= sequence <= SEQUENCE_MAX or not 2000 <= year <= 9999:
        raise ValidationError("melding_number", "out_of_range", SEQUENCE_MAX)
    return f"M-{year:04d}-{sequence:06d}"


def parse_melding_number(text: str | None) -> str | None:
    """``"m 2026 123"`` -> ``"M-2026-000123"``; None when it does not look like one."""
    m = _NUMBER_RE.match(text or "")
    if not m or int(m.group(2)) == 0:
        return None
    return f"M-{m.group(1)}-{int(m.group(2)):06d}"


def new_tracking_code(randbelow: Callable[[int], int]) -> str:
    """Pass ``secrets.randbelow`` (tests pass a seeded random)."""
    return "".join(TRACKING_ALPHABET[randbelow(len(TRACKING_ALPHABET))] for _ in range(TRACKING_LENGTH))


def normalise_tracking_code(text: str | None) -> str:
    code = re.sub(r"[\s\-.]", "", str(text or "")).upper()
    if len(code) != TRACKING_LENGTH or not set(code) <= _TRACKING_SET:
        raise ValidationError("tracking_code", "invalid")
    return code


def display_tracking_code(code: str) -> str:
    """``"K7P3QX4A"`` -> ``"K7P3-QX4A"``."""
    return f"{code[:4]}-{code[4:]}" if len(code) == TRACKING_LENGTH else code


# ---------------------------------------------------------------------------
# deadlines
# ---------------------------------------------------------------------------
def melding_due(calendar: WorkdayCalendar, received: dt.date | dt.datetime, term_days: int) -> dt.date:
    """The last day of the handling term: ``term_days`` working days after the day it came in."""
    return calendar.add_working_days(received, term_days)


def days_left(calendar: WorkdayCalendar, today: dt.date, due: dt.date) -> int:
    """Working days from today up to the due day; 0 on the due day, negative when overdue."""
    return calendar.working_days_between(today, due)


def is_overdue(today: dt.date, due: dt.date) -> bool:
    return today > due


def callback_due(calendar: WorkdayCalendar, written: dt.date | dt.datetime) -> dt.date:
    return calendar.add_working_days(written, CALLBACK_TERM_WORKING_DAYS)


def complaint_due(calendar: WorkdayCalendar, received: dt.date, *, extended: bool = False) -> dt.date:
    """Six weeks after receipt (ten when extended); on a closed day, the next working day."""
    day = received + COMPLAINT_TERM + (COMPLAINT_EXTENSION if extended else dt.timedelta())
    return calendar.next_working_day(day, include_today=True)


class ComplaintState(str, enum.Enum):
    REGISTERED = "ingediend"
    ACKNOWLEDGED = "bevestigd"
    HANDLED = "afgehandeld"


def check_complaint_open(number: str, state: str) -> None:
    if state == ComplaintState.HANDLED.value:
        raise RecordClosed("complaint", number, state)


def check_can_extend(number: str, state: str, extended: bool) -> None:
    check_complaint_open(number, state)
    if extended:
        raise ComplaintAlreadyExtended(number)


def complaint_number(year: int, sequence: int) -> str:
    if not 1 <= sequence <= SEQUENCE_MAX or not 2000 <= year <= 9999:
        raise ValidationError("complaint_number", "out_of_range", SEQUENCE_MAX)
    return f"K-{year:04d}-{sequence:05d}" if sequence < 100_000 else f"K-{year:04d}-{sequence}"


class ContactResult(str, enum.Enum):
    FIRST_LINE = "eerstelijn"  # answered at first contact
    PASSED_ON = "doorgezet"


def parse_contact_result(value: object) -> ContactResult:
    try:
        return ContactResult(value)
    except ValueError:
        raise ValidationError("result", "invalid") from None


# ---------------------------------------------------------------------------
# duplicates
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class DuplicateProbe:
    """What is known of a new melding while it is being typed."""

    category_id: int
    street_key: str | None
    postcode_area: str | None


def duplicate_since(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=DUPLICATE_WINDOW_DAYS)


def is_duplicate_candidate(probe: DuplicateProbe, *, category_id: int, state: str, created_at: dt.datetime,
                           street_key_: str | None, postcode_area_: str | None, now: dt.datetime) -> bool:
    """The rule that storage's duplicate look-up implements as one query (tests compare the two)."""
    if category_id != probe.category_id or state not in OPEN_STATE_VALUES:
        return False
    if created_at < duplicate_since(now) or created_at > now:
        return False
    same_street = probe.street_key is not None and street_key_ == probe.street_key
    same_area = probe.postcode_area is not None and postcode_area_ == probe.postcode_area
    return same_street or same_area

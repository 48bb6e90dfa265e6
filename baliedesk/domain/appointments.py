"""Appointments (afspraken): slots, contact details, codes, and the check-in rules.

* **Slots** follow from a service's opening periods on a day (see
  :class:`baliedesk.domain.calendar.Schedule`), minus appointment blocks
  (lunch, team meeting), cut into pieces of the service's duration; a slot
  never runs past the end of its period. Its capacity is the number of
  counters serving the service, optionally capped by the service's
  ``max_parallel``: the ceiling with nothing else booked. The places actually
  free follow from every service's appointments on the counters they share
  (:mod:`baliedesk.domain.capacity`).
* **Contact**: a name, and a phone number or an e-mail address (or both),
  validated here; remarks are free text.
* **Code**: six characters from an alphabet without look-alikes (no 0/O,
  1/I/L, 2/Z, 5/S, 8/B), shown as ``K7P-3QX``; typing it with or without the
  dash, in lower case or with spaces, is fine.
* **Check-in rules** (per location, explicit): a visitor may check in from
  ``early_minutes`` before the slot until ``late_minutes`` after its start.
  Earlier: come back later. Later: too late, the visitor is offered a walk-in
  ticket; the appointment counts as a no-show once that window has passed.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from baliedesk.domain.calendar import Period, subtract
from baliedesk.domain.errors import AppointmentNotActive, ValidationError
from baliedesk.domain.validation import clean_line, clean_name, clean_text

# ---------------------------------------------------------------------------
# slots
# ---------------------------------------------------------------------------
MIN_DURATION = 5
MAX_DURATION = 240
MAX_PARALLEL = 100


@dataclass(frozen=True)
class Slot:
    """One appointment slot on a day: minutes after local midnight, and how many at once."""

    start: int
    end: int
    capacity: int


@dataclass(frozen=True)
class Block:
    """No appointments in ``period``: every week on ``weekday``, or on one ``day``.

    For the whole location, one service (both: no slots in that time), or one
    counter (``counter_id``: that counter is out, the others stay bookable;
    see :mod:`baliedesk.domain.capacity`).
    """

    period: Period
    weekday: int | None = None
    day: dt.date | None = None
    service_id: int | None = None
    counter_id: int | None = None

    def on(self, day: dt.date) -> bool:
        if self.day is not None:
            return self.day == day
        return self.weekday == day.weekday()

    def applies(self, day: dt.date, service_id: int) -> bool:
        """Whether this block takes the slots of ``service_id`` away on ``day`` (counter blocks never do)."""
        if self.counter_id is not None:
            return False
        if self.service_id is not None and self.service_id != service_id:
            return False
        return self.on(day)


def capacity_for(counters_serving: int, max_parallel: int | None) -> int:
    """How many appointments of one service fit in one slot."""
    cap = max(0, counters_serving)
    if max_parallel is not None:
        cap = min(cap, max(0, max_parallel))
    return cap


def day_slots(periods: Sequence[Period], blocks: Sequence[Period], duration: int, capacity: int) -> list[Slot]:
    """The slots of one day: each open piece (periods minus blocks) cut into ``duration`` minutes.

    The last slot of a piece ends at or before the piece's end: no slot runs
    past closing time or into a block.
    """
    if capacity <= 0 or duration <= 0:
        return []
    pieces = subtract(periods, sorted(blocks)) if blocks else periods
    out: list[Slot] = []
    for piece in pieces:
        start = piece.start
        while start + duration <= piece.end:
            out.append(Slot(start, start + duration, capacity))
            start += duration
    return out


def blocks_on(blocks: Iterable[Block], day: dt.date, service_id: int) -> list[Period]:
    return [b.period for b in blocks if b.applies(day, service_id)]


def counter_blocks_on(blocks: Iterable[Block], day: dt.date) -> list[tuple[int, Period]]:
    """(counter, period) of every one-counter block on ``day``."""
    return [(b.counter_id, b.period) for b in blocks if b.counter_id is not None and b.on(day)]


def validate_duration(minutes: object) -> int:
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not MIN_DURATION <= minutes <= MAX_DURATION:
        raise ValidationError("duration_minutes", "out_of_range", MAX_DURATION)
    return minutes


def validate_max_parallel(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_PARALLEL:
        raise ValidationError("max_parallel", "out_of_range", MAX_PARALLEL)
    return value


BRING_MAX_ITEMS = 12
BRING_ITEM_LENGTH = 120


def clean_bring_list(items: Iterable[str] | str | None) -> tuple[str, ...]:
    """The "neem mee" list: one short item each ("uw oude paspoort", "een pasfoto")."""
    if items is None:
        return ()
    if isinstance(items, str):
        items = items.splitlines()
    out = []
    for item in items:
        text = clean_line(item if isinstance(item, str) else None, field="bring", max_length=BRING_ITEM_LENGTH)
        if text:
            out.append(text)
    if len(out) > BRING_MAX_ITEMS:
        raise ValidationError("bring", "too_many", BRING_MAX_ITEMS)
    return tuple(out)


# ---------------------------------------------------------------------------
# contact details
# ---------------------------------------------------------------------------
NAME_MAX_LENGTH = 120
REMARKS_MAX_LENGTH = 500
PHONE_MAX_LENGTH = 32
EMAIL_MAX_LENGTH = 254

_PHONE_CHARS = re.compile(r"^\+?[0-9 ()\-.]+$")
_EMAIL_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-]+$")
_EMAIL_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?$")


def clean_phone(value: str | None) -> str | None:
    """A Dutch or international phone number, stored as digits (``0612345678``, ``+31612345678``).

    Spaces, dashes, dots and brackets may be typed. Dutch numbers have ten
    digits and start with 0; international ones start with + (or 00) and have
    8 to 15 digits. Empty: None.
    """
    if value is not None and not isinstance(value, str):
        raise ValidationError("phone", "invalid")
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > PHONE_MAX_LENGTH or not _PHONE_CHARS.fullmatch(text):
        raise ValidationError("phone", "invalid")
    digits = re.sub(r"[^0-9]", "", text)
    if text.startswith("+") or digits.startswith("00"):
        digits = digits[2:] if not text.startswith("+") else digits
        if not 8 <= len(digits) <= 15 or digits.startswith("0"):
            raise ValidationError("phone", "invalid")
        if digits.startswith("31") and (len(digits) != 11 or digits[2] == "0"):
            raise ValidationError("phone", "invalid")  # +31 then nine digits, without the 0
        return "+" + digits
    if len(digits) != 10 or not digits.startswith("0") or digits.startswith("00"):
        raise ValidationError("phone", "invalid")
    return digits


def clean_email(value: str | None) -> str | None:
    """An e-mail address as typed (domain in lower case). Empty: None."""
    if value is not None and not isinstance(value, str):
        raise ValidationError("email", "invalid")
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > EMAIL_MAX_LENGTH or text.count("@") != 1:
        raise ValidationError("email", "invalid")
    local, domain = text.split("@")
    if not local or len(local) > 64 or not _EMAIL_LOCAL.fullmatch(local) or local.startswith(".") \
            or local.endswith(".") or ".." in local:
        raise ValidationError("email", "invalid")
    labels = domain.split(".")
    if len(labels) < 2 or any(not _EMAIL_LABEL.fullmatch(label) or len(label) > 63 for label in labels) \
            or not labels[-1].isalpha() or len(labels[-1]) < 2:
        raise ValidationError("email", "invalid")
    return f"{local}@{domain.lower()}"


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str | None
    email: str | None
    remarks: str | None


def clean_contact(name: str | None, phone: str | None, email: str | None, remarks: str | None = None) -> Contact:
    """Name required; a phone number or an e-mail address (at least one); remarks optional."""
    clean = Contact(
        clean_name(name, field="name", max_length=NAME_MAX_LENGTH),
        clean_phone(phone),
        clean_email(email),
        clean_text(remarks, field="remarks", max_length=REMARKS_MAX_LENGTH) or None,
    )
    if clean.phone is None and clean.email is None:
        raise ValidationError("contact", "phone_or_email")
    return clean


# ---------------------------------------------------------------------------
# codes
# ---------------------------------------------------------------------------
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
_CODE_SET = frozenset(CODE_ALPHABET)


def new_code(randbelow: Callable[[int], int]) -> str:
    """A fresh code; pass ``secrets.randbelow`` (tests pass a seeded random)."""
    return "".join(CODE_ALPHABET[randbelow(len(CODE_ALPHABET))] for _ in range(CODE_LENGTH))


def normalise_code(text: str | None) -> str:
    """``" k7p-3qx "`` -> ``"K7P3QX"``; anything that cannot be a code is refused."""
    code = re.sub(r"[\s\-.]", "", str(text or "")).upper()
    if len(code) != CODE_LENGTH or not set(code) <= _CODE_SET:
        raise ValidationError("code", "invalid")
    return code


def display_code(code: str) -> str:
    """``"K7P3QX"`` -> ``"K7P-3QX"``."""
    return f"{code[:3]}-{code[3:]}" if len(code) == CODE_LENGTH else code


# ---------------------------------------------------------------------------
# states and check-in rules
# ---------------------------------------------------------------------------
class AppointmentState(str, enum.Enum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


ACTIVE_STATES = frozenset({AppointmentState.BOOKED, AppointmentState.CHECKED_IN})


def require_booked(code: str, state: str) -> None:
    """Moving, cancelling and checking in are only possible while booked."""
    if AppointmentState(state) is not AppointmentState.BOOKED:
        raise AppointmentNotActive(code, AppointmentState(state).value)


@dataclass(frozen=True)
class CheckinRules:
    early_minutes: int = 30  # may check in this long before the slot
    late_minutes: int = 5  # and this long after its start

    def opens(self, slot_start: dt.datetime) -> dt.datetime:
        return slot_start - dt.timedelta(minutes=self.early_minutes)

    def closes(self, slot_start: dt.datetime) -> dt.datetime:
        """The last moment to check in; after it the appointment is a no-show."""
        return slot_start + dt.timedelta(minutes=self.late_minutes)


class CheckinVerdict(str, enum.Enum):
    TOO_EARLY = "too_early"
    ON_TIME = "on_time"  # from the early limit up to the slot's start
    LATE = "late"  # after the start, within the late limit: still the appointment's priority
    TOO_LATE = "too_late"


def checkin_verdict(slot_start: dt.datetime, now: dt.datetime, rules: CheckinRules) -> CheckinVerdict:
    if now < rules.opens(slot_start):
        return CheckinVerdict.TOO_EARLY
    if now <= slot_start:
        return CheckinVerdict.ON_TIME
    if now <= rules.closes(slot_start):
        return CheckinVerdict.LATE
    return CheckinVerdict.TOO_LATE


class DisplayStatus(str, enum.Enum):
    """What the day overview shows."""

    UPCOMING = "upcoming"  # booked, check-in not open yet
    EXPECTED = "expected"  # booked, may check in now
    CHECKED_IN = "checked_in"
    NO_SHOW = "no_show"  # not checked in and the late limit passed (or marked so)
    CANCELLED = "cancelled"


def display_status(state: str, slot_start: dt.datetime, now: dt.datetime, rules: CheckinRules) -> DisplayStatus:
    s = AppointmentState(state)
    if s is AppointmentState.CHECKED_IN:
        return DisplayStatus.CHECKED_IN
    if s is AppointmentState.CANCELLED:
        return DisplayStatus.CANCELLED
    if s is AppointmentState.NO_SHOW:
        return DisplayStatus.NO_SHOW
    verdict = checkin_verdict(slot_start, now, rules)
    if verdict is CheckinVerdict.TOO_LATE:
        return DisplayStatus.NO_SHOW
    if verdict is CheckinVerdict.TOO_EARLY:
        return DisplayStatus.UPCOMING
    return DisplayStatus.EXPECTED

"""How long personal data is kept, per kind of data (AVG art. 5(1)(e): storage limitation).

The defaults follow the practice of the Archiefwet selection lists for
municipal records and Signalen's ADR on retention, with this difference: they
are ON by default, and they also scrub free text. Each term counts in whole
months from the moment named in ``KIND_FROM``.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from baliedesk.domain.errors import ValidationError


class RetentionKind(str, enum.Enum):
    MELDING_REPORTER = "melding_reporter"  # reporter's name, phone, e-mail; free text scrubbed
    APPOINTMENT = "appointment"  # name, phone, e-mail, remarks of an appointment
    CALLBACK = "callback"  # caller's name and phone; question and outcome scrubbed
    COMPLAINT = "complaint"  # complainant's name, phone, e-mail; free text scrubbed
    MELDING_CANCELLED = "melding_cancelled"  # a cancelled melding destroyed (tombstone stays)
    MELDING_HANDLED = "melding_handled"  # a handled melding destroyed (tombstone stays)
    TICKET_NOTE = "ticket_note"  # a clerk's note on a ticket (and in its events)
    CONTACT_NOTE = "contact_note"  # the note of a contact registration


#: Default term in months.
DEFAULT_MONTHS: dict[RetentionKind, int] = {
    RetentionKind.MELDING_REPORTER: 12,
    RetentionKind.APPOINTMENT: 3,
    RetentionKind.CALLBACK: 6,
    RetentionKind.COMPLAINT: 24,
    RetentionKind.MELDING_CANCELLED: 12,
    RetentionKind.MELDING_HANDLED: 60,
    RetentionKind.TICKET_NOTE: 3,
    RetentionKind.CONTACT_NOTE: 12,
}

#: From when the term counts (documentation; storage applies it).
KIND_FROM: dict[RetentionKind, str] = {
    RetentionKind.MELDING_REPORTER: "closed_at",
    RetentionKind.APPOINTMENT: "slot_end",
    RetentionKind.CALLBACK: "done_at",
    RetentionKind.COMPLAINT: "handled_at",
    RetentionKind.MELDING_CANCELLED: "closed_at",
    RetentionKind.MELDING_HANDLED: "closed_at",
    RetentionKind.TICKET_NOTE: "issued_at",
    RetentionKind.CONTACT_NOTE: "created_at",
}

MAX_MONTHS = 12 * 30


@dataclass(frozen=True)
class Term:
    kind: RetentionKind
    months: int
    enabled: bool


def parse_kind(value: object) -> RetentionKind:
    try:
        return RetentionKind(value)
    except ValueError:
        raise ValidationError("kind", "invalid") from None


def check_months(months: object) -> int:
    if isinstance(months, bool) or not isinstance(months, int):
        raise ValidationError("months", "invalid")
    if not 1 <= months <= MAX_MONTHS:
        raise ValidationError("months", "out_of_range", MAX_MONTHS)
    return months


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """``moment`` minus whole calendar months (the 31st becomes the month's last day)."""
    total = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def cutoff(now: dt.datetime, term: Term) -> dt.datetime:
    """Records whose moment lies before this are due."""
    return months_before(now, term.months)

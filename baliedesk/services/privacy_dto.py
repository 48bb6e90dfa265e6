"""Results of the privacy services (issue 12): audit entries, retention terms and runs, a resident's data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditEntryInfo:
    id: int
    at: dt.datetime
    user_id: int | None
    user_name: str | None  # the staff member (not a resident)
    workstation: str
    action: str  # read | create | update | delete | anonymise | erase | export | retention
    record_type: str
    record_id: int | None
    fields: tuple[str, ...]  # names only, never values
    detail: str  # JSON without personal values


@dataclass(frozen=True)
class RetentionTermInfo:
    kind: str
    months: int
    enabled: bool
    default_months: int
    counts_from: str  # the moment the term counts from (closed_at, slot_end ...)


@dataclass(frozen=True)
class RetentionCount:
    kind: str
    months: int
    enabled: bool
    due: int  # rows due (dry run) or done (a real run)


@dataclass(frozen=True)
class RetentionRun:
    at: dt.datetime
    dry_run: bool
    counts: tuple[RetentionCount, ...]

    def count(self, kind: str) -> int:
        return next((c.due for c in self.counts if c.kind == kind), 0)

    @property
    def total(self) -> int:
        return sum(c.due for c in self.counts)


@dataclass(frozen=True)
class ResidentMelding:
    id: int
    number: str
    state: str
    received_on: dt.date
    closed_at: dt.datetime | None
    reporter_name: str | None
    reporter_phone: str | None
    reporter_email: str | None
    address: str
    description: str


@dataclass(frozen=True)
class ResidentAppointment:
    id: int
    code: str
    service_name: str
    start: dt.datetime
    state: str
    name: str
    phone: str | None
    email: str | None
    remarks: str | None


@dataclass(frozen=True)
class ResidentCallback:
    id: int
    created_at: dt.datetime
    caller_name: str
    phone: str
    question: str
    done_at: dt.datetime | None
    outcome: str | None


@dataclass(frozen=True)
class ResidentComplaint:
    id: int
    number: str
    state: str
    received_on: dt.date
    name: str
    phone: str | None
    email: str | None
    subject: str
    description: str
    outcome: str | None


@dataclass(frozen=True)
class ResidentData:
    """Everything stored about one resident (AVG art. 15), found by e-mail, phone, or name (and postcode)."""

    found_at: dt.datetime
    found_by: str  # how they were found: "email", "phone", "name", "name+postcode" (comma-separated)
    meldingen: tuple[ResidentMelding, ...]
    appointments: tuple[ResidentAppointment, ...]
    callbacks: tuple[ResidentCallback, ...]
    complaints: tuple[ResidentComplaint, ...]
    retention: tuple[RetentionTermInfo, ...]  # how long each kind is kept (part of the answer to art. 15)

    @property
    def empty(self) -> bool:
        return not (self.meldingen or self.appointments or self.callbacks or self.complaints)


@dataclass(frozen=True)
class ErasureResult:
    erased: tuple[tuple[str, int], ...]  # (record type, id)
    kept: tuple[tuple[str, int, str], ...]  # (record type, id, why: a legal term still applies)

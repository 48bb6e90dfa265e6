"""Results of the meldingen, contact, callback and complaint services: frozen, safe to pass between threads.

:class:`MeldingSlip` and :class:`CallbackSlip` are what the printing package
prints (melding confirmation, callback receipt): plain values only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    main: str
    sub: str
    team: str
    term_days: int
    active: bool

    @property
    def label(self) -> str:
        return f"{self.main} > {self.sub}"


@dataclass(frozen=True)
class MeldingSummary:
    id: int
    number: str
    category_id: int
    category_label: str
    team: str
    state: str
    channel: str
    urgency: str
    place_text: str
    description: str
    received_on: dt.date
    due_date: dt.date
    days_left: int  # working days from today to the due date; negative when overdue
    overdue: bool
    open: bool
    created_at: dt.datetime
    linked_to_id: int | None
    photo_count: int


@dataclass(frozen=True)
class PhotoInfo:
    id: int
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    user_name: str | None
    from_state: str | None
    to_state: str
    note: str | None


@dataclass(frozen=True)
class MeldingDetail:
    summary: MeldingSummary
    tracking_code: str  # as shown: K7P3-QX4A
    street: str | None
    house_number: int | None
    house_addition: str | None
    postcode: str | None
    place: str | None
    location_text: str | None
    latitude: float | None
    longitude: float | None
    reporter_name: str | None
    reporter_phone: str | None
    reporter_email: str | None
    wants_feedback: bool
    linked_to_number: str | None
    linked_count: int
    photos: tuple[PhotoInfo, ...]
    history: tuple[HistoryEntry, ...]


@dataclass(frozen=True)
class MeldingSlip:
    """What the reporter takes home (printing: melding confirmation)."""

    number: str
    tracking_code: str
    category: str
    location_text: str
    description: str
    received_on: dt.date
    expected_date: dt.date
    location_name: str


@dataclass(frozen=True)
class IntakeResult:
    melding: MeldingDetail
    slip: MeldingSlip


@dataclass(frozen=True)
class DuplicateCandidate:
    id: int
    number: str
    category_label: str
    place_text: str
    state: str
    created_at: dt.datetime
    description: str
    same_street: bool
    same_area: bool


@dataclass(frozen=True)
class WorkList:
    today: dt.date
    rows: tuple[MeldingSummary, ...]
    more: bool  # more rows matched than shown


@dataclass(frozen=True)
class ContactInfo:
    id: int
    channel: str
    subject: str
    result: str
    passed_to: str | None
    note: str | None
    service_id: int | None
    ticket_id: int | None
    created_at: dt.datetime


@dataclass(frozen=True)
class CallbackInfo:
    id: int
    caller_name: str
    phone: str
    question: str
    for_team: str | None
    for_user_id: int | None
    for_user_name: str | None
    due_date: dt.date
    days_left: int
    overdue: bool
    created_at: dt.datetime
    done_at: dt.datetime | None
    reached: bool | None
    outcome: str | None


@dataclass(frozen=True)
class CallbackSlip:
    """Receipt for the caller or the colleague (printing: callback receipt)."""

    caller_name: str
    phone: str
    question: str
    for_whom: str
    written_at: dt.datetime
    expected_date: dt.date
    location_name: str


@dataclass(frozen=True)
class ComplaintInfo:
    id: int
    number: str
    name: str
    phone: str | None
    email: str | None
    subject: str
    description: str
    channel: str
    state: str
    received_on: dt.date
    due_date: dt.date
    days_left: int  # working days to the due date, negative when late
    overdue: bool
    acknowledged_at: dt.datetime | None
    extended: bool
    extension_reason: str | None
    outcome: str | None
    handled_at: dt.datetime | None

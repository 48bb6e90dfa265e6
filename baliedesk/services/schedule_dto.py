"""Frozen results of the schedule and appointment services: safe to hand to another thread.

Moments are aware datetimes in the location's time zone (ready to show);
periods of a day are (start, end) in minutes after local midnight.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

#: (start, end) in minutes after local midnight.
Minutes = tuple[int, int]


@dataclass(frozen=True)
class CalendarOptions:
    location_id: int
    good_friday: bool
    liberation_day: str  # every_year | lustrum | never
    kiosk_stop_minutes: int
    appointments_enabled: bool
    checkin_early_minutes: int
    checkin_late_minutes: int


@dataclass(frozen=True)
class ExceptionInfo:
    day: dt.date
    service_id: int | None  # None: the whole location
    periods: tuple[Minutes, ...]  # empty: closed
    note: str

    @property
    def closed(self) -> bool:
        return not self.periods


@dataclass(frozen=True)
class BlockInfo:
    id: int
    service_id: int | None
    weekday: int | None  # weekly block ...
    day: dt.date | None  # ... or on one date
    start: int
    end: int
    note: str
    counter_id: int | None = None  # one counter out (the others stay bookable)


@dataclass(frozen=True)
class ServiceAppointmentInfo:
    service_id: int
    enabled: bool  # services.appointments
    duration_minutes: int
    max_parallel: int | None
    bring: tuple[str, ...]  # "neem mee", one item each


@dataclass(frozen=True)
class ScheduleConfig:
    """Everything the admin window edits, read in one go."""

    options: CalendarOptions
    location_hours: dict[int, tuple[Minutes, ...]]  # weekday -> periods
    service_hours: dict[int, dict[int, tuple[Minutes, ...]]]  # service -> weekday -> periods
    exceptions: tuple[ExceptionInfo, ...]
    blocks: tuple[BlockInfo, ...]
    services: tuple[ServiceAppointmentInfo, ...]
    counters: tuple[CounterChoice, ...] = ()  # active counters, for a block on one counter


@dataclass(frozen=True)
class CounterChoice:
    counter_id: int
    name: str


@dataclass(frozen=True)
class CalendarDay:
    """One day of the team lead's four-week view."""

    day: dt.date
    status: str  # DayStatus value: regular | other_hours | holiday | closed | no_hours
    holiday: str | None  # Holiday value
    note: str
    periods: tuple[Minutes, ...]
    working_day: bool
    service_exceptions: tuple[ExceptionInfo, ...]


@dataclass(frozen=True)
class OpenPeriodInfo:
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class ServiceHours:
    service_id: int
    prefix: str
    periods: tuple[OpenPeriodInfo, ...]  # today
    open_now: bool
    kiosk_open: bool  # the kiosk issues tickets now (open, and not within the stop time)
    closes_at: dt.datetime | None  # end of the current period
    next_opening: dt.datetime | None


@dataclass(frozen=True)
class TodaysHours:
    """Today's hours for the counter, kiosk, hall screen and slips.

    ``configured`` False: the location has no opening schedule; show nothing
    about hours and issue tickets as always.
    """

    location_id: int
    configured: bool
    now: dt.datetime  # local
    day: dt.date
    status: str
    holiday: str | None
    note: str
    periods: tuple[OpenPeriodInfo, ...]
    open_now: bool
    closes_at: dt.datetime | None
    next_opening: dt.datetime | None
    kiosk_stop_minutes: int
    services: tuple[ServiceHours, ...]

    def for_service(self, service_id: int) -> ServiceHours | None:
        return next((s for s in self.services if s.service_id == service_id), None)


# ---------------------------------------------------------------------------
# appointments
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class AppointmentSwitch:
    """Whether anything of appointments is shown at a location (no personal data)."""

    location_id: int
    enabled: bool  # the location's switch
    service_ids: tuple[int, ...]  # services taking appointments (empty when the location's switch is off)


class SlotInfo(NamedTuple):
    """One slot with its places (a named tuple: a month of them is built in one go, see bench/slots.py)."""

    service_id: int
    start: dt.datetime  # local
    end: dt.datetime
    capacity: int  # places with nothing else booked (counters serving the service, capped by max_parallel)
    booked: int  # appointments of this service in this slot
    free: int  # places left, counting every service's appointments on counters they share


@dataclass(frozen=True)
class AppointmentInfo:
    id: int
    code: str  # "K7P3QX"
    display_code: str  # "K7P-3QX"
    location_id: int
    location_name: str
    service_id: int
    service_prefix: str
    service_name: str
    start: dt.datetime  # local
    end: dt.datetime
    state: str  # booked | checked_in | cancelled | no_show
    status: str  # upcoming | expected | checked_in | no_show | cancelled (for the day overview)
    name: str
    phone: str | None
    email: str | None
    remarks: str | None
    bring: tuple[str, ...]  # "neem mee"
    checkin_from: dt.datetime  # local: the early limit
    checkin_until: dt.datetime  # local: the late limit
    checked_in_at: dt.datetime | None
    ticket_id: int | None
    ticket_number: str | None
    moved_count: int


@dataclass(frozen=True)
class CheckInResult:
    appointment: AppointmentInfo
    issued: object  # services.dto.IssuedTicket: the ticket, its estimate, the location's name
    verdict: str  # on_time | late


@dataclass(frozen=True)
class DayOverview:
    location_id: int
    day: dt.date
    appointments: tuple[AppointmentInfo, ...]  # by slot time

    def count(self, status: str) -> int:
        return sum(1 for a in self.appointments if a.status == status)

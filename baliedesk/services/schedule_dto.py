"""Frozen results of the schedule and appointment services: safe to hand to another thread.

Moments are aware datetimes in the location's time zone (ready to show);
periods of a day are (start, end) in minutes after local midnight.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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

"""Opening schedules: weekly hours, dated exceptions, closure-day choices, today's hours.

The rules live in :mod:`baliedesk.domain.calendar`; this module loads a
location's schedule in a unit of work, checks roles, and saves what the team
lead edits. A location without a weekly pattern has *no schedule*: nothing
about hours is shown and the kiosk issues tickets as always.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from baliedesk.domain.calendar import (
    EXCEPTION_NOTE_MAX_LENGTH,
    OPTION_LIMITS,
    DayException,
    HolidayPolicy,
    KioskVerdict,
    LiberationDay,
    Period,
    Schedule,
    WeeklyPattern,
    WorkdayCalendar,
    validate_periods,
)
from baliedesk.domain.errors import NotFound, ServiceClosed, ValidationError
from baliedesk.domain.permissions import Permission
from baliedesk.domain.validation import clean_text
from baliedesk.services.common import acting_user, check_now, get_or_404, require_location
from baliedesk.services.ports import Backend, UnitOfWork
from baliedesk.services.schedule_dto import (
    BlockInfo,
    CalendarDay,
    CalendarOptions,
    CounterChoice,
    ExceptionInfo,
    OpenPeriodInfo,
    ScheduleConfig,
    ServiceAppointmentInfo,
    ServiceHours,
    TodaysHours,
)

#: The defaults when a location never saved its choices (storage/models.LocationCalendar mirrors them).
DEFAULT_OPTIONS = {
    "good_friday": False,
    "liberation_day": LiberationDay.LUSTRUM.value,
    "kiosk_stop_minutes": 10,
    "appointments_enabled": False,
    "checkin_early_minutes": 30,
    "checkin_late_minutes": 5,
}
#: Upper limits of the numeric options (the admin window uses them too).
# The limits live in the domain (the admin window shows them too).
NOTE_MAX_LENGTH = EXCEPTION_NOTE_MAX_LENGTH
#: The four-week view, and no more than a year at once.
CALENDAR_VIEW_DAYS = 28
MAX_VIEW_DAYS = 366


def schedule_topic(location_id: int) -> str:
    return f"schedule:{location_id}"


# ---------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------
def options_of(row: Any | None, location_id: int) -> CalendarOptions:
    values = dict(DEFAULT_OPTIONS)
    if row is not None:
        values = {key: getattr(row, key) for key in DEFAULT_OPTIONS}
    return CalendarOptions(location_id=location_id, **values)


def policy_of(options: CalendarOptions) -> HolidayPolicy:
    return HolidayPolicy.parse(options.good_friday, options.liberation_day)


def _pattern(rows: Iterable[Any]) -> WeeklyPattern:
    days: list[list[Period]] = [[] for _ in range(7)]
    for r in rows:
        days[r.weekday].append(Period(r.start_minute, r.end_minute))
    return WeeklyPattern(tuple(tuple(sorted(d)) for d in days))


def load_schedule(uow: UnitOfWork, location: Any) -> tuple[Schedule | None, CalendarOptions]:
    """The location's schedule (None: no weekly pattern configured) and its options."""
    options = options_of(uow.schedules.calendar(location.id), location.id)
    return _build_schedule(uow, location, uow.schedules.periods(location.id), options), options


def _build_schedule(uow: UnitOfWork, location: Any, rows: list[Any], options: CalendarOptions) -> Schedule | None:
    own = [r for r in rows if r.service_id is None]
    if not own:
        return None
    by_service: dict[int, list[Any]] = {}
    for r in rows:
        if r.service_id is not None:
            by_service.setdefault(r.service_id, []).append(r)
    exceptions: dict[dt.date, DayException] = {}
    service_exceptions: dict[tuple[int, dt.date], DayException] = {}
    for e in uow.schedules.exceptions(location.id):
        exc = DayException(e.day, tuple(Period(int(a), int(b)) for a, b in e.periods), e.note or "")
        if e.service_id is None:
            exceptions[e.day] = exc
        else:
            service_exceptions[(e.service_id, e.day)] = exc
    return Schedule(
        _pattern(own),
        timezone=location.timezone,
        policy=policy_of(options),
        exceptions=exceptions,
        service_patterns={sid: _pattern(rs) for sid, rs in by_service.items()},
        service_exceptions=service_exceptions,
    )


def load_workday_calendar(uow: UnitOfWork, location: Any) -> WorkdayCalendar:
    """The working-day calendar of a location, for every deadline (also without opening hours)."""
    schedule, options = load_schedule(uow, location)
    if schedule is not None:
        return schedule.calendar
    rows = [e for e in uow.schedules.exceptions(location.id) if e.service_id is None]
    closed = [e.day for e in rows if not e.periods]
    opened = [e.day for e in rows if e.periods and e.day.weekday() < 5]
    return WorkdayCalendar(policy_of(options), closed, opened, location.timezone)


def check_kiosk_open(uow: UnitOfWork, location: Any, service: Any, now: dt.datetime) -> None:
    """Refuse a ticket when the service is closed or about to close (only with a schedule).

    Without a schedule this costs one small query (the location's periods).
    """
    rows = uow.schedules.periods(location.id)
    if not any(r.service_id is None for r in rows):
        return
    options = options_of(uow.schedules.calendar(location.id), location.id)
    schedule = _build_schedule(uow, location, rows, options)
    if schedule is None:
        return
    check = schedule.kiosk_check(now, service.id, options.kiosk_stop_minutes)
    if check.verdict is not KioskVerdict.OPEN:
        raise ServiceClosed(service.prefix, check.verdict.value, check.next_opening, check.closes_at,
                            schedule.local_date(now))


# ---------------------------------------------------------------------------
# reading: today's hours, the four-week view, the configuration
# ---------------------------------------------------------------------------
def _read_permission(uow: UnitOfWork, user_id: int, location_id: int) -> None:
    user = uow.directory.user(user_id)
    perm = Permission.VIEW_DISPLAY if user is not None and user.role == "display" else Permission.VIEW_QUEUE
    require_location(uow, acting_user(uow, user_id, perm), location_id)


def _open_periods(schedule: Schedule, day: dt.date, service_id: int | None) -> tuple[OpenPeriodInfo, ...]:
    return tuple(OpenPeriodInfo(p.start, p.end) for p in schedule.open_periods(day, service_id))


def todays_hours(backend: Backend, user_id: int, location_id: int, now: dt.datetime) -> TodaysHours:
    """Today's hours, whether it is open now, until when, and the next opening; also per service.

    For the counter, the kiosk (which service takes tickets now) and the hall
    screen ("Vandaag open tot 19.30 uur"). No personal data.
    """
    now = check_now(now)
    with backend.unit_of_work() as uow:
        _read_permission(uow, user_id, location_id)
        location = get_or_404(uow.directory.location(location_id), "location", location_id)
        schedule, options = load_schedule(uow, location)
        if schedule is None:
            local = now.astimezone(ZoneInfo(location.timezone))
            return TodaysHours(location.id, False, local, local.date(), "", None, "", (), False, None, None,
                               options.kiosk_stop_minutes, ())
        local = now.astimezone(schedule.tz)
        day = local.date()
        hours = schedule.day(day)
        services = []
        for s in uow.directory.services(location.id):
            if not s.active:
                continue
            check = schedule.kiosk_check(now, s.id, options.kiosk_stop_minutes)
            services.append(ServiceHours(
                s.id, s.prefix, _open_periods(schedule, day, s.id), check.verdict is not KioskVerdict.CLOSED,
                check.verdict is KioskVerdict.OPEN, check.closes_at, check.next_opening,
            ))
        return TodaysHours(
            location_id=location.id,
            configured=True,
            now=local,
            day=day,
            status=hours.status.value,
            holiday=hours.holiday.value if hours.holiday else None,
            note=hours.note,
            periods=_open_periods(schedule, day, None),
            open_now=schedule.is_open(now),
            closes_at=schedule.closes_at(now),
            next_opening=schedule.next_opening(now),
            kiosk_stop_minutes=options.kiosk_stop_minutes,
            services=tuple(services),
        )


def _minutes(periods: Iterable[Period]) -> tuple[tuple[int, int], ...]:
    return tuple((p.start, p.end) for p in periods)


def _exception_info(e: Any) -> ExceptionInfo:
    return ExceptionInfo(e.day, e.service_id, tuple((int(a), int(b)) for a, b in e.periods), e.note or "")


def calendar_view(backend: Backend, user_id: int, location_id: int, start: dt.date,
                  days: int = CALENDAR_VIEW_DAYS) -> tuple[CalendarDay, ...]:
    """The coming weeks day by day: hours, holidays, closures, other hours (the team lead's view)."""
    if not 1 <= days <= MAX_VIEW_DAYS:
        raise ValidationError("days", "out_of_range", MAX_VIEW_DAYS)
    with backend.unit_of_work() as uow:
        require_location(uow, acting_user(uow, user_id, Permission.CONFIGURE), location_id)
        location = get_or_404(uow.directory.location(location_id), "location", location_id)
        schedule, options = load_schedule(uow, location)
        rows = uow.schedules.exceptions(location.id)
        per_service: dict[dt.date, list[ExceptionInfo]] = {}
        for e in rows:
            if e.service_id is not None:
                per_service.setdefault(e.day, []).append(_exception_info(e))
        if schedule is None:
            schedule = Schedule(WeeklyPattern(), location.timezone, policy_of(options), {
                e.day: DayException(e.day, tuple(Period(int(a), int(b)) for a, b in e.periods), e.note or "")
                for e in rows if e.service_id is None})
        out = []
        for h in schedule.days(start, days):
            out.append(CalendarDay(h.day, h.status.value, h.holiday.value if h.holiday else None, h.note,
                                   _minutes(h.periods), schedule.calendar.is_working_day(h.day),
                                   tuple(per_service.get(h.day, ()))))
        return tuple(out)


def schedule_config(backend: Backend, user_id: int, location_id: int) -> ScheduleConfig:
    """Everything the admin window edits, in one read."""
    with backend.unit_of_work() as uow:
        require_location(uow, acting_user(uow, user_id, Permission.CONFIGURE), location_id)
        location = get_or_404(uow.directory.location(location_id), "location", location_id)
        options = options_of(uow.schedules.calendar(location.id), location.id)
        location_hours: dict[int, list[tuple[int, int]]] = {}
        service_hours: dict[int, dict[int, list[tuple[int, int]]]] = {}
        for r in uow.schedules.periods(location.id):
            target = location_hours if r.service_id is None else service_hours.setdefault(r.service_id, {})
            target.setdefault(r.weekday, []).append((r.start_minute, r.end_minute))
        services = uow.directory.services(location.id)
        settings = uow.schedules.service_settings([s.id for s in services])
        return ScheduleConfig(
            options=options,
            location_hours={wd: tuple(sorted(ps)) for wd, ps in location_hours.items()},
            service_hours={sid: {wd: tuple(sorted(ps)) for wd, ps in days.items()}
                           for sid, days in service_hours.items()},
            exceptions=tuple(_exception_info(e) for e in uow.schedules.exceptions(location.id)),
            blocks=tuple(BlockInfo(b.id, b.service_id, b.weekday, b.day, b.start_minute, b.end_minute, b.note or "",
                                   b.counter_id) for b in uow.schedules.blocks(location.id)),
            services=tuple(service_appointment_info(s, settings.get(s.id)) for s in services),
            counters=tuple(CounterChoice(c.id, c.name) for c in uow.directory.counters(location.id) if c.active),
        )


def service_appointment_info(service: Any, row: Any | None) -> ServiceAppointmentInfo:
    bring = tuple(line.strip() for line in (row.bring_list if row else "").splitlines() if line.strip())
    return ServiceAppointmentInfo(
        service.id, bool(service.appointments),
        int(row.duration_minutes) if row else 10,
        row.max_parallel if row else None,
        bring,
    )


def working_days(backend: Backend, location_id: int) -> WorkdayCalendar:
    """The working-day calendar of a location, for deadlines (callbacks, meldingen, complaints)."""
    with backend.unit_of_work() as uow:
        location = get_or_404(uow.directory.location(location_id), "location", location_id)
        return load_workday_calendar(uow, location)


# ---------------------------------------------------------------------------
# writing (team lead / beheerder)
# ---------------------------------------------------------------------------
def _location_for_config(uow: UnitOfWork, user_id: int, location_id: int) -> Any:
    require_location(uow, acting_user(uow, user_id, Permission.CONFIGURE), location_id)
    return get_or_404(uow.directory.location(location_id), "location", location_id)


def _service_of(uow: UnitOfWork, location_id: int, service_id: int | None) -> Any | None:
    if service_id is None:
        return None
    service = uow.directory.service(service_id)
    if service is None or service.location_id != location_id:
        raise NotFound("service", service_id)
    return service


def set_calendar_options(backend: Backend, user_id: int, location_id: int, now: dt.datetime, *,
                         good_friday: bool | None = None, liberation_day: str | None = None,
                         kiosk_stop_minutes: int | None = None, appointments_enabled: bool | None = None,
                         checkin_early_minutes: int | None = None,
                         checkin_late_minutes: int | None = None) -> CalendarOptions:
    """Change the location's choices; arguments left None stay as they are."""
    now = check_now(now)
    if liberation_day is not None:
        try:
            LiberationDay(liberation_day)
        except ValueError:
            raise ValidationError("liberation_day", "invalid") from None
    numbers = {"kiosk_stop_minutes": kiosk_stop_minutes, "checkin_early_minutes": checkin_early_minutes,
               "checkin_late_minutes": checkin_late_minutes}
    for key, value in numbers.items():
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= OPTION_LIMITS[key]:
            raise ValidationError(key, "out_of_range", OPTION_LIMITS[key])
    with backend.unit_of_work(write=True) as uow:
        location = _location_for_config(uow, user_id, location_id)
        row = uow.schedules.calendar_for_update(location.id)
        changes = {"good_friday": good_friday, "liberation_day": liberation_day,
                   "appointments_enabled": appointments_enabled, **numbers}
        for key, value in changes.items():
            if value is not None:
                setattr(row, key, bool(value) if isinstance(DEFAULT_OPTIONS[key], bool) else value)
        row.updated_at = now
        uow.changed(schedule_topic(location.id))
        info = options_of(row, location.id)
        uow.commit()
        return info


def set_opening_hours(backend: Backend, user_id: int, location_id: int,
                      hours: Mapping[int, Iterable[tuple[object, object]]] | None, *,
                      service_id: int | None = None) -> dict[int, tuple[tuple[int, int], ...]]:
    """Save the weekly pattern of the location, or (narrower) of one service.

    ``hours`` maps a weekday (Monday = 0) to its periods, each ``("09:00",
    "12:30")`` or minutes. Inside-out or overlapping periods are refused with
    :class:`PeriodInsideOut` / :class:`PeriodsOverlap` and nothing is saved.
    For a service, ``None`` or an empty mapping removes its own pattern (it
    then follows the location). The location's pattern may be emptied too:
    the location then has no schedule.
    """
    pattern = WeeklyPattern.build(hours or {})  # validates before anything is touched
    with backend.unit_of_work(write=True) as uow:
        location = _location_for_config(uow, user_id, location_id)
        _service_of(uow, location.id, service_id)
        if service_id is not None and not pattern.empty:
            if not any(r.service_id is None for r in uow.schedules.periods(location.id)):
                raise ValidationError("service_hours", "no_location_hours")
        rows = [(wd, p.start, p.end) for wd, periods in pattern.as_mapping().items() for p in periods]
        uow.schedules.replace_periods(location.id, service_id, rows)
        uow.changed(schedule_topic(location.id))
        uow.commit()
        return {wd: _minutes(ps) for wd, ps in pattern.as_mapping().items()}


def set_exception(backend: Backend, user_id: int, location_id: int, day: dt.date,
                  periods: Iterable[tuple[object, object]] = (), note: str | None = "", *,
                  service_id: int | None = None) -> ExceptionInfo:
    """Other hours on ``day`` (no periods: closed), for the location or one service. Replaces an earlier one."""
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ValidationError("day", "invalid")
    exc = DayException.build(day, periods, clean_text(note, field="note", max_length=NOTE_MAX_LENGTH))
    if "\n" in exc.note or "\t" in exc.note:
        raise ValidationError("note", "control_character")
    with backend.unit_of_work(write=True) as uow:
        location = _location_for_config(uow, user_id, location_id)
        _service_of(uow, location.id, service_id)
        row = uow.schedules.put_exception(location.id, service_id, day, _minutes(exc.periods), exc.note)
        uow.changed(schedule_topic(location.id))
        info = _exception_info(row)
        uow.commit()
        return info


def remove_exception(backend: Backend, user_id: int, location_id: int, day: dt.date, *,
                     service_id: int | None = None) -> bool:
    """Back to the regular hours on ``day``. False when there was no exception."""
    with backend.unit_of_work(write=True) as uow:
        location = _location_for_config(uow, user_id, location_id)
        _service_of(uow, location.id, service_id)
        removed = uow.schedules.delete_exception(location.id, service_id, day)
        uow.changed(schedule_topic(location.id))
        uow.commit()
        return removed


def check_periods(periods: Iterable[tuple[object, object]], *, weekday: int | None = None,
                  day: dt.date | None = None) -> tuple[tuple[int, int], ...]:
    """Validate one day's periods without saving (the admin window checks as the user types)."""
    return _minutes(validate_periods(periods, weekday=weekday, day=day))

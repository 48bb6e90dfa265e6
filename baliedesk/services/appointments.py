"""Appointments: configuration, slots, book/move/cancel, check-in, day overview, .ics.

Optional per location (``location_calendars.appointments_enabled``) and per
service (``services.appointments``). With the location's switch off every
function here refuses with :class:`AppointmentsDisabled`, and
:func:`appointment_switch` tells the windows to show nothing of appointments.

Capacity is counter-aware (:mod:`baliedesk.domain.capacity`): at every moment
the overlapping appointments must be assignable to distinct active counters
serving their services, so a counter serving two services is one place, not
two. Booking and moving lock the location row first (PostgreSQL ``FOR NO KEY
UPDATE``; SQLite's write transaction), then read the day's active
appointments of every service, then insert. Two workstations booking the last
place at the same moment (same service, or two services sharing a counter)
are served one after the other; the second is told the slot is full.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from baliedesk.domain import ics
from baliedesk.domain.capacity import Booking, CounterBlock, DayLoad, service_masks
from baliedesk.domain.appointments import (
    AppointmentState,
    Block,
    CheckinRules,
    CheckinVerdict,
    Slot,
    blocks_on,
    capacity_for,
    checkin_verdict,
    clean_bring_list,
    clean_contact,
    counter_blocks_on,
    day_slots,
    display_code,
    display_status,
    new_code,
    normalise_code,
    require_booked,
    validate_duration,
    validate_max_parallel,
)
from baliedesk.domain.calendar import Period, Schedule, validate_periods
from baliedesk.domain.errors import (
    AppointmentNotFound,
    AppointmentsDisabled,
    AppointmentTooEarly,
    AppointmentTooLate,
    NotFound,
    SlotUnavailable,
    TicketNumbersExhausted,
    ValidationError,
)
from baliedesk.domain.permissions import Permission
from baliedesk.domain.tickets import PriorityClass, TicketAction, TicketState, format_number
from baliedesk.domain.validation import clean_text
from baliedesk.services import queue
from baliedesk.services.common import (
    acting_user,
    audit,
    audit_reads,
    check_now,
    epoch_ms,
    for_audience,
    get_or_404,
    local_day,
    require_location,
    ticket_info,
)
from baliedesk.services.dto import IssuedTicket
from baliedesk.services.ports import Backend, UnitOfWork
from baliedesk.services.schedule_dto import (
    AppointmentInfo,
    AppointmentSwitch,
    BlockInfo,
    CheckInResult,
    DayOverview,
    ServiceAppointmentInfo,
    SlotInfo,
)
from baliedesk.services.schedules import (
    CalendarOptions,
    load_schedule,
    options_of,
    schedule_topic,
    service_appointment_info,
)

#: How far ahead slots are listed and may be booked.
MAX_DAYS_AHEAD = 366
MAX_LIST_DAYS = 62
NOTE_MAX_LENGTH = 200
_UNSET: Any = object()


#: The personal fields of an appointment, as the audit log names them.
_CONTACT_FIELDS = ("name", "phone", "email", "remarks")


def appointments_topic(location_id: int) -> str:
    return f"appointments:{location_id}"


# ---------------------------------------------------------------------------
# context: everything slots depend on, read once per unit of work
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Setup:
    """A service's appointment settings as plain values (the row's attribute names)."""

    duration_minutes: int
    max_parallel: int | None
    bring_list: str


@dataclass
class _Context:
    location: Any
    options: CalendarOptions
    schedule: Schedule | None
    tz: ZoneInfo
    blocks: list[Block]
    masks: dict[int, int]  # service -> the active counters serving it, as bits (domain.capacity)
    everyone: int  # every active counter, as bits
    counter_bits: dict[int, int]  # counter id -> its bit
    settings: dict[int, _Setup]
    services: list[Any]
    cache: dict = field(default_factory=dict)  # DayLoad's answers, shared between the days

    @property
    def rules(self) -> CheckinRules:
        return CheckinRules(self.options.checkin_early_minutes, self.options.checkin_late_minutes)

    def duration(self, service_id: int) -> int:
        row = self.settings.get(service_id)
        return int(row.duration_minutes) if row else 10

    def max_parallel(self, service_id: int) -> int | None:
        row = self.settings.get(service_id)
        return row.max_parallel if row else None

    def capacity(self, service_id: int) -> int:
        """Places with nothing else booked: the counters serving the service, capped by ``max_parallel``."""
        return capacity_for(self.masks.get(service_id, 0).bit_count(), self.max_parallel(service_id))

    def slots(self, service_id: int, day: dt.date) -> list[Slot]:
        if self.schedule is None:
            return []
        periods = self.schedule.day(day, service_id).periods
        if not periods:
            return []
        return day_slots(periods, blocks_on(self.blocks, day, service_id), self.duration(service_id),
                         self.capacity(service_id))

    def minutes(self, start: dt.datetime, end: dt.datetime) -> tuple[dt.date, int, int]:
        """An appointment's local date and its minutes after midnight (the slots' wall-clock minutes)."""
        local = start.astimezone(self.tz)
        first = local.hour * 60 + local.minute
        return local.date(), first, first + max(1, int((end - start).total_seconds() // 60))

    def day_loads(self, intervals: Iterable[tuple[int, dt.datetime, dt.datetime]]) -> dict[dt.date, DayLoad]:
        """Each day's :class:`DayLoad` (days with bookings only; other days have the static capacity)."""
        by_day: dict[dt.date, list[Booking]] = {}
        for sid, start, end in intervals:
            day, first, last = self.minutes(start, end)
            by_day.setdefault(day, []).append(Booking(first, last, sid))
        return {day: self.day_load(day, bookings) for day, bookings in by_day.items()}

    def day_load(self, day: dt.date, bookings: list[Booking]) -> DayLoad:
        caps = {sid: row.max_parallel for sid, row in self.settings.items() if row.max_parallel is not None}
        out = [CounterBlock(self.counter_bits[cid], p.start, p.end)
               for cid, p in counter_blocks_on(self.blocks, day) if cid in self.counter_bits]
        return DayLoad(self.masks, self.everyone, bookings, out, caps, self.cache)

    def load_for(self, day: dt.date, loads: dict[dt.date, DayLoad]) -> DayLoad | None:
        """The day's load: with bookings (``loads``), or only a counter out; None when nothing limits the day."""
        load = loads.get(day)
        if load is None and any(b.counter_id is not None and b.on(day) for b in self.blocks):
            load = loads[day] = self.day_load(day, [])
        return load


def _context(uow: UnitOfWork, location: Any) -> _Context:
    schedule, options = load_schedule(uow, location)
    blocks = [Block(Period(b.start_minute, b.end_minute), b.weekday, b.day, b.service_id, b.counter_id)
              for b in uow.schedules.blocks(location.id)]
    order = [c.id for c in uow.directory.counters(location.id) if c.active]
    masks = service_masks(uow.directory.all_counter_service_ids(location.id), order)
    services = uow.directory.services(location.id)
    settings = {sid: _Setup(int(r.duration_minutes), r.max_parallel, r.bring_list or "")
                for sid, r in uow.schedules.service_settings([s.id for s in services]).items()}
    return _Context(location, options, schedule, ZoneInfo(location.timezone), blocks, masks, (1 << len(order)) - 1,
                    {cid: 1 << i for i, cid in enumerate(order)}, settings, services)


def _enabled_location(uow: UnitOfWork, location_id: int) -> Any:
    location = get_or_404(uow.directory.location(location_id), "location", location_id)
    if not options_of(uow.schedules.calendar(location.id), location.id).appointments_enabled:
        raise AppointmentsDisabled("")
    return location


def _enabled_service(uow: UnitOfWork, service_id: int) -> tuple[Any, Any]:
    service = get_or_404(uow.directory.service(service_id), "service", service_id)
    location = _enabled_location(uow, service.location_id)
    if not service.appointments or not service.active:
        raise AppointmentsDisabled(service.prefix)
    return service, location


def appointment_switch(backend: Backend, location_id: int) -> AppointmentSwitch:
    """Whether the windows show anything of appointments here (public; no personal data)."""
    with backend.unit_of_work() as uow:
        location = get_or_404(uow.directory.location(location_id), "location", location_id)
        enabled = options_of(uow.schedules.calendar(location.id), location.id).appointments_enabled
        ids = tuple(s.id for s in uow.directory.services(location.id) if s.active and s.appointments) \
            if enabled else ()
        return AppointmentSwitch(location.id, enabled, ids)


def bookable_services(backend: Backend, user_id: int, location_id: int) -> tuple[ServiceAppointmentInfo, ...]:
    """The services taking appointments here, with slot length and "neem mee" (for the booking screen)."""
    with backend.unit_of_work() as uow:
        user = acting_user(uow, user_id, Permission.MANAGE_APPOINTMENTS)
        require_location(uow, user, location_id)
        location = _enabled_location(uow, location_id)
        services = [s for s in uow.directory.services(location.id) if s.active and s.appointments]
        settings = uow.schedules.service_settings([s.id for s in services])
        return tuple(service_appointment_info(s, settings.get(s.id)) for s in services)


# ---------------------------------------------------------------------------
# configuration (team lead)
# ---------------------------------------------------------------------------
def configure_service(backend: Backend, user_id: int, service_id: int, *, enabled: bool | None = None,
                      duration_minutes: int | None = None, max_parallel: int | None = _UNSET,
                      bring: Iterable[str] | str | None = None) -> ServiceAppointmentInfo:
    """A service's appointment switch, slot length, cap on parallel appointments and "neem mee" list."""
    if duration_minutes is not None:
        validate_duration(duration_minutes)
    if max_parallel is not _UNSET:
        validate_max_parallel(max_parallel)
    items = clean_bring_list(bring) if bring is not None else None
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.CONFIGURE)
        service = get_or_404(uow.directory.service(service_id), "service", service_id)
        require_location(uow, user, service.location_id)
        row = uow.schedules.service_settings_for_update(service.id)
        if enabled is not None:
            service.appointments = bool(enabled)
        if duration_minutes is not None:
            row.duration_minutes = duration_minutes
        if max_parallel is not _UNSET:
            row.max_parallel = max_parallel
        if items is not None:
            row.bring_list = "\n".join(items)
        uow.flush()
        uow.changed(schedule_topic(service.location_id))
        info = service_appointment_info(service, row)
        uow.commit()
        return info


def add_block(backend: Backend, user_id: int, location_id: int, start: object, end: object, *,
              weekday: int | None = None, day: dt.date | None = None, service_id: int | None = None,
              counter_id: int | None = None, note: str | None = "") -> BlockInfo:
    """No appointments from ``start`` to ``end``: every week on ``weekday``, or on one ``day``.

    For the whole location, one service (no slots then), or one counter (that
    counter is out; the others stay bookable).
    """
    if (weekday is None) == (day is None):
        raise ValidationError("block", "weekday_or_day")
    if service_id is not None and counter_id is not None:
        raise ValidationError("block", "service_or_counter")
    if weekday is not None and (not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6):
        raise ValidationError("weekday", "invalid")
    if day is not None and (not isinstance(day, dt.date) or isinstance(day, dt.datetime)):
        raise ValidationError("day", "invalid")
    (period,) = validate_periods([(start, end)], weekday=weekday, day=day)
    note = clean_text(note, field="note", max_length=NOTE_MAX_LENGTH)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.CONFIGURE)
        require_location(uow, user, location_id)
        location = get_or_404(uow.directory.location(location_id), "location", location_id)
        if service_id is not None:
            service = uow.directory.service(service_id)
            if service is None or service.location_id != location.id:
                raise NotFound("service", service_id)
        if counter_id is not None:
            counter = uow.directory.counter(counter_id)
            if counter is None or counter.location_id != location.id:
                raise NotFound("counter", counter_id)
        row = uow.schedules.add_block(location_id=location.id, service_id=service_id, counter_id=counter_id,
                                      weekday=weekday, day=day, start_minute=period.start, end_minute=period.end,
                                      note=note)
        uow.changed(schedule_topic(location.id))
        info = BlockInfo(row.id, row.service_id, row.weekday, row.day, row.start_minute, row.end_minute, row.note,
                         row.counter_id)
        uow.commit()
        return info


def remove_block(backend: Backend, user_id: int, location_id: int, block_id: int) -> bool:
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.CONFIGURE)
        require_location(uow, user, location_id)
        removed = uow.schedules.delete_block(location_id, block_id)
        uow.changed(schedule_topic(location_id))
        uow.commit()
        return removed


# ---------------------------------------------------------------------------
# slots
# ---------------------------------------------------------------------------
def _booked_by_minute(ctx: _Context, intervals: Iterable[tuple[int, dt.datetime, dt.datetime]]
                      ) -> dict[tuple[int, dt.date, int], int]:
    """Own-service appointments keyed by (service, local date, minute of the day): cheap to look up per slot."""
    out: dict[tuple[int, dt.date, int], int] = {}
    for sid, start, _end in intervals:
        local = start.astimezone(ctx.tz)
        key = (sid, local.date(), local.hour * 60 + local.minute)
        out[key] = out.get(key, 0) + 1
    return out


def _slot_infos(ctx: _Context, service_id: int, day: dt.date, booked: dict[tuple[int, dt.date, int], int],
                after: dt.datetime | None, moments: dict[int, dt.datetime] | None = None,
                load: DayLoad | None = None) -> list[SlotInfo]:
    """The slots of one service on one day that start after ``after`` (local), with places taken and free.

    ``load`` is the day's appointments of every service (None: nothing booked
    that day); free places are counter-aware (see :mod:`baliedesk.domain.capacity`).
    ``moments`` caches the day's datetimes by minute; pass one dict per day to
    share them between services.
    """
    slots = ctx.slots(service_id, day)
    if not slots:
        return []
    first_minute = -1
    if after is not None:
        now_local = after.astimezone(ctx.tz)
        if day < now_local.date():
            return []
        if day == now_local.date():
            # A slot starting at minute m is later than now when m*60 > seconds since midnight.
            first_minute = (now_local.hour * 3600 + now_local.minute * 60 + now_local.second) // 60
    if moments is None:
        moments = {}
    midnight: dt.datetime | None = None
    out = []
    for s in slots:
        if s.start <= first_minute:
            continue
        start, end = moments.get(s.start), moments.get(s.end)
        if start is None or end is None:
            if midnight is None:
                midnight = dt.datetime.combine(day, dt.time(0), tzinfo=ctx.tz)
            # Wall-clock time of the day (aware arithmetic keeps the local time).
            start = moments[s.start] = midnight + dt.timedelta(minutes=s.start)
            end = moments[s.end] = midnight + dt.timedelta(minutes=s.end)
        taken = booked.get((service_id, day, s.start), 0)
        free = s.capacity if load is None else load.free(service_id, s.start, s.end, s.capacity)
        out.append(SlotInfo(service_id, start, end, s.capacity, taken, max(0, min(free, s.capacity - taken))))
    return out


def _check_range(start_day: dt.date, days: int) -> None:
    if not isinstance(start_day, dt.date) or isinstance(start_day, dt.datetime):
        raise ValidationError("day", "invalid")
    if not 1 <= days <= MAX_LIST_DAYS:
        raise ValidationError("days", "out_of_range", MAX_LIST_DAYS)


def available_slots(backend: Backend, user_id: int, service_id: int, now: dt.datetime,
                    start_day: dt.date | None = None, days: int = 14) -> tuple[SlotInfo, ...]:
    """The slots of one service from ``start_day`` (default today), later than ``now``, with places taken."""
    now = check_now(now)
    with backend.unit_of_work() as uow:
        user = acting_user(uow, user_id, Permission.MANAGE_APPOINTMENTS)
        service, location = _enabled_service(uow, service_id)
        require_location(uow, user, location.id)
        ctx = _context(uow, location)
        start_day = start_day or now.astimezone(ctx.tz).date()
        _check_range(start_day, days)
        last = start_day + dt.timedelta(days=days - 1)
        intervals = uow.appointments.active_intervals(location.id, start_day, last)
        booked = _booked_by_minute(ctx, intervals)
        loads = ctx.day_loads(intervals)
        out: list[SlotInfo] = []
        for i in range(days):
            day = start_day + dt.timedelta(days=i)
            out += _slot_infos(ctx, service.id, day, booked, now, None, ctx.load_for(day, loads))
        return tuple(out)


def location_slots(backend: Backend, user_id: int, location_id: int, now: dt.datetime, start_day: dt.date,
                   days: int = 31) -> dict[int, tuple[SlotInfo, ...]]:
    """Every appointment service's slots over a range (the planning view; ``bench/slots.py``)."""
    now = check_now(now)
    _check_range(start_day, days)
    with backend.unit_of_work() as uow:
        user = acting_user(uow, user_id, Permission.MANAGE_APPOINTMENTS)
        require_location(uow, user, location_id)
        location = _enabled_location(uow, location_id)
        ctx = _context(uow, location)
        last = start_day + dt.timedelta(days=days - 1)
        intervals = uow.appointments.active_intervals(location.id, start_day, last)
        booked = _booked_by_minute(ctx, intervals)
        loads = ctx.day_loads(intervals)
        wanted = [s.id for s in ctx.services if s.active and s.appointments]
        lists: dict[int, list[SlotInfo]] = {sid: [] for sid in wanted}
        for i in range(days):
            day = start_day + dt.timedelta(days=i)
            moments: dict[int, dt.datetime] = {}
            load = ctx.load_for(day, loads)
            for sid in wanted:
                lists[sid] += _slot_infos(ctx, sid, day, booked, now, moments, load)
        return {sid: tuple(slots) for sid, slots in lists.items()}


def _resolve_slot(ctx: _Context, service: Any, start: dt.datetime, now: dt.datetime) -> tuple[dt.datetime,
                                                                                                 dt.datetime, int]:
    """The slot beginning at ``start``: (start, end, capacity), local; refuses what is not a bookable slot."""
    if not isinstance(start, dt.datetime) or start.tzinfo is None:
        raise ValidationError("start", "invalid")
    local = start.astimezone(ctx.tz)
    if local <= now:
        raise SlotUnavailable(service.prefix, local, "past")
    if local.date() > now.astimezone(ctx.tz).date() + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise SlotUnavailable(service.prefix, local, "not_a_slot")
    minute = local.hour * 60 + local.minute
    slot = next((s for s in ctx.slots(service.id, local.date()) if s.start == minute), None)
    if slot is None or local.second or local.microsecond:
        raise SlotUnavailable(service.prefix, local, "not_a_slot")
    end = local + dt.timedelta(minutes=slot.end - slot.start)
    return local, end, slot.capacity


def _take_place(uow: UnitOfWork, ctx: _Context, service: Any, start: dt.datetime, end: dt.datetime,
                exclude_id: int | None = None) -> None:
    """Refuse when no counter would be free for one more appointment at some moment of the slot.

    Called after the location lock: the appointments read here are all there
    are. Every appointment of the day counts (a counter serving two services
    helps one visitor at a time); ``exclude_id`` is the appointment being moved.
    """
    day = start.date()
    intervals = uow.appointments.active_intervals(ctx.location.id, day, day, exclude_id=exclude_id)
    _day, first, last = ctx.minutes(start, end)
    bookings = [Booking(*ctx.minutes(a, b)[1:], sid) for sid, a, b in intervals]
    if ctx.day_load(day, bookings).free(service.id, first, last) <= 0:
        raise SlotUnavailable(service.prefix, start, "full")


# ---------------------------------------------------------------------------
# book, move, cancel
# ---------------------------------------------------------------------------
def _info(uow: UnitOfWork, a: Any, ctx_or_location: Any, now: dt.datetime, *, service: Any | None = None,
          settings: Any | None = None, ticket_number: str | None = None) -> AppointmentInfo:
    location = getattr(ctx_or_location, "location", ctx_or_location)
    if isinstance(ctx_or_location, _Context):
        rules, tz = ctx_or_location.rules, ctx_or_location.tz
    else:
        opts = options_of(uow.schedules.calendar(location.id), location.id)
        rules, tz = CheckinRules(opts.checkin_early_minutes, opts.checkin_late_minutes), ZoneInfo(location.timezone)
    service = service or uow.directory.service(a.service_id)
    if settings is None:
        settings = uow.schedules.service_settings([a.service_id]).get(a.service_id)
    if ticket_number is None and a.ticket_id is not None:
        t = uow.tickets.get(a.ticket_id)
        ticket_number = t.number if t is not None else None
    start, end = a.slot_start.astimezone(tz), a.slot_end.astimezone(tz)
    return AppointmentInfo(
        id=a.id, code=a.code, display_code=display_code(a.code), location_id=location.id,
        location_name=location.name, service_id=service.id, service_prefix=service.prefix,
        service_name=service.name, start=start, end=end, state=a.state,
        status=display_status(a.state, a.slot_start, now, rules).value,
        name=a.name, phone=a.phone, email=a.email, remarks=a.remarks,
        bring=service_appointment_info(service, settings).bring,
        checkin_from=rules.opens(start), checkin_until=rules.closes(start),
        checked_in_at=a.checked_in_at.astimezone(tz) if a.checked_in_at else None,
        ticket_id=a.ticket_id, ticket_number=ticket_number, moved_count=a.moved_count,
    )


def _fresh_code(uow: UnitOfWork) -> str:
    for _ in range(20):
        code = new_code(secrets.randbelow)
        if not uow.appointments.code_taken(code):
            return code
    raise ValidationError("code", "exhausted")  # pragma: no cover - 25**6 codes


def book(backend: Backend, user_id: int, service_id: int, start: dt.datetime, now: dt.datetime, *,
         name: str, phone: str | None = None, email: str | None = None,
         remarks: str | None = None) -> AppointmentInfo:
    """Book the slot of ``service_id`` beginning at ``start`` for a visitor (at the counter or by phone)."""
    now = check_now(now)
    contact = clean_contact(name, phone, email, remarks)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.MANAGE_APPOINTMENTS)
        service, location = _enabled_service(uow, service_id)
        require_location(uow, user, location.id)
        uow.appointments.lock_location(location.id)
        ctx = _context(uow, location)
        local, end, _capacity = _resolve_slot(ctx, service, start, now)
        _take_place(uow, ctx, service, local, end)
        a = uow.appointments.new(
            location_id=location.id, service_id=service.id, code=_fresh_code(uow), day=local.date(),
            slot_start=local, slot_end=end, state=AppointmentState.BOOKED.value, name=contact.name,
            phone=contact.phone, email=contact.email, remarks=contact.remarks, created_at=now,
            created_by=user.id, changed_at=now, changed_by=user.id, moved_count=0,
        )
        uow.flush()
        audit(uow, user.id, now, "create", "appointment", a.id, _CONTACT_FIELDS)
        uow.changed(appointments_topic(location.id))
        info = _info(uow, a, ctx, now, service=service, settings=ctx.settings.get(service.id))
        uow.commit()
        return info


def move(backend: Backend, user_id: int, appointment_id: int, start: dt.datetime,
         now: dt.datetime) -> AppointmentInfo:
    """Move a booked appointment to another slot of the same service; the code stays the same."""
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.MANAGE_APPOINTMENTS)
        a = uow.appointments.get(appointment_id)
        if a is None:
            raise NotFound("appointment", appointment_id)
        service, location = _enabled_service(uow, a.service_id)
        require_location(uow, user, location.id)
        uow.appointments.lock_location(location.id)
        a = uow.appointments.get(appointment_id, lock=True)
        require_booked(display_code(a.code), a.state)
        ctx = _context(uow, location)
        local, end, _capacity = _resolve_slot(ctx, service, start, now)
        if local != a.slot_start:
            _take_place(uow, ctx, service, local, end, exclude_id=a.id)
            a.slot_start, a.slot_end, a.day = local, end, local.date()
            a.moved_count += 1
            a.changed_at, a.changed_by = now, user.id
            audit(uow, user.id, now, "update", "appointment", a.id, ("slot_start",))
        uow.flush()
        uow.changed(appointments_topic(location.id))
        info = _info(uow, a, ctx, now, service=service, settings=ctx.settings.get(service.id))
        uow.commit()
        return info


def cancel(backend: Backend, user_id: int, appointment_id: int, now: dt.datetime) -> AppointmentInfo:
    """Cancel a booked appointment: its place is free again at once."""
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.MANAGE_APPOINTMENTS)
        a = uow.appointments.get(appointment_id, lock=True)
        if a is None:
            raise NotFound("appointment", appointment_id)
        _enabled_service(uow, a.service_id)
        require_location(uow, user, a.location_id)
        require_booked(display_code(a.code), a.state)
        a.state = AppointmentState.CANCELLED.value
        a.changed_at, a.changed_by = now, user.id
        audit(uow, user.id, now, "update", "appointment", a.id, ("state",))
        uow.flush()
        location = uow.directory.location(a.location_id)
        uow.changed(appointments_topic(location.id))
        info = _info(uow, a, location, now)
        uow.commit()
        return info


def find(backend: Backend, user_id: int, code: str, now: dt.datetime) -> AppointmentInfo:
    """Look an appointment up by its code (at the counter or on the phone)."""
    now = check_now(now)
    code = normalise_code(code)
    with backend.unit_of_work(write=True) as uow:  # write: the read is on record
        user = acting_user(uow, user_id, Permission.MANAGE_APPOINTMENTS)
        a = uow.appointments.by_code(code)
        if a is None:
            raise AppointmentNotFound(display_code(code))
        _enabled_location(uow, a.location_id)
        require_location(uow, user, a.location_id)
        info = _info(uow, a, uow.directory.location(a.location_id), now)
        audit(uow, user.id, now, "read", "appointment", a.id, _CONTACT_FIELDS)
        uow.commit()
        return info


# ---------------------------------------------------------------------------
# check-in at the kiosk
# ---------------------------------------------------------------------------
def check_in(backend: Backend, user_id: int, code: str, now: dt.datetime) -> CheckInResult:
    """The visitor types their code: a ticket in the queue with the appointment's priority at the slot time.

    Checked in before the slot, the ticket waits as a walk-in (by its arrival)
    until the slot begins; from then on it goes first (priority class 0, queue
    time = slot start). Too early or too late: a typed error that says so; too
    late also says whether a walk-in ticket is possible.
    """
    now = check_now(now)
    code = normalise_code(code)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.ISSUE_TICKET)
        a = uow.appointments.by_code(code, lock=True)
        if a is None:
            raise AppointmentNotFound(display_code(code))
        require_location(uow, user, a.location_id)
        service = get_or_404(uow.directory.service(a.service_id), "service", a.service_id)
        location = _enabled_location(uow, a.location_id)
        opts = options_of(uow.schedules.calendar(location.id), location.id)
        rules = CheckinRules(opts.checkin_early_minutes, opts.checkin_late_minutes)
        tz = ZoneInfo(location.timezone)
        start = a.slot_start.astimezone(tz)
        if a.state == AppointmentState.NO_SHOW.value:
            # Already recorded as not come (its window passed): the same answer as too late, walk-in offered.
            raise AppointmentTooLate(display_code(a.code), start, rules.closes(start), service.id,
                                     bool(service.active and service.walk_in))
        require_booked(display_code(a.code), a.state)
        verdict = checkin_verdict(a.slot_start, now, rules)
        if verdict is CheckinVerdict.TOO_EARLY:
            raise AppointmentTooEarly(display_code(a.code), start, rules.opens(start))
        if verdict is CheckinVerdict.TOO_LATE:
            raise AppointmentTooLate(display_code(a.code), start, rules.closes(start), service.id,
                                     bool(service.active and service.walk_in))
        day = local_day(now, location.timezone)
        seq = uow.tickets.next_sequence(location.id, service.id, day)
        if seq > queue.MAX_TICKETS_PER_SERVICE_PER_DAY:
            raise TicketNumbersExhausted(service.prefix, day.isoformat())
        t = uow.tickets.new(
            location_id=location.id, service_id=service.id, day=day, seq=seq,
            number=format_number(service.prefix, seq), state=TicketState.WAITING.value,
            priority_class=int(PriorityClass.APPOINTMENT), arrived_ms=epoch_ms(now),
            queue_ms=epoch_ms(a.slot_start), issued_at=now, recall_count=0, source="appointment",
        )
        queue._record(uow, t, TicketAction.ISSUE, None, now, user_id, None,
                      {"source": "appointment", "appointment_id": a.id, "verdict": verdict.value})
        a.state = AppointmentState.CHECKED_IN.value
        a.checked_in_at, a.ticket_id = now, t.id
        a.changed_at, a.changed_by = now, user_id
        uow.flush()
        estimate = queue._estimate_for(uow, location, service, t, now, day)
        issued = IssuedTicket(ticket_info(t, {service.id: service}, {}), estimate, location.name)
        uow.changed(appointments_topic(location.id))
        info = _info(uow, a, location, now, service=service, ticket_number=t.number)
        uow.commit()
        return for_audience(user, CheckInResult(info, issued, verdict.value))


# ---------------------------------------------------------------------------
# the day at the counter
# ---------------------------------------------------------------------------
def day_overview(backend: Backend, user_id: int, location_id: int, now: dt.datetime, *,
                 day: dt.date | None = None, counter_id: int | None = None,
                 include_cancelled: bool = False) -> DayOverview:
    """Today's (or ``day``'s) appointments, checked in or not; for one counter's services if given.

    An appointment still booked after its check-in window is recorded as a
    no-show here (see :func:`mark_no_shows`) before the overview is returned.
    """
    now = check_now(now)
    overview = _day_overview(backend, user_id, location_id, now, day, counter_id, include_cancelled)
    if any(a.state == AppointmentState.BOOKED.value and a.status == "no_show" for a in overview.appointments) \
            and mark_no_shows(backend, user_id, location_id, now):
        overview = _day_overview(backend, user_id, location_id, now, day, counter_id, include_cancelled)
    return overview


def _day_overview(backend: Backend, user_id: int, location_id: int, now: dt.datetime, day: dt.date | None,
                  counter_id: int | None, include_cancelled: bool) -> DayOverview:
    with backend.unit_of_work(write=True) as uow:  # write: the read is on record
        user = acting_user(uow, user_id, Permission.MANAGE_APPOINTMENTS)
        require_location(uow, user, location_id)
        location = _enabled_location(uow, location_id)
        ctx = _context(uow, location)
        day = day or now.astimezone(ctx.tz).date()
        wanted: set[int] | None = None
        if counter_id is not None:
            counter = uow.directory.counter(counter_id)
            if counter is None or counter.location_id != location.id:
                raise NotFound("counter", counter_id)
            wanted = set(uow.directory.counter_service_ids(counter.id))
        services = {s.id: s for s in uow.directory.services(location.id)}
        out = []
        for a in uow.appointments.on_day(location.id, day):
            if wanted is not None and a.service_id not in wanted:
                continue
            if a.state == AppointmentState.CANCELLED.value and not include_cancelled:
                continue
            out.append(_info(uow, a, ctx, now, service=services[a.service_id],
                             settings=ctx.settings.get(a.service_id)))
        shown = [a.id for a in out if a.name or a.phone or a.email or a.remarks]
        audit_reads(uow, user.id, now, "appointment", shown, _CONTACT_FIELDS, "day_overview")
        uow.commit()
        return DayOverview(location.id, day, tuple(out))


def mark_no_shows(backend: Backend, user_id: int, location_id: int, now: dt.datetime) -> int:
    """Record as no-show every booked appointment whose check-in window has passed; returns how many.

    Runs by itself while the software runs: :func:`day_overview` calls it when
    it sees an appointment past its window, and the counter's appointments tab
    reads the overview every minute. Idempotent, and safe when several
    workstations run it at the same moment (one conditional update).
    """
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.MANAGE_APPOINTMENTS)
        require_location(uow, user, location_id)
        location = _enabled_location(uow, location_id)
        opts = options_of(uow.schedules.calendar(location.id), location.id)
        limit = now - dt.timedelta(minutes=opts.checkin_late_minutes)
        marked = uow.appointments.mark_no_shows(location.id, limit, now, user_id)
        if marked:
            uow.changed(appointments_topic(location.id))
        uow.commit()
        return marked


# ---------------------------------------------------------------------------
# iCalendar
# ---------------------------------------------------------------------------
def appointment_ics(backend: Backend, user_id: int, appointment_id: int, now: dt.datetime) -> str:
    """The appointment as an iCalendar (.ics) file text, CRLF lines (RFC 5545)."""
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:  # write: the export is on record
        user = acting_user(uow, user_id, Permission.MANAGE_APPOINTMENTS)
        a = uow.appointments.get(appointment_id)
        if a is None:
            raise NotFound("appointment", appointment_id)
        _enabled_location(uow, a.location_id)
        require_location(uow, user, a.location_id)
        info = _info(uow, a, uow.directory.location(a.location_id), now)
        audit(uow, user.id, now, "export", "appointment", a.id, _CONTACT_FIELDS, {"format": "ics"})
        uow.commit()
    return ics_text(info, now)


def ics_text(info: AppointmentInfo, now: dt.datetime) -> str:
    from baliedesk.i18n import _

    lines = [_("Afspraakcode: {code}").format(code=info.display_code)]
    if info.bring:
        lines.append(_("Neem mee:"))
        lines += [f"- {item}" for item in info.bring]
    lines.append(_("Meld u bij de kiosk met uw afspraakcode."))
    return ics.event(
        uid=f"afspraak-{info.code}@baliedesk",
        start=info.start, end=info.end, stamp=now,
        summary=_("Afspraak: {service}").format(service=info.service_name),
        location=info.location_name,
        description="\n".join(lines),
        sequence=info.moved_count,
    )

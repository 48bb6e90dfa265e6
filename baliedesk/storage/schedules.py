"""Repositories for opening schedules and appointments.

Services reach these as ``uow.schedules`` and ``uow.appointments`` through the
protocols in :mod:`baliedesk.services.ports`; they never import SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from baliedesk.storage.models import (
    Appointment,
    AppointmentBlock,
    Location,
    LocationCalendar,
    OpeningPeriod,
    ScheduleException,
    ServiceAppointmentSettings,
)

_ACTIVE = ("booked", "checked_in")


def _same_service(column: Any, service_id: int | None) -> Any:
    return column.is_(None) if service_id is None else column == service_id


class ScheduleRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    # -- the location's choices ------------------------------------------
    def calendar(self, location_id: int) -> LocationCalendar | None:
        return self.s.get(LocationCalendar, location_id)

    def calendar_for_update(self, location_id: int) -> LocationCalendar:
        """The row, created with the defaults when there is none yet."""
        row = self.s.get(LocationCalendar, location_id)
        if row is None:
            row = LocationCalendar(location_id=location_id)  # the model's defaults
            self.s.add(row)
            self.s.flush()
        return row

    # -- weekly patterns ----------------------------------------------------
    def periods(self, location_id: int) -> list[OpeningPeriod]:
        """Every weekly period of the location and of its services."""
        stmt = (
            select(OpeningPeriod)
            .where(OpeningPeriod.location_id == location_id)
            .order_by(OpeningPeriod.service_id, OpeningPeriod.weekday, OpeningPeriod.start_minute)
        )
        return list(self.s.execute(stmt).scalars())

    def replace_periods(self, location_id: int, service_id: int | None,
                        periods: Iterable[tuple[int, int, int]]) -> None:
        """Replace the pattern of the location (``service_id`` None) or one service: (weekday, start, end)."""
        self.s.execute(delete(OpeningPeriod).where(
            OpeningPeriod.location_id == location_id, _same_service(OpeningPeriod.service_id, service_id)))
        for weekday, start, end in periods:
            self.s.add(OpeningPeriod(location_id=location_id, service_id=service_id, weekday=weekday,
                                     start_minute=start, end_minute=end))
        self.s.flush()

    # -- dated exceptions ------------------------------------------------
    def exceptions(self, location_id: int) -> list[ScheduleException]:
        stmt = (
            select(ScheduleException)
            .where(ScheduleException.location_id == location_id)
            .order_by(ScheduleException.day, ScheduleException.service_id)
        )
        return list(self.s.execute(stmt).scalars())

    def put_exception(self, location_id: int, service_id: int | None, day: dt.date,
                      periods: Sequence[tuple[int, int]], note: str) -> ScheduleException:
        stmt = select(ScheduleException).where(
            ScheduleException.location_id == location_id, ScheduleException.day == day,
            _same_service(ScheduleException.service_id, service_id)).with_for_update()
        row = self.s.execute(stmt).scalar_one_or_none()
        if row is None:
            row = ScheduleException(location_id=location_id, service_id=service_id, day=day)
            self.s.add(row)
        row.periods = [[int(a), int(b)] for a, b in periods]
        row.note = note
        self.s.flush()
        return row

    def delete_exception(self, location_id: int, service_id: int | None, day: dt.date) -> bool:
        result = self.s.execute(delete(ScheduleException).where(
            ScheduleException.location_id == location_id, ScheduleException.day == day,
            _same_service(ScheduleException.service_id, service_id)))
        return bool(result.rowcount)

    # -- appointment blocks and service settings ----------------------------
    def blocks(self, location_id: int) -> list[AppointmentBlock]:
        stmt = select(AppointmentBlock).where(AppointmentBlock.location_id == location_id).order_by(
            AppointmentBlock.day, AppointmentBlock.weekday, AppointmentBlock.start_minute, AppointmentBlock.id)
        return list(self.s.execute(stmt).scalars())

    def block(self, block_id: int) -> AppointmentBlock | None:
        return self.s.get(AppointmentBlock, block_id)

    def add_block(self, **fields: Any) -> AppointmentBlock:
        row = AppointmentBlock(**fields)
        self.s.add(row)
        self.s.flush()
        return row

    def delete_block(self, location_id: int, block_id: int) -> bool:
        result = self.s.execute(delete(AppointmentBlock).where(
            AppointmentBlock.id == block_id, AppointmentBlock.location_id == location_id))
        return bool(result.rowcount)

    def service_settings(self, service_ids: Sequence[int]) -> dict[int, ServiceAppointmentSettings]:
        if not service_ids:
            return {}
        stmt = select(ServiceAppointmentSettings).where(ServiceAppointmentSettings.service_id.in_(list(service_ids)))
        return {row.service_id: row for row in self.s.execute(stmt).scalars()}

    def service_settings_for_update(self, service_id: int) -> ServiceAppointmentSettings:
        row = self.s.get(ServiceAppointmentSettings, service_id)
        if row is None:
            row = ServiceAppointmentSettings(service_id=service_id)  # the model's defaults
            self.s.add(row)
            self.s.flush()
        return row


class AppointmentRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def lock_location(self, location_id: int) -> None:
        """Serialise bookings of one location until commit.

        Capacity is shared between services (a counter serving two services
        helps one visitor at a time), so booking and moving take one lock per
        location. PostgreSQL: ``FOR NO KEY UPDATE`` on the location row
        (tickets and other rows referencing the location only take a key-share
        lock, so issuing tickets is not held up). SQLite: the write
        transaction (``BEGIN IMMEDIATE``) already serialises every writer.
        """
        self.s.execute(select(Location.id).where(Location.id == location_id).with_for_update(key_share=True))

    def new(self, **fields: Any) -> Appointment:
        row = Appointment(**fields)
        self.s.add(row)
        self.s.flush()
        return row

    def get(self, appointment_id: int, *, lock: bool = False) -> Appointment | None:
        stmt = select(Appointment).where(Appointment.id == appointment_id)
        if lock:
            stmt = stmt.with_for_update()
        return self.s.execute(stmt).scalar_one_or_none()

    def by_code(self, code: str, *, lock: bool = False) -> Appointment | None:
        stmt = select(Appointment).where(Appointment.code == code)
        if lock:
            stmt = stmt.with_for_update()
        return self.s.execute(stmt).scalar_one_or_none()

    def code_taken(self, code: str) -> bool:
        return self.s.execute(select(Appointment.id).where(Appointment.code == code)).first() is not None

    def active_intervals(self, location_id: int, first_day: dt.date, last_day: dt.date, *,
                         exclude_id: int | None = None) -> list[tuple[int, dt.datetime, dt.datetime]]:
        """(service, slot start, slot end) of every active appointment over a range of local dates."""
        stmt = select(Appointment.service_id, Appointment.slot_start, Appointment.slot_end).where(
            Appointment.location_id == location_id, Appointment.day >= first_day, Appointment.day <= last_day,
            Appointment.state.in_(_ACTIVE))
        if exclude_id is not None:
            stmt = stmt.where(Appointment.id != exclude_id)
        return [(sid, start, end) for sid, start, end in self.s.execute(stmt)]

    def overdue(self, location_id: int, before: dt.datetime) -> list[Appointment]:
        """Booked (not checked in) appointments whose slot started before ``before``."""
        stmt = select(Appointment).where(Appointment.location_id == location_id, Appointment.state == "booked",
                                         Appointment.slot_start < before)
        return list(self.s.execute(stmt).scalars())

    def mark_no_shows(self, location_id: int, before: dt.datetime, now: dt.datetime, user_id: int | None) -> int:
        """Booked appointments whose slot started before ``before`` become no-shows; returns how many.

        One conditional ``UPDATE``: an appointment checked in (or cancelled) a
        moment ago is left alone, and when several workstations run this at
        once each appointment is counted by exactly one of them (PostgreSQL
        re-checks the condition after waiting for the row; SQLite runs one
        writer at a time).
        """
        result = self.s.execute(
            update(Appointment)
            .where(Appointment.location_id == location_id, Appointment.state == "booked",
                   Appointment.slot_start < before)
            .values(state="no_show", changed_at=now, changed_by=user_id)
            .execution_options(synchronize_session=False))
        return int(result.rowcount or 0)

    def on_day(self, location_id: int, day: dt.date) -> list[Appointment]:
        stmt = (
            select(Appointment)
            .where(Appointment.location_id == location_id, Appointment.day == day)
            .order_by(Appointment.slot_start, Appointment.id)
        )
        return list(self.s.execute(stmt).scalars())

"""The municipality row, and what the set-up needs beyond the directory: how much history
a service or counter has, and deleting one that has none."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from baliedesk.storage.models import (
    Appointment,
    ContactRecord,
    Counter,
    Service,
    Ticket,
    TicketEvent,
    TicketSequence,
)
from baliedesk.storage.models_setup import MUNICIPALITY_ID, Municipality


class OrganisationRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def municipality(self) -> Municipality | None:
        return self.s.get(Municipality, MUNICIPALITY_ID)

    def municipality_for_update(self) -> Municipality:
        """The one row, locked (made when missing)."""
        row = self.s.execute(
            select(Municipality).where(Municipality.id == MUNICIPALITY_ID).with_for_update()
        ).scalar_one_or_none()
        if row is None:
            row = Municipality(id=MUNICIPALITY_ID, name="", color="#0B4F8A")
            self.s.add(row)
            self.s.flush()
        return row

    def _count(self, *stmts: Any) -> int:
        return sum(int(self.s.execute(stmt).scalar_one()) for stmt in stmts)

    def service_history(self, service_id: int) -> int:
        """Tickets, ticket events, appointments and contacts that name the service."""
        return self._count(
            select(func.count()).select_from(Ticket).where(Ticket.service_id == service_id),
            select(func.count()).select_from(TicketEvent).where(TicketEvent.service_id == service_id),
            select(func.count()).select_from(Appointment).where(Appointment.service_id == service_id),
            select(func.count()).select_from(ContactRecord).where(ContactRecord.service_id == service_id),
        )

    def counter_history(self, counter_id: int) -> int:
        """Tickets and ticket events that name the counter."""
        return self._count(
            select(func.count()).select_from(Ticket).where(
                or_(Ticket.counter_id == counter_id, Ticket.target_counter_id == counter_id)),
            select(func.count()).select_from(TicketEvent).where(TicketEvent.counter_id == counter_id),
        )

    def delete_service(self, service_id: int) -> bool:
        """Delete a service without history; False when a row elsewhere still refers to it."""
        row = self.s.get(Service, service_id)
        if row is None:
            return False
        return self._delete(row, lambda: self.s.query(TicketSequence).filter(
            TicketSequence.service_id == service_id).delete())

    def delete_counter(self, counter_id: int) -> bool:
        row = self.s.get(Counter, counter_id)
        return False if row is None else self._delete(row)

    def _delete(self, row: Any, before: Any = None) -> bool:
        """In a savepoint: a reference from another table (a foreign key) undoes only this."""
        try:
            with self.s.begin_nested():
                if before is not None:
                    before()
                self.s.delete(row)
                self.s.flush()
        except IntegrityError:
            return False
        return True

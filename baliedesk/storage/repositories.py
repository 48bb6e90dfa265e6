"""Repositories: the queries and writes the services need, nothing more.

Services see these through the protocols in :mod:`baliedesk.services.ports`;
they never import SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import and_, case, delete, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from baliedesk.domain.ordering import Candidate, OrderingMode, weight_for
from baliedesk.storage.models import (
    Counter,
    CounterService,
    Location,
    Service,
    Ticket,
    TicketEvent,
    TicketSequence,
    User,
)

_T = Ticket.__table__.c
_HELD = ("called", "serving")


class TicketRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    # -- numbering -------------------------------------------------------
    def next_sequence(self, location_id: int, service_id: int, day: dt.date) -> int:
        """Atomically take the next number for (location, service, day).

        One upsert statement: concurrent kiosks serialise on this one row, so
        two never get the same number (PostgreSQL row lock; SQLite's write lock).
        """
        dialect = self.s.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = TicketSequence.__table__
        stmt = (
            insert(table)
            .values(location_id=location_id, service_id=service_id, day=day, last_number=1)
            .on_conflict_do_update(
                index_elements=[table.c.location_id, table.c.service_id, table.c.day],
                set_={"last_number": table.c.last_number + 1},
            )
            .returning(table.c.last_number)
        )
        return int(self.s.execute(stmt).scalar_one())

    # -- single tickets ----------------------------------------------------
    def add(self, ticket: Ticket) -> Ticket:
        self.s.add(ticket)
        self.s.flush()
        return ticket

    def new(self, **fields: Any) -> Ticket:
        return self.add(Ticket(**fields))

    def get(self, ticket_id: int, *, lock: bool = False) -> Ticket | None:
        stmt = select(Ticket).where(Ticket.id == ticket_id)
        if lock:
            stmt = stmt.with_for_update()
        return self.s.execute(stmt).scalar_one_or_none()

    def held_by(self, counter_id: int) -> list[Ticket]:
        stmt = (
            select(Ticket)
            .where(Ticket.counter_id == counter_id, Ticket.state.in_(_HELD))
            .order_by(Ticket.called_at)
        )
        return list(self.s.execute(stmt).scalars())

    def held_at(self, location_id: int) -> list[Ticket]:
        stmt = select(Ticket).where(Ticket.location_id == location_id, Ticket.state.in_(_HELD))
        return list(self.s.execute(stmt).scalars())

    # -- the claim -------------------------------------------------------
    def claim_next(
        self,
        *,
        location_id: int,
        day: dt.date,
        counter_id: int,
        service_ids: Sequence[int],
        now: dt.datetime,
        now_ms: int,
        mode: OrderingMode,
        weights: Mapping[int, float],
        user_id: int,
    ) -> Ticket | None:
        """Take the next ticket for this counter in one atomic statement.

        ``UPDATE ... WHERE id = (SELECT ... ORDER BY <rule> LIMIT 1 FOR UPDATE
        SKIP LOCKED) AND state = 'waiting' RETURNING ...``. On PostgreSQL a
        ticket another counter is claiming at this instant is skipped, not
        waited for; on SQLite the write transaction (BEGIN IMMEDIATE) already
        serialises claims. The ORDER BY is :func:`baliedesk.domain.ordering.order_key`.
        """
        ids = select(Ticket.id).where(*self._eligible(location_id, day, counter_id, service_ids))
        ids = ids.order_by(*self.order_by(now_ms, mode, weights, service_ids)).limit(1)
        ids = ids.with_for_update(skip_locked=True)
        stmt = (
            update(Ticket)
            .where(Ticket.id == ids.scalar_subquery(), Ticket.state == "waiting")
            .values(
                state="called",
                counter_id=counter_id,
                target_counter_id=None,
                called_at=now,
                recall_count=0,
            )
            .returning(Ticket)
            .execution_options(synchronize_session=False)
        )
        return self.s.execute(stmt).scalar_one_or_none()

    @staticmethod
    def _eligible(location_id: int, day: dt.date, counter_id: int, service_ids: Sequence[int]) -> list[Any]:
        return [
            Ticket.location_id == location_id,
            Ticket.day == day,
            Ticket.state == "waiting",
            or_(
                Ticket.target_counter_id == counter_id,
                and_(Ticket.target_counter_id.is_(None), Ticket.service_id.in_(list(service_ids))),
            ),
        ]

    @staticmethod
    def order_by(now_ms: int, mode: OrderingMode, weights: Mapping[int, float], service_ids: Iterable[int]) -> list[Any]:
        not_yet = and_(Ticket.priority_class == 0, Ticket.queue_ms > now_ms)
        eff_class = case((not_yet, 2), else_=Ticket.priority_class)
        eff_time = case((not_yet, Ticket.arrived_ms), else_=Ticket.queue_ms)
        if mode is OrderingMode.FAIR_SHARE:
            # All weighted services: a ticket targeted at this counter may be of a service it does not serve.
            w = {sid: weight_for(sid, mode, weights) for sid in {*service_ids, *weights}}
            weight = case(w, value=Ticket.service_id, else_=literal(1.0)) if w else literal(1.0)
            effective_wait = (literal(now_ms) - eff_time) * weight
            return [eff_class, effective_wait.desc(), eff_time, Ticket.id]
        return [eff_class, eff_time, Ticket.id]

    # -- lists -----------------------------------------------------------
    def waiting(self, location_id: int, day: dt.date) -> list[Ticket]:
        stmt = (
            select(Ticket)
            .where(Ticket.location_id == location_id, Ticket.day == day, Ticket.state == "waiting")
            .order_by(Ticket.priority_class, Ticket.queue_ms, Ticket.id)
        )
        return list(self.s.execute(stmt).scalars())

    def waiting_candidates(self, location_id: int, day: dt.date) -> list[Candidate]:
        rows = self.s.execute(
            select(_T.id, _T.service_id, _T.priority_class, _T.arrived_ms, _T.queue_ms, _T.target_counter_id).where(
                _T.location_id == location_id, _T.day == day, _T.state == "waiting"
            )
        )
        return [Candidate(*row) for row in rows]

    def recent_calls(self, location_id: int, day: dt.date, limit: int) -> list[Ticket]:
        stmt = (
            select(Ticket)
            .where(Ticket.location_id == location_id, Ticket.day == day, Ticket.called_at.is_not(None))
            .order_by(Ticket.called_at.desc(), Ticket.id.desc())
            .limit(limit)
        )
        return list(self.s.execute(stmt).scalars())

    def recent_handling_seconds(self, service_ids: Sequence[int], since: dt.datetime, per_service: int) -> dict[int, list[float]]:
        """Handling times (call to finish) of recently finished visits, oldest first."""
        stmt = (
            select(Ticket.service_id, Ticket.called_at, Ticket.finished_at)
            .where(
                Ticket.service_id.in_(list(service_ids)),
                Ticket.finished_at >= since,
                Ticket.state == "finished",
            )
            .order_by(Ticket.finished_at.desc())
            .limit(per_service * max(1, len(service_ids)))
        )
        out: dict[int, list[float]] = {sid: [] for sid in service_ids}
        for service_id, called_at, finished_at in self.s.execute(stmt):
            if called_at and finished_at and len(out[service_id]) < per_service:
                out[service_id].append((finished_at - called_at).total_seconds())
        return {k: list(reversed(v)) for k, v in out.items()}

    # -- events ------------------------------------------------------------
    def add_event(self, **fields: Any) -> TicketEvent:
        event = TicketEvent(**fields)
        self.s.add(event)
        return event

    def events(self, ticket_id: int) -> list[TicketEvent]:
        stmt = select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
        return list(self.s.execute(stmt).scalars())

    def count(self) -> int:
        return int(self.s.execute(select(func.count()).select_from(Ticket)).scalar_one())


class DirectoryRepository:
    """Locations, services, counters and users."""

    _KINDS: dict[str, type] = {"location": Location, "service": Service, "counter": Counter, "user": User}

    def __init__(self, session: Session) -> None:
        self.s = session

    def create(self, kind: str, **fields: Any) -> Any:
        """Create a configuration row: a location, service, counter or user."""
        return self.add(self._KINDS[kind](**fields))

    def count_users(self) -> int:
        return int(self.s.execute(select(func.count()).select_from(User)).scalar_one())

    def add(self, obj: Any) -> Any:
        self.s.add(obj)
        self.s.flush()
        return obj

    def user(self, user_id: int) -> User | None:
        return self.s.get(User, user_id)

    def user_by_name(self, username: str) -> User | None:
        return self.s.execute(select(User).where(User.username == username)).scalar_one_or_none()

    def users(self) -> list[User]:
        return list(self.s.execute(select(User).order_by(User.display_name)).scalars())

    def location(self, location_id: int) -> Location | None:
        return self.s.get(Location, location_id)

    def locations(self) -> list[Location]:
        return list(self.s.execute(select(Location).order_by(Location.id)).scalars())

    def service(self, service_id: int) -> Service | None:
        return self.s.get(Service, service_id)

    def services(self, location_id: int) -> list[Service]:
        stmt = select(Service).where(Service.location_id == location_id).order_by(Service.sort_order, Service.prefix)
        return list(self.s.execute(stmt).scalars())

    def counter(self, counter_id: int, *, lock: bool = False) -> Counter | None:
        stmt = select(Counter).where(Counter.id == counter_id)
        if lock:
            stmt = stmt.with_for_update()
        return self.s.execute(stmt).scalar_one_or_none()

    def counters(self, location_id: int) -> list[Counter]:
        stmt = select(Counter).where(Counter.location_id == location_id).order_by(Counter.id)
        return list(self.s.execute(stmt).scalars())

    def counter_service_ids(self, counter_id: int) -> list[int]:
        stmt = select(CounterService.service_id).where(CounterService.counter_id == counter_id).order_by(CounterService.service_id)
        return list(self.s.execute(stmt).scalars())

    def all_counter_service_ids(self, location_id: int) -> dict[int, list[int]]:
        stmt = (
            select(CounterService.counter_id, CounterService.service_id)
            .join(Counter, Counter.id == CounterService.counter_id)
            .where(Counter.location_id == location_id)
        )
        out: dict[int, list[int]] = {}
        for counter_id, service_id in self.s.execute(stmt):
            out.setdefault(counter_id, []).append(service_id)
        return out

    def set_counter_service_ids(self, counter_id: int, service_ids: Iterable[int]) -> None:
        self.s.execute(delete(CounterService).where(CounterService.counter_id == counter_id))
        for sid in sorted(set(service_ids)):
            self.s.add(CounterService(counter_id=counter_id, service_id=sid))
        self.s.flush()

    def touch_counter(self, counter_id: int, user_id: int, now: dt.datetime) -> None:
        self.s.execute(
            update(Counter)
            .where(Counter.id == counter_id, Counter.signed_in_user_id == user_id)
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )


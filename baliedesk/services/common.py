"""Helpers shared by the service functions: who is acting, time, mapping to results."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from baliedesk.domain.errors import InactiveUser, NotFound, ValidationError
from baliedesk.domain.permissions import Permission, require
from baliedesk.domain.tickets import PriorityClass, display_number
from baliedesk.domain.timeline import is_gone
from baliedesk.services.dto import CounterInfo, LocationInfo, ServiceInfo, TicketInfo, UserInfo
from baliedesk.services.ports import UnitOfWork


def check_now(now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None:
        raise ValidationError("now", "naive_datetime")
    return now.astimezone(dt.UTC)


def epoch_ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def local_day(now: dt.datetime, timezone: str) -> dt.date:
    return now.astimezone(ZoneInfo(timezone)).date()


def acting_user(uow: UnitOfWork, user_id: int, permission: Permission) -> Any:
    """Load the acting user from the database and check the permission.

    The role comes from the database, never from the caller.
    """
    return check_actor(uow.directory.user(user_id), user_id, permission)


def check_actor(user: Any | None, user_id: int, permission: Permission) -> Any:
    """The check of :func:`acting_user`, for a user row the caller already read from the database."""
    if user is None:
        raise NotFound("user", user_id)
    if not user.active:
        raise InactiveUser(user_id)
    require(user.role, permission)
    return user


def get_or_404(value: Any, kind: str, key: object) -> Any:
    if value is None:
        raise NotFound(kind, key)
    return value


def user_info(u: Any) -> UserInfo:
    return UserInfo(u.id, u.username, u.display_name, u.role, u.active)


def location_info(loc: Any) -> LocationInfo:
    return LocationInfo(
        loc.id, loc.name, loc.timezone, loc.ordering_mode, loc.no_show_after_recalls, loc.counter_gone_after_s
    )


def service_info(s: Any) -> ServiceInfo:
    return ServiceInfo(
        s.id, s.location_id, s.prefix, s.name, s.color, s.expected_minutes, s.walk_in, s.appointments, s.weight,
        s.sort_order, s.active,
    )


def counter_info(c: Any, service_ids: list[int], users: dict[int, Any], now: dt.datetime | None,
                 gone_after_s: int) -> CounterInfo:
    """``now`` None: only for counters nobody is signed in at (a new counter)."""
    user = users.get(c.signed_in_user_id) if c.signed_in_user_id else None
    return CounterInfo(
        id=c.id,
        location_id=c.location_id,
        name=c.name,
        display_name=c.display_name,
        active=c.active,
        service_ids=tuple(sorted(service_ids)),
        signed_in_user_id=c.signed_in_user_id,
        signed_in_user_name=user.display_name if user else None,
        last_seen_at=c.last_seen_at,
        gone=c.signed_in_user_id is None or now is None or is_gone(c.last_seen_at, now, gone_after_s),
    )


def ticket_info(t: Any, services: dict[int, Any], counters: dict[int, Any]) -> TicketInfo:
    service = services.get(t.service_id)
    counter = counters.get(t.counter_id) if t.counter_id else None
    return TicketInfo(
        id=t.id,
        number=t.number,
        display_number=display_number(t.number),
        location_id=t.location_id,
        service_id=t.service_id,
        service_prefix=service.prefix if service else "?",
        service_name=service.name if service else "?",
        state=t.state,
        priority_class=t.priority_class,
        issued_at=t.issued_at,
        arrived_ms=t.arrived_ms,
        called_at=t.called_at,
        finished_at=t.finished_at,
        counter_id=t.counter_id,
        counter_name=counter.display_name if counter else None,
        target_counter_id=t.target_counter_id,
        recall_count=t.recall_count,
        outcome=t.outcome,
        note=t.note,
        appointment_at=appointment_start(t),
    )


def appointment_start(t: Any) -> dt.datetime | None:
    """A checked-in appointment's ticket queues at its slot's start (``queue_ms``, priority class 0)."""
    queue_ms = getattr(t, "queue_ms", None)  # (the claim of "volgende" does not return it)
    if t.priority_class != int(PriorityClass.APPOINTMENT) or queue_ms is None:
        return None
    return dt.datetime.fromtimestamp(queue_ms / 1000, tz=dt.UTC)


def ticket_info_from(uow: UnitOfWork, t: Any) -> TicketInfo:
    service = uow.directory.service(t.service_id)
    counter = uow.directory.counter(t.counter_id) if t.counter_id else None
    return ticket_info(t, {t.service_id: service}, {t.counter_id: counter} if counter else {})

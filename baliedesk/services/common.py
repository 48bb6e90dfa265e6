"""Helpers shared by the service functions: who is acting, time, mapping to results."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from baliedesk.domain.errors import InactiveUser, NotFound, NotYourLocation, NotYourTeam
from baliedesk.domain.permissions import Permission, is_device, require
from baliedesk.domain.tickets import PriorityClass, display_number
from baliedesk.domain.validation import check_moment
from baliedesk.domain.timeline import is_gone
from baliedesk.services.dto import CounterInfo, LocationInfo, ServiceInfo, TicketInfo, UserInfo
from baliedesk.services.context import workstation
from baliedesk.services.ports import UnitOfWork


def check_now(now: dt.datetime) -> dt.datetime:
    return check_moment(now, "now").astimezone(dt.UTC)


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


# ---------------------------------------------------------------------------
# personal data (issue 12): location scoping, the audit log, devices
# ---------------------------------------------------------------------------
def require_location(uow: UnitOfWork, user: Any, location_id: int) -> None:
    """Refuse (NotYourLocation) when ``user`` does not work for ``location_id``.

    Called by every service that takes or derives a location, right after the
    permission check. A user's locations are in ``user_locations``; a row
    without a location means every location (a beheerder, the privacy officer).
    """
    ids = uow.privacy.user_location_ids(user.id)
    if None in ids or location_id in ids:
        return
    raise NotYourLocation(str(getattr(user.role, "value", user.role)), "location", location_id)


def require_melding(uow: UnitOfWork, user: Any, melding: Any) -> None:
    """A melding is scoped to its location and, for someone who works in given teams, to those teams."""
    require_location(uow, user, melding.location_id)
    teams = uow.privacy.user_teams(user.id)
    if teams and melding.team not in teams:
        raise NotYourTeam(str(getattr(user.role, "value", user.role)), "team", melding.team)


def location_scope(uow: UnitOfWork, user: Any) -> frozenset[int] | None:
    """The location ids ``user`` works for; None: every location. For lists that span locations."""
    ids = uow.privacy.user_location_ids(user.id)
    return None if None in ids else frozenset(i for i in ids if i is not None)


def audit_reads(uow: UnitOfWork, user_id: int, now: dt.datetime, record_type: str, record_ids: Iterable[int],
                fields: Iterable[str], via: str) -> None:
    """One "read" entry per record a list or search returned (one INSERT)."""
    names = ",".join(fields)[:400]
    ws = workstation.get()[:120]
    uow.privacy.audit_many([
        {"at": now, "user_id": user_id, "workstation": ws, "action": "read", "record_type": record_type,
         "record_id": rid, "fields": names, "detail": {"via": via}} for rid in record_ids])


def audit(uow: UnitOfWork, user_id: int | None, now: dt.datetime, action: str, record_type: str,
          record_id: int | None, fields: Iterable[str] = (), detail: dict[str, Any] | None = None) -> None:
    """Append one audit entry in ``uow``'s transaction: who, when, which workstation, what, which fields.

    ``fields``: field NAMES only, never values. ``detail``: counts and states, no personal values.
    """
    uow.privacy.audit(at=now, user_id=user_id, workstation=workstation.get()[:120], action=action,
                      record_type=record_type, record_id=record_id, fields=",".join(fields)[:400],
                      detail=detail)


#: Fields that hold a resident's (or, on a public device, a staff member's) personal data.
PERSONAL_FIELDS = frozenset({
    "note", "phone", "email", "remarks", "description", "question",
    "reporter_name", "reporter_phone", "reporter_email", "caller_name", "caller_phone",
    "street", "house_number", "house_addition", "postcode", "location_text", "latitude", "longitude",
    "signed_in_user_name", "user_name",
})
#: ``name`` is personal in a record that also holds contact details (an appointment, a complaint).
_CONTACT_FIELDS = frozenset({"phone", "email"})


def is_personal_field(owner: Any, field: str) -> bool:
    if field in PERSONAL_FIELDS:
        return True
    if field == "name" and dataclasses.is_dataclass(owner):
        return bool(_CONTACT_FIELDS & {f.name for f in dataclasses.fields(owner)})
    return False


def _blank(f: dataclasses.Field) -> Any:
    return None if "None" in str(f.type) or "Optional" in str(f.type) else ""


def strip_personal(value: Any) -> Any:
    """``value`` (a DTO, tuple, dict ...) with every personal field emptied, recursively."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            current = getattr(value, f.name)
            if is_personal_field(value, f.name):
                if current not in (None, ""):
                    changes[f.name] = _blank(f)
            else:
                cleaned = strip_personal(current)
                if cleaned is not current:
                    changes[f.name] = cleaned
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, tuple):
        items = tuple(strip_personal(v) for v in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, dict):
        return {k: strip_personal(v) for k, v in value.items() if k not in PERSONAL_FIELDS}
    return value


def for_audience(user: Any, result: Any) -> Any:
    """What ``user`` may get back: a public device (kiosk, hall screen) no personal data at all."""
    return strip_personal(result) if is_device(user.role) else result

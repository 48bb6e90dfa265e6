"""Configuration: the first administrator, locations, services, counters, users.

Only ``bootstrap`` runs without an acting user, and only on an empty database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from baliedesk.domain.errors import NotYourLocation, ValidationError
from baliedesk.domain.ordering import MAX_WEIGHT, MIN_WEIGHT, OrderingMode
from baliedesk.domain.organisation import readable_color
from baliedesk.domain.permissions import ALL_LOCATION_ROLES, Permission, Role
from baliedesk.domain.validation import clean_name
from baliedesk.services.common import (
    acting_user,
    audit,
    check_now,
    counter_info,
    get_or_404,
    location_info,
    location_scope,
    require_location,
    service_info,
    user_info,
)
from baliedesk.services.dto import CounterInfo, LocationInfo, ServiceInfo, UserInfo
from baliedesk.services.ports import Backend

PREFIX_RE = re.compile(r"^[A-Z]{1,3}$")
COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class AlreadyBootstrapped(ValidationError):
    def __init__(self) -> None:
        super().__init__("database", "already_set_up")


def bootstrap(backend: Backend, username: str, display_name: str) -> UserInfo:
    """Create the first administrator (beheerder) of an empty database."""
    with backend.unit_of_work(write=True) as uow:
        if uow.directory.count_users():
            raise AlreadyBootstrapped()
        user = uow.directory.create("user", **_user_fields(username, display_name, Role.ADMIN))
        uow.flush()
        uow.privacy.set_user_locations(user.id, [None])  # the first beheerder works for every location
        uow.commit()
        return user_info(user)


def _user_fields(username: str, display_name: str, role: Role | str) -> dict:
    username = (username or "").strip().lower()
    if not USERNAME_RE.match(username):
        raise ValidationError("username", "invalid")
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError("role", "invalid") from None
    return {"username": username, "display_name": clean_name(display_name, field="display_name"),
            "role": role.value, "active": True}


def create_user(backend: Backend, user_id: int, username: str, display_name: str, role: Role | str, *,
                location_ids: Iterable[int] | None = None) -> UserInfo:
    """A new user, working for ``location_ids``.

    ``location_ids`` None: a beheerder or privacy officer works for every
    location; anyone else for the locations the acting person works for (for a
    beheerder: every location that exists now).
    """
    with backend.unit_of_work(write=True) as uow:
        actor = acting_user(uow, user_id, Permission.CONFIGURE)
        fields = _user_fields(username, display_name, role)
        if uow.directory.user_by_name(fields["username"]) is not None:
            raise ValidationError("username", "taken")
        scope = _scope_for_new_user(uow, actor, Role(fields["role"]), location_ids)
        user = uow.directory.create("user", **fields)
        uow.flush()
        uow.privacy.set_user_locations(user.id, scope)
        uow.commit()
        return user_info(user)


def _scope_for_new_user(uow: Any, actor: Any, role: Role, location_ids: Iterable[int] | None) -> list[int | None]:
    if location_ids is None:
        if role in ALL_LOCATION_ROLES:
            _grant_all(uow, actor)
            return [None]
        mine = location_scope(uow, actor)
        return sorted(mine) if mine is not None else [loc.id for loc in uow.directory.locations()]
    ids = sorted(set(location_ids))
    for loc in ids:
        get_or_404(uow.directory.location(loc), "location", loc)
        require_location(uow, actor, loc)
    return list(ids)


def _grant_all(uow: Any, actor: Any) -> None:
    """Only someone who works for every location may give that to another."""
    if location_scope(uow, actor) is not None:
        raise NotYourLocation(str(actor.role), "location", 0)


def set_user_locations(backend: Backend, user_id: int, target_user_id: int, location_ids: Iterable[int] = (), *,
                       all_locations: bool = False, now: dt.datetime | None = None) -> tuple[int, ...] | None:
    """The locations ``target_user_id`` works for (``all_locations``: every one). Returns them (None: all).

    The acting person (CONFIGURE) must work for each location given, and for
    every location to give that.
    """
    moment = check_now(now) if now is not None else dt.datetime.now(dt.UTC)
    with backend.unit_of_work(write=True) as uow:
        actor = acting_user(uow, user_id, Permission.CONFIGURE)
        target = get_or_404(uow.directory.user(target_user_id), "user", target_user_id)
        if all_locations:
            _grant_all(uow, actor)
            scope: list[int | None] = [None]
        else:
            scope = list(_scope_for_new_user(uow, actor, Role.CLERK, list(location_ids)))
        uow.privacy.set_user_locations(target.id, scope)
        audit(uow, actor.id, moment, "update", "user", target.id, ("locations",),
              {"locations": None if all_locations else scope})
        uow.commit()
        return None if all_locations else tuple(i for i in scope if i is not None)


def set_user_teams(backend: Backend, user_id: int, target_user_id: int, teams: Iterable[str], *,
                   now: dt.datetime | None = None) -> tuple[str, ...]:
    """The meldingen teams ``target_user_id`` works in; none: every team. Returns them, sorted."""
    moment = check_now(now) if now is not None else dt.datetime.now(dt.UTC)
    names = sorted({clean_name(t, field="team", max_length=80) for t in teams})
    with backend.unit_of_work(write=True) as uow:
        actor = acting_user(uow, user_id, Permission.CONFIGURE)
        get_or_404(uow.directory.user(target_user_id), "user", target_user_id)
        uow.privacy.set_user_teams(target_user_id, names)
        audit(uow, actor.id, moment, "update", "user", target_user_id, ("teams",), {"teams": names})
        uow.commit()
        return tuple(names)


def user_locations(backend: Backend, user_id: int, target_user_id: int) -> tuple[int, ...] | None:
    """The locations ``target_user_id`` works for; None: every location."""
    with backend.unit_of_work() as uow:
        acting_user(uow, user_id, Permission.CONFIGURE)
        get_or_404(uow.directory.user(target_user_id), "user", target_user_id)
        ids = uow.privacy.user_location_ids(target_user_id)
        return None if None in ids else tuple(sorted(i for i in ids if i is not None))


def create_location(backend: Backend, user_id: int, name: str, *, timezone: str = "Europe/Amsterdam",
                    ordering_mode: str = OrderingMode.LONGEST_WAIT.value, no_show_after_recalls: int = 2,
                    counter_gone_after_s: int = 120) -> LocationInfo:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("timezone", "invalid") from None
    try:
        OrderingMode(ordering_mode)
    except ValueError:
        raise ValidationError("ordering_mode", "invalid") from None
    if not 0 <= no_show_after_recalls <= 10:
        raise ValidationError("no_show_after_recalls", "out_of_range", 10)
    if not 30 <= counter_gone_after_s <= 3600:
        raise ValidationError("counter_gone_after_s", "out_of_range", 3600)
    with backend.unit_of_work(write=True) as uow:
        actor = acting_user(uow, user_id, Permission.CONFIGURE)
        loc = uow.directory.create(
            "location", name=clean_name(name, field="name", max_length=120), timezone=timezone,
            ordering_mode=ordering_mode, no_show_after_recalls=no_show_after_recalls,
            counter_gone_after_s=counter_gone_after_s, active=True,
        )
        uow.flush()
        mine = location_scope(uow, actor)
        if mine is not None:  # who makes a location works for it
            uow.privacy.set_user_locations(actor.id, [*mine, loc.id])
        uow.commit()
        return location_info(loc)


def create_service(backend: Backend, user_id: int, location_id: int, prefix: str, name: str, *,
                   color: str = "#1F4E8C", expected_minutes: float = 10.0, walk_in: bool = True,
                   appointments: bool = False, weight: float = 1.0, sort_order: int = 0) -> ServiceInfo:
    prefix = (prefix or "").strip().upper()
    if not PREFIX_RE.match(prefix):
        raise ValidationError("prefix", "invalid")
    if not COLOR_RE.match(color or ""):
        raise ValidationError("color", "invalid")
    color = readable_color(color)  # ColorContrastTooLow when no text reads on it
    if not 1 <= expected_minutes <= 240:
        raise ValidationError("expected_minutes", "out_of_range", 240)
    if not MIN_WEIGHT <= weight <= MAX_WEIGHT:
        raise ValidationError("weight", "out_of_range", int(MAX_WEIGHT))
    with backend.unit_of_work(write=True) as uow:
        require_location(uow, acting_user(uow, user_id, Permission.CONFIGURE), location_id)
        get_or_404(uow.directory.location(location_id), "location", location_id)
        if any(s.prefix == prefix for s in uow.directory.services(location_id)):
            raise ValidationError("prefix", "taken")
        service = uow.directory.create(
            "service", location_id=location_id, prefix=prefix, name=clean_name(name, field="name", max_length=120),
            color=color, expected_minutes=float(expected_minutes), walk_in=walk_in, appointments=appointments,
            weight=float(weight), sort_order=sort_order, active=True,
        )
        uow.commit()
        return service_info(service)


def create_counter(backend: Backend, user_id: int, location_id: int, name: str, display_name: str | None = None,
                   service_ids: Iterable[int] = ()) -> CounterInfo:
    with backend.unit_of_work(write=True) as uow:
        require_location(uow, acting_user(uow, user_id, Permission.CONFIGURE), location_id)
        location = get_or_404(uow.directory.location(location_id), "location", location_id)
        name = clean_name(name, field="name", max_length=60)
        if any(c.name == name for c in uow.directory.counters(location_id)):
            raise ValidationError("name", "taken")
        counter = uow.directory.create(
            "counter", location_id=location_id, name=name,
            display_name=clean_name(display_name or name, field="display_name", max_length=60), active=True,
        )
        valid = {s.id for s in uow.directory.services(location_id)}
        ids = sorted(set(service_ids))
        if any(sid not in valid for sid in ids):
            raise ValidationError("service_ids", "invalid")
        uow.directory.set_counter_service_ids(counter.id, ids)
        uow.commit()
        return counter_info(counter, ids, {}, None, location.counter_gone_after_s)


def list_locations(backend: Backend) -> tuple[LocationInfo, ...]:
    """Locations to choose from when a workstation starts (no personal data)."""
    with backend.unit_of_work() as uow:
        return tuple(location_info(loc) for loc in uow.directory.locations() if loc.active)


def list_services(backend: Backend, location_id: int) -> tuple[ServiceInfo, ...]:
    """The services of a location (public: the kiosk shows them before anyone signs in)."""
    with backend.unit_of_work() as uow:
        return tuple(service_info(s) for s in uow.directory.services(location_id))


def sign_in_choices(backend: Backend, roles: Iterable[Role | str] | None = None) -> tuple[UserInfo, ...]:
    """Active users to pick from at a workstation, optionally of some roles only."""
    wanted = {Role(r).value for r in roles} if roles else None
    with backend.unit_of_work() as uow:
        return tuple(
            user_info(u) for u in uow.directory.users() if u.active and (wanted is None or u.role in wanted)
        )

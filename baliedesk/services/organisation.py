"""Setting up and keeping up the municipality: its details, locations, services and counters.

What every slip and screen prints (the municipality's name, colour and logo; a
location's address, phone, website and tracking page) lives here, in the
database, for every workstation alike. Changes that would break history are
refused: a service or counter with tickets cannot be deleted
(:class:`~baliedesk.domain.organisation.HasHistory`); it can be deactivated.

Writes need :attr:`Permission.CONFIGURE` (team lead, beheerder). Reads of the
public details (:func:`municipality`, :func:`location_details`) need no user:
the kiosk, the hall screen and the slips show them before anyone signs in.
The field checks (``*_fields``) are plain functions, shared with the set-up
file import (:mod:`baliedesk.services.setupfile`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from baliedesk.domain.errors import CounterBusy, NotFound, ValidationError
from baliedesk.domain.ordering import MAX_WEIGHT, MIN_WEIGHT, OrderingMode
from baliedesk.domain.organisation import (
    HasHistory,
    clean_address,
    clean_phone,
    clean_url,
    logo_type,
    one_line,
    readable_color,
)
from baliedesk.domain.permissions import Permission
from baliedesk.domain.tickets import display_number
from baliedesk.services.common import (
    acting_user,
    check_now,
    counter_info,
    get_or_404,
    service_info,
)
from baliedesk.services.dto import CounterInfo, ServiceInfo
from baliedesk.services.organisation_dto import Branding, LocationDetails, MunicipalityInfo, OrganisationView
from baliedesk.services.ports import Backend, UnitOfWork
from baliedesk.services.queue import queue_topic
from baliedesk.services.setup import PREFIX_RE

DEFAULT_COLOR = "#0B4F8A"
MAX_SORT_ORDER = 10_000

def organisation_topic() -> str:
    """What changes of the municipality's details are announced as (windows refresh their header)."""
    return "organisation"


# ---------------------------------------------------------------------------
# field checks (plain; raise ValidationError / ColorContrastTooLow)
# ---------------------------------------------------------------------------
def _bool(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(field, "invalid")
    return value


def _int(value: object, field: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(field, "invalid")
    if not low <= value <= high:
        raise ValidationError(field, "out_of_range", high)
    return value


def _number(value: object, field: str, low: float, high: float) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ValidationError(field, "invalid")
    number = float(value)
    if not math.isfinite(number) or not low <= number <= high:
        raise ValidationError(field, "out_of_range", int(high))
    return number


def location_fields(**given: object) -> dict[str, Any]:
    """Checked location fields; only the keys given (None values are left out: unchanged)."""
    out: dict[str, Any] = {}
    values = {k: v for k, v in given.items() if v is not None}
    for key, value in values.items():
        if key == "name":
            out[key] = one_line(value, field="name", max_length=120, required=True)
        elif key == "timezone":
            if not isinstance(value, str):
                raise ValidationError("timezone", "invalid")
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValidationError("timezone", "invalid") from None
            out[key] = value
        elif key == "ordering_mode":
            try:
                out[key] = OrderingMode(value).value
            except ValueError:
                raise ValidationError("ordering_mode", "invalid") from None
        elif key == "no_show_after_recalls":
            out[key] = _int(value, key, 0, 10)
        elif key == "counter_gone_after_s":
            out[key] = _int(value, key, 30, 3600)
        elif key == "active":
            out[key] = _bool(value, key)
        elif key in ("phone",):
            out[key] = clean_phone(value)
        elif key in ("website", "tracking_base_url"):
            out[key] = clean_url(value, field=key)
        elif key in ("street", "house_number", "postcode", "place"):
            continue  # below, together
        else:
            raise ValidationError(key, "unknown_key")
    parts = ("street", "house_number", "postcode", "place")
    if any(p in values for p in parts):
        address = clean_address(*(values.get(p, "") for p in parts))
        out.update({p: getattr(address, p) for p in parts if p in values})
    return out


def service_fields(**given: object) -> dict[str, Any]:
    """Checked service fields (None values left out). The colour must carry readable text."""
    out: dict[str, Any] = {}
    for key, value in given.items():
        if value is None:
            continue
        if key == "prefix":
            prefix = value.strip().upper() if isinstance(value, str) else ""
            if not PREFIX_RE.match(prefix):
                raise ValidationError("prefix", "invalid")
            out[key] = prefix
        elif key == "name":
            out[key] = one_line(value, field="name", max_length=120, required=True)
        elif key == "color":
            out[key] = readable_color(value, field="color")
        elif key == "expected_minutes":
            out[key] = _number(value, key, 1, 240)
        elif key in ("walk_in", "appointments", "active"):
            out[key] = _bool(value, key)
        elif key == "weight":
            out[key] = _number(value, key, MIN_WEIGHT, MAX_WEIGHT)
        elif key == "sort_order":
            out[key] = _int(value, key, 0, MAX_SORT_ORDER)
        else:
            raise ValidationError(key, "unknown_key")
    return out


def counter_fields(**given: object) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in given.items():
        if value is None:
            continue
        if key in ("name", "display_name"):
            out[key] = one_line(value, field=key, max_length=60, required=True)
        elif key == "active":
            out[key] = _bool(value, key)
        else:
            raise ValidationError(key, "unknown_key")
    return out


# ---------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------
def municipality_info(row: Any | None) -> MunicipalityInfo:
    if row is None:
        return MunicipalityInfo("", DEFAULT_COLOR, None, None)
    return MunicipalityInfo(row.name or "", row.color or DEFAULT_COLOR, row.logo_type if row.logo else None,
                            row.updated_at)


def location_details_of(loc: Any, municipality_name: str) -> LocationDetails:
    return LocationDetails(
        id=loc.id, name=loc.name, active=bool(loc.active), timezone=loc.timezone, ordering_mode=loc.ordering_mode,
        no_show_after_recalls=loc.no_show_after_recalls, counter_gone_after_s=loc.counter_gone_after_s,
        street=loc.street or "", house_number=loc.house_number or "", postcode=loc.postcode or "",
        place=loc.place or "", phone=loc.phone or "", website=loc.website or "",
        tracking_base_url=loc.tracking_base_url or "", municipality=municipality_name,
    )


def _municipality_name(uow: UnitOfWork) -> str:
    row = uow.organisation.municipality()
    return row.name if row is not None else ""


# ---------------------------------------------------------------------------
# the municipality
# ---------------------------------------------------------------------------
def municipality(backend: Backend) -> MunicipalityInfo:
    """The municipality's name, colour and whether it has a logo (public)."""
    with backend.unit_of_work() as uow:
        return municipality_info(uow.organisation.municipality())


def municipality_logo(backend: Backend) -> tuple[str, bytes] | None:
    """(content type, bytes) of the logo, or None (public: slips and the hall screen)."""
    with backend.unit_of_work() as uow:
        row = uow.organisation.municipality()
        if row is None or not row.logo:
            return None
        return row.logo_type or "image/png", bytes(row.logo)


def update_municipality(backend: Backend, user_id: int, now: dt.datetime, *, name: str | None = None,
                        color: str | None = None, logo: bytes | None = None,
                        remove_logo: bool = False) -> MunicipalityInfo:
    """Change the municipality's name, colour or logo (PNG, JPEG or SVG, at most 512 kB);
    arguments left None stay as they are."""
    now = check_now(now)
    fields: dict[str, Any] = {}
    if name is not None:
        fields["name"] = one_line(name, field="name", max_length=120, required=True)
    if color is not None:
        fields["color"] = readable_color(color, field="color")
    if logo is not None:
        fields["logo_type"] = logo_type(logo)
        fields["logo"] = bytes(logo)
    elif remove_logo:
        fields["logo"], fields["logo_type"] = None, None
    with backend.unit_of_work(write=True) as uow:
        acting_user(uow, user_id, Permission.CONFIGURE)
        row = uow.organisation.municipality_for_update()
        for key, value in fields.items():
            setattr(row, key, value)
        row.updated_at = now
        uow.changed(organisation_topic())
        info = municipality_info(row)
        uow.commit()
        return info


# ---------------------------------------------------------------------------
# locations
# ---------------------------------------------------------------------------
def location_details(backend: Backend, location_id: int) -> LocationDetails:
    """A location's details as slips and screens print them (public: no personal data)."""
    with backend.unit_of_work() as uow:
        loc = get_or_404(uow.directory.location(location_id), "location", location_id)
        return location_details_of(loc, _municipality_name(uow))


def branding(backend: Backend, location_id: int) -> Branding:
    """Everything a slip or the hall screen prints for a location: name, colour, logo, address,
    phone, website, tracking page (public)."""
    with backend.unit_of_work() as uow:
        loc = get_or_404(uow.directory.location(location_id), "location", location_id)
        muni = uow.organisation.municipality()
        info = municipality_info(muni)
        logo = bytes(muni.logo) if muni is not None and muni.logo else None
        return Branding(location_details_of(loc, info.name), info.name or loc.name, info.color,
                        info.logo_type if logo else None, logo)


def add_location(backend: Backend, user_id: int, name: str, *, timezone: str = "Europe/Amsterdam",
                 ordering_mode: str = OrderingMode.LONGEST_WAIT.value, no_show_after_recalls: int = 2,
                 counter_gone_after_s: int = 120, street: str = "", house_number: str = "", postcode: str = "",
                 place: str = "", phone: str = "", website: str = "", tracking_base_url: str = "") -> LocationDetails:
    """A new location with its details. Location names are unique (they tell locations apart)."""
    fields = location_fields(
        name=name, timezone=timezone, ordering_mode=ordering_mode, no_show_after_recalls=no_show_after_recalls,
        counter_gone_after_s=counter_gone_after_s, street=street, house_number=house_number, postcode=postcode,
        place=place, phone=phone, website=website, tracking_base_url=tracking_base_url)
    with backend.unit_of_work(write=True) as uow:
        acting_user(uow, user_id, Permission.CONFIGURE)
        if any(x.name.casefold() == fields["name"].casefold() for x in uow.directory.locations()):
            raise ValidationError("name", "taken")
        loc = uow.directory.create("location", active=True, **fields)
        uow.changed(organisation_topic())
        details = location_details_of(loc, _municipality_name(uow))
        uow.commit()
        return details


def update_location(backend: Backend, user_id: int, location_id: int, *, name: str | None = None,
                    street: str | None = None, house_number: str | None = None, postcode: str | None = None,
                    place: str | None = None, phone: str | None = None, website: str | None = None,
                    tracking_base_url: str | None = None, timezone: str | None = None,
                    ordering_mode: str | None = None, no_show_after_recalls: int | None = None,
                    counter_gone_after_s: int | None = None) -> LocationDetails:
    """Change a location's details or its queue rules (the ordering rule, recalls before a
    no-show, when a silent counter counts as gone); arguments left None stay as they are,
    "" empties a detail."""
    fields = location_fields(
        name=name, street=street, house_number=house_number, postcode=postcode, place=place, phone=phone,
        website=website, tracking_base_url=tracking_base_url, timezone=timezone, ordering_mode=ordering_mode,
        no_show_after_recalls=no_show_after_recalls, counter_gone_after_s=counter_gone_after_s)
    with backend.unit_of_work(write=True) as uow:
        acting_user(uow, user_id, Permission.CONFIGURE)
        loc = get_or_404(uow.directory.location(location_id), "location", location_id)
        if "name" in fields and any(x.id != loc.id and x.name.casefold() == fields["name"].casefold()
                                    for x in uow.directory.locations()):
            raise ValidationError("name", "taken")
        for key, value in fields.items():
            setattr(loc, key, value)
        uow.changed(organisation_topic())
        uow.changed(queue_topic(loc.id))
        details = location_details_of(loc, _municipality_name(uow))
        uow.commit()
        return details


def set_location_active(backend: Backend, user_id: int, location_id: int, active: bool) -> LocationDetails:
    """Switch a location off (no longer offered at start-up; its history stays) or on again."""
    active = _bool(active, "active")
    with backend.unit_of_work(write=True) as uow:
        acting_user(uow, user_id, Permission.CONFIGURE)
        loc = get_or_404(uow.directory.location(location_id), "location", location_id)
        loc.active = active
        uow.changed(organisation_topic())
        details = location_details_of(loc, _municipality_name(uow))
        uow.commit()
        return details


def set_fair_share_weights(backend: Backend, user_id: int, location_id: int,
                           weights: Mapping[int, float]) -> tuple[ServiceInfo, ...]:
    """The fair-share weight per service (0.1 .. 10; used when the location's ordering rule is
    fair_share). Services not named keep theirs. Returns the location's services."""
    if not isinstance(weights, Mapping):
        raise ValidationError("weights", "invalid")
    checked = {}
    for sid, weight in weights.items():
        if not isinstance(sid, int) or isinstance(sid, bool):
            raise ValidationError("weights", "invalid")
        checked[sid] = _number(weight, "weight", MIN_WEIGHT, MAX_WEIGHT)
    with backend.unit_of_work(write=True) as uow:
        acting_user(uow, user_id, Permission.CONFIGURE)
        get_or_404(uow.directory.location(location_id), "location", location_id)
        services = {s.id: s for s in uow.directory.services(location_id)}
        for sid, weight in checked.items():
            if sid not in services:
                raise NotFound("service", sid)
            services[sid].weight = weight
        uow.changed(queue_topic(location_id))
        out = tuple(service_info(s) for s in services.values())
        uow.commit()
        return out


# ---------------------------------------------------------------------------
# services
# ---------------------------------------------------------------------------
def _service(uow: UnitOfWork, service_id: int) -> Any:
    return get_or_404(uow.directory.service(service_id), "service", service_id)


def update_service(backend: Backend, user_id: int, service_id: int, *, prefix: str | None = None,
                   name: str | None = None, color: str | None = None, expected_minutes: float | None = None,
                   walk_in: bool | None = None, appointments: bool | None = None, weight: float | None = None,
                   sort_order: int | None = None) -> ServiceInfo:
    """Change a service; arguments left None stay as they are. The colour must carry readable
    text (:class:`ColorContrastTooLow`); the prefix must be free at its location."""
    fields = service_fields(prefix=prefix, name=name, color=color, expected_minutes=expected_minutes,
                            walk_in=walk_in, appointments=appointments, weight=weight, sort_order=sort_order)
    with backend.unit_of_work(write=True) as uow:
        acting_user(uow, user_id, Permission.CONFIGURE)
        service = _service(uow, service_id)
        if "prefix" in fields and any(s.id != service.id and s.prefix == fields["prefix"]
                                      for s in uow.directory.services(service.location_id)):
            raise ValidationError("prefix", "taken")
        for key, value in fields.items():
            setattr(service, key, value)
        uow.changed(queue_topic(service.location_id))
        uow.changed(organisation_topic())
        info = service_info(service)
        uow.commit()
        return info


def set_service_active(backend: Backend, user_id: int, service_id: int, active: bool) -> ServiceInfo:
    """Switch a service off (the kiosk no longer offers it; waiting tickets can still be
    served, history stays) or on again."""
    active = _bool(active, "active")
    with backend.unit_of_work(write=True) as uow:
        acting_user(uow, user_id, Permission.CONFIGURE)
        service = _service(uow, service_id)
        service.active = active
        uow.changed(queue_topic(service.location_id))
        uow.changed(organisation_topic())
        info = service_info(service)
        uow.commit()
        return info


def delete_service(backend: Backend, user_id: int, service_id: int) -> None:
    """Delete a service that was never used. With tickets, appointments or contacts:
    :class:`HasHistory` (deactivate it with :func:`set_service_active` instead)."""
    with backend.unit_of_work(write=True) as uow:
        acting_user(uow, user_id, Permission.CONFIGURE)
        service = _service(uow, service_id)
        used = uow.organisation.service_history(service.id)
        if used:
            raise HasHistory("service", f"{service.prefix} {service.name}", used)
        location_id, label = service.location_id, f"{service.prefix} {service.name}"
        if not uow.organisation.delete_service(service.id):
            raise HasHistory("service", label, 1)
        uow.changed(queue_topic(location_id))
        uow.changed(organisation_topic())
        uow.commit()


# ---------------------------------------------------------------------------
# counters
# ---------------------------------------------------------------------------
def _counter_result(uow: UnitOfWork, counter: Any) -> CounterInfo:
    location = uow.directory.location(counter.location_id)
    users = {counter.signed_in_user_id: uow.directory.user(counter.signed_in_user_id)} \
        if counter.signed_in_user_id else {}
    return counter_info(counter, uow.directory.counter_service_ids(counter.id), users, None,
                        location.counter_gone_after_s if location else 120)


def update_counter(backend: Backend, user_id: int, counter_id: int, *, name: str | None = None,
                   display_name: str | None = None, location_id: int | None = None,
                   service_ids: Iterable[int] | None = None) -> CounterInfo:
    """Change a counter's name, hall-screen name, location or default services; None: unchanged.
    Moving to another location is refused for a counter with history, and its services must
    then be the new location's (given, or none)."""
    fields = counter_fields(name=name, display_name=display_name)
    ids = None
    if service_ids is not None:
        try:
            ids = sorted(set(service_ids))
        except TypeError:
            raise ValidationError("service_ids", "invalid") from None
        if any(not isinstance(i, int) or isinstance(i, bool) for i in ids):
            raise ValidationError("service_ids", "invalid")
    with backend.unit_of_work(write=True) as uow:
        acting_user(uow, user_id, Permission.CONFIGURE)
        counter = get_or_404(uow.directory.counter(counter_id, lock=True), "counter", counter_id)
        target = counter.location_id
        if location_id is not None and location_id != counter.location_id:
            get_or_404(uow.directory.location(location_id), "location", location_id)
            used = uow.organisation.counter_history(counter.id)
            if used or counter.signed_in_user_id:
                raise HasHistory("counter", counter.name, used or 1)
            target = location_id
            if ids is None:
                ids = []
        new_name = fields.get("name", counter.name)
        if any(c.id != counter.id and c.name == new_name for c in uow.directory.counters(target)):
            raise ValidationError("name", "taken")
        if ids is not None:
            valid = {s.id for s in uow.directory.services(target)}
            if any(i not in valid for i in ids):
                raise ValidationError("service_ids", "invalid")
        old_location = counter.location_id
        counter.location_id = target
        for key, value in fields.items():
            setattr(counter, key, value)
        if ids is not None:
            uow.directory.set_counter_service_ids(counter.id, ids)
        uow.changed(queue_topic(old_location))
        uow.changed(queue_topic(target))
        info = _counter_result(uow, counter)
        uow.commit()
        return info


def set_counter_active(backend: Backend, user_id: int, counter_id: int, active: bool) -> CounterInfo:
    """Switch a counter off or on. Refused (:class:`CounterBusy`) while it holds a visitor."""
    active = _bool(active, "active")
    with backend.unit_of_work(write=True) as uow:
        acting_user(uow, user_id, Permission.CONFIGURE)
        counter = get_or_404(uow.directory.counter(counter_id, lock=True), "counter", counter_id)
        if not active:
            held = uow.tickets.held_by(counter.id)
            if held:
                raise CounterBusy(counter.display_name, display_number(held[0].number))
            counter.signed_in_user_id = None
        counter.active = active
        uow.changed(queue_topic(counter.location_id))
        info = _counter_result(uow, counter)
        uow.commit()
        return info


def delete_counter(backend: Backend, user_id: int, counter_id: int) -> None:
    """Delete a counter that never called anyone; else :class:`HasHistory` (deactivate it instead)."""
    with backend.unit_of_work(write=True) as uow:
        acting_user(uow, user_id, Permission.CONFIGURE)
        counter = get_or_404(uow.directory.counter(counter_id, lock=True), "counter", counter_id)
        used = uow.organisation.counter_history(counter.id)
        if used:
            raise HasHistory("counter", counter.name, used)
        location_id, name = counter.location_id, counter.name
        if not uow.organisation.delete_counter(counter.id):
            raise HasHistory("counter", name, 1)
        uow.changed(queue_topic(location_id))
        uow.commit()


# ---------------------------------------------------------------------------
# the overview for the set-up tabs
# ---------------------------------------------------------------------------
def organisation_view(backend: Backend, user_id: int) -> OrganisationView:
    """The municipality, every location, service and counter (also inactive ones), in one read."""
    with backend.unit_of_work() as uow:
        acting_user(uow, user_id, Permission.CONFIGURE)
        name = _municipality_name(uow)
        locations = uow.directory.locations()
        services: list[ServiceInfo] = []
        counters: list[CounterInfo] = []
        users = {u.id: u for u in uow.directory.users()}
        for loc in locations:
            services.extend(service_info(s) for s in uow.directory.services(loc.id))
            links = uow.directory.all_counter_service_ids(loc.id)
            counters.extend(counter_info(c, links.get(c.id, []), users, None, loc.counter_gone_after_s)
                            for c in uow.directory.counters(loc.id))
        return OrganisationView(municipality_info(uow.organisation.municipality()),
                                tuple(location_details_of(x, name) for x in locations), tuple(services),
                                tuple(counters))

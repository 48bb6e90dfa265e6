"""Issue 12: a public device (kiosk, hall screen) gets no personal data back from any service."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import inspect
import pkgutil
import re
from zoneinfo import ZoneInfo

import pytest

import baliedesk.services as services_pkg
from baliedesk.domain.permissions import GRANTS, Role
from baliedesk.services import appointments as ap, reports
from baliedesk.services import demo, hall, queue, schedules, setup

AMS = ZoneInfo("Europe/Amsterdam")
NOTE = "BSN 123456782, schuldhulp"

# Field names that carry personal data; "name" only in a record with contact details.
PERSONAL = re.compile(r"^(phone|email|remarks|note|description|question|reporter_\w+|caller_\w+|street|"
                      r"house_number|house_addition|postcode|location_text|latitude|longitude|"
                      r"signed_in_user_name|user_name)$")


def personal_values(value, path="result"):
    """Every (path, value) in ``value`` where a personal field carries a value."""
    found = []
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = {f.name for f in dataclasses.fields(value)}
        for f in dataclasses.fields(value):
            v = getattr(value, f.name)
            personal = PERSONAL.match(f.name) or (f.name == "name" and names & {"phone", "email"})
            if personal and v not in (None, "", ()):
                found.append((f"{path}.{f.name}", v))
            else:
                found += personal_values(v, f"{path}.{f.name}")
    elif isinstance(value, (tuple, list)):
        for i, v in enumerate(value):
            found += personal_values(v, f"{path}[{i}]")
    elif isinstance(value, dict):
        for k, v in value.items():
            if PERSONAL.match(str(k)) and v not in (None, "", ()):
                found.append((f"{path}[{k!r}]", v))
            else:
                found += personal_values(v, f"{path}[{k!r}]")
    elif isinstance(value, str) and NOTE in value:
        found.append((path, value))
    return found


def _permissions_used(fn, module, seen=None) -> set[str]:
    """Permissions a service function checks, following the module's own functions it calls."""
    seen = seen if seen is not None else set()
    if fn in seen:
        return set()
    seen.add(fn)
    src = inspect.getsource(fn)
    used = set(re.findall(r"Permission\.(\w+)", src))
    for name in set(re.findall(r"\b(_?\w+)\(", src)):
        other = getattr(module, name, None)
        if inspect.isfunction(other) and other.__module__ == module.__name__ and other is not fn:
            used |= _permissions_used(other, module, seen)
    return used


def device_services() -> set[str]:
    """Every service function (backend, user_id, ...) a kiosk or hall screen is allowed to call."""
    device_perms = {p.name for role in (Role.KIOSK, Role.DISPLAY) for p in GRANTS[role]}
    found = set()
    for info in pkgutil.iter_modules(services_pkg.__path__):
        module = importlib.import_module(f"baliedesk.services.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            params = list(inspect.signature(fn).parameters)
            if params[:2] != ["backend", "user_id"]:
                continue
            if _permissions_used(fn, module) & device_perms:
                found.add(f"{info.name}.{name}")
    return found


def local(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=AMS).astimezone(dt.UTC)


TODAY = dt.date(2026, 11, 19)


@pytest.fixture
def world(backend, seeded, now):
    """A ticket with a clerk's note, a checked-in appointment with contact details, a held ticket."""
    ids = seeded
    lead, clerk, kiosk = ids.users["fatima"], ids.users["anne"], ids.users["kiosk-ingang"]
    demo.seed_hours(backend, ids, now)
    schedules.set_calendar_options(backend, lead, ids.location_id, now, appointments_enabled=True)
    ap.configure_service(backend, lead, ids.services["A"], enabled=True, duration_minutes=15)
    a = ap.book(backend, clerk, ids.services["A"], local(TODAY, 10, 30), now, name="Jan Jansen",
                phone="06 12345678", email="jan@example.nl", remarks="Rolstoel; " + NOTE)
    t1 = queue.issue_ticket(backend, kiosk, ids.services["A"], local(TODAY, 10, 0)).ticket
    queue.cancel(backend, clerk, t1.id, local(TODAY, 10, 1), note=NOTE)
    t2 = queue.issue_ticket(backend, kiosk, ids.services["B"], local(TODAY, 10, 2)).ticket
    queue.sign_in(backend, clerk, ids.counters["Balie 1"], local(TODAY, 10, 3))
    called = queue.call_next(backend, clerk, ids.counters["Balie 1"], local(TODAY, 10, 4))
    queue.finish(backend, clerk, ids.counters["Balie 1"], called.id, local(TODAY, 10, 5), note=NOTE)
    queue.issue_ticket(backend, kiosk, ids.services["A"], local(TODAY, 10, 6))
    return {"ids": ids, "appointment": a, "cancelled": t1, "finished": t2}


# name -> how a device calls it
CALLS = {
    "queue.issue_ticket": lambda b, u, w: queue.issue_ticket(b, u, w["ids"].services["C"], local(TODAY, 10, 8)),
    "queue.queue_snapshot": lambda b, u, w: queue.queue_snapshot(b, u, w["ids"].location_id, local(TODAY, 10, 9)),
    "queue.counters_at": lambda b, u, w: queue.counters_at(b, u, w["ids"].location_id, local(TODAY, 10, 9)),
    "queue.ticket_history": lambda b, u, w: (queue.ticket_history(b, u, w["cancelled"].id),
                                             queue.ticket_history(b, u, w["finished"].id)),
    "appointments.check_in": lambda b, u, w: ap.check_in(b, u, w["appointment"].code, local(TODAY, 10, 20)),
    "hall.hall_calls": lambda b, u, w: hall.hall_calls(b, u, w["ids"].location_id, local(TODAY, 10, 9)),
    "reports.record_rating": lambda b, u, w: reports.record_rating(b, u, w["ids"].location_id, None, 8,
                                                                   "Snel geholpen", local(TODAY, 10, 9)),
    "schedules.todays_hours": lambda b, u, w: schedules.todays_hours(b, u, w["ids"].location_id,
                                                                     local(TODAY, 10, 9)),
}


def test_the_table_covers_every_service_a_device_may_call():
    derived = device_services()
    assert {"queue.issue_ticket", "queue.ticket_history", "appointments.check_in", "hall.hall_calls"} <= derived
    assert derived <= set(CALLS), f"add to CALLS: {sorted(derived - set(CALLS))}"


def test_the_walker_finds_personal_data(world, backend):
    """The check itself can fail: a clerk (not a device) does get the note and the contact details."""
    clerk = world["ids"].users["anne"]
    found = personal_values(queue.ticket_history(backend, clerk, world["cancelled"].id))
    assert any(NOTE in str(v) for _p, v in found)
    found = personal_values(ap.find(backend, clerk, world["appointment"].code, local(TODAY, 10, 7)))
    assert {p.rsplit(".", 1)[1] for p, _v in found} >= {"name", "phone", "email", "remarks"}


def test_ticket_history_gives_a_kiosk_no_note(world, backend):
    kiosk = world["ids"].users["kiosk-ingang"]
    history = queue.ticket_history(backend, kiosk, world["finished"].id)
    assert history.ticket.note is None
    assert history.ticket.state == "finished"  # the rest is still there
    assert all(e.user_name is None for e in history.events)


def test_check_in_gives_a_kiosk_no_contact_details(world, backend):
    kiosk = world["ids"].users["kiosk-ingang"]
    result = ap.check_in(backend, kiosk, world["appointment"].code, local(TODAY, 10, 20))
    a = result.appointment
    assert (a.name, a.phone, a.email, a.remarks) == ("", None, None, None)
    assert a.state == "checked_in" and result.issued.ticket.number.startswith("A")


@pytest.mark.parametrize("role_user", ["kiosk-ingang", "scherm-hal"])
@pytest.mark.parametrize("service", sorted(CALLS))
def test_no_device_result_carries_personal_data(world, backend, role_user, service):
    from baliedesk.domain.errors import PermissionDenied

    user = world["ids"].users[role_user]
    try:
        result = CALLS[service](backend, user, world)
    except PermissionDenied:
        return  # not this device's to call: nothing comes back
    assert personal_values(result) == []


def test_public_reads_without_a_user_carry_no_personal_data(world, backend):
    loc = world["ids"].location_id
    for result in (setup.list_locations(backend), setup.list_services(backend, loc),
                   ap.appointment_switch(backend, loc)):
        assert personal_values(result) == []

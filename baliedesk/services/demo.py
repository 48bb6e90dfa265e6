"""Seed a database with a small municipality, for the demo and for screenshots.

Everything goes through the ordinary service functions, so the demo data obeys
every rule (numbers, events, permissions) that real data does.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from baliedesk.domain.auth import DEMO_PASSWORD  # re-exported: the command line and tests take it from here
from baliedesk.domain.permissions import Role
from baliedesk.domain.tickets import Outcome
from baliedesk.services import auth, queue, schedules, setup
from baliedesk.services.ports import Backend

MUNICIPALITY = "Gemeente Loppersum"

SERVICES = [
    # prefix, name, colour, expected minutes
    ("A", "Paspoort en ID-kaart", "#1F4E8C", 12.0),
    ("B", "Rijbewijs", "#1B6B3A", 8.0),
    ("C", "Uittreksel en verhuizing", "#A34700", 6.0),
    ("M", "Melding openbare ruimte", "#6B2C91", 7.0),
]

STAFF = [
    ("beheer", "Beheerder", Role.ADMIN),
    ("fatima", "Fatima El Amrani", Role.TEAM_LEAD),
    ("anne", "Anne de Vries", Role.CLERK),
    ("jeroen", "Jeroen Bakker", Role.CLERK),
    ("sanne", "Sanne Visser", Role.CLERK),
    ("kiosk-ingang", "Kiosk ingang", Role.KIOSK),
    ("scherm-hal", "Scherm in de hal", Role.DISPLAY),
]


#: Every demo person signs in with this password. It passes the password policy
#: (no bypass), and the demo's sign-in screen may show it: only in demo mode.


@dataclass(frozen=True)
class DemoIds:
    location_id: int
    users: dict[str, int]
    services: dict[str, int]
    counters: dict[str, int]


def is_seeded(backend: Backend) -> bool:
    return bool(setup.list_locations(backend))


def seed_state(backend: Backend) -> str:
    """``"empty"`` (nobody and nothing yet: the demo may seed), ``"demo"`` (the demo
    municipality, seeded before), or ``"other"``: a real municipality's data, which the
    demo never touches."""
    locations = setup.list_locations(backend)
    users = {u.username: u for u in setup.sign_in_choices(backend)}
    if not locations and not users:
        return "empty"
    admin = users.get(STAFF[0][0])
    if locations and locations[0].name == MUNICIPALITY and admin is not None and admin.role == Role.ADMIN.value:
        return "demo"
    return "other"


def demo_ids(backend: Backend) -> DemoIds:
    """The ids of an already seeded demo municipality (its first location; counters by name)."""
    location = setup.list_locations(backend)[0]
    users = {u.username: u.id for u in setup.sign_in_choices(backend)}
    services = {sv.prefix: sv.id for sv in setup.list_services(backend, location.id)}
    admin = users.get("beheer") or next(u.id for u in setup.sign_in_choices(backend, [Role.ADMIN]))
    counters = {c.name: c.id for c in queue.counters_at(backend, admin, location.id, dt.datetime.now(dt.UTC))}
    return DemoIds(location.id, users, services, counters)


def seed(backend: Backend, now: dt.datetime, *, history: bool = True, rng: random.Random | None = None,
         hours: bool = False, passwords: bool = True) -> DemoIds:
    """A location, four services, three counters, staff, and a realistic morning.

    ``hours``: also Loppersum's opening hours (:func:`seed_hours`). Off by
    default: with hours the kiosk refuses tickets outside them, and tests and
    benchmarks run at any clock time. ``passwords``: the people (not the kiosk
    and hall screen accounts) sign in with :data:`DEMO_PASSWORD`.
    """
    rng = rng or random.Random(20261122)
    admin = setup.bootstrap(backend, "beheer", "Beheerder")
    loc = setup.create_location(backend, admin.id, MUNICIPALITY)
    users = {"beheer": admin.id}
    for username, name, role in STAFF[1:]:
        users[username] = setup.create_user(backend, admin.id, username, name, role).id
    services = {}
    for order, (prefix, name, color, minutes) in enumerate(SERVICES):
        services[prefix] = setup.create_service(backend, admin.id, loc.id, prefix, name, color=color,
                                                expected_minutes=minutes, sort_order=order).id
    counters = {
        "Balie 1": setup.create_counter(backend, admin.id, loc.id, "Balie 1", "Balie 1", [services["A"], services["B"]]).id,
        "Balie 2": setup.create_counter(backend, admin.id, loc.id, "Balie 2", "Balie 2", [services["C"], services["M"]]).id,
        "Balie 3": setup.create_counter(backend, admin.id, loc.id, "Balie 3", "Balie 3", list(services.values())).id,
    }
    ids = DemoIds(loc.id, users, services, counters)
    if passwords:
        people = [users[username] for username, _, role in STAFF if role not in (Role.KIOSK, Role.DISPLAY)]
        auth.install_passwords(backend, people, DEMO_PASSWORD, now)
    if history:
        _simulate_morning(backend, ids, now, rng)
    if hours:
        seed_hours(backend, ids, now)
    return ids


#: Loppersum: Monday to Friday 09:00-12:30 and 13:30-16:30, Thursday also 17:00-19:30.
DAYTIME = (("09:00", "12:30"), ("13:30", "16:30"))
EVENING = (("17:00", "19:30"),)
HOURS = {wd: DAYTIME + (EVENING if wd == 3 else ()) for wd in range(5)}


def seed_hours(backend: Backend, ids: DemoIds, now: dt.datetime) -> None:
    """Loppersum's opening hours: the Thursday evening is only for collecting documents
    (passport and driving licence, A and B); C and M keep daytime hours. Closed on the
    Friday after Ascension. The kiosk stops 10 minutes before closing."""
    from baliedesk.domain.calendar import friday_after_ascension

    admin, loc = ids.users["beheer"], ids.location_id
    schedules.set_opening_hours(backend, admin, loc, HOURS)
    for prefix in ("C", "M"):
        schedules.set_opening_hours(backend, admin, loc, {wd: DAYTIME for wd in range(5)},
                                    service_id=ids.services[prefix])
    today = now.date()
    for year in (today.year, today.year + 1):
        bridge = friday_after_ascension(year)
        if bridge is not None and bridge >= today:
            schedules.set_exception(backend, admin, loc, bridge, (), "Brugdag na Hemelvaart")
    schedules.set_calendar_options(backend, admin, loc, now, kiosk_stop_minutes=10)


#: The note on the exception that keeps the demo open when it starts outside opening hours.
DEMO_OPEN_NOTE = "demo: vandaag de hele dag open"


def open_today_if_closed(backend: Backend, now: dt.datetime) -> schedules.ExceptionInfo | None:
    """Keep the demo usable at any time of day (the demo's clock is the real one).

    When at ``now`` the kiosk issues no ticket for any service (the location is
    closed, or about to close), open the location all day today with a dated
    exception (00:00-24:00), through the ordinary schedule service. Returns the
    exception, or None when something is open (for example Thursday evening,
    when only A and B are) or the location has no opening hours at all.
    """
    if seed_state(backend) != "demo":
        return None  # never a real municipality's database
    location = setup.list_locations(backend)[0]
    admin = next((u for u in setup.sign_in_choices(backend, [Role.ADMIN]) if u.username == STAFF[0][0]), None)
    if admin is None:
        return None
    hours = schedules.todays_hours(backend, admin.id, location.id, now)
    if not hours.configured or any(s.kiosk_open for s in hours.services):
        return None
    return schedules.set_exception(backend, admin.id, location.id, hours.day, (("00:00", "24:00"),), DEMO_OPEN_NOTE)


def _simulate_morning(backend: Backend, ids: DemoIds, now: dt.datetime, rng: random.Random) -> None:
    """Visitors of the last hour and a half: served ones (history for the estimates) and waiting ones."""
    kiosk = ids.users["kiosk-ingang"]
    clerks = [(ids.users["jeroen"], ids.counters["Balie 1"]), (ids.users["sanne"], ids.counters["Balie 2"])]
    start = now - dt.timedelta(minutes=90)
    for user_id, counter_id in clerks:
        queue.sign_in(backend, user_id, counter_id, start)
    weights = {"A": 4, "B": 2, "C": 3, "M": 1}
    prefixes = [p for p, w in weights.items() for _ in range(w)]
    serving_until = now - dt.timedelta(minutes=10)  # after this the queue builds up
    next_arrival = start
    busy: dict[int, tuple[int, dt.datetime] | None] = {counter_id: None for _, counter_id in clerks}
    clock = start
    step = dt.timedelta(seconds=30)
    while clock < now - dt.timedelta(seconds=30):
        while next_arrival <= clock:
            queue.issue_ticket(backend, kiosk, ids.services[rng.choice(prefixes)], next_arrival)
            next_arrival += dt.timedelta(minutes=rng.uniform(1.5, 4.0))
        for user_id, counter_id in clerks:
            current = busy[counter_id]
            if current is not None and current[1] <= clock:
                queue.finish(backend, user_id, counter_id, current[0], clock, Outcome.HELPED)
                busy[counter_id] = current = None
            if current is None and clock < serving_until:
                called = queue.call_next(backend, user_id, counter_id, clock)
                if called is not None:
                    queue.start_serving(backend, user_id, counter_id, called.id, clock + dt.timedelta(seconds=40))
                    done = clock + dt.timedelta(minutes=rng.uniform(4.0, 10.0))
                    busy[counter_id] = (called.id, done)
        clock += step
    # The two colleagues are still at work: their counters stay open.
    for user_id, counter_id in clerks:
        queue.heartbeat(backend, user_id, counter_id, now)

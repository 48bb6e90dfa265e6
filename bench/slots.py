#!/usr/bin/env python3
"""A month of appointment slots for a big location: 10 services, 30 counters.

    python bench/slots.py [--database-url URL] [--days 31] [--repeat 30] [--json]

Builds a fresh database (a temporary SQLite file, or a dedicated schema in the
given PostgreSQL database, dropped afterwards) through the ordinary services:
a location with Loppersum-style hours (Monday to Friday 09:00-12:30 and
13:30-16:30, Thursday also 17:00-19:30, one service daytime only), a weekly
team meeting block, three counters out for lunch every weekday, an extra
closure day, 10 services taking appointments
(10 to 30 minutes each) and 30 counters serving three or four services each,
plus a few hundred booked appointments. Then it times
``services.appointments.location_slots`` for ``--days`` days (default a
month, 31 days), which reads everything it needs in one unit of work and
computes every slot with its capacity, places taken and free places
(counter-aware: the 30 counters share services, so every booking of the day is
matched against the counters, see ``baliedesk.domain.capacity``).

Printed: ``month_ms`` (median wall time of the repeats; the target is under
50 ms), ``min_ms``, ``p90_ms``, ``cpu_ms`` (median CPU time of this process,
less sensitive to a busy machine; on PostgreSQL the server's time is not in
it), ``compute_ms`` (the same slots and counter-aware free places computed from
an already loaded schedule and bookings, without the database), the number of slots, and the machine's load average
(a busy machine makes wall times noisy).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from baliedesk.domain.permissions import Role  # noqa: E402
from baliedesk.services import appointments, schedules, setup  # noqa: E402
from baliedesk.storage.database import Database  # noqa: E402

TARGET_MS = 50.0
AMS = ZoneInfo("Europe/Amsterdam")
SERVICES = 10
COUNTERS = 30


def _pg_schema(url: str) -> tuple[str, str, str]:
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(url).set(drivername="postgresql")
    schema = f"bench_slots_{uuid.uuid4().hex[:10]}"
    conninfo = base.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    query = dict(base.query)
    query["options"] = f"-csearch_path={schema}"
    return schema, conninfo, base.set(query=query).render_as_string(hide_password=False)


def build(db: Database, now: dt.datetime, start_day: dt.date, days: int) -> tuple[int, int]:
    """The big location; returns (location id, clerk id)."""
    admin = setup.bootstrap(db, "beheer", "Beheerder").id
    loc = setup.create_location(db, admin, "Gemeente Groot").id
    lead = setup.create_user(db, admin, "lead", "Team Lead", Role.TEAM_LEAD, location_ids=[loc]).id
    clerk = setup.create_user(db, admin, "clerk", "Clerk", Role.CLERK, location_ids=[loc]).id
    services = [setup.create_service(db, admin, loc, chr(ord("A") + i), f"Dienst {i + 1}", sort_order=i).id
                for i in range(SERVICES)]
    for c in range(COUNTERS):
        serves = [services[(c + k) % SERVICES] for k in range(3 + c % 2)]
        setup.create_counter(db, admin, loc, f"Balie {c + 1}", None, serves)
    daytime = (("09:00", "12:30"), ("13:30", "16:30"))
    schedules.set_opening_hours(db, lead, loc, {wd: daytime + ((("17:00", "19:30"),) if wd == 3 else ())
                                                for wd in range(5)})
    schedules.set_opening_hours(db, lead, loc, {wd: daytime for wd in range(5)}, service_id=services[-1])
    schedules.set_exception(db, lead, loc, start_day + dt.timedelta(days=10), (), "Heidag")
    schedules.set_calendar_options(db, lead, loc, now, appointments_enabled=True)
    appointments.add_block(db, lead, loc, "09:00", "10:00", weekday=1, note="Werkoverleg")
    counters = [c.counter_id for c in schedules.schedule_config(db, lead, loc).counters]
    for wd in range(5):  # three colleagues lunch before the midday closure: their counters are out
        for cid in counters[:3]:
            appointments.add_block(db, lead, loc, "12:00", "12:30", weekday=wd, counter_id=cid, note="Lunch")
    for i, sid in enumerate(services):
        appointments.configure_service(db, lead, sid, enabled=True, duration_minutes=10 + 5 * (i % 5),
                                       bring=["uw legitimatie"])
    # Some bookings spread over the month.
    booked = 0
    for sid in services:
        slots = appointments.available_slots(db, clerk, sid, now, start_day, min(days, 62))
        for s in slots[:: max(1, len(slots) // 30)][:30]:
            appointments.book(db, clerk, sid, s.start, now, name=f"Bezoeker {booked}", phone="0612345678")
            booked += 1
    return loc, clerk


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (a schema is made and dropped); "
                                                           "default a temporary SQLite file")
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    schema = conninfo = None
    tmp = None
    if args.database_url.startswith(("postgresql", "postgres")):
        schema, conninfo, url = _pg_schema(args.database_url)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="baliedesk-bench-slots-")
        url = args.database_url or f"sqlite:///{os.path.join(tmp.name, 'slots.sqlite3')}"
    db = Database(url)
    try:
        db.upgrade()
        now = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)  # Monday, 09:00 in Amsterdam
        start_day = dt.date(2026, 12, 1)
        loc, clerk = build(db, now, start_day, args.days)

        def once() -> tuple[float, float, int]:
            c0, t0 = time.process_time(), time.perf_counter()
            out = appointments.location_slots(db, clerk, loc, now, start_day, args.days)
            wall, cpu = (time.perf_counter() - t0) * 1000.0, (time.process_time() - c0) * 1000.0
            return wall, cpu, sum(len(v) for v in out.values())

        once()  # warm up: imports, statement cache, holiday data
        runs = [once() for _ in range(max(1, args.repeat))]
        times = sorted(t for t, _, _ in runs)
        cpu = statistics.median(c for _, c, _ in runs)
        slots = runs[0][2]

        # The computation alone, from a schedule already loaded.
        last_day = start_day + dt.timedelta(days=args.days - 1)
        with db.unit_of_work() as uow:
            location = uow.directory.location(loc)
            ctx = appointments._context(uow, location)
            ids = [s.id for s in uow.directory.services(loc)]
            intervals = uow.appointments.active_intervals(loc, start_day, last_day)
        compute = []
        for _ in range(max(1, args.repeat)):
            t0 = time.perf_counter()
            ctx.cache.clear()  # counter-aware places computed afresh, as in every location_slots call
            booked = appointments._booked_by_minute(ctx, intervals)
            loads = ctx.day_loads(intervals)
            for i in range(args.days):
                day = start_day + dt.timedelta(days=i)
                load = ctx.load_for(day, loads)
                for sid in ids:
                    appointments._slot_infos(ctx, sid, day, booked, None, None, load)
            compute.append((time.perf_counter() - t0) * 1000.0)

        result = {
            "backend": db.backend,
            "services": SERVICES,
            "counters": COUNTERS,
            "days": args.days,
            "slots": slots,
            "month_ms": round(statistics.median(times), 2),
            "min_ms": round(times[0], 2),
            "p90_ms": round(times[int(0.9 * (len(times) - 1))], 2),
            "cpu_ms": round(cpu, 2),
            "compute_ms": round(statistics.median(compute), 2),
            "load_average": round(os.getloadavg()[0], 2),
            "target_ms": TARGET_MS,
            "within_target": statistics.median(times) < TARGET_MS,
        }
    finally:
        db.dispose()
        if schema is not None:
            import psycopg

            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        if tmp is not None:
            tmp.cleanup()
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['slots']} slots for {SERVICES} services, {COUNTERS} counters, {args.days} days "
              f"({result['backend']}): {result['month_ms']} ms median (min {result['min_ms']}, "
              f"p90 {result['p90_ms']}, CPU {result['cpu_ms']}; computation alone {result['compute_ms']} ms); "
              f"target < {TARGET_MS} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

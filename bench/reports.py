#!/usr/bin/env python3
"""The service norms dashboard over a year of a large municipality.

    python bench/reports.py [--database-url URL] [--visits 500000] [--repeat 20] [--json]

Builds a fresh database (a temporary SQLite file, or a dedicated schema in the
given PostgreSQL database, dropped afterwards), seeds the demo municipality
with Loppersum's hours (Thursday evening), and bulk-loads one year (the 365
days before Thursday 19 November 2026) of:

* ``--visits`` counter visits on the working days (10% appointments, 3%
  no-shows, 1% cancelled, 0.5% with a forgotten "afronden"), each a ticket
  with its events (issue, call, finish / no-show / cancel);
* ``--visits / 10`` meldingen (handled), callback notes, contacts and
  ratings, and ``--visits / 250`` complaints.

Then it times, through the ordinary services:

* ``facts_build_s``: the first look, which replays every visit's events into
  ``visit_facts`` (once; later looks only add the new visits);
* ``tiles``: ``services.reports.norm_tiles`` for the year (and so the year before);
* ``heatmap``: ``services.reports.week_heatmap`` for the year;
* ``xlsx_export_s``: the year's dashboard tables (tiles, waits per service,
  per day, heat map) plus every rating and the visits behind the walk-in norm
  (up to 100,000 rows), read through the services and written to one XLSX file.

Targets: tiles_p95_ms and heatmap_p95_ms under 300, xlsx_export_s under 10. The ``*_cpu_*``
fields are this process's CPU time for the same calls: on SQLite that includes the database's
work and hardly moves with the machine's load (on PostgreSQL the server's share is not in it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _benchlib import backend_of, fresh_database, load_average, ms, percentile  # noqa: E402

from baliedesk.reports import export, tables  # noqa: E402
from baliedesk.services import demo  # noqa: E402
from baliedesk.services import reports as R  # noqa: E402
from baliedesk.storage.database import Database, deadlines_suspended  # noqa: E402

NOW = dt.datetime(2026, 11, 19, 8, 30, tzinfo=dt.UTC)
TZ = ZoneInfo("Europe/Amsterdam")
FIRST, LAST = dt.date(2025, 11, 19), dt.date(2026, 11, 18)
BATCH = 20_000


def _workdays() -> list[dt.date]:
    d, out = FIRST, []
    while d <= LAST:
        if d.weekday() < 5:
            out.append(d)
        d += dt.timedelta(days=1)
    return out


def _flush(conn, table, rows: list[dict]) -> None:
    from sqlalchemy import insert

    if rows:
        conn.execute(insert(table), rows)
        rows.clear()


def load(db: Database, ids: demo.DemoIds, visits: int, rng: random.Random) -> dict[str, int]:
    from baliedesk.storage.models import (
        Appointment,
        CallbackNote,
        Complaint,
        ContactRecord,
        Melding,
        MeldingCategory,
        Ticket,
        TicketEvent,
    )
    from baliedesk.storage.models_norms import KtoRating

    T, E, A = Ticket.__table__, TicketEvent.__table__, Appointment.__table__
    loc = ids.location_id
    services = list(ids.services.values())
    days = _workdays()
    per_day = visits // len(days)
    extra = visits - per_day * len(days)
    tid = eid = aid = 0
    tickets: list[dict] = []
    events: list[dict] = []
    appts: list[dict] = []
    with db.engine.begin() as conn:
        for i, day in enumerate(days):
            n = per_day + (1 if i < extra else 0)
            evening = day.weekday() == 3
            seq = {s: 0 for s in services}
            for _ in range(n):
                sid = rng.choice(services)
                seq[sid] += 1
                if evening and rng.random() < 0.15:
                    minute = rng.randint(17 * 60, 19 * 60 + 20)
                else:
                    minute = rng.randint(9 * 60, 16 * 60 + 20)
                arrive = dt.datetime.combine(day, dt.time(minute // 60, minute % 60, rng.randint(0, 59)), TZ) \
                    .astimezone(dt.UTC)
                tid += 1
                appointment = rng.random() < 0.10
                wait = dt.timedelta(seconds=int(rng.expovariate(1 / 420)))
                handling = dt.timedelta(seconds=int(rng.gammavariate(4, 120)) + 30)
                if rng.random() < 0.005:
                    handling += dt.timedelta(hours=3)
                r = rng.random()
                state = "cancelled" if r < 0.01 else "no_show" if r < 0.04 else "finished"
                call = arrive + wait
                end = call + handling if state == "finished" else call + dt.timedelta(minutes=4)
                tickets.append({"id": tid, "location_id": loc, "service_id": sid, "day": day, "seq": seq[sid],
                                "number": f"{sid}-{seq[sid]:03d}", "state": state, "priority_class": 0 if appointment else 2,
                                "arrived_ms": int(arrive.timestamp() * 1000), "queue_ms": int(arrive.timestamp() * 1000),
                                "issued_at": arrive, "called_at": None if state == "cancelled" else call,
                                "finished_at": end, "outcome": None, "source": "appointment" if appointment else "kiosk",
                                "recall_count": 0})
                evs = [("issue", None, "waiting", arrive)]
                if state == "cancelled":
                    evs.append(("cancel", "waiting", "cancelled", arrive + dt.timedelta(minutes=3)))
                else:
                    evs.append(("call", "waiting", "called", call))
                    evs.append(("finish", "serving", "finished", end) if state == "finished"
                               else ("no_show", "called", "no_show", end))
                for action, fr, to, at in evs:
                    eid += 1
                    events.append({"id": eid, "ticket_id": tid, "action": action, "from_state": fr, "to_state": to,
                                   "at": at, "counter_id": None, "user_id": None, "service_id": sid, "data": None})
                if appointment:
                    aid += 1
                    slot = arrive + dt.timedelta(minutes=rng.randint(-5, 15))
                    appts.append({"id": aid, "location_id": loc, "service_id": sid, "code": f"B{aid:07d}", "day": day,
                                  "slot_start": slot, "slot_end": slot + dt.timedelta(minutes=10),
                                  "state": "checked_in", "name": "Bezoeker", "created_at": arrive,
                                  "changed_at": arrive, "checked_in_at": arrive, "ticket_id": tid,
                                  "moved_count": 0})
                    if rng.random() < 0.05:
                        aid += 1
                        appts.append({**appts[-1], "id": aid, "code": f"B{aid:07d}", "state": "no_show",
                                      "ticket_id": None, "checked_in_at": None})
            if len(events) >= BATCH:
                _flush(conn, T, tickets)
                _flush(conn, E, events)
                _flush(conn, A, appts)
        _flush(conn, T, tickets)
        _flush(conn, E, events)
        _flush(conn, A, appts)

        others = visits // 10
        cat = conn.execute(MeldingCategory.__table__.insert().values(main="Afval", sub="Zwerfvuil",
                                                                     team="Buitendienst", term_days=5,
                                                                     active=True, sort_order=0)
                           .returning(MeldingCategory.__table__.c.id)).scalar_one()
        rows: list[dict] = []
        for i in range(others):
            day = rng.choice(days)
            took = rng.choice((0, 1, 2, 3, 4, 5, 6, 8, 12))
            closed = dt.datetime.combine(day + dt.timedelta(days=took), dt.time(14, 0), TZ).astimezone(dt.UTC)
            at = dt.datetime.combine(day, dt.time(10, 0), TZ).astimezone(dt.UTC)
            rows.append({"number": f"M-{i:07d}", "tracking_code": f"T{i:09d}", "location_id": loc,
                         "category_id": cat, "team": "Buitendienst", "term_days": 5, "state": "afgehandeld",
                         "channel": "balie", "urgency": "normaal", "description": "x", "received_on": day,
                         "due_date": day + dt.timedelta(days=7), "created_at": at, "changed_at": closed,
                         "closed_at": closed, "wants_feedback": False, "photo_count": 0})
            if len(rows) >= BATCH:
                _flush(conn, Melding.__table__, rows)
        _flush(conn, Melding.__table__, rows)
        for _ in range(others):
            day = rng.choice(days)
            at = dt.datetime.combine(day, dt.time(11, 0), TZ).astimezone(dt.UTC)
            done = None if rng.random() < 0.03 else at + dt.timedelta(hours=rng.choice((2, 20, 44, 70, 100)))
            rows.append({"location_id": loc, "caller_name": "X", "phone": "0600000000", "question": "?",
                         "for_team": "KCC", "due_date": day + dt.timedelta(days=2), "created_at": at,
                         "done_at": done})
            if len(rows) >= BATCH:
                _flush(conn, CallbackNote.__table__, rows)
        _flush(conn, CallbackNote.__table__, rows)
        for _ in range(others):
            day = rng.choice(days)
            at = dt.datetime.combine(day, dt.time(rng.randint(9, 16), 0), TZ).astimezone(dt.UTC)
            rows.append({"location_id": loc, "channel": "telefoon", "service_id": rng.choice(services),
                         "subject": "s", "result": "eerstelijn" if rng.random() < 0.8 else "doorgezet",
                         "created_at": at})
            if len(rows) >= BATCH:
                _flush(conn, ContactRecord.__table__, rows)
        _flush(conn, ContactRecord.__table__, rows)
        for _ in range(others):
            day = rng.choice(days)
            hour = rng.randint(9, 19 if day.weekday() == 3 else 16)
            rows.append({"location_id": loc, "service_id": rng.choice(services),
                         "rating": min(10, max(1, int(rng.gauss(7.8, 1.5)))),
                         "comment": "Sneller graag" if rng.random() < 0.1 else None, "day": day, "hour": hour,
                         "day_part": "avond" if hour >= 17 else "dag",
                         "created_at": dt.datetime.combine(day, dt.time(hour), TZ).astimezone(dt.UTC)})
            if len(rows) >= BATCH:
                _flush(conn, KtoRating.__table__, rows)
        _flush(conn, KtoRating.__table__, rows)
        for i in range(visits // 250):
            day = rng.choice(days)
            handled = dt.datetime.combine(day + dt.timedelta(days=rng.randint(10, 50)), dt.time(12), TZ) \
                .astimezone(dt.UTC)
            rows.append({"number": f"K-{i:06d}", "location_id": loc, "name": "X", "subject": "s",
                         "description": "d", "channel": "balie", "state": "afgehandeld", "received_on": day,
                         "due_date": day + dt.timedelta(weeks=6), "extended": False, "handled_at": handled,
                         "created_at": handled})
        _flush(conn, Complaint.__table__, rows)
        if db.backend == "postgresql":
            for table in ("tickets", "ticket_events", "appointments"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))")
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")
    return {"tickets": tid, "events": eid, "appointments": aid, "others_each": visits // 10}


CPU: dict[int, list[float]] = {}


def timed(fn, repeat: int) -> list[float]:
    """Wall times; the process CPU times go to CPU[id(result list)] (on SQLite that includes the
    database's own work, and it hardly moves with the machine's load)."""
    out, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        out.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    CPU[id(out)] = cpu
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--visits", type=int, default=500_000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rng = random.Random(20261119)
    with fresh_database(args.database_url, prefix="bench_reports") as url:
        db = Database(url)
        try:
            db.upgrade()
            ids = demo.seed(db, NOW, history=False, hours=True)
            t0 = time.perf_counter()
            with deadlines_suspended(db.engine):  # the bulk load is the bench's own set-up, not a user action
                counts = load(db, ids, args.visits, rng)
            load_s = time.perf_counter() - t0
            lead, loc = ids.users["fatima"], ids.location_id
            t0 = time.perf_counter()
            built = R.refresh_visit_facts(db, loc, NOW)
            facts_s = time.perf_counter() - t0  # under the product's own deadline: in batches
            with deadlines_suspended(db.engine), \
                    db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
            tiles = timed(lambda: R.norm_tiles(db, lead, loc, FIRST, LAST, NOW), args.repeat)
            heat = timed(lambda: R.week_heatmap(db, lead, loc, FIRST, LAST, NOW), args.repeat)
            evening = timed(lambda: R.norm_tiles(db, lead, loc, FIRST, LAST, NOW, day_part="avond"),
                            max(3, args.repeat // 4))
            waits = timed(lambda: R.wait_distribution(db, lead, loc, FIRST, LAST, NOW), max(3, args.repeat // 4))
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                all_tables = [tables.tiles_table(R.norm_tiles(db, lead, loc, FIRST, LAST, NOW)),
                              tables.waits_table(R.wait_distribution(db, lead, loc, FIRST, LAST, NOW)),
                              tables.daily_table(R.daily_trend(db, lead, loc, FIRST, LAST, NOW)),
                              tables.heatmap_table(R.week_heatmap(db, lead, loc, FIRST, LAST, NOW)),
                              R.visits_behind(db, lead, loc, "rating_good", FIRST, LAST, NOW, limit=100_000),
                              R.visits_behind(db, lead, loc, "walk_in_wait", FIRST, LAST, NOW, limit=100_000)]
                export.write_xlsx(all_tables, Path(tmp) / "jaar.xlsx")
                xlsx_s = time.perf_counter() - t0
                xlsx_rows = sum(len(t.rows) for t in all_tables)
            tile_values = {t.norm: round(t.realised, 1) if t.realised is not None else None
                           for t in R.norm_tiles(db, lead, loc, FIRST, LAST, NOW).tiles}
        finally:
            db.dispose()
    result = {
        "backend": backend_of(args.database_url), "visits": args.visits, **counts,
        "load_s": round(load_s, 1), "facts_built": built, "facts_build_s": round(facts_s, 1),
        "tiles_p50_ms": ms(percentile(tiles, 50)), "tiles_p95_ms": ms(percentile(tiles, 95)),
        "heatmap_p50_ms": ms(percentile(heat, 50)), "heatmap_p95_ms": ms(percentile(heat, 95)),
        "tiles_cpu_p50_ms": ms(percentile(CPU[id(tiles)], 50)), "tiles_cpu_p95_ms": ms(percentile(CPU[id(tiles)], 95)),
        "heatmap_cpu_p95_ms": ms(percentile(CPU[id(heat)], 95)),
        "evening_tiles_p95_ms": ms(percentile(evening, 95)), "waits_p95_ms": ms(percentile(waits, 95)),
        "xlsx_export_s": round(xlsx_s, 2), "xlsx_rows": xlsx_rows, "tiles": tile_values,
        "load_avg": load_average(),
    }
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

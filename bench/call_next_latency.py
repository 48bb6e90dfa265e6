#!/usr/bin/env python3
"""How long does "volgende" take, and does history slow it down?

    python bench/call_next_latency.py --database-url URL --history H --json [--workers K] [--calls N]

Builds a fresh database (temporary SQLite file, a new SQLite file, or a
dedicated PostgreSQL schema that is dropped afterwards) with ``H`` finished
tickets spread over past days (bulk loaded: ``COPY`` on PostgreSQL,
``executemany`` on SQLite, each with its issue/call/finish events) and a steady
waiting queue today. Then ``K`` worker processes (default 1), each signed in at
its own counter, time ``N`` calls each of the ``call_next`` service, in rounds:
all workers call at the same instant, then (untimed) finish the visitor and
issue one new ticket so the queue keeps its length.

The floor is the same claim as one hand-written SQL statement, ``UPDATE ...
WHERE id = (SELECT ... ORDER BY <rule> LIMIT 1 FOR UPDATE SKIP LOCKED) AND
state = 'waiting' RETURNING *``, committed, on the same pooled connection,
timed the same way. ``ratio`` is ``p50_ms / floor_p50_ms``.

``claim_plan`` is the database's plan for the product's own claim statement
(captured from a real call): ``plan_uses_waiting_index`` tells whether the
partial index on waiting tickets is used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _benchlib import (  # noqa: E402
    TIMEZONE,
    BenchClock,
    Seeded,
    backend_of,
    fresh_database,
    load_average,
    ms,
    percentile,
    seed_counters,
)

TICKETS_PER_DAY = 4000  # a busy municipal front office
TICKET_COLUMNS = ("id", "location_id", "service_id", "day", "seq", "number", "state", "priority_class",
                  "arrived_ms", "queue_ms", "issued_at", "counter_id", "target_counter_id", "recall_count",
                  "called_at", "finished_at", "outcome", "note", "source")
EVENT_COLUMNS = ("id", "ticket_id", "action", "from_state", "to_state", "at", "counter_id", "user_id",
                 "service_id", "data")


# ---------------------------------------------------------------------------
# history: bulk load
# ---------------------------------------------------------------------------
def _history_rows(history: int, seeded: Seeded, prefixes: dict[int, str], today: dt.date
                  ) -> Iterator[tuple[tuple, list[tuple], tuple[int, dt.date, int] | None]]:
    """Yield (ticket row, its three event rows, (service, day, last number) when a day closes)."""
    tz = ZoneInfo(TIMEZONE)
    days = max(1, -(-history // TICKETS_PER_DAY))
    per_day = -(-history // days)
    services = seeded.service_ids
    stations = seeded.workstations
    ticket_id = 0
    event_id = 0
    opening = dt.timedelta(hours=8.5)
    spacing = dt.timedelta(hours=8) / per_day
    for d in range(days, 0, -1):
        day = today - dt.timedelta(days=d)
        start = dt.datetime.combine(day, dt.time(0), tz) + opening
        seqs = dict.fromkeys(services, 0)
        for k in range(min(per_day, history - ticket_id)):
            ticket_id += 1
            service = services[k % len(services)]
            seqs[service] += 1
            seq = seqs[service]
            station = stations[k % len(stations)]
            issued = (start + spacing * k).astimezone(dt.UTC)
            called = issued + dt.timedelta(minutes=6)
            finished = called + dt.timedelta(minutes=9)
            arrived_ms = int(issued.timestamp() * 1000)
            ticket = (ticket_id, seeded.location_id, service, day, seq, f"{prefixes[service]}{seq:03d}", "finished",
                      2, arrived_ms, arrived_ms, issued, station.counter_id, None, 0, called, finished, "helped",
                      None, "kiosk")
            events = []
            for action, old, new, at, counter, user in (
                ("issue", None, "waiting", issued, None, seeded.kiosk_user_id),
                ("call", "waiting", "called", called, station.counter_id, station.user_id),
                ("finish", "called", "finished", finished, station.counter_id, station.user_id),
            ):
                event_id += 1
                events.append((event_id, ticket_id, action, old, new, at, counter, user, service, None))
            yield ticket, events, None
        for service, last in seqs.items():
            if last:
                yield (), [], (service, day, last)


def load_history(db: Any, history: int, seeded: Seeded, today: dt.date) -> float:
    """Bulk-insert ``history`` finished tickets (and events); returns seconds taken."""
    from sqlalchemy import text

    started = time.perf_counter()
    with db.engine.connect() as conn:
        prefixes = dict(conn.execute(text("SELECT id, prefix FROM services")).all())
    if history <= 0:
        return 0.0
    rows = _history_rows(history, seeded, prefixes, today)
    if db.backend == "postgresql":
        _load_postgresql(db, rows, seeded)
    else:
        _load_sqlite(db, rows, seeded)
    return time.perf_counter() - started


def _load_postgresql(db: Any, rows: Iterator, seeded: Seeded) -> None:
    events: list[tuple] = []
    sequences: list[tuple] = []
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cur:
            # The rows are consistent by construction: skip the per-row foreign-key
            # triggers while loading (needs a superuser; without, they just run).
            try:
                cur.execute("SAVEPOINT fk_off")
                cur.execute("SET LOCAL session_replication_role = replica")
                cur.execute("RELEASE SAVEPOINT fk_off")
            except Exception:  # noqa: BLE001
                cur.execute("ROLLBACK TO SAVEPOINT fk_off")
            with cur.copy(f"COPY tickets ({', '.join(TICKET_COLUMNS)}) FROM STDIN") as copy:
                for ticket, evs, seq in rows:
                    if ticket:
                        copy.write_row(ticket)
                        events.extend(evs)
                    if seq:
                        sequences.append((seeded.location_id, *seq))
                    if len(events) >= 300_000:  # events go in after their tickets, in slices
                        break
            while True:
                with cur.copy(f"COPY ticket_events ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
                    for e in events:
                        copy.write_row(e)
                events.clear()
                with cur.copy(f"COPY tickets ({', '.join(TICKET_COLUMNS)}) FROM STDIN") as copy:
                    for ticket, evs, seq in rows:
                        if ticket:
                            copy.write_row(ticket)
                            events.extend(evs)
                        if seq:
                            sequences.append((seeded.location_id, *seq))
                        if len(events) >= 300_000:
                            break
                if not events:
                    break
            cur.executemany(
                "INSERT INTO ticket_sequences (location_id, service_id, day, last_number) VALUES (%s, %s, %s, %s)",
                sequences,
            )
            for table in ("tickets", "ticket_events"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        raw.commit()
        # What autovacuum would have done long since on a real database.
        raw.autocommit = True
        try:
            with raw.cursor() as cur:
                cur.execute("VACUUM ANALYZE tickets")
                cur.execute("VACUUM ANALYZE ticket_events")
        finally:
            raw.autocommit = False


def _sqlite_time(value: dt.datetime | None) -> str | None:
    # As SQLAlchemy stores our UTCDateTime on SQLite: naive UTC text.
    return None if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _load_sqlite(db: Any, rows: Iterator, seeded: Seeded) -> None:
    tickets_sql = f"INSERT INTO tickets ({', '.join(TICKET_COLUMNS)}) VALUES ({', '.join('?' * len(TICKET_COLUMNS))})"
    events_sql = f"INSERT INTO ticket_events ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join('?' * len(EVENT_COLUMNS))})"
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        cur = raw.cursor()
        cur.execute("BEGIN IMMEDIATE")
        tickets: list[tuple] = []
        events: list[tuple] = []
        sequences: list[tuple] = []

        def flush() -> None:
            cur.executemany(tickets_sql, tickets)
            cur.executemany(events_sql, events)
            tickets.clear()
            events.clear()

        for ticket, evs, seq in rows:
            if ticket:
                t = list(ticket)
                t[3] = t[3].isoformat()
                t[10], t[14], t[15] = _sqlite_time(t[10]), _sqlite_time(t[14]), _sqlite_time(t[15])
                tickets.append(tuple(t))
                events.extend((*e[:5], _sqlite_time(e[5]), *e[6:]) for e in evs)
                if len(tickets) >= 50_000:
                    flush()
            if seq:
                sequences.append((seeded.location_id, seq[0], seq[1].isoformat(), seq[2]))
        flush()
        cur.executemany("INSERT INTO ticket_sequences (location_id, service_id, day, last_number) VALUES (?, ?, ?, ?)",
                        sequences)
        cur.execute("COMMIT")
        cur.execute("ANALYZE")
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cur.close()


# ---------------------------------------------------------------------------
# the floor and the plan
# ---------------------------------------------------------------------------
def floor_sql(backend: str, service_ids: tuple[int, ...]) -> str:
    """The claim as one hand-written statement (the ``longest_wait`` rule)."""
    p = (lambda name: f"%({name})s") if backend == "postgresql" else (lambda name: f":{name}")
    ids = ", ".join(str(int(i)) for i in service_ids)
    lock = " FOR UPDATE SKIP LOCKED" if backend == "postgresql" else ""
    not_yet = f"priority_class = 0 AND queue_ms > {p('now_ms')}"
    return (
        f"UPDATE tickets SET state = 'called', counter_id = {p('counter_id')}, target_counter_id = NULL, "
        f"called_at = {p('now')}, recall_count = 0 "
        f"WHERE id = (SELECT id FROM tickets WHERE location_id = {p('location_id')} AND day = {p('day')} "
        f"AND state = 'waiting' AND (target_counter_id = {p('counter_id')} "
        f"OR (target_counter_id IS NULL AND service_id IN ({ids}))) "
        f"ORDER BY CASE WHEN {not_yet} THEN 2 ELSE priority_class END, "
        f"CASE WHEN {not_yet} THEN arrived_ms ELSE queue_ms END, id LIMIT 1{lock}) "
        f"AND state = 'waiting' RETURNING *"
    )


def claim_plan(db: Any, seeded: Seeded, clock: BenchClock) -> list[str]:
    """The plan of the product's claim statement, captured from one real call_next."""
    from sqlalchemy import event

    from baliedesk.domain.tickets import Outcome
    from baliedesk.services import queue
    from baliedesk.storage import repositories

    captured: list[tuple[str, Any]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if "UPDATE tickets" in statement and "SKIP LOCKED" in statement or (
                statement.lstrip().startswith("UPDATE tickets") and "LIMIT" in statement):
            captured.append((statement, parameters))

    me = seeded.workstations[0]
    queue.sign_in(db, me.user_id, me.counter_id, clock.now(), seeded.service_ids)
    # The claim runs through SQLAlchemy (SQLite) or straight on the driver (PostgreSQL).
    event.listen(db.engine, "before_cursor_execute", capture)
    repositories.driver_trace = lambda statement, parameters: capture(None, None, statement, parameters, None, False)
    try:
        info = queue.call_next(db, me.user_id, me.counter_id, clock.now())
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
        repositories.driver_trace = None
    if info is not None:
        queue.finish(db, me.user_id, me.counter_id, info.id, clock.now(), Outcome.HELPED)
    if not captured:
        return ["(claim statement not captured)"]
    statement, parameters = captured[-1]
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        cur = raw.cursor()
        if db.backend == "postgresql":
            cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters)
            lines = [r[0] for r in cur.fetchall()]
            raw.rollback()  # EXPLAIN ANALYZE really ran the UPDATE
        else:
            cur.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            lines = [str(r[-1]) for r in cur.fetchall()]
        cur.close()
    return lines


# ---------------------------------------------------------------------------
def run(url: str | None, history: int, *, workers: int = 1, calls: int = 300, queue_length: int | None = None,
        deadline_s: float = 600.0) -> dict[str, Any]:
    from baliedesk.services import queue
    from baliedesk.storage.database import Database

    from _workers import latency_worker

    backend = backend_of(url)
    queue_length = queue_length or max(30, 4 * workers)
    with fresh_database(url, prefix="latency") as db_url:
        db = Database(db_url)
        try:
            db.upgrade()
            clock = BenchClock.start()
            seeded = seed_counters(db, workers, clock.now())
            load_s = load_history(db, history, seeded, clock.day)
            for i in range(queue_length):
                queue.issue_ticket(db, seeded.kiosk_user_id, seeded.service_ids[i % len(seeded.service_ids)],
                                   clock.now())
            sql = floor_sql(backend, seeded.service_ids)

            ctx = mp.get_context("spawn")
            barrier = ctx.Barrier(workers)
            results = ctx.Queue()
            procs = [ctx.Process(target=latency_worker, name=f"latency-{i}",
                                 args=(db_url, i, seeded, clock, barrier, calls, sql, results, deadline_s))
                     for i in range(workers)]
            for p in procs:
                p.start()
            outs = []
            while len(outs) < workers:
                try:
                    outs.append(results.get(timeout=deadline_s + 60))
                except Exception:
                    break
            for p in procs:
                p.join(timeout=30)
                if p.is_alive():
                    p.terminate()
            plan = claim_plan(db, seeded, clock)
        finally:
            db.dispose()

    service_s = [s for o in outs for s in o["service_s"]]
    floor_s = [s for o in outs for s in o["floor_s"]]
    p50, floor_p50 = percentile(service_s, 50), percentile(floor_s, 50)

    def cpu_p50(field: str) -> float | None:
        return percentile([s for o in outs for s in o[field]], 50)

    cpu, floor_cpu = cpu_p50("service_cpu_s"), cpu_p50("floor_cpu_s")
    known = bool(outs) and all(o.get("server_cpu_known") for o in outs)
    server_cpu = cpu_p50("service_server_cpu_s") if known else None
    floor_server_cpu = cpu_p50("floor_server_cpu_s") if known else None
    cores = os.cpu_count() or 1

    def round_cpu(client: float | None, server: float | None) -> float | None:
        # All workers call at once: the last answer of a round cannot come
        # before the round's CPU work (clients and server) is done on these
        # cores, nor before one call's own client and server work, which take
        # turns.
        if client is None or server is None:
            return None
        return max(workers * (client + server) / cores, client + server)
    return {
        "bench": "call_next_latency",
        "backend": backend,
        "history": history,
        "workers": workers,
        "calls": len(service_s),
        "queue_length": queue_length,
        "p50_ms": ms(p50),
        "p95_ms": ms(percentile(service_s, 95)),
        "p99_ms": ms(percentile(service_s, 99)),
        "floor_p50_ms": ms(floor_p50),
        "floor_p95_ms": ms(percentile(floor_s, 95)),
        "ratio": round(p50 / floor_p50, 2) if p50 and floor_p50 else None,
        # CPU time of the calling process per call (this process only, not the server's).
        "cpu_p50_ms": ms(cpu),
        "floor_cpu_p50_ms": ms(floor_cpu),
        # CPU time of the database server's process per call (PostgreSQL on this machine only).
        "server_cpu_p50_ms": ms(server_cpu),
        "floor_server_cpu_p50_ms": ms(floor_server_cpu),
        "cores": cores,
        "round_cpu_ms": ms(round_cpu(cpu, server_cpu)),
        "floor_round_cpu_ms": ms(round_cpu(floor_cpu, floor_server_cpu)),
        "empty_calls": sum(o["empty"] for o in outs),
        "errors": sum(o["errors"] for o in outs) + (workers - len(outs)),
        "error_samples": [e for o in outs for e in o["error_samples"]][:3],
        "history_load_s": round(load_s, 1),
        "load_avg": load_average(),
        "plan_uses_waiting_index": any("ix_tickets_waiting" in line for line in plan),
        "claim_plan": plan,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None,
                        help="sqlite:///NEW-FILE or postgresql://user@host/db (a fresh schema is used and dropped); "
                             "default: a temporary SQLite file")
    parser.add_argument("--history", type=int, default=1000, help="finished tickets on past days")
    parser.add_argument("--workers", type=int, default=1, help="worker processes calling at the same time")
    parser.add_argument("--calls", type=int, default=300, help="timed calls per worker (and as many floor claims)")
    parser.add_argument("--queue-length", type=int, default=None, help="waiting tickets kept in the queue")
    parser.add_argument("--json", action="store_true", help="print one JSON object (the default output too)")
    args = parser.parse_args(argv)
    result = run(args.database_url, args.history, workers=args.workers, calls=args.calls,
                 queue_length=args.queue_length)
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

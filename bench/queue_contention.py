#!/usr/bin/env python3
"""Many counters and kiosks at once: is any visitor called twice, or lost?

    python bench/queue_contention.py --database-url URL --workers N --tickets M --json

Sets up a fresh database (a temporary SQLite file, the given new SQLite file,
or a dedicated schema in the given PostgreSQL database, dropped afterwards),
migrates it, seeds the demo municipality and one clerk and counter per worker.
Then N worker *processes* (spawned) each sign in at their own counter and,
all at once, issue their share of the M tickets through the kiosk service and
call and finish tickets through the counter services until all M are served.

Afterwards the database itself is checked:

* ``duplicates``: tickets with more than one CALL event, ticket numbers issued
  twice for one service and day, and tickets that two workers both received;
* ``lost``: tickets issued but never finished (and tickets that were asked for
  but never issued);
* ``missing_events``: finished tickets without their CALL (by the counter that
  served them) or FINISH event; ``double_finished``: tickets finished twice.

``p50_ms``/``p95_ms``/``p99_ms`` are the latencies of the ``call_next`` service
calls that claimed a ticket (calls that found the queue empty are counted in
``empty_calls``); ``claims_per_s`` is claims per second of the whole run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _benchlib import (  # noqa: E402
    BenchClock,
    backend_of,
    fresh_database,
    load_average,
    ms,
    percentile,
    seed_counters,
)


def _verify(db: Any, location_id: int) -> dict[str, int]:
    from sqlalchemy import text

    with db.engine.connect() as conn:
        def scalar(sql: str) -> int:
            return int(conn.execute(text(sql), {"loc": location_id}).scalar_one() or 0)

        return {
            "issued": scalar("SELECT count(*) FROM tickets WHERE location_id = :loc"),
            "served": scalar("SELECT count(*) FROM tickets WHERE location_id = :loc AND state = 'finished'"),
            "not_finished": scalar("SELECT count(*) FROM tickets WHERE location_id = :loc AND state <> 'finished'"),
            "multi_called": scalar(
                "SELECT count(*) FROM (SELECT e.ticket_id FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id "
                "WHERE t.location_id = :loc AND e.action = 'call' GROUP BY e.ticket_id HAVING count(*) > 1) x"
            ),
            "multi_finished": scalar(
                "SELECT count(*) FROM (SELECT e.ticket_id FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id "
                "WHERE t.location_id = :loc AND e.action = 'finish' GROUP BY e.ticket_id HAVING count(*) > 1) x"
            ),
            "without_call_event": scalar(
                "SELECT count(*) FROM tickets t WHERE t.location_id = :loc AND t.state = 'finished' AND NOT EXISTS "
                "(SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.action = 'call' "
                "AND e.counter_id = t.counter_id)"
            ),
            "without_finish_event": scalar(
                "SELECT count(*) FROM tickets t WHERE t.location_id = :loc AND t.state = 'finished' AND NOT EXISTS "
                "(SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.action = 'finish')"
            ),
            "duplicate_numbers": scalar(
                "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM tickets WHERE location_id = :loc "
                "GROUP BY day, number HAVING count(*) > 1) x"
            ),
            "duplicate_seqs": scalar(
                "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM tickets WHERE location_id = :loc "
                "GROUP BY service_id, day, seq HAVING count(*) > 1) x"
            ),
        }


def run(url: str | None, workers: int, tickets: int, *, deadline_s: float = 600.0) -> dict[str, Any]:
    """Run the contention benchmark; returns the result object (see the module doc)."""
    if workers < 1 or tickets < 1:
        raise ValueError("workers and tickets must be at least 1")
    from baliedesk.storage.database import Database

    from _workers import contention_worker

    with fresh_database(url, prefix="contention") as db_url:
        db = Database(db_url)
        try:
            db.upgrade()
            clock = BenchClock.start()
            seeded = seed_counters(db, workers, clock.now())

            ctx = mp.get_context("spawn")
            barrier = ctx.Barrier(workers + 1)
            served = ctx.Value("i", 0)
            results = ctx.Queue()
            procs = [
                ctx.Process(target=contention_worker, name=f"contention-{i}",
                            args=(db_url, i, workers, tickets, seeded, clock, barrier, served, results, deadline_s))
                for i in range(workers)
            ]
            for p in procs:
                p.start()
            outs: list[dict[str, Any]] = []
            try:
                barrier.wait(timeout=deadline_s)  # all signed in: go
                started = time.perf_counter()
            except Exception:  # a worker failed before the start; collect what it said
                started = time.perf_counter()
            while len(outs) < workers:
                try:
                    outs.append(results.get(timeout=deadline_s + 60))
                except Exception:
                    break
            elapsed = time.perf_counter() - started
            for p in procs:
                p.join(timeout=30)
                if p.is_alive():
                    p.terminate()

            check = _verify(db, seeded.location_id)
        finally:
            db.dispose()

    claimed = [tid for o in outs for tid in o["claimed"]]
    claim_s = [s for o in outs for s in o["claim_s"]]
    duplicates = (check["multi_called"] + check["duplicate_numbers"] + check["duplicate_seqs"]
                  + (len(claimed) - len(set(claimed))))
    lost = check["not_finished"] + max(0, tickets - check["issued"])
    errors = sum(o["errors"] for o in outs) + (workers - len(outs))
    return {
        "bench": "queue_contention",
        "backend": backend_of(url),
        "workers": workers,
        "tickets": tickets,
        "issued": check["issued"],
        "served": check["served"],
        "duplicates": duplicates,
        "lost": lost,
        "double_finished": check["multi_finished"],
        "missing_events": check["without_call_event"] + check["without_finish_event"],
        "errors": errors,
        "error_samples": [e for o in outs for e in o["error_samples"]][:5],
        "timed_out": any(o["timed_out"] for o in outs) or len(outs) < workers,
        "claims": len(claim_s),
        "empty_calls": sum(len(o["empty_s"]) for o in outs),
        "elapsed_s": round(elapsed, 3),
        "claims_per_s": round(len(claim_s) / elapsed, 1) if elapsed > 0 else None,
        "p50_ms": ms(percentile(claim_s, 50)),
        "p95_ms": ms(percentile(claim_s, 95)),
        "p99_ms": ms(percentile(claim_s, 99)),
        "max_ms": ms(max(claim_s) if claim_s else None),
        "load_avg": load_average(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None,
                        help="sqlite:///NEW-FILE or postgresql://user@host/db (a fresh schema is used and dropped); "
                             "default: a temporary SQLite file")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--tickets", type=int, default=400)
    parser.add_argument("--deadline", type=float, default=600.0, help="give up after this many seconds")
    parser.add_argument("--json", action="store_true", help="print one JSON object (the default output too)")
    args = parser.parse_args(argv)
    result = run(args.database_url, args.workers, args.tickets, deadline_s=args.deadline)
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    ok = (result["duplicates"] == 0 and result["lost"] == 0 and result["served"] == result["tickets"]
          and result["missing_events"] == 0 and result["double_finished"] == 0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

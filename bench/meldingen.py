#!/usr/bin/env python3
"""Work list and duplicate look-up over many meldingen.

    python bench/meldingen.py [--database-url URL] [--rows 200000] [--repeat 100] [--json]

Builds a fresh database (a temporary SQLite file, or a dedicated schema in the
given PostgreSQL database, selected with ``options=-csearch_path=<schema>`` and
dropped afterwards), seeds the demo municipality, installs the shipped
categories through the service, and bulk-loads ``--rows`` meldingen spread
over two years (about 12% still open, a quarter of those overdue; 400
streets, 100 postcode areas). Then it times, through the ordinary services:

* ``work_list``: ``services.meldingen.work_list(overdue=True, team=...)``, the
  overdue meldingen of one team (a different team each call), one page (100
  rows) with their working days left;
* ``duplicates``: ``services.meldingen.possible_duplicates`` for a random
  category, street and postcode, as at intake.

Printed: p50/p95/max wall time in ms of each (target: p95 under 50 ms), the
median CPU time of this process (``cpu_p50_ms``: less sensitive to a busy
machine), the rows found, the load time and the machine's load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _benchlib import backend_of, fresh_database, load_average, ms, percentile  # noqa: E402

from baliedesk.domain import meldingen as rules  # noqa: E402
from baliedesk.services import demo, meldingen  # noqa: E402
from baliedesk.storage.database import Database  # noqa: E402

TARGET_MS = 50.0
NOW = dt.datetime(2026, 11, 19, 9, 30, tzinfo=dt.UTC)
OPEN_SHARE = 0.12
STREETS = [f"{a}{b}" for a in ("Kerk", "Molen", "Dorps", "Stations", "School", "Hoofd", "Zuider", "Noorder",
                               "Wester", "Ooster", "Lange", "Korte", "Nieuwe", "Oude", "Brink", "Vaart", "Dijk",
                               "Tuin", "Bos", "Veld")
           for b in ("straat", "weg", "laan", "pad", "plein", "singel", "kade", "hof", "dreef", "steeg",
                     "wal", "dijk", "akker", "erf", "gracht", "hoek", "kamp", "marke", "stede", "zijl")]
STATES_OPEN = ["gemeld", "in_behandeling", "doorgezet", "heropend"]


def bulk_load(db: Database, location_id: int, user_id: int, categories, rows: int, rng: random.Random) -> float:
    """Insert ``rows`` meldingen with core executemany in batches; returns seconds."""
    from sqlalchemy import insert, text

    from baliedesk.storage.models import Melding, RecordSequence

    started = time.perf_counter()
    span_days = 730
    batch: list[dict] = []
    codes: set[str] = set()
    with db.engine.begin() as conn:
        for i in range(1, rows + 1):
            c = rng.choice(categories)
            age = rng.random() ** 1.5 * span_days  # more recent ones are more frequent
            created = NOW - dt.timedelta(days=age, minutes=rng.randrange(600))
            received = created.date()
            is_open = rng.random() < OPEN_SHARE * (2.0 if age < 60 else 0.6)
            # Open ones: most recent, a quarter overdue.
            if is_open and rng.random() < 0.75:
                created = NOW - dt.timedelta(days=rng.random() * c.term_days * 1.3)
                received = created.date()
            due = received + dt.timedelta(days=c.term_days * 7 // 5)
            street = rng.choice(STREETS)
            area = 9900 + rng.randrange(100)
            code = rules.new_tracking_code(rng.randrange)
            while code in codes:
                code = rules.new_tracking_code(rng.randrange)
            codes.add(code)
            state = rng.choice(STATES_OPEN) if is_open else ("afgehandeld" if rng.random() < 0.95 else "geannuleerd")
            batch.append(dict(
                number=f"M-{received.year}-{i:06d}", tracking_code=code, location_id=location_id,
                category_id=c.id, team=c.team, term_days=c.term_days, state=state,
                channel=rng.choice([ch.value for ch in rules.Channel]), urgency="normaal",
                description=f"Melding {i} over {c.sub.lower()} bij {street}", street=street,
                street_key=rules.street_key(street), house_number=rng.randrange(1, 200), house_addition=None,
                postcode=f"{area} {rng.choice('ABCDEFGHJK')}{rng.choice('ABCDEFGHJK')}", postcode_area=str(area),
                place="Loppersum", location_text=None, latitude=None, longitude=None, reporter_name=None,
                reporter_phone=None, reporter_email=None, wants_feedback=False, received_on=received, due_date=due,
                created_at=created, created_by=user_id, changed_at=created,
                closed_at=None if is_open else created + dt.timedelta(days=3), linked_to_id=None, photo_count=0))
            if len(batch) >= 5000:
                conn.execute(insert(Melding), batch)
                batch.clear()
        if batch:
            conn.execute(insert(Melding), batch)
        conn.execute(insert(RecordSequence), [{"kind": "M", "year": NOW.year, "last_number": rows}])
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return time.perf_counter() - started


def timed(fn, repeat: int) -> tuple[list[float], list[float]]:
    """Wall times and this process's CPU times (less sensitive to a busy machine; the server's part not in it)."""
    fn()  # warm-up (caches, prepared statements)
    times, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return times, cpu


def summary(times: list[float], cpu: list[float]) -> dict:
    return {"p50_ms": ms(statistics.median(times)), "p95_ms": ms(percentile(times, 95)), "max_ms": ms(max(times)),
            "cpu_p50_ms": ms(statistics.median(cpu)), "runs": len(times)}


def run(url: str | None, rows: int, repeat: int, seed: int) -> dict:
    rng = random.Random(seed)
    with fresh_database(url, prefix="bench_meldingen") as db_url:
        db = Database(db_url)
        try:
            db.upgrade()
            ids = demo.seed(db, NOW, history=False)
            clerk = ids.users["anne"]
            cats = meldingen.list_categories(db, clerk)
            load_s = bulk_load(db, ids.location_id, clerk, cats, rows, rng)
            teams = sorted({c.team for c in cats})

            team_cycle = iter(lambda: teams[rng.randrange(len(teams))], None)

            def work() -> int:
                return len(meldingen.work_list(db, clerk, ids.location_id, NOW, overdue=True,
                                               team=next(team_cycle)).rows)

            def dup() -> int:
                c = rng.choice(cats)
                return len(meldingen.possible_duplicates(
                    db, clerk, NOW, category_id=c.id, street=rng.choice(STREETS),
                    postcode=f"{9900 + rng.randrange(100)} AB"))

            work_times, work_cpu = timed(work, repeat)
            found_work = [work() for _ in range(5)]
            dup_times, dup_cpu = timed(dup, repeat)
            found_dup = [dup() for _ in range(20)]
            with db.engine.connect() as conn:
                from sqlalchemy import text

                count = conn.execute(text("SELECT count(*) FROM meldingen")).scalar()
                open_count = conn.execute(text(
                    "SELECT count(*) FROM meldingen WHERE state IN "
                    "('doorgezet', 'gemeld', 'heropend', 'in_behandeling')")).scalar()
            work_s, dup_s = summary(work_times, work_cpu), summary(dup_times, dup_cpu)
            return {
                "bench": "meldingen", "backend": backend_of(url), "rows": count, "open": open_count,
                "load_s": round(load_s, 1),
                "work_list_overdue_team": {**work_s, "rows_shown_sample": found_work},
                "duplicates": {**dup_s, "candidates_sample": found_dup},
                "target_p95_ms": TARGET_MS,
                "met": work_s["p95_ms"] <= TARGET_MS and dup_s["p95_ms"] <= TARGET_MS,
                "load_average": load_average(),
            }
        finally:
            db.dispose()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=None, help="PostgreSQL URL (a schema of its own is made and dropped), "
                   "or a new SQLite file; default: a temporary SQLite file")
    p.add_argument("--rows", type=int, default=200_000)
    p.add_argument("--repeat", type=int, default=100)
    p.add_argument("--seed", type=int, default=5)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)
    result = run(args.database_url, args.rows, args.repeat, args.seed)
    if args.json:
        print(json.dumps(result))
    else:
        for key in ("work_list_overdue_team", "duplicates"):
            r = result[key]
            print(f"{key:24s} p50 {r['p50_ms']:7.2f} ms  p95 {r['p95_ms']:7.2f} ms  max {r['max_ms']:7.2f} ms")
        print(f"{result['backend']}: {result['rows']} meldingen ({result['open']} open), loaded in "
              f"{result['load_s']} s; target p95 <= {TARGET_MS} ms: {'met' if result['met'] else 'NOT met'}")
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())

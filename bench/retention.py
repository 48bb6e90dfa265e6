#!/usr/bin/env python3
"""Retention over many meldingen, and what auditing costs a melding's detail read.

    python bench/retention.py [--database-url URL] [--rows 200000] [--repeat 200] [--json]

Builds a fresh database (a temporary SQLite file, or a schema of its own in the
given PostgreSQL database, dropped afterwards), seeds the demo municipality and
bulk-loads ``--rows`` meldingen with a reporter (name, phone, e-mail), half of
them due for retention: closed more than 12 months ago (of those some
cancelled over a year ago and some handled over five years ago: destroyed), the
other half open or closed recently. One in ten descriptions holds a phone
number or an e-mail address (scrubbed on anonymising).

Then it times:

* ``retention``: one ``services.retention.run_retention`` (target: 60 s), with
  the counts per kind;
* ``detail``: ``services.meldingen.melding_detail`` (with its audit entry, in
  the same transaction) against the same read without auditing (a read-only
  unit of work, no entry): p50 of each and ``ratio`` = audited / plain
  (target <= 1.2).
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
from _benchlib import backend_of, fresh_database, load_average, ms  # noqa: E402

from baliedesk.domain import meldingen as rules  # noqa: E402
from baliedesk.domain.permissions import Permission  # noqa: E402
from baliedesk.services import demo, meldingen, retention  # noqa: E402
from baliedesk.services.common import acting_user, get_or_404, require_location  # noqa: E402
from baliedesk.storage.database import Database  # noqa: E402

TARGET_S = 60.0
TARGET_RATIO = 1.2
NOW = dt.datetime(2026, 11, 19, 9, 30, tzinfo=dt.UTC)


def bulk_load(db: Database, location_id: int, user_id: int, categories, rows: int, rng: random.Random) -> float:
    from sqlalchemy import insert, text

    from baliedesk.storage.models import Melding, RecordSequence

    started = time.perf_counter()
    batch: list[dict] = []
    with db.engine.begin() as conn:
        for i in range(1, rows + 1):
            c = rng.choice(categories)
            due_for_retention = i % 2 == 0
            if due_for_retention:
                roll = rng.random()
                if roll < 0.05:
                    state, closed_days = "afgehandeld", rng.randrange(5 * 366 + 5, 7 * 365)  # destroyed
                elif roll < 0.15:
                    state, closed_days = "geannuleerd", rng.randrange(370, 4 * 365)  # destroyed
                else:
                    state, closed_days = "afgehandeld", rng.randrange(370, 5 * 365)  # reporter anonymised
            else:
                if rng.random() < 0.3:
                    state, closed_days = rng.choice(["gemeld", "in_behandeling", "doorgezet"]), None
                else:
                    state, closed_days = "afgehandeld", rng.randrange(1, 360)
            age = (closed_days or rng.randrange(0, 60)) + rng.randrange(1, 30)
            created = NOW - dt.timedelta(days=age, minutes=rng.randrange(600))
            closed = None if closed_days is None else NOW - dt.timedelta(days=closed_days)
            extra = ""
            if i % 10 == 0:
                extra = f" Bel 06-{rng.randrange(10**7, 10**8)} of mail m{i}@example.nl."
            street = f"Straat{rng.randrange(400)}"
            batch.append(dict(
                number=f"M-{created.year}-{i:06d}", tracking_code=f"T{i:09d}"[:12], location_id=location_id,
                category_id=c.id, team=c.team, term_days=c.term_days, state=state, channel="balie",
                urgency="normaal", description=f"Melding {i} over {c.sub.lower()} bij {street}.{extra}",
                street=street, street_key=rules.street_key(street), house_number=rng.randrange(1, 200),
                house_addition=None, postcode=f"99{rng.randrange(10, 99)} AB", postcode_area="9900",
                place="Loppersum", location_text=None, latitude=None, longitude=None,
                reporter_name=f"Melder {i}", reporter_phone=f"06{rng.randrange(10**7, 10**8)}",
                reporter_email=f"melder{i}@example.nl", wants_feedback=True, received_on=created.date(),
                due_date=created.date() + dt.timedelta(days=c.term_days), created_at=created, created_by=user_id,
                changed_at=closed or created, closed_at=closed, linked_to_id=None, photo_count=0))
            if len(batch) >= 5000:
                conn.execute(insert(Melding), batch)
                batch.clear()
        if batch:
            conn.execute(insert(Melding), batch)
        conn.execute(insert(RecordSequence), [{"kind": "M", "year": NOW.year, "last_number": rows}])
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return time.perf_counter() - started


def plain_detail(db: Database, user_id: int, melding_id: int, now: dt.datetime):
    """The detail read as it was before auditing: a read-only unit of work, no entry."""
    from baliedesk.services.meldingen import _clock, _detail, _location

    with db.unit_of_work() as uow:
        user = acting_user(uow, user_id, Permission.TAKE_MELDING)
        m = get_or_404(uow.meldingen.get(melding_id), "melding", melding_id)
        require_location(uow, user, m.location_id)
        calendar, today = _clock(uow, _location(uow, m.location_id), now)
        return _detail(uow, m, calendar, today)


def run(url: str | None, rows: int, repeat: int, seed: int) -> dict:
    rng = random.Random(seed)
    with fresh_database(url, prefix="bench_retention") as db_url:
        db = Database(db_url)
        try:
            db.upgrade()
            ids = demo.seed(db, NOW, history=False)
            clerk, admin = ids.users["anne"], ids.users["beheer"]
            cats = meldingen.list_categories(db, clerk)
            load_s = bulk_load(db, ids.location_id, clerk, cats, rows, rng)
            due = retention.retention_due(db, admin, NOW)

            t0 = time.perf_counter()
            done = retention.run_retention(db, admin, NOW)
            retention_s = time.perf_counter() - t0

            ids_open = list(range(1, rows + 1, 2))[:1000]  # odd ids: not due, reporter still there
            picks = iter(lambda: rng.choice(ids_open), None)
            # Call for call alternating, so that caches and a busy machine affect both alike.
            audited_fn = lambda: meldingen.melding_detail(db, clerk, next(picks), NOW)  # noqa: E731
            plain_fn = lambda: plain_detail(db, clerk, next(picks), NOW)  # noqa: E731
            audited_fn(), plain_fn()
            audited, plain = [], []
            for _ in range(repeat):
                for fn, out in ((audited_fn, audited), (plain_fn, plain)):
                    t0 = time.perf_counter()
                    fn()
                    out.append(time.perf_counter() - t0)
            a, p = statistics.median(audited), statistics.median(plain)
            return {
                "bench": "retention", "backend": backend_of(url), "rows": rows, "load_s": round(load_s, 1),
                "due": {c.kind: c.due for c in due.counts}, "done": {c.kind: c.due for c in done.counts},
                "retention_s": round(retention_s, 2), "target_s": TARGET_S,
                "detail_audited_p50_ms": ms(a), "detail_plain_p50_ms": ms(p), "ratio": round(a / p, 3),
                "target_ratio": TARGET_RATIO,
                "met": retention_s <= TARGET_S and a / p <= TARGET_RATIO,
                "load_average": load_average(),
            }
        finally:
            db.dispose()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=None, help="PostgreSQL URL (a schema of its own is made and dropped), "
                   "or a new SQLite file; default: a temporary SQLite file")
    p.add_argument("--rows", type=int, default=200_000)
    p.add_argument("--repeat", type=int, default=300)
    p.add_argument("--seed", type=int, default=12)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)
    result = run(args.database_url, args.rows, args.repeat, args.seed)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['backend']}: {result['rows']} meldingen loaded in {result['load_s']} s")
        print(f"retention run: {result['retention_s']} s (target {TARGET_S} s): {result['done']}")
        print(f"melding detail p50: audited {result['detail_audited_p50_ms']} ms, plain "
              f"{result['detail_plain_p50_ms']} ms, ratio {result['ratio']} (target <= {TARGET_RATIO})")
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())

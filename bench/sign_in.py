#!/usr/bin/env python3
"""Sign-in cost: Argon2id with the product's parameters, and resolving a token.

    python bench/sign_in.py [--database-url URL] [--repeat 20] [--json]

Seeds the demo municipality in a fresh database (see bench/README.md), then
times ``services.auth.sign_in`` (a read, the Argon2id check outside any
transaction, a short write) and ``services.auth.resolve_session`` (what the
server does on every request; a read, and a write at most once a minute).

Printed: ``sign_in_p50_ms``/``sign_in_p95_ms``, ``hash_p50_ms`` (Argon2id
alone, the deliberate part of the cost), ``resolve_p50_ms``/``resolve_p95_ms``,
the Argon2 parameters and the load average. Part of the issue's "signing in and
seeing the counter window: under 2 s".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time

import _benchlib as bl

from baliedesk.services import auth, demo
from baliedesk.storage.database import Database


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with bl.fresh_database(args.database_url, prefix="signin") as url:
        db = Database(url)
        try:
            db.upgrade()
            now = dt.datetime.now(dt.UTC)
            demo.seed(db, now, history=False)
            hasher = auth.hasher()
            stored = hasher.hash(demo.DEMO_PASSWORD)
            hashes, sign_ins, resolves = [], [], []
            token = ""
            for i in range(args.repeat):
                t0 = time.perf_counter()
                hasher.verify(stored, demo.DEMO_PASSWORD)
                hashes.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                token = auth.sign_in(db, "anne", demo.DEMO_PASSWORD, now + dt.timedelta(seconds=i)).token
                sign_ins.append(time.perf_counter() - t0)
            for i in range(args.repeat * 10):
                t0 = time.perf_counter()
                auth.resolve_session(db, token, now + dt.timedelta(seconds=args.repeat + i * 7))
                resolves.append(time.perf_counter() - t0)
            result = {
                "backend": bl.backend_of(url),
                "repeat": args.repeat,
                "argon2": {"time_cost": hasher.time_cost, "memory_kib": hasher.memory_cost,
                           "parallelism": hasher.parallelism},
                "hash_p50_ms": bl.ms(bl.percentile(hashes, 50)),
                "sign_in_p50_ms": bl.ms(bl.percentile(sign_ins, 50)),
                "sign_in_p95_ms": bl.ms(bl.percentile(sign_ins, 95)),
                "resolve_p50_ms": bl.ms(bl.percentile(resolves, 50)),
                "resolve_p95_ms": bl.ms(bl.percentile(resolves, 95)),
                "load_avg": bl.load_average(),
            }
        finally:
            db.dispose()
    print(json.dumps(result, separators=(",", ":")) if args.json else json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

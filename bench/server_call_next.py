#!/usr/bin/env python3
""""Volgende" through the BalieDesk server, beside the same call in-process, on one database.

    python bench/server_call_next.py --database-url URL --workers N --json

Sets up a fresh database (as the other benchmarks do), seeds the demo
municipality plus one clerk and counter per worker, keeps a waiting queue of
at least 4 visitors per worker, signs every clerk in with a password (a
session in the database) and enrols the kiosk as a device, and starts a
BalieDesk server in a process of its own on a free loopback port
(``tests/server_process.py``: the real application with the real sign-in
sessions, the benchmark's clock, a connection pool of ``--workers``;
``--token-table``: a fixed token table instead, to see the transport alone). Then N worker processes (spawned),
each a workstation with a RemoteClient signed in at its own counter, call
"volgende" in rounds: all N at the same instant (the timed part), then each
finishes its visitor and the kiosk (through the server too) issues a new one.
After ``--calls`` rounds through the server, the same rounds run in-process
(``queue.call_next`` on the database directly) in the same run. Finally the
workers serve everyone still waiting, through the server, all at once, and the
database is checked as in ``queue_contention.py``.

``p50_ms``/``p95_ms``: "volgende" through the server (HTTP over loopback,
JSON both ways, the token resolved, the service call); ``inproc_p50_ms``/
``inproc_p95_ms``: the same call in-process; ``ratio`` = p50 / inproc p50
(target at most 2). ``duplicates`` and ``lost`` as in ``queue_contention.py``
(targets 0 and 0).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from _benchlib import (  # noqa: E402
    BenchClock,
    backend_of,
    fresh_database,
    load_average,
    ms,
    percentile,
    seed_counters,
)


BENCH_PASSWORD = "een lange zin als wachtwoord voor de meting"


def _real_sessions(db: Any, seeded: Any, now: Any) -> tuple[dict[int, str], str]:
    """Every worker's clerk signs in with a password (a session in the database) and the kiosk
    redeems an enrolment code (a device token): the tokens the server resolves as it would for real."""
    from baliedesk.services import auth, setup

    names = {u.id: u.username for u in setup.sign_in_choices(db)}
    by_user = {}
    for w in seeded.workstations:
        auth.set_password(db, seeded.admin_user_id, w.user_id, BENCH_PASSWORD, now, must_change=False)
        by_user[w.user_id] = auth.sign_in(db, names[w.user_id], BENCH_PASSWORD, now).token
    enrolment = auth.enroll_device(db, seeded.admin_user_id, "kiosk", seeded.location_id, "Meetkiosk", now)
    return by_user, auth.redeem_enrolment(db, enrolment.code, now).token


def run(url: str | None, workers: int, *, calls: int = 200, deadline_s: float = 600.0,
        token_table: bool = False, server_processes: int = 1) -> dict[str, Any]:
    if workers < 1 or calls < 1 or server_processes < 1:
        raise ValueError("workers, calls and server processes must be at least 1")
    server_processes = min(server_processes, workers)
    from baliedesk.services import queue
    from baliedesk.storage.database import Database

    from _workers import server_latency_worker
    from queue_contention import _verify
    from tests.server_support import ServerProcess

    with fresh_database(url, prefix="servercall") as db_url, tempfile.TemporaryDirectory() as folder:
        db = Database(db_url)
        servers: list[Any] = []
        try:
            db.upgrade()
            clock = BenchClock.start()
            seeded = seed_counters(db, workers, clock.now())
            queue_length = max(30, 4 * workers)
            for i in range(queue_length):
                queue.issue_ticket(db, seeded.kiosk_user_id, seeded.service_ids[i % len(seeded.service_ids)],
                                   clock.now())
            before = _verify(db, seeded.location_id)["issued"]
            if token_table:  # the server's resolver is a fixed table: no session is looked up
                tokens = {secrets.token_urlsafe(24): (w.user_id, "person") for w in seeded.workstations}
                kiosk_token = secrets.token_urlsafe(24)
                tokens[kiosk_token] = (seeded.kiosk_user_id, "device")
                by_user = {user_id: token for token, (user_id, _kind) in tokens.items()}
            else:  # as in a town hall: every clerk signs in, the kiosk is an enrolled device
                by_user, kiosk_token = _real_sessions(db, seeded, clock.now())
            # Several server processes side by side on the one database, as behind a load balancer: the
            # workstations are spread over them (worker i talks to process i mod N).
            per_process = -(-workers // server_processes)
            engine = {"pool_size": per_process} if backend_of(url) == "postgresql" else {}
            for _ in range(server_processes):
                servers.append(ServerProcess(db_url, None if not token_table else tokens, folder,
                                             clock=(clock.epoch, clock.base), engine=engine))
            server_urls = [server.start() for server in servers]

            ctx = mp.get_context("spawn")
            barrier = ctx.Barrier(workers)
            results = ctx.Queue()
            procs = [
                ctx.Process(target=server_latency_worker, name=f"server-call-{i}",
                            args=(db_url, server_urls[i % len(server_urls)], by_user[seeded.workstations[i].user_id], kiosk_token, i,
                                  seeded, clock, barrier, calls, results, deadline_s))
                for i in range(workers)
            ]
            started = time.perf_counter()
            for p in procs:
                p.start()
            outs: list[dict[str, Any]] = []
            while len(outs) < workers:
                try:
                    outs.append(results.get(timeout=deadline_s + 60))
                except Exception:  # noqa: BLE001 - a worker died silently
                    break
            elapsed = time.perf_counter() - started
            for p in procs:
                p.join(timeout=30)
                if p.is_alive():
                    p.terminate()
            check = _verify(db, seeded.location_id)
        finally:
            for server in servers:
                server.stop()
            db.dispose()

    remote_s = [s for o in outs for s in o["remote_s"]]
    inproc_s = [s for o in outs for s in o["inproc_s"]]
    claimed = [tid for o in outs for tid in o["claimed"]]
    p50, inproc_p50 = percentile(remote_s, 50), percentile(inproc_s, 50)
    duplicates = (check["multi_called"] + check["duplicate_numbers"] + check["duplicate_seqs"]
                  + (len(claimed) - len(set(claimed))))
    return {
        "bench": "server_call_next",
        "backend": backend_of(url),
        "workers": workers,
        "calls_per_worker": calls,
        "p50_ms": ms(p50),
        "p95_ms": ms(percentile(remote_s, 95)),
        "p99_ms": ms(percentile(remote_s, 99)),
        "inproc_p50_ms": ms(inproc_p50),
        "inproc_p95_ms": ms(percentile(inproc_s, 95)),
        "ratio": round(p50 / inproc_p50, 2) if p50 and inproc_p50 else None,
        "tokens": "fixed table" if token_table else "sign-in sessions",
        "server_processes": server_processes,
        "issued": check["issued"],
        "issued_before": before,
        "served": check["served"],
        "duplicates": duplicates,
        "lost": check["not_finished"],
        "missing_events": check["without_call_event"] + check["without_finish_event"],
        "double_finished": check["multi_finished"],
        "empty_calls": sum(o["empty"] for o in outs),
        "errors": sum(o["errors"] for o in outs) + (workers - len(outs)),
        "error_samples": [e for o in outs for e in o["error_samples"]][:3],
        "elapsed_s": round(elapsed, 2),
        "load_avg": load_average(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None,
                        help="sqlite:///NEW-FILE or postgresql://user@host/db (a fresh schema is used and dropped); "
                             "default: a temporary SQLite file")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--calls", type=int, default=200, help="timed rounds per path (server, in-process)")
    parser.add_argument("--deadline", type=float, default=600.0, help="give up after this many seconds")
    parser.add_argument("--token-table", action="store_true",
                        help="the server resolves tokens from a fixed table instead of the sign-in sessions "
                             "(the transport alone, without the session look-up)")
    parser.add_argument("--server-processes", type=int, default=1,
                        help="server processes side by side on the database (the workers spread over them, "
                             "as behind a load balancer)")
    parser.add_argument("--json", action="store_true", help="one JSON object on one line")
    args = parser.parse_args(argv)
    result = run(args.database_url, args.workers, calls=args.calls, deadline_s=args.deadline,
                 token_table=args.token_table, server_processes=args.server_processes)
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    ok = (result["duplicates"] == 0 and result["lost"] == 0 and result["errors"] == 0
          and result["missing_events"] == 0 and result["double_finished"] == 0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

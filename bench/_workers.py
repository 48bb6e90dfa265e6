"""Worker-process bodies of the benchmarks.

They live in their own importable module (not in the scripts) so that
``multiprocessing`` with the "spawn" start method can find them however the
script was started: as a program, or imported by path from a test.
"""

from __future__ import annotations

import time
import traceback
from typing import Any

import _benchlib  # noqa: F401  (sets up sys.path in the worker)


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def contention_worker(url: str, index: int, workers: int, tickets: int, seeded: Any, clock: Any,
                      barrier: Any, served: Any, results: Any, deadline_s: float) -> None:
    """Issue this worker's share of the tickets and call/finish until all are served.

    Every ``call_next`` is timed; the ticket ids this worker claimed are sent
    back so the parent can also check that no two workers got the same ticket.
    """
    out: dict[str, Any] = {"index": index, "claim_s": [], "empty_s": [], "claimed": [], "issued": 0,
                           "errors": 0, "error_samples": [], "timed_out": False}
    try:
        from baliedesk.domain.tickets import Outcome
        from baliedesk.services import queue
        from baliedesk.storage.database import Database

        db = Database(url)
        me = seeded.workstations[index]
        queue.sign_in(db, me.user_id, me.counter_id, clock.now(), seeded.service_ids)
        quota = tickets // workers + (1 if index < tickets % workers else 0)
        services = seeded.service_ids
        pending: int | None = None  # a claimed ticket not yet finished
        barrier.wait(timeout=deadline_s)
        stop_at = time.monotonic() + deadline_s

        def error(exc: BaseException) -> None:
            out["errors"] += 1
            if len(out["error_samples"]) < 5:
                out["error_samples"].append(_short(exc))

        while True:
            if time.monotonic() > stop_at:
                out["timed_out"] = True
                break
            if out["issued"] < quota:
                try:
                    queue.issue_ticket(db, seeded.kiosk_user_id, services[(index + out["issued"]) % len(services)],
                                       clock.now())
                    out["issued"] += 1
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    error(exc)
            if pending is None:
                t0 = time.perf_counter()
                try:
                    info = queue.call_next(db, me.user_id, me.counter_id, clock.now())
                except Exception as exc:  # noqa: BLE001
                    error(exc)
                    continue
                elapsed = time.perf_counter() - t0
                if info is None:
                    out["empty_s"].append(elapsed)
                    if out["issued"] >= quota:
                        if served.value >= tickets:
                            break
                        time.sleep(0.002)
                    continue
                out["claim_s"].append(elapsed)
                out["claimed"].append(info.id)
                pending = info.id
            try:
                queue.finish(db, me.user_id, me.counter_id, pending, clock.now(), Outcome.HELPED)
                pending = None
                with served.get_lock():
                    served.value += 1
            except Exception as exc:  # noqa: BLE001
                error(exc)
        db.dispose()
    except Exception as exc:  # noqa: BLE001
        out["errors"] += 1
        out["error_samples"].append(_short(exc) + "\n" + traceback.format_exc()[-1500:])
    finally:
        results.put(out)


def latency_worker(url: str, index: int, seeded: Any, clock: Any, barrier: Any, calls: int,
                   floor_sql: str, results: Any, deadline_s: float) -> None:
    """Time ``call_next`` (service) and the raw claim (floor), in rounds.

    Each round all workers leave a barrier together and call at the same
    instant (the timed part); when all have their answer, each finishes the
    ticket it got and issues one new ticket so the waiting queue keeps its
    length (untimed, and never overlapping anyone's timed call).
    """
    out: dict[str, Any] = {"index": index, "service_s": [], "floor_s": [], "service_cpu_s": [], "floor_cpu_s": [],
                           "service_server_cpu_s": [], "floor_server_cpu_s": [],
                           "empty": 0, "errors": 0, "error_samples": []}
    try:
        from baliedesk.domain.tickets import Outcome
        from baliedesk.services import queue
        from baliedesk.storage.database import Database

        db = Database(url)
        me = seeded.workstations[index]
        services = seeded.service_ids
        queue.sign_in(db, me.user_id, me.counter_id, clock.now(), services)

        def refill(i: int) -> None:
            queue.issue_ticket(db, seeded.kiosk_user_id, services[(index + i) % len(services)], clock.now())

        # Warm up: compiled-statement caches, the connection pool, the OS page cache.
        for i in range(5):
            info = queue.call_next(db, me.user_id, me.counter_id, clock.now())
            if info is not None:
                queue.finish(db, me.user_id, me.counter_id, info.id, clock.now(), Outcome.HELPED)
                refill(i)
        # The server process's CPU time too (PostgreSQL on this machine only).
        reader = _benchlib.server_cpu_reader(db)
        out["server_cpu_known"] = reader is not None
        server_cpu = reader or (lambda: 0.0)
        barrier.wait(timeout=deadline_s)

        for i in range(calls):
            barrier.wait(timeout=deadline_s)
            s0, c0, t0 = server_cpu(), time.process_time(), time.perf_counter()
            info = queue.call_next(db, me.user_id, me.counter_id, clock.now())
            out["service_s"].append(time.perf_counter() - t0)
            out["service_cpu_s"].append(time.process_time() - c0)
            out["service_server_cpu_s"].append(server_cpu() - s0)
            barrier.wait(timeout=deadline_s)  # nobody's untimed work overlaps anybody's timed call
            if info is None:
                out["empty"] += 1
                continue
            queue.finish(db, me.user_id, me.counter_id, info.id, clock.now(), Outcome.HELPED)
            refill(i)

        # The floor: the same claim as one hand-written statement, committed, on
        # the connection the service calls above used (the pool hands it back).
        location_day = clock.day
        with db.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            conn.commit()
            finish_sql = ("UPDATE tickets SET state = 'finished', finished_at = called_at, outcome = 'helped' "
                          "WHERE id = {p}").format(p="%(id)s" if db.backend == "postgresql" else ":id")
            for i in range(calls):
                now = clock.now()
                params = {"counter_id": me.counter_id, "location_id": seeded.location_id, "day": location_day,
                          "now": now, "now_ms": int(now.timestamp() * 1000)}
                if db.backend == "sqlite":  # stored as SQLAlchemy stores them: naive UTC text
                    params["now"] = now.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
                    params["day"] = location_day.isoformat()
                barrier.wait(timeout=deadline_s)
                s0, c0, t0 = server_cpu(), time.process_time(), time.perf_counter()
                cur = raw.cursor()
                if db.backend == "sqlite":
                    cur.execute("BEGIN IMMEDIATE")
                cur.execute(floor_sql, params)
                row = cur.fetchone()
                raw.commit() if db.backend == "postgresql" else cur.execute("COMMIT")
                out["floor_s"].append(time.perf_counter() - t0)
                out["floor_cpu_s"].append(time.process_time() - c0)
                out["floor_server_cpu_s"].append(server_cpu() - s0)
                barrier.wait(timeout=deadline_s)
                if row is None:
                    out["empty"] += 1
                    continue
                # Untimed: let the visitor go and keep the queue length steady.
                if db.backend == "sqlite":
                    cur.execute("BEGIN IMMEDIATE")
                cur.execute(finish_sql, {"id": row[0]})
                raw.commit() if db.backend == "postgresql" else cur.execute("COMMIT")
                cur.close()
                refill(i)
        db.dispose()
    except Exception as exc:  # noqa: BLE001
        out["errors"] += 1
        out["error_samples"].append(_short(exc) + "\n" + traceback.format_exc()[-1500:])
        try:
            barrier.abort()
        except Exception:  # noqa: BLE001
            pass
    finally:
        results.put(out)


def server_latency_worker(url: str, server_url: str, token: str, kiosk_token: str, index: int, seeded: Any,
                          clock: Any, barrier: Any, calls: int, results: Any, deadline_s: float) -> None:
    """Time "volgende" through the server (a RemoteClient, as a workstation) and in-process on the same
    database, in rounds (everyone calls at the same instant), then serve whoever is still waiting.

    The remote calls carry no user and no time: the server takes both from the
    token and its own clock. Every ticket this worker claimed is sent back, so
    the parent can check that no two workers got the same visitor.
    """
    out: dict[str, Any] = {"index": index, "remote_s": [], "inproc_s": [], "claimed": [], "empty": 0,
                           "errors": 0, "error_samples": []}
    try:
        from baliedesk.client.remote import RemoteClient
        from baliedesk.domain.tickets import Outcome
        from baliedesk.services import queue
        from baliedesk.storage.database import Database

        db = Database(url)
        me = seeded.workstations[index]
        services = seeded.service_ids
        remote = RemoteClient(server_url, token=token, user_id=me.user_id)
        kiosk = RemoteClient(server_url, token=kiosk_token, user_id=seeded.kiosk_user_id, http=remote._http)
        kiosk._owns_http = False
        remote.queue.sign_in(me.counter_id, services)

        def claimed(info: Any, finish: Any, i: int) -> None:
            if info is None:
                out["empty"] += 1
                return
            out["claimed"].append(info.id)
            finish(info.id)
            kiosk.queue.issue_ticket(services[(index + i) % len(services)])  # keep the queue's length

        def remote_finish(ticket_id: int) -> None:
            remote.queue.finish(me.counter_id, ticket_id, Outcome.HELPED)

        def local_finish(ticket_id: int) -> None:
            queue.finish(db, me.user_id, me.counter_id, ticket_id, clock.now(), Outcome.HELPED)

        for i in range(5):  # warm up both paths (connections, statement caches)
            claimed(remote.queue.call_next(me.counter_id), remote_finish, i)
            claimed(queue.call_next(db, me.user_id, me.counter_id, clock.now()), local_finish, i)
        barrier.wait(timeout=deadline_s)
        for i in range(calls):
            barrier.wait(timeout=deadline_s)
            t0 = time.perf_counter()
            info = remote.queue.call_next(me.counter_id)
            out["remote_s"].append(time.perf_counter() - t0)
            barrier.wait(timeout=deadline_s)  # nobody's untimed work overlaps anybody's timed call
            claimed(info, remote_finish, i)
        for i in range(calls):
            barrier.wait(timeout=deadline_s)
            t0 = time.perf_counter()
            info = queue.call_next(db, me.user_id, me.counter_id, clock.now())
            out["inproc_s"].append(time.perf_counter() - t0)
            barrier.wait(timeout=deadline_s)
            claimed(info, local_finish, i)
        barrier.wait(timeout=deadline_s)
        while True:  # everyone still waiting is served, through the server, all workers at once
            info = remote.queue.call_next(me.counter_id)
            if info is None:
                break
            out["claimed"].append(info.id)
            remote_finish(info.id)
        remote.queue.sign_out(me.counter_id)
        kiosk.close()
        remote.close()
        db.dispose()
    except Exception as exc:  # noqa: BLE001
        out["errors"] += 1
        out["error_samples"].append(_short(exc) + "\n" + traceback.format_exc()[-1500:])
        try:
            barrier.abort()
        except Exception:  # noqa: BLE001
            pass
    finally:
        results.put(out)

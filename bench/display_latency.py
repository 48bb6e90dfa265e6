#!/usr/bin/env python3
"""How long after "volgende" does the hall screen show the number?

    python bench/display_latency.py --database-url URL --calls K --json [--interval-ms MS] [--burst N]

Two processes on one machine, as in a town hall: this one is the counters (it
calls visitors through the service layer, ``queue.call_next``), the other is a
real :class:`~baliedesk.display.hall.HallScreen` (Qt offscreen, 1920x1080) on
its own database connections and change feed. The screen process prints, for
every picture it has painted, ``time.time()`` and the calls on it (its
``shown`` signal fires after the window has painted and flushed). A call's
latency runs from just before the counter's ``call_next`` (the key press) to
the first painted picture that shows it; ``time.time()`` is the same clock in
both processes. ``after_commit_*`` leaves out the counter's own transaction:
from ``call_next`` returning to the painted picture.

Normal: ``K`` calls, one every ``--interval-ms`` (default 250 ms) from counters
taking turns (each finishes its previous visitor first, untimed). Burst: ``N``
(default 20) calls from ``N`` different counters within one second. A call not
shown within 10 s after the last one counts as ``missed``.

The database is new and empty: a temporary SQLite file, a new SQLite file, or a
dedicated PostgreSQL schema (libpq ``options=-csearch_path=<schema>``) that is
dropped afterwards. Targets: p95 under 150 ms on PostgreSQL, under 300 ms on
SQLite, and no call missed.

``--server``: central mode. A BalieDesk server runs in a process of its own
(``tests/server_process.py``, a fixed token table instead of sign-in); the
counters call through it (a RemoteClient each) and the hall screen is given a
RemoteClient bound to the display account: the picture follows the server's
push (PostgreSQL NOTIFY -> the server's feed -> WebSocket -> the screen reads
``hall_calls`` over HTTP). Target: p95 under 50 ms on loopback, none missed.
"""

from __future__ import annotations

import argparse
import json
import os
import queue as queue_mod
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from _benchlib import BenchClock, backend_of, fresh_database, ms, percentile, seed_counters  # noqa: E402

TARGET_P95_MS = {"postgresql": 150.0, "sqlite": 300.0}
TARGET_SERVER_P95_MS = 50.0
#: The screen process's token (central mode) comes through the environment, not the command line.
TOKEN_ENV = "BALIEDESK_BENCH_TOKEN"
WARMUP_CALLS = 2
SHOW_TIMEOUT_S = 10.0


# ---------------------------------------------------------------------------
# the hall screen process
# ---------------------------------------------------------------------------
def run_screen(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import datetime as dt

    from PySide6.QtWidgets import QApplication

    from baliedesk.client import LocalClient
    from baliedesk.display.announce import SilentAnnouncer
    from baliedesk.display.config import HallConfig
    from baliedesk.display.hall import HallScreen
    from baliedesk.storage.database import Database

    app = QApplication(sys.argv[:1])
    clock = BenchClock(args.epoch, dt.datetime.fromisoformat(args.base))
    if args.server_url:  # central mode: the screen knows the server and its own token, no database
        from baliedesk.client.remote import RemoteClient

        db = None
        client = RemoteClient(args.server_url, token=os.environ.pop(TOKEN_ENV), user_id=args.user_id)
        client.sync_clock()
    else:
        db = Database(args.database_url)
        client = LocalClient(db, clock=clock.now)
    hall = HallScreen(client, HallConfig(), announcer=SilentAnnouncer())
    state = {"ready": False}

    def on_shown(frame) -> None:
        if not state["ready"]:
            state["ready"] = True
            print(json.dumps({"ready": True}), flush=True)
        print(json.dumps({"t": frame.at, "calls": [list(c) for c in frame.calls]}), flush=True)

    hall.shown.connect(on_shown)
    hall.resize(1920, 1080)
    hall.show()
    hall.start()

    def watch_stdin() -> None:  # the caller closes our stdin when it is done
        sys.stdin.read()
        app.quit()

    threading.Thread(target=watch_stdin, daemon=True).start()
    try:
        return app.exec()
    finally:
        hall.shutdown()
        client.close()
        if db is not None:
            db.dispose()


class Screen:
    """The hall screen process, and when it first showed each ticket."""

    def __init__(self, url: str, clock: BenchClock, server: tuple[str, str, int] | None = None) -> None:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--role", "screen", "--database-url", url,
               "--epoch", repr(clock.epoch), "--base", clock.base.isoformat()]
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        if server is not None:
            server_url, token, user_id = server
            cmd[cmd.index("--database-url") + 1] = ""
            cmd += ["--server-url", server_url, "--user-id", str(user_id)]
            env[TOKEN_ENV] = token
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        self.first_seen: dict[int, float] = {}
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.lines: queue_mod.Queue = queue_mod.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if data.get("ready"):
                self.ready.set()
                continue
            with self.lock:
                for ticket_id, _recalls in data.get("calls", []):
                    self.first_seen.setdefault(ticket_id, data["t"])

    def wait_for(self, ticket_ids: list[int], timeout: float) -> None:
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                if all(t in self.first_seen for t in ticket_ids):
                    return
            time.sleep(0.02)

    def seen(self, ticket_id: int) -> float | None:
        with self.lock:
            return self.first_seen.get(ticket_id)

    def close(self) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


# ---------------------------------------------------------------------------
# the counters
# ---------------------------------------------------------------------------
def summarise(pressed: dict[int, tuple[float, float]], screen: Screen) -> dict:
    """From the press (before ``call_next``) and, as ``after_commit_*``, from its commit to the picture."""
    latencies, after_commit, missed = [], [], 0
    for ticket_id, (t_press, t_commit) in pressed.items():
        shown = screen.seen(ticket_id)
        if shown is None:
            missed += 1
        else:
            latencies.append(shown - t_press)
            after_commit.append(shown - t_commit)
    return {
        "calls": len(pressed),
        "p50_ms": ms(percentile(latencies, 50)),
        "p95_ms": ms(percentile(latencies, 95)),
        "max_ms": ms(max(latencies) if latencies else None),
        "missed": missed,
        "after_commit_p50_ms": ms(percentile(after_commit, 50)),
        "after_commit_p95_ms": ms(percentile(after_commit, 95)),
    }


def run(args: argparse.Namespace) -> dict:
    from baliedesk.services import queue
    from baliedesk.storage.database import Database

    backend = backend_of(args.database_url or None)
    counters = max(args.burst, 3)
    with fresh_database(args.database_url or None, prefix="display") as url:
        db = Database(url)
        db.upgrade()
        clock = BenchClock.start()
        seeded = seed_counters(db, counters, clock.now())
        stations = seeded.workstations
        for ws in stations:
            queue.sign_in(db, ws.user_id, ws.counter_id, clock.now(), service_ids=list(seeded.service_ids))
        for i in range(WARMUP_CALLS + args.calls + args.burst + 5):
            queue.issue_ticket(db, seeded.kiosk_user_id, seeded.service_ids[i % len(seeded.service_ids)], clock.now())

        server = None
        remote: dict[int, object] = {}  # counter -> its RemoteClient (central mode)
        screen_server = None
        if args.server:
            import secrets
            import tempfile

            from baliedesk.client.remote import RemoteClient
            from baliedesk.services import demo
            from tests.server_support import ServerProcess

            display_user = demo.demo_ids(db).users["scherm-hal"]
            tokens = {secrets.token_urlsafe(24): (ws.user_id, "person") for ws in stations}
            display_token = secrets.token_urlsafe(24)
            tokens[display_token] = (display_user, "device")
            folder = tempfile.mkdtemp(prefix="bench-display-")
            engine = {"pool_size": 8} if backend == "postgresql" else {}
            server = ServerProcess(url, tokens, folder, clock=(clock.epoch, clock.base), engine=engine)
            server_url = server.start()
            by_user = {user_id: token for token, (user_id, _kind) in tokens.items()}
            for ws in stations:
                remote[ws.counter_id] = RemoteClient(server_url, token=by_user[ws.user_id], user_id=ws.user_id)
            screen_server = (server_url, display_token, display_user)
        screen = Screen(url, clock, screen_server)
        try:
            if not screen.ready.wait(60):
                raise SystemExit("the hall screen process did not show its first picture within 60 s")
            holding: dict[int, int] = {}  # counter -> ticket it holds

            def press(ws) -> tuple[int, tuple[float, float]]:
                held = holding.pop(ws.counter_id, None)
                door = remote.get(ws.counter_id)
                if held is not None:  # untimed
                    if door is not None:
                        door.queue.finish(ws.counter_id, held)
                    else:
                        queue.finish(db, ws.user_id, ws.counter_id, held, clock.now())
                t = time.time()
                if door is not None:
                    ticket = door.queue.call_next(ws.counter_id)
                else:
                    ticket = queue.call_next(db, ws.user_id, ws.counter_id, clock.now())
                if ticket is None:
                    raise SystemExit("the queue ran empty")
                holding[ws.counter_id] = ticket.id
                return ticket.id, (t, time.time())

            # normal: one call every interval, counters taking turns
            warm = [press(stations[i % len(stations)])[0] for i in range(WARMUP_CALLS)]
            screen.wait_for(warm, SHOW_TIMEOUT_S)
            pressed: dict[int, tuple[float, float]] = {}
            interval = args.interval_ms / 1000.0
            next_at = time.monotonic()
            for i in range(args.calls):
                next_at += interval
                ticket_id, t = press(stations[(WARMUP_CALLS + i) % len(stations)])
                pressed[ticket_id] = t
                time.sleep(max(0.0, next_at - time.monotonic()))
            screen.wait_for(list(pressed), SHOW_TIMEOUT_S)
            normal = summarise(pressed, screen)

            # burst: N counters call within one second
            for ws in stations[: args.burst]:
                held = holding.pop(ws.counter_id, None)
                if held is not None:
                    queue.finish(db, ws.user_id, ws.counter_id, held, clock.now())
            time.sleep(0.5)  # let the screen settle after the finishing
            burst_pressed: dict[int, tuple[float, float]] = {}
            spacing = 1.0 / args.burst
            started = time.monotonic()
            for i, ws in enumerate(stations[: args.burst]):
                ticket_id, t = press(ws)
                burst_pressed[ticket_id] = t
                time.sleep(max(0.0, started + (i + 1) * spacing * 0.95 - time.monotonic()))
            burst_span = time.monotonic() - started
            screen.wait_for(list(burst_pressed), SHOW_TIMEOUT_S)
            burst = summarise(burst_pressed, screen)
            burst["within_s"] = round(burst_span, 3)
        finally:
            screen.close()
            for door in remote.values():
                door.close()
            if server is not None:
                server.stop()
            db.dispose()

    target = TARGET_SERVER_P95_MS if args.server else TARGET_P95_MS[backend]
    ok = all(r["missed"] == 0 and r["p95_ms"] is not None and r["p95_ms"] < target for r in (normal, burst))
    return {"backend": backend, "through_server": bool(args.server), **normal, "interval_ms": args.interval_ms, "burst": burst,
            "target_p95_ms": target, "ok": ok}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="sqlite:///new-file or postgresql://... "
                        "(default: a temporary SQLite file)")
    parser.add_argument("--calls", type=int, default=50, help="calls in the normal run (default 50)")
    parser.add_argument("--interval-ms", type=int, default=250, help="time between normal calls (default 250)")
    parser.add_argument("--burst", type=int, default=20, help="calls within one second in the burst (default 20)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (the default output too)")
    parser.add_argument("--server", action="store_true",
                        help="central mode: counters and hall screen through a BalieDesk server (target p95 < 50 ms)")
    parser.add_argument("--server-url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--user-id", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--role", default="counters", choices=["counters", "screen"], help=argparse.SUPPRESS)
    parser.add_argument("--epoch", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--base", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role == "screen":
        return run_screen(args)
    result = run(args)
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

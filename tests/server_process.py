"""One BalieDesk server process for tests and benchmarks: ``python tests/server_process.py CONFIG.json``.

The config file (written by the test, so no database URL shows in the process
list) holds ``database_url``, ``tokens`` (``{token: [user_id, kind]}``: a fixed
token table standing in for sign-in) or ``sessions: true`` (the real sign-in
sessions, as the server command has) and optionally ``now`` (an ISO time: a
fixed server clock) or ``clock`` (``[epoch, base]``: base plus the seconds since
epoch, bench/_benchlib.BenchClock) and ``engine`` (engine keywords such as
``pool_size``). The process serves on a free loopback port, prints its
URL on one line of standard output and stops when its standard input closes
(or on SIGTERM).
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import sys
import threading
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from baliedesk.server.app import Principal, SessionInvalid, create_app  # noqa: E402
from baliedesk.server.run import ServerThread  # noqa: E402
from baliedesk.storage.database import Database  # noqa: E402


def main(config_path: str) -> int:
    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    table = {token: Principal(int(user_id), kind) for token, (user_id, kind) in config["tokens"].items()}

    def resolver(token: str, now: dt.datetime) -> Principal:
        principal = table.get(token)
        if principal is None:
            raise SessionInvalid("unknown")
        return principal

    fixed, moving = config.get("now"), config.get("clock")
    clock = None
    if fixed:
        clock = lambda: dt.datetime.fromisoformat(fixed)  # noqa: E731
    elif moving:  # [epoch, base]: base plus the wall-clock time since epoch (bench/_benchlib.BenchClock)
        epoch, base = float(moving[0]), dt.datetime.fromisoformat(moving[1])
        clock = lambda: base + dt.timedelta(seconds=time.time() - epoch)  # noqa: E731
    db = Database(config["database_url"], **config.get("engine", {}))
    real = bool(config.get("sessions"))  # the sign-in sessions (and their memory), as the server command has
    server = ServerThread(create_app(db, resolver=None if real else resolver, clock=clock, feed_poll_s=0.2))
    url = server.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def watch_stdin() -> None:
        sys.stdin.read()  # returns when the parent closes our standard input (or dies)
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(url, flush=True)
    stop.wait()
    server.stop()
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

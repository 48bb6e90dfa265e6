"""Issue 14, case 2: every database call has a deadline. A PostgreSQL cluster of the test's own
is frozen with SIGSTOP (postmaster and backends: the kernel still acknowledges, nothing answers);
a service call fails with DatabaseUnavailable instead of hanging, and works again after SIGCONT.

No timed assertion: the call runs in a thread that must end (a generous liveness bound of
60 s; the deadline itself is storage.database.TRANSACTION_DEADLINE_S, a few seconds).
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from baliedesk.domain.errors import DatabaseUnavailable, DomainError




def _bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*args: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)


@pytest.fixture
def own_cluster():
    """A throwaway PostgreSQL cluster on a free port: (URL, postmaster pid, data dir)."""
    bindir = _bin()
    if bindir is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    root = Path(tempfile.mkdtemp(prefix="baliedesk-frozen-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    data, port = root / "data", _free_port()
    subprocess.run(_as_postgres(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                                "--no-sync"), check=True, capture_output=True)
    subprocess.run(_as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"),
                                "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start"),
                   check=True, capture_output=True)
    pid = int((data / "postmaster.pid").read_text().splitlines()[0])
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres", pid, data
    finally:
        _signal_all(pid, signal.SIGCONT)
        subprocess.run(_as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"),
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def _children(pid: int) -> list[int]:
    out = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.split("/")[2]))
    return out


def _signal_all(pid: int, sig: int) -> None:
    for p in [pid, *_children(pid)]:
        try:
            os.kill(p, sig)
        except ProcessLookupError:
            pass


def _in_thread(call):
    """Run ``call`` in a thread; (finished, result or exception)."""
    box: list = []

    def run():
        try:
            box.append(call())
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            box.append(exc)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(60)
    return (not t.is_alive()), (box[0] if box else None)


@pytest.mark.slow
@pytest.mark.postgres
def test_a_frozen_server_gives_database_unavailable_then_recovers(own_cluster, now):
    from baliedesk.services import demo, queue
    from baliedesk.storage.database import Database

    url, postmaster, _data = own_cluster
    db = Database(url)
    try:
        db.upgrade()
        ids = demo.seed(db, now, history=False)
        kiosk, anne = ids.users["kiosk-ingang"], ids.users["anne"]
        queue.issue_ticket(db, kiosk, ids.services["A"], now)
        feed = db.open_feed(safety_s=1.0)
        assert feed.connected

        _signal_all(postmaster, signal.SIGSTOP)
        try:
            for call in (lambda: queue.issue_ticket(db, kiosk, ids.services["A"], now),
                         lambda: queue.queue_snapshot(db, anne, ids.location_id, now)):
                finished, outcome = _in_thread(call)
                assert finished, "the call hung on a frozen server"
                assert isinstance(outcome, DatabaseUnavailable), outcome
                assert outcome.temporary
            # The change feed (hall screen, counter header) stops saying "connected".
            feed_gone, _ = _in_thread(lambda: feed.wait(3.0))
            assert feed_gone and not feed.connected
        finally:
            _signal_all(postmaster, signal.SIGCONT)

        # Thawed: the feed reconnects by itself ...
        for _ in range(30):
            feed.wait(0.5)
            if feed.connected:
                break
        assert feed.connected
        # ... and the next action works again (the pool replaced the cut connections).
        finished, outcome = _in_thread(lambda: queue.queue_snapshot(db, anne, ids.location_id, now))
        assert finished and not isinstance(outcome, BaseException), outcome
        assert len(outcome.waiting) >= 1
        feed.close()
    finally:
        db.dispose()


@pytest.mark.postgres
def test_an_unreachable_server_is_database_unavailable(now):
    from baliedesk.services import setup
    from baliedesk.storage.database import Database

    db = Database(f"postgresql://baliedesk@127.0.0.1:{_free_port()}/none")
    try:
        with pytest.raises(DatabaseUnavailable) as err:
            setup.list_locations(db)
        assert err.value.reason == "unreachable" and isinstance(err.value, DomainError)
    finally:
        db.dispose()


@pytest.fixture
def slow_clock(monkeypatch):
    """queue.monotonic as a clock that has moved on ``gap`` seconds by the second reading."""
    from baliedesk.services import queue

    state = {"t": 1000.0, "gap": 0.0}

    def fake():
        value = state["t"]
        state["t"] += state["gap"]
        return value

    monkeypatch.setattr(queue, "monotonic", fake)
    return state


def test_a_kiosk_ticket_that_took_too_long_is_not_issued(backend, seeded, now, slow_clock):
    from baliedesk.domain.errors import RequestTooLate
    from baliedesk.services import queue

    kiosk, anne = seeded.users["kiosk-ingang"], seeded.users["anne"]
    slow_clock["gap"] = queue.ISSUE_DEADLINE_S + 1  # the transaction stalled past the deadline
    with pytest.raises(RequestTooLate) as err:
        queue.issue_ticket(backend, kiosk, seeded.services["A"], now)
    assert err.value.limit_s == queue.ISSUE_DEADLINE_S
    assert queue.queue_snapshot(backend, anne, seeded.location_id, now).waiting == ()  # nothing issued
    slow_clock["gap"] = 0.5  # in time: issued, and the number was not used up by the refused one
    assert queue.issue_ticket(backend, kiosk, seeded.services["A"], now).ticket.number == "A001"


def test_disposing_a_database_ends_its_watchdog_thread(pg_backend):
    """One watchdog thread per engine; it must end with the engine (a test run makes hundreds)."""
    import threading

    from baliedesk.storage.database import Database

    db = Database(pg_backend.url)
    with db.unit_of_work() as uow:
        uow.directory.locations()  # a checkout arms the watchdog: its thread starts
    name = db.engine.baliedesk_watchdog._name
    assert any(t.name == name for t in threading.enumerate())
    db.dispose()
    assert not any(t.name == name and t.is_alive() for t in threading.enumerate())

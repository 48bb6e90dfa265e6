"""PostgreSQL pooled connections: pinged after sitting idle, replaced when dead.

A connection the server dropped while it sat in the pool (restart, firewall)
must be replaced without the user noticing; one used moments ago is handed out
without the extra round trip of a ping.
"""

from __future__ import annotations

import psycopg
import pytest

from baliedesk.domain.errors import StorageUnavailable
from baliedesk.storage import database


def _backend_pid(db) -> int:
    """The server process of the pool's one connection (the pool is emptied first)."""
    db.engine.dispose()
    with db.unit_of_work() as uow:
        return uow.connection.connection.dbapi_connection.info.backend_pid


def _kill(db, pid: int) -> None:
    """End that server process, as a server restart or a firewall would."""
    conninfo = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))


def _count_pings(db) -> list[str]:
    pings: list[str] = []
    original = db.engine.dialect.do_ping

    def counting_ping(dbapi_conn):
        pings.append("ping")
        return original(dbapi_conn)

    db.engine.dialect.do_ping = counting_ping
    return pings


@pytest.mark.postgres
def test_idle_dead_connection_is_replaced_silently(pg_backend, monkeypatch):
    monkeypatch.setattr(database, "PING_AFTER_IDLE_S", 0.0)
    pid = _backend_pid(pg_backend)
    _kill(pg_backend, pid)
    with pg_backend.unit_of_work() as uow:  # no error: the ping found it dead, the pool reconnected
        assert uow.directory.count_users() == 0
    assert _backend_pid(pg_backend) != pid


@pytest.mark.postgres
def test_recently_used_connection_is_not_pinged(pg_backend, monkeypatch):
    monkeypatch.setattr(database, "PING_AFTER_IDLE_S", 3600.0)
    pings = _count_pings(pg_backend)
    for _ in range(3):
        with pg_backend.unit_of_work() as uow:
            uow.directory.count_users()
    assert pings == []
    monkeypatch.setattr(database, "PING_AFTER_IDLE_S", 0.0)
    with pg_backend.unit_of_work() as uow:
        uow.directory.count_users()
    assert pings == ["ping"]


@pytest.mark.postgres
def test_connection_dead_within_the_window_fails_once_then_recovers(pg_backend, monkeypatch):
    monkeypatch.setattr(database, "PING_AFTER_IDLE_S", 3600.0)
    _kill(pg_backend, _backend_pid(pg_backend))
    with pytest.raises(StorageUnavailable):
        with pg_backend.unit_of_work() as uow:
            uow.directory.count_users()
    with pg_backend.unit_of_work() as uow:
        assert uow.directory.count_users() == 0


@pytest.mark.postgres
def test_connection_lost_during_call_next_is_storage_unavailable(pg_backend, monkeypatch, now):
    """call_next's statements run straight on the driver; a lost connection still
    surfaces as StorageUnavailable, and the next call works on a fresh connection."""
    from baliedesk.services import demo, queue

    ids = demo.seed(pg_backend, now, history=False)
    clerk, counter = ids.users["anne"], ids.counters["Balie 1"]
    queue.sign_in(pg_backend, clerk, counter, now)
    queue.issue_ticket(pg_backend, ids.users["kiosk-ingang"], ids.services["A"], now)
    monkeypatch.setattr(database, "PING_AFTER_IDLE_S", 3600.0)
    _kill(pg_backend, _backend_pid(pg_backend))
    with pytest.raises(StorageUnavailable):
        queue.call_next(pg_backend, clerk, counter, now)
    called = queue.call_next(pg_backend, clerk, counter, now)
    assert called is not None and called.number == "A001"

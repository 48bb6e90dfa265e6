"""The change feed: wakes hall screens and counter windows when data changes.

PostgreSQL: ``LISTEN baliedesk`` on a dedicated autocommit psycopg 3
connection; services send ``pg_notify`` inside their transaction, so the
notification arrives exactly when the change commits. Payloads are topics
(``queue:1``), never data. Notifications sent while we were disconnected are
lost, so after a reconnect the feed reports a change (LISTEN first, then the
caller re-reads), and a slow safety net reports one every ``safety_s`` anyway.

SQLite: ``PRAGMA data_version`` on a dedicated connection changes whenever
another connection (in this process or another one) commits; polling it every
``interval`` seconds costs microseconds.

``wait(timeout)`` blocks (run it on a worker thread) and returns True when the
caller should re-read. ``connected`` says whether the database is reachable.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from typing import Any

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

CHANNEL = "baliedesk"
#: The PostgreSQL feed checks the server answers whenever it heard nothing for ``safety_s``;
#: no answer within this many seconds: not connected.
ALIVE_DEADLINE_S = 3.0


class _Backoff:
    def __init__(self, first: float = 0.25, maximum: float = 5.0) -> None:
        self.first, self.maximum = first, maximum
        self.delay = 0.0
        self.next_try = 0.0

    def ready(self) -> bool:
        return time.monotonic() >= self.next_try

    def failed(self) -> None:
        self.delay = min(self.maximum, self.delay * 2 if self.delay else self.first)
        self.next_try = time.monotonic() + self.delay

    def succeeded(self) -> None:
        self.delay = 0.0
        self.next_try = 0.0


class SQLiteFeed:
    def __init__(self, path: str, *, interval: float = 0.1, safety_s: float = 30.0) -> None:
        self.path = path
        self.interval = interval
        self.safety_s = safety_s
        self._conn: sqlite3.Connection | None = None
        self._last: int | None = None
        self._last_report = time.monotonic()
        self._backoff = _Backoff()
        self._connect()

    @property
    def connected(self) -> bool:
        return self._conn is not None

    def _connect(self) -> bool:
        try:
            # mode=rw: never create an empty file where the database went missing.
            conn = sqlite3.connect(f"file:{self.path}?mode=rw", uri=True, check_same_thread=False, timeout=1.0)
            self._last = conn.execute("PRAGMA data_version").fetchone()[0]
            self._conn = conn
            self._backoff.succeeded()
            return True
        except sqlite3.Error as exc:
            log.warning("change feed: cannot open %s: %s", self.path, exc)
            self._conn = None
            self._backoff.failed()
            return False

    def _changed(self) -> bool:
        assert self._conn is not None
        version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._last:
            self._last = version
            return True
        return False

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            if self._conn is None:
                if self._backoff.ready() and self._connect():
                    return self._report()
            else:
                try:
                    if self._changed():
                        return self._report()
                except sqlite3.Error as exc:
                    log.warning("change feed lost the database: %s", exc)
                    self.close()
                    self._backoff.failed()
            now = time.monotonic()
            if now - self._last_report >= self.safety_s:
                return self._report()
            if now >= deadline:
                return False
            time.sleep(min(self.interval, max(0.0, deadline - now)))

    def _report(self) -> bool:
        self._last_report = time.monotonic()
        return True

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None


class PostgresFeed:
    def __init__(self, conninfo: str, *, safety_s: float = 10.0, channel: str = CHANNEL) -> None:
        self.conninfo = conninfo
        self.channel = channel
        self.safety_s = safety_s
        self._conn: Any = None
        self._last_report = time.monotonic()
        self._backoff = _Backoff()
        self.topics: set[str] = set()  # topics heard since the last wait() returned True
        self._connect()

    @property
    def connected(self) -> bool:
        return self._conn is not None and not self._conn.closed

    def _connect(self) -> bool:
        import psycopg

        try:
            from baliedesk.storage.database import CONNECT_TIMEOUT_S, KEEPALIVES, TCP_USER_TIMEOUT_MS

            conn = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S,
                                   application_name="baliedesk-feed", tcp_user_timeout=TCP_USER_TIMEOUT_MS,
                                   **KEEPALIVES)
            conn.execute(f"LISTEN {self.channel}")
            self._conn = conn
            self._backoff.succeeded()
            return True
        except psycopg.Error as exc:
            log.warning("change feed: cannot reach PostgreSQL: %s", exc)
            self._conn = None
            self._backoff.failed()
            return False

    def wait(self, timeout: float) -> bool:
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            if now - self._last_report >= self.safety_s:
                if self.connected:
                    self._check_alive()  # a silent server must not look connected
                return self._report()
            remaining = deadline - now
            if remaining <= 0:
                return False
            if not self.connected:
                if self._backoff.ready() and self._connect():
                    return self._report()  # LISTEN is in place: now re-read what we missed
                time.sleep(min(0.1, remaining))
                continue
            try:
                heard = False
                for note in self._conn.notifies(timeout=min(remaining, self.safety_s), stop_after=1):
                    self.topics.update(note.payload.split(","))
                    heard = True
                if heard:
                    # A burst (twenty calls in a second) wakes the caller once, not
                    # twenty times: take what has already arrived without waiting.
                    for note in self._conn.notifies(timeout=0):
                        self.topics.update(note.payload.split(","))
                    return self._report()
            except psycopg.Error as exc:
                log.warning("change feed lost PostgreSQL: %s", exc)
                self.close()
                self._backoff.failed()

    def _report(self) -> bool:
        self._last_report = time.monotonic()
        return True

    def _check_alive(self) -> None:
        """``SELECT 1`` within :data:`ALIVE_DEADLINE_S`, else the connection is cut and closed
        (``connected`` turns False; ``wait`` reconnects with back-off). A frozen server still
        acknowledges TCP, so without this the feed would say "connected" all along."""
        import psycopg

        from baliedesk.storage.database import _cut

        timer = threading.Timer(ALIVE_DEADLINE_S, _cut, args=(self._conn,))
        timer.daemon = True
        timer.start()
        try:
            self._conn.execute("SELECT 1")
        except psycopg.Error as exc:
            log.warning("change feed: PostgreSQL does not answer: %s", str(exc)[:200])
            self.close()
            self._backoff.failed()
        finally:
            timer.cancel()

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass
            self._conn = None


def open_feed(url: str, **kwargs: Any) -> SQLiteFeed | PostgresFeed:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return SQLiteFeed(parsed.database or "", **kwargs)
    if backend == "postgresql":
        conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresFeed(conninfo, **kwargs)
    raise ValueError(f"unsupported database: {backend}")

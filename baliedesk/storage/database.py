"""Engine set-up and the unit of work.

SQLite (the default, one file in the user's data folder): WAL journal, a busy
timeout, foreign keys on, and ``BEGIN IMMEDIATE`` for write transactions so
that two processes never both read-then-write the same queue; readers use a
plain deferred ``BEGIN`` and are never blocked by writers under WAL.

PostgreSQL (central): psycopg 3, READ COMMITTED, row locks with
``FOR UPDATE SKIP LOCKED`` for claiming tickets, and ``pg_notify`` sent on the
same connection right after the writing transaction committed, so listeners
hear of a change only once it is there (and never of a rolled-back one).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session

from baliedesk.domain.errors import (
    DatabaseCorrupt,
    DatabaseUnavailable,
    DataFolderNotWritable,
    StorageFault,
)
from baliedesk.storage.addresses import AddressRepository
from baliedesk.storage.auth import AuthRepository
from baliedesk.storage.faults import classify
from baliedesk.storage.meldingen import ContactRepository, MeldingRepository
from baliedesk.storage.organisation import OrganisationRepository
from baliedesk.storage.privacy import PrivacyRepository
from baliedesk.storage.reports import ReportRepository
from baliedesk.storage.repositories import DirectoryRepository, TicketRepository
from baliedesk.storage.requests import RequestRepository
from baliedesk.storage.schedules import AppointmentRepository, ScheduleRepository

log = logging.getLogger(__name__)

APP_NAME = "BalieDesk"
NOTIFY_CHANNEL = "baliedesk"
SQLITE_BUSY_TIMEOUT_S = 30.0

# Deadlines (PostgreSQL). A silent server becomes DatabaseUnavailable within seconds:
#: libpq gives up connecting after this (a frozen postmaster accepts TCP but never answers).
CONNECT_TIMEOUT_S = 3
#: The server cancels a statement running longer than this (statement_timeout) ...
STATEMENT_TIMEOUT_S = 8.0
#: ... and a wait for a row or table lock longer than this (lock_timeout) ...
LOCK_TIMEOUT_S = 5.0
#: ... and ends a session left idle inside a transaction this long (a crashed client's locks).
IDLE_IN_TRANSACTION_TIMEOUT_S = 30.0
#: TCP keepalives: a dead peer (power cut, cable pulled) is noticed after about
#: idle + interval * count seconds even on an idle pooled connection.
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3}
#: Unacknowledged data is given up after this (ms): a cut network under a running statement.
TCP_USER_TIMEOUT_MS = 10000
#: The client-side backstop: a connection checked out longer than this (one unit of work) is
#: cut by the watchdog. A frozen server (SIGSTOP, a hung VM) is the case nothing else catches:
#: its kernel still acknowledges keepalives and data, and it cannot run its own timeouts.
TRANSACTION_DEADLINE_S = 10.0


def default_database_path() -> Path:
    override = os.environ.get("BALIEDESK_DATA_DIR")
    base = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return base / "baliedesk.sqlite3"


def default_database_url() -> str:
    return f"sqlite:///{default_database_path()}"


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use psycopg 3 for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _setup_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not the driver, start transactions.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("baliedesk_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (also ``file:`` URIs), or None (memory, or another backend)."""
    parsed = make_url(normalise_url(url))
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        database = database[5:].split("?", 1)[0]
        if not database or database == ":memory:" or "mode=memory" in (parsed.database or ""):
            return None
    return Path(database)


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _folder_writable(folder: Path) -> None:
    """Make the data folder if needed and prove that a file can be written there."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".baliedesk-write-test-{os.getpid()}-{threading.get_ident()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise DataFolderNotWritable(str(folder)) from exc


def check_sqlite_file(path: Path) -> None:
    """The read-only checks of :meth:`Database.check` for one SQLite file."""
    import sqlite3

    from baliedesk.storage.migrations_runner import check_revision

    _folder_writable(path.parent)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return  # a new database
    except OSError as exc:
        raise DataFolderNotWritable(str(path.parent)) from exc
    if size == 0:
        return  # SQLite's own empty database
    try:
        with path.open("rb") as f:
            header = f.read(100)
    except OSError as exc:
        raise DatabaseCorrupt(f"cannot read: {exc}") from exc
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise DatabaseCorrupt("not a SQLite database")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    wal = path.with_name(path.name + "-wal")
    if pages and size < page_size * pages and not wal.exists():
        raise DatabaseCorrupt(f"truncated: {size} of {page_size * pages} bytes")
    # Read-only from here: never a journal, a WAL switch or a recovery written into it.
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=SQLITE_BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        raise DatabaseCorrupt(str(exc)) from exc
    try:
        verdict = conn.execute("PRAGMA quick_check").fetchone()
        if verdict is None or verdict[0] != "ok":
            raise DatabaseCorrupt(f"quick_check: {verdict[0] if verdict else '?'}"[:300])
        has_version = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone()
        if has_version:
            check_revision(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatabaseUnavailable(str(exc), "busy") from exc
        raise DatabaseCorrupt(str(exc)[:300]) from exc
    except sqlite3.DatabaseError as exc:
        raise DatabaseCorrupt(str(exc)[:300]) from exc
    finally:
        conn.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            try:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DataFolderNotWritable(str(Path(database).parent)) from exc
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
            **kwargs,
        )
        _setup_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        kwargs.setdefault("pool_size", 4)
        deadline_s = kwargs.pop("deadline_s", TRANSACTION_DEADLINE_S)
        engine = create_engine(url, connect_args=postgres_connect_args(parsed.query.get("options")), **kwargs)
        if deadline_s:
            _cut_when_late(engine, deadline_s)  # first: it also covers the ping below
        if not kwargs.get("pool_pre_ping"):
            _ping_when_idle(engine)
        return engine
    raise ValueError(f"unsupported database: {parsed.get_backend_name()}")


def postgres_connect_args(url_options: Any = None) -> dict[str, Any]:
    """libpq parameters: connect timeout, keepalives, and the server-side timeouts as
    ``options`` (merged with any ``options`` the URL has, such as a search_path)."""
    ms = {"statement_timeout": STATEMENT_TIMEOUT_S, "lock_timeout": LOCK_TIMEOUT_S,
          "idle_in_transaction_session_timeout": IDLE_IN_TRANSACTION_TIMEOUT_S}
    ours = " ".join(f"-c {name}={int(seconds * 1000)}" for name, seconds in ms.items())
    if isinstance(url_options, (tuple, list)):
        url_options = " ".join(url_options)
    return {"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "baliedesk",
            "tcp_user_timeout": TCP_USER_TIMEOUT_MS, **KEEPALIVES,
            "options": f"{url_options} {ours}" if url_options else ours}


class _Watchdog:
    """Cuts connections checked out past their deadline: ``shutdown()`` on the socket wakes
    the thread waiting in libpq with "server closed the connection", which the unit of work
    reports as :class:`DatabaseUnavailable` (``reason="timeout"``); the pool drops the
    connection. One thread per engine; arming and disarming is a heap push and a dict write."""

    def __init__(self, name: str) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int]] = []
        self._armed: dict[int, tuple[float, Any]] = {}
        self._cut: set[int] = set()
        self._seq = itertools.count()
        self._name = name
        self._thread: threading.Thread | None = None
        self._stopped = False
        self.suspended = 0

    def stop(self) -> None:
        """End the thread (the engine is disposed); a later checkout starts it again."""
        with self._cond:
            self._stopped = True
            self._armed.clear()
            self._heap.clear()
            thread, self._thread = self._thread, None
            self._cond.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(2)

    def arm(self, record: Any, dbapi_conn: Any, seconds: float) -> None:
        if self.suspended:
            return
        self.disarm(record)
        key = next(self._seq)
        record.info["baliedesk_watch"] = key
        record.info.pop("baliedesk_cut", None)
        deadline = time.monotonic() + seconds
        with self._cond:
            self._armed[key] = (deadline, dbapi_conn)
            heapq.heappush(self._heap, (deadline, key))
            if self._thread is None:
                self._stopped = False
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            elif self._heap[0][1] == key:
                self._cond.notify()

    def disarm(self, record: Any) -> None:
        key = record.info.pop("baliedesk_watch", None)
        if key is not None:
            with self._cond:
                self._armed.pop(key, None)

    def was_cut(self, key: int | None) -> bool:
        """Whether the watchdog cut the checkout ``key`` (forgets it: ask once)."""
        with self._cond:
            if key in self._cut:
                self._cut.discard(key)
                return True
            return False

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0][1] not in self._armed:
                    if self._stopped:
                        return
                    if self._heap:
                        heapq.heappop(self._heap)  # disarmed meanwhile
                        continue
                    self._cond.wait()
                deadline, key = self._heap[0]
                delay = deadline - time.monotonic()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                heapq.heappop(self._heap)
                _deadline, dbapi_conn = self._armed.pop(key)
                self._cut.add(key)
                if len(self._cut) > 10_000:  # cut but never asked about: forget the oldest
                    self._cut = set(sorted(self._cut)[-1000:])
            _cut(dbapi_conn)


def _cut(dbapi_conn: Any) -> None:
    try:
        fd = dbapi_conn.pgconn.socket
        with socket.socket(fileno=os.dup(fd)) as sock:
            sock.shutdown(socket.SHUT_RDWR)
        log.warning("database connection cut: no answer within the deadline")
    except Exception as exc:  # noqa: BLE001 - closed meanwhile: nothing to cut
        log.debug("watchdog: nothing to cut (%s)", exc)


def _cut_when_late(engine: Engine, deadline_s: float) -> None:
    watchdog = _Watchdog(f"baliedesk-deadline-{id(engine):x}")
    watchdog.deadline_s = deadline_s  # type: ignore[attr-defined]
    engine.baliedesk_watchdog = watchdog  # type: ignore[attr-defined]

    @event.listens_for(engine, "checkout")
    def _arm(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        watchdog.arm(record, dbapi_conn, deadline_s)

    @event.listens_for(engine, "checkin")
    def _disarm(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            watchdog.disarm(record)


@contextmanager
def deadlines_suspended(engine: Engine) -> Iterator[None]:
    """No watchdog while migrations run (they may rightly take long)."""
    watchdog = getattr(engine, "baliedesk_watchdog", None)
    if watchdog is None:
        yield
        return
    watchdog.suspended += 1
    try:
        yield
    finally:
        watchdog.suspended -= 1


#: A pooled PostgreSQL connection unused for this long is tested before use.
PING_AFTER_IDLE_S = 2.0
#: A ping before use that gets no answer within this is a dead connection.
PING_DEADLINE_S = 2.0


def _ping_when_idle(engine: Engine) -> None:
    """Pessimistic disconnect handling, without a round trip on every checkout.

    A connection that sat in the pool for ``PING_AFTER_IDLE_S`` or more (a
    server restart, a firewall dropping idle sessions) is pinged before use and
    silently replaced when dead. One that was in use moments ago is handed out
    as it is: a busy counter saves a round trip on every action. Should it have
    died all the same, the action fails with ``StorageUnavailable`` and the pool
    starts afresh.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["baliedesk_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("baliedesk_idle_since")  # None: a new connection
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        watchdog = getattr(engine, "baliedesk_watchdog", None)
        if watchdog is not None:  # a ping that gets no answer fails fast (then: a new connection)
            watchdog.arm(record, dbapi_conn, PING_DEADLINE_S)
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # noqa: BLE001 - any failure means: replace it
            raise DisconnectionError(str(exc)[:300]) from exc
        if not alive:
            raise DisconnectionError("ping failed")
        if watchdog is not None:
            watchdog.arm(record, dbapi_conn, watchdog.deadline_s)


# A notification's own tiny transaction, sent right after the data committed.
# It commits asynchronously (no wait for the WAL flush): PostgreSQL serialises
# all notifying transactions of the cluster on one lock that is held until the
# commit is on disk, so a NOTIFY inside the data transaction would make every
# counter's "volgende" queue behind every other counter's fsync.
_NOTIFY_SQL = "SELECT set_config('synchronous_commit', 'off', true), pg_notify(%s, %s)"


class _SessionOnDemand:
    """What the repositories hold as their session: the unit of work's ORM session,
    made when first needed. ``connection()`` before that is the unit of work's own
    connection (the one the session would be bound to), so Core statements run
    without an ORM session at all."""

    __slots__ = ("_uow",)

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def connection(self, *args: Any, **kwargs: Any) -> Connection:
        session = self._uow._session
        return self._uow.connection if session is None else session.connection(*args, **kwargs)

    @property
    def new(self) -> Any:
        """Objects added but not yet flushed; asking makes no session (without one there are none)."""
        session = self._uow._session
        return () if session is None else session.new

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow.session, name)


class SqlUnitOfWork:
    """One user action = one transaction. Commit explicitly; leaving rolls back.

    The unit of work holds one pooled connection from start to end; the ORM
    session joins its transaction. Write units begin at once (on SQLite that is
    ``BEGIN IMMEDIATE``: the write lock from the start).
    """

    def __init__(self, engine: Engine, write: bool) -> None:
        self._engine = engine
        self._write = write
        self._topics: set[str] = set()

    def __enter__(self) -> SqlUnitOfWork:
        try:
            self.connection = self._engine.connect()
        except DBAPIError as exc:
            raise (classify(exc) or DatabaseUnavailable(str(exc.orig)[:300])) from exc
        self._watch_key = self.connection.connection.info.get("baliedesk_watch")
        try:
            if self._write:
                self.connection.execution_options(baliedesk_write=True)
            self.connection.begin()
        except DBAPIError as exc:
            timed_out = self._timed_out()
            self.connection.close()
            raise (classify(exc, timed_out=timed_out) or DatabaseUnavailable(str(exc.orig)[:300])) from exc
        self._session: Session | None = None
        handle = _SessionOnDemand(self)
        self.tickets = TicketRepository(handle)
        self.directory = DirectoryRepository(handle)
        self.schedules = ScheduleRepository(handle)
        self.appointments = AppointmentRepository(handle)
        self.meldingen = MeldingRepository(handle)
        self.contacts = ContactRepository(handle)
        self.auth = AuthRepository(handle)
        self.organisation = OrganisationRepository(handle)
        self.privacy = PrivacyRepository(handle)
        self.requests = RequestRepository(handle)
        self.reports = ReportRepository(handle)
        self.addresses = AddressRepository(handle)
        return self

    @property
    def session(self) -> Session:
        """The ORM session, made on first use (a unit of work of Core statements
        only, such as "volgende", never pays for one)."""
        if self._session is None:
            # "rollback_only": session.commit() flushes but leaves the commit to us;
            # session.rollback() rolls the connection's transaction back.
            self._session = Session(bind=self.connection, expire_on_commit=False, autoflush=True,
                                    join_transaction_mode="rollback_only")
        return self._session

    def changed(self, topic: str) -> None:
        """Tell listeners (hall screens, other counters) about this change once it is committed."""
        self._topics.add(topic)

    def flush(self) -> None:
        if self._session is not None:
            self._session.flush()

    def commit(self) -> None:
        if self._session is not None:
            self._session.commit()  # flush what the ORM holds
        self.connection.commit()  # the durable commit
        topics, self._topics = self._topics, set()
        if topics and self._engine.dialect.name == "postgresql":
            self._notify(",".join(sorted(topics))[:7000])

    def _notify(self, payload: str) -> None:
        """Send the change notification on this connection, after the commit (never for a rollback)."""
        raw = self.connection.connection.dbapi_connection
        try:
            raw.autocommit = True
            try:
                raw.execute(_NOTIFY_SQL, (NOTIFY_CHANNEL, payload))
            finally:
                raw.autocommit = False
        except Exception as exc:  # noqa: BLE001 - the change itself is committed
            # Listeners also refresh when their feed reconnects; a lost connection
            # shows up as StorageUnavailable on this workstation's next action.
            log.warning("change notification not sent: %s", exc)
            self.connection.invalidate()

    def rollback(self) -> None:
        if self._session is not None:
            self._session.rollback()
        else:
            self.connection.rollback()
        self._topics.clear()

    def _timed_out(self) -> bool:
        watchdog = getattr(self._engine, "baliedesk_watchdog", None)
        return watchdog is not None and watchdog.was_cut(self._watch_key)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        timed_out = self._timed_out() if isinstance(exc, DBAPIError) else False
        try:
            if self._session is not None:
                self._session.rollback()
        except DBAPIError:
            pass  # the connection is gone; the transaction died with it
        finally:
            if self._session is not None:
                self._session.close()
            try:
                self.connection.close()  # back to the pool, which rolls back what was not committed
            except DBAPIError:
                pass
        if isinstance(exc, (DBAPIError, DisconnectionError)) and not isinstance(exc, StorageFault):
            # Connection lost, server silent or down, SQLite busy past the timeout (temporary);
            # a read-only or damaged database (permanent): the services and the UI see a typed
            # fault, never a driver's error (see storage.faults).
            fault = classify(exc, timed_out=timed_out)
            if fault is not None:
                raise fault from exc


def describe_url(url: str) -> str:
    """"PostgreSQL baliedesk op db.example:5433" or "SQLite /path/file.db": the kind of
    database, its name and host, but never the user name or the password (window titles
    are seen over a clerk's shoulder; logs are read by others)."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - only for a title
        return "database"
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite {parsed.database or ':memory:'}"
    host = parsed.host or "localhost"
    if parsed.port:
        host = f"{host}:{parsed.port}"
    kind = "PostgreSQL" if parsed.get_backend_name() == "postgresql" else parsed.get_backend_name()
    return f"{kind} {parsed.database or ''} op {host}".replace("  ", " ")


class Database:
    """What the application holds: an engine, units of work, migrations, a change feed."""

    def __init__(self, url: str | None = None, **engine_kwargs: Any) -> None:
        self.url = normalise_url(url or default_database_url())
        self.engine = make_engine(self.url, **engine_kwargs)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def unit_of_work(self, write: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, write)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine) as session:
            yield session

    def check(self) -> None:
        """Refuse, before anything is written, a database this build must not touch: a SQLite
        file that is damaged or truncated (DatabaseCorrupt), of a newer schema (SchemaTooNew),
        in a folder that cannot be written (DataFolderNotWritable). Reads only."""
        path = sqlite_file(self.url)
        if path is not None:
            check_sqlite_file(path)

    def upgrade(self) -> str:
        """Check (see :meth:`check`), then bring the schema to this build's head.

        Raises the typed faults of :mod:`baliedesk.storage.faults` (an unreachable server:
        DatabaseUnavailable; a read-only one: DatabaseReadOnly), never a driver's error."""
        from baliedesk.storage.migrations_runner import upgrade

        self.check()
        try:
            with deadlines_suspended(self.engine):  # a migration may rightly take long
                return upgrade(self.engine)
        except DBAPIError as exc:
            fault = classify(exc)
            if fault is None:
                raise
            raise fault from exc

    def open_feed(self, **kwargs: Any):  # -> ChangeFeed
        from baliedesk.storage.feed import open_feed

        return open_feed(self.url, **kwargs)

    def describe(self) -> str:
        """Which database, for the window title and logs: never a user name or password."""
        return describe_url(self.url)

    def dispose(self) -> None:
        self.engine.dispose()
        watchdog = getattr(self.engine, "baliedesk_watchdog", None)
        if watchdog is not None:
            watchdog.stop()  # its thread ends with the engine (tests make hundreds of engines)

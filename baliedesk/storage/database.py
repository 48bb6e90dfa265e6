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

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from baliedesk.domain.errors import StorageUnavailable
from baliedesk.storage.auth import AuthRepository
from baliedesk.storage.meldingen import ContactRepository, MeldingRepository
from baliedesk.storage.organisation import OrganisationRepository
from baliedesk.storage.privacy import PrivacyRepository
from baliedesk.storage.repositories import DirectoryRepository, TicketRepository
from baliedesk.storage.schedules import AppointmentRepository, ScheduleRepository

log = logging.getLogger(__name__)

APP_NAME = "BalieDesk"
NOTIFY_CHANNEL = "baliedesk"
SQLITE_BUSY_TIMEOUT_S = 30.0


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


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
            **kwargs,
        )
        _setup_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        kwargs.setdefault("pool_size", 4)
        connect_args = {"connect_timeout": 5, "application_name": "baliedesk"}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        if not kwargs.get("pool_pre_ping"):
            _ping_when_idle(engine)
        return engine
    raise ValueError(f"unsupported database: {parsed.get_backend_name()}")


#: A pooled PostgreSQL connection unused for this long is tested before use.
PING_AFTER_IDLE_S = 2.0


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
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # noqa: BLE001 - any failure means: replace it
            raise DisconnectionError(str(exc)[:300]) from exc
        if not alive:
            raise DisconnectionError("ping failed")


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
            raise StorageUnavailable(str(exc.orig)[:300]) from exc
        try:
            if self._write:
                self.connection.execution_options(baliedesk_write=True)
            self.connection.begin()
        except DBAPIError as exc:
            self.connection.close()
            raise StorageUnavailable(str(exc.orig)[:300]) from exc
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

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
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
        if isinstance(exc, (OperationalError, InterfaceError)) or (
            isinstance(exc, DBAPIError) and exc.connection_invalidated
        ):
            # Connection lost, server down, or SQLite busy past the timeout:
            # the services and the UI see one typed error, never a driver's.
            raise StorageUnavailable(str(exc.orig if isinstance(exc, DBAPIError) else exc)[:300]) from exc


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

    def upgrade(self) -> str:
        from baliedesk.storage.migrations_runner import upgrade

        return upgrade(self.engine)

    def open_feed(self, **kwargs: Any):  # -> ChangeFeed
        from baliedesk.storage.feed import open_feed

        return open_feed(self.url, **kwargs)

    def describe(self) -> str:
        """Which database, for the window title and logs: never a user name or password."""
        return describe_url(self.url)

    def dispose(self) -> None:
        self.engine.dispose()

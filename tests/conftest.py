"""Shared fixtures: a migrated database on every backend, seeded demo data, a fixed clock.

``backend`` (and ``database_url`` for an empty, un-migrated database) run every
test that uses them twice: on a SQLite file and on PostgreSQL. PostgreSQL tests
get a fresh schema of their own (``search_path`` set through the libpq
``options`` parameter) that is dropped afterwards, so they never see each
other's rows and may run against a shared server.

PostgreSQL comes from ``BALIEDESK_TEST_PG_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``). Without a reachable server
the PostgreSQL variants are skipped, except under ``CI=true``: there a skipped
PostgreSQL test fails the run (both in the fixture and, as a safety net for
tests that skip by themselves, in ``pytest_sessionfinish``).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from functools import lru_cache  # noqa: E402

import pytest  # noqa: E402

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


# ---------------------------------------------------------------------------
# Cycles collected on the main thread only, as in the application (baliedesk/qtgc.py)
# ---------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _collect_on_the_main_thread() -> Iterator[None]:
    """No automatic collection, which would run on whichever thread allocates (a server thread, a
    feed, a background task) and there destroy the Qt objects in a cycle; the main thread collects
    what is due after every test. Long serial runs crashed inside Qt's event processing, the way
    such a collection makes Qt crash (see baliedesk/qtgc.py)."""
    import gc

    from baliedesk import qtgc

    gc.disable()
    yield
    gc.disable()  # a test may have turned it back on
    qtgc.collect_due()


# ---------------------------------------------------------------------------
# PostgreSQL availability
# ---------------------------------------------------------------------------
def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes", "on")


def pg_url() -> str:
    return os.environ.get("BALIEDESK_TEST_PG_URL", "").strip() or DEFAULT_PG_URL


def pg_conninfo(url: str | None = None) -> str:
    """The URL as libpq understands it (no SQLAlchemy driver suffix)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url or pg_url())
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _describe(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for a message
        return "<unparsable URL>"


@lru_cache(maxsize=1)
def pg_problem() -> str | None:
    """None when the test server answers; else why not (checked once per session)."""
    import psycopg

    url = pg_url()
    try:
        with psycopg.connect(pg_conninfo(url), connect_timeout=3, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "not usable"
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return (
            f"PostgreSQL not reachable at {_describe(url)}: set BALIEDESK_TEST_PG_URL or start a server "
            f"({first_line})"
        )
    return None


def require_postgres() -> None:
    """Skip the calling test without PostgreSQL; fail it under CI=true."""
    problem = pg_problem()
    if problem is None:
        return
    if under_ci():
        pytest.fail(f"CI=true and {problem}", pytrace=False)
    pytest.skip(problem)


# Safety net: any PostgreSQL test that ends up skipped under CI fails the session,
# whoever skipped it (a fixture, a test of another helper, a skip mark).
_SKIPPED_POSTGRES: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "postgres" in report.keywords and not hasattr(report, "wasxfail"):
        _SKIPPED_POSTGRES.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if under_ci() and _SKIPPED_POSTGRES:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if under_ci() and _SKIPPED_POSTGRES:
        terminalreporter.section("PostgreSQL tests skipped under CI", sep="=", red=True, bold=True)
        terminalreporter.line(
            f"CI=true but {len(_SKIPPED_POSTGRES)} PostgreSQL test(s) were skipped; this run counts as failed."
        )
        for nodeid in _SKIPPED_POSTGRES[:20]:
            terminalreporter.line(f"  {nodeid}")


# ---------------------------------------------------------------------------
# databases
# ---------------------------------------------------------------------------
def with_search_path(url: str, schema: str) -> str:
    """``url`` with libpq ``options=-csearch_path=<schema>``: every connection lives in that schema."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    query = dict(parsed.query)
    query["options"] = f"-csearch_path={schema}"
    return parsed.set(query=query).render_as_string(hide_password=False)


def create_pg_schema() -> tuple[str, str]:
    """A fresh empty schema; returns (schema, URL pointing at it)."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(pg_conninfo(), autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return schema, with_search_path(pg_url(), schema)


def _let_background_work_finish() -> None:
    """Windows run database reads on a thread pool; let them end before the schema goes."""
    tasks = sys.modules.get("baliedesk.ui.common.tasks")
    if tasks is not None and getattr(tasks, "_runner", None) is not None:
        tasks._runner.wait(10_000)


def drop_pg_schema(schema: str) -> None:
    import psycopg

    _let_background_work_finish()
    # A straggling read (a window's feed or task finishing late) can still hold
    # a table lock; DROP .. CASCADE then may be chosen as a deadlock victim.
    # That is a test-teardown race, not a product error: try again.
    for attempt in range(5):
        try:
            with psycopg.connect(pg_conninfo(), autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            return
        except (psycopg.errors.DeadlockDetected, psycopg.errors.LockNotAvailable):
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """The URL of an empty database (no tables): a SQLite file or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'baliedesk-test.sqlite3'}"
        return
    require_postgres()
    schema, url = create_pg_schema()
    try:
        yield url
    finally:
        drop_pg_schema(schema)


@pytest.fixture
def backend(database_url: str):
    """A migrated, empty :class:`~baliedesk.storage.database.Database` (both backends)."""
    from baliedesk.storage.database import Database

    db = Database(database_url)
    db.upgrade()
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def sqlite_backend(tmp_path):
    """A migrated SQLite database, for tests about SQLite itself."""
    from baliedesk.storage.database import Database

    db = Database(f"sqlite:///{tmp_path / 'baliedesk-sqlite.sqlite3'}")
    db.upgrade()
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def pg_backend():
    """A migrated PostgreSQL schema of its own, for tests about PostgreSQL itself.

    Tests using it are marked ``postgres`` automatically (see below).
    """
    from baliedesk.storage.database import Database

    require_postgres()
    schema, url = create_pg_schema()
    db = Database(url)
    try:
        db.upgrade()
        yield db
    finally:
        db.dispose()
        drop_pg_schema(schema)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "remote: a window test run through a BalieDesk server (make_client, remote "
                            "mode; PostgreSQL only)")
    config.addinivalue_line("markers", "local_only(reason): a window test that runs in-process only (no remote "
                            "variant of make_client), with the reason")


#: Window test modules whose remote variants run by default: one or more per kind of window (counter,
#: kiosk and its printing, hall screen, meldingen). ``BALIEDESK_TEST_REMOTE=all`` runs the remote variant
#: of every test that uses make_client (211 in all; about 3.5 minutes more on two workers). Not the
#: default: in three of four long serial runs with all of them the process crashed inside Qt's event
#: processing between two counter tests (see docs/architecture.md, "Window tests in both modes").
REMOTE_BY_DEFAULT = frozenset({
    "tests/ui/test_counter.py", "tests/ui/test_kiosk.py", "tests/printing/test_kiosk_printing.py",
    "tests/display/test_hall_screen.py", "tests/ui/test_meldingen_ui.py",
})


def _remote_everywhere() -> bool:
    return os.environ.get("BALIEDESK_TEST_REMOTE", "").strip().lower() == "all"


def _deselected_combination(item: pytest.Item) -> bool:
    """Remote mode runs on PostgreSQL only (central mode is PostgreSQL), not for local-only tests, and
    by default only in the modules of REMOTE_BY_DEFAULT."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    if params.get("client_mode") != "remote":
        return False
    if params.get("database_url") != "postgresql" or item.get_closest_marker("local_only") is not None:
        return True
    if _remote_everywhere():
        return False
    module = item.nodeid.split("::", 1)[0].replace("\\", "/")
    return module not in REMOTE_BY_DEFAULT


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "pg_backend" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.postgres)
    dropped = [item for item in items if _deselected_combination(item)]
    if dropped:
        items[:] = [item for item in items if not _deselected_combination(item)]
        config.hook.pytest_deselected(items=dropped)


@pytest.fixture
def now() -> dt.datetime:
    """Thursday 19 November 2026, 09:30 in Amsterdam (CET, UTC+1), as aware UTC."""
    return dt.datetime(2026, 11, 19, 8, 30, tzinfo=dt.UTC)


@pytest.fixture
def seeded(backend, now):
    """The demo municipality without history: one location, four services, three counters, staff."""
    from baliedesk.services import demo

    return demo.seed(backend, now, history=False)


# ---------------------------------------------------------------------------
# the windows' door: in-process, or through a BalieDesk server
# ---------------------------------------------------------------------------
@pytest.fixture(params=["local", pytest.param("remote", marks=pytest.mark.remote)])
def client_mode(request: pytest.FixtureRequest) -> str:
    """How a window test reaches the services: "local" (LocalClient) or "remote" (a TestServer).

    The combinations run are sqlite-local, postgresql-local and postgresql-remote
    (remote: by default in the modules of REMOTE_BY_DEFAULT; BALIEDESK_TEST_REMOTE=all for every one).
    """
    return request.param


@pytest.fixture
def make_client(backend, client_mode):
    """The windows' door for a test: ``make_client(user_id, clock=lambda: now)``.

    ``user_id`` None: a workstation nobody is signed in to yet (the counter's
    sign-in panel; local mode only, since a server knows nobody without a
    token). Windows are given this instead of the backend; they never see a
    user id or a clock of their own. ``backend=``: another backend than the
    test's (a wrapper that can make the database unreachable, say).

    Remote mode: one server on a loopback port per test and backend (started at
    the first call with that backend), with a token for ``user_id``. ``clock``
    becomes the server's clock (the one the services use); the clients follow
    it by the server's answers. The last clock given wins: give every client
    of a test the same clock.
    """
    from baliedesk.client import LocalClient

    if client_mode == "local":
        def make(user_id: int | None = None, *, clock=None, backend=backend) -> LocalClient:
            return LocalClient(backend, user_id=user_id, clock=clock, owns_backend=False)

        yield make
        return

    from tests.server_support import TestServer

    clocks: list = [lambda: dt.datetime.now(dt.UTC)]
    servers: dict[int, TestServer] = {}  # one per backend object (a hall PC's own connections, say)

    def make_remote(user_id: int | None = None, *, clock=None, backend=backend):
        if clock is not None:
            clocks.append(clock)
        server = servers.get(id(backend))
        if server is None:
            server = servers[id(backend)] = TestServer(backend, clock=lambda: clocks[-1]()).start()
        client = server.client(user_id)
        client.sync_clock()
        return client

    make_remote.servers = servers  # type: ignore[attr-defined]
    try:
        yield make_remote
    finally:
        for server in servers.values():
            server.stop()


@pytest.fixture
def kiosk_door(make_client, seeded):
    """``kiosk_door(clock)``: a client bound to the demo's kiosk device account (both modes)."""
    return lambda clock=None: make_client(seeded.users["kiosk-ingang"], clock=clock)


@pytest.fixture
def display_door(make_client, seeded):
    """``display_door(clock)``: a client bound to the demo's hall screen account (both modes)."""
    return lambda clock=None: make_client(seeded.users["scherm-hal"], clock=clock)

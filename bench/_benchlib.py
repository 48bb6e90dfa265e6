"""Shared plumbing for the benchmark scripts in ``bench/``.

* :func:`fresh_database` gives every run its own, empty database: a temporary
  SQLite file, or a dedicated PostgreSQL schema (selected with the libpq
  option ``-csearch_path=<schema>`` in the URL) that is dropped afterwards.
* :func:`seed_counters` seeds the demo municipality and makes sure there is one
  signed-out clerk and one counter (serving every service) per worker.
* :class:`BenchClock` gives all worker processes the same notion of "now":
  today 10:00 in the location's time zone plus the real time elapsed, so a run
  never straddles midnight (tickets of "yesterday" would not be called).

The benchmark scripts import SQLAlchemy and the storage layer freely; the
product's services never do.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
TIMEZONE = "Europe/Amsterdam"

# Worker processes are started with "spawn": they get this sys.path, so they can
# import this module (and the product, from the source tree if not installed).
for _p in (str(BENCH_DIR), str(ROOT)):
    if _p not in sys.path:
        sys.path.insert(0, _p)


def backend_of(url: str | None) -> str:
    if not url or url.startswith("sqlite"):
        return "sqlite"
    if url.startswith(("postgresql", "postgres")):
        return "postgresql"
    raise SystemExit(f"unsupported database URL: {url}")


def pg_reachable(url: str, timeout: float = 3.0) -> bool:
    import psycopg

    try:
        with psycopg.connect(_libpq_conninfo(url), connect_timeout=int(max(1, timeout))):
            return True
    except Exception:
        return False


def _libpq_conninfo(url: str) -> str:
    """A SQLAlchemy-style URL as a libpq URL (psycopg takes ``postgresql://``)."""
    from sqlalchemy.engine import make_url

    u = make_url(url).set(drivername="postgresql")
    return u.render_as_string(hide_password=False)


@contextmanager
def fresh_database(url: str | None, *, prefix: str = "bench") -> Iterator[str]:
    """Yield the URL of an empty database for one benchmark run.

    ``url`` None: a temporary SQLite file, removed afterwards. A SQLite URL: that
    file, which must not exist yet (a benchmark never writes into someone's real
    database); it is kept. A PostgreSQL URL: a new schema in that database,
    dropped afterwards.
    """
    if backend_of(url) == "sqlite":
        if not url:
            with tempfile.TemporaryDirectory(prefix=f"baliedesk-{prefix}-") as tmp:
                yield f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            return
        from sqlalchemy.engine import make_url

        path = make_url(url).database or ""
        if not path or path == ":memory:":
            raise SystemExit("give a SQLite file (sqlite:///path); worker processes cannot share :memory:")
        if Path(path).exists() and Path(path).stat().st_size > 0:
            raise SystemExit(f"{path} exists; a benchmark needs a new, empty SQLite file")
        yield url
        return

    import psycopg
    from sqlalchemy.engine import make_url

    schema = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = _libpq_conninfo(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    u = make_url(url)
    query = dict(u.query)
    options = query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    query["options"] = f"{options} -csearch_path={schema}".strip()
    try:
        yield u.set(query=query).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@dataclass(frozen=True)
class Workstation:
    user_id: int
    counter_id: int


@dataclass(frozen=True)
class Seeded:
    location_id: int
    kiosk_user_id: int
    admin_user_id: int
    service_ids: tuple[int, ...]
    workstations: tuple[Workstation, ...]


def seed_counters(db, workers: int, now: dt.datetime) -> Seeded:
    """The demo municipality (no history) plus one clerk and counter per worker."""
    from baliedesk.services import demo, setup

    ids = demo.seed(db, now, history=False)
    admin = ids.users["beheer"]
    services = tuple(sorted(ids.services.values()))
    stations = [
        Workstation(ids.users[name], ids.counters[counter])
        for name, counter in (("anne", "Balie 1"), ("jeroen", "Balie 2"), ("sanne", "Balie 3"))
    ][:workers]
    for i in range(len(stations), workers):
        user = setup.create_user(db, admin, f"bench-{i + 1:03d}", f"Bench medewerker {i + 1}", "baliemedewerker")
        counter = setup.create_counter(db, admin, ids.location_id, f"Bench {i + 1}", f"Balie B{i + 1}", services)
        stations.append(Workstation(user.id, counter.id))
    return Seeded(ids.location_id, ids.users["kiosk-ingang"], admin, services, tuple(stations))


def ordinary_workday(start: dt.date) -> dt.date:
    """The first Tuesday, Wednesday or Thursday from ``start`` that is no Dutch public holiday.

    The demo location may have opening hours, and its kiosk refuses tickets
    when it is closed; a benchmark must not depend on the day it is run.
    """
    import holidays

    closed = holidays.country_holidays("NL", years=range(start.year, start.year + 2))
    day = start
    while day.weekday() not in (1, 2, 3) or day in closed:
        day += dt.timedelta(days=1)
    return day


class BenchClock:
    """10:00 local time on an ordinary working day, plus the wall-clock time elapsed since ``epoch``.

    Every worker process uses the same clock (it is pickled to them), so their
    "now" agrees; a run never straddles midnight or closing time.
    """

    def __init__(self, epoch: float, base: dt.datetime) -> None:
        self.epoch = epoch
        self.base = base

    @property
    def day(self) -> dt.date:
        return self.base.astimezone(ZoneInfo(TIMEZONE)).date()

    @classmethod
    def start(cls) -> BenchClock:
        day = ordinary_workday(dt.datetime.now(ZoneInfo(TIMEZONE)).date())
        base = dt.datetime.combine(day, dt.time(10, 0), ZoneInfo(TIMEZONE)).astimezone(dt.UTC)
        return cls(time.time(), base)

    def now(self) -> dt.datetime:
        return self.base + dt.timedelta(seconds=time.time() - self.epoch)


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100.0 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def load_average() -> float | None:
    """The machine's 1-minute load average (a busy machine makes wall times noisy)."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):  # Windows
        return None


def server_cpu_reader(db: Any) -> Any:
    """A function giving the CPU seconds used so far by the database server
    process behind ``db``'s pooled connection, or None when that cannot be read
    (SQLite runs in-process; a PostgreSQL server on another machine, or a
    system without ``/proc/<pid>/schedstat``).

    The benchmarks run one connection per worker, so the pool hands the same
    connection (and server process) to every call of that worker.
    """
    if db.backend != "postgresql":
        return None
    with db.engine.connect() as conn:
        pid = conn.connection.dbapi_connection.info.backend_pid
    path = f"/proc/{pid}/schedstat"

    def read() -> float:
        with open(path) as f:  # noqa: PTH123 - read every call; tiny
            return int(f.read().split()[0]) / 1e9  # nanoseconds on a CPU

    try:
        read()
    except (OSError, ValueError, IndexError):
        return None
    return read


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000.0, 3)

"""Many counters and kiosks at once, in separate processes: nobody called twice, nobody lost.

Runs ``bench/queue_contention.py`` (imported by path) with small numbers on
SQLite and PostgreSQL. Only correctness is asserted; the timings it also
measures are for the benchmark, not for tests.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "queue_contention.py"

pytestmark = pytest.mark.slow


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _bench():
    return sys.modules.get("queue_contention") or _load("queue_contention", BENCH)


@pytest.fixture(params=[pytest.param("sqlite", id="sqlite"),
                        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)])
def bench_url(request, tmp_path):
    """A URL the benchmark makes its own fresh database from (a new SQLite file; a schema on PostgreSQL)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'contention.sqlite3'}"
    # The suite's one PostgreSQL switch: BALIEDESK_TEST_PG_URL, skip without a
    # server, fail under CI=true (tests/conftest.py).
    conftest = sys.modules.get("conftest") or _load("conftest", Path(__file__).with_name("conftest.py"))
    conftest.require_postgres()
    return conftest.pg_url()


@pytest.mark.parametrize(("workers", "tickets"), [(4, 60), (8, 96)], ids=["4-workers", "8-workers"])
def test_no_ticket_is_called_twice_or_lost(bench_url, workers, tickets):
    result = _bench().run(bench_url, workers, tickets, deadline_s=240.0)

    assert result["errors"] == 0, result["error_samples"]
    assert not result["timed_out"]
    assert result["issued"] == tickets
    assert result["duplicates"] == 0
    assert result["lost"] == 0
    assert result["served"] == tickets
    assert result["double_finished"] == 0
    assert result["missing_events"] == 0
    assert result["claims"] == tickets

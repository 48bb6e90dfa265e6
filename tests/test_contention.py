"""Many counters and kiosks at once, in separate processes: nobody called twice, nobody lost.

Runs ``bench/queue_contention.py`` (imported by path) with small numbers on
SQLite and PostgreSQL (the suite's ``database_url`` fixture: a new SQLite file,
or a schema of its own on the test server, in which the benchmark makes its own
schema). Only correctness is asserted; the timings it also measures are for the
benchmark, not for tests.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "queue_contention.py"

pytestmark = pytest.mark.slow


def _bench():
    name = "queue_contention"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BENCH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.mark.parametrize(("workers", "tickets"), [(4, 60), (8, 96)], ids=["4-workers", "8-workers"])
def test_no_ticket_is_called_twice_or_lost(database_url, workers, tickets):
    result = _bench().run(database_url, workers, tickets, deadline_s=240.0)

    assert result["errors"] == 0, result["error_samples"]
    assert not result["timed_out"]
    assert result["issued"] == tickets
    assert result["duplicates"] == 0
    assert result["lost"] == 0
    assert result["served"] == tickets
    assert result["double_finished"] == 0
    assert result["missing_events"] == 0
    assert result["claims"] == tickets

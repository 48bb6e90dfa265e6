"""Fixtures shared by the window tests (the database fixtures live in tests/conftest.py)."""

from __future__ import annotations

import pytest

from baliedesk.services import demo
from baliedesk.ui.common.tasks import runner


@pytest.fixture(autouse=True)
def _drain_tasks():
    """Let every background read or write of a test end before the next test (and its database teardown)."""
    yield
    runner().wait(10_000)


@pytest.fixture
def hours(backend, seeded, now):
    """The demo municipality with Loppersum's opening hours (Thursday evening included)."""
    demo.seed_hours(backend, seeded, now)
    return seeded


# make_client (local and remote mode) lives in tests/conftest.py: the hall screen and printing tests use it too.

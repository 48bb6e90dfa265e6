"""Fixtures shared by the window tests (the database fixtures live in tests/conftest.py)."""

from __future__ import annotations

import pytest

from baliedesk.services import demo
from baliedesk.ui.tasks import runner


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

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


@pytest.fixture
def make_client(backend):
    """The windows' door for a test: ``make_client(user_id, clock=lambda: now)``.

    ``user_id`` None: a workstation nobody is signed in to yet (the counter's
    sign-in panel). Windows are given this instead of the backend; they never
    see a user id or a clock of their own.
    """
    from baliedesk.client import LocalClient

    def make(user_id: int | None = None, *, clock=None) -> LocalClient:
        return LocalClient(backend, user_id=user_id, clock=clock, owns_backend=False)

    return make

"""Wait and handling times come from the events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from baliedesk.domain.timeline import durations, is_gone

T0 = dt.datetime(2026, 11, 19, 8, 30, tzinfo=dt.UTC)


@dataclass
class Ev:
    action: str
    at: dt.datetime


def evs(*pairs: tuple[str, float]) -> list[Ev]:
    """(action, minutes after T0) pairs."""
    return [Ev(action, T0 + dt.timedelta(minutes=m)) for action, m in pairs]


def test_simple_visit():
    d = durations(evs(("issue", 0), ("call", 5), ("recall", 6), ("start", 7), ("finish", 19)))
    assert d.first_wait_s == 300
    assert d.total_wait_s == 300
    assert d.handling_s == 14 * 60  # from the (last) call to the finish
    assert d.calls == 1


def test_put_back_adds_a_second_stretch_of_waiting():
    d = durations(evs(("issue", 0), ("call", 4), ("requeue", 6), ("call", 16), ("finish", 20)))
    assert d.first_wait_s == 240
    assert d.total_wait_s == 240 + 600
    assert d.handling_s == 240  # only the last call counts
    assert d.calls == 2


@pytest.mark.parametrize("back", ["transfer", "release", "requeue"])
def test_every_way_back_into_the_queue_counts_as_waiting(back):
    d = durations(evs(("issue", 0), ("call", 1), ("start", 2), (back, 3), ("call", 8), ("finish", 9)))
    assert d.total_wait_s == 60 + 300
    assert d.calls == 2


def test_transfer_while_waiting_does_not_restart_the_wait():
    d = durations(evs(("issue", 0), ("transfer", 3), ("call", 10), ("finish", 15)))
    assert d.first_wait_s == 600
    assert d.total_wait_s == 600


def test_never_called():
    d = durations(evs(("issue", 0), ("cancel", 12)))
    assert d.first_wait_s is None and d.handling_s is None
    assert d.total_wait_s == 0 and d.calls == 0


def test_no_show_has_no_handling_time():
    d = durations(evs(("issue", 0), ("call", 2), ("recall", 3), ("recall", 4), ("no_show", 5)))
    assert d.first_wait_s == 120 and d.handling_s is None and d.calls == 1


def test_no_events():
    assert durations([]) == durations(iter(()))
    assert durations([]).first_wait_s is None


def test_is_gone():
    assert is_gone(None, T0, 120)
    assert not is_gone(T0, T0, 120)
    assert not is_gone(T0 - dt.timedelta(seconds=120), T0, 120)
    assert is_gone(T0 - dt.timedelta(seconds=121), T0, 120)

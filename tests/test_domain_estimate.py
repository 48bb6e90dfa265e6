"""An honest estimated wait."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from baliedesk.domain.estimate import (
    MIN_PLAUSIBLE_SECONDS,
    RECENT_SAMPLE,
    estimate_wait,
    typical_handling_seconds,
)

history = st.lists(st.floats(0, 3600), max_size=40)


def test_no_open_counter_means_no_estimate():
    est = estimate_wait(3, 0, [300.0] * 5, 10)
    assert est.minutes is None
    assert est.counters_open == 0 and est.people_ahead == 3


def test_nobody_ahead_one_counter_uses_expected_time_without_history():
    est = estimate_wait(0, 1, [], expected_minutes=10)
    assert not est.from_history
    assert est.handling_seconds == 600
    # The one counter is, on average, half-way through a visit.
    assert est.minutes == 5


def test_people_ahead_share_the_counters():
    # 600 s a visit, two counters: 600/3 until one frees up, then 2 * 600/2.
    assert estimate_wait(2, 2, [], 10).minutes == 14


def test_history_median_replaces_the_expected_time():
    est = estimate_wait(0, 1, [300.0, 900.0, 600.0], expected_minutes=30)
    assert est.from_history and est.handling_seconds == 600


def test_implausibly_short_visits_do_not_count():
    assert typical_handling_seconds([1.0, 5.0, 300.0, 600.0], 7) == (420.0, False)
    assert typical_handling_seconds([MIN_PLAUSIBLE_SECONDS, 300.0, 600.0], 7) == (300.0, True)


def test_only_recent_visits_count():
    old = [60.0] * 30
    recent = [480.0] * RECENT_SAMPLE
    assert typical_handling_seconds(old + recent, 5) == (480.0, True)


def test_tiny_expected_time_is_at_least_a_minute():
    assert typical_handling_seconds([], 0.1) == (60.0, False)


@given(st.integers(0, 200), st.integers(1, 20), st.integers(1, 20), history, st.floats(1, 240))
def test_more_counters_never_longer(ahead, c1, c2, recent, expected):
    lo, hi = sorted((c1, c2))
    a, b = estimate_wait(ahead, lo, recent, expected), estimate_wait(ahead, hi, recent, expected)
    assert a.minutes is not None and b.minutes is not None
    assert b.minutes <= a.minutes


@given(st.integers(0, 200), st.integers(0, 200), st.integers(1, 20), history, st.floats(1, 240))
def test_more_people_ahead_never_shorter(p1, p2, counters, recent, expected):
    lo, hi = sorted((p1, p2))
    assert estimate_wait(lo, counters, recent, expected).minutes <= estimate_wait(hi, counters, recent, expected).minutes


@given(st.integers(0, 200), st.integers(0, 20), history, st.floats(1, 240))
def test_estimate_is_whole_positive_minutes_or_none(ahead, counters, recent, expected):
    est = estimate_wait(ahead, counters, recent, expected)
    if counters == 0:
        assert est.minutes is None
    else:
        assert isinstance(est.minutes, int) and est.minutes >= 1

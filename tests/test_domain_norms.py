"""domain/norms.py: day parts, periods, percentiles, outliers, targets, comments (plain Python)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baliedesk.domain import norms as N
from baliedesk.domain.errors import ValidationError

# Loppersum, Thursday: 09:00-12:30, 13:30-16:30 and the evening 17:00-19:30 (in minutes).
THURSDAY = ((540, 750), (810, 990), (1020, 1170))


@pytest.mark.parametrize(("minute", "part"), [
    (540, "dag"), (749, "dag"), (780, "dag"),  # in the lunch break: by the clock, before 17:00
    (1005, "dag"),  # 16:45, between the afternoon and the evening
    (1020, "avond"), (1169, "avond"), (1175, "avond"),  # 19:35, after closing: by the clock
])
def test_day_part_on_thursday(minute, part):
    assert N.day_part(minute, THURSDAY).value == part


def test_an_evening_is_a_period_starting_at_or_after_17():
    assert N.day_part(1000, ((960, 1200),)) is N.DayPart.DAY  # 16:00-20:00 is one daytime period
    assert N.day_part(1100, ((960, 1200),)) is N.DayPart.DAY


def test_quarters_and_previous_periods():
    assert N.parse_quarter("2026Q3") == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert N.parse_quarter("2026-Q4") == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert N.previous_period(dt.date(2026, 7, 1), dt.date(2026, 9, 30)) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert N.previous_period(dt.date(2026, 1, 1), dt.date(2026, 3, 31)) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert N.previous_period(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert N.previous_period(dt.date(2026, 11, 9), dt.date(2026, 11, 15)) == (dt.date(2026, 11, 2), dt.date(2026, 11, 8))
    for bad in ("2026Q5", "Q3", 2026, "1999Q1"):
        with pytest.raises(ValidationError):
            N.parse_quarter(bad)


@given(st.lists(st.integers(0, 5000), min_size=1, max_size=60), st.sampled_from([50, 80, 90, 100]))
def test_percentile_from_histogram_equals_sorted_list(values, p):
    s = sorted(values)
    rank = -(-p * len(s) // 100)
    assert N.percentile(N.histogram(values), p) == s[max(1, rank) - 1]


def test_outliers_left_out_of_the_average():
    h = N.handling(N.histogram([600, 600, 600, 600, 10800]))
    assert (h.median_s, h.limit_s, h.outliers, h.average_s) == (600, 2400, 1, 600.0)
    assert N.handling({}).average_s is None


def test_targets_checked():
    assert N.clean_spec("walk_in_wait", 90, 15).threshold == 15.0
    assert N.clean_spec("melding_days", 8.2).target == 8.2
    for args in (("walk_in_wait", 101), ("walk_in_wait", 90, 0), ("melding_term", 90, 5), ("x", 1),
                 ("walk_in_wait", float("nan")), ("walk_in_wait", True), ("walk_in_wait", 90, 7.5)):
        with pytest.raises(ValidationError):
            N.clean_spec(*args)
    spec = N.DEFAULTS[N.Norm.MELDING_DAYS]
    assert N.verdict(spec, 8.2) is N.Verdict.MET and N.verdict(spec, 9.0) is N.Verdict.NEAR
    assert N.verdict(N.DEFAULTS[N.Norm.WALK_IN_WAIT], 80) is N.Verdict.MISSED
    assert N.verdict(spec, None) is N.Verdict.NO_DATA


@given(st.text(max_size=400))
def test_comments_are_one_short_line(text):
    out = N.scrub_comment(text)
    assert out is None or (len(out) <= N.COMMENT_MAX_LENGTH and "\n" not in out and out == out.strip())


def test_comments_lose_contact_details():
    out = N.scrub_comment("Mail a.b@gemeente.nl of bel +31 6 1234 5678, ik woon 9988 AB")
    assert "gemeente.nl" not in out and "1234" not in out and "9988" not in out


_day = st.dates(dt.date(2025, 12, 1), dt.date(2027, 1, 31))


@settings(deadline=None)  # the first call computes the holidays of the years
@given(st.lists(st.tuples(_day, _day, st.integers(1, 5)), max_size=30),
       st.sets(_day, max_size=5), st.sets(_day, max_size=3))
def test_handling_working_days_total_is_the_sum_per_pair(groups, closed, opened):
    """The total by working-day numbers equals the sum of handling_working_days pair by pair (holidays,
    extra closures, opened holidays and a closure before receipt included)."""
    from baliedesk.domain.calendar import WorkdayCalendar

    cal = WorkdayCalendar(closed_days=closed, opened_days=opened)
    assert N.handling_working_days_total(cal, groups) == sum(n * N.handling_working_days(cal, r, c)
                                                             for r, c, n in groups)

"""The working-day calendar and opening schedules (domain, no database)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baliedesk.domain.calendar import (
    ClosureReason,
    DayException,
    DayStatus,
    Holiday,
    HolidayPolicy,
    KioskVerdict,
    LiberationDay,
    Period,
    Schedule,
    WeeklyPattern,
    WorkdayCalendar,
    closure_holidays,
    friday_after_ascension,
    intersect,
    parse_periods,
    parse_time,
    periods_input_text,
    subtract,
    validate_periods,
)
from baliedesk.domain.errors import PeriodInsideOut, PeriodsOverlap, ValidationError

AMS = ZoneInfo("Europe/Amsterdam")
D = dt.date

LOPPERSUM = WeeklyPattern.build({
    0: [("09:00", "12:30"), ("13:30", "16:30")],
    1: [("09:00", "12:30"), ("13:30", "16:30")],
    2: [("09:00", "12:30"), ("13:30", "16:30")],
    3: [("09:00", "12:30"), ("13:30", "16:30"), ("17:00", "19:30")],
    4: [("09:00", "12:30"), ("13:30", "16:30")],
})
DAYTIME_ONLY = WeeklyPattern.build({wd: [("09:00", "12:30"), ("13:30", "16:30")] for wd in range(5)})
PASPOORT, UITTREKSEL = 1, 3


def local(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=AMS)


def loppersum(**kwargs) -> Schedule:
    return Schedule(LOPPERSUM, service_patterns={UITTREKSEL: DAYTIME_ONLY}, **kwargs)


# ---------------------------------------------------------------------------
# holidays and the municipality's choices
# ---------------------------------------------------------------------------
def test_default_closure_days_2026():
    days = closure_holidays(2026)
    assert days == {
        D(2026, 1, 1): Holiday.NEW_YEAR,
        D(2026, 4, 6): Holiday.EASTER_MONDAY,
        D(2026, 4, 27): Holiday.KINGS_DAY,
        D(2026, 5, 14): Holiday.ASCENSION,
        D(2026, 5, 25): Holiday.WHIT_MONDAY,
        D(2026, 12, 25): Holiday.CHRISTMAS,
        D(2026, 12, 26): Holiday.BOXING_DAY,
    }


@pytest.mark.parametrize("year, expected", [
    (2014, D(2014, 4, 26)),  # 27 April 2014 was a Sunday
    (2025, D(2025, 4, 26)),  # and again in 2025
    (2026, D(2026, 4, 27)),
    (2031, D(2031, 4, 26)),
    (2036, D(2036, 4, 26)),
    (2037, D(2037, 4, 27)),
])
def test_koningsdag_moves_to_the_26th_when_the_27th_is_a_sunday(year, expected):
    kings = [d for d, h in closure_holidays(year).items() if h is Holiday.KINGS_DAY]
    assert kings == [expected]
    assert (D(year, 4, 27).weekday() == 6) == (expected.day == 26)


@given(st.integers(min_value=2014, max_value=2099))
def test_koningsdag_rule_for_every_year(year):
    kings = [d for d, h in closure_holidays(year).items() if h is Holiday.KINGS_DAY]
    assert kings == [D(year, 4, 26) if D(year, 4, 27).weekday() == 6 else D(year, 4, 27)]


def test_good_friday_is_a_choice():
    good_friday = D(2026, 4, 3)
    assert good_friday not in closure_holidays(2026)
    assert closure_holidays(2026, HolidayPolicy(good_friday=True))[good_friday] is Holiday.GOOD_FRIDAY
    assert WorkdayCalendar().is_working_day(good_friday)
    assert not WorkdayCalendar(HolidayPolicy(good_friday=True)).is_working_day(good_friday)


@pytest.mark.parametrize("rule, closed_years", [
    (LiberationDay.EVERY_YEAR, {2025, 2026, 2027, 2028, 2029, 2030}),
    (LiberationDay.LUSTRUM, {2025, 2030}),
    (LiberationDay.NEVER, set()),
])
def test_bevrijdingsdag_every_year_lustrum_or_never(rule, closed_years):
    policy = HolidayPolicy(liberation_day=rule)
    got = {y for y in range(2025, 2031) if closure_holidays(y, policy).get(D(y, 5, 5)) is Holiday.LIBERATION_DAY}
    assert got == closed_years


def test_policy_parse_refuses_unknown_rule():
    with pytest.raises(ValidationError) as err:
        HolidayPolicy.parse(False, "sometimes")
    assert err.value.field == "liberation_day"
    assert HolidayPolicy.parse(1, "never") == HolidayPolicy(True, LiberationDay.NEVER)


def test_friday_after_ascension():
    assert friday_after_ascension(2026) == D(2026, 5, 15)
    assert friday_after_ascension(2027) == D(2027, 5, 7)


# ---------------------------------------------------------------------------
# working days
# ---------------------------------------------------------------------------
def test_working_days_around_christmas_2026():
    cal = WorkdayCalendar()
    # Thursday 24 Dec + 1 working day: Friday 25 and Saturday 26 are closed -> Monday 28.
    assert cal.add_working_days(D(2026, 12, 24), 1) == D(2026, 12, 28)
    assert cal.add_working_days(D(2026, 12, 24), 2) == D(2026, 12, 29)
    assert cal.working_days_between(D(2026, 12, 24), D(2026, 12, 28)) == 1
    assert cal.closure_reason(D(2026, 12, 25)) is ClosureReason.HOLIDAY
    assert cal.closure_reason(D(2026, 12, 27)) is ClosureReason.WEEKEND
    assert cal.add_working_days(D(2026, 12, 24), 0) == D(2026, 12, 24)


def test_extra_closure_and_extra_opening():
    bridge = friday_after_ascension(2026)
    cal = WorkdayCalendar(closed_days=[bridge], opened_days=[D(2026, 4, 27)])
    assert cal.closure_reason(bridge) is ClosureReason.EXTRA_CLOSURE
    assert cal.add_working_days(D(2026, 5, 13), 1) == D(2026, 5, 18)  # skips Ascension and the bridge day
    assert cal.is_working_day(D(2026, 4, 27))  # open on Koningsdag this once
    assert not cal.is_working_day(D(2026, 4, 25))  # a Saturday stays a Saturday


def test_moments_count_by_their_local_date():
    cal = WorkdayCalendar()
    # 23:30 UTC on Thursday 19 Nov is already Friday 20 Nov in Amsterdam.
    late = dt.datetime(2026, 11, 19, 23, 30, tzinfo=dt.UTC)
    assert cal.add_working_days(late, 1) == D(2026, 11, 23)
    assert cal.working_days_between(late, dt.datetime(2026, 11, 23, 8, tzinfo=dt.UTC)) == 1
    with pytest.raises(ValidationError):
        cal.add_working_days(dt.datetime(2026, 11, 19, 12), 1)
    with pytest.raises(ValidationError):
        cal.add_working_days(D(2026, 11, 19), -1)


policies = st.builds(HolidayPolicy, st.booleans(), st.sampled_from(list(LiberationDay)))
days = st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31))


@st.composite
def calendars(draw):
    policy = draw(policies)
    closed = draw(st.lists(days, max_size=20))
    opened = draw(st.lists(days, max_size=5))
    return WorkdayCalendar(policy, closed, opened)


@settings(max_examples=300, deadline=None)
@given(calendars(), days, st.integers(min_value=0, max_value=400))
def test_adding_n_then_counting_back_gives_n(cal, start, n):
    end = cal.add_working_days(start, n)
    assert cal.working_days_between(start, end) == n
    assert cal.working_days_between(end, start) == -n


@settings(max_examples=300, deadline=None)
@given(calendars(), days, st.integers(min_value=1, max_value=400))
def test_no_deadline_falls_on_a_closure_day(cal, start, n):
    end = cal.add_working_days(start, n)
    assert end > start
    assert cal.is_working_day(end)
    assert end.weekday() < 5
    assert end not in cal.closed_days
    holiday = closure_holidays(end.year, cal.policy).get(end)
    assert holiday is None or end in cal.opened_days
    # ... and it is the first such day: one day earlier is n-1 working days.
    assert cal.working_days_between(start, end - dt.timedelta(days=1)) == n - 1


@settings(deadline=None)
@given(calendars(), days, days, days)
def test_counting_is_additive(cal, a, b, c):
    assert cal.working_days_between(a, b) + cal.working_days_between(b, c) == cal.working_days_between(a, c)


@settings(deadline=None)
@given(calendars(), days, st.integers(min_value=0, max_value=800))
def test_counting_agrees_with_checking_day_by_day(cal, start, span):
    end = start + dt.timedelta(days=span)
    by_day = sum(1 for i in range(1, span + 1) if cal.is_working_day(start + dt.timedelta(days=i)))
    assert cal.working_days_between(start, end) == by_day


# ---------------------------------------------------------------------------
# periods and validation
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("text, minutes", [
    ("9:00", 540), ("09.00", 540), ("9", 540), ("19.30 uur", 1170), (" 17:05 ", 1025), ("24:00", 1440), ("0:00", 0),
])
def test_parse_time(text, minutes):
    assert parse_time(text) == minutes


@pytest.mark.parametrize("text", ["", "25:00", "12:60", "9:5", "noon", "-1:00", "24:01", None, "12:30:00"])
def test_parse_time_refuses(text):
    with pytest.raises(ValidationError) as err:
        parse_time(text, field="start")
    assert (err.value.field, err.value.code) == ("start", "invalid_time")


@given(st.one_of(st.text(), st.integers(), st.none(), st.floats(allow_nan=True)))
def test_parse_time_never_crashes(value):
    try:
        minutes = parse_time(value)
    except ValidationError:
        return
    assert 0 <= minutes <= 1440


def test_inside_out_period_is_refused_with_the_facts():
    with pytest.raises(PeriodInsideOut) as err:
        WeeklyPattern.build({3: [("17:00", "19:30"), ("16:30", "13:30")]})
    assert (err.value.start, err.value.end, err.value.weekday) == (990, 810, 3)
    with pytest.raises(PeriodInsideOut):
        validate_periods([("10:00", "10:00")])


def test_overlapping_periods_are_refused_with_the_facts():
    with pytest.raises(PeriodsOverlap) as err:
        DayException.build(D(2026, 12, 24), [("09:00", "12:30"), ("12:00", "15:00")])
    e = err.value
    assert (e.first_start, e.first_end, e.second_start, e.second_end) == (540, 750, 720, 900)
    assert e.day == D(2026, 12, 24) and e.weekday is None


def test_touching_periods_are_fine_and_sorted():
    assert validate_periods([("13:00", "16:00"), ("09:00", "13:00")]) == (Period(540, 780), Period(780, 960))


def test_weekday_must_be_0_to_6():
    with pytest.raises(ValidationError):
        WeeklyPattern.build({7: [("09:00", "10:00")]})


period_input = st.tuples(st.one_of(st.integers(-100, 1600), st.text(max_size=6)),
                         st.one_of(st.integers(-100, 1600), st.text(max_size=6)))


@given(st.lists(st.one_of(period_input, st.just(("x",)), st.none()), max_size=6))
def test_validate_periods_never_crashes_and_returns_a_clean_day(raw):
    try:
        periods = validate_periods(raw)
    except (ValidationError, PeriodInsideOut, PeriodsOverlap):
        return
    for p in periods:
        assert 0 <= p.start < p.end <= 1440
    for a, b in zip(periods, periods[1:]):
        assert a.end <= b.start


sorted_periods = st.lists(st.tuples(st.integers(0, 1439), st.integers(1, 240)), max_size=5).map(
    lambda xs: _clean([(s, min(1440, s + length)) for s, length in xs]))


def _clean(pairs):
    out = []
    for s, e in sorted(pairs):
        if out and s < out[-1].end:
            continue
        out.append(Period(s, e))
    return tuple(out)


@given(sorted_periods, sorted_periods, st.integers(0, 1439))
def test_intersect_and_subtract_agree_minute_by_minute(a, b, minute):
    in_a = any(p.contains(minute) for p in a)
    in_b = any(p.contains(minute) for p in b)
    assert any(p.contains(minute) for p in intersect(a, b)) == (in_a and in_b)
    assert any(p.contains(minute) for p in subtract(a, b)) == (in_a and not in_b)


# ---------------------------------------------------------------------------
# the schedule: Loppersum with its Thursday evening
# ---------------------------------------------------------------------------
def test_loppersum_thursday_evening():
    s = loppersum()
    thursday = D(2026, 11, 19)
    assert [str(p) for p in s.day(thursday).periods] == ["09:00-12:30", "13:30-16:30", "17:00-19:30"]
    assert s.is_open(local(2026, 11, 19, 18, 0))
    assert s.is_open(local(2026, 11, 19, 18, 0), PASPOORT)  # collecting a passport in the evening
    assert not s.is_open(local(2026, 11, 19, 18, 0), UITTREKSEL)  # daytime only
    assert s.closes_at(local(2026, 11, 19, 18, 0)) == local(2026, 11, 19, 19, 30)
    assert s.next_opening(local(2026, 11, 19, 16, 45)) == local(2026, 11, 19, 17, 0)
    assert s.next_opening(local(2026, 11, 19, 16, 45), UITTREKSEL) == local(2026, 11, 20, 9, 0)
    assert not s.is_open(local(2026, 11, 18, 18, 0))  # Wednesday: no evening
    assert s.day(thursday).closes == 19 * 60 + 30


def test_lunch_break_and_period_edges():
    s = loppersum()
    assert s.is_open(local(2026, 11, 19, 9, 0))
    assert not s.is_open(local(2026, 11, 19, 12, 30))
    assert not s.is_open(local(2026, 11, 19, 13, 0))
    assert s.next_opening(local(2026, 11, 19, 12, 45)) == local(2026, 11, 19, 13, 30)


def test_holidays_and_exceptions_in_the_schedule():
    bridge = friday_after_ascension(2026)
    s = loppersum(exceptions={
        bridge: DayException.build(bridge, note="brugdag"),
        D(2026, 12, 24): DayException.build(D(2026, 12, 24), [("09:00", "14:00")], "Kerstavond"),
    })
    assert s.day(D(2026, 5, 14)).status is DayStatus.HOLIDAY
    assert s.day(D(2026, 5, 14)).holiday is Holiday.ASCENSION
    assert s.day(bridge).status is DayStatus.CLOSED and s.day(bridge).note == "brugdag"
    # Wednesday 13 May 16:45: next opening skips Ascension, the bridge day and the weekend.
    assert s.next_opening(local(2026, 5, 13, 16, 45)) == local(2026, 5, 18, 9, 0)
    eve = s.day(D(2026, 12, 24))  # a Thursday: other hours replace the evening
    assert eve.status is DayStatus.OTHER_HOURS and [str(p) for p in eve.periods] == ["09:00-14:00"]
    assert [str(p) for p in s.day(D(2026, 12, 24), UITTREKSEL).periods] == ["09:00-14:00"]
    assert s.calendar.add_working_days(D(2026, 5, 13), 1) == D(2026, 5, 18)
    assert s.day(D(2026, 11, 21)).status is DayStatus.NO_HOURS


def test_service_exception_narrows_but_never_widens():
    day = D(2026, 11, 19)
    s = loppersum(service_exceptions={
        (PASPOORT, day): DayException.build(day, [("08:00", "11:00")], "storing"),
        (UITTREKSEL, D(2026, 11, 20)): DayException.build(D(2026, 11, 20)),
    })
    assert [str(p) for p in s.day(day, PASPOORT).periods] == ["09:00-11:00"]
    assert s.day(D(2026, 11, 20), UITTREKSEL).status is DayStatus.CLOSED
    assert s.day(D(2026, 11, 20), PASPOORT).is_open


def test_opened_holiday_counts_as_working_day():
    kings = D(2026, 4, 27)
    s = loppersum(exceptions={kings: DayException.build(kings, [("09:00", "12:00")])})
    assert s.day(kings).is_open and s.calendar.is_working_day(kings)


def test_kiosk_stops_before_closing():
    s = loppersum()
    assert s.kiosk_check(local(2026, 11, 19, 19, 10), stop_minutes=15).verdict is KioskVerdict.OPEN
    closing = s.kiosk_check(local(2026, 11, 19, 19, 15), stop_minutes=15)
    assert closing.verdict is KioskVerdict.CLOSING
    assert closing.closes_at == local(2026, 11, 19, 19, 30)
    assert closing.next_opening == local(2026, 11, 20, 9, 0)
    closed = s.kiosk_check(local(2026, 11, 21, 10, 0), stop_minutes=15)  # Saturday
    assert closed.verdict is KioskVerdict.CLOSED and closed.next_opening == local(2026, 11, 23, 9, 0)


def test_dst_change_keeps_local_hours():
    s = loppersum()
    # Monday 30 March 2026, the day after summer time started: 09:00 local is 07:00 UTC.
    assert s.open_periods(D(2026, 3, 30))[0].start == dt.datetime(2026, 3, 30, 7, 0, tzinfo=dt.UTC)
    assert s.open_periods(D(2026, 3, 27))[0].start == dt.datetime(2026, 3, 27, 8, 0, tzinfo=dt.UTC)


def test_nothing_open_within_horizon():
    s = Schedule(WeeklyPattern())
    assert s.next_opening(local(2026, 1, 1)) is None
    assert s.kiosk_check(local(2026, 1, 1)).verdict is KioskVerdict.CLOSED


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2028, 12, 31), timezones=st.just(dt.UTC)),
       st.sampled_from([None, PASPOORT, UITTREKSEL]))
def test_next_opening_is_a_period_start_on_an_open_day(now, service):
    s = loppersum(exceptions={D(2026, 5, 15): DayException.build(D(2026, 5, 15))})
    nxt = s.next_opening(now, service)
    assert nxt is not None and nxt > now
    assert any(p.start == nxt for p in s.open_periods(nxt.date(), service))
    # Between now and the next opening nothing opens.
    day = s.local_date(now)
    while day <= nxt.date():
        for p in s.open_periods(day, service):
            assert not (now < p.start < nxt)
        day += dt.timedelta(days=1)


@pytest.mark.parametrize("text, expected", [
    ("9:00-12:30, 13:30-16:30", ((540, 750), (810, 990))),
    ("9.00 - 12.30 en 13.30 tot 16.30 uur", ((540, 750), (810, 990))),
    ("17:00\u201319:30; 9-12", ((540, 720), (1020, 1170))),
    ("", ()),
    ("  ", ()),
])
def test_parse_periods(text, expected):
    assert tuple((p.start, p.end) for p in parse_periods(text)) == expected


@pytest.mark.parametrize("text", ["9:00", "9:00-", "-12:00", "9:00-10:00-11:00", "morgen", "9:00-12:00,, x"])
def test_parse_periods_refuses_what_it_cannot_read(text):
    with pytest.raises(ValidationError):
        parse_periods(text)


def test_parse_periods_reports_the_weekday():
    with pytest.raises(PeriodsOverlap) as err:
        parse_periods("9:00-12:30, 12:00-13:00", weekday=2)
    assert err.value.weekday == 2


@given(st.text(max_size=60))
def test_parse_periods_never_crashes(text):
    try:
        periods = parse_periods(text)
    except (ValidationError, PeriodInsideOut, PeriodsOverlap):
        return
    assert parse_periods(periods_input_text(periods)) == periods


@given(sorted_periods)
def test_periods_input_text_round_trips(periods):
    periods = tuple(p for p in periods if p.start < p.end)
    assert parse_periods(periods_input_text(periods)) == periods

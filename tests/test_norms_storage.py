"""storage/reports.py: local dates in SQL equal Python's, around both DST changes (both backends)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baliedesk.services import setup
from baliedesk.storage.reports import offset_spans
from tests.norms_data import add_callback

AMS = ZoneInfo("Europe/Amsterdam")


def test_offset_spans_pin_the_dst_changes():
    spans = offset_spans("Europe/Amsterdam", dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                         dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    assert list(spans) == [(dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC), 60),
                     (dt.datetime(2026, 10, 25, 1, 0, tzinfo=dt.UTC), 120),
                     (dt.datetime(2027, 1, 1, tzinfo=dt.UTC), 60)]


moments = st.datetimes(min_value=dt.datetime(2026, 3, 27), max_value=dt.datetime(2026, 3, 31)) | \
    st.datetimes(min_value=dt.datetime(2026, 10, 23), max_value=dt.datetime(2026, 10, 27))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(done=st.lists(moments, min_size=1, max_size=12))
def test_local_done_day_in_sql_equals_python(backend, seeded, done):
    admin = seeded.users["beheer"]
    loc = setup.create_location(backend, admin, f"DST {len(setup.list_locations(backend))}").id
    created = dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)
    for d in done:
        add_callback(backend, loc, created, dt.date(2026, 3, 3), d.replace(tzinfo=dt.UTC))
    with backend.unit_of_work() as uow:
        groups = uow.reports.callback_groups(loc, created - dt.timedelta(hours=1), created + dt.timedelta(hours=1),
                                             "Europe/Amsterdam")
    expected: dict[dt.date, int] = {}
    for d in done:
        day = d.replace(tzinfo=dt.UTC).astimezone(AMS).date()
        expected[day] = expected.get(day, 0) + 1
    assert {day: n for _due, day, n in groups} == expected

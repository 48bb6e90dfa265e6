"""The demo with opening hours stays usable at any time of day (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from baliedesk.domain.errors import ServiceClosed
from baliedesk.services import demo, queue, schedules

AMS = ZoneInfo("Europe/Amsterdam")


def at(day: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hh, mm, tzinfo=AMS).astimezone(dt.UTC)


@pytest.fixture
def with_hours(backend, seeded, now):
    demo.seed_hours(backend, seeded, now)
    return seeded


def test_closed_at_start_opens_today_and_tickets_can_be_issued(backend, with_hours):
    sunday_night = at(22, 23, 10)
    kiosk, a = with_hours.users["kiosk-ingang"], with_hours.services["A"]
    with pytest.raises(ServiceClosed):
        queue.issue_ticket(backend, kiosk, a, sunday_night)
    opened = demo.open_today_if_closed(backend, sunday_night)
    assert opened is not None and opened.day == dt.date(2026, 11, 22)
    assert opened.periods == ((0, 1440),) and opened.note == demo.DEMO_OPEN_NOTE
    for prefix in ("A", "B", "C", "M"):  # the exception replaces the service hours that day too
        queue.issue_ticket(backend, kiosk, with_hours.services[prefix], sunday_night)
    # Open now: nothing more is added.
    assert demo.open_today_if_closed(backend, sunday_night) is None
    # Only today: tomorrow's hours are the regular ones.
    hours = schedules.todays_hours(backend, kiosk, with_hours.location_id, at(23, 8, 0))
    assert not hours.open_now and hours.next_opening == dt.datetime(2026, 11, 23, 9, 0, tzinfo=AMS)


def test_the_evening_opening_is_left_as_it_is(backend, with_hours):
    """Thursday 18:00: only passports and driving licences (A, B): the demo shows exactly that."""
    assert demo.open_today_if_closed(backend, at(19, 18, 0)) is None
    hours = schedules.todays_hours(backend, with_hours.users["kiosk-ingang"], with_hours.location_id, at(19, 18))
    assert {s.prefix for s in hours.services if s.kiosk_open} == {"A", "B"}


def test_within_the_stop_time_counts_as_closed(backend, with_hours):
    assert demo.open_today_if_closed(backend, at(19, 19, 25)) is not None


def test_without_hours_nothing_changes(backend, seeded):
    assert demo.open_today_if_closed(backend, at(22, 23, 10)) is None
    assert demo.demo_ids(backend) == seeded

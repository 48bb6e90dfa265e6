"""Opening hours in words (baliedesk.hourstext): plain Python, no database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from baliedesk import hourstext
from baliedesk.services.schedule_dto import OpenPeriodInfo, ServiceHours, TodaysHours

AMS = ZoneInfo("Europe/Amsterdam")
DAY = dt.date(2026, 11, 19)  # a Thursday


def at(hh: int, mm: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=AMS)


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=AMS)


def todays(periods, *, now, open_now, closes_at, next_opening) -> TodaysHours:
    infos = tuple(OpenPeriodInfo(s, e) for s, e in periods)
    return TodaysHours(location_id=1, configured=True, now=now, day=DAY, status="regular", holiday=None, note="",
                       periods=infos, open_now=open_now, closes_at=closes_at, next_opening=next_opening,
                       kiosk_stop_minutes=10, services=())


TOMORROW = DAY + dt.timedelta(days=1)
ALL_DAY = ((midnight(DAY), midnight(TOMORROW)),)


def test_all_day_opening_says_the_whole_day():
    hours = todays(ALL_DAY, now=at(11), open_now=True, closes_at=midnight(TOMORROW),
                   next_opening=midnight(TOMORROW))
    assert hourstext.hours_line(hours) == "Vandaag de hele dag open"
    assert hourstext.todays_periods_line(hours) == "Vandaag de hele dag open"


@pytest.mark.parametrize("text", ["0.00 uur", "0.00 - 0.00", "24.00"])
def test_all_day_never_shows_midnight(text):
    hours = todays(ALL_DAY, now=at(23, 59), open_now=True, closes_at=midnight(TOMORROW), next_opening=None)
    assert text not in (hourstext.hours_line(hours) or "")
    assert text not in (hourstext.todays_periods_line(hours) or "")
    assert text not in hourstext.periods_text(((0, 1440),))


def test_the_exception_list_says_hele_dag():
    assert hourstext.periods_text(((0, 1440),)) == "hele dag"
    assert hourstext.periods_text(((540, 1020),)) == "9.00 - 17.00 uur"
    assert hourstext.periods_text(((540, 750), (810, 990))) == "9.00 - 12.30 en 13.30 - 16.30 uur"
    assert hourstext.periods_text(()) == "gesloten"


def test_open_until_midnight_from_the_morning_says_until_the_end_of_the_day():
    """9.00 - 24.00: not "open tot 0.00 uur"."""
    hours = todays(((at(9), midnight(TOMORROW)),), now=at(20), open_now=True, closes_at=midnight(TOMORROW),
                   next_opening=at(9, 0, TOMORROW))
    line = hourstext.hours_line(hours)
    assert "0.00 uur" not in line.replace("9.00 uur", "")
    assert line == "Vandaag open tot 24.00 uur"
    assert hourstext.todays_periods_line(hours) == "Vandaag open: 9.00 - 24.00 uur"


def test_ordinary_days_unchanged():
    hours = todays(((at(9), at(12, 30)), (at(13, 30), at(16, 30))), now=at(10), open_now=True,
                   closes_at=at(12, 30), next_opening=at(13, 30))
    assert hourstext.hours_line(hours) == "Open tot 12.30 uur. Daarna weer open om 13.30 uur."
    assert hourstext.todays_periods_line(hours) == "Vandaag open: 9.00 - 12.30 en 13.30 - 16.30 uur"
    evening = todays(((at(17), at(19, 30)),), now=at(18), open_now=True, closes_at=at(19, 30),
                     next_opening=at(9, 0, TOMORROW))
    assert hourstext.hours_line(evening) == "Vandaag open tot 19.30 uur"


def test_the_three_floor_states():
    svc = ServiceHours(service_id=1, prefix="A", periods=(), open_now=True, kiosk_open=True,
                       closes_at=at(12), next_opening=at(9, 0, TOMORROW))
    assert hourstext.service_state(svc) == hourstext.OPEN
    assert hourstext.service_state(None) == hourstext.OPEN
    closing = ServiceHours(1, "A", (), open_now=True, kiosk_open=False, closes_at=at(12),
                           next_opening=at(9, 0, TOMORROW))
    assert hourstext.service_state(closing) == hourstext.CLOSING
    closed = ServiceHours(1, "A", (), open_now=False, kiosk_open=False, closes_at=None,
                          next_opening=at(9, 0, TOMORROW))
    assert hourstext.service_state(closed) == hourstext.CLOSED
    assert hourstext.CLOSING_SOON_TEXT == "Geen nieuwe nummers meer. Wie wacht, wordt nog geholpen."
    # After closing, a service with people still waiting says they will be helped.
    assert hourstext.service_line(closed, waiting=4, today=DAY) == "worden nog geholpen"  # "4 mensen wachten"
    assert hourstext.service_line(closed, waiting=1, today=DAY) == "wordt nog geholpen"
    assert hourstext.service_line(closed, waiting=0, today=DAY) == "Gesloten"
    assert hourstext.service_line(closing, waiting=0, today=DAY) == "Geen nieuwe nummers"
    assert hourstext.service_line(closing, waiting=3, today=DAY) == "Geen nieuwe nummers"
    lunch = ServiceHours(1, "A", (), open_now=False, kiosk_open=False, closes_at=None, next_opening=at(13, 30))
    assert hourstext.service_line(lunch, waiting=0, today=DAY) == "Weer open om 13.30 uur"
    assert hourstext.service_line(lunch, waiting=2, today=DAY) == "worden nog geholpen"

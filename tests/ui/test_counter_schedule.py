"""The counter window with opening hours and appointments, on a real database (SQLite and PostgreSQL).

Today's hours in the header; the tab "Afspraken" (an AppointmentDesk for this
counter) only where the location works with appointments. Waiting is done by
processing events (see ``test_counter.wait_until``); nothing sleeps.
"""

from __future__ import annotations

import datetime as dt

import pytest

from baliedesk.services import appointments as ap
from baliedesk.services import demo, schedules
from baliedesk.settings import Settings
from baliedesk.ui.counter.window import CounterWindow
from baliedesk.ui.common.tasks import runner
from qtwait import wait_until


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.t = start

    def __call__(self) -> dt.datetime:
        return self.t


@pytest.fixture
def clock(now):
    return Clock(now)  # Thursday 19 November 2026, 09:30 in Amsterdam


@pytest.fixture
def window(qtbot, tmp_path, clock, make_client):
    opened = []

    def make(backend, ids, user="anne", counter="Balie 1") -> CounterWindow:
        w = CounterWindow(make_client(ids.users[user], clock=clock, backend=backend),
                          Settings(tmp_path / "s.json"), counter_id=ids.counters[counter])
        qtbot.addWidget(w)
        opened.append(w)
        w.resize(1366, 768)
        w.show()
        wait_until(lambda: w.snapshot is not None)
        assert w.wait_until_idle()
        return w

    yield make
    for w in opened:
        w.close()
        w.wait_until_idle()
    runner().wait(10_000)


def appointments_tab_shown(w: CounterWindow) -> bool:
    return w.right_tabs.isTabVisible(1) and w.right_tabs.tabBar().isVisible()


@pytest.mark.local_only("moves the window's clock without any call; a remote client's clock follows the server's "
                         "answers (and the real time in between), so the jump shows only after the next call")
def test_header_shows_todays_hours_and_follows_the_clock(backend, seeded, window, clock, now):
    demo.seed_hours(backend, seeded, now)
    w = window(backend, seeded)
    assert w.header.hours_label.isVisible()
    assert w.header.hours_label.text() == "Open tot 12.30 uur. Daarna weer open om 13.30 uur."
    clock.t = now + dt.timedelta(hours=3, minutes=30)  # 13:00: lunch
    wait_until(lambda: w.header.hours_label.text() == "Vandaag weer open om 13.30 uur")
    clock.t = now + dt.timedelta(hours=9)  # 18:30: the evening opening
    wait_until(lambda: w.header.hours_label.text() == "Vandaag open tot 19.30 uur")


def test_no_hours_and_no_appointments_without_them(backend, seeded, window):
    w = window(backend, seeded)
    wait_until(lambda: w.appointment_desk is not None and w.appointment_desk.switch is not None)
    assert w.wait_until_idle()
    assert w.header.hours_label.isHidden() and w.header.hours_label.text() == ""
    assert not appointments_tab_shown(w)
    assert w.right_tabs.currentIndex() == 0


def test_appointments_tab_for_this_counter(backend, seeded, window, now):
    demo.seed_hours(backend, seeded, now)
    lead = seeded.users["fatima"]
    schedules.set_calendar_options(backend, lead, seeded.location_id, now, appointments_enabled=True)
    ap.configure_service(backend, lead, seeded.services["A"], enabled=True, duration_minutes=15)
    w = window(backend, seeded, counter="Balie 1")
    wait_until(lambda: appointments_tab_shown(w))
    desk = w.appointment_desk
    assert w.right_tabs.tabText(1) == "Afspraken"
    assert desk.counter_id == seeded.counters["Balie 1"] and desk.available
    assert desk.parent() is w.appointments_page
    w.right_tabs.setCurrentIndex(1)
    assert desk.isVisible()


def test_switching_appointments_on_and_off_reaches_an_open_window(backend, seeded, window, now):
    demo.seed_hours(backend, seeded, now)
    lead = seeded.users["fatima"]
    ap.configure_service(backend, lead, seeded.services["A"], enabled=True, duration_minutes=15)
    w = window(backend, seeded)
    wait_until(lambda: w.appointment_desk.switch is not None)
    assert not appointments_tab_shown(w)
    schedules.set_calendar_options(backend, lead, seeded.location_id, now, appointments_enabled=True)
    wait_until(lambda: appointments_tab_shown(w))  # the change feed: schedule:<location>
    w.right_tabs.setCurrentIndex(1)
    schedules.set_calendar_options(backend, lead, seeded.location_id, now, appointments_enabled=False)
    wait_until(lambda: not appointments_tab_shown(w))
    assert w.right_tabs.currentIndex() == 0

"""The kiosk with opening hours and appointments, on a real database (SQLite and PostgreSQL).

Loppersum's hours (demo.seed_hours): Thursday 09:00-12:30, 13:30-16:30 and
17:00-19:30; the evening only for A and B; the kiosk stops 10 minutes before
closing. The tests move a hand-set clock; nothing sleeps.
"""

from __future__ import annotations

import datetime as dt

import pytest


from kioskkit import AMS, FakeSettings, SettableClock
from baliedesk.services import appointments as ap
from baliedesk.services import schedules
from baliedesk.ui.kiosk.window import KioskWindow
from tests.doors import client_for

WAIT_MS = 15_000


def kiosk(qtbot, backend, clock, *, watch: bool = False) -> KioskWindow:
    w = KioskWindow(client_for(backend, clock), FakeSettings(), watch=watch)
    qtbot.addWidget(w)
    w.resize(1280, 1024)
    w.show()
    qtbot.waitUntil(lambda: len(w.buttons()) == 4, timeout=WAIT_MS)
    return w


def closed_ids(w: KioskWindow) -> set[int]:
    return {sid for sid, b in w.buttons().items() if not b.isEnabled()}


def test_evening_only_the_evening_services_take_tickets(qtbot, kiosk_door, backend, hours):
    w = kiosk(qtbot, kiosk_door, SettableClock(18, 0))
    s = hours.services
    assert closed_ids(w) == {s["C"], s["M"]}
    c = w.buttons()[s["C"]]
    assert c.status.text() == "Gesloten. We zijn weer open morgen om 9.00 uur."
    assert c.closed and w.buttons()[s["A"]].isEnabled()
    assert "wacht" in w.buttons()[s["A"]].status.text()  # the open ones still show the queue
    assert w.message_text() == ""


def test_within_the_stop_time_everything_is_closed_and_said_once(qtbot, kiosk_door, backend, hours):
    w = kiosk(qtbot, kiosk_door, SettableClock(19, 25))
    assert closed_ids(w) == set(hours.services.values())
    a = w.buttons()[hours.services["A"]]
    # Said once: the title and the line under it; the buttons only say "no new numbers".
    assert a.status.text() == "Geen nieuwe nummers"
    assert (w.title.text(), w.subtitle.text()) == (
        "Geen nieuwe nummers meer", "Wie wacht, wordt nog geholpen. We zijn weer open morgen om 9.00 uur.")
    assert w.message_text() == ""


def test_without_a_schedule_every_button_works(qtbot, kiosk_door, backend, seeded):
    w = kiosk(qtbot, kiosk_door, SettableClock(23, 0))
    assert closed_ids(w) == set()


def test_the_new_minute_closes_a_button_and_a_racing_press_is_explained(qtbot, kiosk_door, backend, hours):
    clock = SettableClock(19, 19)
    w = kiosk(qtbot, kiosk_door, clock)
    a = w.buttons()[hours.services["A"]]
    assert a.isEnabled()
    # The stop time begins at 19:20; the visitor presses before the kiosk has looked at the clock.
    clock.set(19, 20)
    with qtbot.waitSignal(w.error_shown, timeout=WAIT_MS) as blocker:
        w.press(hours.services["A"])
    assert blocker.args[0] == ("Geen nieuwe nummers meer. Wie wacht, wordt nog geholpen. "
                               "We zijn weer open morgen om 9.00 uur.")
    assert not w.on_ticket_page()
    qtbot.waitUntil(lambda: not a.isEnabled(), timeout=WAIT_MS)


@pytest.mark.local_only("moves the kiosk's clock without any call; a remote client's clock follows the server's "
                        "by its answers (real seconds in between), so only in-process can a test move it alone")
def test_the_clock_alone_opens_a_service(qtbot, kiosk_door, backend, hours):
    clock = SettableClock(16, 58)  # between the afternoon and the evening
    w = kiosk(qtbot, kiosk_door, clock)
    a = w.buttons()[hours.services["A"]]
    assert not a.isEnabled()
    assert a.status.text() == "Gesloten"
    assert w.subtitle.text() == "We zijn weer open vandaag om 17.00 uur."
    clock.set(17, 0)  # no database change: only the minute timer reads again
    qtbot.waitUntil(a.isEnabled, timeout=WAIT_MS)
    assert closed_ids(w) == {hours.services["C"], hours.services["M"]}


def test_a_schedule_change_reaches_the_kiosk(qtbot, kiosk_door, backend, hours):
    w = kiosk(qtbot, kiosk_door, SettableClock(18, 0), watch=True)
    c = hours.services["C"]
    assert c in closed_ids(w)
    schedules.set_opening_hours(backend, hours.users["fatima"], hours.location_id, {}, service_id=c)
    qtbot.waitUntil(lambda: c not in closed_ids(w), timeout=WAIT_MS)


def test_no_appointment_button_when_appointments_are_off(qtbot, kiosk_door, backend, hours):
    w = kiosk(qtbot, kiosk_door, SettableClock(10, 0))
    qtbot.waitUntil(lambda: w.check_in is not None and w.check_in.switch is not None, timeout=WAIT_MS)
    assert w.appointment_button.isHidden()
    w.show_check_in()
    assert not w.on_check_in_page()


def test_check_in_with_the_code_from_the_start_screen(qtbot, kiosk_door, backend, hours, now):
    lead = hours.users["fatima"]
    schedules.set_calendar_options(backend, lead, hours.location_id, now, appointments_enabled=True)
    ap.configure_service(backend, lead, hours.services["A"], enabled=True, duration_minutes=15)
    booked = ap.book(backend, hours.users["anne"], hours.services["A"],
                     dt.datetime(2026, 11, 19, 10, 0, tzinfo=AMS), now, name="Jan Jansen", phone="0612345678")
    w = kiosk(qtbot, kiosk_door, SettableClock(9, 55))
    qtbot.waitUntil(lambda: not w.appointment_button.isHidden(), timeout=WAIT_MS)
    assert w.appointment_button.text() == "Ik heb een afspraak"
    w.appointment_button.click()
    assert w.on_check_in_page() and not w.check_in.isHidden()
    w.check_in.code.setText(booked.display_code)
    with qtbot.waitSignal(w.ticket_shown, timeout=WAIT_MS) as blocker:
        w.check_in.check_in_button.click()
    issued = blocker.args[0]
    assert w.on_ticket_page() and w.number.text() == issued.ticket.display_number
    assert issued.ticket.service_id == hours.services["A"]
    w.show_start()
    assert not w.on_check_in_page() and not w.on_ticket_page()
    # "Terug" from the code entry
    w.appointment_button.click()
    assert w.on_check_in_page()
    w.back_button.click()
    assert not w.on_check_in_page()

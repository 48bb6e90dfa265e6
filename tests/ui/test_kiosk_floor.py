"""The kiosk as visitors meet it (issue 15), on SQLite and PostgreSQL: the same three states
and words as the hall screen, appointment holders recognisable, a touch keyboard for the
appointment code (and a barcode scanner), "afspraken aan" without a restart, a portrait kiosk.

Loppersum's hours (demo.seed_hours): Thursday 09:00-12:30, 13:30-16:30, 17:00-19:30 (evening
only A and B); the kiosk stops 10 minutes before closing.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontInfo

from kioskkit import AMS, FakeSettings, SettableClock
from baliedesk import hourstext
from baliedesk.client import LocalClient
from baliedesk.domain.appointments import CODE_ALPHABET, normalise_code
from baliedesk.domain.errors import ValidationError
from baliedesk.services import appointments as ap
from baliedesk.services import queue, schedules
from baliedesk.ui.kiosk.window import KioskWindow

WAIT_MS = 15_000


def kiosk(qtbot, backend, clock, *, watch: bool = False, size=(1280, 1024)) -> KioskWindow:
    w = KioskWindow(LocalClient(backend, clock=clock, owns_backend=False), FakeSettings(), watch=watch)
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitUntil(lambda: len(w.buttons()) == 4, timeout=WAIT_MS)
    return w


def statuses(w: KioskWindow) -> set[str]:
    return {b.status.text() for b in w.buttons().values()}


def test_open_the_title_invites_and_closed_buttons_use_the_same_words(qtbot, backend, hours):
    w = kiosk(qtbot, backend, SettableClock(18, 0))
    assert w.title.text() == "Kies waarvoor u komt"
    assert w.subtitle.text() == "Tik op een knop. U krijgt dan een nummer."
    c = w.buttons()[hours.services["C"]]
    assert c.status.text() == "Gesloten. We zijn weer open morgen om 9.00 uur."
    assert w.message_text() == ""


def test_closing_soon_title_banner_and_buttons_agree(qtbot, backend, hours):
    """12:25, the kiosk stopped at 12:20 for the 12:30 closing: no new numbers, waiting visitors still helped."""
    w = kiosk(qtbot, backend, SettableClock(12, 25))
    assert w.title.text() == "Geen nieuwe nummers meer"
    assert w.subtitle.text() == "Wie wacht, wordt nog geholpen. We zijn weer open vandaag om 13.30 uur."
    assert statuses(w) == {"Geen nieuwe nummers"}
    said = " ".join([w.title.text(), w.subtitle.text(), w.message_text(), *statuses(w)]).lower()
    assert "gesloten" not in said and "tik op een knop" not in said and "bijna sluitingstijd" not in said


def test_closed_title_banner_and_buttons_agree(qtbot, backend, hours):
    w = kiosk(qtbot, backend, SettableClock(19, 45))
    assert w.title.text() == "We zijn gesloten"
    assert w.subtitle.text() == "We zijn weer open morgen om 9.00 uur."
    assert statuses(w) == {"Gesloten"}
    said = " ".join([w.title.text(), w.subtitle.text(), w.message_text(), *statuses(w)]).lower()
    assert "tik op een knop" not in said and "bijna" not in said


def test_the_floor_words_are_the_hall_screens(qtbot, backend, hours):
    w = kiosk(qtbot, backend, SettableClock(12, 25))
    assert w.title.text() + ". " + w.subtitle.text().split(". ")[0] + "." == hourstext.CLOSING_SOON_TEXT


def _appointments_on(backend, hours, now):
    lead = hours.users["fatima"]
    schedules.set_calendar_options(backend, lead, hours.location_id, now, appointments_enabled=True)
    ap.configure_service(backend, lead, hours.services["A"], enabled=True, duration_minutes=15)


def _book(backend, hours, now, hh, mm):
    return ap.book(backend, hours.users["anne"], hours.services["A"],
                   dt.datetime(2026, 11, 19, hh, mm, tzinfo=AMS), now, name="Jan Jansen", phone="0612345678")


def test_after_check_in_the_kiosk_shows_the_appointment_time(qtbot, backend, hours, now):
    _appointments_on(backend, hours, now)
    booked = _book(backend, hours, now, 12, 15)
    w = kiosk(qtbot, backend, SettableClock(12, 5))
    qtbot.waitUntil(lambda: not w.appointment_button.isHidden(), timeout=WAIT_MS)
    w.appointment_button.click()
    w.check_in.code.setText(booked.display_code)
    with qtbot.waitSignal(w.ticket_shown, timeout=WAIT_MS):
        w.check_in.check_in_button.click()
    assert w.on_ticket_page()
    assert w.service_name.text() == "Paspoort en ID-kaart · afspraak 12.15 uur"
    # A walk-in ticket afterwards shows no appointment.
    w.show_start()
    with qtbot.waitSignal(w.ticket_shown, timeout=WAIT_MS):
        w.press(hours.services["B"])
    assert w.service_name.text() == "Rijbewijs"


def test_the_touch_keyboard_has_only_the_codes_characters_and_big_keys(qtbot, backend, hours, now):
    _appointments_on(backend, hours, now)
    booked = _book(backend, hours, now, 10, 0)
    w = kiosk(qtbot, backend, SettableClock(9, 55))
    qtbot.waitUntil(lambda: not w.appointment_button.isHidden(), timeout=WAIT_MS)
    w.appointment_button.click()
    panel = w.check_in
    keys = panel.keys()
    assert set(keys) == set(CODE_ALPHABET)
    for button in keys.values():
        assert button.height() >= 64 and button.width() >= 64
    assert panel.backspace_button.height() >= 64 and panel.clear_button.height() >= 64
    assert panel.check_in_button.height() >= 64
    # The placeholder explains; it cannot be mistaken for a filled-in code.
    placeholder = panel.code.placeholderText()
    assert placeholder
    with pytest.raises(ValidationError):
        normalise_code(placeholder)
    assert not re.search(r"[A-Z0-9]{3}-[A-Z0-9]{3}", placeholder)
    assert "scanner" in panel.scanner_hint.text().lower()
    # Tapping the keys types the code (the dash comes by itself).
    for ch in booked.code:
        keys[ch].click()
    assert normalise_code(panel.code.text()) == booked.code
    with qtbot.waitSignal(w.ticket_shown, timeout=WAIT_MS):
        panel.check_in_button.click()


def test_a_usb_barcode_scanner_types_the_code_and_enter(qtbot, backend, hours, now):
    _appointments_on(backend, hours, now)
    booked = _book(backend, hours, now, 10, 0)
    w = kiosk(qtbot, backend, SettableClock(9, 55))
    qtbot.waitUntil(lambda: not w.appointment_button.isHidden(), timeout=WAIT_MS)
    w.appointment_button.click()
    w.activateWindow()
    w.check_in.code.setFocus()
    with qtbot.waitSignal(w.ticket_shown, timeout=WAIT_MS):
        qtbot.keyClicks(w.check_in.code, booked.display_code.lower())
        qtbot.keyClick(w.check_in.code, Qt.Key.Key_Return)
    assert w.on_ticket_page()


def test_a_running_kiosk_picks_up_appointments_switched_on(qtbot, backend, hours, now):
    w = kiosk(qtbot, backend, SettableClock(9, 55), watch=True)
    qtbot.waitUntil(lambda: w.check_in is not None and w.check_in.switch is not None, timeout=WAIT_MS)
    assert w.appointment_button.isHidden()
    _appointments_on(backend, hours, now)
    qtbot.waitUntil(lambda: not w.appointment_button.isHidden(), timeout=WAIT_MS)
    # ... and off again.
    schedules.set_calendar_options(backend, hours.users["fatima"], hours.location_id, now,
                                   appointments_enabled=False)
    qtbot.waitUntil(lambda: w.appointment_button.isHidden(), timeout=WAIT_MS)


def test_portrait_kiosk_text_scales(qtbot, backend, hours):
    queue.issue_ticket(backend, hours.users["kiosk-ingang"], hours.services["A"], SettableClock(10, 0)())
    w = kiosk(qtbot, backend, SettableClock(10, 0), size=(1080, 1920))
    qtbot.waitUntil(lambda: w.height() == 1920, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: QFontInfo(w.buttons()[hours.services["A"]].status.font()).pixelSize() >= 1920 / 70,
                    timeout=WAIT_MS)
    for b in w.buttons().values():
        px = QFontInfo(b.status.font()).pixelSize()
        assert px >= 1920 / 70, px  # the wait text: 28 px and more on a 1920 px high kiosk
        assert QFontInfo(b.name.font()).pixelSize() > px

"""Appointment screens (booking desk and kiosk check-in) on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate

from baliedesk.services import appointments as ap
from baliedesk.services import demo, schedules
from baliedesk.ui.appointments.desk import AppointmentDesk, CheckInPanel

AMS = ZoneInfo("Europe/Amsterdam")
TODAY = dt.date(2026, 11, 19)
NEXT_THURSDAY = dt.date(2026, 11, 26)



@pytest.fixture
def ids(backend, seeded, now):
    demo.seed_hours(backend, seeded, now)
    lead = seeded.users["fatima"]
    schedules.set_calendar_options(backend, lead, seeded.location_id, now, appointments_enabled=True)
    ap.configure_service(backend, lead, seeded.services["A"], enabled=True, duration_minutes=15,
                         bring=["uw oude paspoort", "een pasfoto"])
    return seeded


def local(day, hh, mm=0):
    return dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=AMS)


def desk(qtbot, make_client, ids, now, **kw) -> AppointmentDesk:
    w = AppointmentDesk(make_client(ids.users["anne"], clock=lambda: now), ids.location_id, **kw)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.loaded, timeout=10_000):
        pass
    return w


def pick_day(qtbot, w: AppointmentDesk, day: dt.date) -> None:
    w.day.setDate(QDate(day.year, day.month, day.day))
    qtbot.waitUntil(lambda: bool(w.slots) and w.slots[0].start.date() == day, timeout=10_000)


def book_jan_at_0930(qtbot, w: AppointmentDesk):
    """Book the day's third slot (09:30) for Jan Jansen by phone; the booked appointment."""
    w.slot_list.setCurrentRow(2)
    w.name.setText("Jan Jansen")
    w.phone.setText("06 12345678")
    with qtbot.waitSignal(w.booked, timeout=10_000) as blocker:
        w.book()
    return blocker.args[0]


def test_nothing_shows_when_switched_off(qtbot, make_client, seeded, now):
    w = AppointmentDesk(make_client(seeded.users["anne"], clock=lambda: now), seeded.location_id)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.availability, timeout=10_000) as blocker:
        pass
    assert blocker.args == [False] and w.isHidden()
    k = CheckInPanel(make_client(seeded.users["kiosk-ingang"], clock=lambda: now), seeded.location_id)
    qtbot.addWidget(k)
    with qtbot.waitSignal(k.availability, timeout=10_000) as blocker:
        pass
    assert blocker.args == [False] and k.isHidden()


def test_book_from_the_desk(qtbot, make_client, ids, now):
    w = desk(qtbot, make_client, ids, now)
    assert w.available and w.service.count() == 1
    assert w.bring_label.text() == "Neem mee: uw oude paspoort, een pasfoto"
    pick_day(qtbot, w, NEXT_THURSDAY)
    assert w.slots[0].start == local(NEXT_THURSDAY, 9) and w.slot_list.count() == 36
    a = book_jan_at_0930(qtbot, w)
    assert a.start == local(NEXT_THURSDAY, 9, 30) and a.name == "Jan Jansen"
    assert a.display_code in w.confirmation.text() and "Neem mee: uw oude paspoort" in w.confirmation.text()
    assert w.name.text() == "" and w.phone.text() == ""


def test_refused_booking_keeps_what_was_typed(qtbot, make_client, backend, ids, now):
    w = desk(qtbot, make_client, ids, now)
    pick_day(qtbot, w, NEXT_THURSDAY)
    w.name.setText("Jan Jansen")
    w.remarks.setPlainText("komt met zijn dochter")
    with qtbot.waitSignal(w.error_shown, timeout=10_000) as blocker:
        w.book()
    assert blocker.args[0].startswith("Vul een telefoonnummer of een e-mailadres in.")
    assert w.name.text() == "Jan Jansen" and w.remarks.toPlainText() == "komt met zijn dochter"
    assert ap.day_overview(backend, ids.users["anne"], ids.location_id, now, day=NEXT_THURSDAY).appointments == ()


def test_find_move_cancel_and_export(qtbot, make_client, backend, ids, now, tmp_path):
    a = ap.book(backend, ids.users["anne"], ids.services["A"], local(NEXT_THURSDAY, 10), now, name="Piet",
                email="piet@example.nl")
    w = desk(qtbot, make_client, ids, now)
    w.code.setText(a.display_code.lower())
    w.find()
    qtbot.waitUntil(lambda: w.current is not None and w.current.id == a.id, timeout=10_000)
    assert w.move_button.isEnabled() and "Piet" in w.found.text()
    pick_day(qtbot, w, NEXT_THURSDAY)
    w.slot_list.setCurrentRow(w.slots.index(next(s for s in w.slots if s.start == local(NEXT_THURSDAY, 11))))
    with qtbot.waitSignal(w.changed, timeout=10_000) as blocker:
        w.move()
    assert blocker.args[0].start == local(NEXT_THURSDAY, 11) and blocker.args[0].code == a.code
    target = tmp_path / "afspraak.ics"
    w.export_ics(str(target))
    qtbot.waitUntil(target.exists, timeout=10_000)
    qtbot.waitUntil(lambda: w.find_message.text() == "Opgeslagen: afspraak.ics", timeout=10_000)
    data = target.read_bytes()
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and b"DTSTART:20261126T100000Z\r\n" in data
    with qtbot.waitSignal(w.changed, timeout=10_000) as blocker:
        w.cancel()
    assert blocker.args[0].state == "cancelled" and not w.cancel_button.isEnabled()


def test_day_overview_table(qtbot, make_client, backend, ids, now):
    ap.book(backend, ids.users["anne"], ids.services["A"], local(TODAY, 10), now, name="Eerst", phone="0612345678")
    ap.book(backend, ids.users["anne"], ids.services["A"], local(TODAY, 11), now, name="Later", phone="0612345678")
    w = AppointmentDesk(make_client(ids.users["anne"], clock=lambda: now), ids.location_id,
                        counter_id=ids.counters["Balie 1"])
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.overview_shown, timeout=10_000) as blocker:
        pass
    assert [a.name for a in blocker.args[0].appointments] == ["Eerst", "Later"]
    assert w.day_table.rowCount() == 2 and w.day_table.item(0, 2).text() == "Eerst"
    assert w.day_table.item(0, 4).text() == "kan zich melden"  # 10:00, and it is 09:30
    assert w.day_table.item(1, 4).text() == "verwacht later"


def test_kiosk_check_in_and_walk_in_offer(qtbot, make_client, backend, ids, now):
    on_time = ap.book(backend, ids.users["anne"], ids.services["A"], local(TODAY, 10), now, name="Op tijd",
                      phone="0612345678")
    late = ap.book(backend, ids.users["anne"], ids.services["A"], local(TODAY, 9, 45), now, name="Te laat",
                   phone="0612345678")
    clock = {"now": local(TODAY, 9, 55).astimezone(dt.UTC)}
    k = CheckInPanel(make_client(ids.users["kiosk-ingang"], clock=lambda: clock["now"]), ids.location_id)
    qtbot.addWidget(k)
    with qtbot.waitSignal(k.availability, timeout=10_000) as blocker:
        pass
    assert blocker.args == [True] and not k.isHidden()
    k.code.setText(on_time.display_code)
    with qtbot.waitSignal(k.checked_in, timeout=10_000) as blocker:
        k.check_in()
    number = blocker.args[0].issued.ticket.display_number
    assert k.result.text() == f"U bent aangemeld. Uw nummer is {number}. Let op het scherm."
    k.code.setText(late.display_code)
    with qtbot.waitSignal(k.error_shown, timeout=10_000) as blocker:
        k.check_in()
    assert blocker.args[0] == "U bent te laat voor uw afspraak van 9.45 uur. U kunt wel een gewoon nummer nemen."
    assert not k.walk_in_button.isHidden()
    with qtbot.waitSignal(k.walk_in_issued, timeout=10_000) as blocker:
        k.take_walk_in()
    assert blocker.args[0].ticket.priority_class == 2 and k.walk_in_button.isHidden()


def test_day_overview_records_no_shows_every_minute(qtbot, make_client, backend, ids, now):
    book_now = now  # 09:30
    clock = {"now": book_now}
    ap.book(backend, ids.users["anne"], ids.services["A"], local(TODAY, 10), book_now, name="Tien uur",
            phone="0612345678")
    ap.book(backend, ids.users["anne"], ids.services["A"], local(TODAY, 11), book_now, name="Elf uur",
            phone="0612345678")
    w = AppointmentDesk(make_client(ids.users["anne"], clock=lambda: clock["now"]), ids.location_id)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.overview_shown, timeout=10_000):
        pass
    assert w.day_timer.isActive() and w.day_timer.interval() == 60_000
    assert w.day_summary.text() == "2 afspraken: 0 aangemeld, 0 niet gekomen, 2 nog verwacht."
    clock["now"] = local(TODAY, 10, 6).astimezone(dt.UTC)  # the 10:00 visitor's window (5 minutes) has passed
    with qtbot.waitSignal(w.overview_shown, timeout=10_000) as blocker:
        w.day_timer.timeout.emit()
    overview = blocker.args[0]
    assert {a.name: a.state for a in overview.appointments} == {"Tien uur": "no_show", "Elf uur": "booked"}
    assert w.day_table.item(0, 4).text() == "niet gekomen"
    assert w.day_summary.text() == "2 afspraken: 0 aangemeld, 1 niet gekomen, 1 nog verwacht."


class FakePrintDialog:
    """Stands in for Qt's print dialog: records the PDF it would print."""

    def __init__(self) -> None:
        self.pdfs: list[bytes] = []

    def __call__(self, parent, pdf, *, title, preview, printer_name):
        self.pdfs.append(pdf)
        return True


def pdf_text(pdf: bytes) -> str:
    from baliedesk.printing.qtprint import PdfPages

    return " ".join(PdfPages(pdf).text().split())


def test_print_the_confirmation_after_booking_moving_and_finding(qtbot, make_client, ids, now, tmp_path):
    w = desk(qtbot, make_client, ids, now, settings={"printer_paper": "A5"})
    assert not w.book_print.print_button.isEnabled() and not w.found_print.print_button.isEnabled()
    dialog = FakePrintDialog()
    for bar in (w.book_print, w.found_print):
        bar._print_dialog = dialog
    pick_day(qtbot, w, NEXT_THURSDAY)
    a = book_jan_at_0930(qtbot, w)
    assert w.book_print.print_button.isEnabled()
    with qtbot.waitSignal(w.book_print.printed, timeout=10_000) as printed:
        w.book_print.print_slip()
    assert printed.args[0].paper == "A5"
    text = pdf_text(dialog.pdfs[-1])
    assert a.display_code in text and "9.30" in text and "pasfoto" in text
    # Move it to 10:00: the found appointment's bar prints the new time.
    w.slot_list.setCurrentRow(4)
    qtbot.waitUntil(lambda: w.chosen_slot() is not None and w.chosen_slot().start == local(NEXT_THURSDAY, 10),
                    timeout=10_000)
    with qtbot.waitSignal(w.changed, timeout=10_000):
        w.move()
    with qtbot.waitSignal(w.found_print.printed, timeout=10_000):
        w.found_print.print_slip()
    assert "10.00" in pdf_text(dialog.pdfs[-1]) and a.display_code in pdf_text(dialog.pdfs[-1])
    # Looked up by its code: printable; once cancelled: nothing to print.
    w.current = None
    w.found_print.set_source(None)
    w.code.setText(a.display_code)
    w.find()
    qtbot.waitUntil(lambda: w.current is not None and w.current.id == a.id, timeout=10_000)
    assert w.found_print.print_button.isEnabled()
    with qtbot.waitSignal(w.changed, timeout=10_000):
        w.cancel()
    assert not w.found_print.print_button.isEnabled()

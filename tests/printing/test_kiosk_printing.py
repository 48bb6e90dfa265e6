"""The kiosk prints the ticket slip silently after issuing; a failed print
leaves the ticket and tells the visitor to remember the number."""

from __future__ import annotations

import pytest

from baliedesk.services import queue
from baliedesk.ui.kiosk.window import KioskWindow
from tests.doors import client_for
from baliedesk.ui.common.tasks import runner


@pytest.fixture(autouse=True)
def _drain_tasks():
    yield
    runner().wait(10_000)


def kiosk(qtbot, backend, now, **printer):
    settings = {"location_id": 0, "kiosk_user": "kiosk-ingang", **printer}
    w = KioskWindow(client_for(backend, lambda: now), settings, watch=False)
    qtbot.addWidget(w)
    w.resize(1280, 1024)
    w.show()
    qtbot.waitUntil(lambda: len(w.buttons()) == 4, timeout=10_000)
    return w


def test_kiosk_prints_the_slip_after_issuing(qtbot, kiosk_door, backend, seeded, now, tmp_path, pdf_text):
    folder = tmp_path / "bonnen"
    w = kiosk(qtbot, kiosk_door, now, printer_type="pdf_folder", printer_pdf_folder=str(folder))
    with qtbot.waitSignal(w.slip_printed, timeout=10_000) as printed:
        w.buttons()[seeded.services["A"]].click()
    delivery = printed.args[0]
    text = pdf_text(open(delivery.job, "rb").read())
    assert "A 001" in text and "Paspoort en ID-kaart" in text
    assert w.remember.text() == "Onthoud uw nummer goed."


def test_the_kiosk_slip_carries_the_locations_details_from_the_database(qtbot, kiosk_door, backend, seeded, now,
                                                                         tmp_path, pdf_text):
    """Phone and website come from the location's record (admin "Gemeente en locaties"), not the PC."""
    from baliedesk.services import organisation

    organisation.update_location(backend, seeded.users["beheer"], seeded.location_id, phone="14 0596",
                                 website="https://www.eemsdelta.nl")
    folder = tmp_path / "bonnen"
    w = kiosk(qtbot, kiosk_door, now, printer_type="pdf_folder", printer_pdf_folder=str(folder))
    with qtbot.waitSignal(w.slip_printed, timeout=10_000) as printed:
        w.buttons()[seeded.services["A"]].click()
    text = pdf_text(open(printed.args[0].job, "rb").read())
    assert "14 0596" in text and "www.eemsdelta.nl" in text


def test_failed_print_shows_the_number_and_keeps_the_ticket(qtbot, kiosk_door, backend, seeded, now, tmp_path):
    w = kiosk(qtbot, kiosk_door, now, printer_type="escpos_file", printer_escpos_target=str(tmp_path / "no" / "lp0"))
    with qtbot.waitSignal(w.print_failed, timeout=10_000) as failed:
        w.buttons()[seeded.services["A"]].click()
    assert failed.args[0] == "Het bonnetje kon niet worden geprint. Onthoud uw nummer: A 001."
    assert w.on_ticket_page() and w.number.text() == "A 001"
    assert w.remember.text() == failed.args[0]
    snap = queue.queue_snapshot(backend, seeded.users["kiosk-ingang"], seeded.location_id, now)
    assert [t.ticket.number for t in snap.waiting] == ["A001"]


def test_without_a_printer_nothing_is_printed(qtbot, kiosk_door, backend, seeded, now):
    w = kiosk(qtbot, kiosk_door, now)
    printed = []
    w.slip_printed.connect(printed.append)
    w.print_failed.connect(printed.append)
    with qtbot.waitSignal(w.ticket_shown, timeout=10_000):
        w.buttons()[seeded.services["A"]].click()
    runner().wait(10_000)
    qtbot.wait(50)
    assert printed == []

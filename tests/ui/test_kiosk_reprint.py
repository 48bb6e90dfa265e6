"""The kiosk after a failed print: "Opnieuw printen" prints the same slip again
(same number, no new ticket), from the confirmation and, for the host, from the
start screen once the paper is back; Ctrl+Shift+P reprints the last slip."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from baliedesk.services import queue
from baliedesk.ui.kiosk.window import KioskWindow
from tests.doors import client_for
from baliedesk.ui.common.tasks import runner


class Printer:
    """An ESC/POS 'device file' that is missing (the printer away or out of paper) until ``fix()``."""

    def __init__(self, tmp_path):
        self.device = tmp_path / "dev" / "lp0"  # python-escpos opens a file for writing: no folder, no printer

    @property
    def settings(self) -> dict:
        return {"printer_type": "escpos_file", "printer_escpos_target": str(self.device)}

    def break_(self) -> None:
        self.device.unlink(missing_ok=True)
        if self.device.parent.exists():
            self.device.parent.rmdir()

    def fix(self) -> None:
        self.device.parent.mkdir(exist_ok=True)
        self.device.write_bytes(b"")

    def printed(self) -> bytes:
        return self.device.read_bytes() if self.device.exists() else b""


def open_kiosk(qtbot, backend, now, settings, size: tuple[int, int] | None = None, **kwargs) -> KioskWindow:
    """A kiosk window on ``settings``, shown, with its four service buttons there."""
    w = KioskWindow(client_for(backend, lambda: now), settings, watch=False, **kwargs)
    qtbot.addWidget(w)
    if size is not None:
        w.resize(*size)
    w.show()
    qtbot.waitUntil(lambda: len(w.buttons()) == 4, timeout=10_000)
    return w


def kiosk(qtbot, backend, now, printer: Printer, **kwargs) -> KioskWindow:
    return open_kiosk(qtbot, backend, now, {"location_id": 0, "kiosk_user": "kiosk-ingang", **printer.settings},
                      size=(1280, 1024), **kwargs)


def take_ticket(qtbot, w: KioskWindow, seeded) -> None:
    """Press service A and wait until the confirmation and its slip job are done."""
    with qtbot.waitSignal(w.ticket_shown, timeout=10_000):
        w.buttons()[seeded.services["A"]].click()
    runner().wait(5000)


def waiting_numbers(backend, seeded, now) -> list[str]:
    snap = queue.queue_snapshot(backend, seeded.users["kiosk-ingang"], seeded.location_id, now)
    return [t.ticket.number for t in snap.waiting]


def take_ticket_that_fails_to_print(qtbot, w: KioskWindow, seeded) -> str:
    with qtbot.waitSignal(w.print_failed, timeout=10_000) as failed:
        w.buttons()[seeded.services["A"]].click()
    return failed.args[0]


@pytest.fixture
def printer(tmp_path) -> Printer:
    p = Printer(tmp_path)
    p.break_()
    return p


def test_reprint_on_the_confirmation_prints_the_same_ticket(qtbot, kiosk_door, backend, seeded, now, printer):
    w = kiosk(qtbot, kiosk_door, now, printer)
    text = take_ticket_that_fails_to_print(qtbot, w, seeded)
    assert text == "Het bonnetje kon niet worden geprint. Onthoud uw nummer: A 001."
    assert w.on_ticket_page() and w.reprint_button.isVisible() and w.reprint_button.text() == "Opnieuw printen"
    first_slip = w.last_slip.printout
    assert first_slip is not None

    printer.fix()  # paper in again
    with qtbot.waitSignal(w.reprinted, timeout=10_000):
        qtbot.mouseClick(w.reprint_button, Qt.MouseButton.LeftButton)
    assert w.on_ticket_page(), "pressing the button prints; it does not leave the confirmation"
    assert w.number.text() == "A 001"
    assert w.remember.text() == "Het bonnetje is nu geprint. Neem het mee."
    assert not w.reprint_button.isVisible()
    data = printer.printed()
    assert b"A001" in data.replace(b" ", b"") and b"Paspoort en ID-kaart" in data
    assert w.last_slip.printout is first_slip, "the very same slip, not a new one"
    assert waiting_numbers(backend, seeded, now) == ["A001"], "no new ticket"


def test_reprint_that_fails_again_keeps_the_button(qtbot, kiosk_door, backend, seeded, now, printer):
    w = kiosk(qtbot, kiosk_door, now, printer)
    take_ticket_that_fails_to_print(qtbot, w, seeded)
    with qtbot.waitSignal(w.print_failed, timeout=10_000) as failed:
        qtbot.mouseClick(w.reprint_button, Qt.MouseButton.LeftButton)
    assert failed.args[0].endswith("A 001.")
    assert w.reprint_button.isVisible() and w.reprint_button.isEnabled()
    assert waiting_numbers(backend, seeded, now) == ["A001"]


def test_host_reprints_the_last_slip_from_the_start_screen(qtbot, kiosk_door, backend, seeded, now, printer):
    w = kiosk(qtbot, kiosk_door, now, printer, return_after_ms=200)
    take_ticket_that_fails_to_print(qtbot, w, seeded)
    qtbot.waitUntil(lambda: not w.on_ticket_page(), timeout=5000)  # the visitor went on
    assert w.last_reprint_button.isVisible()
    assert w.last_reprint_button.text() == "Bonnetje A 001 is niet geprint. Tik hier om het opnieuw te printen."
    printer.fix()
    with qtbot.waitSignal(w.reprinted, timeout=10_000):
        qtbot.mouseClick(w.last_reprint_button, Qt.MouseButton.LeftButton)
    assert not w.last_reprint_button.isVisible()
    assert b"A001" in printer.printed().replace(b" ", b"")
    assert waiting_numbers(backend, seeded, now) == ["A001"]


def test_ctrl_shift_p_reprints_the_last_slip(qtbot, kiosk_door, backend, seeded, now, printer):
    printer.fix()
    w = kiosk(qtbot, kiosk_door, now, printer)
    with qtbot.waitSignal(w.slip_printed, timeout=10_000):
        w.buttons()[seeded.services["A"]].click()
    first = printer.printed()
    assert b"A001" in first.replace(b" ", b"")
    printer.fix()  # empty again (python-escpos writes the device file afresh)
    w.activateWindow()
    with qtbot.waitSignal(w.slip_printed, timeout=10_000):
        qtbot.keyClick(w, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert printer.printed() == first
    assert waiting_numbers(backend, seeded, now) == ["A001"]


def test_a_new_ticket_that_prints_replaces_the_failed_one(qtbot, kiosk_door, backend, seeded, now, printer):
    w = kiosk(qtbot, kiosk_door, now, printer, return_after_ms=200)
    take_ticket_that_fails_to_print(qtbot, w, seeded)
    qtbot.waitUntil(lambda: not w.on_ticket_page(), timeout=5000)
    assert w.last_reprint_button.isVisible()
    printer.fix()
    with qtbot.waitSignal(w.slip_printed, timeout=10_000):
        w.buttons()[seeded.services["A"]].click()
    assert w.last_slip.number == "A 002" and not w.last_slip.failed
    assert not w.last_reprint_button.isVisible()
    assert not w.reprint_button.isVisible()


def test_nothing_to_reprint_without_a_printer(qtbot, kiosk_door, backend, seeded, now):
    w = open_kiosk(qtbot, kiosk_door, now, {"location_id": 0, "kiosk_user": "kiosk-ingang"})
    take_ticket(qtbot, w, seeded)
    assert w.last_slip is None and not w.reprint()
    assert not w.reprint_button.isVisible() and not w.last_reprint_button.isVisible()


def test_a_printer_chosen_in_the_settings_window_is_used_without_a_restart(qtbot, kiosk_door, backend, seeded, now, tmp_path):
    from baliedesk.settings import Settings

    path = tmp_path / "kiosk.json"
    Settings(path).save()
    kiosk_settings = Settings(path)
    w = open_kiosk(qtbot, kiosk_door, now, kiosk_settings)
    take_ticket(qtbot, w, seeded)
    assert w.last_slip is None  # no printer yet: nothing printed

    folder = tmp_path / "bonnen"
    folder.mkdir()
    other = Settings(path)  # "python -m baliedesk settings" in another process
    other["printer_type"] = "pdf_folder"
    other["printer_pdf_folder"] = str(folder)
    other.save()
    w.show_start()
    with qtbot.waitSignal(w.slip_printed, timeout=10_000):
        w.buttons()[seeded.services["B"]].click()
    assert [p.name for p in folder.glob("*.pdf")] == ["nummer-b-001.pdf"]

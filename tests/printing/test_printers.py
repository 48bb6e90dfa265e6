"""Getting slips onto paper: CUPS end to end (cups-pdf), ESC/POS, PDF folders,
Qt onto a QPrinter, and failures that are typed and never lose the ticket."""

from __future__ import annotations

import subprocess
import time
import uuid

import pytest

from baliedesk.printing import jobs, receipt, samples, spool
from baliedesk.printing.config import PrinterConfig, printer_from
from baliedesk.printing.errors import PrinterUnavailable, PrintingNotConfigured
from baliedesk.printing.slips import appointment_slip, ticket_slip

#: The tests on the shared cups-pdf queue run on one pytest-xdist worker (``--dist loadgroup``): one of
#: them pauses the queue for a moment, and a job printed on the other worker meanwhile failed as
#: "offline" (seen 6 December 2026).
CUPS_QUEUE = pytest.mark.xdist_group("cups")


def wait_for(predicate, seconds: float = 30.0):
    """Poll until ``predicate()`` is truthy (a deadline for the spooler, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


def ticket_printout(paper: str = "80mm") -> jobs.Printout:
    return jobs.build(ticket_slip(samples.ticket(), samples.branding(), hours=samples.hours()), paper)


# ---------------------------------------------------------------------------
# CUPS
# ---------------------------------------------------------------------------
@CUPS_QUEUE
def test_cups_end_to_end_with_cups_pdf(cups_pdf, cups_pdf_dir, pdf_text):
    printout = ticket_printout()
    slip = printout.slip
    unique = f"bd{uuid.uuid4().hex[:10]}"
    printout = jobs.Printout(type(slip)(slip.kind, unique, slip.location_name, slip.blocks, slip.branding),
                             printout.paper, printout.pdf)
    delivery = jobs.deliver(printout, PrinterConfig(type="system", name=cups_pdf))
    assert delivery.how == "cups" and delivery.job.startswith(f"{cups_pdf}-")

    def completed() -> bool:
        done = subprocess.run(["lpstat", "-W", "completed", "-o", cups_pdf], capture_output=True, text=True).stdout
        return delivery.job in done.split()
    assert wait_for(completed), f"CUPS did not complete job {delivery.job}"
    found = sorted(cups_pdf_dir.glob(f"{unique}*.pdf")) if cups_pdf_dir.is_dir() else []
    assert found, f"cups-pdf wrote no {unique}*.pdf into {cups_pdf_dir}"
    text = pdf_text(found[0].read_bytes())
    assert "A 023" in text and "Paspoort en ID-kaart" in text


@CUPS_QUEUE
def test_cups_missing_printer_is_typed(cups_pdf):
    with pytest.raises(PrinterUnavailable) as info:
        spool.submit(ticket_printout().pdf, "baliedesk-no-such-printer")
    assert info.value.reason == "missing"


@CUPS_QUEUE
def test_cups_paused_printer_is_offline(cups_pdf):
    subprocess.run(["cupsdisable", cups_pdf], check=True)
    try:
        with pytest.raises(PrinterUnavailable) as info:
            jobs.deliver(ticket_printout(), PrinterConfig(type="system", name=cups_pdf))
        assert info.value.reason == "offline"
    finally:
        subprocess.run(["cupsenable", cups_pdf], check=True)


@pytest.mark.parametrize(("options", "reason"), [
    ("printer-state=3 printer-state-reasons=media-empty-error printer-is-accepting-jobs=true", "out_of_paper"),
    ("printer-state=3 printer-state-reasons=media-needed-warning", "out_of_paper"),
    ("printer-state=5 printer-state-reasons=paused printer-is-accepting-jobs=true", "offline"),
    ("printer-state=3 printer-state-reasons=offline-report", "offline"),
    ("printer-state=3 printer-state-reasons=none printer-is-accepting-jobs=false", "offline"),
])
def test_printer_state_reasons_become_typed_errors(options, reason):
    with pytest.raises(PrinterUnavailable) as info:
        spool.check_state(spool.parse_options("bon", options))
    assert info.value.reason == reason


def test_an_idle_printer_passes_the_state_check():
    spool.check_state(spool.parse_options("bon", "printer-state=3 printer-state-reasons=none "
                                                 "printer-is-accepting-jobs=true"))


# ---------------------------------------------------------------------------
# ESC/POS receipt printers
# ---------------------------------------------------------------------------
def test_escpos_commands_for_a_ticket():
    data = receipt.escpos_bytes(ticket_slip(samples.ticket(), samples.branding(), hours=samples.hours()))
    assert data.startswith(b"\x1b@")  # initialise
    assert b"A 023" in data and b"Paspoort en ID-kaart" in data
    assert b"Er zijn 4 mensen voor u." in data
    assert b"\x1d!" in data  # character size: the big number
    assert b"\x1dV" in data[-8:]  # the cut at the end


def test_escpos_commands_for_an_appointment_have_a_native_qr_and_the_euro_sign():
    data = receipt.escpos_bytes(appointment_slip(samples.appointment(), samples.branding()))
    assert b"K7P-3QX" in data
    assert b"\x1d(k" in data and b"K7P3QX" in data  # GS ( k: the printer draws the QR code itself
    assert b"Ja" in data and b"84,50" in data
    assert b"?" not in data.split(b"84,50")[0][-4:]  # the euro sign was encoded, not replaced


def test_escpos_file_printer_receives_the_commands(tmp_path):
    device = tmp_path / "lp0"
    printout = ticket_printout()
    delivery = jobs.deliver(printout, PrinterConfig(type="escpos_file", target=str(device)))
    assert delivery.how == "escpos"
    assert device.read_bytes() == receipt.escpos_bytes(printout.slip)


def test_escpos_network_printer_that_does_not_answer_is_offline():
    with pytest.raises(PrinterUnavailable) as info:
        jobs.deliver(ticket_printout(), PrinterConfig(type="escpos_network", target="127.0.0.1:1"))
    assert info.value.reason == "offline"


def test_escpos_file_printer_that_is_not_there_is_missing(tmp_path):
    with pytest.raises(PrinterUnavailable) as info:
        jobs.deliver(ticket_printout(), PrinterConfig(type="escpos_file", target=str(tmp_path / "no" / "lp0")))
    assert info.value.reason == "missing"


def test_escpos_network_printer_out_of_paper(monkeypatch):
    """A printer that answers the paper-status query with 'no paper' (python-escpos reads it)."""
    sent = []

    class FakeNetwork:
        def __init__(self, host, port, timeout):
            self.device = None

        def open(self, raise_not_found=True):
            pass

        def paper_status(self):
            return 0

        def _raw(self, data):
            sent.append(data)

        def close(self):
            pass

    from escpos import printer as devices

    monkeypatch.setattr(devices, "Network", FakeNetwork)
    with pytest.raises(PrinterUnavailable) as info:
        jobs.deliver(ticket_printout(), PrinterConfig(type="escpos_network", target="10.0.0.9"))
    assert info.value.reason == "out_of_paper" and not sent


# ---------------------------------------------------------------------------
# PDF folder and Qt
# ---------------------------------------------------------------------------
def test_pdf_folder_keeps_every_printout(tmp_path, pdf_text):
    config = PrinterConfig(type="pdf_folder", pdf_folder=str(tmp_path / "bonnen"))
    first = jobs.deliver(ticket_printout(), config)
    second = jobs.deliver(ticket_printout(), config)
    assert first.job != second.job
    assert "A 023" in pdf_text((tmp_path / "bonnen" / "nummer-a-023.pdf").read_bytes())


def test_not_configured_is_typed():
    assert printer_from({}).type == "none"
    with pytest.raises(PrintingNotConfigured):
        jobs.deliver(ticket_printout(), printer_from({}))


def test_settings_choose_printer_and_paper():
    config = printer_from({"printer_type": "system", "printer_name": "Balie 3", "printer_paper": "a5"})
    assert (config.type, config.name, config.paper) == ("system", "Balie 3", "A5")
    assert printer_from({"printer_type": "nonsense"}).type == "none"


def test_qt_prints_the_pages_onto_a_qprinter(tmp_path, pdf_pages):
    from baliedesk.printing import qtprint

    printout = jobs.build(appointment_slip(samples.appointment(), samples.branding()), "A5")
    target = tmp_path / "qprinter.pdf"
    qtprint.print_to_pdf_file(printout.pdf, target)
    pages = pdf_pages(target.read_bytes())
    assert pages.count == 1
    w, h = pages.size_points(0)
    assert w == pytest.approx(420, abs=2) and h == pytest.approx(595, abs=2)  # A5 in points
    img = pages.image(0, 50)
    dark = sum(1 for x in range(0, img.width(), 3) for y in range(0, img.height(), 3)
               if img.pixelColor(x, y).lightness() < 128)
    assert dark > 50  # the page carries the rendered slip, not a blank sheet


def test_qt_unknown_printer_is_missing(qapp):
    from baliedesk.printing import qtprint

    with pytest.raises(PrinterUnavailable) as info:
        qtprint.print_to_printer(ticket_printout().pdf, "baliedesk-no-such-printer")
    assert info.value.reason == "missing"


# ---------------------------------------------------------------------------
# the kiosk's call: issue first, print after
# ---------------------------------------------------------------------------
def test_failed_print_keeps_the_ticket(backend, seeded, now, tmp_path):
    from baliedesk.services import queue, schedules

    kiosk = seeded.users["kiosk-ingang"]
    service_id = seeded.services["A"]
    issued = queue.issue_ticket(backend, kiosk, service_id, now)
    settings = {"printer_type": "escpos_file", "printer_escpos_target": str(tmp_path / "gone" / "lp0")}
    with pytest.raises(PrinterUnavailable):
        jobs.print_ticket(issued, settings, lambda loc: schedules.todays_hours(backend, kiosk, loc, now))
    snap = queue.queue_snapshot(backend, kiosk, seeded.location_id, now)
    assert issued.ticket.id in [w.ticket.id for w in snap.waiting]
    # ... and the same ticket prints once the printer is back (reprint)
    settings["printer_escpos_target"] = str(tmp_path / "lp0")
    delivery = jobs.print_ticket(issued, settings, lambda loc: schedules.todays_hours(backend, kiosk, loc, now))
    assert delivery.how == "escpos"
    assert issued.ticket.display_number.encode() in (tmp_path / "lp0").read_bytes()


# ---------------------------------------------------------------------------
# the counter's print dialog (qtprint.print_with_dialog), without a person
# ---------------------------------------------------------------------------
def _accepting_preview(monkeypatch, tmp_path, seen):
    """Replace the preview dialog's exec: paint onto a PDF-output QPrinter like its print button would."""
    from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

    def exec_(dialog):
        seen.append(dialog.printer().printerName())
        out = QPrinter(QPrinter.PrinterMode.HighResolution)
        out.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        out.setOutputFileName(str(tmp_path / "preview.pdf"))
        out.setPageLayout(dialog.printer().pageLayout())
        dialog.paintRequested.emit(out)
        return QPrintPreviewDialog.DialogCode.Accepted
    monkeypatch.setattr(QPrintPreviewDialog, "exec", exec_)


@CUPS_QUEUE
def test_print_dialog_chooses_the_workstation_printer_and_prints_the_pages(qapp, cups_pdf, monkeypatch, tmp_path,
                                                                         render_page, image_difference):
    from baliedesk.printing import qtprint

    seen: list[str] = []
    _accepting_preview(monkeypatch, tmp_path, seen)
    pdf = ticket_printout().pdf
    assert qtprint.print_with_dialog(None, pdf, title="Nummer A 023", printer_name=cups_pdf)
    assert seen == [cups_pdf]
    # what reached the printer looks like the slip (Qt prints pictures of the pages, so compare pictures)
    diff, _limit = image_difference
    printed, original = render_page((tmp_path / "preview.pdf").read_bytes()), render_page(pdf)
    assert abs(printed.size[1] - original.size[1]) <= 1 and printed.size[0] == original.size[0]
    box = (0, 0, min(printed.size[0], original.size[0]), min(printed.size[1], original.size[1]))
    # rastered at 300 dpi and drawn again: edges shift a little, the layout does not
    assert diff(printed.crop(box), original.crop(box)) < 0.09
    blank = original.point(lambda _v: 255)
    assert diff(blank.crop(box), original.crop(box)) > 0.15  # the bound above does tell slips from paper


def test_print_dialog_ignores_a_printer_the_system_does_not_have(qapp, monkeypatch, tmp_path):
    from baliedesk.printing import qtprint

    pages = qtprint.PdfPages(ticket_printout().pdf)
    printer = qtprint.printer_for(pages, "baliedesk-no-such-printer")
    assert printer.printerName() != "baliedesk-no-such-printer"
    w, h = pages.size_points(0)
    size = printer.pageLayout().pageSize().size(printer.pageLayout().pageSize().Unit.Point)
    assert round(size.width()) == round(w) and round(size.height()) == round(h)


def test_print_dialog_reports_a_printer_that_cannot_be_opened(qapp, monkeypatch, tmp_path):
    from baliedesk.printing import qtprint

    seen: list[str] = []
    _accepting_preview(monkeypatch, tmp_path, seen)

    def broken(pages, printer):
        raise PrinterUnavailable("balie-3", "offline", "could not open")
    monkeypatch.setattr(qtprint, "paint", broken)
    with pytest.raises(PrinterUnavailable) as info:
        qtprint.print_with_dialog(None, ticket_printout().pdf)
    assert info.value.reason == "offline"


@pytest.mark.parametrize("reason, expected", [
    ("missing", "Deze computer heeft geen standaardprinter. Kies een printer bij de instellingen. "
                "Of sla het bonnetje op als PDF."),
    ("out_of_paper", "Het papier in de standaardprinter is op. Doe er nieuw papier in en print opnieuw."),
    ("offline", "De standaardprinter staat uit of is niet bereikbaar. Zet de printer aan en print opnieuw."),
    ("failed", "De standaardprinter kon het bonnetje niet printen. Print opnieuw of sla het op als PDF."),
])
def test_messages_for_the_default_printer_read_well(reason, expected):
    from baliedesk.ui.common.messages import message_for

    assert message_for(PrinterUnavailable("", reason)) == expected


def test_settings_refresh_reads_what_another_program_saved(tmp_path):
    from baliedesk.settings import Settings

    path = tmp_path / "settings.json"
    mine = Settings(path)
    assert not mine.refresh()  # no file yet
    other = Settings(path)
    other["printer_type"] = "system"
    other.save()
    assert mine["printer_type"] == "none"
    assert mine.refresh() and mine["printer_type"] == "system"
    assert not mine.refresh()  # nothing new
    path.write_text("{half", encoding="utf-8")  # damaged: keep what we have
    assert not mine.refresh() and mine["printer_type"] == "system"

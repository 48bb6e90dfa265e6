"""Printing a slip on this workstation's printer: build once, deliver, reprint.

* :func:`build` turns a slip into a :class:`Printout` (the PDF bytes, kept by
  the caller so a failed print can be printed again or saved as PDF);
* :func:`deliver` sends a printout to the configured printer: the system
  spooler (CUPS ``lp``; on Windows Qt onto a QPrinter), an ESC/POS receipt
  printer, or a folder of PDFs. Failures are typed:
  :class:`~baliedesk.printing.errors.PrinterUnavailable`.
* :func:`print_ticket` is the kiosk's one call (on a worker thread, after the
  ticket is safely issued): today's hours, the slip, the printer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baliedesk.i18n import _
# pdf (reportlab) and receipt (python-escpos) are imported where a slip is made or
# sent: they take a third of a second to load, which a window should not pay at start.
from baliedesk.printing import spool
from baliedesk.printing.config import Branding, BrandingOnce, PrinterConfig, branding_from, printer_from
from baliedesk.printing.errors import PrinterUnavailable, PrintingNotConfigured
from baliedesk.printing.slips import Slip, appointment_slip, printer_test_slip, ticket_slip
from baliedesk.services.dto import IssuedTicket
from baliedesk.services.schedule_dto import AppointmentInfo, TodaysHours

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Printout:
    slip: Slip
    paper: str
    pdf: bytes

    @property
    def title(self) -> str:
        return self.slip.title

    @property
    def filename(self) -> str:
        """The file name in the PDF folder: never personal data (a callback slip's title names the caller)."""
        if self.slip.kind in NAMED_IN_FILE:
            return f"{NAMED_IN_FILE[self.slip.kind]}-{hashlib.sha256(self.pdf).hexdigest()[:12]}.pdf"
        slug = re.sub(r"[^A-Za-z0-9]+", "-", self.slip.title).strip("-").lower() or self.slip.kind
        return f"{slug}.pdf"


#: Slips whose title holds personal data: their file is named by kind and a content hash instead.
NAMED_IN_FILE = {"callback": "terugbelverzoek"}


@dataclass(frozen=True)
class Delivery:
    how: str  # cups | qt | escpos | pdf_folder
    printer: str
    job: str  # the spooler's job id, or the file written


def build(slip: Slip, paper: str = "80mm") -> Printout:
    from baliedesk.printing import pdf

    return Printout(slip, paper, pdf.render(slip, paper))


def save_pdf(printout: Printout, folder: str | Path) -> Path:
    """Write the printout into ``folder`` without overwriting an earlier one."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / printout.filename
        n = 2
        while path.exists():
            path = folder / f"{Path(printout.filename).stem}-{n}.pdf"
            n += 1
        path.write_bytes(printout.pdf)
    except OSError as exc:
        raise PrinterUnavailable(str(folder), "missing", str(exc)) from exc
    return path


def default_pdf_folder() -> Path:
    home = Path(os.path.expanduser("~"))
    docs = home / "Documents"
    return (docs if docs.is_dir() else home) / "BalieDesk"


def deliver(printout: Printout, config: PrinterConfig) -> Delivery:
    """Send ``printout`` to the printer in ``config``. Raises PrinterUnavailable
    (missing, offline, out of paper, refused) or PrintingNotConfigured."""
    kind = config.type
    if kind == "none":
        raise PrintingNotConfigured("no printer chosen on this workstation")
    if kind == "system":
        if spool.available():
            job = spool.submit(printout.pdf, config.name, title=printout.title, paper=printout.paper)
            return Delivery("cups", config.name, job)
        from baliedesk.printing import qtprint  # Windows: Qt renders the pages onto the printer

        qtprint.print_to_printer(printout.pdf, config.name, title=printout.title)
        return Delivery("qt", config.name, printout.title)
    if kind.startswith("escpos_"):
        from baliedesk.printing import receipt

        receipt.send(receipt.escpos_bytes(printout.slip), kind, config.target)
        return Delivery("escpos", config.target, printout.title)
    if kind == "pdf_folder":
        path = save_pdf(printout, config.pdf_folder or default_pdf_folder())
        return Delivery("pdf_folder", str(path.parent), str(path))
    raise PrinterUnavailable(config.label, "missing", f"unknown printer type {kind}")


# ---------------------------------------------------------------------------
# per slip type
# ---------------------------------------------------------------------------
def printing_configured(settings: Any) -> bool:
    return printer_from(settings).configured


def ticket_printout(issued: IssuedTicket, settings: Any, hours: TodaysHours | None = None,
                    branding: Branding | None = None) -> Printout:
    """``branding``: from :func:`~baliedesk.printing.config.branding_from` with the database's
    details (the window read them once); None: this PC's settings alone."""
    return build(ticket_slip(issued, branding or branding_from(settings), hours=hours), printer_from(settings).paper)


def appointment_printout(info: AppointmentInfo, settings: Any, paper: str | None = None,
                         branding: Branding | None = None) -> Printout:
    return build(appointment_slip(info, branding or branding_from(settings)), paper or printer_from(settings).paper)


#: Reads a location's branding (the window passes ``client.organisation.branding``).
BrandingReader = Callable[[int], Any]


def _branding_or_settings(read_branding: BrandingReader | None, location_id: int, settings: Any) -> Branding:
    if read_branding is None:
        return branding_from(settings)
    return BrandingOnce(read_branding, location_id, settings)()


#: Reads a location's hours of today (the window passes ``client.schedules.todays_hours``).
HoursReader = Callable[[int], TodaysHours]


def _hours_or_none(read_hours: HoursReader | None, location_id: int) -> TodaysHours | None:
    """Today's hours for the slip; a slip without hours beats no slip."""
    if read_hours is None:
        return None
    try:
        return read_hours(location_id)
    except Exception:  # noqa: BLE001 - the hours line is a nicety
        log.warning("printing a ticket without today's hours", exc_info=True)
        return None


def prepare_ticket(issued: IssuedTicket, settings: Any, read_hours: HoursReader | None = None,
                   read_branding: BrandingReader | None = None, *, branding: Branding | None = None) -> Printout:
    """The ticket slip with today's hours (worker thread); kept by the kiosk to print it again.
    ``branding`` (read once by the window) or ``read_branding`` (``client.organisation.branding``):
    the location's details from the database; neither: this PC's settings."""
    hours = _hours_or_none(read_hours, issued.ticket.location_id)
    if branding is None:
        branding = _branding_or_settings(read_branding, issued.ticket.location_id, settings)
    return ticket_printout(issued, settings, hours, branding)


def print_ticket(issued: IssuedTicket, settings: Any, read_hours: HoursReader | None = None,
                 read_branding: BrandingReader | None = None, *, branding: Branding | None = None) -> Delivery:
    """The kiosk's call after a ticket was issued (worker thread). Raises PrinterUnavailable."""
    config = printer_from(settings)
    if not config.configured:
        raise PrintingNotConfigured("no printer chosen on this workstation")
    return deliver(prepare_ticket(issued, settings, read_hours, read_branding, branding=branding), config)


def printer_test_printout(config: PrinterConfig, settings: Any, now: dt.datetime,
                          branding: Branding | None = None) -> Printout:
    """The workstation settings' "Testbon printen": a short slip naming the printer and paper."""
    paper = "80mm" if config.type.startswith("escpos_") else config.paper
    printer = config.label or _default_printer_label(config)
    return build(printer_test_slip(branding or branding_from(settings), printer=printer, paper=paper, moment=now),
                 paper)


def _default_printer_label(config: PrinterConfig) -> str:
    if config.type == "pdf_folder":
        return str(default_pdf_folder())
    return _("standaardprinter")


def print_test(config: PrinterConfig, settings: Any, now: dt.datetime) -> Delivery:
    """Make and send the test slip to ``config`` (worker thread). Raises PrinterUnavailable."""
    return deliver(printer_test_printout(config, settings, now), config)

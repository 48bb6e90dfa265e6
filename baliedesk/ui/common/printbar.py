"""Two buttons under anything that has a slip: "Printen…" and "Opslaan als PDF".

Use it where a clerk gives a visitor something on paper (the appointment
confirmation, the melding confirmation, the callback receipt)::

    from baliedesk.ui.common.printbar import PrintBar
    from baliedesk.printing.config import BrandingOnce
    from baliedesk.printing.slips import melding_slip

    # data: a frozen DTO from a service (never a widget: see "threads" below); the location's
    # details (phone, website, address, tracking page) read once, on the bar's worker thread
    branding = BrandingOnce(client.organisation.branding, location_id, self.settings)
    self.print_bar = PrintBar(lambda: melding_slip(slip_dto, branding()), self.settings,
                              papers=("80mm", "A4"), parent=self)
    layout.addWidget(self.print_bar)

    # the appointment confirmation (ui/appointments.py), 80 mm or A5 as the workstation is set:
    self.print_bar = PrintBar(lambda: appointment_slip(info, branding()), self.settings,
                              papers=("80mm", "A5", "A4"), parent=self)
    # the callback receipt exists on 80 mm only: papers=("80mm",)

    # later, for the next melding (the bar keeps no old PDF):
    self.print_bar.set_source(lambda: melding_slip(other_dto, branding()))
    self.print_bar.set_source(None)   # nothing to print: both buttons greyed out

API

``PrintBar(source, settings, *, papers=PAPERS, title="", preview=True, parent=None,
print_dialog=None, save_dialog=None)``

* ``source``: a callable without arguments that returns a
  :class:`~baliedesk.printing.slips.Slip` (the bar renders it on the paper, see
  below) or a finished :class:`~baliedesk.printing.jobs.Printout`; ``None``:
  nothing to print yet (buttons disabled). It is called **on a worker thread**
  (:func:`~baliedesk.ui.common.tasks.run_task`) at every press, so it must not touch
  widgets: read the form on the GUI thread first and capture plain values or a
  service DTO in the lambda. It may call a service (one read) if needed.
* ``settings``: the workstation :class:`~baliedesk.settings.Settings` (or a
  dict in tests). ``printer_type``/``printer_name``/``printer_paper`` decide
  where "Printen…" goes:

  - ``none`` or ``system``: Qt's print dialog, with a preview first
    (``preview=True``), the workstation's printer (``printer_name``) chosen;
  - ``escpos_*`` or ``pdf_folder``: printers Qt cannot see; the slip goes there
    at once (:func:`~baliedesk.printing.jobs.deliver`, on a worker thread) and
    the bar says it was printed.
* ``papers``: the papers this slip exists in (``"80mm"``, ``"A5"``, ``"A4"``).
  The bar uses the workstation's ``printer_paper`` when it is one of them, and
  else the first one (a melding on a counter set to A5 prints on ``papers[0]``).
* ``title``: the print job's name; default the slip's title.
* ``print_dialog(parent, pdf, *, title, preview, printer_name) -> bool`` and
  ``save_dialog(parent, pdf, suggested_name) -> Path | None``: default
  :func:`baliedesk.printing.qtprint.print_with_dialog` and
  :func:`~baliedesk.printing.qtprint.save_pdf_dialog`. Tests pass fakes (or
  monkeypatch this module's ``print_with_dialog``/``save_pdf_dialog``) and so
  see exactly the PDF bytes that would be printed or saved.

Signals: ``built(Printout)`` every time a slip was made; ``printed(Printout)``
after the print dialog was accepted or a direct delivery succeeded;
``saved(Path)``; ``cancelled()`` when the clerk closed a dialog;
``failed(str)`` with the Dutch sentence shown.

Methods: ``print_slip()`` and ``save_pdf()`` (what the buttons do), ``retry()``
(what "Opnieuw proberen" does: the failed step again with the same PDF),
``set_source(source)``, ``busy`` and ``last_printout``.

Failures (the printer missing, offline, out of paper, the slip not made, the
file not written) show the sentence from :mod:`baliedesk.ui.common.messages` under the
buttons with "Opnieuw proberen"; "Opslaan als PDF" stays available. When the
printer is missing or none is chosen, "Printer kiezen…" opens this computer's
settings window (:mod:`baliedesk.ui.common.workstation`) on the same settings. The bar
never touches the form it sits under, so nothing the clerk typed is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from baliedesk.i18n import _
from baliedesk.printing import jobs
from baliedesk.printing.config import PAPERS, printer_from, setting
from baliedesk.printing.errors import PrinterUnavailable, PrintingNotConfigured
from baliedesk.printing.jobs import Printout
from baliedesk.printing.slips import Slip
from baliedesk.ui.common.messages import message_for, save_pdf_message
from baliedesk.ui.common.notices import notice_label, show_notice
from baliedesk.ui.common.tasks import run_task

log = logging.getLogger(__name__)


# Qt's print and PDF modules load only when a clerk first prints or saves: the
# counter window starts without them.
def print_with_dialog(parent: Any, pdf: bytes, **kwargs: Any) -> bool:
    """:func:`baliedesk.printing.qtprint.print_with_dialog`."""
    from baliedesk.printing.qtprint import print_with_dialog as dialog

    return dialog(parent, pdf, **kwargs)


def save_pdf_dialog(parent: Any, pdf: bytes, suggested_name: str) -> Path | None:
    """:func:`baliedesk.printing.qtprint.save_pdf_dialog`."""
    from baliedesk.printing.qtprint import save_pdf_dialog as dialog

    return dialog(parent, pdf, suggested_name)


Source = Callable[[], "Slip | Printout"]
#: Printer types Qt's dialog cannot reach: "Printen…" sends the slip there directly.
DIRECT_TYPES = ("escpos_network", "escpos_usb", "escpos_serial", "escpos_file", "pdf_folder")


def paper_for(settings: Any, papers: tuple[str, ...]) -> str:
    """The workstation's paper when this slip exists in it, else the slip's first paper."""
    wanted = printer_from(settings).paper
    return wanted if wanted in papers else papers[0]


def make_printout(made: Slip | Printout, paper: str) -> Printout:
    """What a source returned, as a printout (worker thread)."""
    if isinstance(made, Printout):
        return made
    if isinstance(made, Slip):
        return jobs.build(made, paper)
    raise TypeError(f"a PrintBar source must return a Slip or a Printout, not {type(made).__name__}")


def suggested_path(settings: Any, printout: Printout) -> str:
    """Where "Opslaan als PDF" proposes to save: the PDF folder of this workstation
    (``printer_pdf_folder``, else Documents/BalieDesk) when it exists, else the home folder."""
    folder = Path((setting(settings, "printer_pdf_folder") or "").strip() or jobs.default_pdf_folder())
    if not folder.is_dir():
        folder = Path.home()
    return str(folder / printout.filename)


class PrintBar(QWidget):
    built = Signal(object)      # Printout
    printed = Signal(object)    # Printout
    saved = Signal(object)      # Path
    cancelled = Signal()
    failed = Signal(str)        # the Dutch sentence shown

    def __init__(self, source: Source | None, settings: Any, *, papers: tuple[str, ...] = PAPERS,
                 title: str = "", preview: bool = True, parent: QWidget | None = None,
                 print_dialog: Callable[..., bool] | None = None,
                 save_dialog: Callable[[QWidget | None, bytes, str], Path | None] | None = None) -> None:
        super().__init__(parent)
        bad = [p for p in papers if p not in PAPERS]
        if not papers or bad:
            raise ValueError(f"papers must be among {PAPERS}, got {papers!r}")
        self.settings = settings
        self.papers = tuple(papers)
        self.title = title
        self.preview = preview
        self._source = source
        self._print_dialog = print_dialog
        self._save_dialog = save_dialog
        self._busy = False
        self._closed = False
        self._last: Printout | None = None
        self._retry_action: str | None = None  # "print" | "save"
        self._retry_printout: Printout | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)
        row = QHBoxLayout()
        row.setSpacing(8)
        self.print_button = QPushButton(_("Printen…"))
        self.print_button.setObjectName("printButton")
        self.print_button.setToolTip(_("Print het bonnetje. U ziet eerst een voorbeeld."))
        self.save_button = QPushButton(_("Opslaan als PDF"))
        self.save_button.setObjectName("savePdfButton")
        self.save_button.setToolTip(_("Bewaar het bonnetje als PDF-bestand."))
        self.retry_button = QPushButton(_("Opnieuw proberen"))
        self.retry_button.setObjectName("retryPrintButton")
        self.retry_button.hide()
        self.retry_button.setProperty("role", "primary")
        # When the printer is missing or none is chosen: straight to this computer's settings.
        self.settings_button = QPushButton(_("Printer kiezen…"))
        self.settings_button.setObjectName("choosePrinterButton")
        self.settings_button.setToolTip(_("Instellingen van deze computer"))
        self.settings_button.hide()
        self.workstation_window: QWidget | None = None
        for b in (self.print_button, self.save_button, self.retry_button, self.settings_button):
            row.addWidget(b)
        row.addStretch(1)
        self.busy_label = QLabel("")
        self.busy_label.setProperty("role", "muted")
        self.busy_label.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.busy_label)
        outer.addLayout(row)
        self.notice = notice_label()
        self.notice.setObjectName("printNotice")
        outer.addWidget(self.notice)

        # A bar deleted with its window while a slip is being made: the answer finds it closed.
        gone = self._gone = [False]
        self.destroyed.connect(lambda *_args: gone.__setitem__(0, True))

        self.print_button.clicked.connect(self.print_slip)
        self.save_button.clicked.connect(self.save_pdf)
        self.retry_button.clicked.connect(self.retry)
        self.settings_button.clicked.connect(self.open_printer_settings)
        self._update_buttons()

    # -- public ------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def last_printout(self) -> Printout | None:
        """The slip made at the last press (None before the first)."""
        return self._last

    def set_source(self, source: Source | None) -> None:
        """What to print from now on; forgets an earlier failure (it was about another slip)."""
        self._source = source
        self._retry_action = None
        self._retry_printout = None
        self.retry_button.hide()
        self.settings_button.hide()
        self.notice.hide()
        self._update_buttons()

    def print_slip(self) -> None:
        self._start("print")

    def save_pdf(self) -> None:
        self._start("save")

    def retry(self) -> None:
        """The failed step again: the same PDF when it was made, else make it again."""
        action = self._retry_action
        if action is None or self._busy:
            return
        if self._retry_printout is not None:
            self._act(action, self._retry_printout)
        else:
            self._start(action)

    def shutdown(self) -> None:
        """Answers still on their way find the bar closed (call when the window closes)."""
        self._closed = True

    # -- flow ----------------------------------------------------------------
    def _start(self, action: str) -> None:
        if self._busy or self._closed or self._source is None:
            return
        source, paper = self._source, paper_for(self.settings, self.papers)
        self._set_busy(True, _("Het bonnetje wordt gemaakt…"))
        run_task(lambda: make_printout(source(), paper),
                 lambda printout: self._on_built(action, source, printout),
                 lambda err: self._on_failed(action, None, err))

    def _on_built(self, action: str, source: Source, printout: Printout) -> None:
        if self._closed or self._gone[0]:
            return
        self._set_busy(False)
        if source is not self._source:  # the slip changed while it was being made
            return
        self._last = printout
        self.built.emit(printout)
        self._act(action, printout)

    def _act(self, action: str, printout: Printout) -> None:
        if action == "save":
            self._save(printout)
            return
        config = printer_from(self.settings)
        if config.type in DIRECT_TYPES:
            self._set_busy(True, _("Het bonnetje wordt geprint…"))
            run_task(lambda: jobs.deliver(printout, config),
                     lambda delivery: self._on_printed(printout, delivery),
                     lambda err: self._on_failed("print", printout, err))
            return
        dialog = self._print_dialog or print_with_dialog
        printer_name = config.name if config.type == "system" else ""
        try:
            accepted = dialog(self.window(), printout.pdf, title=self.title or printout.title,
                              preview=self.preview, printer_name=printer_name)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a sentence and a retry
            self._on_failed("print", printout, exc)
            return
        if accepted:
            self._on_printed(printout)
        else:
            self.cancelled.emit()

    def _on_printed(self, printout: Printout, delivery: jobs.Delivery | None = None) -> None:
        if self._closed or self._gone[0]:
            return
        self._set_busy(False)
        self._clear_failure()
        if delivery is not None and delivery.how == "pdf_folder":
            text = _("Het bonnetje is opgeslagen als {path}").format(path=delivery.job)
        else:
            text = _("Het bonnetje is naar de printer gestuurd.")
        show_notice(self.notice, text, error=False)
        self.printed.emit(printout)

    def _save(self, printout: Printout) -> None:
        dialog = self._save_dialog or save_pdf_dialog
        suggested = suggested_path(self.settings, printout)
        try:
            path = dialog(self.window(), printout.pdf, suggested)
        except OSError as exc:
            log.warning("saving %s failed: %s", printout.filename, exc)
            folder = str(Path(getattr(exc, "filename", None) or suggested).parent)
            self._show_failure("save", printout, save_pdf_message(folder))
            return
        except Exception as exc:  # noqa: BLE001
            self._on_failed("save", printout, exc)
            return
        if path is None:
            self.cancelled.emit()
            return
        self._clear_failure()
        show_notice(self.notice, _("Opgeslagen als {path}").format(path=str(path)), error=False)
        self.saved.emit(Path(path))

    def _on_failed(self, action: str, printout: Printout | None, err: BaseException) -> None:
        if self._closed or self._gone[0]:
            return
        self._set_busy(False)
        log.warning("slip %s failed: %s", action, err)
        self._show_failure(action, printout, message_for(err))
        wrong_printer = isinstance(err, PrintingNotConfigured) or (
            isinstance(err, PrinterUnavailable) and err.reason == "missing")
        self.settings_button.setVisible(action == "print" and wrong_printer and hasattr(self.settings, "save"))

    def open_printer_settings(self) -> QWidget:
        """"Printer kiezen…": the settings window of this computer on the same settings,
        so the next "Opnieuw proberen" uses what was chosen there."""
        from baliedesk.ui.common.workstation import show_workstation_window

        return show_workstation_window(self, self.settings)

    def _show_failure(self, action: str, printout: Printout | None, text: str) -> None:
        self._retry_action = action
        self._retry_printout = printout
        self.retry_button.show()
        show_notice(self.notice, text, error=True)
        self.failed.emit(text)

    def _clear_failure(self) -> None:
        self._retry_action = None
        self._retry_printout = None
        self.retry_button.hide()
        self.settings_button.hide()

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        self.busy_label.setText(text if busy else "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        ready = self._source is not None and not self._busy
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)
        self.retry_button.setEnabled(not self._busy)

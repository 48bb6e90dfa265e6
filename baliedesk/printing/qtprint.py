"""Where a PDF meets Qt: rendering its pages (QtPdf), printing them onto a
QPrinter (Windows, or any printer Qt knows), the counter's print dialog with
preview, and "save as PDF".

The PDF itself is always built without Qt (:mod:`baliedesk.printing.pdf`);
this module only puts finished pages on a printer or the screen. Call the
dialog functions on the GUI thread; :func:`print_to_printer` may run on a
worker thread (QPrinter and QPainter on a QImage are thread-safe; no widgets).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo, QPrintPreviewDialog
from PySide6.QtWidgets import QFileDialog, QWidget

from baliedesk.i18n import _
from baliedesk.printing.errors import PrinterUnavailable, PrintError

log = logging.getLogger(__name__)

PRINT_DPI = 300


class PdfPages:
    """A loaded PDF; keeps its buffer alive as long as the document."""

    def __init__(self, pdf: bytes) -> None:
        self._buffer = QBuffer()
        self._buffer.setData(QByteArray(pdf))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument()
        self.document.load(self._buffer)
        if self.document.status() != QPdfDocument.Status.Ready or self.document.pageCount() < 1:
            raise PrintError(f"not a readable PDF (status {self.document.status()})")

    @property
    def count(self) -> int:
        return self.document.pageCount()

    def size_points(self, page: int) -> tuple[float, float]:
        s = self.document.pagePointSize(page)
        return s.width(), s.height()

    def image(self, page: int, dpi: float) -> QImage:
        """Page ``page`` at ``dpi``, white background (no transparency)."""
        w, h = self.size_points(page)
        size = QSize(round(w * dpi / 72), round(h * dpi / 72))
        img = self.document.render(page, size)
        out = QImage(size, QImage.Format.Format_RGB32)
        out.fill(Qt.GlobalColor.white)
        p = QPainter(out)
        p.drawImage(0, 0, img)
        p.end()
        return out

    def text(self) -> str:
        return "\n".join(self.document.getAllText(i).text() for i in range(self.count))


def paint(pages: PdfPages, printer: QPrinter) -> None:
    """Every page of ``pages`` onto ``printer``, scaled to its printable area, one sheet per page."""
    painter = QPainter()
    if not painter.begin(printer):
        raise PrinterUnavailable(printer.printerName(), "offline", "the printer could not be opened")
    try:
        dpi = min(PRINT_DPI, max(150, printer.resolution()))
        for i in range(pages.count):
            if i:
                printer.newPage()
            img = pages.image(i, dpi)
            area = printer.pageLayout().paintRectPixels(printer.resolution())
            target = QRectF(0, 0, area.width(), area.height())
            scale = min(target.width() / img.width(), target.height() / img.height())
            painter.drawImage(QRectF(0, 0, img.width() * scale, img.height() * scale), img)
    finally:
        painter.end()


def _layout_for(pages: PdfPages, printer: QPrinter) -> None:
    """Page size of the printer = size of the slip (80 mm rolls are as long as the slip)."""
    w, h = pages.size_points(0)
    size = QPageSize(QRectF(0, 0, w, h).size(), QPageSize.Unit.Point, "BalieDesk", QPageSize.SizeMatchPolicy.FuzzyMatch)
    printer.setPageLayout(QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))


def print_to_printer(pdf: bytes, printer_name: str = "", *, title: str = "BalieDesk") -> None:
    """Print without a dialog on a printer Qt knows (the kiosk on Windows).

    ``printer_name`` empty: the default printer. Raises PrinterUnavailable.
    """
    info = QPrinterInfo.printerInfo(printer_name) if printer_name else QPrinterInfo.defaultPrinter()
    if info.isNull():
        raise PrinterUnavailable(printer_name, "missing", "Qt knows no such printer")
    if info.state() == QPrinter.PrinterState.Error:
        raise PrinterUnavailable(printer_name or info.printerName(), "offline", "the printer reports an error")
    pages = PdfPages(pdf)
    printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    _layout_for(pages, printer)
    paint(pages, printer)
    if printer.printerState() == QPrinter.PrinterState.Error:
        raise PrinterUnavailable(printer_name or info.printerName(), "failed", "the printer refused the job")


def system_printers() -> tuple[list[str], str]:
    """The printers Qt sees on this computer and the default one (GUI thread)."""
    return list(QPrinterInfo.availablePrinterNames()), QPrinterInfo.defaultPrinterName()


def print_to_pdf_file(pdf: bytes, path: str | Path) -> None:
    """Through QPrinter's own PDF output: the same path a real printer takes (used by the tests)."""
    pages = PdfPages(pdf)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    _layout_for(pages, printer)
    paint(pages, printer)


def printer_for(pages: PdfPages, printer_name: str = "", *, title: str = "BalieDesk") -> QPrinter:
    """A QPrinter set to ``printer_name`` (when the system has it; else the default) and to the
    slip's page size: what the dialogs open with."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if printer_name and not QPrinterInfo.printerInfo(printer_name).isNull():
        printer.setPrinterName(printer_name)
    printer.setDocName(title)
    _layout_for(pages, printer)
    return printer


def print_with_dialog(parent: QWidget | None, pdf: bytes, *, title: str = "BalieDesk", preview: bool = True,
                      printer_name: str = "") -> bool:
    """The counter's way: Qt's print dialog (with a preview first when ``preview``).

    ``printer_name``: the workstation's printer, chosen in the dialog when the
    system knows it. Returns True when the clerk printed, False when they
    closed the dialog. Raises PrinterUnavailable when the printer could not be
    opened while printing. The preview dialog has its own print button and page
    set-up; printing to a PDF file is one of the choices in the print dialog on
    every platform.
    """
    pages = PdfPages(pdf)
    printer = printer_for(pages, printer_name, title=title)
    if preview:
        failures: list[BaseException] = []
        dialog = QPrintPreviewDialog(printer, parent)
        dialog.setWindowTitle(_("Afdrukvoorbeeld: {title}").format(title=title))

        def on_paint(target: QPrinter) -> None:
            # Exceptions must not escape into Qt's event loop: keep them for after the dialog.
            try:
                paint(pages, target)
            except PrintError as exc:
                failures.append(exc)

        dialog.paintRequested.connect(on_paint)
        accepted = dialog.exec() == QPrintPreviewDialog.DialogCode.Accepted
        dialog.deleteLater()
        if accepted and failures:
            raise failures[-1]
        return accepted
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(_("Printen: {title}").format(title=title))
    accepted = dialog.exec() == QPrintDialog.DialogCode.Accepted
    dialog.deleteLater()
    if not accepted:
        return False
    paint(pages, printer)
    if printer.printerState() == QPrinter.PrinterState.Error:
        raise PrinterUnavailable(printer.printerName(), "failed", "the printer refused the job")
    return True


def save_pdf_dialog(parent: QWidget | None, pdf: bytes, suggested_name: str) -> Path | None:
    """"Opslaan als PDF": asks where, writes the file; None when cancelled."""
    name, _filter = QFileDialog.getSaveFileName(parent, _("Opslaan als PDF"), suggested_name,
                                                _("PDF-bestand (*.pdf)"))
    if not name:
        return None
    path = Path(name if name.lower().endswith(".pdf") else name + ".pdf")
    path.write_bytes(pdf)
    return path

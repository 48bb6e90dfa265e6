""""Instellingen van deze computer": the printer this workstation prints slips on.

Opened with ``python -m baliedesk settings``, from the counter window and from
the admin window. What is chosen here is stored in this PC's settings file
(:mod:`baliedesk.settings`, keys ``printer_*``), only when the person presses
"Opslaan":

* the kind of printer: none, a printer of the system (CUPS or the Windows
  spooler; the list shows the printers this computer really has), an ESC/POS
  receipt printer on the network (``host[:port]``) or on USB
  (``vendor:product``), or a folder that receives every slip as a PDF;
* the paper (receipt roll 80 mm, A5 or A4);
* "Testbon printen": a short slip to the printer as chosen on screen (also
  before saving), with the result or the Dutch printer message.

Wrong input (an address that cannot be one, a folder that does not exist) gets
a sentence beside the field; the text stays as typed, and nothing is saved
until it is right. Printing the test slip runs on a worker thread.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from baliedesk.i18n import _
from baliedesk.printing import jobs, spool
from baliedesk.printing.config import (
    PrinterConfig,
    SettingProblem,
    check_escpos_target,
    check_pdf_folder,
    printer_from,
    setting,
)
from baliedesk.printing.jobs import Delivery
from baliedesk.ui.common import theme
from baliedesk.ui.common.messages import message_for, printer_setting_message
from baliedesk.ui.common.notices import notice_label, show_notice
from baliedesk.ui.common.tasks import run_task

log = logging.getLogger(__name__)

#: The kinds offered, in this order (escpos_serial and escpos_file only when already set).
TYPE_CHOICES: tuple[tuple[str, str], ...] = (
    ("none", "Geen printer"),
    ("system", "Printer van deze computer"),
    ("escpos_network", "Bonprinter via het netwerk (ESC/POS)"),
    ("escpos_usb", "Bonprinter via USB (ESC/POS)"),
    ("pdf_folder", "Geen printer: bewaar als PDF in een map"),
)
EXTRA_TYPES: dict[str, str] = {
    "escpos_serial": "Bonprinter via een seriële poort (ESC/POS)",
    "escpos_file": "Bonprinter als apparaat-bestand (ESC/POS)",
}
PAPER_CHOICES: tuple[tuple[str, str], ...] = (
    ("80mm", "Bonrol 80 mm"),
    ("A5", "A5"),
    ("A4", "A4"),
)
TARGET_PLACEHOLDER = {
    "escpos_network": "192.168.1.50:9100",
    "escpos_usb": "04b8:0e15",
    "escpos_serial": "/dev/ttyUSB0",
    "escpos_file": "/dev/usb/lp0",
}
KEYS = ("printer_type", "printer_name", "printer_paper", "printer_escpos_target", "printer_pdf_folder")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class PrinterForm:
    """What the form says, before checking."""

    type: str
    name: str
    paper: str
    target: str
    pdf_folder: str


def ask_discard(parent: QWidget) -> bool:
    """Close without saving? (the default ``confirm_discard``)."""
    box = QMessageBox(QMessageBox.Icon.Question, _("Niet opgeslagen"),
                      _("U heeft iets veranderd, maar nog niet opgeslagen. Wilt u stoppen zonder op te slaan?"),
                      parent=parent)
    stop = box.addButton(_("Stoppen zonder opslaan"), QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(_("Terug"), QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is stop


def choose_folder(parent: QWidget, start: str) -> str:
    """The default ``folder_dialog``: "" when cancelled."""
    return QFileDialog.getExistingDirectory(parent, _("Kies de map voor de PDF-bestanden"), start)


def qt_and_cups_printers() -> tuple[list[str], str]:
    """The default ``printer_lister`` (GUI thread): the printers Qt sees."""
    from baliedesk.printing.qtprint import system_printers

    return system_printers()


class WorkstationWindow(QWidget):
    """The settings of this computer. ``settings``: the live
    :class:`~baliedesk.settings.Settings` of the window that opened it (written
    and saved on "Opslaan", so that window prints on the new printer at once)."""

    saved = Signal()
    test_printed = Signal(object)   # printing.jobs.Delivery
    test_failed = Signal(str)       # the sentence shown
    closed = Signal()

    def __init__(self, settings: Any, *, parent: QWidget | None = None,
                 printer_lister: Callable[[], tuple[list[str], str]] | None = None,
                 cups_lister: Callable[[], tuple[list[str], str]] | None = None,
                 folder_dialog: Callable[[QWidget, str], str] | None = None,
                 confirm_discard: Callable[[QWidget], bool] | None = None,
                 clock: Callable[[], dt.datetime] = utc_now) -> None:
        super().__init__(parent)
        if parent is not None:
            self.setWindowFlag(Qt.WindowType.Window, True)
        self.settings = settings
        self.clock = clock
        self._printer_lister = printer_lister or qt_and_cups_printers
        # lpstat on a worker thread adds queues Qt does not list; off when a lister is given (tests).
        self._cups_lister = cups_lister if cups_lister is not None else (
            spool.printer_names if printer_lister is None and spool.available() else None)
        self._folder_dialog = folder_dialog or choose_folder
        self._confirm_discard = confirm_discard or ask_discard
        self._testing = False
        self._known: set[str] = set()
        self._default = ""
        self._wanted_printer = ""
        self._closing_ok = False
        self._shut = False
        self.setWindowTitle(_("BalieDesk – instellingen van deze computer"))
        self.setObjectName("workstationSettings")
        self._build()
        self._load()
        self.refresh_printers()

    # -- building ----------------------------------------------------------
    def _field_message(self, name: str) -> QLabel:
        label = QLabel("")
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setStyleSheet(f"color: {theme.ERROR};")
        label.hide()
        return label

    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(24, 20, 24, 20)
        root.setSpacing(12)
        title = QLabel(_("Instellingen van deze computer"))
        title.setFont(theme.font(theme.SIZE_TITLE, bold=True))
        root.addWidget(title)
        intro = QLabel(_("Wat u hier kiest, geldt alleen voor deze computer."))
        intro.setProperty("role", "muted")
        intro.setWordWrap(True)
        root.addWidget(intro)

        box = QGroupBox(_("Printer voor bonnetjes"))
        self.form_layout = QFormLayout(box)
        self.form_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form_layout.setVerticalSpacing(10)

        self.type_combo = QComboBox()
        self.type_combo.setObjectName("printerType")
        self.type_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        for key, text in TYPE_CHOICES:
            self.type_combo.addItem(_(text), key)
        self.form_layout.addRow(_("Soort printer:"), self.type_combo)

        self.printer_combo = QComboBox()
        self.printer_combo.setObjectName("printerName")
        self.printer_combo.setMinimumContentsLength(24)
        self.printer_combo.currentIndexChanged.connect(lambda _i: self._check_printer())
        self.refresh_button = QPushButton(_("Lijst vernieuwen"))
        self.refresh_button.setObjectName("refreshPrinters")
        self.refresh_button.clicked.connect(self.refresh_printers)
        self.printer_message = self._field_message("printerNameMessage")
        self.printer_row = self._row(self.printer_combo, self.refresh_button, self.printer_message)
        self.form_layout.addRow(_("Printer:"), self.printer_row)

        self.target_edit = QLineEdit()
        self.target_edit.setObjectName("escposTarget")
        self.target_edit.setMaxLength(300)
        self.target_edit.editingFinished.connect(lambda: self._check_target(quiet_when_empty=True))
        self.target_edit.textEdited.connect(lambda _t: self._clear(self.target_message))
        self.target_hint = QLabel("")
        self.target_hint.setProperty("role", "muted")
        self.target_hint.setWordWrap(True)
        self.target_message = self._field_message("escposTargetMessage")
        self.target_row = self._row(self.target_edit, None, self.target_message, self.target_hint)
        self.form_layout.addRow(_("Adres van de bonprinter:"), self.target_row)

        self.folder_edit = QLineEdit()
        self.folder_edit.setObjectName("pdfFolder")
        self.folder_edit.setMaxLength(1000)
        self.folder_edit.setPlaceholderText(str(jobs.default_pdf_folder()))
        self.folder_edit.editingFinished.connect(self._check_folder)
        self.folder_edit.textEdited.connect(lambda _t: self._clear(self.folder_message))
        self.folder_button = QPushButton(_("Kies map…"))
        self.folder_button.setObjectName("chooseFolder")
        self.folder_button.clicked.connect(self._choose_folder)
        self.folder_hint = QLabel(_("Laat u dit leeg? Dan komen de bestanden in {folder}").format(
            folder=jobs.default_pdf_folder()))
        self.folder_hint.setProperty("role", "muted")
        self.folder_hint.setWordWrap(True)
        self.folder_message = self._field_message("pdfFolderMessage")
        self.folder_row = self._row(self.folder_edit, self.folder_button, self.folder_message, self.folder_hint)
        self.form_layout.addRow(_("Map voor de PDF-bestanden:"), self.folder_row)

        self.paper_combo = QComboBox()
        self.paper_combo.setObjectName("printerPaper")
        for key, text in PAPER_CHOICES:
            self.paper_combo.addItem(_(text), key)
        self.paper_hint = QLabel(_("Bij een bonprinter is het papier altijd de bonrol van 80 mm."))
        self.paper_hint.setProperty("role", "muted")
        self.paper_hint.setWordWrap(True)
        self.paper_row = self._row(self.paper_combo, None, None, self.paper_hint)
        self.form_layout.addRow(_("Papier:"), self.paper_row)

        test_host = QWidget()
        test_box = QVBoxLayout(test_host)
        test_box.setContentsMargins(0, 0, 0, 0)
        test_box.setSpacing(6)
        test_line = QHBoxLayout()
        self.test_button = QPushButton(_("Testbon printen"))
        self.test_button.setObjectName("printTest")
        self.test_button.clicked.connect(self.print_test)
        test_line.addWidget(self.test_button)
        self.test_busy = QLabel("")
        self.test_busy.setProperty("role", "muted")
        test_line.addWidget(self.test_busy, 1)
        test_box.addLayout(test_line)
        self.test_notice = notice_label()
        self.test_notice.setObjectName("testNotice")
        test_box.addWidget(self.test_notice)
        self.form_layout.addRow("", test_host)
        root.addWidget(box)

        self.notice = notice_label()
        self.notice.setObjectName("saveNotice")
        root.addWidget(self.notice)
        root.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.close_button = QPushButton(_("Sluiten"))
        self.close_button.setObjectName("closeSettings")
        self.close_button.clicked.connect(self.close)
        self.save_button = QPushButton(_("Opslaan"))
        self.save_button.setObjectName("saveSettings")
        self.save_button.setProperty("role", "primary")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.save_button)
        root.addLayout(buttons)
        self.type_combo.currentIndexChanged.connect(self._on_type)
        self.resize(760, 620)

    @staticmethod
    def _row(field: QWidget, extra: QWidget | None, message: QLabel | None, hint: QLabel | None = None) -> QWidget:
        host = QWidget()
        lay = QVBoxLayout(host)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        line = QHBoxLayout()
        line.addWidget(field, 1)
        if extra is not None:
            line.addWidget(extra)
        lay.addLayout(line)
        if message is not None:
            lay.addWidget(message)
        if hint is not None:
            lay.addWidget(hint)
        return host

    # -- loading -----------------------------------------------------------
    def _load(self) -> None:
        config = printer_from(self.settings)
        self._saved_form = self._form_of(config)
        self._show_form(self._saved_form)

    @staticmethod
    def _form_of(config: PrinterConfig) -> PrinterForm:
        return PrinterForm(config.type, config.name, config.paper, config.target, config.pdf_folder)

    def _show_form(self, form: PrinterForm) -> None:
        if form.type in EXTRA_TYPES and self.type_combo.findData(form.type) < 0:
            self.type_combo.addItem(_(EXTRA_TYPES[form.type]), form.type)
        self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(form.type)))
        self._wanted_printer = form.name
        self.paper_combo.setCurrentIndex(max(0, self.paper_combo.findData(form.paper)))
        self.target_edit.setText(form.target)
        self.folder_edit.setText(form.pdf_folder)
        self._on_type()

    def form(self) -> PrinterForm:
        """What the form says now (unchecked)."""
        name = self.printer_combo.currentData() if self.printer_combo.count() else self._wanted_printer
        return PrinterForm(self.type_combo.currentData(), name or "", self.paper_combo.currentData(),
                           self.target_edit.text(), self.folder_edit.text())

    def is_dirty(self) -> bool:
        now, was = self.form(), self._saved_form
        if now.type != was.type or now.paper != was.paper:
            return True
        if now.type == "system" and now.name != was.name:
            return True
        if now.type.startswith("escpos_") and now.target.strip() != was.target.strip():
            return True
        return now.type == "pdf_folder" and now.pdf_folder.strip() != was.pdf_folder.strip()

    # -- the system's printers ----------------------------------------------
    def refresh_printers(self) -> None:
        try:
            names, default = self._printer_lister()
        except Exception:  # noqa: BLE001 - no list is not a reason to stop
            log.warning("cannot list the system's printers", exc_info=True)
            names, default = [], ""
        self._fill_printers(list(names), default)
        if self._cups_lister is not None:
            run_task(self._cups_lister, self._merge_printers, lambda err: log.info("lpstat failed: %s", err))

    def _merge_printers(self, result: tuple[list[str], str]) -> None:
        if self._shut:
            return
        names, default = result
        have = self.printer_names()
        extra = [n for n in names if n not in have]
        if extra or (default and not self._default):
            self._fill_printers(have + extra, self._default or default)

    def printer_names(self) -> list[str]:
        """The system printers in the list (without "the default printer" and missing ones)."""
        return [self.printer_combo.itemData(i) for i in range(self.printer_combo.count())
                if self.printer_combo.itemData(i) and self.printer_combo.itemData(i) in self._known]

    def _fill_printers(self, names: list[str], default: str) -> None:
        current = self.printer_combo.currentData() if self.printer_combo.count() else self._wanted_printer
        self._known = set(names)
        self._default = default
        self.printer_combo.blockSignals(True)
        self.printer_combo.clear()
        label = _("De standaardprinter ({name})").format(name=default) if default else \
            _("De standaardprinter van deze computer")
        self.printer_combo.addItem(label, "")
        for name in sorted(names, key=str.lower):
            self.printer_combo.addItem(name, name)
        if current and current not in self._known:
            self.printer_combo.addItem(_("{name} (niet gevonden)").format(name=current), current)
        self.printer_combo.setCurrentIndex(max(0, self.printer_combo.findData(current or "")))
        self.printer_combo.blockSignals(False)
        self._check_printer()

    def _check_printer(self) -> bool:
        name = self.printer_combo.currentData() or ""
        if self.type_combo.currentData() != "system":
            self._clear(self.printer_message)
            return True
        if name and name not in self._known:
            self._say(self.printer_message, _("Deze computer kent de printer {name} niet (meer). Kies een printer "
                                              "uit de lijst.").format(name=name))
            return False
        if not name and not self._default and not self._known:
            self._say(self.printer_message, _("Deze computer heeft nog geen printer. Vraag de helpdesk om er een "
                                              "aan te sluiten."))
            return False
        self._clear(self.printer_message)
        return True

    # -- checking ----------------------------------------------------------
    def _on_type(self, _index: int | None = None) -> None:
        kind = self.type_combo.currentData() or "none"
        escpos = kind.startswith("escpos_")
        self.form_layout.setRowVisible(self.printer_row, kind == "system")
        self.form_layout.setRowVisible(self.target_row, escpos)
        self.form_layout.setRowVisible(self.folder_row, kind == "pdf_folder")
        self.paper_combo.setEnabled(not escpos)
        self.paper_hint.setVisible(escpos)
        self.target_edit.setPlaceholderText(TARGET_PLACEHOLDER.get(kind, ""))
        self.target_hint.setText({
            "escpos_network": _("Het IP-adres of de naam van de printer. Met een dubbele punt erachter de poort; "
                                "zonder poort is het 9100."),
            "escpos_usb": _("De code van de printer: twee keer vier tekens met een dubbele punt, zoals 04b8:0e15. "
                            "De helpdesk weet de code."),
        }.get(kind, ""))
        self.target_hint.setVisible(kind in ("escpos_network", "escpos_usb"))
        self.test_button.setEnabled(kind != "none" and not self._testing)
        self.test_button.setToolTip("" if kind != "none" else _("Kies eerst een printer."))
        self._clear(self.target_message)
        self._clear(self.folder_message)
        self._check_printer()

    def _say(self, label: QLabel, text: str) -> None:
        label.setText(text)
        label.show()

    def _clear(self, label: QLabel) -> None:
        label.hide()
        label.clear()

    def _check_target(self, *, quiet_when_empty: bool = False) -> str | None:
        kind = self.type_combo.currentData()
        if not kind.startswith("escpos_"):
            return ""
        if quiet_when_empty and not self.target_edit.text().strip():
            self._clear(self.target_message)
            return None
        try:
            value = check_escpos_target(kind, self.target_edit.text())
        except SettingProblem as problem:
            self._say(self.target_message, printer_setting_message(problem, kind))
            return None
        self._clear(self.target_message)
        return value

    def _check_folder(self) -> str | None:
        if self.type_combo.currentData() != "pdf_folder":
            return ""
        try:
            value = check_pdf_folder(self.folder_edit.text())
        except SettingProblem as problem:
            self._say(self.folder_message, printer_setting_message(problem))
            return None
        self._clear(self.folder_message)
        return value

    def checked_config(self) -> PrinterConfig | None:
        """The form as a printer, or None (and the sentences beside the fields) when something is wrong."""
        form = self.form()
        target, folder = self._check_target(), self._check_folder()
        printer_ok = self._check_printer()
        if target is None or folder is None or (form.type == "system" and not printer_ok):
            return None
        return PrinterConfig(
            type=form.type,
            name=form.name if form.type == "system" else "",
            paper="80mm" if form.type.startswith("escpos_") else form.paper,
            target=target if form.type.startswith("escpos_") else "",
            pdf_folder=folder if form.type == "pdf_folder" else "",
        )

    def _choose_folder(self) -> None:
        start = self.folder_edit.text().strip() or str(jobs.default_pdf_folder())
        chosen = self._folder_dialog(self, start)
        if chosen:
            self.folder_edit.setText(chosen)
            self._check_folder()

    # -- saving ------------------------------------------------------------
    def save(self) -> bool:
        """Write the printer settings and save the file; False (and a sentence) when something is wrong."""
        config = self.checked_config()
        if config is None:
            show_notice(self.notice, _("Niet opgeslagen. Kijk naar de rode tekst bij de velden."), error=True)
            return False
        values = {"printer_type": config.type, "printer_paper": config.paper}
        # Keep what belongs to the other kinds: switching back later finds it again.
        if config.type == "system":
            values["printer_name"] = config.name
        elif config.type.startswith("escpos_"):
            values["printer_escpos_target"] = config.target
        elif config.type == "pdf_folder":
            values["printer_pdf_folder"] = config.pdf_folder
        before = {key: setting(self.settings, key) for key in values}
        for key, value in values.items():
            self.settings[key] = value
        try:
            if hasattr(self.settings, "save"):
                self.settings.save()
        except OSError as exc:
            for key, value in before.items():
                self.settings[key] = value
            log.warning("cannot save the settings: %s", exc)
            show_notice(self.notice, _("De instellingen konden niet worden opgeslagen. Wat u koos, staat er nog. "
                                       "Probeer het nog eens of bel de helpdesk."), error=True)
            return False
        self._saved_form = self._form_of(printer_from(self.settings))
        if config.target:
            self.target_edit.setText(config.target)  # in its normal form
        show_notice(self.notice, _("Opgeslagen. Deze computer print voortaan zo."), error=False)
        self.saved.emit()
        return True

    # -- the test slip -----------------------------------------------------
    def print_test(self) -> None:
        if self._testing:
            return
        config = self.checked_config()
        if config is None:
            show_notice(self.test_notice, _("Eerst moet alles kloppen. Kijk naar de rode tekst bij de velden."),
                        error=True)
            return
        if not config.configured:
            show_notice(self.test_notice, _("Kies eerst een printer."), error=True)
            return
        self._testing = True
        self.test_button.setEnabled(False)
        self.test_busy.setText(_("De testbon wordt geprint…"))
        self.test_notice.hide()
        settings, now = self.settings, self.clock()
        run_task(lambda: jobs.print_test(config, settings, now), self._on_test_printed, self._on_test_failed)

    def _after_test(self) -> None:
        self._testing = False
        self.test_busy.setText("")
        self.test_button.setEnabled(self.type_combo.currentData() != "none")

    def _on_test_printed(self, delivery: Delivery) -> None:
        if self._shut:
            return
        self._after_test()
        if delivery.how == "pdf_folder":
            text = _("Gelukt. De testbon staat in {path}").format(path=delivery.job)
        else:
            text = _("De testbon is naar de printer gestuurd. Komt er geen bon uit? Kijk dan of de printer aan "
                     "staat en papier heeft.")
        show_notice(self.test_notice, text, error=False)
        self.test_printed.emit(delivery)

    def _on_test_failed(self, err: BaseException) -> None:
        if self._shut:
            return
        self._after_test()
        log.warning("test slip failed: %s", err)
        text = message_for(err)
        show_notice(self.test_notice, text, error=True)
        self.test_failed.emit(text)

    # -- closing -------------------------------------------------------------
    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        if not self._closing_ok and self.is_dirty() and not self._confirm_discard(self):
            event.ignore()
            return
        self._shut = True
        self.closed.emit()
        super().closeEvent(event)

    def discard_and_close(self) -> None:
        """Close without asking (tests, and after the person chose to stop)."""
        self._closing_ok = True
        self.close()


def show_workstation_window(owner: Any, settings: Any) -> WorkstationWindow:
    """Show ``owner``'s one "Instellingen van deze computer" window in front.

    Made on first use, on ``settings``, and kept in ``owner.workstation_window``
    (None again once the window closed): a second click brings the same window
    back instead of opening another one.
    """
    window = owner.workstation_window
    if window is None:
        window = owner.workstation_window = WorkstationWindow(settings, parent=owner)

        def forget() -> None:
            window.deleteLater()
            if owner.workstation_window is window:
                owner.workstation_window = None

        window.closed.connect(forget)
    window.show()
    window.raise_()
    window.activateWindow()
    return window

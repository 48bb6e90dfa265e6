"""Appointment screens: booking at the counter or on the phone, the day overview, and kiosk check-in.

* :class:`AppointmentDesk` — for a clerk, KCC or team lead: pick a service and
  a day, pick a free time, fill in name and phone or e-mail (and remarks), book;
  look an appointment up by its code, move it, cancel it, save it as .ics;
  print the confirmation or save it as PDF (:class:`~baliedesk.ui.common.printbar.PrintBar`)
  after booking, after moving and for a found appointment;
  and the day's appointments (for one counter's services if given), checked in
  or not. A refused action shows one Dutch sentence and keeps what was typed.
* :class:`CheckInPanel` — for the kiosk: type the code, get a number. Too
  early, too late, unknown code: a clear sentence; too late with walk-ins
  possible offers a walk-in ticket at once.

Both hide themselves completely (``available`` False) when the location does
not work with appointments: with the switch off nothing of appointments shows.
Both reach the services through a client (:mod:`baliedesk.client`): the
clerk's at the counter, the kiosk account's at the kiosk; the client binds who
acts and the clock. All database work runs through
:func:`baliedesk.ui.common.tasks.run_task`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from baliedesk import hourstext
from baliedesk.domain.appointments import CODE_ALPHABET, CODE_LENGTH, NAME_MAX_LENGTH
from baliedesk.domain.errors import AppointmentTooLate
from baliedesk.i18n import _, ngettext
from baliedesk.printing.config import BrandingOnce
from baliedesk.printing.slips import appointment_slip
from baliedesk.services.schedule_dto import AppointmentInfo, AppointmentSwitch, SlotInfo
from baliedesk.ui.common import theme
from baliedesk.ui.common.printbar import PrintBar
from baliedesk.ui.common.notices import notice_label, show_notice
from baliedesk.ui.common.messages import message_for
from baliedesk.ui.common.tasks import run_task

STATUS_NAMES = {
    "upcoming": "verwacht later",
    "expected": "kan zich melden",
    "checked_in": "aangemeld",
    "no_show": "niet gekomen",
    "cancelled": "afgezegd",
}
SLOT_DAYS = 1  # the booking list shows one day at a time
#: The kiosk's on-screen keyboard: keys per row.
KEYS_PER_ROW = 7
#: The appointment confirmation exists on a receipt printer's roll and on A5.
CONFIRMATION_PAPERS = ("80mm", "A5")
#: The day overview is read again this often; reading it records no-shows (services.appointments.day_overview).
DAY_REFRESH_MS = 60_000


#: Row colours in the day overview (functions: the theme may change at start-up).
STATUS_COLOURS: dict[str, Callable[[], str]] = {
    "checked_in": lambda: theme.lighter(theme.PRIMARY, 0.85),
    "no_show": lambda: theme.WARNING_BG,
}


def day_summary_text(overview: Any) -> str:
    """One line under the day overview: how many, checked in, not come, still expected."""
    total = sum(1 for a in overview.appointments if a.status != "cancelled")
    if total == 0:
        return _("Vandaag geen afspraken.")
    waiting = overview.count("upcoming") + overview.count("expected")
    return ngettext("{n} afspraak", "{n} afspraken", total).format(n=total) + ": " + _(
        "{checked_in} aangemeld, {no_show} niet gekomen, {waiting} nog verwacht.").format(
        checked_in=overview.count("checked_in"), no_show=overview.count("no_show"), waiting=waiting)


def confirmation_text(a: AppointmentInfo) -> str:
    """What the clerk reads out or the visitor takes home (also the base of the printed confirmation)."""
    lines = [
        _("Afspraak voor {service}").format(service=a.service_name),
        _("{day} om {time}").format(day=hourstext.date_text(a.start.date()), time=hourstext.time_text(a.start)),
        _("Afspraakcode: {code}").format(code=a.display_code),
        _("Op naam van: {name}").format(name=a.name),
    ]
    if a.bring:
        lines.append(_("Neem mee: {items}").format(items=", ".join(a.bring)))
    lines.append(_("Meld u vanaf {time} bij de kiosk met uw afspraakcode.").format(
        time=hourstext.time_text(a.checkin_from)))
    return "\n".join(lines)


class _Base(QWidget):
    """Shared plumbing: the switch, tasks that ignore answers after closing, errors in Dutch."""

    availability = Signal(bool)  # False: the location does not work with appointments; hide everything
    error_shown = Signal(str)

    def __init__(self, client: Any, location_id: int, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.client, self.location_id = client, location_id
        self.switch: AppointmentSwitch | None = None
        self._closed = False
        self.tz = ZoneInfo("Europe/Amsterdam")

    @property
    def available(self) -> bool:
        return bool(self.switch and self.switch.enabled and self.switch.service_ids)

    def _run(self, work: Callable[[], Any], on_done: Callable[[Any], None], where: QLabel,
             on_error: Callable[[BaseException], bool] | None = None) -> None:
        def failed(err: BaseException) -> None:
            if self._closed or (on_error is not None and on_error(err)):
                return
            text = message_for(err)
            show_notice(where, text, error=True)
            self.error_shown.emit(text)

        run_task(work, lambda r: None if self._closed else on_done(r), failed)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self._closed = True
        super().closeEvent(event)


class AppointmentDesk(_Base):
    """Book, find, move, cancel, export, and the day's appointments."""

    loaded = Signal()
    booked = Signal(object)  # AppointmentInfo
    changed = Signal(object)  # AppointmentInfo after a move or cancel
    overview_shown = Signal(object)  # DayOverview

    def __init__(self, client: Any, location_id: int, *, counter_id: int | None = None, settings: Any = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(client, location_id, parent)
        self.counter_id = counter_id
        #: The booking form's request id: made when the form opens, the same for a retry,
        #: renewed after a booking (the service makes one appointment per id).
        self.book_request_id = uuid.uuid4().hex
        self._booking = False
        # The workstation's settings decide the printer and paper of the confirmation (none: Qt's dialog).
        self.workstation_settings = settings if settings is not None else {}
        # the location's details for the confirmation: read once, on the print bar's worker thread
        self.slip_branding = BrandingOnce(client.organisation.branding, location_id, self.workstation_settings)
        self.services: dict[int, Any] = {}
        self.settings: dict[int, Any] = {}
        self.slots: list[SlotInfo] = []
        self.current: AppointmentInfo | None = None
        self._build()
        self.setVisible(False)
        # While the desk is open the day overview is read every minute: states move on
        # ("kan zich melden", "niet gekomen") and appointments past their window are recorded as no-shows.
        self.day_timer = QTimer(self)
        self.day_timer.setInterval(DAY_REFRESH_MS)
        self.day_timer.timeout.connect(self.load_day)
        self.reload()

    # -- building ----------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._book_tab(), _("Afspraak maken"))
        self.tabs.addTab(self._find_tab(), _("Afspraak zoeken"))
        self.tabs.addTab(self._day_tab(), _("Vandaag"))
        root.addWidget(self.tabs)

    def _book_tab(self) -> QWidget:
        tab = QWidget()
        lay = QHBoxLayout(tab)
        left = QVBoxLayout()
        form = QFormLayout()
        self.service = QComboBox()
        self.service.currentIndexChanged.connect(self.load_slots)
        form.addRow(_("Dienst"), self.service)
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("dd-MM-yyyy")
        self.day.dateChanged.connect(self.load_slots)
        form.addRow(_("Dag"), self.day)
        left.addLayout(form)
        self.slot_list = QListWidget()
        self.slot_list.setObjectName("slots")
        left.addWidget(self.slot_list, 1)
        self.bring_label = QLabel("")
        self.bring_label.setWordWrap(True)
        left.addWidget(self.bring_label)
        lay.addLayout(left, 1)

        right = QVBoxLayout()
        person = QFormLayout()
        self.name = QLineEdit()
        self.name.setMaxLength(NAME_MAX_LENGTH)
        person.addRow(_("Naam"), self.name)
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(_("bijvoorbeeld 06 12345678"))
        person.addRow(_("Telefoon"), self.phone)
        self.email = QLineEdit()
        self.email.setPlaceholderText(_("bijvoorbeeld naam@voorbeeld.nl"))
        person.addRow(_("E-mail"), self.email)
        self.remarks = QPlainTextEdit()
        self.remarks.setFixedHeight(80)
        person.addRow(_("Opmerking"), self.remarks)
        right.addLayout(person)
        self.book_message = notice_label()
        right.addWidget(self.book_message)
        self.book_button = QPushButton(_("Afspraak maken"))
        self.book_button.setProperty("role", "primary")
        self.book_button.clicked.connect(self.book)
        right.addWidget(self.book_button)
        self.confirmation = QLabel("")
        self.confirmation.setWordWrap(True)
        self.confirmation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right.addWidget(self.confirmation)
        self.book_print = PrintBar(None, self.workstation_settings, papers=CONFIRMATION_PAPERS,
                                   title=_("Afspraakbevestiging"), parent=tab)
        self.book_print.setObjectName("bookPrint")
        right.addWidget(self.book_print)
        right.addStretch(1)
        lay.addLayout(right, 1)
        return tab

    def _find_tab(self) -> QWidget:
        tab = QWidget()
        lay = QVBoxLayout(tab)
        row = QHBoxLayout()
        self.code = QLineEdit()
        self.code.setPlaceholderText(_("afspraakcode, bijvoorbeeld K7P-3QX"))
        self.code.returnPressed.connect(self.find)
        row.addWidget(self.code, 1)
        find = QPushButton(_("Zoeken"))
        find.clicked.connect(self.find)
        row.addWidget(find)
        lay.addLayout(row)
        self.found = QLabel("")
        self.found.setWordWrap(True)
        self.found.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.found)
        self.find_message = notice_label()
        lay.addWidget(self.find_message)
        buttons = QHBoxLayout()
        self.move_button = QPushButton(_("Verzetten naar de gekozen tijd"))
        self.move_button.setToolTip(_("Kies eerst een nieuwe tijd op het tabblad 'Afspraak maken'."))
        self.move_button.clicked.connect(self.move)
        self.cancel_button = QPushButton(_("Afzeggen"))
        self.cancel_button.clicked.connect(self.cancel)
        self.ics_button = QPushButton(_("Opslaan voor de agenda (.ics)"))
        self.ics_button.clicked.connect(self.export_ics)
        for b in (self.move_button, self.cancel_button, self.ics_button):
            b.setEnabled(False)
            buttons.addWidget(b)
        lay.addLayout(buttons)
        self.found_print = PrintBar(None, self.workstation_settings, papers=CONFIRMATION_PAPERS,
                                    title=_("Afspraakbevestiging"), parent=tab)
        self.found_print.setObjectName("foundPrint")
        lay.addWidget(self.found_print)
        lay.addStretch(1)
        return tab

    def _day_tab(self) -> QWidget:
        tab = QWidget()
        lay = QVBoxLayout(tab)
        self.day_table = QTableWidget(0, 5)
        self.day_table.setHorizontalHeaderLabels([_("Tijd"), _("Dienst"), _("Naam"), _("Code"), _("Stand")])
        self.day_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.day_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        lay.addWidget(self.day_table, 1)
        self.day_summary = QLabel("")
        self.day_summary.setObjectName("day_summary")
        self.day_summary.setWordWrap(True)
        lay.addWidget(self.day_summary)
        self.day_message = notice_label()
        lay.addWidget(self.day_message)
        refresh = QPushButton(_("Vernieuwen"))
        refresh.clicked.connect(self.load_day)
        lay.addWidget(refresh, 0, Qt.AlignmentFlag.AlignRight)
        return tab

    # -- loading -----------------------------------------------------------
    def reload(self) -> None:
        client, loc = self.client, self.location_id

        def work() -> tuple[AppointmentSwitch, tuple[Any, ...], str, tuple[Any, ...]]:
            zone = next((x.timezone for x in client.setup.list_locations() if x.id == loc), "Europe/Amsterdam")
            switch = client.appointments.appointment_switch(loc)
            settings = client.appointments.bookable_services(loc) if switch.enabled else ()
            return switch, client.setup.list_services(loc), zone, settings

        self._run(work, self._on_switch, self.book_message)

    def _on_switch(self, result: tuple[AppointmentSwitch, tuple[Any, ...], str, tuple[Any, ...]]) -> None:
        self.switch, services, zone, settings = result
        self.settings = {info.service_id: info for info in settings}
        self.tz = ZoneInfo(zone)
        self.setVisible(self.available)
        self.availability.emit(self.available)
        if not self.available:
            self.day_timer.stop()
            return
        if not self.day_timer.isActive():
            self.day_timer.start()
        self.services = {s.id: s for s in services if s.id in self.switch.service_ids}
        keep = self.service.currentData()
        self.service.blockSignals(True)
        self.service.clear()
        for s in self.services.values():
            self.service.addItem(_("{prefix} – {name}").format(prefix=s.prefix, name=s.name), s.id)
        index = self.service.findData(keep)
        self.service.setCurrentIndex(index if index >= 0 else 0)
        self.service.blockSignals(False)
        today = self.client.now().astimezone(self.tz).date()
        if self.day.date() < QDate(today.year, today.month, today.day):
            self.day.blockSignals(True)
            self.day.setDate(QDate(today.year, today.month, today.day))
            self.day.blockSignals(False)
        self.load_slots()
        self.load_day()
        self.loaded.emit()

    def _chosen_day(self) -> dt.date:
        q = self.day.date()
        return dt.date(q.year(), q.month(), q.day())

    def load_slots(self) -> None:
        service_id = self.service.currentData()
        if not self.available or service_id is None:
            return
        client, day = self.client, self._chosen_day()
        self._slots_asked = asked = getattr(self, "_slots_asked", 0) + 1

        def shown(slots: tuple[SlotInfo, ...]) -> None:
            if asked != self._slots_asked:
                return  # an older question (another day or service) answered late: a newer one is on its way
            self.slots = [s for s in slots if s.free > 0]
            self.slot_list.clear()
            for s in self.slots:
                text = _("{start} - {end}  ({free} vrij)").format(
                    start=hourstext.clock(s.start), end=hourstext.clock(s.end), free=s.free)
                item = QListWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, s.start.isoformat())
                self.slot_list.addItem(item)
            if not self.slots:
                self.slot_list.addItem(QListWidgetItem(_("Op deze dag is geen tijd vrij.")))
            if self.slots:
                self.slot_list.setCurrentRow(0)

        info = self.settings.get(service_id)
        self.bring_label.setText(_("Neem mee: {items}").format(items=", ".join(info.bring))
                                 if info is not None and info.bring else "")
        self._run(lambda: client.appointments.available_slots(service_id, day, SLOT_DAYS), shown,
                  self.book_message)

    def chosen_slot(self) -> SlotInfo | None:
        row = self.slot_list.currentRow()
        return self.slots[row] if 0 <= row < len(self.slots) else None

    # -- actions -----------------------------------------------------------
    def book(self) -> None:
        if self._booking:  # a double click: the first press is under way
            return
        slot = self.chosen_slot()
        if slot is None:
            show_notice(self.book_message, _("Kies eerst een tijd."), error=True)
            return
        client = self.client
        name, phone, email = self.name.text(), self.phone.text(), self.email.text()
        remarks = self.remarks.toPlainText()  # too long: the service says so, nothing is cut off silently

        def done(a: AppointmentInfo) -> None:
            self._booked_or_refused()
            self.book_request_id = uuid.uuid4().hex  # the next booking is a new appointment
            self.current = a
            show_notice(self.book_message, _("De afspraak is gemaakt."), error=False)
            self.confirmation.setText(confirmation_text(a))
            for field in (self.name, self.phone, self.email):
                field.clear()
            self.remarks.clear()
            self.book_print.set_source(self.confirmation_source(a))
            self._show_found(a)
            self.booked.emit(a)
            self.load_slots()
            self.load_day()

        request_id = self.book_request_id
        self._booking = True
        self.book_button.setEnabled(False)
        self._run(lambda: client.appointments.book(slot.service_id, slot.start, name=name, phone=phone,
                                                   email=email, remarks=remarks, request_id=request_id),
                  done, self.book_message, on_error=lambda err: self._booked_or_refused() or self._after_refusal())

    def _booked_or_refused(self) -> None:
        self._booking = False
        self.book_button.setEnabled(True)

    def _after_refusal(self) -> bool:
        self.load_slots()  # a slot may just have filled up; what was typed stays
        return False

    def find(self) -> None:
        client, code = self.client, self.code.text()
        self._run(lambda: client.appointments.find(code), self._show_found, self.find_message)

    def _show_found(self, a: AppointmentInfo) -> None:
        self.current = a
        self.find_message.hide()
        state = _(STATUS_NAMES.get(a.status, a.status))
        self.found.setText(confirmation_text(a) + "\n" + _("Stand: {state}").format(state=state))
        active = a.state == "booked"
        self.move_button.setEnabled(active)
        self.cancel_button.setEnabled(active)
        self.ics_button.setEnabled(a.state in ("booked", "checked_in"))
        # A confirmation only for an appointment that still stands.
        self.found_print.set_source(self.confirmation_source(a) if a.state in ("booked", "checked_in") else None)

    def confirmation_source(self, a: AppointmentInfo) -> Callable[[], Any]:
        """What the print bar prints for ``a``: plain values only (it runs on a worker thread)."""
        branding = self.slip_branding
        return lambda: appointment_slip(a, branding())

    def move(self) -> None:
        slot, a = self.chosen_slot(), self.current
        if a is None:
            return
        if slot is None or slot.service_id != a.service_id:
            show_notice(self.find_message, _("Kies eerst een nieuwe tijd voor {service} op het tabblad 'Afspraak maken'.")
                 .format(service=a.service_name), error=True)
            return
        client = self.client

        def done(moved: AppointmentInfo) -> None:
            self._show_found(moved)
            show_notice(self.find_message, _("De afspraak is verzet."), error=False)
            self.changed.emit(moved)
            self.load_slots()
            self.load_day()

        self._run(lambda: client.appointments.move(a.id, slot.start), done, self.find_message)

    def cancel(self) -> None:
        a = self.current
        if a is None:
            return
        client = self.client

        def done(cancelled: AppointmentInfo) -> None:
            self._show_found(cancelled)
            show_notice(self.find_message, _("De afspraak is afgezegd."), error=False)
            self.changed.emit(cancelled)
            self.load_slots()
            self.load_day()

        self._run(lambda: client.appointments.cancel(a.id), done, self.find_message)

    def export_ics(self, path: str | None = None) -> None:
        """Save the current appointment as .ics; asks where unless ``path`` is given."""
        a = self.current
        if a is None:
            return
        if path is None:
            path, _filter = QFileDialog.getSaveFileName(self, _("Afspraak opslaan"), f"afspraak-{a.display_code}.ics",
                                                        _("Agenda (*.ics)"))
            if not path:
                return
        client, target = self.client, Path(path)

        def write() -> Path:
            target.write_bytes(client.appointments.appointment_ics(a.id).encode("utf-8"))
            return target

        self._run(write, lambda p: show_notice(self.find_message, _("Opgeslagen: {name}").format(name=p.name),
                                        error=False), self.find_message)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.day_timer.stop()
        for bar in (self.book_print, self.found_print):
            bar.shutdown()
        super().closeEvent(event)

    def load_day(self) -> None:
        if not self.available:
            return
        client, loc, counter = self.client, self.location_id, self.counter_id
        self._day_asked = asked = getattr(self, "_day_asked", 0) + 1

        def shown(overview: Any) -> None:
            if asked != self._day_asked:
                return  # a newer read of the day is on its way
            self.day_table.setRowCount(len(overview.appointments))
            for r, a in enumerate(overview.appointments):
                values = [hourstext.clock(a.start), a.service_prefix, a.name, a.display_code,
                          _(STATUS_NAMES.get(a.status, a.status)) + (f" ({a.ticket_number})" if a.ticket_number else "")]
                colour = STATUS_COLOURS.get(a.status)
                for c, value in enumerate(values):
                    item = QTableWidgetItem(value)
                    if colour is not None:
                        item.setBackground(QColor(colour()))
                        item.setForeground(QColor(theme.TEXT))
                    self.day_table.setItem(r, c, item)
            self.day_summary.setText(day_summary_text(overview))
            self.overview_shown.emit(overview)

        self._run(lambda: client.appointments.day_overview(loc, counter_id=counter), shown,
                  self.day_message)


class CheckInPanel(_Base):
    """Kiosk: check in with the appointment code; too late offers a walk-in ticket.

    ``client`` is the kiosk's door, bound to the kiosk account.
    """

    checked_in = Signal(object)  # CheckInResult
    walk_in_issued = Signal(object)  # IssuedTicket

    def __init__(self, client: Any, location_id: int, *, parent: QWidget | None = None) -> None:
        super().__init__(client, location_id, parent)
        self._walk_in_service: int | None = None
        self._busy = False
        lay = QVBoxLayout(self)
        lay.setSpacing(12)
        title = QLabel(_("Heeft u een afspraak? Tik uw afspraakcode."))
        title.setFont(theme.font(theme.SIZE_LARGE, bold=True))
        title.setWordWrap(True)
        lay.addWidget(title)
        self.code = QLineEdit()
        self.code.setMaxLength(CODE_LENGTH + 3)
        self.code.setFont(theme.font(theme.SIZE_TITLE, bold=True))
        self.code.setMinimumHeight(theme.TOUCH_MIN)
        # An instruction, not an example code: an example looks like a code already filled in.
        self.code.setPlaceholderText(_("Tik hier de {n} tekens van uw code").format(n=CODE_LENGTH))
        self.code.textEdited.connect(self._tidy)
        self.code.returnPressed.connect(self.check_in)  # also what a USB barcode scanner sends
        lay.addWidget(self.code)
        self.scanner_hint = QLabel(_("Heeft u de bevestiging bij u? Houd de code onder de scanner. "
                                     "Dan hoeft u niets te tikken."))
        self.scanner_hint.setFont(theme.font(theme.SIZE_LARGE))
        self.scanner_hint.setWordWrap(True)
        self.scanner_hint.setProperty("role", "muted")
        lay.addWidget(self.scanner_hint)
        # The on-screen keyboard: only the characters a code can have (no 0/O, 1/I, 5/S ...).
        keyboard = QGridLayout()
        keyboard.setSpacing(8)
        self._keys: dict[str, QPushButton] = {}
        ordered = sorted(CODE_ALPHABET, key=lambda ch: (ch.isdigit(), ch))
        for i, ch in enumerate(ordered):
            key = self._key(ch, f"key_{ch}")
            key.clicked.connect(lambda _checked=False, c=ch: self.type_key(c))
            keyboard.addWidget(key, i // KEYS_PER_ROW, i % KEYS_PER_ROW)
            self._keys[ch] = key
        row = len(ordered) // KEYS_PER_ROW
        col = len(ordered) % KEYS_PER_ROW
        self.backspace_button = self._key(_("Wis één"), "keyBackspace")
        self.backspace_button.clicked.connect(self.code.backspace)
        self.clear_button = self._key(_("Wis alles"), "keyClear")
        self.clear_button.clicked.connect(self.code.clear)
        keyboard.addWidget(self.backspace_button, row, col, 1, 2)
        keyboard.addWidget(self.clear_button, row, col + 2, 1, 2)
        lay.addLayout(keyboard)
        self.check_in_button = QPushButton(_("Aanmelden"))
        self.check_in_button.setObjectName("checkInButton")
        self.check_in_button.setProperty("role", "primary")
        self.check_in_button.setFont(theme.font(theme.SIZE_TITLE, bold=True))
        self.check_in_button.setMinimumHeight(theme.TOUCH_MIN)
        self.check_in_button.clicked.connect(self.check_in)
        lay.addWidget(self.check_in_button)
        self.result = notice_label()
        self.result.setFont(theme.font(theme.SIZE_LARGE))
        lay.addWidget(self.result)
        self.walk_in_button = QPushButton(_("Neem een gewoon nummer"))
        self.walk_in_button.setMinimumHeight(theme.TOUCH_MIN)
        self.walk_in_button.clicked.connect(self.take_walk_in)
        self.walk_in_button.hide()
        lay.addWidget(self.walk_in_button)
        lay.addStretch(1)
        # The application's style sheet gives buttons a small min-height, which wins over
        # setMinimumHeight: the kiosk's touch minimum goes into this panel's own sheet.
        self.setStyleSheet(f"QPushButton {{ min-height: {theme.TOUCH_MIN}px; min-width: {theme.TOUCH_MIN}px; }}")
        self.setVisible(False)
        self._run(lambda: client.appointments.appointment_switch(location_id), self.apply_switch, self.result)

    def _key(self, text: str, name: str) -> QPushButton:
        key = QPushButton(text)
        key.setObjectName(name)
        key.setFont(theme.font(theme.SIZE_TITLE, bold=True))
        key.setMinimumSize(theme.TOUCH_MIN, theme.TOUCH_MIN)
        key.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the code field keeps the focus (and the scanner's keys)
        return key

    def keys(self) -> dict[str, QPushButton]:
        """The on-screen keyboard's character keys."""
        return dict(self._keys)

    def type_key(self, ch: str) -> None:
        self.code.insert(ch)
        self._tidy(self.code.text())

    def _tidy(self, text: str) -> None:
        """Upper case, only the code's characters, the dash after three: "k7p3" -> "K7P-3"."""
        chars = [c for c in text.upper() if c in CODE_ALPHABET][:CODE_LENGTH]
        tidy = "".join(chars[:3]) + ("-" + "".join(chars[3:]) if len(chars) > 3 else "")
        if tidy != text:
            self.code.setText(tidy)
            self.code.setCursorPosition(len(tidy))

    def apply_switch(self, switch: AppointmentSwitch) -> None:
        """The location's appointment switch (read at start and, at the kiosk, with every picture)."""
        self.switch = switch
        self.setVisible(self.available)
        self.availability.emit(self.available)

    def check_in(self) -> None:
        if self._busy:
            return
        self._busy = True
        self.walk_in_button.hide()
        self._walk_in_service = None
        client, code = self.client, self.code.text()

        def done(result: Any) -> None:
            self._busy = False
            t = result.issued.ticket
            show_notice(self.result, _("U bent aangemeld. Uw nummer is {number}. Let op het scherm.").format(
                number=t.display_number), error=False)
            self.code.clear()
            self.checked_in.emit(result)

        def refused(err: BaseException) -> bool:
            self._busy = False
            if isinstance(err, AppointmentTooLate) and err.walk_in_possible:
                self._walk_in_service = err.service_id
                self.walk_in_button.show()
            return False  # and the sentence is shown

        self._run(lambda: client.appointments.check_in(code), done, self.result, on_error=refused)

    def take_walk_in(self) -> None:
        service_id = self._walk_in_service
        if service_id is None:
            return
        client = self.client

        def done(issued: Any) -> None:
            self.walk_in_button.hide()
            self._walk_in_service = None
            show_notice(self.result, _("Uw nummer is {number}. Let op het scherm.").format(
                number=issued.ticket.display_number), error=False)
            self.code.clear()
            self.walk_in_issued.emit(issued)

        request_id = uuid.uuid4().hex  # one press, one ticket
        self._run(lambda: client.queue.issue_ticket(service_id, source="kiosk", request_id=request_id),
                  done, self.result)

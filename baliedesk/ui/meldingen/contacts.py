"""Contact registration: the KCC's main screen (a tab in the meldingen window).

Every contact, whatever the channel, is written down in a few seconds:
channel, subject (a service from the list or free text), answered at first
contact ("eerstelijn") or passed on (to whom), and a short note. Made for the
keyboard:

* Alt+1 … Alt+7 choose the channel (the last one chosen stays for the next
  contact: a KCC agent on the phone keeps "Telefoon");
* the subject field completes service names as you type; arrow down shows
  the services;
* Alt+Z / Alt+D choose "zelf beantwoord" or "doorgezet naar";
* Enter in any line, or Ctrl+Enter anywhere, saves; after saving the cursor
  is back in the subject field, ready for the next contact.

Below the form: today's contacts at this location, newest first. A refusal
shows one Dutch sentence next to the field and keeps everything typed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from baliedesk.client import Client
from baliedesk.domain import meldingen as rules
from baliedesk.domain.errors import ValidationError
from baliedesk.i18n import _
from baliedesk.services.dto import ServiceInfo
from baliedesk.services.melding_dto import ContactInfo
from baliedesk.ui.common import theme
from baliedesk.ui.common.messages import message_for
from baliedesk.ui.common.notices import notice_label, show_notice
from baliedesk.ui.meldingen.widgets import CHANNEL_NAMES, _error_label, _line, _Panel

#: The channels in the order of their Alt+digit keys (the KCC's most used first).
CONTACT_CHANNELS = ("telefoon", "balie", "email", "website", "social_media", "app", "post")
RESULT_NAMES = {"eerstelijn": "Zelf beantwoord", "doorgezet": "Doorgestuurd"}


class ContactPanel(_Panel):
    """Register a contact quickly; today's contacts below."""

    saved = Signal(object)  # ContactInfo
    loaded = Signal(object)  # tuple[ContactInfo, ...] (today's)

    #: which error label shows a refusal about which field
    FIELD_SLOTS = {"subject": "subject", "service": "subject", "channel": "subject", "passed_to": "passed_to",
                   "result": "passed_to", "note": "note"}

    def __init__(self, client: Client, location_id: int, *, parent: QWidget | None = None) -> None:
        super().__init__(client, location_id, parent)
        self.tz = ZoneInfo("Europe/Amsterdam")
        self.services: tuple[ServiceInfo, ...] = ()
        self.today: tuple[ContactInfo, ...] = ()
        self._busy = False
        self._build()
        self.load_services()
        self.reload()

    # -- building ----------------------------------------------------------
    def _build(self) -> None:
        self.errors = {slot: _error_label() for slot in set(self.FIELD_SLOTS.values())}
        root = QVBoxLayout(self)
        title = QLabel(_("Contact vastleggen"))
        title.setFont(theme.font(theme.SIZE_LARGE, bold=True))
        root.addWidget(title)
        form = QGridLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(6)

        channels = QHBoxLayout()
        self.channel_group = QButtonGroup(self)
        self.channel_buttons: dict[str, QRadioButton] = {}
        for i, value in enumerate(CONTACT_CHANNELS, start=1):
            radio = QRadioButton(f"&{i} {_(CHANNEL_NAMES[value])}")
            radio.setObjectName(f"channel_{value}")
            radio.setMinimumHeight(30)
            self.channel_group.addButton(radio)
            self.channel_buttons[value] = radio
            channels.addWidget(radio)
        channels.addStretch(1)
        self.channel_buttons["telefoon"].setChecked(True)
        form.addWidget(QLabel(_("Kanaal")), 0, 0)
        form.addLayout(channels, 0, 1)

        self.subject = _line("contactSubject", rules.SUBJECT_MAX_LENGTH,
                             _("typ waar het over ging, of pijltje omlaag voor de diensten"))
        self.subject.setMinimumHeight(34)
        self.subject.installEventFilter(self)
        caption = QLabel(_("&Onderwerp"))
        caption.setBuddy(self.subject)
        form.addWidget(caption, 1, 0)
        form.addWidget(self.subject, 1, 1)
        form.addWidget(self.errors["subject"], 2, 1)

        result = QHBoxLayout()
        self.result_group = QButtonGroup(self)
        self.first_line = QRadioButton(_("&Zelf beantwoord (eerstelijn)"))
        self.first_line.setObjectName("contactFirstLine")
        self.passed_on = QRadioButton(_("&Doorgestuurd naar:"))
        self.passed_on.setObjectName("contactPassedOn")
        for radio in (self.first_line, self.passed_on):
            radio.setMinimumHeight(30)
            self.result_group.addButton(radio)
        self.first_line.setChecked(True)
        self.passed_to = _line("contactPassedTo", rules.SUBJECT_MAX_LENGTH, _("team of collega"))
        self.passed_to.setMinimumHeight(34)
        self.passed_to.setEnabled(False)
        self.passed_on.toggled.connect(self._update_passed_to)
        result.addWidget(self.first_line)
        result.addSpacing(16)
        result.addWidget(self.passed_on)
        result.addWidget(self.passed_to, 1)
        form.addWidget(QLabel(_("Uitkomst")), 3, 0)
        form.addLayout(result, 3, 1)
        form.addWidget(self.errors["passed_to"], 4, 1)

        self.note = _line("contactNote", rules.NOTE_MAX_LENGTH, _("korte notitie (mag leeg blijven)"))
        self.note.setMinimumHeight(34)
        caption = QLabel(_("&Notitie"))
        caption.setBuddy(self.note)
        form.addWidget(caption, 5, 0)
        form.addWidget(self.note, 5, 1)
        form.addWidget(self.errors["note"], 6, 1)
        root.addLayout(form)

        actions = QHBoxLayout()
        self.message = notice_label()
        self.message.setObjectName("contactMessage")
        actions.addWidget(self.message, 1)
        self.save_button = QPushButton(_("Contact opslaan  (Enter)"))
        self.save_button.setObjectName("saveContact")
        self.save_button.setProperty("role", "primary")
        self.save_button.setMinimumHeight(44)
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        actions.addWidget(self.save_button)
        root.addLayout(actions)
        for edit in (self.subject, self.passed_to, self.note):
            edit.returnPressed.connect(self.save)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            sc = QShortcut(QKeySequence(keys), self, activated=self.save)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

        heading = QLabel(_("Vandaag vastgelegd"))
        heading.setFont(theme.font(theme.SIZE_BODY, bold=True))
        root.addWidget(heading)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("todaysContacts")
        self.table.setHorizontalHeaderLabels([_("Tijd"), _("Kanaal"), _("Onderwerp"), _("Uitkomst"), _("Notitie")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab goes from field to field, not into the list
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        root.addWidget(self.table, 1)
        self.count_label = QLabel("")
        self.count_label.setProperty("role", "muted")
        root.addWidget(self.count_label)
        self.subject.setFocus()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt name
        """Arrow down in the subject field opens the list of services (all of them when it is empty)."""
        if watched is self.subject and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down:
            completer = self.subject.completer()
            if completer is not None and not (completer.popup() and completer.popup().isVisible()):
                completer.setCompletionPrefix(self.subject.text())
                completer.complete()
                return True
        return super().eventFilter(watched, event)

    def _update_passed_to(self) -> None:
        on = self.passed_on.isChecked()
        self.passed_to.setEnabled(on)
        if on:
            self.passed_to.setFocus()

    # -- reading -----------------------------------------------------------
    def load_services(self) -> None:
        def done(services: tuple[ServiceInfo, ...]) -> None:
            self.services = tuple(s for s in services if s.active)
            completer = QCompleter([s.name for s in self.services], self)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            self.subject.setCompleter(completer)

        self._run(lambda: self.client.setup.list_services(self.location_id), done,
                  lambda e: self._fail(self.message, e))

    def refresh(self) -> None:
        """Another workstation changed something: today's list again; nothing typed is touched."""
        if not self.services:
            self.load_services()
        self.reload()

    def reload(self) -> None:
        now = self.client.now()  # "today" as the services count it
        self._run(lambda: self.client.contacts.recent_contacts(self.location_id),
                  self._latest("list", lambda rows: self.show_today(rows, now)),
                  lambda e: self._fail(self.message, e))

    def show_today(self, rows: tuple[ContactInfo, ...], now: dt.datetime) -> None:
        day = now.astimezone(self.tz).date()
        today = tuple(c for c in rows if c.created_at.astimezone(self.tz).date() == day)
        self.today = today
        selected = self._selected_id()
        self.table.clearSelection()
        self.table.setRowCount(len(today))
        for r, c in enumerate(today):
            outcome = _("Doorgestuurd naar {whom}").format(whom=c.passed_to) if c.result == "doorgezet" \
                else _("Zelf beantwoord")
            channel = _(CHANNEL_NAMES.get(c.channel, c.channel))
            if c.ticket_id is not None:
                channel += " " + _("(bezoek)")
            cells = (c.created_at.astimezone(self.tz).strftime("%H.%M"), channel, c.subject, outcome, c.note or "")
            for col, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, c.id)
                if col in (2, 4):
                    item.setToolTip(value)
                self.table.setItem(r, col, item)
            if c.id == selected:
                self.table.selectRow(r)
        first = sum(1 for c in today if c.result == "eerstelijn")
        if today:
            self.count_label.setText(_("Vandaag {n} contacten. {first} zelf beantwoord ({pct}%).").format(
                n=len(today), first=first, pct=round(100 * first / len(today))))
        else:
            self.count_label.setText(_("Vandaag nog geen contacten vastgelegd."))
        self.loaded.emit(today)

    def _selected_id(self) -> int | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    # -- saving --------------------------------------------------------------
    def channel(self) -> str:
        return next((v for v, b in self.channel_buttons.items() if b.isChecked()), "telefoon")

    def values(self) -> dict[str, Any]:
        """What was typed. A subject that is exactly a service's name is registered as that service."""
        subject = self.subject.text()
        wanted = subject.strip().casefold()
        service = next((s for s in self.services if s.name.casefold() == wanted), None) if wanted else None
        return dict(channel=self.channel(), subject=subject, service_id=service.id if service else None,
                    result="doorgezet" if self.passed_on.isChecked() else "eerstelijn",
                    passed_to=self.passed_to.text() if self.passed_on.isChecked() else None,
                    note=self.note.text())

    def _clear_errors(self) -> None:
        for label in self.errors.values():
            label.hide()
            label.setText("")

    def save(self) -> None:
        if self._busy:
            return
        self._clear_errors()
        fields = self.values()
        self._busy = True
        self.save_button.setEnabled(False)
        request_id = self.request_id()  # the same for a retry after a timeout: never two contacts
        self._run(lambda: self.client.contacts.register_contact(self.location_id, **fields, request_id=request_id),
                  self._saved, self._refused)

    def _saved(self, info: ContactInfo) -> None:
        self._busy = False
        self.renew_request_id()  # the next contact is a new one
        self.save_button.setEnabled(True)
        for edit in (self.subject, self.passed_to, self.note):
            edit.clear()
        self.first_line.setChecked(True)
        show_notice(self.message, _("Opgeslagen: {subject}.").format(subject=info.subject), error=False)
        self.subject.setFocus()
        self.saved.emit(info)
        self.reload()

    def _refused(self, err: BaseException) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        text = message_for(err)
        slot = self.FIELD_SLOTS.get(err.field) if isinstance(err, ValidationError) else None
        if slot is not None:
            self.errors[slot].setText(text)
            self.errors[slot].show()
            {"subject": self.subject, "passed_to": self.passed_to, "note": self.note}[slot].setFocus()
        show_notice(self.message, _("Niet opgeslagen. {reason}").format(reason=text), error=True)
        self.error_shown.emit(text)

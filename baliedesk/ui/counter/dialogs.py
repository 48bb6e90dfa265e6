"""Dialogs of the counter window: finish, transfer, put back.

A dialog never saves by itself and never closes on a failure: it emits
``submitted`` with what the clerk chose, the window saves it off the GUI
thread and then either calls ``accept()`` or ``show_error(text)``. What was
typed stays in the field until saving worked.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from baliedesk.domain.meldingen import SUBJECT_MAX_LENGTH
from baliedesk.domain.tickets import NOTE_MAX_LENGTH, Outcome
from baliedesk.i18n import _
from baliedesk.services.dto import CounterInfo, ServiceInfo, TicketInfo
from baliedesk.ui.common import theme

#: Dutch labels for the outcomes, in the order they are offered.
OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.HELPED: "Geholpen",
    Outcome.INFORMATION: "Alleen informatie gegeven",
    Outcome.INCOMPLETE: "Papieren niet compleet, komt terug",
    Outcome.REFERRED: "Verwezen naar een andere plek",
    Outcome.OTHER: "Anders",
}

SUBMIT_KEYS = ("Ctrl+Return", "Ctrl+Enter")



def dialog_error_label(parent: QWidget) -> QLabel:
    """The red line a counter dialog shows a refusal in (hidden until there is one)."""
    label = QLabel("", parent)
    label.setObjectName("dialogError")
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setFont(theme.font(theme.SIZE_BODY, bold=True))
    label.hide()
    return label

class NoteDialog(QDialog):
    """Base: a title, custom fields, a short note with a counter, an error line and
    the two buttons. Ctrl+Enter saves, Esc cancels (not while saving)."""

    submitted = Signal(dict)

    def __init__(self, title: str, submit_text: str, parent: QWidget | None = None, *, note: str = "",
                 note_label: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(560)
        self._busy = False
        heading = QLabel(title, self)
        heading.setFont(theme.font(theme.SIZE_TITLE, bold=True))
        heading.setWordWrap(True)
        self.error_label = dialog_error_label(self)
        self.fields = QVBoxLayout()
        self.fields.setSpacing(8)
        self.note_label = QLabel(note_label or _("Korte notitie (mag leeg blijven)"), self)
        self.note_edit = QPlainTextEdit(self)
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setAccessibleName(_("Notitie"))
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setMinimumHeight(96)
        self.note_edit.setPlainText(note)
        self.note_label.setBuddy(self.note_edit)
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("noteCount")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.note_edit.textChanged.connect(self._update_count)
        self.submit_button = QPushButton(f"{submit_text}  (Ctrl+Enter)", self)
        self.submit_button.setObjectName("submitButton")
        self.submit_button.setProperty("role", "primary")
        self.submit_button.setMinimumHeight(52)
        self.submit_button.setAutoDefault(False)
        self.submit_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton(_("Annuleren  (Esc)"), self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setMinimumHeight(52)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.busy_label = QLabel("", self)
        self.busy_label.setProperty("role", "muted")
        buttons = QHBoxLayout()
        buttons.addWidget(self.busy_label, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.submit_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 20)
        lay.setSpacing(10)
        lay.addWidget(heading)
        lay.addWidget(self.error_label)
        lay.addLayout(self.fields)
        lay.addWidget(self.note_label)
        lay.addWidget(self.note_edit, 1)
        lay.addWidget(self.count_label)
        lay.addLayout(buttons)
        for keys in SUBMIT_KEYS:
            QShortcut(QKeySequence(keys), self, activated=self.submit)
        self._update_count()

    # -- what the window uses -------------------------------------------
    def note_text(self) -> str:
        """The note exactly as it stands in the field. Qt keeps line breaks as
        paragraph separators internally; they come back as ``\\n``. Unlike
        ``toPlainText`` this keeps no-break spaces as typed."""
        return self.note_edit.document().toRawText().replace("\u2029", "\n")

    def values(self) -> dict:
        return {"note": self.note_text()}

    def submit(self) -> None:
        if self._busy or not self.submit_button.isEnabled():
            return
        self.submitted.emit(self.values())

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.submit_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        self.busy_label.setText(_("Bezig met opslaan …") if busy else "")

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.error_label.setText(text)
        self.error_label.setAccessibleName(text)
        self.error_label.show()

    def error_text(self) -> str:
        return self.error_label.text() if not self.error_label.isHidden() else ""

    def reject(self) -> None:
        if self._busy:  # the save is on its way; its answer decides
            return
        super().reject()

    # -- internals -------------------------------------------------------
    def _update_count(self) -> None:
        n = len(self.note_text().strip())
        if n > NOTE_MAX_LENGTH:
            self.count_label.setText(_("{n} van {max} tekens. Dat is te lang.").format(n=n, max=NOTE_MAX_LENGTH))
            self.count_label.setStyleSheet(f"color: {theme.ERROR}; font-weight: bold;")
        else:
            self.count_label.setText(_("{n} van {max} tekens").format(n=n, max=NOTE_MAX_LENGTH))
            self.count_label.setStyleSheet(f"color: {theme.TEXT_MUTED};")


class FinishDialog(NoteDialog):
    """Afronden: how did the visit end, what was it about (the contact registration), and a short note.

    The subject starts as the ticket's service; "doorgezet" asks to whom. The
    window finishes the ticket and records the contact in one service call.
    """

    def __init__(self, ticket: TicketInfo, parent: QWidget | None = None, *, note: str = "",
                 outcome: Outcome = Outcome.HELPED, subject: str | None = None, result: str = "eerstelijn",
                 passed_to: str = "") -> None:
        super().__init__(_("Nummer {number} afronden").format(number=ticket.display_number), _("Afronden"),
                         parent, note=note)
        self.setObjectName("finishDialog")
        self.ticket = ticket
        question = QLabel(_("Hoe ging het?"), self)
        question.setFont(theme.font(theme.SIZE_LARGE, bold=True))
        self.fields.addWidget(question)
        self.outcome_group = QButtonGroup(self)
        self.outcome_buttons: dict[Outcome, QRadioButton] = {}
        for i, (outcome_value, label) in enumerate(OUTCOME_LABELS.items(), start=1):
            radio = QRadioButton(f"&{i}  {_(label)}", self)
            radio.setObjectName(f"outcome_{outcome_value.value}")
            radio.setMinimumHeight(32)
            self.outcome_group.addButton(radio)
            self.outcome_buttons[outcome_value] = radio
            self.fields.addWidget(radio)
        self.outcome_buttons.get(outcome, self.outcome_buttons[Outcome.HELPED]).setChecked(True)

        contact = QLabel(_("Contact vastleggen"), self)
        contact.setFont(theme.font(theme.SIZE_LARGE, bold=True))
        self.fields.addWidget(contact)
        subject_row = QHBoxLayout()
        subject_label = QLabel(_("&Onderwerp"), self)
        self.subject_edit = QLineEdit(self)
        self.subject_edit.setObjectName("subjectEdit")
        self.subject_edit.setAccessibleName(_("Onderwerp"))
        self.subject_edit.setMaxLength(SUBJECT_MAX_LENGTH + 50)  # "te lang" comes from the service
        self.subject_edit.setText(ticket.service_name if subject is None else subject)
        self.subject_edit.setMinimumHeight(36)
        subject_label.setBuddy(self.subject_edit)
        subject_row.addWidget(subject_label)
        subject_row.addWidget(self.subject_edit, 1)
        self.fields.addLayout(subject_row)
        self.result_group = QButtonGroup(self)
        self.first_line = QRadioButton(_("&Zelf beantwoord (eerstelijn)"), self)
        self.first_line.setObjectName("resultFirstLine")
        self.passed_on = QRadioButton(_("&Doorgestuurd naar:"), self)
        self.passed_on.setObjectName("resultPassedOn")
        for radio in (self.first_line, self.passed_on):
            radio.setMinimumHeight(32)
            self.result_group.addButton(radio)
        self.passed_to_edit = QLineEdit(self)
        self.passed_to_edit.setObjectName("passedToEdit")
        self.passed_to_edit.setAccessibleName(_("Doorgestuurd naar"))
        self.passed_to_edit.setPlaceholderText(_("team of collega, bijvoorbeeld Team Vergunningen"))
        self.passed_to_edit.setMaxLength(SUBJECT_MAX_LENGTH + 50)
        self.passed_to_edit.setText(passed_to)
        self.passed_to_edit.setMinimumHeight(36)
        self.fields.addWidget(self.first_line)
        to_row = QHBoxLayout()
        to_row.addWidget(self.passed_on)
        to_row.addWidget(self.passed_to_edit, 1)
        self.fields.addLayout(to_row)
        (self.passed_on if result == "doorgezet" else self.first_line).setChecked(True)
        self.passed_on.toggled.connect(self._update_passed_to)
        self._update_passed_to()
        self.note_edit.setFocus()

    def _update_passed_to(self) -> None:
        on = self.passed_on.isChecked()
        self.passed_to_edit.setEnabled(on)
        if on and self.isVisible():
            self.passed_to_edit.setFocus()

    def outcome(self) -> Outcome:
        for value, radio in self.outcome_buttons.items():
            if radio.isChecked():
                return value
        return Outcome.HELPED

    def set_outcome(self, outcome: Outcome) -> None:
        self.outcome_buttons[Outcome(outcome)].setChecked(True)

    def result(self) -> str:
        return "doorgezet" if self.passed_on.isChecked() else "eerstelijn"

    def values(self) -> dict:
        return {"note": self.note_text(), "outcome": self.outcome(), "subject": self.subject_edit.text(),
                "result": self.result(), "passed_to": self.passed_to_edit.text()}


class RequeueDialog(NoteDialog):
    """Terug in de rij: optionally with priority."""

    def __init__(self, ticket: TicketInfo, parent: QWidget | None = None, *, note: str = "") -> None:
        super().__init__(_("Nummer {number} terug in de rij").format(number=ticket.display_number),
                         _("Terug in de rij"), parent, note=note)
        self.setObjectName("requeueDialog")
        self.ticket = ticket
        explain = QLabel(_("De bezoeker houdt de tijd dat hij al wachtte."), self)
        explain.setWordWrap(True)
        self.fields.addWidget(explain)
        self.priority_box = QCheckBox(_("Met voorrang: als eerste weer aan de beurt"), self)
        self.priority_box.setObjectName("priorityBox")
        self.priority_box.setMinimumHeight(32)
        self.fields.addWidget(self.priority_box)
        self.note_edit.setFocus()

    def values(self) -> dict:
        return {"note": self.note_text(), "priority": self.priority_box.isChecked()}


class TransferDialog(NoteDialog):
    """Doorsturen: to another service or to one counter; priority yes/no; a note."""

    def __init__(self, ticket: TicketInfo, services: Sequence[ServiceInfo], counters: Sequence[CounterInfo],
                 my_counter_id: int, parent: QWidget | None = None, *, note: str = "") -> None:
        super().__init__(_("Nummer {number} doorsturen").format(number=ticket.display_number), _("Doorsturen"),
                         parent, note=note)
        self.setObjectName("transferDialog")
        self.ticket = ticket
        explain = QLabel(_("De bezoeker houdt de tijd dat hij al wachtte."), self)
        explain.setWordWrap(True)
        self.fields.addWidget(explain)
        self.to_service = QRadioButton(_("Naar een andere dienst"), self)
        self.to_service.setObjectName("toService")
        self.to_counter = QRadioButton(_("Naar een vaste balie"), self)
        self.to_counter.setObjectName("toCounter")
        self.service_combo = QComboBox(self)
        self.service_combo.setObjectName("serviceCombo")
        for s in services:
            if s.active:
                self.service_combo.addItem(f"{s.prefix}  {s.name}", s.id)
        other = next((i for i in range(self.service_combo.count())
                      if self.service_combo.itemData(i) != ticket.service_id), 0)
        self.service_combo.setCurrentIndex(other)
        self.counter_combo = QComboBox(self)
        self.counter_combo.setObjectName("counterCombo")
        for c in counters:
            if c.active and c.id != my_counter_id:
                who = c.signed_in_user_name if c.signed_in_user_name and not c.gone else _("nu niemand")
                self.counter_combo.addItem(f"{c.display_name}  —  {who}", c.id)
        for combo in (self.service_combo, self.counter_combo):
            combo.setMinimumHeight(36)
        group = QButtonGroup(self)
        group.addButton(self.to_service)
        group.addButton(self.to_counter)
        self.to_service.setChecked(True)
        self.to_service.toggled.connect(self._update_targets)
        self.to_counter.setEnabled(self.counter_combo.count() > 0)
        self.fields.addWidget(self.to_service)
        self.fields.addWidget(self.service_combo)
        self.fields.addWidget(self.to_counter)
        self.fields.addWidget(self.counter_combo)
        self.priority_box = QCheckBox(_("Met voorrang: vóór de gewone wachtrij"), self)
        self.priority_box.setObjectName("priorityBox")
        self.priority_box.setMinimumHeight(32)
        self.fields.addWidget(self.priority_box)
        self._update_targets()
        self.service_combo.setFocus()

    def _update_targets(self) -> None:
        self.service_combo.setEnabled(self.to_service.isChecked())
        self.counter_combo.setEnabled(self.to_counter.isChecked())

    def values(self) -> dict:
        return {
            "note": self.note_text(),
            "priority": self.priority_box.isChecked(),
            "to_service_id": self.service_combo.currentData() if self.to_service.isChecked() else None,
            "to_counter_id": self.counter_combo.currentData() if self.to_counter.isChecked() else None,
        }

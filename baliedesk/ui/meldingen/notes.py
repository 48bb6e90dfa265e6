"""Callback notes and complaints (the "Terugbellen" and "Klachten" tabs).

* :class:`CallbackPanel` — write a callback note (due in 2 working days), the
  open notes by due date, mark one as called back with the outcome.
* :class:`ComplaintsPanel` — register a complaint, confirm receipt, extend
  once with a reason, close with the outcome.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from baliedesk import hourstext
from baliedesk.client import Client
from baliedesk.domain import meldingen as rules
from baliedesk.i18n import _
from baliedesk.printing.config import BrandingOnce
from baliedesk.printing.slips import callback_slip
from baliedesk.services.melding_dto import CallbackInfo, ComplaintInfo
from baliedesk.ui.common import theme
from baliedesk.ui.common.notices import notice_label, show_notice
from baliedesk.ui.common.printbar import PrintBar
from baliedesk.ui.meldingen.widgets import CHANNEL_NAMES, SLIP_PAPERS, _combo, _line, _Panel, days_text, short_date


# ---------------------------------------------------------------------------
# callback notes
# ---------------------------------------------------------------------------
class CallbackPanel(_Panel):
    loaded = Signal(object)  # tuple[CallbackInfo, ...]
    written = Signal(object)  # (CallbackInfo, CallbackSlip)

    def __init__(self, client: Client, location_id: int, *, parent: QWidget | None = None,
                 settings: Any = None) -> None:
        super().__init__(client, location_id, parent)
        self.settings = settings if settings is not None else {}
        self.slip_branding = BrandingOnce(client.organisation.branding, location_id, self.settings)
        self.tz = ZoneInfo("Europe/Amsterdam")
        self.notes: tuple[CallbackInfo, ...] = ()
        self._build()
        self.reload()

    def _build(self) -> None:
        root = QHBoxLayout(self)
        form = QFormLayout()
        title = QLabel(_("Nieuwe terugbelnotitie"))
        title.setFont(theme.font(theme.SIZE_BODY, bold=True))
        form.addRow(title)
        self.caller = _line("caller_name", rules.NAME_MAX_LENGTH)
        self.phone = _line("callback_phone", 20)
        self.question = QPlainTextEdit()
        self.question.setObjectName("question")
        self.question.setTabChangesFocus(True)
        self.question.setMaximumHeight(100)
        self.for_team = _line("for_team", rules.TEAM_MAX_LENGTH, _("team of naam van de collega"))
        form.addRow(_("Naam beller"), self.caller)
        form.addRow(_("Telefoon"), self.phone)
        form.addRow(_("Vraag"), self.question)
        form.addRow(_("Voor"), self.for_team)
        self.form_message = notice_label()
        form.addRow(self.form_message)
        self.write_button = QPushButton(_("Notitie opslaan"))
        self.write_button.setProperty("role", "primary")
        self.write_button.clicked.connect(self.write)
        form.addRow(self.write_button)
        # The receipt of the note just written (for the caller at the counter, or the colleague's tray).
        self.print_bar = PrintBar(None, self.settings, papers=SLIP_PAPERS, parent=self)
        self.print_bar.setObjectName("callbackPrintBar")
        self.print_bar.hide()
        form.addRow(self.print_bar)
        form_box = QVBoxLayout()
        form_box.addLayout(form)
        form_box.addStretch(1)  # the rows stay together at the top
        root.addLayout(form_box, 2)

        right = QVBoxLayout()
        title = QLabel(_("Open terugbelnotities (eerst wat het eerst moet)"))
        title.setFont(theme.font(theme.SIZE_BODY, bold=True))
        right.addWidget(title)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("callbacks")
        self.table.setHorizontalHeaderLabels([_("Uiterlijk"), _("Beller"), _("Telefoon"), _("Voor"), _("Vraag")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        right.addWidget(self.table, 1)
        done_row = QHBoxLayout()
        self.reached = QCheckBox(_("Bereikt"))
        self.reached.setChecked(True)
        self.outcome = _line("callback_outcome", rules.OUTCOME_MAX_LENGTH, _("Wat is er afgesproken?"))
        self.done_button = QPushButton(_("Teruggebeld"))
        self.done_button.clicked.connect(self.mark_done)
        done_row.addWidget(self.reached)
        done_row.addWidget(self.outcome, 1)
        done_row.addWidget(self.done_button)
        right.addLayout(done_row)
        self.list_message = notice_label()
        right.addWidget(self.list_message)
        root.addLayout(right, 3)

    def reload(self) -> None:
        self._run(lambda: self.client.contacts.open_callbacks(self.location_id),
                  self._latest("list", self.show), lambda e: self._fail(self.list_message, e))

    def refresh(self) -> None:
        self.reload()

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.notes[rows[0].row()].id if rows and rows[0].row() < len(self.notes) else None

    def show(self, notes: tuple[CallbackInfo, ...]) -> None:  # type: ignore[override]
        selected = self.selected_id()
        self.notes = notes
        self.table.clearSelection()
        self.table.setRowCount(len(notes))
        for r, n in enumerate(notes):
            due = f"{short_date(n.due_date)} ({days_text(n.days_left, n.overdue)})"
            whom = ", ".join(x for x in (n.for_user_name, n.for_team) if x)
            for c, value in enumerate((due, n.caller_name, n.phone, whom, n.question)):
                item = QTableWidgetItem(value)
                if c == 4:
                    item.setToolTip(value)  # the whole question when the column is narrow
                if n.overdue:
                    item.setBackground(QBrush(QColor(theme.ERROR_BG)))
                self.table.setItem(r, c, item)
            if n.id == selected:
                self.table.selectRow(r)
        self.loaded.emit(notes)

    def write(self) -> None:
        team = self.for_team.text()
        caller, phone, question = self.caller.text(), self.phone.text(), self.question.toPlainText()

        def done(result: Any) -> None:
            info, slip = result
            for w in (self.caller, self.phone, self.for_team):
                w.clear()
            self.question.clear()
            show_notice(self.form_message, _("Opgeslagen. We bellen uiterlijk {date} terug.").format(
                date=hourstext.date_text(slip.expected_date)), error=False)
            branding, tz = self.slip_branding, self.tz
            self.print_bar.set_source(lambda: callback_slip(slip, branding(), tz=tz))
            self.print_bar.show()
            self.written.emit(result)
            self.reload()

        self._save("callback", self.write_button,
                   lambda request_id: self.client.contacts.write_callback(
                       self.location_id, caller_name=caller, phone=phone, question=question, for_team=team,
                       request_id=request_id),
                   done, lambda e: self._fail(self.form_message, e))

    def mark_done(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.notes):
            show_notice(self.list_message, _("Kies eerst een notitie in de lijst."), error=True)
            return
        note_id = self.notes[rows[0].row()].id
        reached, outcome = self.reached.isChecked(), self.outcome.text()

        def done(info: CallbackInfo) -> None:
            self.outcome.clear()
            show_notice(self.list_message, _("Afgehandeld."), error=False)
            self.reload()

        self._run(lambda: self.client.contacts.mark_called_back(note_id, reached=reached, outcome=outcome),
                  done, lambda e: self._fail(self.list_message, e))


# ---------------------------------------------------------------------------
# complaints
# ---------------------------------------------------------------------------
class ComplaintsPanel(_Panel):
    loaded = Signal(object)

    def __init__(self, client: Client, location_id: int, *, parent: QWidget | None = None) -> None:
        super().__init__(client, location_id, parent)
        self.items: tuple[ComplaintInfo, ...] = ()
        self._build()
        self.reload()

    def _build(self) -> None:
        root = QHBoxLayout(self)
        left = QVBoxLayout()
        form = QFormLayout()
        title = QLabel(_("Nieuwe klacht"))
        title.setFont(theme.font(theme.SIZE_BODY, bold=True))
        self.form_title = title
        left.addWidget(title)  # the heading, and the form right under it (not centred in the height)
        left.addLayout(form)
        left.addStretch(1)
        self.name = _line("complaint_name", rules.NAME_MAX_LENGTH)
        self.email = _line("complaint_email", 254)
        self.phone = _line("complaint_phone", 20)
        self.subject = _line("complaint_subject", rules.SUBJECT_MAX_LENGTH)
        self.description = QPlainTextEdit()
        self.description.setObjectName("complaint_description")
        self.description.setTabChangesFocus(True)
        self.description.setMaximumHeight(100)
        self.channel = _combo("complaint_channel", CHANNEL_NAMES)
        for label, w in ((_("Naam"), self.name), (_("E-mail"), self.email), (_("Telefoon"), self.phone),
                         (_("Onderwerp"), self.subject), (_("Klacht"), self.description), (_("Kanaal"), self.channel)):
            form.addRow(label, w)
        self.form_message = notice_label()
        form.addRow(self.form_message)
        self.register_button = QPushButton(_("Klacht opslaan"))
        self.register_button.setProperty("role", "primary")
        self.register_button.clicked.connect(self.register)
        form.addRow(self.register_button)
        root.addLayout(left, 2)

        right = QVBoxLayout()
        title = QLabel(_("Open klachten (termijn: zes weken)"))
        title.setFont(theme.font(theme.SIZE_BODY, bold=True))
        right.addWidget(title)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("complaints")
        self.table.setHorizontalHeaderLabels([_("Nummer"), _("Naam"), _("Onderwerp"), _("Status"), _("Uiterlijk")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        right.addWidget(self.table, 1)
        self.action_text = _line("complaint_action_text", rules.OUTCOME_MAX_LENGTH,
                                 _("Reden van verlengen, of de uitkomst"))
        right.addWidget(self.action_text)
        buttons = QHBoxLayout()
        self.ack_button = QPushButton(_("Ontvangst bevestigd"))
        self.ack_button.clicked.connect(lambda: self.act("ack"))
        self.extend_button = QPushButton(_("Termijn verlengen (4 weken)"))
        self.extend_button.clicked.connect(lambda: self.act("extend"))
        self.close_button = QPushButton(_("Afhandelen"))
        self.close_button.clicked.connect(lambda: self.act("close"))
        for b in (self.ack_button, self.extend_button, self.close_button):
            buttons.addWidget(b)
        right.addLayout(buttons)
        self.list_message = notice_label()
        right.addWidget(self.list_message)
        root.addLayout(right, 3)

    def reload(self) -> None:
        self._run(lambda: self.client.contacts.complaints(self.location_id),
                  self._latest("list", self.show), lambda e: self._fail(self.list_message, e))

    def refresh(self) -> None:
        self.reload()

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.items[rows[0].row()].id if rows and rows[0].row() < len(self.items) else None

    def show(self, items: tuple[ComplaintInfo, ...]) -> None:  # type: ignore[override]
        selected = self.selected_id()
        self.table.clearSelection()
        self.items = items
        names = {"ingediend": _("ontvangen"), "bevestigd": _("ontvangst bevestigd"), "afgehandeld": _("afgehandeld")}
        self.table.setRowCount(len(items))
        for r, k in enumerate(items):
            due = _("{date} {year}").format(date=hourstext.date_text(k.due_date), year=k.due_date.year)
            if k.extended:
                due += " " + _("(verlengd)")
            if k.overdue:
                due += " · " + _("te laat")
            for c, value in enumerate((k.number, k.name, k.subject, names.get(k.state, k.state), due)):
                item = QTableWidgetItem(value)
                if k.overdue:
                    item.setBackground(QBrush(QColor(theme.ERROR_BG)))
                self.table.setItem(r, c, item)
            if k.id == selected:
                self.table.selectRow(r)
        self.loaded.emit(items)

    def register(self) -> None:
        fields = dict(name=self.name.text(), email=self.email.text(), phone=self.phone.text(),
                      subject=self.subject.text(), description=self.description.toPlainText(),
                      channel=self.channel.currentData())

        def done(k: ComplaintInfo) -> None:
            for w in (self.name, self.email, self.phone, self.subject):
                w.clear()
            self.description.clear()
            show_notice(self.form_message, _("Klacht {number} is opgeslagen. Afhandelen uiterlijk {date}.").format(
                number=k.number, date=_("{date} {year}").format(date=hourstext.date_text(k.due_date),
                                                                 year=k.due_date.year)), error=False)
            self.reload()

        self._save("complaint", self.register_button,
                   lambda request_id: self.client.contacts.register_complaint(
                       self.location_id, **fields, request_id=request_id),
                   done, lambda e: self._fail(self.form_message, e))

    def act(self, action: str) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.items):
            show_notice(self.list_message, _("Kies eerst een klacht in de lijst."), error=True)
            return
        cid, text, door = self.items[rows[0].row()].id, self.action_text.text(), self.client.contacts
        work = {
            "ack": lambda: door.acknowledge_complaint(cid),
            "extend": lambda: door.extend_complaint(cid, reason=text),
            "close": lambda: door.close_complaint(cid, outcome=text),
        }[action]

        def done(k: ComplaintInfo) -> None:
            self.action_text.clear()
            show_notice(self.list_message, _("Klacht {number} is bijgewerkt.").format(number=k.number), error=False)
            self.reload()

        self._run(work, done, lambda e: self._fail(self.list_message, e))

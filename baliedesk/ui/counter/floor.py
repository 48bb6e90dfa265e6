"""The counter floor beyond "volgende": call a chosen number, a number for someone at the
desk, and "toch gekomen" (undo a no-show for a while).

* "Nummer oproepen…" (Ctrl+N) and a double-click on a waiting row call one number
  (``queue.call_ticket``); the typed number may read "A 12", "a012" or "A012".
* "Nummer aan de balie…" (Ctrl+B) issues a ticket for a chosen service
  (``queue.issue_ticket`` with ``source="balie"``) and, if asked, calls it at once.
* After "Niet gekomen" (F4) the visitor panel offers "Toch gekomen" for
  :data:`~baliedesk.domain.tickets.UNDO_NO_SHOW_MINUTES`; "Toch gekomen…" (Ctrl+G)
  lists today's no-shows that can still be undone (``queue.undo_no_show``).

:class:`FloorActions` is a mixin of the counter window; the dialogs never call a
service themselves (the window does, off the GUI thread).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from baliedesk import hourstext
from baliedesk.domain.errors import UndoTooLate
from baliedesk.domain.tickets import UNDO_NO_SHOW_MINUTES, display_number, parse_number
from baliedesk.i18n import _
from baliedesk.services.dto import IssuedTicket, ServiceInfo, TicketInfo
from baliedesk.ui.common import theme
from baliedesk.ui.common.messages import message_for
from baliedesk.ui.counter.dialogs import dialog_error_label
from baliedesk.ui.counter.timefmt import local_moment

#: How the counter states are said in the "niet meer wachtend" message.
def counter_message(exc: BaseException) -> str:
    """The counter's wording of an error: one place for every window (ui/common/messages.py)."""
    return message_for(exc)


class _SmallDialog(QDialog):
    """A title, fields, an error line and the buttons; Esc cancels. Never closes on a failure."""

    def __init__(self, title: str, submit_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(460)
        heading = QLabel(title, self)
        heading.setFont(theme.font(theme.SIZE_LARGE, bold=True))
        heading.setWordWrap(True)
        self.error_label = dialog_error_label(self)
        self.fields = QVBoxLayout()
        self.fields.setSpacing(8)
        self.submit_button = QPushButton(submit_text, self)
        self.submit_button.setProperty("role", "primary")
        self.submit_button.setDefault(True)
        self.submit_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton(_("Annuleren"), self)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.submit_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(20, 16, 20, 16)
        lay.setSpacing(10)
        lay.addWidget(heading)
        lay.addLayout(self.fields)
        lay.addWidget(self.error_label)
        lay.addLayout(buttons)
        self.busy = False

    def submit(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.submit_button.setEnabled(not busy)

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))
        self.layout().activate()
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))

    def error_text(self) -> str:
        return self.error_label.text() if self.error_label.isVisible() else ""


class CallNumberDialog(_SmallDialog):
    """"Nummer oproepen…": type a waiting number; emits ``submitted(number)`` (as stored, "A012")."""

    submitted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Nummer oproepen"), _("Oproepen"), parent)
        label = QLabel(_("Welk nummer wilt u oproepen? Bijvoorbeeld: A 12"), self)
        label.setWordWrap(True)
        self.number_edit = QLineEdit(self)
        self.number_edit.setObjectName("numberEdit")
        self.number_edit.setAccessibleName(_("Nummer"))
        self.number_edit.setFont(theme.font(theme.SIZE_LARGE, bold=True))
        self.number_edit.setMaxLength(12)
        self.number_edit.setMinimumHeight(48)
        self.number_edit.returnPressed.connect(self.submit)
        label.setBuddy(self.number_edit)
        self.fields.addWidget(label)
        self.fields.addWidget(self.number_edit)
        self.number_edit.setFocus()

    def submit(self) -> None:
        if self.busy:
            return
        number = parse_number(self.number_edit.text())
        if number is None:
            self.show_error(_("Dat is geen nummer. Typ de letter en het getal, bijvoorbeeld A 12."))
            return
        self.show_error("")
        self.submitted.emit(number)


class DeskTicketDialog(_SmallDialog):
    """"Nummer voor bezoeker aan de balie": a service and "meteen oproepen"; emits
    ``submitted({"service_id", "call_now"})``."""

    submitted = Signal(dict)

    def __init__(self, services: Sequence[ServiceInfo], mine: set[int], can_call: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Nummer voor bezoeker aan de balie"), _("Nummer maken"), parent)
        label = QLabel(_("Voor welke dienst?"), self)
        self.service_box = QComboBox(self)
        self.service_box.setObjectName("serviceBox")
        self.service_box.setAccessibleName(_("Dienst"))
        label.setBuddy(self.service_box)
        offered = [s for s in services if s.active and s.walk_in]
        offered.sort(key=lambda s: (s.id not in mine, s.sort_order, s.prefix))
        for s in offered:
            self.service_box.addItem(f"{s.prefix}  ·  {s.name}", s.id)
        self.call_box = QCheckBox(_("Meteen oproepen aan deze balie"), self)
        self.call_box.setObjectName("callNowBox")
        self.call_box.setChecked(can_call)
        self.call_box.setEnabled(can_call)
        if not can_call:
            self.call_box.setToolTip(_("U heeft nog een bezoeker. Rond die eerst af."))
        self.fields.addWidget(label)
        self.fields.addWidget(self.service_box)
        self.fields.addWidget(self.call_box)
        if not offered:
            self.show_error(_("Er is geen dienst waarvoor u nu een nummer kunt maken."))
            self.submit_button.setEnabled(False)

    def submit(self) -> None:
        if self.busy or self.service_box.currentIndex() < 0:
            return
        self.submitted.emit({"service_id": self.service_box.currentData(),
                             "call_now": self.call_box.isChecked() and self.call_box.isEnabled()})


class NoShowListDialog(_SmallDialog):
    """"Toch gekomen…": today's no-shows that can still go back in the queue; emits
    ``submitted(ticket)`` for the chosen one."""

    submitted = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Toch gekomen"), _("Terug in de rij"), parent)
        explain = QLabel(_("Kies het nummer van de bezoeker die toch is gekomen. Het nummer gaat terug in de rij, "
                           "op de plek van de eerste aankomst. Dat kan tot {minutes} minuten na "
                           "'niet gekomen'.").format(minutes=UNDO_NO_SHOW_MINUTES), self)
        explain.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("noShowList")
        self.list.setAccessibleName(_("Niet gekomen"))
        self.list.setMinimumHeight(160)
        self.setMinimumWidth(640)
        self.list.itemDoubleClicked.connect(lambda _item: self.submit())
        self.fields.addWidget(explain)
        self.fields.addWidget(self.list)
        self.tickets: list[TicketInfo] = []
        self.set_tickets([], None)

    def set_tickets(self, tickets: Sequence[TicketInfo], timezone: str | None) -> None:
        self.tickets = list(tickets)
        self.list.clear()
        for t in self.tickets:
            when = hourstext.time_text(local_moment(t.finished_at, timezone)) if t.finished_at else ""
            item = QListWidgetItem(_("{number}  ·  {service}  ·  niet gekomen om {time}").format(
                number=t.display_number, service=t.service_name, time=when))
            item.setData(Qt.ItemDataRole.UserRole, t.id)
            self.list.addItem(item)
        if self.tickets:
            self.list.setCurrentRow(0)
        self.submit_button.setEnabled(bool(self.tickets))
        if not self.tickets:
            self.show_error(_("Er is nu geen nummer dat terug kan in de rij."))

    def submit(self) -> None:
        row = self.list.currentRow()
        if self.busy or not 0 <= row < len(self.tickets):
            return
        self.submitted.emit(self.tickets[row])


class FloorActions:
    """Call a chosen number, a ticket at the desk, "toch gekomen" (mixin of CounterWindow)."""

    def _floor_init(self) -> None:
        self.last_no_show: TicketInfo | None = None  # offered as "Toch gekomen" in the visitor panel
        self.floor_dialog: _SmallDialog | None = None

    # -- calling one number ------------------------------------------------
    def call_ticket(self, ticket: TicketInfo, dialog: _SmallDialog | None = None) -> bool:
        """Call ``ticket`` (a waiting row) at this counter; False when the counter cannot now."""
        if self.session is None or self.current is not None:
            if self.current is not None:
                text = _("U heeft nog nummer {number}. Rond dat eerst af.").format(
                    number=self.current.display_number)
                if dialog is not None:
                    dialog.show_error(text)
                else:
                    self.show_info(text, "warning")
            return False
        client, counter_id = self._ids()

        def done(result: TicketInfo) -> None:
            self.last_no_show = None
            if self.message_bar.kind in ("info", "success"):
                self.message_bar.clear()
            self._set_current(result)
            if dialog is not None:
                dialog.set_busy(False)
                dialog.accept()

        def failed(exc: BaseException) -> None:
            if dialog is not None:
                dialog.set_busy(False)
                dialog.show_error(counter_message(exc))
            else:
                self.show_error(exc)

        if dialog is not None:
            dialog.set_busy(True)
        started = self._act(lambda: client.queue.call_ticket(counter_id, ticket.id), done, error=failed)
        if not started and dialog is not None:
            dialog.set_busy(False)
        return started

    def open_call_number(self) -> CallNumberDialog | None:
        """"Nummer oproepen…" (Ctrl+N)."""
        if not self._floor_free():
            return None
        dialog = CallNumberDialog(self)
        dialog.setObjectName("callNumberDialog")

        def submitted(number: str) -> None:
            waiting = {w.ticket.number: w.ticket for w in (self.snapshot.waiting if self.snapshot else ())}
            ticket = waiting.get(number)
            if ticket is None:
                dialog.show_error(_("Nummer {number} wacht nu niet. Kijk of u het goed heeft getypt.").format(
                    number=display_number(number)))
                return
            self.call_ticket(ticket, dialog)

        dialog.submitted.connect(submitted)
        self._open_floor_dialog(dialog)
        return dialog

    # -- a ticket for someone at the desk ------------------------------------
    def open_desk_ticket(self) -> DeskTicketDialog | None:
        """"Nummer voor bezoeker aan de balie" (Ctrl+B)."""
        if not self._floor_free():
            return None
        services = sorted(self.services.values(), key=lambda s: (s.sort_order, s.prefix))
        dialog = DeskTicketDialog(services, self._my_service_ids(), self.current is None, self)
        dialog.setObjectName("deskTicketDialog")
        client, counter_id = self._ids()

        def submitted(values: dict) -> None:
            def work() -> tuple[IssuedTicket, TicketInfo | None]:
                issued = client.queue.issue_ticket(values["service_id"], source="balie")
                if not values["call_now"]:
                    return issued, None
                return issued, client.queue.call_ticket(counter_id, issued.ticket.id)

            def done(result: tuple[IssuedTicket, TicketInfo | None]) -> None:
                issued, called = result
                dialog.set_busy(False)
                dialog.accept()
                if called is not None:
                    self.last_no_show = None
                    self._set_current(called)
                    self.show_info(_("Nummer {number} is gemaakt en opgeroepen.").format(
                        number=called.display_number), "success")
                else:
                    self.show_info(_("Nummer {number} is gemaakt. Het staat in de rij.").format(
                        number=issued.ticket.display_number), "success")

            def failed(exc: BaseException) -> None:
                dialog.set_busy(False)
                dialog.show_error(counter_message(exc))

            dialog.set_busy(True)
            if not self._act(work, done, error=failed):
                dialog.set_busy(False)

        dialog.submitted.connect(submitted)
        self._open_floor_dialog(dialog)
        return dialog

    # -- toch gekomen ---------------------------------------------------------
    def undo_last_no_show(self) -> None:
        """The visitor panel's "Toch gekomen" right after F4."""
        if self.last_no_show is not None:
            self.undo_no_show(self.last_no_show)

    def undo_no_show(self, ticket: TicketInfo, dialog: _SmallDialog | None = None) -> bool:
        if self.session is None:
            return False
        client, counter_id = self._ids()

        def done(result: TicketInfo) -> None:
            if self.last_no_show is not None and self.last_no_show.id == result.id:
                self.last_no_show = None
            if dialog is not None:
                dialog.set_busy(False)
                dialog.accept()
            self.show_info(_("Nummer {number} staat weer in de rij, op de plek van de eerste aankomst.").format(
                number=result.display_number), "success")

        def failed(exc: BaseException) -> None:
            if isinstance(exc, UndoTooLate) and self.last_no_show is not None and self.last_no_show.id == ticket.id:
                self.last_no_show = None
            if dialog is not None:
                dialog.set_busy(False)
                dialog.show_error(counter_message(exc))
            else:
                self.show_error(exc)

        if dialog is not None:
            dialog.set_busy(True)
        return self._act(lambda: client.queue.undo_no_show(counter_id, ticket.id), done, error=failed)

    def open_no_shows(self) -> NoShowListDialog | None:
        """"Toch gekomen…" (Ctrl+G): today's no-shows that can still go back."""
        if not self._floor_free():
            return None
        dialog = NoShowListDialog(self)
        dialog.setObjectName("noShowDialog")
        client, location_id = self.client, self.location_id
        dialog.submitted.connect(lambda ticket: self.undo_no_show(ticket, dialog))
        self._open_floor_dialog(dialog)

        def done(tickets: tuple[TicketInfo, ...]) -> None:
            if self.floor_dialog is dialog:
                dialog.show_error("")
                dialog.set_tickets(tickets, self.timezone)

        self._run(lambda: client.queue.undoable_no_shows(location_id), done,
                  lambda exc: dialog.show_error(counter_message(exc)))
        return dialog

    def undo_offer(self, now: dt.datetime) -> TicketInfo | None:
        """The no-show the visitor panel still offers "Toch gekomen" for, if any."""
        t = self.last_no_show
        if t is None or self.current is not None or t.finished_at is None:
            return None
        if now - t.finished_at > dt.timedelta(minutes=UNDO_NO_SHOW_MINUTES):
            return None
        return t

    # -- helpers ----------------------------------------------------------------
    def _floor_free(self) -> bool:
        return (self.session is not None and self._dialog is None and self.floor_dialog is None
                and self.stack.currentWidget() is self.work)

    def _open_floor_dialog(self, dialog: _SmallDialog) -> None:
        self.floor_dialog = dialog
        self._update_actions()

        def finished(_result: int) -> None:
            if self.floor_dialog is dialog:
                self.floor_dialog = None
            self._update_actions()
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()

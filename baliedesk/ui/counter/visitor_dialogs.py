"""The counter window's dialogs (afronden, terug in de rij, doorsturen), "mijn diensten"
and the team lead's "vrijgeven".

A mixin of :class:`baliedesk.ui.counter.window.CounterWindow` (it uses the
window's ``_act``, ``_ids``, ``_run``, ``_set_current`` and message bar).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QMessageBox

from baliedesk.domain.errors import CounterInUse, ValidationError
from baliedesk.domain.tickets import NOTE_MAX_LENGTH, TicketAction
from baliedesk.domain.validation import clean_text
from baliedesk.i18n import _
from baliedesk.services.dto import CounterInfo, CounterSession, TicketInfo
from baliedesk.ui.common.messages import message_for
from baliedesk.ui.counter.dialogs import FinishDialog, NoteDialog, RequeueDialog, TransferDialog


class VisitorDialogs:
    """Dialog-driven visitor actions, my services, release (mixin of CounterWindow)."""

    current: TicketInfo | None
    session: CounterSession | None
    _dialog: Any

    # -- dialogs -----------------------------------------------------------
    def _open_dialog(self, kind: str, dialog: NoteDialog, save: Callable[[dict], Callable[[], TicketInfo]],
                     success: str) -> None:
        assert self.current is not None
        ticket = self.current
        self._dialog = dialog
        self._update_actions()

        def submitted(values: dict) -> None:
            try:
                note = clean_text(values.get("note"), field="note", max_length=NOTE_MAX_LENGTH)
            except ValidationError as exc:
                dialog.show_error(message_for(exc))
                return
            call = save({**values, "note": note or None})
            dialog.set_busy(True)

            def done(result: TicketInfo) -> None:
                self._drafts.pop((kind, ticket.id), None)
                dialog.set_busy(False)
                dialog.accept()
                self._set_current(result)
                self.show_info(success.format(number=result.display_number), "success")

            if not self._act(call, done, dialog):
                dialog.show_error(_("Even geduld. De vorige actie is nog bezig. Probeer het zo nog eens."))

        def finished(result: int) -> None:
            if result != NoteDialog.DialogCode.Accepted.value:
                self._drafts[(kind, ticket.id)] = dialog.values()
            if self._dialog is dialog:
                self._dialog = None
            self._update_actions()
            dialog.deleteLater()

        dialog.submitted.connect(submitted)
        dialog.finished.connect(finished)
        dialog.open()

    def _draft(self, kind: str) -> dict:
        assert self.current is not None
        return self._drafts.get((kind, self.current.id), {})

    def open_finish(self) -> None:
        if not self._can_open(TicketAction.FINISH):
            return
        draft = self._draft("finish")
        kwargs = {"note": draft.get("note", "")}
        for key in ("outcome", "subject", "result", "passed_to"):
            if key in draft:
                kwargs[key] = draft[key]
        dialog = FinishDialog(self.current, self, **kwargs)
        (client, counter_id), ticket_id = self._ids(), self.current.id

        def save(values: dict):
            def work():
                # The visit closes with a contact registration, in the same transaction as the finish.
                contact = client.contacts.visit_contact(result=values["result"], subject=values["subject"],
                                                        passed_to=values["passed_to"], note=values["note"])
                return client.queue.finish(counter_id, ticket_id, values["outcome"], values["note"], contact=contact)
            return work

        self._open_dialog("finish", dialog, save, _("Nummer {number} is afgerond."))

    def open_requeue(self) -> None:
        if not self._can_open(TicketAction.REQUEUE):
            return
        dialog = RequeueDialog(self.current, self, note=self._draft("requeue").get("note", ""))
        (client, counter_id), ticket_id = self._ids(), self.current.id

        def save(values: dict):
            return lambda: client.queue.requeue(counter_id, ticket_id, priority=values["priority"],
                                                note=values["note"])

        self._open_dialog("requeue", dialog, save, _("Nummer {number} staat weer in de rij."))

    def open_transfer(self) -> None:
        if not self._can_open(TicketAction.TRANSFER):
            return
        services = sorted(self.services.values(), key=lambda s: (s.sort_order, s.prefix))
        counters: tuple[CounterInfo, ...] = self.snapshot.counters if self.snapshot else ()
        dialog = TransferDialog(self.current, services, counters, self.session.counter.id, self,
                                note=self._draft("transfer").get("note", ""))
        (client, counter_id), ticket_id = self._ids(), self.current.id

        def save(values: dict):
            return lambda: client.queue.transfer(counter_id, ticket_id,
                                                 to_service_id=values["to_service_id"], to_counter_id=values["to_counter_id"],
                                          priority=values["priority"], note=values["note"])

        self._open_dialog("transfer", dialog, save, _("Nummer {number} is doorgestuurd."))

    def _can_open(self, action: TicketAction) -> bool:
        button = self.action_buttons[action]
        return self.current is not None and self._dialog is None and button.isEnabled()

    # -- my services -------------------------------------------------------
    def _save_services(self, service_ids: list[int]) -> None:
        if self.session is None:
            return
        client, counter_id = self._ids()
        self._saving_services = True
        self.session = CounterSession(
            self._with_services(self.session.counter, service_ids), self.session.user, self.session.current,
            self.session.no_show_after_recalls)
        self._show_waiting()

        def done(session: CounterSession) -> None:
            self._saving_services = False
            self.session = CounterSession(session.counter, session.user, self.session.current if self.session
                                          else session.current, session.no_show_after_recalls)
            self.services_panel.set_selected(session.counter.service_ids)
            self._show_waiting()
            self.request_snapshot()

        def failed(exc: BaseException) -> None:
            self._saving_services = False
            self.show_error(exc)
            self.request_snapshot()  # puts the boxes back as they are stored

        self._run(lambda: client.queue.set_counter_services(counter_id, service_ids), done, failed)

    @staticmethod
    def _with_services(c: CounterInfo, service_ids: list[int]) -> CounterInfo:
        return CounterInfo(c.id, c.location_id, c.name, c.display_name, c.active, tuple(sorted(service_ids)),
                           c.signed_in_user_id, c.signed_in_user_name, c.last_seen_at, c.gone)

    # -- team lead: release ---------------------------------------------
    def confirm(self, title: str, text: str, yes: str) -> bool:
        """Ask a yes/no question (a modal box; tests replace this method)."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=self)
        yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        no_button = box.addButton(_("Annuleren"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(no_button)
        box.exec()
        return box.clickedButton() is yes_button

    def _release(self, ticket: TicketInfo, counter: CounterInfo) -> None:
        if self.session is None:
            return
        force = False
        if not counter.gone:
            force = self._confirm_force(ticket, counter.display_name, counter.signed_in_user_name)
            if not force:
                return
        self._do_release(ticket, force)

    def _confirm_force(self, ticket: TicketInfo, counter_name: str, user_name: str | None) -> bool:
        return self.confirm(
            _("Toch vrijgeven?"),
            _("{counter} lijkt nog in gebruik door {name}. Als u nummer {number} vrijgeeft, gaat het vooraan "
              "in de rij. Toch vrijgeven?").format(counter=counter_name, name=user_name or _("een collega"),
                                                   number=ticket.display_number),
            _("Toch vrijgeven"),
        )

    def _do_release(self, ticket: TicketInfo, force: bool) -> None:
        client = self.client

        def done(result: TicketInfo) -> None:
            self.show_info(_("Nummer {number} staat weer vooraan in de rij.").format(number=result.display_number),
                           "success")
            self.request_snapshot()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, CounterInUse) and not force:
                if self._confirm_force(ticket, exc.counter_name, exc.user_name):
                    self._do_release(ticket, True)
                return
            self.show_error(exc)
            self.request_snapshot()

        self._run(lambda: client.queue.release(ticket.id, force=force), done, failed)

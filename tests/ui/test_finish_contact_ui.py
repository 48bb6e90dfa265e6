"""The counter's finish dialog closes the visit with a contact registration (SQLite and PostgreSQL)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from test_counter import clock, history, issue, open_dialog, press, submit, windows  # noqa: F401 - fixtures

from baliedesk.domain.errors import ValidationError
from baliedesk.domain.tickets import Outcome
from baliedesk.domain.tickets import TicketState as S
from baliedesk.services import contacts
from baliedesk.ui.counter.dialogs import FinishDialog
from baliedesk.ui.common.messages import message_for

MIN = __import__("datetime").timedelta(minutes=1)


def visit_contacts(backend, seeded, now, ticket_id):
    return [c for c in contacts.recent_contacts(backend, seeded.users["anne"], seeded.location_id, now + 60 * MIN)
            if c.ticket_id == ticket_id]


def test_finish_records_one_contact_with_the_service_as_subject(qtbot, backend, seeded, windows, now):  # noqa: F811
    t = issue(backend, seeded, "A", now - 5 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    press(qtbot, w, Qt.Key.Key_F1)
    dialog = open_dialog(qtbot, w, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(dialog, FinishDialog)
    assert dialog.subject_edit.text() == t.service_name and dialog.first_line.isChecked()
    assert not dialog.passed_to_edit.isEnabled()
    qtbot.keyClicks(dialog.note_edit, "Paspoort aangevraagd")
    submit(qtbot, w, dialog)
    assert history(backend, seeded, t.id).ticket.state == S.FINISHED.value
    [c] = visit_contacts(backend, seeded, now, t.id)
    assert (c.channel, c.subject, c.result, c.note) == ("balie", t.service_name, "eerstelijn", "Paspoort aangevraagd")


def test_passed_on_without_whom_is_refused_keeps_everything_then_saves_once(qtbot, backend, seeded, windows, now):  # noqa: F811
    t = issue(backend, seeded, "A", now - 5 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    press(qtbot, w, Qt.Key.Key_F1)
    dialog = open_dialog(qtbot, w, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    dialog.outcome_buttons[Outcome.REFERRED].click()
    dialog.subject_edit.setText("Vraag over erfpacht")
    dialog.passed_on.click()
    assert dialog.passed_to_edit.isEnabled()
    dialog.note_edit.setPlainText("Komt terug")
    submit(qtbot, w, dialog)
    assert dialog.isVisible()
    assert dialog.error_text() == message_for(ValidationError("passed_to", "required"))
    assert (dialog.subject_edit.text(), dialog.note_text(), dialog.result(), dialog.outcome()) == (
        "Vraag over erfpacht", "Komt terug", "doorgezet", Outcome.REFERRED)
    assert history(backend, seeded, t.id).ticket.state == S.CALLED.value
    assert visit_contacts(backend, seeded, now, t.id) == []

    qtbot.keyClicks(dialog.passed_to_edit, "Team Vastgoed")
    submit(qtbot, w, dialog)
    assert w._dialog is None
    assert history(backend, seeded, t.id).ticket.state == S.FINISHED.value
    [c] = visit_contacts(backend, seeded, now, t.id)
    assert (c.subject, c.result, c.passed_to) == ("Vraag over erfpacht", "doorgezet", "Team Vastgoed")


def test_a_cancelled_finish_keeps_the_contact_choices_as_draft(qtbot, backend, seeded, windows, now):  # noqa: F811
    issue(backend, seeded, "A", now - 5 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    press(qtbot, w, Qt.Key.Key_F1)
    dialog = open_dialog(qtbot, w, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    dialog.subject_edit.setText("Rijbewijs verlengen")
    dialog.passed_on.click()
    dialog.passed_to_edit.setText("Balie 3")
    dialog.reject()
    assert w.wait_until_idle()
    again = open_dialog(qtbot, w, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert (again.subject_edit.text(), again.result(), again.passed_to_edit.text()) == (
        "Rijbewijs verlengen", "doorgezet", "Balie 3")
    again.reject()

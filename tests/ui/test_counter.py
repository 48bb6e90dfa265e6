"""The counter window on a real, seeded database (SQLite and PostgreSQL).

Every test drives the window the way a baliemedewerker does (keys, buttons,
dialogs) and checks the result in the database through the services.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from baliedesk.domain.errors import CounterInUse, NoCounterServices, StorageUnavailable, ValidationError
from baliedesk.domain.tickets import NOTE_MAX_LENGTH, Outcome, PriorityClass, TicketAction, allowed_actions
from baliedesk.domain.tickets import TicketState as S
from baliedesk.domain.validation import clean_text
from baliedesk.services import queue
from baliedesk.services.demo import DEMO_PASSWORD
from baliedesk.settings import Settings
from baliedesk.ui.counter.window import CounterWindow
from baliedesk.ui.counter.dialogs import FinishDialog, RequeueDialog, TransferDialog
from baliedesk.ui.common.messages import message_for
from baliedesk.ui.common.tasks import runner
from qtwait import wait_until

MIN = dt.timedelta(minutes=1)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
class Clock:
    """The window's clock: starts at the test's ``now`` and moves only when told."""

    def __init__(self, start: dt.datetime) -> None:
        self.t = start

    def __call__(self) -> dt.datetime:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += dt.timedelta(seconds=seconds)


class SwitchableBackend:
    """The real database, which a test can make 'unreachable': while ``down``
    every unit of work fails the way storage reports a lost connection."""

    def __init__(self, real) -> None:
        self.real = real
        self.down = False
        self.backend = real.backend

    def unit_of_work(self, write: bool = False):
        if self.down:
            raise StorageUnavailable("test: database unplugged")
        return self.real.unit_of_work(write)

    def open_feed(self, **kwargs):
        return self.real.open_feed(**kwargs)

    def describe(self) -> str:
        return self.real.describe()


@pytest.fixture(autouse=True)
def _no_hidden_errors(caplog):
    """A failing callback is only logged by run_task's relay; an unexpected error
    gets a general message. Both would hide a bug: fail the test instead."""
    caplog.set_level(logging.ERROR)
    yield
    runner().wait(10_000)
    bad = [r for r in caplog.records
           if r.name in ("baliedesk.ui.common.tasks", "baliedesk.ui.common.messages") and r.levelno >= logging.ERROR]
    assert not bad, [r.getMessage() for r in bad]


@pytest.fixture
def clock(now):
    return Clock(now)


@pytest.fixture
def windows(qtbot, tmp_path, clock, make_client):
    """Factory: ``windows(backend, ids, user, counter_name=None)`` opens a counter window and waits for it.

    The window is given a client signed in as ``user`` (both modes); ``user`` None
    opens the sign-in panel, which acts as the person picked (local mode only).
    """
    opened: list[CounterWindow] = []

    def make(backend, ids, user: str | None = None, counter: str | None = None, *, settings_file="s.json",
             wait=True) -> CounterWindow:
        settings = Settings(tmp_path / settings_file)
        w = CounterWindow(make_client(ids.users[user] if user else None, clock=clock, backend=backend),
                          settings, counter_id=ids.counters[counter] if counter else None)
        qtbot.addWidget(w)
        opened.append(w)
        w.resize(1366, 768)
        w.show()
        if wait:
            wait_until(lambda: w._loaded, timeout=10_000)
            assert w.wait_until_idle()
        return w

    make.opened = opened
    yield make
    for w in opened:
        w.close()
        w.wait_until_idle()


def issue(backend, ids, prefix: str, at: dt.datetime):
    return queue.issue_ticket(backend, ids.users["kiosk-ingang"], ids.services[prefix], at).ticket


def history(backend, ids, ticket_id: int):
    return queue.ticket_history(backend, ids.users["fatima"], ticket_id)


def press(qtbot, w: CounterWindow, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key press on the active window, then wait until the window has done its work."""
    w.activateWindow()
    wait_until(lambda: QApplication.activeWindow() is w, timeout=3000)
    qtbot.keyClick(w, key, modifier)
    assert w.wait_until_idle()


def open_dialog(qtbot, w: CounterWindow, key, modifier=Qt.KeyboardModifier.NoModifier):
    w.activateWindow()
    wait_until(lambda: QApplication.activeWindow() is w, timeout=3000)
    qtbot.keyClick(w, key, modifier)
    wait_until(lambda: w._dialog is not None and w._dialog.isVisible(), timeout=3000)
    return w._dialog


def submit(qtbot, w: CounterWindow, dialog) -> None:
    dialog.activateWindow()
    wait_until(lambda: QApplication.activeWindow() is dialog, timeout=3000)
    qtbot.keyClick(dialog.note_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert w.wait_until_idle()


def enabled(w: CounterWindow) -> dict[str, bool]:
    v = w.visitor
    return {name: getattr(v, f"{name}_button").isEnabled()
            for name in ("next", "recall", "start", "no_show", "requeue", "transfer", "finish")}


# ---------------------------------------------------------------------------
# signing in
# ---------------------------------------------------------------------------
def log_in(qtbot, w, username: str, password: str) -> None:
    form = w.signin_form if w.stack.currentWidget() is w.signin_form else w.lock_page
    form.username.setText(username) if not form.username.isReadOnly() else None
    form.password.setText(password)
    qtbot.mouseClick(form.button, Qt.MouseButton.LeftButton)
    wait_until(lambda: not form._busy, timeout=15_000)
    assert w.wait_until_idle()


def test_logging_in_then_choosing_a_counter_and_services_and_remembers(qtbot, backend, seeded, windows, tmp_path):
    w = windows(backend, seeded)
    assert w.stack.currentWidget() is w.signin_form
    assert not w.signin_form.demo_hint.isVisible()  # the demo's password only in the demo
    # a wrong password: a Dutch message, the name stays, the password goes
    log_in(qtbot, w, "anne", "dit is niet haar wachtwoord")
    assert w.stack.currentWidget() is w.signin_form
    assert w.signin_form.error_text().startswith("De gebruikersnaam of het wachtwoord klopt niet.")
    assert w.signin_form.username.text() == "anne" and w.signin_form.password.text() == ""

    log_in(qtbot, w, "anne", DEMO_PASSWORD)
    panel = w.sign_in_panel
    wait_until(lambda: panel.person_label.text() == "Anne de Vries", timeout=5000)
    assert w.stack.currentWidget() is panel and panel.user_id() == seeded.users["anne"]
    wait_until(lambda: panel.counter_combo.findData(seeded.counters["Balie 2"]) >= 0, timeout=5000)
    panel.counter_combo.setCurrentIndex(panel.counter_combo.findData(seeded.counters["Balie 2"]))
    # The counter's configured services (C, M) are preselected; the clerk adds B.
    assert panel.service_ids() == sorted([seeded.services["C"], seeded.services["M"]])
    panel.service_boxes[seeded.services["B"]].setChecked(True)
    qtbot.mouseClick(panel.sign_in_button, Qt.MouseButton.LeftButton)
    wait_until(lambda: w.stack.currentWidget() is w.work, timeout=5000)
    assert w.wait_until_idle()

    assert w.header.counter_label.text() == "Balie 2"
    assert w.header.user_label.text() == "Anne de Vries"
    session = queue.counter_session(backend, seeded.users["anne"], seeded.counters["Balie 2"], w.now())
    assert set(session.counter.service_ids) == {seeded.services[p] for p in "BCM"}
    assert {sid for sid, box in w.services_panel.boxes.items() if box.isChecked()} == set(session.counter.service_ids)
    stored = Settings(tmp_path / "s.json")
    assert (stored["user_id"], stored["counter_id"]) == (seeded.users["anne"], seeded.counters["Balie 2"])


def test_a_temporary_password_is_changed_in_the_same_form(qtbot, backend, seeded, windows, now):
    from baliedesk.services import auth

    new = auth.add_user(backend, seeded.users["beheer"], "piet", "Piet Paal", "baliemedewerker", now)
    w = windows(backend, seeded)
    log_in(qtbot, w, "piet", new.temporary_password)
    form = w.signin_form
    assert form.new_password.isVisible() and not form.password.isVisible()
    form.new_password.setText("een lange zin als wachtwoord")
    form.repeat_password.setText("een andere lange zin")
    qtbot.mouseClick(form.button, Qt.MouseButton.LeftButton)
    assert "niet gelijk" in form.error_text() and w.stack.currentWidget() is form
    form.repeat_password.setText("een lange zin als wachtwoord")
    qtbot.mouseClick(form.button, Qt.MouseButton.LeftButton)
    wait_until(lambda: w.sign_in_panel.person_label.text() == "Piet Paal", timeout=15_000)
    assert w.stack.currentWidget() is w.sign_in_panel
    # the new password works, the temporary one no more
    assert auth.sign_in(backend, "piet", "een lange zin als wachtwoord", now).user.username == "piet"


def test_ctrl_l_locks_and_only_the_same_password_unlocks(qtbot, backend, seeded, windows, now):
    issue(backend, seeded, "A", now - 3 * MIN)
    w = windows(backend, seeded)
    log_in(qtbot, w, "anne", DEMO_PASSWORD)
    panel = w.sign_in_panel
    wait_until(lambda: panel.counter_combo.findData(seeded.counters["Balie 1"]) >= 0, timeout=5000)
    panel.counter_combo.setCurrentIndex(panel.counter_combo.findData(seeded.counters["Balie 1"]))
    qtbot.mouseClick(panel.sign_in_button, Qt.MouseButton.LeftButton)
    wait_until(lambda: w.stack.currentWidget() is w.work, timeout=5000)
    press(qtbot, w, Qt.Key.Key_F1)
    assert w.current is not None
    press(qtbot, w, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert w.is_locked() and w.lock_page.username.text() == "anne" and w.lock_page.username.isReadOnly()
    press(qtbot, w, Qt.Key.Key_F2)  # the visitor's keys do nothing while locked
    assert w.is_locked()
    log_in(qtbot, w, "anne", "fout fout fout fout")
    assert w.is_locked() and "klopt niet" in w.lock_page.error_text()
    # someone else cannot take over while Anne still has a visitor
    qtbot.mouseClick(w.lock_page.other_button, Qt.MouseButton.LeftButton)
    assert w.is_locked() and "nog nummer A 001" in w.lock_page.error_text()
    log_in(qtbot, w, "anne", DEMO_PASSWORD)
    wait_until(lambda: w.stack.currentWidget() is w.work, timeout=5000)
    assert w.current is not None and w.current.display_number == "A 001"


def test_the_counter_locks_by_itself_after_a_while_without_input(qtbot, backend, seeded, windows):
    w = windows(backend, seeded, "anne", "Balie 1")
    w._lock_after_ms = 300  # the setting is in minutes; the test does not wait that long
    w._restart_idle()
    wait_until(w.is_locked, timeout=5000)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(username=st.text(max_size=80), password=st.text(max_size=300))
def test_any_typed_name_and_password_gives_a_dutch_message_and_keeps_the_name(qtbot, backend, seeded, windows,
                                                                           username, password):
    w = windows(backend, seeded)
    form = w.signin_form
    form.username.setText(username)
    form.password.setText(password)
    qtbot.mouseClick(form.button, Qt.MouseButton.LeftButton)
    wait_until(lambda: not form._busy, timeout=15_000)
    assert w.stack.currentWidget() is form
    assert form.error_text() and "Traceback" not in form.error_text()
    assert form.username.text() == username[:64]


def test_counter_in_use_by_a_colleague_is_refused_in_dutch(qtbot, backend, seeded, windows, clock):
    queue.sign_in(backend, seeded.users["jeroen"], seeded.counters["Balie 1"], clock())
    w = windows(backend, seeded, "anne", "Balie 1")
    assert w.session is None
    assert w.stack.currentWidget() is w.sign_in_panel
    expected = message_for(CounterInUse("Balie 1", "Jeroen Bakker"))
    assert w.message_bar.text() == expected
    assert "Jeroen Bakker werkt nu aan Balie 1" in expected


# ---------------------------------------------------------------------------
# the visitor
# ---------------------------------------------------------------------------
def test_f1_calls_the_longest_waiting_visitor_and_the_panel_shows_it(qtbot, backend, seeded, windows, now):
    a = issue(backend, seeded, "A", now - 20 * MIN)
    b = issue(backend, seeded, "B", now - 30 * MIN)
    issue(backend, seeded, "C", now - 40 * MIN)  # longest, but Balie 1 does A and B
    w = windows(backend, seeded, "anne", "Balie 1")
    assert w.waiting.model.numbers() == [b.number, a.number]
    assert enabled(w) == {"next": True, "recall": False, "start": False, "no_show": False, "requeue": False,
                          "transfer": False, "finish": False}

    press(qtbot, w, Qt.Key.Key_F1)
    assert w.current is not None and w.current.id == b.id
    assert w.visitor.number_label.text() == "B 001"
    assert "Rijbewijs" in w.visitor.service_label.text()
    assert w.visitor.state_label.text() == "Opgeroepen. De bezoeker komt eraan."
    assert "Wachtte 30 min" in w.visitor.details_label.text()
    assert history(backend, seeded, b.id).ticket.state == S.CALLED.value
    assert w.waiting.model.numbers() == [a.number]  # after the re-read

    # Done with B 001; Ctrl+Space calls the next one too.
    submit(qtbot, w, open_dialog(qtbot, w, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier))
    assert history(backend, seeded, b.id).ticket.state == S.FINISHED.value
    press(qtbot, w, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    assert w.current is not None and w.current.id == a.id


def test_a_second_f1_while_the_first_is_on_its_way_calls_nobody_else(qtbot, backend, seeded, windows, now):
    first = issue(backend, seeded, "A", now - 10 * MIN)
    second = issue(backend, seeded, "A", now - 5 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    w.activateWindow()
    wait_until(lambda: QApplication.activeWindow() is w, timeout=3000)
    qtbot.keyClick(w, Qt.Key.Key_F1)
    qtbot.keyClick(w, Qt.Key.Key_F1)
    w.call_next()
    assert w.wait_until_idle()
    assert w.current.id == first.id
    assert history(backend, seeded, second.id).ticket.state == S.WAITING.value
    assert w.message_bar.kind != "error", w.message_bar.text()


def test_nobody_waiting_says_so_calmly(qtbot, backend, seeded, windows):
    w = windows(backend, seeded, "anne", "Balie 1")
    assert w.waiting.empty_label.isVisibleTo(w) and "niemand" in w.waiting.empty_label.text()
    press(qtbot, w, Qt.Key.Key_F1)
    assert w.current is None
    assert w.message_bar.kind == "info"
    assert w.message_bar.text() == "Er wacht nu niemand voor uw diensten."


def test_buttons_follow_the_state_machine_and_no_show_waits_for_the_recalls(qtbot, backend, seeded, windows, now):
    t = issue(backend, seeded, "A", now - 10 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    assert w.session.no_show_after_recalls == 2
    press(qtbot, w, Qt.Key.Key_F1)
    called = {a for a in allowed_actions(S.CALLED)}
    state = enabled(w)
    for action, name in ((TicketAction.RECALL, "recall"), (TicketAction.START, "start"),
                         (TicketAction.REQUEUE, "requeue"), (TicketAction.TRANSFER, "transfer"),
                         (TicketAction.FINISH, "finish")):
        assert state[name] == (action in called), name
    assert state["next"] is False
    assert state["no_show"] is False  # allowed when called, but only after 2 recalls
    assert "2 keer" in w.visitor.no_show_hint.text()

    press(qtbot, w, Qt.Key.Key_F4)  # too early: nothing happens
    assert history(backend, seeded, t.id).ticket.state == S.CALLED.value

    press(qtbot, w, Qt.Key.Key_F2)
    assert w.current.recall_count == 1
    assert "1 keer opnieuw opgeroepen" in w.visitor.details_label.text()
    assert enabled(w)["no_show"] is False
    press(qtbot, w, Qt.Key.Key_F2)
    assert w.current.recall_count == 2
    assert enabled(w)["no_show"] is True
    assert w.visitor.no_show_hint.text() == ""

    press(qtbot, w, Qt.Key.Key_F4)
    h = history(backend, seeded, t.id)
    assert h.ticket.state == S.NO_SHOW.value
    assert [e.action for e in h.events] == ["issue", "call", "recall", "recall", "no_show"]
    assert w.current is None
    assert w.visitor.number_label.text() == "—"
    assert enabled(w)["next"] is True


def test_start_serving_then_only_finish_put_back_and_transfer(qtbot, backend, seeded, windows, now):
    issue(backend, seeded, "B", now - 3 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    press(qtbot, w, Qt.Key.Key_F1)
    press(qtbot, w, Qt.Key.Key_F3)
    assert w.current.state == S.SERVING.value
    assert w.visitor.state_label.text() == "Aan de balie."
    assert enabled(w) == {"next": False, "recall": False, "start": False, "no_show": False, "requeue": True,
                          "transfer": True, "finish": True}


def test_finish_with_outcome_and_note_is_stored(qtbot, backend, seeded, windows, now):
    t = issue(backend, seeded, "A", now - 12 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    press(qtbot, w, Qt.Key.Key_F1)
    press(qtbot, w, Qt.Key.Key_F3)
    dialog = open_dialog(qtbot, w, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(dialog, FinishDialog)
    assert dialog.outcome() is Outcome.HELPED
    dialog.outcome_buttons[Outcome.INCOMPLETE].click()
    qtbot.keyClicks(dialog.note_edit, "  Pasfoto vergeten, komt morgen terug.  ")
    assert "0 van 500" not in dialog.count_label.text()
    submit(qtbot, w, dialog)

    h = history(backend, seeded, t.id)
    assert h.ticket.state == S.FINISHED.value
    assert h.ticket.outcome == Outcome.INCOMPLETE.value
    assert h.ticket.note == "Pasfoto vergeten, komt morgen terug."
    assert h.events[-1].data["note"] == "Pasfoto vergeten, komt morgen terug."
    assert w._dialog is None  # closed (and deleted)
    assert w.current is None and enabled(w)["next"]
    assert w.message_bar.text() == "Nummer A 001 is afgerond."


def test_note_is_kept_while_the_database_is_down_and_saved_when_it_is_back(qtbot, backend, seeded, windows, now):
    t = issue(backend, seeded, "A", now - 12 * MIN)
    flaky = SwitchableBackend(backend)
    w = windows(flaky, seeded, "anne", "Balie 1")
    press(qtbot, w, Qt.Key.Key_F1)
    dialog = open_dialog(qtbot, w, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    dialog.outcome_buttons[Outcome.INFORMATION].click()
    note = "Vroeg naar de kosten van een ID-kaart.\nKomt terug met zijn moeder."
    dialog.note_edit.setPlainText(note)

    flaky.down = True
    submit(qtbot, w, dialog)
    assert dialog.isVisible()
    assert dialog.error_text() == message_for(StorageUnavailable())
    assert dialog.note_text() == note
    assert dialog.outcome() is Outcome.INFORMATION
    assert dialog.submit_button.isEnabled()
    assert w.current is not None and w.current.id == t.id

    flaky.down = False
    submit(qtbot, w, dialog)
    assert w._dialog is None
    h = history(backend, seeded, t.id)
    assert (h.ticket.state, h.ticket.outcome, h.ticket.note) == (S.FINISHED.value, "information", note)


def test_refused_note_keeps_the_text_and_says_why(qtbot, backend, seeded, windows, now):
    t = issue(backend, seeded, "A", now - 12 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    press(qtbot, w, Qt.Key.Key_F1)
    dialog = open_dialog(qtbot, w, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    long_note = "x" * (NOTE_MAX_LENGTH + 1)
    dialog.note_edit.setPlainText(long_note)
    assert "te lang" in dialog.count_label.text()
    submit(qtbot, w, dialog)
    assert dialog.isVisible()
    assert dialog.error_text() == "De notitie is te lang. Gebruik hoogstens 500 tekens."
    assert dialog.note_text() == long_note
    assert history(backend, seeded, t.id).ticket.state == S.CALLED.value

    # Cancelling keeps the draft for this visitor: it is back when the dialog opens again.
    dialog.reject()
    wait_until(lambda: w._dialog is None, timeout=3000)
    again = open_dialog(qtbot, w, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert again.note_text() == long_note


def test_put_back_with_priority_keeps_arrival(qtbot, backend, seeded, windows, now):
    t = issue(backend, seeded, "A", now - 25 * MIN)
    issue(backend, seeded, "A", now - 2 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    press(qtbot, w, Qt.Key.Key_F1)
    dialog = open_dialog(qtbot, w, Qt.Key.Key_F5)
    assert isinstance(dialog, RequeueDialog)
    dialog.priority_box.setChecked(True)
    dialog.note_edit.setPlainText("Moet eerst een pasfoto laten maken.")
    submit(qtbot, w, dialog)
    h = history(backend, seeded, t.id)
    assert h.ticket.state == S.WAITING.value
    assert h.ticket.priority_class == PriorityClass.PRIORITY
    assert h.ticket.arrived_ms == t.arrived_ms
    assert h.events[-1].action == "requeue" and h.events[-1].data["note"] == "Moet eerst een pasfoto laten maken."
    assert w.current is None
    assert w.waiting.model.numbers()[0] == t.number  # first again, marked as priority
    assert "voorrang" in w.waiting.model.index(0, 1).data()


def test_transfer_to_another_service_keeps_arrival(qtbot, backend, seeded, windows, now):
    t = issue(backend, seeded, "A", now - 18 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    press(qtbot, w, Qt.Key.Key_F1)
    press(qtbot, w, Qt.Key.Key_F3)
    dialog = open_dialog(qtbot, w, Qt.Key.Key_F6)
    assert isinstance(dialog, TransferDialog)
    dialog.service_combo.setCurrentIndex(dialog.service_combo.findData(seeded.services["C"]))
    dialog.priority_box.setChecked(True)
    dialog.note_edit.setPlainText("Wil ook verhuizing doorgeven.")
    submit(qtbot, w, dialog)

    h = history(backend, seeded, t.id)
    assert h.ticket.state == S.WAITING.value
    assert h.ticket.service_prefix == "C"
    assert h.ticket.arrived_ms == t.arrived_ms
    assert h.ticket.priority_class == PriorityClass.PRIORITY
    last = h.events[-1]
    assert last.action == "transfer" and last.data["note"] == "Wil ook verhuizing doorgeven."
    assert w.current is None
    # Balie 1 does not do C: the ticket shows only when the list shows all services.
    assert t.number not in w.waiting.model.numbers()
    w.waiting.only_mine.setChecked(False)
    row = w.waiting.model.numbers().index(t.number)
    assert w.waiting.model.index(row, 2).data() == "18 min"  # waited since the original arrival


def test_transfer_to_a_specific_counter(qtbot, backend, seeded, windows, now):
    t = issue(backend, seeded, "A", now - 5 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    press(qtbot, w, Qt.Key.Key_F1)
    dialog = open_dialog(qtbot, w, Qt.Key.Key_F6)
    dialog.to_counter.setChecked(True)
    assert not dialog.service_combo.isEnabled()
    labels = [dialog.counter_combo.itemText(i) for i in range(dialog.counter_combo.count())]
    assert not any(label.startswith("Balie 1") for label in labels)  # not to yourself
    dialog.counter_combo.setCurrentIndex(dialog.counter_combo.findData(seeded.counters["Balie 2"]))
    submit(qtbot, w, dialog)
    h = history(backend, seeded, t.id)
    assert h.ticket.target_counter_id == seeded.counters["Balie 2"]
    assert h.ticket.service_prefix == "A"
    assert h.ticket.arrived_ms == t.arrived_ms


# ---------------------------------------------------------------------------
# the queue picture
# ---------------------------------------------------------------------------
def test_ticket_issued_elsewhere_appears_by_itself(qtbot, backend, seeded, windows, now, database_url):
    from baliedesk.storage.database import Database

    w = windows(backend, seeded, "anne", "Balie 1")
    assert w.waiting.model.numbers() == []
    other = Database(database_url)  # another workstation: its own connections
    try:
        t = queue.issue_ticket(other, seeded.users["kiosk-ingang"], seeded.services["A"], now - 1 * MIN).ticket
        wait_until(lambda: t.number in w.waiting.model.numbers(), timeout=10_000)
        assert "A · 1 wachtende" in w.waiting.counts.chip_text(seeded.services["A"])
        # ... and a colleague calling it elsewhere takes it off the list by itself.
        queue.sign_in(other, seeded.users["jeroen"], seeded.counters["Balie 3"], now)
        queue.call_next(other, seeded.users["jeroen"], seeded.counters["Balie 3"], now)
        wait_until(lambda: t.number not in w.waiting.model.numbers(), timeout=10_000)
    finally:
        other.dispose()


@pytest.mark.local_only("moves the window's clock without any call; a remote client's clock follows the server's "
                        "by its answers, so only in-process can a test move it alone")
def test_waiting_times_tick_locally_without_reading_the_database(qtbot, backend, seeded, windows, now, clock,
                                                                 monkeypatch):
    issue(backend, seeded, "A", now - dt.timedelta(seconds=58))
    w = windows(backend, seeded, "anne", "Balie 1")
    model = w.waiting.model
    assert model.index(0, 2).data() == "minder dan 1 min"
    # Only the clock moves from here on: no change feed (PostgreSQL's feed reports
    # one change after connecting, on purpose), no database reads.
    wait_until(lambda: w.header.connected is True, timeout=5000)
    w.feed.stop()
    assert w.wait_until_idle()
    reads = []
    real = w.client.queue.queue_snapshot
    monkeypatch.setattr(w.client.queue, "queue_snapshot", lambda *a, **k: reads.append(1) or real(*a, **k))
    clock.advance(3)
    wait_until(lambda: model.index(0, 2).data() == "1 min", timeout=3000)
    clock.advance(60 * 61)
    wait_until(lambda: model.index(0, 2).data() == "1 uur 2 min", timeout=3000)
    assert "langste 1 uur 2 min" in w.waiting.counts.chip_text(seeded.services["A"])
    assert reads == []


def test_service_colours_and_per_service_counts(qtbot, backend, seeded, windows, now):
    issue(backend, seeded, "A", now - 9 * MIN)
    issue(backend, seeded, "A", now - 4 * MIN)
    issue(backend, seeded, "M", now - 2 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    counts = w.waiting.counts
    assert counts.chip_text(seeded.services["A"]).startswith("A · 2 wachtenden\nlangste 9 min")
    assert counts.chip_text(seeded.services["M"]).startswith("M · 1 wachtende")
    assert counts.chip_text(seeded.services["B"]) == "B · 0 wachtenden\nniemand"
    model = w.waiting.model
    fill = model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole).name().upper()
    assert fill == "#1F4E8C"  # service A's colour
    assert model.index(0, 3).data() == "1" and model.index(1, 3).data() == "2"


def test_my_services_are_saved_and_an_empty_choice_is_explained(qtbot, backend, seeded, windows, now):
    issue(backend, seeded, "A", now - 9 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    boxes = w.services_panel.boxes
    assert {sid for sid, b in boxes.items() if b.isChecked()} == {seeded.services["A"], seeded.services["B"]}
    boxes[seeded.services["M"]].setChecked(True)
    assert w.wait_until_idle()
    session = queue.counter_session(backend, seeded.users["anne"], seeded.counters["Balie 1"], now)
    assert set(session.counter.service_ids) == {seeded.services[p] for p in "ABM"}

    for p in "ABM":
        boxes[seeded.services[p]].setChecked(False)
        assert w.wait_until_idle()
    session = queue.counter_session(backend, seeded.users["anne"], seeded.counters["Balie 1"], now)
    assert session.counter.service_ids == ()
    assert w.waiting.model.numbers() == []
    assert "Mijn diensten" in w.waiting.empty_label.text()
    press(qtbot, w, Qt.Key.Key_F1)
    assert w.message_bar.kind == "error"
    assert w.message_bar.text() == message_for(NoCounterServices("Balie 1"))


# ---------------------------------------------------------------------------
# crashes, colleagues, team lead
# ---------------------------------------------------------------------------
def test_resume_after_a_crash_shows_the_held_visitor(qtbot, backend, seeded, windows, now):
    t = issue(backend, seeded, "B", now - 7 * MIN)
    first = windows(backend, seeded, "anne", "Balie 1")
    press(qtbot, first, Qt.Key.Key_F1)
    press(qtbot, first, Qt.Key.Key_F3)
    first.close()  # the PC crashed: no sign-out, nothing finished
    first.wait_until_idle()

    again = windows(backend, seeded, "anne", "Balie 1", settings_file="after-crash.json")
    assert again.current is not None and again.current.id == t.id
    assert again.current.state == S.SERVING.value
    assert again.visitor.number_label.text() == "B 001"
    assert again.visitor.state_label.text() == "Aan de balie."
    assert "U had nog nummer B 001" in again.message_bar.text()
    assert enabled(again)["finish"] and not enabled(again)["next"]


def test_other_counters_show_who_holds_which_number(qtbot, backend, seeded, windows, now):
    t = issue(backend, seeded, "C", now - 7 * MIN)
    queue.sign_in(backend, seeded.users["sanne"], seeded.counters["Balie 2"], now)
    queue.call_next(backend, seeded.users["sanne"], seeded.counters["Balie 2"], now)
    w = windows(backend, seeded, "anne", "Balie 1")
    table = w.counters.table
    rows = {table.item(r, 0).text(): (table.item(r, 1).text(), table.item(r, 2).text())
            for r in range(table.rowCount())}
    assert rows["Balie 2"] == ("Sanne Visser", f"{t.display_number}  (opgeroepen)")
    assert rows["Balie 1  (u)"] == ("Anne de Vries", "—")
    assert rows["Balie 3"] == ("niemand", "—")
    assert w.counters.release_buttons == {}  # a clerk cannot release


def test_team_lead_releases_the_visitor_of_a_gone_counter(qtbot, backend, seeded, windows, now, clock):
    t = issue(backend, seeded, "A", now - 20 * MIN)
    queue.sign_in(backend, seeded.users["jeroen"], seeded.counters["Balie 1"], now - 15 * MIN)
    queue.call_next(backend, seeded.users["jeroen"], seeded.counters["Balie 1"], now - 15 * MIN)
    w = windows(backend, seeded, "fatima", "Balie 3")
    asked = []
    w.confirm = lambda *a: asked.append(a) or False
    button = w.counters.release_buttons[t.id]
    row = next(r for r in range(w.counters.table.rowCount()) if w.counters.table.item(r, 0).text() == "Balie 1")
    assert "niet meer actief" in w.counters.table.item(row, 1).text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert w.wait_until_idle()
    assert asked == []  # a gone counter needs no confirmation
    h = history(backend, seeded, t.id)
    assert h.ticket.state == S.WAITING.value and h.ticket.counter_id is None
    assert h.events[-1].action == "release" and h.events[-1].data == {"forced": False}
    assert w.message_bar.text() == "Nummer A 001 staat weer vooraan in de rij."
    wait_until(lambda: t.id not in w.counters.release_buttons, timeout=5000)
    assert t.number in w.waiting.model.numbers()


def test_team_lead_must_confirm_to_release_from_an_active_counter(qtbot, backend, seeded, windows, now):
    t = issue(backend, seeded, "B", now - 20 * MIN)
    queue.sign_in(backend, seeded.users["sanne"], seeded.counters["Balie 2"], now, [seeded.services["B"]])
    queue.call_next(backend, seeded.users["sanne"], seeded.counters["Balie 2"], now)
    w = windows(backend, seeded, "fatima", "Balie 3")
    answers = [False, True]
    asked = []
    w.confirm = lambda title, text, yes: asked.append(text) or answers.pop(0)

    w.counters.release_buttons[t.id].click()
    assert w.wait_until_idle()
    assert "Sanne Visser" in asked[0] and "B 001" in asked[0]
    assert history(backend, seeded, t.id).ticket.state == S.CALLED.value  # said no: nothing happened

    w.counters.release_buttons[t.id].click()
    assert w.wait_until_idle()
    h = history(backend, seeded, t.id)
    assert h.ticket.state == S.WAITING.value and h.events[-1].data == {"forced": True}


def test_released_by_team_lead_the_counter_lets_go_by_itself(qtbot, backend, seeded, windows, now):
    t = issue(backend, seeded, "A", now - 20 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    press(qtbot, w, Qt.Key.Key_F1)
    assert w.current.id == t.id
    queue.release(backend, seeded.users["fatima"], t.id, now, force=True)
    wait_until(lambda: w.current is None, timeout=10_000)
    assert "Nummer A 001 staat niet meer bij uw balie." == w.message_bar.text()
    assert enabled(w)["next"]


def test_a_colleague_taking_over_a_silent_counter_signs_this_window_out(qtbot, backend, seeded, windows, now,
                                                                        clock):
    w = windows(backend, seeded, "anne", "Balie 1")
    later = now + 10 * MIN  # Anne's window said nothing for 10 minutes: the counter counts as gone
    queue.sign_in(backend, seeded.users["jeroen"], seeded.counters["Balie 1"], later)
    clock.advance(600)
    wait_until(lambda: w.session is None, timeout=10_000)
    assert w.wait_until_idle()
    assert w.stack.currentWidget() is w.sign_in_panel
    assert w.message_bar.text() == "Jeroen Bakker heeft zich aangemeld bij Balie 1. U bent daar nu afgemeld."
    assert not w._heartbeat_timer.isActive()
    assert w.sign_in_panel.user_id() == seeded.users["anne"]


# ---------------------------------------------------------------------------
# header: sign-out, heartbeat, connection
# ---------------------------------------------------------------------------
def test_sign_out_only_without_a_visitor(qtbot, backend, seeded, windows, now):
    issue(backend, seeded, "A", now - 3 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    press(qtbot, w, Qt.Key.Key_F1)
    qtbot.mouseClick(w.header.sign_out_button, Qt.MouseButton.LeftButton)
    assert w.wait_until_idle()
    assert w.session is not None
    assert "Rond eerst nummer A 001 af" in w.message_bar.text()

    dialog = open_dialog(qtbot, w, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    submit(qtbot, w, dialog)
    qtbot.mouseClick(w.header.sign_out_button, Qt.MouseButton.LeftButton)
    assert w.wait_until_idle()
    assert w.session is None and w.stack.currentWidget() is w.signin_form
    counters = queue.counters_at(backend, seeded.users["fatima"], seeded.location_id, now)
    assert next(c for c in counters if c.id == seeded.counters["Balie 1"]).signed_in_user_id is None
    assert w.signin_form.username.text() == "anne"  # her name stays; the password is asked again
    assert w.client is None


def test_heartbeat_keeps_the_counter_alive(qtbot, backend, seeded, windows, now, clock):
    w = windows(backend, seeded, "anne", "Balie 1")
    assert w._heartbeat_timer.isActive()
    assert w._heartbeat_timer.interval() == 30_000  # settings["heartbeat_s"]
    clock.advance(300)
    w._heartbeat_timer.timeout.emit()
    assert w.wait_until_idle()
    counters = queue.counters_at(backend, seeded.users["fatima"], seeded.location_id, clock())
    me = next(c for c in counters if c.id == seeded.counters["Balie 1"])
    assert me.last_seen_at == clock() and not me.gone


def test_connection_state_in_the_header(qtbot, backend, seeded, windows):
    w = windows(backend, seeded, "anne", "Balie 1")
    wait_until(lambda: w.header.connected is True, timeout=5000)
    assert "Verbonden" in w.header.connection_label.text()
    w.feed.connection_changed.emit(False)
    assert "Verbinding wordt hersteld" in w.header.connection_label.text()
    w.feed.connection_changed.emit(True)
    assert "Verbonden" in w.header.connection_label.text()


def test_errors_of_a_lost_database_show_in_the_bar_not_in_a_box(qtbot, backend, seeded, windows, now):
    issue(backend, seeded, "A", now - 3 * MIN)
    flaky = SwitchableBackend(backend)
    w = windows(flaky, seeded, "anne", "Balie 1")
    flaky.down = True
    press(qtbot, w, Qt.Key.Key_F1)
    assert w.message_bar.isVisible() and w.message_bar.kind == "error"
    assert w.message_bar.text() == message_for(StorageUnavailable())
    assert [d for d in w.findChildren(QDialog) if d.isVisible()] == []  # no box to click away
    flaky.down = False
    press(qtbot, w, Qt.Key.Key_F1)
    assert w.current is not None


def test_the_connection_coming_back_clears_only_its_own_message(qtbot, backend, seeded, windows):
    """"Verbinding weg" goes when the connection is back; any other message (a refusal the clerk has
    not read yet) stays. Through a server the feed's first "connected" came after a refusal and wiped it."""
    w = windows(backend, seeded, "anne", "Balie 1")
    wait_until(lambda: w.header.connected is True, timeout=5000)
    w.show_error(StorageUnavailable())
    w.feed.connection_changed.emit(False)
    w.feed.connection_changed.emit(True)
    assert w.message_bar.text() == ""
    refusal = CounterInUse("Balie 2", "Jeroen Bakker")
    w.show_error(refusal)
    w.feed.connection_changed.emit(False)
    w.feed.connection_changed.emit(True)
    assert w.message_bar.text() == message_for(refusal)


# ---------------------------------------------------------------------------
# hostile note text
# ---------------------------------------------------------------------------
HOSTILE = [
    "'; DROP TABLE tickets; --",
    "Robert'); DELETE FROM ticket_events WHERE ('1'='1",
    "مرحبا، هذا اختبار للنص من اليمين إلى اليسار",
    "\u202eevil\u202c normaal",
    "a\x00b",
    "\x1b[31mrood\x1b[0m",
    "   alleen spaties eromheen   ",
    "x" * NOTE_MAX_LENGTH,
    "x" * (NOTE_MAX_LENGTH + 1),
    " \n " + "é" * NOTE_MAX_LENGTH + " \t ",
    "regel 1\r\nregel 2\rregel 3",
    "tab\tin\tde\ttekst",
    "emoji 👍🏽 en zero\u200bwidth",
    "no-break\u00a0space en\u2028line separator",
    "<b>html</b> &amp; %s %(name)s {0}",
    "",
    "   ",
]


def qt_line_breaks(text: str) -> str:
    """What a text field does with pasted line breaks: every \\r\\n, \\r and
    paragraph separator becomes one line break. Nothing else changes."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2029", "\n")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=st.one_of(st.sampled_from(HOSTILE), st.text(max_size=80),
                      st.text(min_size=NOTE_MAX_LENGTH - 5, max_size=NOTE_MAX_LENGTH + 5)))
def test_hostile_note_text_is_stored_verbatim_or_refused_in_dutch(qtbot, backend, seeded, windows, now, text):
    # One window for all examples (fixtures are not re-made between examples).
    w = windows.opened[0] if windows.opened else windows(backend, seeded, "anne", "Balie 3")
    if w.current is None:
        issue(backend, seeded, "A", now - 2 * MIN)
        w.call_next()
        assert w.wait_until_idle()
    ticket = w.current
    assert ticket is not None
    w.open_finish()
    dialog = w._dialog
    assert dialog is not None
    dialog.note_edit.setPlainText(text)
    typed = dialog.note_text()
    assert typed == qt_line_breaks(text)
    dialog.submit()
    assert w.wait_until_idle()

    try:
        expected = clean_text(typed, field="note", max_length=NOTE_MAX_LENGTH)
    except ValidationError as err:
        assert dialog.isVisible()
        assert dialog.error_text() == message_for(err)
        assert dialog.note_text() == typed
        assert history(backend, seeded, ticket.id).ticket.state == S.CALLED.value
        dialog.reject()
        assert w.wait_until_idle()
    else:
        assert w._dialog is None
        h = history(backend, seeded, ticket.id)
        assert h.ticket.state == S.FINISHED.value
        assert h.ticket.note == (expected or None)
        assert w.current is None


"""The counter floor in the counter window (SQLite and PostgreSQL): calling a chosen
number, a number for someone at the desk, "toch gekomen", appointment holders on
the waiting list, the window from 960x700 up, and the compact bar."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from baliedesk.domain.tickets import UNDO_NO_SHOW_MINUTES, PriorityClass
from baliedesk.domain.tickets import TicketState as S
from baliedesk.services import queue
from baliedesk.settings import Settings
from qtwait import wait_until
from test_counter import _no_hidden_errors, clock, history, issue, press, windows  # noqa: F401 - fixtures

MIN = dt.timedelta(minutes=1)


def _floor_dialog(w, opener):
    dialog = opener()
    assert dialog is not None
    wait_until(lambda: dialog.isVisible(), timeout=3000)
    return dialog


def _no_show_at_counter(qtbot, w, clock) -> None:
    press(qtbot, w, Qt.Key.Key_F1)
    for _ in range(w.session.no_show_after_recalls):
        clock.advance(30)
        press(qtbot, w, Qt.Key.Key_F2)
    clock.advance(30)
    press(qtbot, w, Qt.Key.Key_F4)


# ---------------------------------------------------------------------------
# toch gekomen
# ---------------------------------------------------------------------------
def test_toch_gekomen_right_after_f4_puts_the_visitor_back_first(qtbot, backend, seeded, windows, now, clock):
    first = issue(backend, seeded, "A", now - 10 * MIN)
    later = issue(backend, seeded, "A", now - 5 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    _no_show_at_counter(qtbot, w, clock)
    assert history(backend, seeded, first.id).ticket.state == S.NO_SHOW.value
    undo = w.visitor.undo_button
    assert undo.isVisibleTo(w) and "A 001" in undo.text()
    clock.advance(5 * 60)
    qtbot.mouseClick(undo, Qt.MouseButton.LeftButton)
    assert w.wait_until_idle()
    h = history(backend, seeded, first.id)
    assert h.ticket.state == S.WAITING.value and h.ticket.arrived_ms == first.arrived_ms
    assert h.events[-1].action == "undo_no_show" and h.events[-1].counter_name == "Balie 1"
    assert w.waiting.model.numbers()[:2] == [first.number, later.number]
    assert not undo.isVisibleTo(w)
    assert "staat weer in de rij" in w.message_bar.text()


@pytest.mark.local_only("moves the window's clock without any call; a remote client's clock follows the server's "
                         "answers (and the real time in between)")
def test_toch_gekomen_is_offered_only_for_a_while(qtbot, backend, seeded, windows, now, clock):
    issue(backend, seeded, "A", now - 10 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    _no_show_at_counter(qtbot, w, clock)
    assert w.visitor.undo_button.isVisibleTo(w)
    clock.advance(UNDO_NO_SHOW_MINUTES * 60 + 1)
    w._tick()
    assert not w.visitor.undo_button.isVisibleTo(w)


def test_toch_gekomen_from_the_list_of_todays_no_shows(qtbot, backend, seeded, windows, now, clock):
    t = issue(backend, seeded, "A", now - 10 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    _no_show_at_counter(qtbot, w, clock)
    press(qtbot, w, Qt.Key.Key_F1)  # nobody else: the panel no longer offers the undo
    w.last_no_show = None
    dialog = _floor_dialog(w, w.open_no_shows)
    assert w.wait_until_idle()
    assert dialog.list.count() == 1 and dialog.list.item(0).text().startswith("A 001")
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert w.wait_until_idle()
    assert w.floor_dialog is None  # closed (and deleted)
    assert history(backend, seeded, t.id).ticket.state == S.WAITING.value


def test_toch_gekomen_too_late_says_so_in_dutch(qtbot, backend, seeded, windows, now, clock):
    t = issue(backend, seeded, "A", now - 10 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    _no_show_at_counter(qtbot, w, clock)
    gone = w.last_no_show
    clock.advance(UNDO_NO_SHOW_MINUTES * 60 + 60)
    w.undo_no_show(gone)
    assert w.wait_until_idle()
    assert w.message_bar.kind == "error"
    assert w.message_bar.text().startswith("Nummer A 001 kan niet meer terug in de rij")
    assert history(backend, seeded, t.id).ticket.state == S.NO_SHOW.value


# ---------------------------------------------------------------------------
# calling a chosen number
# ---------------------------------------------------------------------------
def test_double_click_on_a_waiting_row_calls_that_number(qtbot, backend, seeded, windows, now):
    issue(backend, seeded, "A", now - 10 * MIN)
    second = issue(backend, seeded, "A", now - 5 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    table = w.waiting.table
    row = w.waiting.model.numbers().index(second.number)
    rect = table.visualRect(w.waiting.model.index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert w.wait_until_idle()
    assert w.current is not None and w.current.id == second.id
    assert history(backend, seeded, second.id).events[-1].action == "call"


def test_context_menu_calls_the_row(qtbot, backend, seeded, windows, now):
    first = issue(backend, seeded, "B", now - 10 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    menu = w.waiting.context_menu_for(0)
    action = menu.actions()[0]
    assert action.text() == "Nummer B 001 nu oproepen"
    action.trigger()
    assert w.wait_until_idle()
    assert w.current.id == first.id


@pytest.mark.parametrize("typed", ["A 2", "a002", "A002"])
def test_call_number_typed(qtbot, backend, seeded, windows, now, typed):
    issue(backend, seeded, "A", now - 10 * MIN)
    second = issue(backend, seeded, "A", now - 5 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    w.activateWindow()
    wait_until(lambda: QApplication.activeWindow() is w, timeout=3000)
    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    wait_until(lambda: w.floor_dialog is not None and w.floor_dialog.isVisible(), timeout=3000)
    dialog = w.floor_dialog
    qtbot.keyClicks(dialog.number_edit, typed)
    qtbot.keyClick(dialog.number_edit, Qt.Key.Key_Return)
    assert w.wait_until_idle()
    assert w.current is not None and w.current.id == second.id
    assert w.floor_dialog is None


def test_call_number_not_waiting_gets_a_dutch_message(qtbot, backend, seeded, windows, now):
    t = issue(backend, seeded, "A", now - 10 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    dialog = _floor_dialog(w, w.open_call_number)
    dialog.number_edit.setText("A 7")
    dialog.submit()
    assert dialog.error_text() == "Nummer A 007 wacht nu niet. Kijk of u het goed heeft getypt."
    dialog.number_edit.setText("zeven")
    dialog.submit()
    assert dialog.error_text().startswith("Dat is geen nummer.")
    assert dialog.isVisible() and w.current is None
    assert history(backend, seeded, t.id).ticket.state == S.WAITING.value
    dialog.reject()


def test_a_number_another_counter_just_called_gets_a_dutch_message(qtbot, backend, seeded, windows, now):
    t = issue(backend, seeded, "A", now - 10 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    queue.sign_in(backend, seeded.users["sanne"], seeded.counters["Balie 3"], now)
    queue.call_ticket(backend, seeded.users["sanne"], seeded.counters["Balie 3"], t.id, now)
    w.call_ticket(w.waiting.model.ticket_at(0))  # the list is a moment old
    assert w.wait_until_idle()
    assert w.message_bar.text() == "Nummer A 001 is al opgeroepen door Balie 3."
    assert w.current is None


# ---------------------------------------------------------------------------
# a number for someone at the desk
# ---------------------------------------------------------------------------
def test_number_for_a_visitor_at_the_desk_called_at_once(qtbot, backend, seeded, windows, now):
    issue(backend, seeded, "B", now - 10 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    dialog = _floor_dialog(w, w.open_desk_ticket)
    assert dialog.call_box.isChecked()
    dialog.service_box.setCurrentIndex(dialog.service_box.findData(seeded.services["A"]))
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert w.wait_until_idle()
    assert w.current is not None and w.current.number == "A001"
    h = history(backend, seeded, w.current.id)
    assert [e.action for e in h.events] == ["issue", "call"] and h.events[0].data["source"] == "balie"
    assert "is gemaakt en opgeroepen" in w.message_bar.text()


def test_number_for_the_desk_without_calling_goes_in_the_queue(qtbot, backend, seeded, windows, now):
    w = windows(backend, seeded, "anne", "Balie 1")
    dialog = _floor_dialog(w, w.open_desk_ticket)
    dialog.service_box.setCurrentIndex(dialog.service_box.findData(seeded.services["C"]))
    dialog.call_box.setChecked(False)
    dialog.submit()
    assert w.wait_until_idle()
    assert w.current is None
    w.waiting.only_mine.setChecked(False)
    assert "C001" in w.waiting.model.numbers()


# ---------------------------------------------------------------------------
# appointment holders
# ---------------------------------------------------------------------------
def test_appointment_holder_row_says_the_appointments_time(qtbot, backend, seeded, windows, now):
    walk_in = issue(backend, seeded, "A", now - 10 * MIN)
    slot = now - 5 * MIN  # 09:25 in Amsterdam
    with backend.unit_of_work(write=True) as uow:  # as appointments.check_in makes it
        t = uow.tickets.new(location_id=seeded.location_id, service_id=seeded.services["A"], day=walk_in.issued_at.date(),
                            seq=40, number="A040", state="waiting", priority_class=int(PriorityClass.APPOINTMENT),
                            arrived_ms=walk_in.arrived_ms, queue_ms=int(slot.timestamp() * 1000), issued_at=now,
                            recall_count=0, source="appointment")
        uow.commit()
        appointment_id = t.id
    queue.sign_in(backend, seeded.users["sanne"], seeded.counters["Balie 3"], now)
    priority = issue(backend, seeded, "B", now - 3 * MIN)
    queue.transfer(backend, seeded.users["sanne"], seeded.counters["Balie 3"], priority.id, now, priority=True,
                   to_service_id=seeded.services["B"])
    w = windows(backend, seeded, "anne", "Balie 1")
    model = w.waiting.model
    texts = {model.rows[r].ticket.id: model.data(model.index(r, 1)) for r in range(model.rowCount())}
    assert texts[appointment_id] == "Paspoort en ID-kaart  ·  afspraak 9.25 uur"
    assert texts[priority.id].endswith("·  voorrang")
    assert "afspraak" not in texts[walk_in.id] and "voorrang" not in texts[walk_in.id]


# ---------------------------------------------------------------------------
# window sizes and the compact bar
# ---------------------------------------------------------------------------
def _inside(w, widget) -> bool:
    top_left = widget.mapTo(w, widget.rect().topLeft())
    return w.rect().contains(QRect(top_left, widget.size()))


def _not_cut(widget) -> bool:
    """The widget is wide enough for its longest text line."""
    if isinstance(widget, QPushButton):
        text = widget.text()
    else:
        text = widget.text()
    metrics = QFontMetrics(widget.font())
    return all(metrics.horizontalAdvance(line) <= widget.contentsRect().width() for line in text.split("\n"))


@pytest.mark.parametrize("size", [(960, 700), (1100, 700), (1366, 768)])
def test_window_fits_from_960x700(qtbot, backend, seeded, windows, now, size):
    for i, p in enumerate("AABACBAMAABCABAA"):
        issue(backend, seeded, p, now - (40 - 2 * i) * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    w.resize(*size)
    QApplication.processEvents()
    assert w.wait_until_idle()
    QApplication.processEvents()
    assert (w.width(), w.height()) == size
    h = w.header
    for widget in (h.sign_out_button, h.clock_label, w.settings_button, w.compact_button,
                   w.waiting.only_mine, w.visitor.next_button, w.visitor.more_button, *w.visitor._buttons):
        assert widget.isVisibleTo(w) and _inside(w, widget), widget.objectName() or widget.text()
    for widget in (h.sign_out_button, *w.visitor._buttons, w.visitor.next_button):
        assert _not_cut(widget), widget.text()
    # "Positie" lies within the table, and every chip shows its whole text.
    table = w.waiting.table
    hh = table.horizontalHeader()
    assert hh.sectionViewportPosition(3) + hh.sectionSize(3) <= table.viewport().width()
    assert hh.sectionSize(3) >= QFontMetrics(hh.font()).horizontalAdvance("Positie")
    for sid in seeded.services.values():
        chip = w.waiting.counts.chip(sid)
        assert chip is not None and _inside(w, chip)
        metrics = QFontMetrics(chip.font())
        assert all(metrics.horizontalAdvance(line) <= chip.contentsRect().width() for line in chip.text().split("\n")), \
            chip.text()
    if size == (1366, 768):
        visible_rows = table.viewport().height() // table.verticalHeader().defaultSectionSize()
        assert visible_rows >= 7  # was 6
    # With a visitor called (number, service, state, details, hint) nothing overlaps either.
    w.call_next()
    assert w.wait_until_idle()
    QApplication.processEvents()
    v = w.visitor
    parts = [v.number_label, v.service_label, v.state_label, v.details_label, v.next_button, *v._buttons,
             v.no_show_hint]
    rects = [QRect(p.mapTo(w, p.rect().topLeft()), p.size()) for p in parts if p.isVisibleTo(w)]
    for i, a in enumerate(rects):
        assert w.rect().contains(a)
        for b in rects[i + 1:]:
            assert not a.intersects(b), (a, b)


def test_the_window_cannot_be_made_smaller_than_960x700(qtbot, backend, seeded, windows):
    w = windows(backend, seeded, "anne", "Balie 1")
    assert (w.minimumWidth(), w.minimumHeight()) == (960, 700)


def test_compact_bar_with_ctrl_m_and_remembered(qtbot, backend, seeded, windows, now, tmp_path):
    first = issue(backend, seeded, "A", now - 10 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    w.activateWindow()
    wait_until(lambda: QApplication.activeWindow() is w, timeout=3000)
    qtbot.keyClick(w, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    bar = w.compact_bar
    assert bar is not None and bar.isVisible() and not w.isVisible()
    assert bar.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert Settings(tmp_path / "s.json")["counter_compact"] is True
    qtbot.mouseClick(bar.next_button, Qt.MouseButton.LeftButton)
    assert w.wait_until_idle()
    assert w.current.id == first.id and bar.number_label.text() == "A 001"
    assert bar.recall_button.isEnabled() and bar.finish_button.isEnabled() and not bar.next_button.isEnabled()
    qtbot.mouseClick(bar.recall_button, Qt.MouseButton.LeftButton)
    assert w.wait_until_idle()
    assert history(backend, seeded, first.id).ticket.recall_count == 1
    qtbot.mouseClick(bar.expand_button, Qt.MouseButton.LeftButton)
    assert w.isVisible() and not bar.isVisible()
    assert Settings(tmp_path / "s.json")["counter_compact"] is False
    w.set_compact(True)
    bar.close()  # closing the bar (its title bar's cross) brings the window back, never neither
    assert w.isVisible() and not bar.isVisible()
    w.set_compact(True)
    # A new start of the window comes back as the bar.
    w2 = windows(backend, seeded, "anne", "Balie 1", settings_file="s.json")
    assert w2.is_compact()


def test_texts_say_bezoeker_and_wachtenden(qtbot, backend, seeded, windows, now):
    issue(backend, seeded, "A", now - 10 * MIN)
    w = windows(backend, seeded, "anne", "Balie 1")
    assert w.visitor.start_button.accessibleName() == "Bezoeker is er"
    assert w.waiting.summary_label.text() == "1 wachtende"
    issue(backend, seeded, "B", now - 5 * MIN)
    w.request_snapshot()
    assert w.wait_until_idle()
    assert w.waiting.summary_label.text() == "2 wachtenden"
    words = " ".join(widget.text() for kind in (QLabel, QPushButton) for widget in w.findChildren(kind))
    assert "klant" not in words.lower()

"""Issue 15 (Admin): every save confirms, a typed date works, replacing an exception asks first.
On a real, seeded database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from baliedesk.services import schedules
from baliedesk.ui.admin.window import AdminWindow


def loaded(qtbot, make_client, ids, now) -> AdminWindow:
    w = AdminWindow(make_client(ids.users["fatima"], clock=lambda: now), ids.location_id)
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.loaded, timeout=10_000):
        pass
    return w


def type_into(edit, text: str) -> None:
    edit.setText(text)
    edit.textEdited.emit(text)


def exceptions(backend, ids, since=dt.date(2026, 11, 1), until=dt.date(2026, 12, 31)):
    """The exceptions of November and December 2026 (the demo hours hold a bridge day in May)."""
    return tuple(e for e in schedules.schedule_config(backend, ids.users["fatima"], ids.location_id).exceptions
                 if since <= e.day <= until)


def answer_next_question(qtbot, button_text: str, seen: list[str]) -> None:
    """Press ``button_text`` in the next question box (and remember its text)."""
    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press)
            return
        seen.append(box.text())
        button = next(b for b in box.buttons() if b.text().replace("&", "") == button_text)
        button.click()
    QTimer.singleShot(0, press)


def test_saving_the_opening_hours_confirms(qtbot, make_client, hours, now):
    w = loaded(qtbot, make_client, hours, now)
    w.tabs.setCurrentIndex(0)
    type_into(w.day_edits[2], "8:30-12:00")
    with qtbot.waitSignal(w.loaded, timeout=10_000):
        w.save_hours()
    assert w.hours_message.isVisible() and w.hours_message.text().startswith("Opgeslagen.")
    type_into(w.day_edits[2], "8:30-12:30")  # typing on: the old confirmation goes
    assert not w.hours_message.isVisible()


def test_saving_a_service_for_appointments_confirms(qtbot, make_client, hours, now):
    w = loaded(qtbot, make_client, hours, now)
    p = w.appointment_panel
    w.tabs.setCurrentIndex(w.tabs.indexOf(p) if w.tabs.indexOf(p) >= 0 else w.tabs.indexOf(p.parentWidget()))
    p.service.setCurrentIndex(p.service.findData(hours.services["A"]))
    p.enabled.setChecked(True)
    type_into(p.duration, "15")
    with qtbot.waitSignal(w.loaded, timeout=10_000):
        p.save_service()
    assert p.service_message.text().startswith("Opgeslagen.")
    assert not p.service_message.isHidden()


def test_a_typed_date_is_used(qtbot, make_client, backend, hours, now):
    w = loaded(qtbot, make_client, hours, now)
    w.tabs.setCurrentIndex(1)
    edit = w.exception_date
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "24-12-2026")
    assert edit.date() == QDate(2026, 12, 24)
    w.exception_hours.setText("9:00-12:00")
    w.exception_note.setText("Kerstavond")
    with qtbot.waitSignal(w.saved, timeout=10_000):
        w.save_exception()
    assert [(e.day, e.note) for e in exceptions(backend, hours)] == [(dt.date(2026, 12, 24), "Kerstavond")]
    assert w.exception_message.text().startswith("Opgeslagen.")
    assert "24 december 2026" in w.exception_message.text()


def test_a_date_typed_wrong_is_said_and_nothing_saved(qtbot, make_client, backend, hours, now):
    w = loaded(qtbot, make_client, hours, now)
    w.tabs.setCurrentIndex(1)
    w.exception_date.setText("31-02-2026")
    w.save_exception()
    assert w.exception_message.isVisible() and "datum" in w.exception_message.text().lower()
    assert exceptions(backend, hours) == ()


def test_replacing_an_exception_asks_first_and_nee_keeps_it(qtbot, make_client, backend, hours, now):
    w = loaded(qtbot, make_client, hours, now)
    w.tabs.setCurrentIndex(1)
    w.exception_date.setDate(QDate(2026, 11, 19))
    w.exception_hours.setText("")
    w.exception_note.setText("Personeelsdag")
    with qtbot.waitSignal(w.loaded, timeout=10_000):
        w.save_exception()
    w.exception_hours.setText("9:00-12:00")
    w.exception_note.setText("Halve dag")
    seen: list[str] = []
    answer_next_question(qtbot, "Nee", seen)
    w.save_exception()
    assert seen and "Personeelsdag" in seen[0] and "19 november 2026" in seen[0]
    from baliedesk.ui.common.tasks import runner
    runner().wait(10_000)
    assert [(e.note, e.closed) for e in exceptions(backend, hours)] == [("Personeelsdag", True)]
    assert "Niet opgeslagen" in w.exception_message.text()
    answer_next_question(qtbot, "Ja", seen)
    with qtbot.waitSignal(w.saved, timeout=10_000):
        w.save_exception()
    assert [(e.note, e.closed) for e in exceptions(backend, hours)] == [("Halve dag", False)]


def test_admin_words_from_the_glossary(qtbot, make_client, hours, now):
    w = loaded(qtbot, make_client, hours, now)
    from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit

    texts = [x.text() for x in w.findChildren(QLabel)] + [x.text() for x in w.findChildren(QAbstractButton)]
    texts += [x.placeholderText() for x in w.findChildren(QLineEdit)]
    texts += [w.calendar.item(r, c).text() for r in range(w.calendar.rowCount())
              for c in range(w.calendar.columnCount())]
    joined = "\n".join(texts)
    assert "dicht" not in joined.lower(), [t for t in texts if "dicht" in t.lower()]
    assert "Te laat na" not in joined and "Aanmelden kan tot ... na de begintijd" in joined

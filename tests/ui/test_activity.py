"""Input in the counter window keeps it from locking; the filter sits on that window only."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from baliedesk.ui.common import activity
from qtwait import wait_until
from test_counter import clock, windows  # noqa: F401 - fixtures


def test_input_in_the_window_postpones_the_lock_and_closing_takes_the_filter_off(qtbot, backend, seeded, windows):
    w = windows(backend, seeded, "anne", "Balie 1")
    filters = w.findChildren(activity._WindowActivity)
    assert len(filters) == 1 and filters[0].handle is w.windowHandle()
    assert not QApplication.instance().findChildren(activity._WindowActivity)  # nothing on the application
    w._lock_after_ms = 600
    w._restart_idle()
    timer = QElapsedTimer()
    timer.start()
    while timer.elapsed() < 1500:  # a key every 100 ms, through the window as real typing comes
        QTest.keyClick(w.windowHandle(), Qt.Key.Key_Shift)
        qtbot.wait(100)
        assert not w.is_locked()
    wait_until(w.is_locked, timeout=5000)  # no input: it locks
    w.close()
    assert all(f.handle is None for f in filters)

"""The Qt binding itself must not corrupt Python's reference counts.

PySide6 6.12.0 on Python 3.11 returns ``True`` from ``Signal.emit()`` without
taking a reference: every emit from Python lowers the reference count of
``True`` by one, and after a few thousand emits (a busy counter: hours, not
days) the process aborts with "Fatal Python error: bool_dealloc". 6.11.3 does
not have this bug; on Python 3.12+ ``True`` is immortal and the bug is harmless.
The kiosk, the counter window, FeedWatcher and run_task all emit from Python.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    plain = Signal()
    value = Signal(object)


#: References handed back when the binding dropped them, so this test itself does not
#: bring the test run down at exit.
_GIVEN_BACK: list[bool] = []


def test_signal_emit_keeps_the_refcount_of_true(qapp):
    e = _Emitter()
    e.plain.connect(lambda: None)
    e.value.connect(lambda v: None)
    before = sys.getrefcount(True)
    for _ in range(25):
        e.plain.emit()
        e.value.emit(None)
    after = sys.getrefcount(True)
    _GIVEN_BACK.extend([True] * max(0, before - after))
    assert abs(after - before) < 10, (
        f"50 signal emits changed the refcount of True by {after - before}: this PySide6 build "
        "drops a reference per emit and will crash a long-running window (pin PySide6 to 6.11.x "
        "or run Python 3.12+)"
    )

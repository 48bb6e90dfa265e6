"""Python's cycle collector, run on the GUI thread only.

CPython starts a collection on whichever thread happens to allocate past the
threshold. In BalieDesk that is often a worker thread (a background task, the
change feed, the hall screen's reader, the remote feed). A collected cycle
that holds a Qt object then destroys that object on the worker thread, while
the GUI thread may still deliver events to it: a crash in Qt's event
processing, at a random moment, long after the cause. Long test runs showed
exactly that (segmentation faults inside event processing between two window
tests). Anki, GitFourchette and OpenCue guard against it the same way:
automatic collection off, and the GUI thread collects, by the same thresholds
CPython would use, on a timer.

``install(app)`` once per process (``make_app`` does it); ``collect_due()``
is the check itself, for callers without an event loop (the test suite calls
it after every test).
"""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, QTimer

#: How often the GUI thread looks whether a collection is due.
INTERVAL_MS = 1000

_collector: GuiCollector | None = None


def collect_due() -> int:
    """Collect the generations that are past CPython's thresholds (the youngest first); returns the
    number of unreachable objects found. Call it on the GUI thread."""
    t0, t1, t2 = gc.get_threshold()
    c0, c1, c2 = gc.get_count()
    found = 0
    if c0 > t0:
        found += gc.collect(0)
        if c1 > t1:
            found += gc.collect(1)
            if c2 > t2:
                found += gc.collect(2)
    return found


class GuiCollector(QObject):
    """Automatic collection off; a timer on the GUI thread collects what is due."""

    def __init__(self, parent: QObject, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.thread_id = threading.get_ident()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)
        gc.disable()

    def check(self) -> None:
        collect_due()

    def stop(self) -> None:
        self.timer.stop()
        gc.enable()


def install(app: QObject, interval_ms: int = INTERVAL_MS) -> GuiCollector:
    """The collector for this process (made once, a child of ``app``)."""
    global _collector
    if _collector is None:
        _collector = GuiCollector(app, interval_ms)
    return _collector


def installed() -> GuiCollector | None:
    return _collector

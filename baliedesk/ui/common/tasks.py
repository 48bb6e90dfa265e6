"""Database work off the GUI thread: ``run_task(func, on_done, on_error)``.

The function runs on a worker thread of a small pool; its result (a plain
frozen object from a service) or its exception comes back on the GUI thread.
Like Picard's ``run_task``: callers never touch threads or locks themselves.

The function and the callbacks usually hold a window (``self.client...``,
``self._shown``). The GUI thread owns them until the result is delivered, and
the worker drops its own references (and the traceback of a failure) before it
hands the result over: the last reference to a window is never dropped on a
worker thread, which would destroy the window, and its timers, there (Qt then
calls a dead timer's object from the GUI thread's event loop: a crash, seen in
long test runs).
"""

from __future__ import annotations

import itertools
import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from baliedesk.qtthreads import let_go_of_frames

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives on the GUI thread; worker threads emit, Qt queues the call over."""

    done = Signal(int)  # the task number: its outcome waits in the relay

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)
        #: What each running task needs (function, on_done, on_error), owned here, on the GUI thread.
        self._tasks: dict[int, tuple[Callable[[], Any], Any, Any]] = {}
        #: Finished tasks' outcomes (result, error), until the GUI thread takes them.
        self._outcomes: dict[int, tuple[Any, Any]] = {}

    def add(self, func: Callable[[], Any], on_done: Any, on_error: Any) -> int:
        number = next(self._numbers)
        with self._lock:
            self._tasks[number] = (func, on_done, on_error)
        return number

    def function(self, number: int) -> Callable[[], Any]:
        with self._lock:
            return self._tasks[number][0]

    def logs_errors(self, number: int) -> bool:
        with self._lock:
            return self._tasks[number][2] is None

    def finish(self, number: int, result: Any, error: Any) -> None:
        """From the worker: the outcome, kept here so that the worker holds nothing when it signals."""
        with self._lock:
            self._outcomes[number] = (result, error)

    @Slot(int)
    def deliver(self, number: int) -> None:
        with self._lock:
            _func, on_done, on_error = self._tasks.pop(number)
            result, error = self._outcomes.pop(number)
        callback = on_error if error is not None else on_done
        del _func, on_done, on_error
        if callback is None:
            return
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, QObject) and not shiboken6.isValid(owner):
            return  # its window closed (and was deleted) while the work ran: nobody to tell
        try:
            callback(error if error is not None else result)
        except Exception:  # noqa: BLE001 - a failing callback must not kill the event loop
            log.exception("task callback failed")


class _Task(QRunnable):
    """Holds only the task's number: the relay (on the GUI thread) owns the function and callbacks."""

    def __init__(self, relay: _Relay, number: int) -> None:
        super().__init__()
        self.relay, self.number = relay, number

    def run(self) -> None:
        func = self.relay.function(self.number)
        try:
            result, error = func(), None
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread
            if self.relay.logs_errors(self.number):
                log.error("background task failed:\n%s", traceback.format_exc())
            result, error = None, exc
            let_go_of_frames(exc)
        self.relay.finish(self.number, result, error)
        # Nothing of the task stays on this thread: from the signal on, the GUI thread may drop the
        # last reference to anything the function, its result or its error held.
        del func, result, error
        self.relay.done.emit(self.number)


class TaskRunner(QObject):
    """One per application. ``max_threads`` small: the database is the bottleneck, not Python."""

    def __init__(self, max_threads: int = 2, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._relay = _Relay(self)
        self._relay.done.connect(self._relay.deliver)

    def run_task(self, func: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None) -> None:
        self.pool.start(_Task(self._relay, self._relay.add(func, on_done, on_error)))

    def wait(self, msecs: int = 5000) -> bool:
        """For tests and shutdown: wait until every task has finished."""
        return self.pool.waitForDone(msecs)


_runner: TaskRunner | None = None


def runner() -> TaskRunner:
    global _runner
    if _runner is None:
        _runner = TaskRunner()
    return _runner


def run_task(func: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
             on_error: Callable[[BaseException], None] | None = None) -> None:
    runner().run_task(func, on_done, on_error)

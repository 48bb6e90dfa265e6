"""Database work off the GUI thread: ``run_task(func, on_done, on_error)``.

The function runs on a worker thread of a small pool; its result (a plain
frozen object from a service) or its exception comes back on the GUI thread.
Like Picard's ``run_task``: callers never touch threads or locks themselves.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives on the GUI thread; worker threads emit, Qt queues the call over."""

    done = Signal(object, object, object)  # callback, result, error

    @Slot(object, object, object)
    def deliver(self, callback: Callable[..., Any] | None, result: Any, error: Any) -> None:
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
    def __init__(self, relay: _Relay, func: Callable[[], Any], on_done: Callable[[Any], None] | None,
                 on_error: Callable[[BaseException], None] | None) -> None:
        super().__init__()
        self.relay, self.func, self.on_done, self.on_error = relay, func, on_done, on_error

    def run(self) -> None:
        try:
            result = self.func()
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread
            if self.on_error is None:
                log.error("background task failed:\n%s", traceback.format_exc())
            self.relay.done.emit(self.on_error, None, exc)
            return
        self.relay.done.emit(self.on_done, result, None)


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
        self.pool.start(_Task(self._relay, func, on_done, on_error))

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

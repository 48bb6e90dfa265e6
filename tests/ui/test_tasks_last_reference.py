"""A window held only by a background task is never destroyed on the worker thread (ui/common/tasks.py).

Destroyed there, its timers stay registered with the GUI thread's event loop,
which later calls the dead object: a segmentation fault inside Qt's timer
handling, long after the cause (seen in long serial test runs).
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer

from baliedesk.ui.common.tasks import TaskRunner
from tests.ui.qtwait import wait_until


class _Window(QObject):
    """Stands in for a window: a QObject with a running timer, recording where it was deleted."""

    deleted_on: list[int] = []

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.start(1000)

    def shown(self, _result: object) -> None:
        pass

    def __del__(self) -> None:
        _Window.deleted_on.append(threading.get_ident())


def _held_only_by_a_task(runner: TaskRunner, *, fail: bool, callback: bool) -> threading.Event:
    release = threading.Event()
    window = _Window()

    def work(w: _Window = window) -> int:  # the window lives in the task's function, as `self` does
        release.wait(10)
        if fail:
            raise ValueError(w)  # and in the traceback's frames
        return 1

    runner.run_task(work, window.shown if callback else None, window.shown if callback else None)
    return release


def _case(qapp, *, fail: bool, callback: bool) -> None:
    runner = TaskRunner(max_threads=1)
    _Window.deleted_on = []
    release = _held_only_by_a_task(runner, fail=fail, callback=callback)
    release.set()  # the window's last owner is now the task
    assert runner.wait(10_000)
    wait_until(lambda: _Window.deleted_on != [], 10_000)
    assert _Window.deleted_on == [threading.get_ident()]
    runner.deleteLater()


def test_after_a_result_without_a_callback(qapp):
    _case(qapp, fail=False, callback=False)


def test_after_a_result_with_a_callback(qapp):
    _case(qapp, fail=False, callback=True)


def test_after_a_failure_whose_traceback_holds_it(qapp):
    _case(qapp, fail=True, callback=True)


def test_a_failure_keeps_where_it_came_from_as_a_note(qapp):
    runner = TaskRunner(max_threads=1)
    seen: list[BaseException] = []

    def work() -> None:
        raise KeyError("gone")

    runner.run_task(work, None, seen.append)
    assert runner.wait(10_000)
    wait_until(lambda: seen != [], 10_000)
    assert seen[0].__traceback__ is None
    assert any("in work" in note for note in getattr(seen[0], "__notes__", []))
    runner.deleteLater()

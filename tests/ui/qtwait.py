"""Waiting for the user interface in tests, without fixed sleeps."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEventLoop

from baliedesk.ui.common.tasks import runner


def wait_until(condition, timeout: int = 10_000) -> None:
    """Like ``qtbot.waitUntil`` (poll, never a fixed sleep), driven by
    ``processEvents`` and giving the background task pool a turn each round, so
    a task's result is delivered as soon as it is ready."""
    timer = QElapsedTimer()
    timer.start()
    while not condition():
        if timer.elapsed() > timeout:
            raise AssertionError(f"condition not met within {timeout} ms")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        runner().wait(5)

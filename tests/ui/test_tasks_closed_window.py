"""A background task whose window was deleted while it ran is not delivered to that window."""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QLabel

from baliedesk.ui.common.tasks import run_task, runner
from qtwait import wait_until


class Panel(QLabel):
    def __init__(self) -> None:
        super().__init__()
        self.got: list[object] = []

    def shown(self, result: object) -> None:
        self.got.append(result)
        self.setText(str(result))  # would touch a deleted widget


def test_the_result_of_a_closed_window_is_dropped(qtbot):
    release = threading.Event()
    panel, live = Panel(), Panel()
    got = panel.got
    run_task(lambda: release.wait(5) and "klaar", panel.shown)
    panel.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # deleted while the work runs
    release.set()
    assert runner().wait(5000)
    run_task(lambda: "ook klaar", live.shown)  # a live window still gets its result
    wait_until(lambda: live.got == ["ook klaar"])
    assert got == []

"""Someone is using this PC: one application-wide event filter for every window that wants to know.

The counter locks after a while without key or mouse. Each window registers a
callback (held weakly: a closed window drops out by itself); the one filter
object belongs to the application and lives as long as it does, so no window's
own object is ever asked to filter events while Qt destroys it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject

_KINDS = (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel, QEvent.Type.TouchBegin)


class _ActivityFilter(QObject):
    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.listeners: list[weakref.WeakMethod] = []

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if self.listeners and event.type() in _KINDS:
            for ref in list(self.listeners):
                callback = ref()
                if callback is None:
                    self.listeners.remove(ref)
                    continue
                try:
                    callback()
                except RuntimeError:  # its window's C++ side is gone: forget it
                    self.listeners.remove(ref)
        return False


_filter: _ActivityFilter | None = None


def on_activity(callback: Callable[[], None]) -> None:
    """Call the bound method ``callback`` at every key press, click, wheel or touch in the application."""
    global _filter
    app = QCoreApplication.instance()
    if app is None:
        return
    if _filter is None or _filter.parent() is not app:
        _filter = _ActivityFilter(app)
        app.installEventFilter(_filter)
    _filter.listeners.append(weakref.WeakMethod(callback))


def forget(callback: Callable[[], None]) -> None:
    if _filter is None:
        return
    _filter.listeners[:] = [r for r in _filter.listeners if r() not in (None, callback)]

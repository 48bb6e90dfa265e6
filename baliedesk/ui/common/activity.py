"""Someone is using this window: key presses, clicks, wheel and touch, for the counter's lock.

Every input event for a top-level window passes its ``QWindow`` first, so one
small filter object sits on that ``QWindow`` only (:func:`on_activity`, once
the window is shown) and is taken off again when the window closes
(:func:`forget`). It never filters the whole application: a Python event
filter on the application is handed every object of the program, also while
Qt destroys it, and wrapping a half-destroyed object for Python can crash the
process. The filter object is a child of the widget, so it goes before the
widget's native window does.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

_KINDS = (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel, QEvent.Type.TouchBegin)


class _WindowActivity(QObject):
    """Filters one QWindow's events; calls back (weakly held) on input."""

    def __init__(self, widget: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(widget)
        self.callback = weakref.WeakMethod(callback)
        self.handle = widget.windowHandle()
        if self.handle is not None:
            self.handle.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in _KINDS:
            callback = self.callback()
            if callback is not None:
                try:
                    callback()
                except RuntimeError:  # its window's C++ side is gone
                    pass
        return False

    def remove(self) -> None:
        if self.handle is not None:
            self.handle.removeEventFilter(self)
            self.handle = None


def on_activity(widget: QWidget, callback: Callable[[], None]) -> None:
    """Call the bound method ``callback`` at every key press, click, wheel or touch in ``widget``'s
    top-level window. Call it once the window is shown (it has a native window then)."""
    top = widget.window()
    if top.windowHandle() is None or top.findChild(_WindowActivity) is not None:
        return
    _WindowActivity(top, callback)


def forget(widget: QWidget) -> None:
    """Take the filter off ``widget``'s window (when it closes)."""
    for f in widget.window().findChildren(_WindowActivity):
        f.remove()
        f.deleteLater()

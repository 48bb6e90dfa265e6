"""The counter window's compact mode: a small always-on-top bar beside the case-handling
application (the number, Volgende, Opnieuw oproepen, Afronden), like Qmatic's compact
workstation. Ctrl+M or "Kleine balk" switches; the choice is remembered in the settings
(``counter_compact``).

The bar only mirrors the window's state and presses the window's own buttons, so every
rule (one action at a time, no-show after recalls, dialogs) stays in one place.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from baliedesk.i18n import _
from baliedesk.ui.common import theme

log = logging.getLogger(__name__)


class CompactBar(QWidget):
    """The small bar. ``expand_requested``: back to the full window."""

    expand_requested = Signal()

    def __init__(self, window: Any) -> None:
        super().__init__(None, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("compactBar")
        self.setWindowTitle(_("BalieDesk — kleine balk"))
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(f"#compactBar {{ background: {theme.BACKGROUND}; }}")
        self._window = window
        v = window.visitor
        self.counter_label = QLabel("", self)
        self.counter_label.setObjectName("compactCounter")
        self.counter_label.setFont(theme.font(theme.SIZE_BODY, bold=True))
        self.number_label = QLabel("—", self)
        self.number_label.setObjectName("compactNumber")
        self.number_label.setFont(theme.font(theme.SIZE_TITLE, bold=True))
        self.number_label.setMinimumWidth(110)
        self.number_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.next_button = self._button(_("Volgende"), "F1", "compactNext", v.next_button, primary=True)
        self.recall_button = self._button(_("Opnieuw oproepen"), "F2", "compactRecall", v.recall_button)
        self.finish_button = self._button(_("Afronden"), "Ctrl+Enter", "compactFinish", v.finish_button)
        self.expand_button = QPushButton(_("Groot venster"), self)
        self.expand_button.setObjectName("compactExpand")
        self.expand_button.setToolTip(_("Terug naar het grote venster (toets: Ctrl+M)"))
        self.expand_button.clicked.connect(self.expand_requested)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        lay.setSpacing(8)
        lay.addWidget(self.counter_label)
        lay.addWidget(self.number_label)
        for b in (self.next_button, self.recall_button, self.finish_button, self.expand_button):
            lay.addWidget(b)
        self._shortcuts = []
        for keys, target in (("F1", v.next_button), ("Ctrl+Space", v.next_button), ("F2", v.recall_button),
                             ("Ctrl+Return", v.finish_button), ("Ctrl+Enter", v.finish_button)):
            sc = QShortcut(QKeySequence(keys), self)
            sc.activated.connect(lambda b=target: self._press(b))
            self._shortcuts.append(sc)
        toggle = QShortcut(QKeySequence("Ctrl+M"), self)
        toggle.activated.connect(self.expand_requested)
        self._shortcuts.append(toggle)
        self.update_from(window)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Closing the bar brings the window back (it never leaves the clerk without either)."""
        if getattr(self._window, "_closed", False):
            super().closeEvent(event)
            return
        event.ignore()
        self.expand_requested.emit()

    def _button(self, text: str, keys: str, name: str, target: QPushButton, *, primary: bool = False) -> QPushButton:
        b = QPushButton(text, self)
        b.setObjectName(name)
        b.setToolTip(_("{action} (toets: {keys})").format(action=text, keys=keys))
        b.setMinimumHeight(40)
        b.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        b.setFont(theme.font(theme.SIZE_BODY, bold=True))
        if primary:
            b.setProperty("role", "primary")
        b.clicked.connect(lambda: self._press(target))
        return b

    @staticmethod
    def _press(target: QPushButton) -> None:
        if target.isEnabled():
            target.click()

    def update_from(self, window: Any) -> None:
        """Mirror the window: its counter, its visitor's number, which buttons can be pressed."""
        v = window.visitor
        session = window.session
        self.counter_label.setText(session.counter.display_name if session is not None else "")
        t = window.current
        self.number_label.setText(t.display_number if t is not None else "—")
        self.number_label.setAccessibleName(_("Nummer {number}").format(number=t.display_number) if t
                                            else _("Geen bezoeker"))
        for mine, target in ((self.next_button, v.next_button), (self.recall_button, v.recall_button),
                             (self.finish_button, v.finish_button)):
            mine.setEnabled(target.isEnabled())


class CompactMode:
    """Switching between the window and the bar (mixin of CounterWindow)."""

    compact_bar: CompactBar | None

    def is_compact(self) -> bool:
        return self.compact_bar is not None and self.compact_bar.isVisible()

    def toggle_compact(self) -> None:
        self.set_compact(not self.is_compact())

    def set_compact(self, on: bool, *, remember: bool = True) -> None:
        """The small always-on-top bar instead of this window (only at work, not on the lock)."""
        if on and (self.session is None or self.stack.currentWidget() is not self.work):
            return
        if on:
            if self.compact_bar is None:
                self.compact_bar = CompactBar(self)
                self.compact_bar.expand_requested.connect(lambda: self.set_compact(False))
            self.compact_bar.update_from(self)
            screen = self.screen().availableGeometry() if self.screen() else None
            self.compact_bar.adjustSize()
            if screen is not None:
                self.compact_bar.move(screen.right() - self.compact_bar.width() - 24, screen.top() + 24)
            self.compact_bar.show()
            self.hide()
        elif self.compact_bar is not None:
            self.compact_bar.hide()
            if not self._closed:
                self.show()
                self.activateWindow()
        if remember:
            try:
                self.settings["counter_compact"] = on
                self.settings.save()
            except (OSError, ValueError, TypeError):
                log.warning("could not remember the compact mode in the settings", exc_info=True)

    def _restore_compact(self) -> None:
        try:
            wanted = bool(self.settings["counter_compact"])
        except (KeyError, TypeError, ValueError):
            wanted = False
        if wanted:
            self.set_compact(True, remember=False)

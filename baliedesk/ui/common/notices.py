"""The inline notice under a form: green when saved, red when refused.

One look for every form (admin, appointments, meldingen). Plain text only, so
what a person typed is never read as rich text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from baliedesk.ui.common import theme


def notice_label() -> QLabel:
    label = QLabel("")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def show_notice(label: QLabel, text: str, *, error: bool) -> None:
    color, background = (theme.ERROR, theme.ERROR_BG) if error else (theme.SUCCESS, theme.SUCCESS_BG)
    label.setStyleSheet(f"color: {color}; background: {background}; padding: 8px; border-radius: {theme.RADIUS}px;")
    label.setText(text)
    label.setProperty("error", error)
    label.show()

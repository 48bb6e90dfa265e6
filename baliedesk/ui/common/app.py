"""The Qt application: made once per process, translated and themed."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from baliedesk import i18n, qtdutch, qtgc
from baliedesk.ui.common import theme

APP_NAME = "BalieDesk"
_app: QApplication | None = None


def make_app(settings: Any = None) -> QApplication:
    """The QApplication (re-used when one exists, as under pytest-qt), translated and themed."""
    global _app
    app = QApplication.instance()
    if app is None:
        QApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(sys.argv[:1])
        _app = app  # the Python wrapper must outlive every widget, until the process ends
    qtgc.install(app)  # cycles (and the Qt objects in them) are collected on this thread only
    language = settings["language"] if settings is not None else ""
    i18n.install(language or None)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    qtdutch.install(app)  # Qt's own dialogs (file, calendar, buttons) in Dutch
    theme.apply(app)
    return app

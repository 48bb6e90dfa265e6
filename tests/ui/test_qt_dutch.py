"""Qt's own dialogs speak Dutch: the calendar, the file dialog and standard buttons."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QLocale
from PySide6.QtWidgets import QCalendarWidget, QDialogButtonBox, QFileDialog, QLabel, QPushButton, QToolButton

from baliedesk import qtdutch


def test_make_app_installs_the_dutch_qt_translations(qapp):
    from baliedesk.ui.common.app import make_app

    make_app()
    assert qtdutch.installed(qapp)
    assert QLocale().language() == QLocale.Language.Dutch


def test_the_hall_screen_app_is_dutch_too(qapp):
    from baliedesk.display.app import make_app

    make_app()
    assert qtdutch.installed(qapp)


def test_calendar_months_and_days_are_dutch(qtbot, qapp):
    qtdutch.install(qapp)
    cal = QCalendarWidget()
    qtbot.addWidget(cal)
    cal.setSelectedDate(QDate(2026, 12, 24))
    cal.show()
    month = cal.findChild(QToolButton, "qt_calendar_monthbutton")
    assert month.text().lower() == "december"
    heads = [cal.locale().dayName(d, QLocale.FormatType.ShortFormat) for d in range(1, 8)]
    assert heads[:2] == ["ma", "di"]
    assert cal.firstDayOfWeek().name == "Monday"


def test_file_dialog_is_dutch(qtbot, qapp, tmp_path):
    qtdutch.install(qapp)
    dlg = QFileDialog(None, "Opslaan", str(tmp_path))
    dlg.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    qtbot.addWidget(dlg)
    labels = {lbl.text().replace("&", "") for lbl in dlg.findChildren(QLabel)}
    buttons = {b.text().replace("&", "") for b in dlg.findChildren(QPushButton)}
    assert "Zoeken in:" in labels
    assert "Bestandsnaam:" in labels
    assert not [t for t in labels if "Look" in t or "File" in t]
    assert {"Opslaan", "Annuleren"} <= buttons
    assert not {"Save", "Cancel"} & buttons


def test_standard_buttons_are_dutch(qtbot, qapp):
    qtdutch.install(qapp)
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Yes | QDialogButtonBox.StandardButton.No
                           | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    texts = {b.text().replace("&", "") for b in box.buttons()}
    assert texts == {"Ja", "Nee", "Annuleren"}

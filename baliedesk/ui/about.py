"""Over BalieDesk: the version this program carries, for the About box and support calls.

``about_text()`` is the text (Dutch, B1); ``AboutDialog`` shows it. The version comes from
the one place it lives, ``baliedesk.__version__`` (the .deb and the MSI take theirs from it
too). Not wired into a window yet: a menu entry or a button "Over BalieDesk" in the
counter, admin and settings windows opens ``AboutDialog(parent).exec()``.
"""

from __future__ import annotations

import platform
import sys

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from baliedesk import __version__
from baliedesk.i18n import _


def installed_as() -> str:
    """How this program runs: the installed (frozen) program, or from the source code."""
    if getattr(sys, "frozen", False):
        return _("Geïnstalleerd programma")
    return _("Broncode")


def about_text() -> str:
    lines = [
        _("BalieDesk versie {version}").format(version=__version__),
        _("Software voor de balie van de gemeente: wachtrij, balie, kiosk en scherm in de hal."),
        _("Licentie: EUPL-1.2."),
        "",
        _("Soort: {kind}").format(kind=installed_as()),
        _("Gemaakt met Python {python}, Qt {qt} en PySide6 {pyside}.").format(
            python=platform.python_version(), qt=qVersion(), pyside=pyside_version),
    ]
    return "\n".join(lines)


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Over BalieDesk"))
        self.setObjectName("about")
        layout = QVBoxLayout(self)
        self.text = QLabel(about_text())
        self.text.setObjectName("about-text")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

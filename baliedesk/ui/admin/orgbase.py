"""What the set-up tabs (Gemeente en locaties, Diensten, Balies, Mensen, Apparaten) share.

A tab gets the window's client, a ``notify(text, error)`` that writes in the
window's notice area and a ``reload()`` that reads the organisation again. A save
runs in the background; it confirms with "Opgeslagen." and reloads, or shows
the Dutch refusal (:func:`~baliedesk.ui.common.messages.message_for`) and leaves
what was typed in the fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from baliedesk.i18n import _
from baliedesk.ui.common import theme
from baliedesk.ui.common.messages import message_for
from baliedesk.ui.common.tasks import run_task

SAVED = "Opgeslagen."


class OrgTab(QWidget):
    """One set-up tab. ``show_view(view)`` fills it from an :class:`OrganisationView`."""

    saved = Signal(str)  # what was saved ("municipality", "location", "service", ...)
    error_shown = Signal(str)

    def __init__(self, client: Any, notify: Callable[[str, bool], None], reload: Callable[[], None],
                 is_closed: Callable[[], bool], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client, self._notify, self._reload, self._is_closed = client, notify, reload, is_closed
        self.view: Any = None

    def show_view(self, view: Any) -> None:
        self.view = view

    def run(self, work: Callable[[], Any], done: Callable[[Any], None] | None = None,
            failed: Callable[[BaseException], None] | None = None) -> None:
        """Background work; an error is worded in Dutch in the notice area (fields stay as typed)."""

        def ok(result: Any) -> None:
            if not self._is_closed() and done is not None:
                done(result)

        def bad(err: BaseException) -> None:
            if self._is_closed():
                return
            self.show_error(err)
            if failed is not None:
                failed(err)

        run_task(work, ok, bad)

    def save(self, what: str, work: Callable[[], Any], after: Callable[[Any], None] | None = None,
             failed: Callable[[BaseException], None] | None = None) -> None:
        """A save: "Opgeslagen." and a reload, or the Dutch refusal with the fields kept."""

        def done(result: Any) -> None:
            self._notify(_(SAVED), False)
            if after is not None:
                after(result)
            self.saved.emit(what)
            self._reload()

        self.run(work, done, failed)

    def show_error(self, err: BaseException) -> None:
        text = message_for(err)
        self._notify(text, True)
        self.error_shown.emit(text)

    def notify(self, text: str, error: bool = False) -> None:
        self._notify(text, error)


class SecretDialog(QDialog):
    """A temporary password or a device's one-time code: shown once, with a copy button."""

    def __init__(self, title: str, intro: str, secret: str, note: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("secretDialog")
        lay = QVBoxLayout(self)
        text = QLabel(intro)
        text.setWordWrap(True)
        lay.addWidget(text)
        self.secret = QLineEdit(secret)
        self.secret.setReadOnly(True)
        self.secret.setFont(theme.font(theme.SIZE_LARGE, bold=True))
        lay.addWidget(self.secret)
        if note:
            extra = QLabel(note)
            extra.setWordWrap(True)
            lay.addWidget(extra)
        once = QLabel(_("U ziet dit maar één keer. Schrijf het op of kopieer het nu."))
        once.setWordWrap(True)
        lay.addWidget(once)
        row = QHBoxLayout()
        self.copy_button = QPushButton(_("Kopiëren"))
        self.copy_button.clicked.connect(self.copy)
        row.addWidget(self.copy_button)
        row.addStretch(1)
        close = QPushButton(_("Sluiten"))
        close.setProperty("role", "primary")
        close.clicked.connect(self.accept)
        row.addWidget(close)
        lay.addLayout(row)
        self.resize(460, 220)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.secret.text())
        self.copy_button.setText(_("Gekopieerd"))


def show_secret(parent: QWidget, title: str, intro: str, secret: str, note: str = "") -> SecretDialog:
    """Open the dialog without blocking (window-modal) and return it."""
    dialog = SecretDialog(title, intro, secret, note, parent)
    dialog.open()
    return dialog


def location_name(view: Any, location_id: int) -> str:
    return next((x.name for x in view.locations if x.id == location_id), "?") if view is not None else "?"

"""Signing in: one form for every window (counter, meldingen, admin) and for unlocking.

:class:`SignInForm` asks for a user name and a password and signs in through
the workstation's door (``client.sign_in``) on a worker thread. A temporary
password is followed at once by "choose a new password" in the same form. A
wrong password keeps the name and says what to do; the form never says
whether a name exists. In demo mode the form shows the demo accounts'
password (only there).

    form = SignInForm(door, title=_("Inloggen"))
    form.signed_in.connect(lambda client: ...)   # a Client bound to the person

``unlock_for(username, display_name)`` turns it into the lock screen of a
counter: the same person's password, or "Iemand anders" (``other_person``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from baliedesk.client import Client, SignedIn
from baliedesk.i18n import _
from baliedesk.ui.common import theme
from baliedesk.ui.common.messages import message_for
from baliedesk.ui.common.tasks import run_task

#: A password field takes at most this many characters (the services refuse longer ones anyway).
PASSWORD_MAX = 256


class SignInForm(QWidget):
    """User name and password; then, after a temporary password, a new one (twice)."""

    signed_in = Signal(object)  # Client, bound to the person (password changed when it had to be)
    other_person = Signal()     # the lock screen's "Iemand anders"

    def __init__(self, door: Client, *, title: str | None = None, intro: str | None = None,
                 demo_password: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.door = door
        self.setObjectName("signInForm")
        self._busy = False
        self._closed = False
        self._pending: Client | None = None  # signed in with a temporary password: must change it first
        self._old_password = ""
        self._unlock_user: str | None = None

        card = QFrame(self)
        card.setProperty("role", "panel")
        card.setMaximumWidth(560)
        card.setMinimumWidth(420)
        self.title = QLabel(title or _("Inloggen"), card)
        self.title.setProperty("role", "title")
        self.title.setFont(theme.font(theme.SIZE_TITLE, bold=True))
        self.intro = QLabel(intro or _("Log in met uw eigen gebruikersnaam en wachtwoord."), card)
        self.intro.setWordWrap(True)
        self.intro.setProperty("role", "muted")

        self.username = self._field("signInUsername", _("Gebruikersnaam"), card)
        self.password = self._field("signInPassword", _("Wachtwoord"), card, secret=True)
        self.new_password = self._field("signInNewPassword", _("Nieuw wachtwoord"), card, secret=True)
        self.repeat_password = self._field("signInRepeatPassword", _("Nieuw wachtwoord nog een keer"), card,
                                           secret=True)
        self.username.setMaxLength(64)
        self._labels: dict[QLineEdit, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(10)
        for row, (text, field) in enumerate(((_("Gebruikersnaam"), self.username), (_("Wachtwoord"), self.password),
                                             (_("Nieuw wachtwoord"), self.new_password),
                                             (_("Herhaal het nieuwe wachtwoord"), self.repeat_password))):
            label = QLabel(text, card)
            label.setBuddy(field)
            label.setFont(theme.font(theme.SIZE_LARGE - 2))
            grid.addWidget(label, row, 0)
            grid.addWidget(field, row, 1)
            self._labels[field] = label
        grid.setColumnStretch(1, 1)

        self.error = QLabel("", card)
        self.error.setObjectName("signInError")
        self.error.setWordWrap(True)
        self.error.setProperty("role", "error")
        self.error.setStyleSheet(f"color: {theme.ERROR};")
        self.demo_hint = QLabel("", card)
        self.demo_hint.setObjectName("signInDemoHint")
        self.demo_hint.setWordWrap(True)
        self.demo_hint.setProperty("role", "muted")
        if demo_password:
            self.demo_hint.setText(_("Demo: log in als anne, fatima of jeroen met het wachtwoord {password}.")
                                   .format(password=demo_password))
        self.demo_hint.setVisible(bool(demo_password))

        self.button = QPushButton(_("Inloggen"), card)
        self.button.setObjectName("signInSubmit")
        self.button.setProperty("role", "primary")
        self.button.setMinimumHeight(56)
        self.button.setFont(theme.font(theme.SIZE_LARGE, bold=True))
        self.button.clicked.connect(self.submit)
        self.other_button = QPushButton(_("Iemand anders logt in"), card)
        self.other_button.setObjectName("signInOther")
        self.other_button.clicked.connect(self.other_person.emit)
        self.other_button.hide()
        for keys in ("Return", "Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.submit)

        lay = QVBoxLayout(card)
        lay.setContentsMargins(28, 24, 28, 24)
        lay.setSpacing(12)
        lay.addWidget(self.title)
        lay.addWidget(self.intro)
        lay.addLayout(grid)
        lay.addWidget(self.error)
        lay.addWidget(self.button)
        lay.addWidget(self.other_button)
        lay.addWidget(self.demo_hint)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 2)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self._show_step("password")

    @staticmethod
    def _field(name: str, placeholder: str, parent: QWidget, *, secret: bool = False) -> QLineEdit:
        field = QLineEdit(parent)
        field.setObjectName(name)
        field.setMinimumHeight(40)
        field.setFont(theme.font(theme.SIZE_LARGE - 2))
        if secret:
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setMaxLength(PASSWORD_MAX)
        return field

    # -- what the form asks -------------------------------------------------
    def _show_step(self, step: str) -> None:
        self._step = step
        new = step == "new_password"
        for field in (self.new_password, self.repeat_password):
            field.setVisible(new)
            self._labels[field].setVisible(new)
        for field in (self.username, self.password):
            field.setVisible(not new)
            self._labels[field].setVisible(not new)
        self.username.setReadOnly(self._unlock_user is not None)
        self.button.setText(_("Wachtwoord opslaan") if new else
                            _("Ontgrendelen") if self._unlock_user is not None else _("Inloggen"))
        if new:
            self.intro.setText(_("U logde in met een tijdelijk wachtwoord. Kies nu een eigen wachtwoord: "
                                 "minstens 12 tekens. Een zin van een paar woorden is goed te onthouden."))
            self.new_password.setFocus()

    def reset(self, username: str = "") -> None:
        """A fresh form (after signing out): the name stays when given, the password never does."""
        self._unlock_user = None
        self._pending = None
        self.other_button.hide()
        self.title.setText(_("Inloggen"))
        self.intro.setText(_("Log in met uw eigen gebruikersnaam en wachtwoord."))
        self.username.setText(username)
        for field in (self.password, self.new_password, self.repeat_password):
            field.clear()
        self.error.clear()
        self._show_step("password")
        (self.password if username else self.username).setFocus()

    def unlock_for(self, username: str, display_name: str) -> None:
        """The lock screen: only this person's password opens it again, or someone else logs in."""
        self.reset(username)
        self._unlock_user = username
        self.title.setText(_("Vergrendeld"))
        self.intro.setText(_("{name} is ingelogd. Typ uw wachtwoord om verder te gaan.").format(name=display_name))
        self.other_button.show()
        self._show_step("password")
        self.password.setFocus()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.button.setEnabled(not busy)
        self.button.setText(_("Even geduld …") if busy else
                            _("Wachtwoord opslaan") if self._step == "new_password" else
                            _("Ontgrendelen") if self._unlock_user is not None else _("Inloggen"))

    def close_form(self) -> None:
        """Answers still on their way find the form closed."""
        self._closed = True

    # -- submitting -----------------------------------------------------------
    def submit(self) -> None:
        if self._busy or self._closed:
            return
        if self._step == "new_password":
            self._submit_new_password()
            return
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            self.error.setText(_("Vul uw gebruikersnaam en wachtwoord in."))
            (self.username if not username else self.password).setFocus()
            return
        door = self.door
        self.set_busy(True)
        run_task(lambda: door.sign_in(username, password), self._on_signed_in, self._on_failed)

    def _on_signed_in(self, signed: SignedIn) -> None:
        if self._closed:
            return
        self.set_busy(False)
        if signed.must_change_password:
            self._pending = signed.client
            self._old_password = self.password.text()
            self.error.clear()
            self._show_step("new_password")
            return
        self._done(signed.client)

    def _submit_new_password(self) -> None:
        new, again = self.new_password.text(), self.repeat_password.text()
        if new != again:
            self.error.setText(_("De twee nieuwe wachtwoorden zijn niet gelijk. Typ ze nog een keer."))
            self.repeat_password.clear()
            self.repeat_password.setFocus()
            return
        pending, old = self._pending, self._old_password
        if pending is None:
            self._show_step("password")
            return
        self.set_busy(True)
        run_task(lambda: pending.change_password(old, new), self._on_changed, self._on_failed)

    def _on_changed(self, client: Client) -> None:
        if self._closed:
            return
        self.set_busy(False)
        self._pending = None
        self._old_password = ""
        self._done(client)

    def _done(self, client: Client) -> None:
        for field in (self.password, self.new_password, self.repeat_password):
            field.clear()
        self.error.clear()
        self.signed_in.emit(client)

    def _on_failed(self, err: BaseException) -> None:
        if self._closed:
            return
        self.set_busy(False)
        self.error.setText(message_for(err))
        if self._step == "new_password":
            self.new_password.selectAll()
            self.new_password.setFocus()
        else:
            self.password.clear()
            self.password.setFocus()

    def error_text(self) -> str:
        return self.error.text()


def sign_in_page(door: Client, *, demo_password: str | None = None, parent: Any = None) -> SignInForm:
    """The form as the first page of a window."""
    return SignInForm(door, demo_password=demo_password, parent=parent)

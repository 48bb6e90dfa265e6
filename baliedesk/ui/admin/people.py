"""The "Mensen" and "Apparaten" tabs: people (add with a role, change the role, switch off and
on, a new temporary password, end their sessions) and kiosks and hall screens (a one-time
code to enrol one, the list with its state, revoke).

The temporary password and the device code are shown once, in a dialog with a copy
button. A team lead's role list has no "beheerder"; the services refuse it anyway.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from baliedesk.domain.permissions import Role
from baliedesk.i18n import _
from baliedesk.ui.admin.orgbase import OrgTab, location_name, show_secret

PERSON_ROLES = ((Role.CLERK, "Baliemedewerker"), (Role.KCC, "KCC-medewerker"), (Role.TEAM_LEAD, "Teamleider"),
                (Role.ADMIN, "Beheerder"))
ROLE_LABELS = {r.value: label for r, label in PERSON_ROLES} | {"kiosk": "Kiosk", "display": "Scherm in de hal"}
DEVICE_STATES = {"waiting": "wacht op de code", "enrolled": "in gebruik", "revoked": "ingetrokken"}
ZONE = ZoneInfo("Europe/Amsterdam")


def _time(moment: dt.datetime | None) -> str:
    return moment.astimezone(ZONE).strftime("%d-%m-%Y %H:%M") if moment else ""


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.setItem(r, c, QTableWidgetItem(value))


class PeopleTab(OrgTab):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.my_role = Role.TEAM_LEAD.value
        self.people: tuple[Any, ...] = ()
        self.secret_dialog: Any = None
        root = QVBoxLayout(self)
        self.table = _table([_("Gebruikersnaam"), _("Naam"), _("Rol"), _("Aan"), _("Open sessies"),
                             _("Moet wachtwoord kiezen")])
        self.table.itemSelectionChanged.connect(self._on_selected)
        root.addWidget(self.table, 1)
        selected = QHBoxLayout()
        self.role_choice = QComboBox()
        selected.addWidget(self.role_choice)
        self.role_button = QPushButton(_("Rol wijzigen"))
        self.role_button.clicked.connect(self.change_role)
        selected.addWidget(self.role_button)
        self.active_button = QPushButton(_("Uitzetten"))
        self.active_button.clicked.connect(self.toggle_active)
        selected.addWidget(self.active_button)
        self.reset_button = QPushButton(_("Nieuw wachtwoord"))
        self.reset_button.clicked.connect(self.reset_password)
        selected.addWidget(self.reset_button)
        self.sessions_button = QPushButton(_("Afmelden op alle computers"))
        self.sessions_button.clicked.connect(self.end_sessions)
        selected.addWidget(self.sessions_button)
        selected.addStretch(1)
        root.addLayout(selected)
        box = QGroupBox(_("Iemand toevoegen"))
        form = QFormLayout(box)
        self.new_username = QLineEdit()
        self.new_username.setPlaceholderText(_("bijvoorbeeld: jdevries"))
        form.addRow(_("Gebruikersnaam"), self.new_username)
        self.new_name = QLineEdit()
        form.addRow(_("Naam"), self.new_name)
        self.new_role = QComboBox()
        form.addRow(_("Rol"), self.new_role)
        self.add_button = QPushButton(_("Toevoegen"))
        self.add_button.setProperty("role", "primary")
        self.add_button.clicked.connect(self.add_person)
        form.addRow(self.add_button)
        root.addWidget(box)
        self.set_my_role(self.my_role)
        self._on_selected()

    def set_my_role(self, role: str) -> None:
        """The roles on offer: only a beheerder can make a beheerder."""
        self.my_role = role
        for combo in (self.new_role, self.role_choice):
            combo.clear()
            for r, label in PERSON_ROLES:
                if r is Role.ADMIN and role != Role.ADMIN.value:
                    continue
                combo.addItem(_(label), r.value)

    def show_view(self, view: Any) -> None:
        super().show_view(view)
        self.refresh()

    def refresh(self) -> None:
        client = self.client
        self.run(lambda: client.auth.list_users(), self._show_people)

    def _show_people(self, people: tuple[Any, ...]) -> None:
        keep = self.current()
        self.people = people
        _fill(self.table, [[p.username, p.display_name, _(ROLE_LABELS.get(p.role, p.role)),
                            _("ja") if p.active else _("nee"), str(p.open_sessions),
                            _("ja") if p.must_change_password else ""] for p in people])
        if keep is not None:
            ids = [p.id for p in people]
            if keep.id in ids:
                self.table.selectRow(ids.index(keep.id))
        self._on_selected()

    def current(self) -> Any:
        rows = {i.row() for i in self.table.selectedIndexes()}
        return self.people[rows.pop()] if len(rows) == 1 and self.people else None

    def select_username(self, username: str) -> None:
        ids = [p.username for p in self.people]
        self.table.selectRow(ids.index(username))

    def _on_selected(self) -> None:
        person = self.current()
        for button in (self.role_button, self.active_button, self.reset_button, self.sessions_button):
            button.setEnabled(person is not None)
        if person is not None:
            self.active_button.setText(_("Uitzetten") if person.active else _("Aanzetten"))
            index = self.role_choice.findData(person.role)
            self.role_choice.setCurrentIndex(max(0, index))

    def _show_password(self, account: Any, intro: str) -> None:
        self.secret_dialog = show_secret(self, _("Tijdelijk wachtwoord"), intro.format(
            name=account.user.display_name, username=account.user.username), account.temporary_password,
            _("Bij de eerste keer inloggen kiest {name} zelf een nieuw wachtwoord.").format(
                name=account.user.display_name))

    # -- actions ---------------------------------------------------------
    def add_person(self) -> None:
        client = self.client
        username, name, role = self.new_username.text(), self.new_name.text(), self.new_role.currentData()

        def after(account: Any) -> None:
            self.new_username.clear()
            self.new_name.clear()
            self._show_password(account, _("{name} is toegevoegd. Gebruikersnaam: {username}. "
                                           "Het tijdelijke wachtwoord is:"))

        self.save("person", lambda: client.auth.add_user(username, name, role), after)

    def change_role(self) -> None:
        person, client, role = self.current(), self.client, self.role_choice.currentData()
        if person is not None:
            self.save("person", lambda: client.auth.set_role(person.id, role))

    def toggle_active(self) -> None:
        person, client = self.current(), self.client
        if person is None:
            return
        op = client.auth.deactivate_user if person.active else client.auth.activate_user
        self.save("person", lambda: op(person.id))

    def reset_password(self) -> None:
        person, client = self.current(), self.client
        if person is not None:
            self.save("person", lambda: client.auth.reset_password(person.id), lambda account: self._show_password(
                account, _("{name} ({username}) heeft een nieuw tijdelijk wachtwoord:")))

    def end_sessions(self) -> None:
        person, client = self.current(), self.client
        if person is not None:
            self.save("person", lambda: client.auth.revoke_sessions(person.id))


class DevicesTab(OrgTab):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.devices: tuple[Any, ...] = ()
        self.secret_dialog: Any = None
        root = QVBoxLayout(self)
        self.table = _table([_("Naam"), _("Soort"), _("Locatie"), _("Staat"), _("Aangemaakt"), _("Code geldig tot")])
        root.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.revoke_button = QPushButton(_("Intrekken"))
        self.revoke_button.clicked.connect(self.revoke)
        row.addWidget(self.revoke_button)
        root.addLayout(row)
        box = QGroupBox(_("Een kiosk of scherm aanmelden"))
        form = QFormLayout(box)
        self.kind = QComboBox()
        self.kind.addItem(_("Kiosk (nummers trekken)"), Role.KIOSK.value)
        self.kind.addItem(_("Scherm in de hal"), Role.DISPLAY.value)
        form.addRow(_("Soort"), self.kind)
        self.location = QComboBox()
        form.addRow(_("Locatie"), self.location)
        self.name = QLineEdit()
        self.name.setPlaceholderText(_("bijvoorbeeld: Kiosk bij de ingang"))
        form.addRow(_("Naam"), self.name)
        self.enroll_button = QPushButton(_("Code maken"))
        self.enroll_button.setProperty("role", "primary")
        self.enroll_button.clicked.connect(self.enroll)
        form.addRow(self.enroll_button)
        root.addWidget(box)

    def show_view(self, view: Any) -> None:
        super().show_view(view)
        keep = self.location.currentData()
        self.location.clear()
        for loc in view.locations:
            if loc.active:
                self.location.addItem(loc.name, loc.id)
        self.location.setCurrentIndex(max(0, self.location.findData(keep)))
        self.refresh()

    def refresh(self) -> None:
        client = self.client
        self.run(lambda: client.auth.list_devices(), self._show_devices)

    def _show_devices(self, devices: tuple[Any, ...]) -> None:
        self.devices = devices
        _fill(self.table, [[d.name, _(ROLE_LABELS.get(d.role, d.role)), location_name(self.view, d.location_id),
                            _(DEVICE_STATES.get(d.state, d.state)), _time(d.created_at),
                            _time(d.code_expires_at) if d.state == "waiting" else ""] for d in devices])

    def enroll(self) -> None:
        client = self.client
        role, loc, name = self.kind.currentData(), self.location.currentData(), self.name.text() or None

        def after(enrolment: Any) -> None:
            self.name.clear()
            self.secret_dialog = show_secret(
                self, _("Code voor {name}").format(name=enrolment.device.name),
                _("Typ deze code op de kiosk of het scherm, bij het eerste starten:"), enrolment.code,
                _("De code werkt één keer, tot {time}.").format(time=_time(enrolment.expires_at)))

        self.save("device", lambda: client.auth.enroll_device(role, loc, name), after)

    def revoke(self) -> None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        if len(rows) != 1:
            self.notify(_("Kies eerst een apparaat in de lijst."), True)
            return
        device, client = self.devices[rows.pop()], self.client
        self.save("device", lambda: client.auth.revoke_device(device.id))

"""The first-run assistant: an empty database becomes a working town hall in five short steps.

1. De gemeente: name, colour, logo, phone and website.
2. De eerste locatie: address and opening hours (Loppersum's pattern offered as a start).
3. De diensten: letter, name, colour, minutes (four suggested).
4. De balies: names; each does every service to begin with.
5. De eerste beheerder: user name, name, password typed twice.

Every "Volgende" checks what is filled in so far with the services' own checks
(``setupfile.first_run`` with ``dry_run``: the set-up file's checker, nothing is
saved). "Alles opslaan" saves everything at once through the same operation,
which builds the municipality from the same TOML a set-up file holds
(docs/setup-file.md): there is one path to create a municipality. It works before
anyone is signed in and is refused by the service once the database holds anything.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from baliedesk.domain.auth import check_password_policy
from baliedesk.domain.calendar import parse_periods
from baliedesk.domain.errors import DomainError
from baliedesk.domain.organisation import SetupFileInvalid, SetupProblem, check_color
from baliedesk.i18n import _
from baliedesk.setup_text import problem_text
from baliedesk.ui.common import theme
from baliedesk.ui.common.messages import message_for
from baliedesk.ui.common.notices import notice_label, show_notice
from baliedesk.ui.common.tasks import run_task

WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
#: Loppersum's pattern (services/demo.py HOURS): Thursday evening for collecting documents.
LOPPERSUM = ("09:00-12:30, 13:30-16:30",) * 3 + ("09:00-12:30, 13:30-16:30, 17:00-19:30",
                                                  "09:00-12:30, 13:30-16:30", "", "")
SUGGESTED_SERVICES = (("A", "Paspoort en ID-kaart", "#1F4E8C", "12"), ("B", "Rijbewijs", "#1B6B3A", "8"),
                      ("C", "Uittreksel en verhuizing", "#A34700", "6"), ("M", "Melding", "#6B2C91", "7"))
SUGGESTED_COUNTERS = ("Balie 1", "Balie 2")
STEPS = ("De gemeente", "De eerste locatie", "De diensten", "De balies", "De eerste beheerder")
GEMEENTE, LOCATIE, DIENSTEN, BALIES, BEHEERDER = range(5)

#: The set-up file's keys as the assistant's labels (for a refusal's place).
KEY_LABELS = {
    "naam": "naam", "kleur": "kleur", "logo_base64": "logo", "straat": "straat", "huisnummer": "huisnummer",
    "postcode": "postcode", "plaats": "plaats", "telefoon": "telefoon", "website": "website", "letter": "letter",
    "minuten": "minuten", "naam_in_hal": "naam", "diensten": "diensten", "gebruikersnaam": "gebruikersnaam",
    **{day: day for day in WEEKDAYS},
}


# ---------------------------------------------------------------------------
# the set-up file's TOML (the same keys and layout as setupfile.dumps)
# ---------------------------------------------------------------------------
def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_text(data: dict[str, Any]) -> str:
    """``data`` as a set-up file: plain values first, then ``[tables]`` and ``[[arrays of tables]]``."""
    lines: list[str] = []

    def table(prefix: str, d: dict[str, Any]) -> None:
        for k, v in d.items():
            if not isinstance(v, dict) and not (isinstance(v, list) and v and isinstance(v[0], dict)):
                lines.append(f"{k} = {_scalar(v)}")
        for k, v in d.items():
            if isinstance(v, dict):
                lines.extend(("", f"[{prefix}{k}]"))
                table(f"{prefix}{k}.", v)
            elif isinstance(v, list) and v and isinstance(v[0], dict):
                for item in v:
                    lines.extend(("", f"[[{prefix}{k}]]"))
                    table(f"{prefix}{k}.", item)

    table("", data)
    return "\n".join(lines).lstrip("\n") + "\n"


def step_of(place: str) -> int:
    """Which step a refusal's place (``locatie[1].dienst[2].kleur``) belongs to."""
    if place.startswith("gemeente") or re.match(r"locatie\[\d+\]\.(telefoon|website)$", place):
        return GEMEENTE
    if ".dienst" in place:
        return DIENSTEN
    if ".balie" in place:
        return BALIES
    if place.startswith("persoon"):
        return BEHEERDER
    return LOCATIE


def problem_sentence(problem: SetupProblem) -> str:
    """``Dienst 2, kleur: op deze kleur is tekst niet goed te lezen ...`` (B1, no file syntax)."""
    parts = []
    for m in re.finditer(r"(dienst|balie)\[(\d+)\]", problem.place):
        parts.append(_("Dienst {n}").format(n=m.group(2)) if m.group(1) == "dienst" else
                     _("Balie {n}").format(n=m.group(2)))
    key = problem.place.rsplit(".", 1)[-1]
    key = re.sub(r"\[\d+\]$", "", key)
    if key in KEY_LABELS:
        parts.append(_(KEY_LABELS[key]))
    text = problem_text(SetupProblem("x", problem.code, problem.limit)).split(": ", 1)[1]
    head = ", ".join(parts)
    return f"{head[:1].upper()}{head[1:]}: {text}" if head else text[:1].upper() + text[1:]


class FirstRunAssistant(QWidget):
    """The five steps; ``finished(username)`` once everything is saved (then the log-in form shows)."""

    finished = Signal(str)
    checked = Signal(int)  # a step passed its check (the step's number)
    error_shown = Signal(str)

    def __init__(self, door: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.door = door
        self.logo: bytes | None = None
        self._busy = False
        self.setObjectName("firstRun")
        self.setWindowTitle(_("BalieDesk – eerste keer instellen"))
        root = QVBoxLayout(self)
        title = QLabel(_("Welkom bij BalieDesk"))
        title.setFont(theme.font(theme.SIZE_TITLE, bold=True))
        root.addWidget(title)
        intro = QLabel(_("Deze database is nog leeg. In vijf korte stappen stelt u de gemeente in. "
                         "Elke stap wordt meteen nagekeken. Pas aan het eind wordt alles in één keer opgeslagen."))
        intro.setWordWrap(True)
        root.addWidget(intro)
        self.step_title = QLabel("")
        self.step_title.setObjectName("stepTitle")
        self.step_title.setFont(theme.font(theme.SIZE_LARGE, bold=True))
        root.addWidget(self.step_title)
        self.pages = QStackedWidget()
        for page in (self._municipality_page(), self._location_page(), self._services_page(),
                     self._counters_page(), self._admin_page()):
            self.pages.addWidget(page)
        root.addWidget(self.pages, 1)
        self.message = notice_label()
        root.addWidget(self.message)
        buttons = QHBoxLayout()
        self.back_button = QPushButton(_("Terug"))
        self.back_button.clicked.connect(self.back)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        self.next_button = QPushButton(_("Volgende"))
        self.next_button.setProperty("role", "primary")
        self.next_button.clicked.connect(self.next)
        buttons.addWidget(self.next_button)
        root.addLayout(buttons)
        self.go(GEMEENTE)

    # -- the pages -------------------------------------------------------
    def _municipality_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.muni_name = QLineEdit()
        self.muni_name.setPlaceholderText(_("bijvoorbeeld: Gemeente Eemsdelta"))
        form.addRow(_("Naam van de gemeente"), self.muni_name)
        self.muni_color = QLineEdit("#0B4F8A")
        form.addRow(_("Kleur (bovenbalk van het scherm, lijnen op de bonnetjes)"), self.muni_color)
        logo_row = QHBoxLayout()
        self.logo_label = QLabel(_("Geen logo (kan later ook)"))
        logo_row.addWidget(self.logo_label, 1)
        choose = QPushButton(_("Logo kiezen..."))
        choose.clicked.connect(lambda: self.choose_logo())
        logo_row.addWidget(choose)
        form.addRow(_("Logo"), logo_row)
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("14 0596")
        form.addRow(_("Telefoon (op de bonnetjes)"), self.phone)
        self.website = QLineEdit()
        self.website.setPlaceholderText("https://www.gemeente.nl")
        form.addRow(_("Website"), self.website)
        return page

    def _location_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        form = QFormLayout()
        self.loc_name = QLineEdit()
        self.loc_name.setPlaceholderText(_("bijvoorbeeld: Gemeentehuis Loppersum"))
        form.addRow(_("Naam van de locatie"), self.loc_name)
        self.street, self.house_number = QLineEdit(), QLineEdit()
        self.postcode, self.place = QLineEdit(), QLineEdit()
        self.postcode.setPlaceholderText("9919 AH")
        for label, edit in ((_("Straat"), self.street), (_("Huisnummer"), self.house_number),
                            (_("Postcode"), self.postcode), (_("Plaats"), self.place)):
            form.addRow(label, edit)
        lay.addLayout(form)
        hint = QLabel(_("Openingstijden per dag, bijvoorbeeld 09:00-12:30, 13:30-16:30. Leeg is dicht."))
        hint.setWordWrap(True)
        lay.addWidget(hint)
        grid = QGridLayout()
        self.day_edits: list[QLineEdit] = []
        for wd, day in enumerate(WEEKDAYS):
            edit = QLineEdit()
            edit.setPlaceholderText(_("dicht"))
            grid.addWidget(QLabel(_(day.capitalize())), wd, 0)
            grid.addWidget(edit, wd, 1)
            self.day_edits.append(edit)
        lay.addLayout(grid)
        self.loppersum_button = QPushButton(_("Begin met de tijden van Loppersum"))
        self.loppersum_button.clicked.connect(self.use_loppersum)
        lay.addWidget(self.loppersum_button)
        lay.addStretch(1)
        self.use_loppersum()
        return page

    def _services_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        hint = QLabel(_("Welke diensten kiest een bezoeker op de kiosk? De letter staat voor het nummer (A 12). "
                        "Hieronder staan er vier als voorbeeld; pas ze aan of haal ze weg."))
        hint.setWordWrap(True)
        lay.addWidget(hint)
        self.services = QTableWidget(0, 4)
        self.services.setHorizontalHeaderLabels([_("Letter"), _("Naam"), _("Kleur"), _("Minuten per bezoeker")])
        self.services.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.services.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.services.itemChanged.connect(self._paint_color)
        for row in SUGGESTED_SERVICES:
            self.add_service(*row)
        lay.addWidget(self.services, 1)
        lay.addLayout(self._row_buttons(_("Dienst erbij"), lambda: self.add_service(),
                                        _("Gekozen dienst weghalen"), self.services))
        return page

    def _row_buttons(self, add_text: str, add: Any, remove_text: str, table: QTableWidget) -> QHBoxLayout:
        """"... erbij" and "Gekozen ... weghalen" under a table of the assistant."""
        row = QHBoxLayout()
        add_button = QPushButton(add_text)
        add_button.clicked.connect(add)
        remove = QPushButton(remove_text)
        remove.clicked.connect(lambda: self._remove_row(table))
        row.addWidget(add_button)
        row.addWidget(remove)
        row.addStretch(1)
        return row

    def _counters_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        hint = QLabel(_("Aan welke balies werken de medewerkers? Elke balie doet eerst alle diensten; "
                        "dat kunt u later in het tabblad Balies aanpassen."))
        hint.setWordWrap(True)
        lay.addWidget(hint)
        self.counters = QTableWidget(0, 2)
        self.counters.setHorizontalHeaderLabels([_("Naam"), _("Naam op het scherm in de hal")])
        self.counters.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.counters.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for name in SUGGESTED_COUNTERS:
            self.add_counter(name)
        lay.addWidget(self.counters, 1)
        lay.addLayout(self._row_buttons(_("Balie erbij"), lambda: self.add_counter(),
                                        _("Gekozen balie weghalen"), self.counters))
        return page

    def _admin_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        hint = QLabel(_("De beheerder richt BalieDesk in en voegt de medewerkers toe. Kies een wachtwoord van "
                        "minstens 12 tekens; een zin is het makkelijkst."))
        hint.setWordWrap(True)
        form.addRow(hint)
        self.admin_username = QLineEdit()
        self.admin_username.setPlaceholderText(_("bijvoorbeeld: beheer"))
        form.addRow(_("Gebruikersnaam"), self.admin_username)
        self.admin_name = QLineEdit()
        form.addRow(_("Naam"), self.admin_name)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("Wachtwoord"), self.password)
        self.password_again = QLineEdit()
        self.password_again.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("Wachtwoord nog een keer"), self.password_again)
        return page

    # -- editing ---------------------------------------------------------
    def use_loppersum(self) -> None:
        for edit, text in zip(self.day_edits, LOPPERSUM):
            edit.setText(text)

    def choose_logo(self, path: str | None = None) -> None:
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(self, _("Logo kiezen"), "",
                                                        _("Afbeeldingen (*.png *.jpg *.jpeg *.svg)"))
        if not path:
            return
        try:
            self.logo = Path(path).read_bytes()
        except OSError:
            show_notice(self.message, _("Dit bestand kan BalieDesk niet lezen. Kies een ander bestand."), error=True)
            return
        self.logo_label.setText(Path(path).name)

    def add_service(self, prefix: str = "", name: str = "", color: str = "#0B4F8A", minutes: str = "10") -> None:
        r = self.services.rowCount()
        self.services.insertRow(r)
        for c, value in enumerate((prefix, name, color, minutes)):
            self.services.setItem(r, c, QTableWidgetItem(value))

    @staticmethod
    def _paint_color(item: QTableWidgetItem) -> None:
        """The colour column shows its colour, with the text the screens would use on it."""
        if item.column() != 2:
            return
        try:
            check = check_color(item.text().strip())
        except DomainError:
            item.setBackground(QBrush())
            item.setForeground(QBrush())
            return
        item.setBackground(QColor(check.color))
        item.setForeground(QColor(check.text))

    def add_counter(self, name: str = "") -> None:
        r = self.counters.rowCount()
        self.counters.insertRow(r)
        self.counters.setItem(r, 0, QTableWidgetItem(name or _("Balie {n}").format(n=r + 1)))
        self.counters.setItem(r, 1, QTableWidgetItem(""))

    @staticmethod
    def _remove_row(table: QTableWidget) -> None:
        rows = sorted({i.row() for i in table.selectedIndexes()}, reverse=True)
        for r in rows:
            table.removeRow(r)

    @staticmethod
    def _cell(table: QTableWidget, r: int, c: int) -> str:
        item = table.item(r, c)
        return item.text().strip() if item is not None else ""

    # -- the set-up file -------------------------------------------------
    def setup_data(self, upto: int = BEHEERDER) -> dict[str, Any]:
        """What is filled in so far, as a set-up file (see docs/setup-file.md)."""
        municipality: dict[str, Any] = {"naam": self.muni_name.text(), "kleur": self.muni_color.text().strip()}
        if self.logo:
            municipality["logo_base64"] = base64.b64encode(self.logo).decode("ascii")
        location: dict[str, Any] = {"naam": self.loc_name.text() or self.muni_name.text() or _("Gemeentehuis"),
                                    "telefoon": self.phone.text(), "website": self.website.text()}
        data: dict[str, Any] = {"formaat": 1, "gemeente": municipality, "locatie": [location]}
        if upto >= LOCATIE:
            location.update(straat=self.street.text(), huisnummer=self.house_number.text(),
                            postcode=self.postcode.text(), plaats=self.place.text())
            location["openingstijden"] = {day: e.text() for day, e in zip(WEEKDAYS, self.day_edits) if e.text().strip()}
        if upto >= DIENSTEN:
            services = []
            for r in range(self.services.rowCount()):
                minutes = self._cell(self.services, r, 3).replace(",", ".")
                service: dict[str, Any] = {"letter": self._cell(self.services, r, 0).upper(),
                                           "naam": self._cell(self.services, r, 1),
                                           "kleur": self._cell(self.services, r, 2), "volgorde": r + 1}
                try:
                    service["minuten"] = float(minutes)
                except ValueError:
                    service["minuten"] = minutes  # the check says it is wrong, at its place
                services.append(service)
            if services:
                location["dienst"] = services
        if upto >= BALIES:
            letters = [s["letter"] for s in location.get("dienst", [])]
            counters = []
            for r in range(self.counters.rowCount()):
                counter: dict[str, Any] = {"naam": self._cell(self.counters, r, 0), "diensten": letters}
                if self._cell(self.counters, r, 1):
                    counter["naam_in_hal"] = self._cell(self.counters, r, 1)
                counters.append(counter)
            if counters:
                location["balie"] = counters
        if upto >= BEHEERDER:
            data["persoon"] = [{"gebruikersnaam": self.admin_username.text().strip(), "naam": self.admin_name.text(),
                                "rol": "beheerder"}]
        return data

    def setup_text(self, upto: int = BEHEERDER) -> str:
        return toml_text(self.setup_data(upto))

    # -- the steps -------------------------------------------------------
    def go(self, step: int) -> None:
        self.pages.setCurrentIndex(step)
        self.step_title.setText(_("Stap {n} van {total}: {title}").format(n=step + 1, total=len(STEPS),
                                                                        title=_(STEPS[step])))
        self.back_button.setEnabled(step > 0)
        self.next_button.setText(_("Alles opslaan") if step == BEHEERDER else _("Volgende"))

    @property
    def step(self) -> int:
        return self.pages.currentIndex()

    def back(self) -> None:
        self.message.hide()
        if self.step > 0:
            self.go(self.step - 1)

    def _local_problem(self, step: int) -> str | None:
        """What the step can check without the database: the hours as typed, the services and the password."""
        if step == LOCATIE:
            for wd, edit in enumerate(self.day_edits):
                try:
                    parse_periods(edit.text(), weekday=wd)
                except DomainError as err:
                    return message_for(err)
        if step == DIENSTEN and self.services.rowCount() == 0:
            return _("Zet minstens één dienst in de lijst.")
        if step == BALIES and self.counters.rowCount() == 0:
            return _("Zet minstens één balie in de lijst.")
        if step == BEHEERDER:
            if self.password.text() != self.password_again.text():
                return _("De twee wachtwoorden zijn niet gelijk. Typ ze opnieuw.")
            try:
                check_password_policy(self.password.text(), self.admin_username.text().strip().lower())
            except DomainError as err:
                return message_for(err)
        return None

    def next(self) -> None:
        if self._busy:
            return
        step = self.step
        problem = self._local_problem(step)
        if problem is not None:
            self._refuse(problem)
            return
        text, door = self.setup_text(step), self.door
        self._busy = True
        self.next_button.setEnabled(False)
        if step == BEHEERDER:
            username, password = self.admin_username.text().strip().lower(), self.password.text()
            run_task(lambda: door.setupfile.first_run(text, admin_username=username, admin_password=password),
                     lambda _report: self._saved(username), self._failed)
        else:
            run_task(lambda: door.setupfile.first_run(text, dry_run=True), lambda _r: self._passed(step),
                     self._failed)

    def _passed(self, step: int) -> None:
        self._busy = False
        self.next_button.setEnabled(True)
        self.message.hide()
        self.checked.emit(step)
        self.go(step + 1)

    def _saved(self, username: str) -> None:
        self._busy = False
        self.next_button.setEnabled(True)
        show_notice(self.message, _("Alles is opgeslagen. Meld u nu aan als beheerder."), error=False)
        self.password.clear()
        self.password_again.clear()
        self.finished.emit(username)

    def _failed(self, err: BaseException) -> None:
        self._busy = False
        self.next_button.setEnabled(True)
        if isinstance(err, SetupFileInvalid):
            first = min(step_of(p.place) for p in err.problems)
            if first < self.step:
                self.go(first)  # go back to the step where the problem is; what was typed stays
            lines = [problem_sentence(p) for p in err.problems if step_of(p.place) == first]
            self._refuse(_("Dit klopt nog niet:") + "\n" + "\n".join(lines))
            return
        self._refuse(message_for(err))

    def _refuse(self, text: str) -> None:
        show_notice(self.message, text, error=True)
        self.error_shown.emit(text)

    def error_text(self) -> str:
        return self.message.text() if self.message.isVisible() or self.message.text() else ""

"""The privacy window (AVG, issue 12): for the privacy officer (functionaris gegevensbescherming) and the beheerder.

Tabs:

* **Logboek**: who read or changed which personal data, searched by staff member,
  by record or by resident, over a period; field names only, never values;
  "Exporteren als CSV" through ``client.privacy.export_audit`` (the export is on record).
* **Inzage en wissen**: a resident's data (``find_resident``), the letter as PDF
  (``printing.inzage``), the data as JSON, erasure with a reason (``erase_resident``).
* **Bewaartermijnen** (beheerder only): the term per kind of data, and a retention run
  with a dry-run count first. The services refuse the privacy officer anyway; this
  window only hides what the role may not do.

Every call goes through the client on a worker thread (``run_task``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from baliedesk.domain.permissions import Permission, allows
from baliedesk.i18n import _
from baliedesk.privacy_text import LEGAL_HOLD
from baliedesk.ui.common import theme
from baliedesk.ui.common.messages import message_for
from baliedesk.ui.common.notices import notice_label, show_notice
from baliedesk.ui.common.tasks import run_task

ACTION_NAMES = {
    "read": _("bekeken"), "create": _("gemaakt"), "update": _("gewijzigd"), "delete": _("verwijderd"),
    "anonymise": _("geanonimiseerd"), "erase": _("gewist"), "export": _("geëxporteerd"),
    "retention": _("bewaartermijnen uitgevoerd"),
}
RECORD_TYPES = (
    ("melding", _("Melding")), ("appointment", _("Afspraak")), ("callback", _("Terugbelverzoek")),
    ("complaint", _("Klacht")), ("contact", _("Contact")), ("ticket", _("Volgnummer")),
    ("user", _("Medewerker")), ("resident", _("Inwoner")), ("retention", _("Bewaartermijnen")),
    ("audit_log", _("Logboek")),
)
RECORD_NAMES = dict(RECORD_TYPES)
RETENTION_NAMES = {
    "melding_reporter": _("Melder bij een gesloten melding"),
    "appointment": _("Gegevens bij een afspraak"),
    "callback": _("Terugbelverzoek"),
    "complaint": _("Klacht"),
    "melding_cancelled": _("Geannuleerde melding (vernietigen)"),
    "melding_handled": _("Afgehandelde melding (vernietigen)"),
    "ticket_note": _("Notitie bij een volgnummer"),
    "contact_note": _("Notitie bij een contact"),
}
KIND_NAMES = {"melding": _("Melding"), "appointment": _("Afspraak"), "callback": _("Terugbelverzoek"),
              "complaint": _("Klacht")}
#: The audit log's field names in plain Dutch (names only: the log never holds values).
FIELD_NAMES = {
    "reporter_name": _("naam melder"), "reporter_phone": _("telefoon melder"),
    "reporter_email": _("e-mail melder"), "description": _("omschrijving"), "street": _("straat"),
    "house_number": _("huisnummer"), "house_addition": _("toevoeging"), "postcode": _("postcode"),
    "place": _("plaats"), "name": _("naam"), "phone": _("telefoon"), "email": _("e-mail"),
    "remarks": _("opmerking"), "caller_name": _("naam beller"), "question": _("vraag"), "outcome": _("uitkomst"),
    "note": _("notitie"), "all": _("alles"), "personal": _("persoonsgegevens"), "photos": _("foto's"),
    "subject": _("onderwerp"), "reason": _("reden"), "months": _("maanden"), "enabled": _("aan/uit"),
    "state": _("status"), "name+postcode": _("naam en postcode"), "reached": _("bereikt"),
}
AUDIT_COLUMNS = (_("Wanneer"), _("Wie"), _("Computer"), _("Actie"), _("Record"), _("Velden"))
RESIDENT_COLUMNS = (_("Soort"), _("Kenmerk"), _("Status"), _("Naam"), _("Telefoon"), _("E-mail"), _("Verder"))


def _table(columns: tuple[str, ...]) -> QTableWidget:
    t = QTableWidget(0, len(columns))
    t.setHorizontalHeaderLabels(list(columns))
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(value))


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setFont(theme.font(theme.SIZE_LARGE, bold=True))
    return label


def fields_text(fields: tuple[str, ...]) -> str:
    return ", ".join(FIELD_NAMES.get(f, f) for f in fields)


def count_text(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def record_text(record_type: str, record_id: int | None) -> str:
    name = RECORD_NAMES.get(record_type, record_type)
    return name if record_id is None else f"{name} {record_id}"


class EraseDialog(QDialog):
    """"Wissen…": the reason (required) and a confirmation before anything is erased."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Gegevens wissen"))
        lay = QVBoxLayout(self)
        intro = QLabel(_("U wist de gegevens van deze inwoner. Dit kan niet ongedaan worden gemaakt. "
                         "Gegevens die we nog moeten bewaren, blijven staan."))
        intro.setWordWrap(True)
        lay.addWidget(intro)
        lay.addWidget(QLabel(_("Waarom? (verplicht, bijvoorbeeld: verzoek van de inwoner per brief)")))
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("erase-reason")
        self.reason.setMaximumHeight(100)
        lay.addWidget(self.reason)
        self.sure = QCheckBox(_("Ja, ik wil deze gegevens wissen"))
        lay.addWidget(self.sure)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton(_("Wissen"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.reason.textChanged.connect(self._update)
        self.sure.toggled.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.ok.setEnabled(bool(self.reason.toPlainText().strip()) and self.sure.isChecked())

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()


class PrivacyWindow(QWidget):
    """``PrivacyWindow(client, location_id)``: the client is signed in as the privacy officer or a beheerder."""

    loaded = Signal()  # who is signed in and the people are known (tests wait for it)
    audit_shown = Signal(int)  # entries in the table
    resident_shown = Signal()
    erased = Signal(object)  # the ErasureResult
    terms_shown = Signal()
    retention_done = Signal(object)  # the RetentionRun
    error_shown = Signal(str)
    saved = Signal(str)  # path of a file written (CSV, PDF, JSON)

    def __init__(self, client: Any, location_id: int, *, timezone: str = "Europe/Amsterdam",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.location_id = location_id
        self.tz = ZoneInfo(timezone)
        self.me: Any = None
        self.people: tuple[Any, ...] = ()
        self.municipality_name = ""
        self.entries: tuple[Any, ...] = ()
        self.resident: Any = None
        self.resident_query: dict[str, str] = {}
        self.terms: tuple[Any, ...] = ()
        self.retention_tab: QWidget | None = None
        #: Hooks a test replaces: a yes/no question, the erasure dialog, a save-file question.
        self.confirm: Callable[[str, str], bool] = self._confirm
        self.ask_erasure: Callable[[], str | None] = self._ask_erasure
        self.ask_save_path: Callable[[str, str, str], str] = self._ask_save_path
        self.setWindowTitle(_("Privacy"))
        root = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(_heading(_("Privacy: logboek, inzage en bewaartermijnen")))
        top.addStretch(1)
        self.who = QLabel("")
        top.addWidget(self.who)
        self.about_button = QPushButton(_("Over BalieDesk"))
        self.about_button.clicked.connect(self.show_about)
        top.addWidget(self.about_button)
        root.addLayout(top)
        self.notice = notice_label()
        root.addWidget(self.notice)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._audit_tab(), _("Logboek"))
        self.tabs.addTab(self._resident_tab(), _("Inzage en wissen"))
        root.addWidget(self.tabs)
        run_task(self._load_start, self._started, self._failed)

    # -- start -----------------------------------------------------------------
    def _load_start(self) -> tuple[Any, tuple[Any, ...], str]:
        people = tuple(self.client.setup.sign_in_choices())
        me = next((u for u in people if u.id == self.client.user_id), None)
        try:
            name = self.client.organisation.municipality().name
        except Exception:  # noqa: BLE001 - the letter then says "De gemeente"
            name = ""
        return me, people, name

    def _started(self, result: tuple[Any, tuple[Any, ...], str]) -> None:
        self.me, people, name = result
        self.people = tuple(sorted(people, key=lambda u: u.display_name.lower()))
        self.municipality_name = name or _("De gemeente")
        self.person.clear()
        for u in self.people:
            self.person.addItem(f"{u.display_name} ({u.username})", u.id)
        if self.me is not None:
            self.who.setText(_("Ingelogd: {name}").format(name=self.me.display_name))
        if self.me is not None and allows(self.me.role, Permission.MANAGE_RETENTION):
            self.retention_tab = self._retention_tab()
            self.tabs.addTab(self.retention_tab, _("Bewaartermijnen"))
            self.refresh_terms()
        self.loaded.emit()

    def _failed(self, err: BaseException) -> None:
        text = message_for(err)
        show_notice(self.notice, text, error=True)
        self.error_shown.emit(text)

    def _ok(self, text: str) -> None:
        show_notice(self.notice, text, error=False)

    def show_about(self) -> None:
        from baliedesk.ui.about import AboutDialog

        self.about = AboutDialog(self)
        self.about.exec()

    # -- Logboek ---------------------------------------------------------------
    def _audit_tab(self) -> QWidget:
        tab = QWidget()
        lay = QVBoxLayout(tab)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Zoek op")))
        self.mode = QComboBox()
        for key, label in (("user", _("Medewerker")), ("record", _("Record")), ("resident", _("Inwoner"))):
            self.mode.addItem(label, key)
        row.addWidget(self.mode)
        self.stack = QStackedWidget()
        # by staff member
        self.person = QComboBox()
        self.person.setMinimumWidth(260)
        self.stack.addWidget(self._row((_("Medewerker"), self.person)))
        # by record
        self.record_type = QComboBox()
        for key, label in RECORD_TYPES:
            self.record_type.addItem(label, key)
        self.record_id = QSpinBox()
        self.record_id.setRange(1, 2_000_000_000)
        self.stack.addWidget(self._row((_("Soort"), self.record_type), (_("Nummer"), self.record_id)))
        # by resident
        self.log_email, self.log_phone, self.log_name, self.log_postcode = (QLineEdit() for _i in range(4))
        self.stack.addWidget(self._row((_("E-mail"), self.log_email), (_("Telefoon"), self.log_phone),
                                       (_("Naam"), self.log_name), (_("Postcode"), self.log_postcode)))
        self.mode.currentIndexChanged.connect(self.stack.setCurrentIndex)
        row.addWidget(self.stack, 1)
        lay.addLayout(row)
        period = QHBoxLayout()
        self.use_period = QCheckBox(_("Alleen in de periode"))
        today = self.client.now().astimezone(self.tz).date()
        self.since_edit, self.until_edit = QDateEdit(), QDateEdit()
        for e, d in ((self.since_edit, today - dt.timedelta(days=30)), (self.until_edit, today)):
            e.setCalendarPopup(True)
            e.setDisplayFormat("dd-MM-yyyy")
            e.setDate(d)
            e.setEnabled(False)
        self.use_period.toggled.connect(self.since_edit.setEnabled)
        self.use_period.toggled.connect(self.until_edit.setEnabled)
        period.addWidget(self.use_period)
        period.addWidget(QLabel(_("van")))
        period.addWidget(self.since_edit)
        period.addWidget(QLabel(_("tot en met")))
        period.addWidget(self.until_edit)
        period.addStretch(1)
        self.search_button = QPushButton(_("Zoeken"))
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search_audit)
        self.csv_button = QPushButton(_("Exporteren als CSV"))
        self.csv_button.clicked.connect(self.ask_export_csv)
        period.addWidget(self.search_button)
        period.addWidget(self.csv_button)
        lay.addLayout(period)
        self.audit_table = _table(AUDIT_COLUMNS)
        lay.addWidget(self.audit_table, 1)
        self.audit_count = QLabel(_("Kies hoe u zoekt en klik op Zoeken. U ziet wie iets bekeek of wijzigde, "
                                    "en welke velden. Nooit wat erin stond."))
        self.audit_count.setWordWrap(True)
        lay.addWidget(self.audit_count)
        return tab

    @staticmethod
    def _row(*pairs: tuple[str, QWidget]) -> QWidget:
        w = QWidget()
        lay = QHBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        for label, field in pairs:
            lay.addWidget(QLabel(label))
            lay.addWidget(field)
        lay.addStretch(1)
        return w

    def _period(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        if not self.use_period.isChecked():
            return None, None
        start = dt.datetime.combine(self.since_edit.date().toPython(), dt.time(), self.tz)
        end = dt.datetime.combine(self.until_edit.date().toPython() + dt.timedelta(days=1), dt.time(), self.tz)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    @staticmethod
    def _resident_args(email: QLineEdit, phone: QLineEdit, name: QLineEdit, postcode: QLineEdit) -> dict[str, str]:
        values = {"email": email.text().strip(), "phone": phone.text().strip(), "name": name.text().strip(),
                  "postcode": postcode.text().strip()}
        return {k: v for k, v in values.items() if v}

    def search_audit(self) -> None:
        mode = self.mode.currentData()
        since, until = self._period()
        privacy = self.client.privacy
        if mode == "user":
            person = self.person.currentData()
            if person is None:
                self._failed_text(_("Kies een medewerker."))
                return
            work = lambda: privacy.audit_by_user(person, since=since, until=until)  # noqa: E731
        elif mode == "record":
            rtype, rid = self.record_type.currentData(), self.record_id.value()
            work = lambda: privacy.audit_by_record(rtype, rid)  # noqa: E731
        else:
            query = self._resident_args(self.log_email, self.log_phone, self.log_name, self.log_postcode)
            work = lambda: privacy.audit_by_resident(**query)  # noqa: E731

        def within(entries: tuple[Any, ...]) -> tuple[Any, ...]:
            if since is None or mode == "user":
                return entries
            return tuple(e for e in entries if since <= e.at < until)

        self.search_button.setEnabled(False)
        run_task(lambda: within(tuple(work())), self._show_entries, self._search_failed)

    def _search_failed(self, err: BaseException) -> None:
        self.search_button.setEnabled(True)
        self._failed(err)

    def _failed_text(self, text: str) -> None:
        show_notice(self.notice, text, error=True)
        self.error_shown.emit(text)

    def _show_entries(self, entries: tuple[Any, ...]) -> None:
        self.search_button.setEnabled(True)
        self.notice.hide()
        self.entries = entries
        rows = []
        for e in reversed(entries):  # newest first
            rows.append((e.at.astimezone(self.tz).strftime("%d-%m-%Y %H:%M:%S"), e.user_name or "-",
                         e.workstation or "-", ACTION_NAMES.get(e.action, e.action),
                         record_text(e.record_type, e.record_id), fields_text(e.fields)))
        _fill(self.audit_table, rows)
        for r, row in enumerate(rows):
            self.audit_table.item(r, 5).setToolTip(row[5])
        self.audit_count.setText(_("{n} regels gevonden.").format(n=len(entries)) if entries
                                 else _("Niets gevonden."))
        self.audit_shown.emit(len(entries))

    def ask_export_csv(self) -> None:
        path = self.ask_save_path(_("Logboek opslaan als CSV"), "logboek.csv", _("CSV-bestand (*.csv)"))
        if path:
            self.export_csv(Path(path))

    def export_csv(self, path: Path) -> None:
        """The log as the current search selects it, through ``export_audit`` (on record), into ``path``."""
        mode = self.mode.currentData()
        since, until = self._period()
        privacy = self.client.privacy
        if mode == "user":
            person = self.person.currentData()
            work = lambda: privacy.export_audit(person_id=person, since=since, until=until)  # noqa: E731
        elif mode == "record":
            rtype, rid = self.record_type.currentData(), self.record_id.value()
            work = lambda: privacy.export_audit(record_type=rtype, record_id=rid, since=since,  # noqa: E731
                                                until=until)
        else:
            records = sorted({(e.record_type, e.record_id) for e in self.entries if e.record_id is not None})
            if not records:
                self._failed_text(_("Zoek eerst een inwoner. Daarna kunt u exporteren."))
                return

            def work() -> str:
                parts = [privacy.export_audit(record_type=t, record_id=i, since=since, until=until)
                         for t, i in records]
                header, *_rest = parts[0].split("\r\n", 1)
                body = "".join(p.split("\r\n", 1)[1] for p in parts)
                return header + "\r\n" + body

        def write(text: str) -> None:
            path.write_text(text, encoding="utf-8-sig")
            self._ok(_("Het logboek staat in {path}.").format(path=path))
            self.saved.emit(str(path))

        run_task(work, write, self._failed)

    # -- Inzage en wissen ------------------------------------------------------
    def _resident_tab(self) -> QWidget:
        tab = QWidget()
        lay = QVBoxLayout(tab)
        intro = QLabel(_("Zoek een inwoner op e-mail, op telefoonnummer, of op naam met postcode. "
                         "U ziet alles wat we over die persoon bewaren."))
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QGridLayout()
        self.res_email, self.res_phone, self.res_name, self.res_postcode = (QLineEdit() for _i in range(4))
        for i, (label, field) in enumerate(((_("E-mail"), self.res_email), (_("Telefoon"), self.res_phone),
                                            (_("Naam"), self.res_name), (_("Postcode"), self.res_postcode))):
            form.addWidget(QLabel(label), i // 2, (i % 2) * 2)
            form.addWidget(field, i // 2, (i % 2) * 2 + 1)
        lay.addLayout(form)
        buttons = QHBoxLayout()
        self.find_button = QPushButton(_("Zoeken"))
        self.find_button.clicked.connect(self.find_resident)
        self.pdf_button = QPushButton(_("Brief als PDF"))
        self.pdf_button.clicked.connect(self.ask_letter_pdf)
        self.json_button = QPushButton(_("Als JSON"))
        self.json_button.clicked.connect(self.ask_json)
        self.erase_button = QPushButton(_("Wissen…"))
        self.erase_button.clicked.connect(self.ask_erase)
        buttons.addWidget(self.find_button)
        buttons.addStretch(1)
        for b in (self.pdf_button, self.json_button, self.erase_button):
            b.setEnabled(False)
            buttons.addWidget(b)
        lay.addLayout(buttons)
        self.resident_summary = QLabel("")
        self.resident_summary.setWordWrap(True)
        lay.addWidget(self.resident_summary)
        self.resident_table = _table(RESIDENT_COLUMNS)
        lay.addWidget(self.resident_table, 1)
        self.erase_result = QLabel("")
        self.erase_result.setWordWrap(True)
        self.erase_result.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.erase_result)
        return tab

    def find_resident(self) -> None:
        query = self._resident_args(self.res_email, self.res_phone, self.res_name, self.res_postcode)
        self.find_button.setEnabled(False)
        run_task(lambda: (query, self.client.privacy.find_resident(**query)), self._show_resident,
                 self._find_failed)

    def _find_failed(self, err: BaseException) -> None:
        self.find_button.setEnabled(True)
        self._failed(err)

    def _show_resident(self, result: tuple[dict[str, str], Any], *, after_erasure: bool = False) -> None:
        self.find_button.setEnabled(True)
        if not after_erasure:
            self.notice.hide()
            self.erase_result.setText("")
        self.resident_query, data = result
        self.resident = data
        rows: list[tuple[str, ...]] = []
        for m in data.meldingen:
            rows.append((KIND_NAMES["melding"], m.number, m.state, m.reporter_name or "-", m.reporter_phone or "-",
                         m.reporter_email or "-", "; ".join(p for p in (m.address, m.description) if p)))
        for a in data.appointments:
            when = a.start.astimezone(self.tz).strftime("%d-%m-%Y %H:%M")
            rows.append((KIND_NAMES["appointment"], a.code, a.state, a.name or "-", a.phone or "-", a.email or "-",
                         "; ".join(p for p in (a.service_name, when, a.remarks or "") if p)))
        for n in data.callbacks:
            rows.append((KIND_NAMES["callback"], n.created_at.astimezone(self.tz).strftime("%d-%m-%Y"),
                         _("gebeld") if n.done_at else _("open"), n.caller_name or "-", n.phone or "-", "-",
                         "; ".join(p for p in (n.question, n.outcome or "") if p)))
        for c in data.complaints:
            rows.append((KIND_NAMES["complaint"], c.number, c.state, c.name or "-", c.phone or "-", c.email or "-",
                         "; ".join(p for p in (c.subject, c.description, c.outcome or "") if p)))
        _fill(self.resident_table, rows)
        if data.empty:
            self.resident_summary.setText(_("We bewaren niets over deze inwoner."))
        else:
            self.resident_summary.setText(_("Gevonden: {found}.").format(found=", ".join((
                count_text(len(data.meldingen), _("melding"), _("meldingen")),
                count_text(len(data.appointments), _("afspraak"), _("afspraken")),
                count_text(len(data.callbacks), _("terugbelverzoek"), _("terugbelverzoeken")),
                count_text(len(data.complaints), _("klacht"), _("klachten"))))))
        self.pdf_button.setEnabled(True)
        self.json_button.setEnabled(True)
        self.erase_button.setEnabled(not data.empty)
        self.resident_shown.emit()

    def letter_pdf(self) -> bytes:
        from baliedesk.printing.inzage import inzage_letter

        return inzage_letter(self.resident, municipality=self.municipality_name)

    def ask_letter_pdf(self) -> None:
        if self.resident is None:
            return
        from baliedesk.ui.common.printbar import save_pdf_dialog

        path = save_pdf_dialog(self, self.letter_pdf(), "inzage.pdf")
        if path is not None:
            self._ok(_("De brief staat in {path}.").format(path=path))
            self.saved.emit(str(path))

    def resident_json(self) -> str:
        return self.client.privacy.resident_json(self.resident)

    def ask_json(self) -> None:
        if self.resident is None:
            return
        path = self.ask_save_path(_("Opslaan als JSON"), "inzage.json", _("JSON-bestand (*.json)"))
        if path:
            Path(path).write_text(self.resident_json(), encoding="utf-8")
            self._ok(_("De gegevens staan in {path}.").format(path=path))
            self.saved.emit(str(path))

    def ask_erase(self) -> None:
        if self.resident is None:
            return
        reason = self.ask_erasure()
        if reason:
            self.erase(reason)

    def erase(self, reason: str) -> None:
        query = dict(self.resident_query)
        self.erase_button.setEnabled(False)
        run_task(lambda: self.client.privacy.erase_resident(reason=reason, **query), self._erased,
                 self._erase_failed)

    def _erase_failed(self, err: BaseException) -> None:
        self.erase_button.setEnabled(True)
        self._failed(err)

    def _erased(self, result: Any) -> None:
        lines = [_("Gewist: {n}.").format(n=count_text(len(result.erased), _("dossier"), _("dossiers")))]
        if result.kept:
            lines.append(_("Nog bewaard, omdat er een wettelijke termijn loopt:"))
            for kind, rid, why in result.kept:
                lines.append("• " + _("{kind} {id}: {why}").format(kind=KIND_NAMES.get(kind, kind), id=rid,
                                                                   why=_(LEGAL_HOLD.get(why, why))))
        self.erase_result.setText("\n".join(lines))
        self._ok(_("De gegevens zijn gewist. De reden staat in het logboek."))
        self.erased.emit(result)
        query = dict(self.resident_query)  # show what is still stored now
        run_task(lambda: (query, self.client.privacy.find_resident(**query)),
                 lambda found: self._show_resident(found, after_erasure=True), self._failed)

    # -- Bewaartermijnen (beheerder) -------------------------------------------
    def _retention_tab(self) -> QWidget:
        tab = QWidget()
        lay = QVBoxLayout(tab)
        intro = QLabel(_("Hoe lang we persoonsgegevens bewaren, per soort. Daarna maken we ze anoniem of "
                         "vernietigen we ze. Dat gebeurt elke dag vanzelf."))
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.terms_grid = QGridLayout()
        for c, head in enumerate((_("Soort"), _("Maanden"), _("Aan"), _("Standaard"), "")):
            label = QLabel(head)
            label.setFont(theme.font(bold=True))
            self.terms_grid.addWidget(label, 0, c)
        self.terms_grid.setColumnStretch(5, 1)
        lay.addLayout(self.terms_grid)
        self.term_rows: dict[str, tuple[QSpinBox, QCheckBox, QPushButton]] = {}
        run_row = QHBoxLayout()
        self.run_button = QPushButton(_("Nu uitvoeren"))
        self.run_button.clicked.connect(self.ask_run_retention)
        run_row.addWidget(self.run_button)
        run_row.addStretch(1)
        lay.addLayout(run_row)
        self.run_result = QLabel("")
        self.run_result.setWordWrap(True)
        lay.addWidget(self.run_result)
        lay.addStretch(1)
        return tab

    def refresh_terms(self) -> None:
        run_task(lambda: tuple(self.client.privacy.retention_terms()), self._show_terms, self._failed)

    def _show_terms(self, terms: tuple[Any, ...]) -> None:
        self.terms = terms
        from baliedesk.domain.retention import MAX_MONTHS

        for r, t in enumerate(terms, start=1):
            if t.kind not in self.term_rows:
                months, on, save = QSpinBox(), QCheckBox(_("aan")), QPushButton(_("Opslaan"))
                months.setRange(1, MAX_MONTHS)
                months.setSuffix(_(" mnd"))
                save.clicked.connect(lambda _c=False, k=t.kind: self.save_term(k))
                self.term_rows[t.kind] = (months, on, save)
                self.terms_grid.addWidget(QLabel(RETENTION_NAMES.get(t.kind, t.kind)), r, 0)
                self.terms_grid.addWidget(months, r, 1)
                self.terms_grid.addWidget(on, r, 2)
                self.terms_grid.addWidget(QLabel(_("{n} maanden").format(n=t.default_months)), r, 3)
                self.terms_grid.addWidget(save, r, 4)
            months, on, _save = self.term_rows[t.kind]
            months.setValue(t.months)
            on.setChecked(t.enabled)
        self.terms_shown.emit()

    def save_term(self, kind: str) -> None:
        months, on, _save = self.term_rows[kind]
        m, enabled = months.value(), on.isChecked()

        def saved(_info: Any) -> None:
            self._ok(_("Opgeslagen: {kind}.").format(kind=RETENTION_NAMES.get(kind, kind)))
            self.refresh_terms()

        run_task(lambda: self.client.privacy.set_retention_term(kind, months=m, enabled=enabled), saved,
                 self._failed)

    @staticmethod
    def counts_text(run: Any) -> str:
        lines = [f"{RETENTION_NAMES.get(c.kind, c.kind)}: {c.due if c.enabled else _('uit')}" for c in run.counts]
        return "\n".join(lines)

    def ask_run_retention(self) -> None:
        """A dry run first (what is due), then a confirmation, then the run."""
        self.run_button.setEnabled(False)
        run_task(lambda: self.client.retention.retention_due(), self._confirm_run, self._run_failed)

    def _confirm_run(self, due: Any) -> None:
        if due.total == 0:
            self.run_button.setEnabled(True)
            self.run_result.setText(_("Er is nu niets aan de beurt."))
            self.retention_done.emit(due)
            return
        question = _("Dit gaat nu weg ({n} in totaal):").format(n=due.total) + "\n\n" + self.counts_text(due) \
            + "\n\n" + _("Dit kan niet ongedaan worden gemaakt. Doorgaan?")
        if not self.confirm(_("Bewaartermijnen uitvoeren"), question):
            self.run_button.setEnabled(True)
            return
        run_task(lambda: self.client.retention.run_retention(), self._ran, self._run_failed)

    def _run_failed(self, err: BaseException) -> None:
        self.run_button.setEnabled(True)
        self._failed(err)

    def _ran(self, run: Any) -> None:
        self.run_button.setEnabled(True)
        self.run_result.setText(_("Klaar. Gedaan ({n} in totaal):").format(n=run.total) + "\n"
                                + self.counts_text(run))
        self._ok(_("De bewaartermijnen zijn uitgevoerd. Dit staat in het logboek."))
        self.retention_done.emit(run)

    # -- questions (tests replace these) --------------------------------------
    def _confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _ask_erasure(self) -> str | None:
        dialog = EraseDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.reason_text() or None

    def _ask_save_path(self, title: str, suggested: str, file_filter: str) -> str:
        name, _filter = QFileDialog.getSaveFileName(self, title, suggested, file_filter)
        return name

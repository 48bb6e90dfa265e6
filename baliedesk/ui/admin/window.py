"""The admin window: opening hours, exceptions, four weeks ahead, choices, appointments, meldingen
categories, and setting up the municipality, its services, counters, people and devices.

The tabs:

* **Openingstijden**: per weekday the periods as text ("9:00-12:30,
  13:30-16:30"; empty is closed), for the whole location or, narrower, for
  one service. Every edit is checked as you type; an overlapping or inside-out
  period cannot be saved, the sentence says what is wrong and which day, and
  what was typed stays (also when switching between the location and a
  service: each keeps its own draft until saved).
* **Uitzonderingen**: dated closures and other hours (the Friday after
  Ascension one click away).
* **Kalender**: the coming four weeks, day by day.
* **Keuzes**: Goede Vrijdag, Bevrijdingsdag, the kiosk's stop time, the
  appointments switch and the check-in rules.
* **Afspraken**: per service whether it takes appointments, their length, how
  many at once and the "neem mee" list; blocks without appointments (lunch,
  meeting) for the location, a service or one counter
  (:mod:`baliedesk.ui.admin.appointments`).
* **Meldingen: categorieën**, and the set-up tabs **Gemeente en locaties**,
  **Diensten**, **Balies**, **Mensen** and **Apparaten** (beheerder only)
  (:mod:`~baliedesk.ui.admin.locations`, :mod:`~baliedesk.ui.admin.services_tab`,
  :mod:`~baliedesk.ui.admin.people`).

The window reaches the services only through its client (:mod:`baliedesk.client`),
signed in as the team lead; the client's clock is the window's "today". All
database work runs through :func:`baliedesk.ui.common.tasks.run_task`; errors are
worded by :mod:`baliedesk.ui.common.messages`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from baliedesk import hourstext
from baliedesk.domain.calendar import (
    EXCEPTION_NOTE_MAX_LENGTH,
    OPTION_LIMITS,
    friday_after_ascension,
    parse_periods,
    periods_input_text,
)
from baliedesk.domain.errors import DomainError
from baliedesk.i18n import _
from baliedesk.services.schedule_dto import CalendarDay, ScheduleConfig
from baliedesk.ui.common import theme
from baliedesk.ui.admin.appointments import AppointmentSettingsPanel
from baliedesk.ui.admin.locations import LocationsTab
from baliedesk.ui.admin.people import DevicesTab, PeopleTab
from baliedesk.ui.admin.services_tab import CountersTab, ServicesTab
from baliedesk.ui.meldingen.window import CategoriesPanel
from baliedesk.ui.common.notices import notice_label, show_notice
from baliedesk.ui.common.messages import message_for
from baliedesk.ui.common.tasks import run_task

WEEKDAY_NAMES = ("Maandag", "Dinsdag", "Woensdag", "Donderdag", "Vrijdag", "Zaterdag", "Zondag")
SHORT_WEEKDAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
LIBERATION_CHOICES = (("lustrum", "Eens in de vijf jaar (2025, 2030, ...)"), ("every_year", "Elk jaar"),
                      ("never", "Nooit"))
LOCATION = 0  # the "voor" choice meaning the whole location
WEEKS_SHOWN = 4


_TYPED_DATE = re.compile(r"^\s*(\d{1,2})\s*[-/. ]\s*(\d{1,2})\s*[-/. ]\s*(\d{4})\s*$")


def parse_typed_date(text: str) -> dt.date | None:
    """``"24-12-2026"``, ``"24/12/2026"``, ``"24.12.2026"`` or ``"24 12 2026"`` (day first, as written in
    the Netherlands) -> the date; None when it is no real date."""
    m = _TYPED_DATE.match(text)
    if m is None:
        return None
    try:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


class DateField(QLineEdit):
    """A date to type (dd-mm-jjjj): what the clerk types is what is used. ``date()`` gives an
    invalid QDate while the text is no date, so the form says so instead of using another day."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(_("dd-mm-jjjj, bijvoorbeeld 24-12-2026"))
        self.setMaxLength(12)

    def setDate(self, day: QDate) -> None:  # noqa: N802 - the QDateEdit name
        self.setText(day.toString("dd-MM-yyyy"))
        _mark(self, False)

    def date(self) -> QDate:
        day = parse_typed_date(self.text())
        return QDate(day.year, day.month, day.day) if day else QDate()


def _mark(edit: QLineEdit, bad: bool) -> None:
    edit.setProperty("invalid", bad)
    edit.setStyleSheet(f"border: 2px solid {theme.ERROR};" if bad else "")


class AdminWindow(QWidget):
    """Opening hours for one location, for a team lead.

    ``client`` is the door to the services, signed in as the team lead (the
    services check the CONFIGURE permission); its clock is the window's "today".
    """

    loaded = Signal()  # configuration and calendar on screen
    saved = Signal(str)  # "hours", "exception", "options" after a successful save
    error_shown = Signal(str)
    organisation_loaded = Signal()  # the set-up tabs filled

    def __init__(self, client: Any, location_id: int, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client, self.location_id = client, location_id
        self.config: ScheduleConfig | None = None
        self.services: dict[int, Any] = {}
        self._drafts: dict[int, list[str]] = {}  # target (0 = location, else service id) -> 7 texts typed
        self._target = LOCATION
        self._busy = False
        self._hours_confirmation = ""  # "Opgeslagen. ..." after a save, until the clerk types on
        self._closed = False
        self.role = ""
        self.tz = ZoneInfo("Europe/Amsterdam")  # until the location is read
        today = self._today()
        self.calendar_start = today - dt.timedelta(days=today.weekday())
        self.setWindowTitle(_("BalieDesk – beheer"))
        self.setObjectName("admin")
        self._build()
        self.reload()
        self.reload_organisation()

    # -- building --------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        title = QLabel(_("Beheer"))
        title.setFont(theme.font(theme.SIZE_TITLE, bold=True))
        title_row = QHBoxLayout()
        title_row.addWidget(title, 1)
        root.addLayout(title_row)
        self.message = notice_label()
        root.addWidget(self.message)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._hours_tab(), _("Openingstijden"))
        self.tabs.addTab(self._exceptions_tab(), _("Uitzonderingen"))
        self.tabs.addTab(self._calendar_tab(), _("Kalender"))
        self.tabs.addTab(self._options_tab(), _("Keuzes"))
        self.appointment_panel = AppointmentSettingsPanel(self.client, self.location_id,
                                                          reload=self.reload, is_closed=lambda: self._closed)
        self.appointment_panel.saved.connect(self.saved)
        self.appointment_panel.error_shown.connect(self.error_shown)
        self.tabs.addTab(self.appointment_panel, _("Afspraken"))
        # The meldingen categories with their team and handling term (also in the meldingen window).
        self.categories_panel = CategoriesPanel(self.client, self.location_id)
        self.categories_panel.error_shown.connect(self.error_shown)
        self.tabs.addTab(self.categories_panel, _("Meldingen: categorieën"))
        # The municipality, its locations, services, counters, people and devices (ui/admin/locations.py,
        # services_tab.py, people.py); a tab the role may not use is hidden (the services refuse anyway).
        notify = lambda text, error: show_notice(self.message, text, error=error)  # noqa: E731
        args = (self.client, notify, self.reload_organisation, lambda: self._closed)
        self.org_tabs = {"locations": LocationsTab(*args), "services": ServicesTab(*args),
                         "counters": CountersTab(*args), "people": PeopleTab(*args), "devices": DevicesTab(*args)}
        for key, title in (("locations", "Gemeente en locaties"), ("services", "Diensten"), ("counters", "Balies"),
                           ("people", "Mensen"), ("devices", "Apparaten")):
            self.org_tabs[key].saved.connect(self.saved)
            self.org_tabs[key].error_shown.connect(self.error_shown)
            self.tabs.addTab(self.org_tabs[key], _(title))
        root.addWidget(self.tabs, 1)
        # This computer's printer and paper (ui/workstation.py), not the location's settings.
        # Made after the tabs, so the window still opens with the focus in the first tab.
        self.workstation_button = QPushButton(_("Instellingen van deze computer"))
        self.workstation_button.setObjectName("workstationSettingsButton")
        self.workstation_button.clicked.connect(lambda: self.open_workstation_settings())
        self.workstation_window: QWidget | None = None
        title_row.addWidget(self.workstation_button, 0, Qt.AlignmentFlag.AlignTop)

    def open_workstation_settings(self, settings: Any = None) -> QWidget:
        """"Instellingen van deze computer": ``settings`` default this PC's settings file."""
        from baliedesk.settings import Settings
        from baliedesk.ui.common.workstation import show_workstation_window

        return show_workstation_window(self, settings if settings is not None else Settings())

    def _hours_tab(self) -> QWidget:
        tab = QWidget()
        lay = QVBoxLayout(tab)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Voor:")))
        self.target = QComboBox()
        self.target.addItem(_("De hele locatie"), LOCATION)
        self.target.currentIndexChanged.connect(self._on_target_changed)
        top.addWidget(self.target, 1)
        lay.addLayout(top)
        hint = QLabel(_("Schrijf per dag de tijden, bijvoorbeeld 9:00-12:30, 13:30-16:30. Leeg is gesloten. "
                        "Een dienst kan korter open zijn dan de locatie, nooit langer."))
        hint.setWordWrap(True)
        lay.addWidget(hint)
        grid = QGridLayout()
        self.day_edits: list[QLineEdit] = []
        for wd, name in enumerate(WEEKDAY_NAMES):
            label = QLabel(_(name))
            edit = QLineEdit()
            edit.setObjectName(f"hours_{wd}")
            edit.setPlaceholderText(_("gesloten"))
            edit.textEdited.connect(lambda _text, wd=wd: self._on_day_edited(wd))
            label.setBuddy(edit)
            grid.addWidget(label, wd, 0)
            grid.addWidget(edit, wd, 1)
            self.day_edits.append(edit)
        lay.addLayout(grid)
        self.hours_message = notice_label()
        lay.addWidget(self.hours_message)
        buttons = QHBoxLayout()
        self.follow_location = QPushButton(_("Zelfde tijden als de locatie"))
        self.follow_location.clicked.connect(self._clear_service_hours)
        buttons.addWidget(self.follow_location)
        buttons.addStretch(1)
        self.save_hours_button = QPushButton(_("Openingstijden opslaan"))
        self.save_hours_button.setProperty("role", "primary")
        self.save_hours_button.clicked.connect(self.save_hours)
        buttons.addWidget(self.save_hours_button)
        lay.addLayout(buttons)
        lay.addStretch(1)
        return tab

    def _exceptions_tab(self) -> QWidget:
        tab = QWidget()
        lay = QVBoxLayout(tab)
        self.exception_table = QTableWidget(0, 4)
        self.exception_table.setHorizontalHeaderLabels([_("Datum"), _("Voor"), _("Tijden"), _("Notitie")])
        self.exception_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.exception_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.exception_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.exception_table.itemSelectionChanged.connect(self._on_exception_selected)
        lay.addWidget(self.exception_table, 1)
        form = QFormLayout()
        self.exception_date = DateField()
        self.exception_date.setObjectName("exception_date")
        today = self._today()
        self.exception_date.setDate(QDate(today.year, today.month, today.day))
        form.addRow(_("Datum"), self.exception_date)
        self.exception_target = QComboBox()
        self.exception_target.addItem(_("De hele locatie"), LOCATION)
        form.addRow(_("Voor"), self.exception_target)
        self.exception_hours = QLineEdit()
        self.exception_hours.setPlaceholderText(_("leeg: de hele dag gesloten"))
        form.addRow(_("Tijden"), self.exception_hours)
        self.exception_note = QLineEdit()
        self.exception_note.setMaxLength(EXCEPTION_NOTE_MAX_LENGTH)
        self.exception_note.setPlaceholderText(_("bijvoorbeeld: Personeelsdag"))
        form.addRow(_("Notitie"), self.exception_note)
        lay.addLayout(form)
        self.exception_message = notice_label()
        lay.addWidget(self.exception_message)
        buttons = QHBoxLayout()
        bridge = QPushButton(_("Vrijdag na Hemelvaart gesloten"))
        bridge.clicked.connect(self.fill_bridge_day)
        buttons.addWidget(bridge)
        buttons.addStretch(1)
        self.remove_exception_button = QPushButton(_("Uitzondering weghalen"))
        self.remove_exception_button.clicked.connect(self.remove_exception)
        buttons.addWidget(self.remove_exception_button)
        self.save_exception_button = QPushButton(_("Uitzondering opslaan"))
        self.save_exception_button.setProperty("role", "primary")
        self.save_exception_button.clicked.connect(self.save_exception)
        buttons.addWidget(self.save_exception_button)
        lay.addLayout(buttons)
        return tab

    def _calendar_tab(self) -> QWidget:
        tab = QWidget()
        lay = QVBoxLayout(tab)
        nav = QHBoxLayout()
        earlier = QPushButton(_("Eerder"))
        earlier.clicked.connect(lambda: self.move_calendar(-WEEKS_SHOWN))
        later = QPushButton(_("Later"))
        later.clicked.connect(lambda: self.move_calendar(WEEKS_SHOWN))
        self.calendar_title = QLabel("")
        self.calendar_title.setFont(theme.font(theme.SIZE_LARGE, bold=True))
        nav.addWidget(earlier)
        nav.addWidget(self.calendar_title, 1, Qt.AlignmentFlag.AlignCenter)
        nav.addWidget(later)
        lay.addLayout(nav)
        self.calendar = QTableWidget(WEEKS_SHOWN, 7)
        self.calendar.setHorizontalHeaderLabels([_(n) for n in WEEKDAY_NAMES])
        self.calendar.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.calendar.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.calendar.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.calendar.setWordWrap(True)
        lay.addWidget(self.calendar, 1)
        legend = QLabel(_("Wit: gewone tijden. Blauw: andere tijden. Geel: feestdag. Grijs: gesloten."))
        legend.setWordWrap(True)
        lay.addWidget(legend)
        return tab

    def _options_tab(self) -> QWidget:
        tab = QWidget()
        form = QFormLayout(tab)
        self.good_friday = QCheckBox(_("Gesloten op Goede Vrijdag"))
        form.addRow(self.good_friday)
        self.liberation = QComboBox()
        for value, label in LIBERATION_CHOICES:
            self.liberation.addItem(_(label), value)
        form.addRow(_("Gesloten op Bevrijdingsdag (5 mei)"), self.liberation)
        self.kiosk_stop = QSpinBox()
        self.kiosk_stop.setRange(0, OPTION_LIMITS["kiosk_stop_minutes"])
        self.kiosk_stop.setSuffix(_(" minuten"))
        form.addRow(_("Kiosk stopt voor sluitingstijd"), self.kiosk_stop)
        self.appointments_on = QCheckBox(_("Deze locatie werkt met afspraken"))
        form.addRow(self.appointments_on)
        self.checkin_early = QSpinBox()
        self.checkin_early.setRange(0, OPTION_LIMITS["checkin_early_minutes"])
        self.checkin_early.setSuffix(_(" minuten"))
        form.addRow(_("Aanmelden kan vanaf ... voor de afspraak"), self.checkin_early)
        self.checkin_late = QSpinBox()
        self.checkin_late.setRange(0, OPTION_LIMITS["checkin_late_minutes"])
        self.checkin_late.setSuffix(_(" minuten"))
        form.addRow(_("Aanmelden kan tot ... na de begintijd"), self.checkin_late)
        self.options_message = notice_label()
        form.addRow(self.options_message)
        self.save_options_button = QPushButton(_("Keuzes opslaan"))
        self.save_options_button.setProperty("role", "primary")
        self.save_options_button.clicked.connect(self.save_options)
        form.addRow(self.save_options_button)
        return tab

    # -- helpers ---------------------------------------------------------
    def _today(self) -> dt.date:
        return self.client.now().astimezone(self.tz).date()

    def _run(self, work: Callable[[], Any], on_done: Callable[[Any], None], where: QLabel) -> None:
        def done(result: Any) -> None:
            if not self._closed:
                on_done(result)

        def failed(err: BaseException) -> None:
            if not self._closed:
                self._show_error(where, err)

        run_task(work, done, failed)

    def _show_error(self, where: QLabel, err: BaseException) -> None:
        text = message_for(err)
        show_notice(where, text, error=True)
        self.error_shown.emit(text)

    # -- loading ---------------------------------------------------------
    def reload(self) -> None:
        client, loc, start = self.client, self.location_id, self.calendar_start

        def work() -> tuple[ScheduleConfig, tuple[CalendarDay, ...], tuple[Any, ...], str]:
            zone = next((x.timezone for x in client.setup.list_locations() if x.id == loc), "Europe/Amsterdam")
            return (client.schedules.schedule_config(loc),
                    client.schedules.calendar_view(loc, start, WEEKS_SHOWN * 7),
                    client.setup.list_services(loc), zone)

        self._run(work, self._on_loaded, self.message)

    def reload_organisation(self) -> None:
        """Read the municipality, locations, services and counters again (the set-up tabs), and who I am."""
        client = self.client

        def work() -> tuple[Any, str]:
            me = next((u.role for u in client.setup.sign_in_choices() if u.id == client.user_id), "")
            return client.organisation.organisation_view(), me

        def done(result: tuple[Any, str]) -> None:
            view, role = result
            self.role = role
            self.org_tabs["people"].set_my_role(role)
            for key, tab in self.org_tabs.items():
                allowed = key != "devices" or role == "beheerder"  # enrolling devices: the beheerder only
                self.tabs.setTabVisible(self.tabs.indexOf(tab), allowed)
                if allowed:
                    tab.show_view(view)
            self.organisation_loaded.emit()

        self._run(work, done, self.message)

    def _on_loaded(self, result: tuple[ScheduleConfig, tuple[CalendarDay, ...], tuple[Any, ...], str]) -> None:
        config, days, services, zone = result
        self.tz = ZoneInfo(zone)
        self.config = config
        self.services = {s.id: s for s in services}
        for combo in (self.target, self.exception_target):
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(_("De hele locatie"), LOCATION)
            for s in services:
                combo.addItem(_("{prefix} – {name}").format(prefix=s.prefix, name=s.name), s.id)
            index = combo.findData(keep)
            combo.setCurrentIndex(index if index >= 0 else 0)
            combo.blockSignals(False)
        self._show_target()
        self._fill_exceptions()
        self._fill_calendar(days)
        self._fill_options()
        self.appointment_panel.show_config(config, services, self._today())
        self.message.hide()
        self.loaded.emit()

    def _saved_texts(self, target: int) -> list[str]:
        assert self.config is not None
        hours = self.config.location_hours if target == LOCATION else self.config.service_hours.get(target, {})
        return [periods_input_text(hours.get(wd, ())) for wd in range(7)]

    def _show_target(self) -> None:
        target = self.target.currentData() or LOCATION
        self._target = target
        texts = self._drafts.get(target) or (self._saved_texts(target) if self.config else [""] * 7)
        for edit, text in zip(self.day_edits, texts):
            edit.setText(text)
            _mark(edit, False)
        self.follow_location.setVisible(target != LOCATION)
        self.check_hours()

    def _on_target_changed(self) -> None:
        self._hours_confirmation = ""
        self._drafts[self._target] = [e.text() for e in self.day_edits]  # keep what was typed
        self._show_target()

    def _on_day_edited(self, _weekday: int) -> None:
        self._hours_confirmation = ""
        self._drafts[self._target] = [e.text() for e in self.day_edits]
        self.check_hours()

    # -- weekly hours ----------------------------------------------------
    def check_hours(self) -> dict[int, tuple] | None:
        """Check every day as typed; marks the wrong day and says why. Returns the pattern when all is well."""
        pattern: dict[int, tuple] = {}
        problem: DomainError | None = None
        for wd, edit in enumerate(self.day_edits):
            try:
                periods = parse_periods(edit.text(), weekday=wd)
            except DomainError as err:
                _mark(edit, True)
                problem = problem or err
                continue
            _mark(edit, False)
            if periods:
                pattern[wd] = tuple((p.start, p.end) for p in periods)
        if problem is not None:
            show_notice(self.hours_message, message_for(problem), error=True)
            self.save_hours_button.setEnabled(False)
            return None
        if self._hours_confirmation:  # the save just made stays confirmed until the clerk types on
            show_notice(self.hours_message, self._hours_confirmation, error=False)
        else:
            self.hours_message.hide()
        self.save_hours_button.setEnabled(not self._busy)
        return pattern

    def save_hours(self) -> None:
        pattern = self.check_hours()
        if pattern is None or self._busy:
            return
        target = self._target
        client, loc = self.client, self.location_id
        service_id = None if target == LOCATION else target
        self._busy = True
        self.save_hours_button.setEnabled(False)

        def done(_result: Any) -> None:
            self._busy = False
            self._drafts.pop(target, None)
            self._hours_confirmation = (
                _("Opgeslagen. De openingstijden van de hele locatie zijn aangepast.") if service_id is None else
                _("Opgeslagen. De openingstijden van {service} zijn aangepast.").format(
                    service=self._target_name(service_id)))
            show_notice(self.hours_message, self._hours_confirmation, error=False)
            self.saved.emit("hours")
            self.reload()

        def failed(err: BaseException) -> None:
            self._busy = False
            self.save_hours_button.setEnabled(True)
            self._show_error(self.hours_message, err)  # what was typed stays in the fields

        run_task(lambda: client.schedules.set_opening_hours(loc, pattern, service_id=service_id),
                 lambda r: None if self._closed else done(r), lambda e: None if self._closed else failed(e))

    def _clear_service_hours(self) -> None:
        for edit in self.day_edits:
            edit.setText("")
        self._drafts[self._target] = [""] * 7
        self.check_hours()

    # -- exceptions ------------------------------------------------------
    def _target_name(self, service_id: int | None) -> str:
        if service_id is None:
            return _("De hele locatie")
        s = self.services.get(service_id)
        return s.name if s else "?"

    def _fill_exceptions(self) -> None:
        assert self.config is not None
        today = self._today()
        rows = [e for e in self.config.exceptions if e.day >= today - dt.timedelta(days=31)]
        self.exception_table.setRowCount(len(rows))
        self._exception_rows = rows
        for r, e in enumerate(rows):
            values = [hourstext.date_text(e.day) + f" {e.day.year}", self._target_name(e.service_id),
                      _("gesloten") if e.closed else hourstext.periods_text(e.periods), e.note]
            for c, value in enumerate(values):
                self.exception_table.setItem(r, c, QTableWidgetItem(value))

    def _on_exception_selected(self) -> None:
        rows = {i.row() for i in self.exception_table.selectedIndexes()}
        if len(rows) != 1:
            return
        e = self._exception_rows[rows.pop()]
        self.exception_date.setDate(QDate(e.day.year, e.day.month, e.day.day))
        self.exception_target.setCurrentIndex(max(0, self.exception_target.findData(e.service_id or LOCATION)))
        self.exception_hours.setText(periods_input_text(e.periods))
        self.exception_note.setText(e.note)

    def _exception_form(self) -> tuple[dt.date, int | None] | None:
        """The day and the service as typed; None (and a message beside the date) when the date is no date."""
        q = self.exception_date.date()
        if not q.isValid():
            _mark(self.exception_date, True)
            show_notice(self.exception_message, _("Niet opgeslagen. {text} is geen datum. Schrijf de datum zo: "
                                                  "24-12-2026.").format(text=self.exception_date.text().strip()
                                                                        or _("Een lege datum")), error=True)
            self.exception_date.setFocus()
            return None
        _mark(self.exception_date, False)
        target = self.exception_target.currentData() or LOCATION
        return dt.date(q.year(), q.month(), q.day()), (None if target == LOCATION else target)

    def _existing_exception(self, day: dt.date, service_id: int | None) -> Any:
        if self.config is None:
            return None
        return next((e for e in self.config.exceptions if e.day == day and e.service_id == service_id), None)

    def ask(self, title: str, text: str) -> bool:
        """A yes/no question with Dutch buttons; "Nee" is the default (Enter changes nothing)."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self)
        yes = box.addButton(_("Ja"), QMessageBox.ButtonRole.YesRole)
        no = box.addButton(_("Nee"), QMessageBox.ButtonRole.NoRole)
        box.setDefaultButton(no)
        box.setEscapeButton(no)
        box.exec()
        return box.clickedButton() is yes

    def fill_bridge_day(self) -> None:
        today = self._today()
        day = friday_after_ascension(today.year)
        if day is None or day < today:
            day = friday_after_ascension(today.year + 1)
        if day is None:
            return
        self.exception_date.setDate(QDate(day.year, day.month, day.day))
        self.exception_target.setCurrentIndex(0)
        self.exception_hours.setText("")
        self.exception_note.setText(_("Brugdag na Hemelvaart"))

    def save_exception(self) -> None:
        form = self._exception_form()
        if form is None:
            return
        day, service_id = form
        try:
            periods = parse_periods(self.exception_hours.text(), day=day)
        except DomainError as err:
            _mark(self.exception_hours, True)
            self._show_error(self.exception_message, err)
            return
        _mark(self.exception_hours, False)
        client, loc, note = self.client, self.location_id, self.exception_note.text()
        pairs = [(p.start, p.end) for p in periods]
        old = self._existing_exception(day, service_id)
        if old is not None:
            what = _("gesloten") if old.closed else hourstext.periods_text(old.periods)
            text = _("Op {date} is er al een uitzondering voor {target}: {what}{note}. "
                     "Wilt u die vervangen?").format(
                date=_("{date} {year}").format(date=hourstext.date_text(day), year=day.year),
                target=self._target_name(service_id).lower() if service_id is None else self._target_name(service_id),
                what=what, note=f" ({old.note})" if old.note else "")
            if not self.ask(_("Uitzondering vervangen?"), text):
                show_notice(self.exception_message, _("Niet opgeslagen. De uitzondering die er al was, blijft."),
                            error=False)
                return

        def done(_result: Any) -> None:
            show_notice(self.exception_message, _("Opgeslagen. De uitzondering op {date} {year} staat erin.").format(
                date=hourstext.date_text(day), year=day.year), error=False)
            self.saved.emit("exception")
            self.reload()

        self._run(lambda: client.schedules.set_exception(loc, day, pairs, note, service_id=service_id),
                  done, self.exception_message)

    def remove_exception(self) -> None:
        form = self._exception_form()
        if form is None:
            return
        day, service_id = form
        client, loc = self.client, self.location_id

        def done(removed: bool) -> None:
            text = _("De uitzondering op {date} is weggehaald.") if removed else \
                _("Op {date} was er geen uitzondering.")
            show_notice(self.exception_message, text.format(date=hourstext.date_text(day)), error=not removed)
            if removed:
                self.saved.emit("exception")
                self.reload()

        self._run(lambda: client.schedules.remove_exception(loc, day, service_id=service_id), done,
                  self.exception_message)

    # -- the four-week calendar ------------------------------------------
    def move_calendar(self, weeks: int) -> None:
        self.calendar_start += dt.timedelta(weeks=weeks)
        self.reload()

    def _fill_calendar(self, days: tuple[CalendarDay, ...]) -> None:
        if days:
            first, last = days[0].day, days[-1].day
            self.calendar_title.setText(_("{first} tot en met {last}").format(
                first=hourstext.date_text(first), last=hourstext.date_text(last)))
        self.calendar.setVerticalHeaderLabels(
            [_("week {n}").format(n=days[i].day.isocalendar().week) for i in range(0, min(len(days), WEEKS_SHOWN * 7), 7)])
        for i, d in enumerate(days[: WEEKS_SHOWN * 7]):
            item = QTableWidgetItem(self.day_cell_text(d))
            item.setBackground(QColor(_cell_colour(d)))
            item.setForeground(QColor(theme.TEXT))
            item.setData(Qt.ItemDataRole.UserRole, d.day.isoformat())
            self.calendar.setItem(i // 7, i % 7, item)

    @staticmethod
    def day_cell_text(d: CalendarDay) -> str:
        head = f"{SHORT_WEEKDAYS[d.day.weekday()]} {d.day.day} {hourstext.MONTHS[d.day.month - 1][:3]}"
        if d.status == "holiday":
            body = _("Gesloten: {holiday}").format(holiday=hourstext.holiday_name(d.holiday))
        elif d.status == "closed":
            body = _("Gesloten") + (f": {d.note}" if d.note else "")
        elif d.status == "no_hours":
            body = _("Gesloten")
        else:
            body = hourstext.periods_text(d.periods)
            if d.status == "other_hours":
                body = _("Andere tijden: {hours}").format(hours=body) + (f" ({d.note})" if d.note else "")
        lines = [head, body]
        if d.service_exceptions:
            lines.append(_("Uitzondering voor een dienst"))
        return "\n".join(lines)

    # -- choices ---------------------------------------------------------
    def _fill_options(self) -> None:
        assert self.config is not None
        o = self.config.options
        self.good_friday.setChecked(o.good_friday)
        self.liberation.setCurrentIndex(max(0, self.liberation.findData(o.liberation_day)))
        self.kiosk_stop.setValue(o.kiosk_stop_minutes)
        self.appointments_on.setChecked(o.appointments_enabled)
        self.checkin_early.setValue(o.checkin_early_minutes)
        self.checkin_late.setValue(o.checkin_late_minutes)

    def save_options(self) -> None:
        client, loc = self.client, self.location_id
        values = dict(good_friday=self.good_friday.isChecked(), liberation_day=self.liberation.currentData(),
                      kiosk_stop_minutes=self.kiosk_stop.value(), appointments_enabled=self.appointments_on.isChecked(),
                      checkin_early_minutes=self.checkin_early.value(), checkin_late_minutes=self.checkin_late.value())

        def done(_result: Any) -> None:
            show_notice(self.options_message, _("De keuzes zijn opgeslagen."), error=False)
            self.saved.emit("options")
            self.reload()

        self._run(lambda: client.schedules.set_calendar_options(loc, **values), done,
                  self.options_message)

    # -- life cycle ------------------------------------------------------
    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self._closed = True
        super().closeEvent(event)


def _cell_colour(d: CalendarDay) -> str:
    if d.status == "holiday":
        return theme.WARNING_BG
    if d.status in ("closed", "no_hours"):
        return theme.DISABLED_BG
    if d.status == "other_hours":
        return theme.lighter(theme.PRIMARY, 0.85)
    return theme.BACKGROUND

"""The team lead's "Afspraken" tab in the admin window: per service, and the blocks.

* Per service: whether it takes appointments, how long one lasts, how many may
  run at once (empty: as many as there are counters), and the "neem mee" list
  (one item per line). Checked before saving; a wrong value gets a Dutch
  sentence beside its field and what was typed stays, also when switching to
  another service and back (each service keeps its own draft until saved).
  One save writes everything of a service or nothing.
* Blocks: no appointments in a time (lunch, team meeting), every week on a
  weekday or on one date, for the whole location, one service (no slots in
  that time), or one counter (that counter takes no appointments then, the
  other counters stay bookable; migration 0005).

The location's main switch and the check-in rules are on the "Keuzes" tab;
this tab says when the main switch is off. Database work runs through
:func:`baliedesk.ui.common.tasks.run_task`; the services check the role (team lead or
beheerder) again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from baliedesk import hourstext
from baliedesk.domain.appointments import clean_bring_list, validate_duration, validate_max_parallel
from baliedesk.domain.calendar import Period, validate_periods
from baliedesk.domain.errors import DomainError, NotFound, ValidationError
from baliedesk.i18n import _
from baliedesk.services.schedule_dto import BlockInfo, ScheduleConfig, ServiceAppointmentInfo
from baliedesk.ui.common import theme
from baliedesk.ui.common.messages import message_for
from baliedesk.ui.common.notices import notice_label, show_notice
from baliedesk.ui.common.tasks import run_task

WEEKDAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
WEEKLY, ONE_DATE = "weekly", "date"
WHOLE_LOCATION = "location"  # block targets: "location", "service:<id>", "counter:<id>"
#: Longest text accepted in the duration and "at once" fields before it is even read.
NUMBER_FIELD_LENGTH = 6


@dataclass
class _Draft:
    """What was typed for one service, kept until it is saved."""

    enabled: bool
    duration: str
    parallel: str
    bring: str


def _mark(widget: QWidget, bad: bool) -> None:
    widget.setProperty("invalid", bad)
    widget.setStyleSheet(f"border: 2px solid {theme.ERROR};" if bad else "")


def parse_minutes(text: str, field: str) -> int:
    """``" 15 "`` -> 15; anything that is not a whole number is refused with the field's name."""
    cleaned = text.strip()
    if not cleaned.isdigit() or len(cleaned) > NUMBER_FIELD_LENGTH:
        raise ValidationError(field, "not_a_number")
    return int(cleaned)


def block_message_for(err: BaseException) -> str:
    """The Dutch sentence for a refused block; what is not about a block goes to :func:`message_for`."""
    if isinstance(err, ValidationError) and err.field == "block" and err.code == "service_or_counter":
        return _("Kies voor de blokkade een dienst of een balie, niet allebei.")
    if isinstance(err, NotFound) and err.kind == "counter":
        return _("Deze balie hoort niet bij deze locatie of bestaat niet meer. Kies een andere balie.")
    return message_for(err)


def block_when_text(b: BlockInfo) -> str:
    if b.day is not None:
        return hourstext.date_text(b.day) + f" {b.day.year}"
    return _("elke {weekday}").format(weekday=_(WEEKDAY_NAMES[b.weekday or 0]))


class AppointmentSettingsPanel(QWidget):
    """Edits the appointment side of one location; ``reload`` is the admin window's read of everything.

    ``client`` is the admin window's door to the services (signed in as the team lead).
    """

    saved = Signal(str)  # "service" or "block"
    error_shown = Signal(str)

    def __init__(self, client: Any, location_id: int, *, reload: Callable[[], None],
                 is_closed: Callable[[], bool], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client, self.location_id = client, location_id
        self._reload, self._is_closed = reload, is_closed
        self.config: ScheduleConfig | None = None
        self.services: dict[int, Any] = {}
        self._drafts: dict[int, _Draft] = {}
        self._service_id: int | None = None
        self._service_confirmation: tuple[int, str] | None = None  # shown once more after the reload
        self._blocks: list[BlockInfo] = []
        self._counter_names: dict[int, str] = {}
        self._build()

    # -- building --------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        self.location_note = QLabel("")
        self.location_note.setWordWrap(True)
        self.location_note.setObjectName("location_note")
        root.addWidget(self.location_note)
        root.addWidget(self._service_box())
        root.addWidget(self._block_box(), 1)

    def _service_box(self) -> QGroupBox:
        box = QGroupBox(_("Per dienst"))
        form = QFormLayout(box)
        self.service = QComboBox()
        self.service.currentIndexChanged.connect(self._on_service_changed)
        form.addRow(_("Dienst"), self.service)
        self.enabled = QCheckBox(_("Deze dienst werkt met afspraken"))
        self.enabled.toggled.connect(self._keep_draft)
        form.addRow(self.enabled)
        self.duration = QLineEdit()
        self.duration.setObjectName("duration")
        self.duration.setPlaceholderText(_("bijvoorbeeld 15"))
        self.duration.textEdited.connect(self._on_edited)
        form.addRow(_("Duur van een afspraak (minuten)"), self.duration)
        self.duration_message = notice_label()
        form.addRow(self.duration_message)
        self.parallel = QLineEdit()
        self.parallel.setObjectName("parallel")
        self.parallel.setPlaceholderText(_("leeg: zoveel als er balies zijn"))
        self.parallel.textEdited.connect(self._on_edited)
        form.addRow(_("Hoogstens tegelijk"), self.parallel)
        self.parallel_message = notice_label()
        form.addRow(self.parallel_message)
        self.bring = QPlainTextEdit()
        self.bring.setObjectName("bring")
        self.bring.setPlaceholderText(_("Eén ding per regel, bijvoorbeeld:\nuw oude paspoort\neen pasfoto"))
        self.bring.setFixedHeight(110)
        self.bring.textChanged.connect(self._on_edited)
        form.addRow(_("Neem mee"), self.bring)
        self.bring_message = notice_label()
        form.addRow(self.bring_message)
        self.service_message = notice_label()
        form.addRow(self.service_message)
        self.save_service_button = QPushButton(_("Opslaan voor deze dienst"))
        self.save_service_button.setProperty("role", "primary")
        self.save_service_button.clicked.connect(self.save_service)
        form.addRow(self.save_service_button)
        return box

    def _block_box(self) -> QGroupBox:
        box = QGroupBox(_("Geen afspraken in deze tijd (lunch, werkoverleg)"))
        lay = QVBoxLayout(box)
        self.block_table = QTableWidget(0, 4)
        self.block_table.setHorizontalHeaderLabels([_("Wanneer"), _("Tijd"), _("Voor"), _("Notitie")])
        self.block_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.block_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.block_table.setMinimumHeight(130)
        self.block_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.block_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.block_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.block_table.itemSelectionChanged.connect(self._on_block_selected)
        lay.addWidget(self.block_table, 1)
        hint = QLabel(_("Voor de hele locatie of een dienst: dan kan niemand een afspraak maken in die tijd. "
                        "Voor één balie: alleen die balie doet dan geen afspraken, de andere balies wel."))
        hint.setWordWrap(True)
        lay.addWidget(hint)
        form = QFormLayout()
        when = QHBoxLayout()
        self.block_kind = QComboBox()
        self.block_kind.addItem(_("Elke week op"), WEEKLY)
        self.block_kind.addItem(_("Op de datum"), ONE_DATE)
        self.block_kind.currentIndexChanged.connect(self._on_kind_changed)
        when.addWidget(self.block_kind)
        self.block_weekday = QComboBox()
        for i, name in enumerate(WEEKDAY_NAMES):
            self.block_weekday.addItem(_(name), i)
        when.addWidget(self.block_weekday)
        self.block_date = QDateEdit()
        self.block_date.setCalendarPopup(True)
        self.block_date.setDisplayFormat("dd-MM-yyyy")
        when.addWidget(self.block_date)
        when.addStretch(1)
        form.addRow(_("Wanneer"), when)
        times = QHBoxLayout()
        self.block_from = QLineEdit()
        self.block_from.setObjectName("block_from")
        self.block_from.setPlaceholderText(_("van, bijvoorbeeld 12:30"))
        self.block_to = QLineEdit()
        self.block_to.setObjectName("block_to")
        self.block_to.setPlaceholderText(_("tot, bijvoorbeeld 13:30"))
        for edit in (self.block_from, self.block_to):
            edit.setMaxLength(NUMBER_FIELD_LENGTH + 2)
            times.addWidget(edit)
        form.addRow(_("Van - tot"), times)
        self.block_time_message = notice_label()
        form.addRow(self.block_time_message)
        self.block_target = QComboBox()
        form.addRow(_("Voor"), self.block_target)
        self.block_note = QLineEdit()
        self.block_note.setPlaceholderText(_("bijvoorbeeld: Werkoverleg"))
        form.addRow(_("Notitie"), self.block_note)
        self.block_note_message = notice_label()
        form.addRow(self.block_note_message)
        lay.addLayout(form)
        self.block_message = notice_label()
        lay.addWidget(self.block_message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.remove_block_button = QPushButton(_("Gekozen blokkade weghalen"))
        self.remove_block_button.setEnabled(False)
        self.remove_block_button.clicked.connect(self.remove_block)
        buttons.addWidget(self.remove_block_button)
        self.add_block_button = QPushButton(_("Blokkade toevoegen"))
        self.add_block_button.setProperty("role", "primary")
        self.add_block_button.clicked.connect(self.add_block)
        buttons.addWidget(self.add_block_button)
        lay.addLayout(buttons)
        self._on_kind_changed()
        return box

    # -- filling -----------------------------------------------------------
    def show_config(self, config: ScheduleConfig, services: tuple[Any, ...], today: dt.date) -> None:
        """The admin window read everything: show it (drafts not yet saved stay)."""
        self.config = config
        self.services = {s.id: s for s in services}
        if config.options.appointments_enabled:
            self.location_note.setText(_("Deze locatie werkt met afspraken. Hieronder kiest u per dienst."))
        else:
            self.location_note.setText(_("Deze locatie werkt nu zonder afspraken. Dan ziet niemand iets van "
                                         "afspraken. Zet afspraken aan op het tabblad 'Keuzes'. U kunt hier "
                                         "alvast alles klaarzetten."))
        keep = self.service.currentData()
        self.service.blockSignals(True)
        self.service.clear()
        for s in services:
            self.service.addItem(_("{prefix} – {name}").format(prefix=s.prefix, name=s.name), s.id)
        index = self.service.findData(keep)
        self.service.setCurrentIndex(index if index >= 0 else 0)
        self.service.blockSignals(False)
        self._show_service()
        keep_target = self.block_target.currentData()
        self.block_target.clear()
        self.block_target.addItem(_("De hele locatie"), WHOLE_LOCATION)
        for s in services:
            self.block_target.addItem(_("Dienst {prefix} – {name}").format(prefix=s.prefix, name=s.name),
                                      f"service:{s.id}")
        self._counter_names = {c.counter_id: c.name for c in config.counters}
        for c in config.counters:
            self.block_target.addItem(_("Balie: {name}").format(name=c.name), f"counter:{c.counter_id}")
        index = self.block_target.findData(keep_target)
        self.block_target.setCurrentIndex(index if index >= 0 else 0)
        if self.block_date.date() < QDate(today.year, today.month, today.day):
            self.block_date.setDate(QDate(today.year, today.month, today.day))
        self._fill_blocks(config.blocks)

    def _saved_info(self, service_id: int) -> ServiceAppointmentInfo | None:
        if self.config is None:
            return None
        return next((s for s in self.config.services if s.service_id == service_id), None)

    def _show_service(self) -> None:
        service_id = self.service.currentData()
        self._service_id = service_id
        draft = self._drafts.get(service_id)
        if draft is None:
            info = self._saved_info(service_id)
            draft = _Draft(bool(info and info.enabled), str(info.duration_minutes) if info else "10",
                           "" if info is None or info.max_parallel is None else str(info.max_parallel),
                           "\n".join(info.bring) if info else "")
        for w in (self.enabled, self.duration, self.parallel, self.bring):
            w.blockSignals(True)
        self.enabled.setChecked(draft.enabled)
        self.duration.setText(draft.duration)
        self.parallel.setText(draft.parallel)
        self.bring.setPlainText(draft.bring)
        for w in (self.enabled, self.duration, self.parallel, self.bring):
            w.blockSignals(False)
        if self._service_confirmation and self._service_confirmation[0] == service_id:
            show_notice(self.service_message, self._service_confirmation[1], error=False)  # stays after the reload
        else:
            self.service_message.hide()
        self._service_confirmation = None
        self.check_service()

    def _on_service_changed(self) -> None:
        self._keep_draft()
        self._show_service()

    def _keep_draft(self) -> None:
        if self._service_id is None:
            return
        self._drafts[self._service_id] = _Draft(self.enabled.isChecked(), self.duration.text(),
                                                self.parallel.text(), self.bring.toPlainText())

    def _on_edited(self) -> None:
        # Only the service on screen: the combo's own change has already stored the previous draft.
        if self._service_id is not None and self._service_id == self.service.currentData():
            self._keep_draft()
        self.check_service()

    # -- per service -------------------------------------------------------
    def check_service(self) -> tuple[int, int | None, tuple[str, ...]] | None:
        """Check every field as typed; a message beside each wrong one. The values when all is well."""
        ok = True
        duration = parallel = None
        bring: tuple[str, ...] = ()
        try:
            duration = validate_duration(parse_minutes(self.duration.text(), "duration_minutes"))
            self._field_ok(self.duration, self.duration_message)
        except DomainError as err:
            ok = self._field_bad(self.duration, self.duration_message, err)
        try:
            text = self.parallel.text().strip()
            parallel = validate_max_parallel(parse_minutes(text, "max_parallel") if text else None)
            self._field_ok(self.parallel, self.parallel_message)
        except DomainError as err:
            ok = self._field_bad(self.parallel, self.parallel_message, err)
        try:
            bring = clean_bring_list(self.bring.toPlainText())
            self._field_ok(self.bring, self.bring_message)
        except DomainError as err:
            ok = self._field_bad(self.bring, self.bring_message, err)
        self.save_service_button.setEnabled(ok and self.service.currentData() is not None)
        if not ok or duration is None:
            return None
        return duration, parallel, bring

    def _field_ok(self, widget: QWidget, message: QLabel) -> None:
        _mark(widget, False)
        message.hide()

    def _field_bad(self, widget: QWidget, message: QLabel, err: BaseException) -> bool:
        _mark(widget, True)
        show_notice(message, message_for(err), error=True)
        return False

    def save_service(self) -> None:
        values = self.check_service()
        service_id = self.service.currentData()
        if values is None or service_id is None:
            return
        duration, parallel, bring = values
        enabled = self.enabled.isChecked()
        typed_lines = [line for line in self.bring.toPlainText().splitlines()]
        dropped = len(typed_lines) != len(bring)
        client = self.client
        self.save_service_button.setEnabled(False)

        def done(info: ServiceAppointmentInfo) -> None:
            self._drafts.pop(service_id, None)
            name = self.services[service_id].name if service_id in self.services else ""
            text = _("Opgeslagen. De afspraken voor {service} zijn aangepast.").format(service=name)
            if dropped:
                text += " " + _("Lege regels in 'Neem mee' zijn weggelaten.")
            show_notice(self.service_message, text, error=False)
            self._service_confirmation = (service_id, text)
            self.saved.emit("service")
            self._reload()

        def failed(err: BaseException) -> None:
            self.save_service_button.setEnabled(True)
            self._show_error(self.service_message, err)  # what was typed stays in the fields

        run_task(lambda: client.appointments.configure_service(service_id, enabled=enabled,
                                                               duration_minutes=duration, max_parallel=parallel,
                                                               bring=list(bring)),
                 lambda r: None if self._is_closed() else done(r),
                 lambda e: None if self._is_closed() else failed(e))

    def _show_error(self, where: QLabel, err: BaseException) -> None:
        text = block_message_for(err) if where is self.block_message else message_for(err)
        show_notice(where, text, error=True)
        self.error_shown.emit(text)

    # -- blocks --------------------------------------------------------------
    def _target_text(self, b: BlockInfo) -> str:
        if b.service_id is not None:
            s = self.services.get(b.service_id)
            return _("Dienst {prefix}").format(prefix=s.prefix) if s else "?"
        if b.counter_id is not None:
            name = self._counter_names.get(b.counter_id)
            return _("Balie: {name}").format(name=name) if name else _("Balie (niet meer in gebruik)")
        return _("De hele locatie")

    def _fill_blocks(self, blocks: tuple[BlockInfo, ...]) -> None:
        self._blocks = sorted(blocks, key=lambda b: (b.day is not None, b.day or dt.date.min, b.weekday or 0,
                                                      b.start, b.id))
        self.block_table.setRowCount(len(self._blocks))
        for r, b in enumerate(self._blocks):
            values = [block_when_text(b), hourstext.periods_text(((b.start, b.end),)), self._target_text(b), b.note]
            for c, value in enumerate(values):
                self.block_table.setItem(r, c, QTableWidgetItem(value))
        self.remove_block_button.setEnabled(False)

    def _on_kind_changed(self) -> None:
        weekly = self.block_kind.currentData() == WEEKLY
        self.block_weekday.setVisible(weekly)
        self.block_date.setVisible(not weekly)

    def _on_block_selected(self) -> None:
        self.remove_block_button.setEnabled(len({i.row() for i in self.block_table.selectedIndexes()}) == 1)

    def _block_day(self) -> dt.date:
        q = self.block_date.date()
        return dt.date(q.year(), q.month(), q.day())

    def check_block(self) -> tuple[Period, int | None, dt.date | None] | None:
        weekly = self.block_kind.currentData() == WEEKLY
        weekday = self.block_weekday.currentData() if weekly else None
        day = None if weekly else self._block_day()
        try:
            (period,) = validate_periods([(self.block_from.text().strip(), self.block_to.text().strip())],
                                         weekday=weekday, day=day)
        except DomainError as err:
            for edit in (self.block_from, self.block_to):
                _mark(edit, True)
            show_notice(self.block_time_message, message_for(err), error=True)
            return None
        for edit in (self.block_from, self.block_to):
            _mark(edit, False)
        self.block_time_message.hide()
        return period, weekday, day

    def add_block(self) -> None:
        checked = self.check_block()
        if checked is None:
            return
        period, weekday, day = checked
        kind, _sep, target_id = str(self.block_target.currentData() or WHOLE_LOCATION).partition(":")
        target = {"service_id": int(target_id)} if kind == "service" else (
            {"counter_id": int(target_id)} if kind == "counter" else {})
        note = self.block_note.text()
        client, loc = self.client, self.location_id

        def done(_info: BlockInfo) -> None:
            _mark(self.block_note, False)
            self.block_note_message.hide()
            self.block_from.clear()
            self.block_to.clear()
            self.block_note.clear()
            show_notice(self.block_message, _("De blokkade is toegevoegd."), error=False)
            self.saved.emit("block")
            self._reload()

        def failed(err: BaseException) -> None:
            if isinstance(err, ValidationError) and err.field == "note":
                _mark(self.block_note, True)
                self._show_error(self.block_note_message, err)
            else:
                self._show_error(self.block_message, err)

        run_task(lambda: client.appointments.add_block(loc, period.start, period.end, weekday=weekday,
                                                       day=day, note=note, **target),
                 lambda r: None if self._is_closed() else done(r),
                 lambda e: None if self._is_closed() else failed(e))

    def remove_block(self) -> None:
        rows = {i.row() for i in self.block_table.selectedIndexes()}
        if len(rows) != 1:
            return
        b = self._blocks[rows.pop()]
        client, loc = self.client, self.location_id

        def done(removed: bool) -> None:
            show_notice(self.block_message, _("De blokkade is weggehaald.") if removed
                        else _("Deze blokkade was er al niet meer."), error=not removed)
            self.saved.emit("block")
            self._reload()

        run_task(lambda: client.appointments.remove_block(loc, b.id),
                 lambda r: None if self._is_closed() else done(r),
                 lambda e: None if self._is_closed() else self._show_error(self.block_message, e))

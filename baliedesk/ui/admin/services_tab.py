"""The "Diensten" and "Balies" tabs: a location's services (letter, name, colour with a live
contrast check, expected time, walk-in and appointments, weight, order) and its counters
(name, name in the hall, location, default services). Switching off keeps the history;
deleting something that was used is refused with a Dutch explanation and "Uitzetten"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from baliedesk.domain.organisation import HasHistory
from baliedesk.i18n import _
from baliedesk.ui.admin.locations import color_sample
from baliedesk.ui.admin.orgbase import OrgTab


class _ListTab(OrgTab):
    """A location choice, a list on the left, a form on the right and the buttons below it."""

    kind = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.selected: int | None = None
        root = QHBoxLayout(self)
        left = QVBoxLayout()
        self.location = QComboBox()
        self.location.currentIndexChanged.connect(lambda _i: self._fill_list())
        left.addWidget(QLabel(_("Locatie")))
        left.addWidget(self.location)
        self.items = QListWidget()
        self.items.currentItemChanged.connect(
            lambda item, _old: self.select(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None)
        left.addWidget(self.items, 1)
        root.addLayout(left, 2)
        right = QVBoxLayout()
        self.form = QFormLayout()
        right.addLayout(self.form)
        self.explain = QLabel("")
        self.explain.setWordWrap(True)
        right.addWidget(self.explain)
        buttons = QHBoxLayout()
        self.delete_button = QPushButton(_("Verwijderen"))
        self.delete_button.clicked.connect(self.delete)
        buttons.addWidget(self.delete_button)
        self.offer_off = QPushButton(_("Uitzetten"))
        self.offer_off.setObjectName("offerDeactivate")
        self.offer_off.setProperty("role", "primary")
        self.offer_off.clicked.connect(lambda: self.set_active(False))
        self.offer_off.hide()
        buttons.addWidget(self.offer_off)
        self.toggle_button = QPushButton(_("Uitzetten"))
        self.toggle_button.clicked.connect(lambda: self.set_active(not self._current().active))
        buttons.addWidget(self.toggle_button)
        buttons.addStretch(1)
        self.save_button = QPushButton(_("Opslaan"))
        self.save_button.setProperty("role", "primary")
        self.save_button.clicked.connect(self.save_current)
        buttons.addWidget(self.save_button)
        right.addLayout(buttons)
        right.addStretch(1)
        root.addLayout(right, 5)

    def rows(self) -> list[Any]:
        raise NotImplementedError

    def label(self, row: Any) -> str:
        raise NotImplementedError

    def fill_form(self, row: Any) -> None:
        raise NotImplementedError

    def show_view(self, view: Any) -> None:
        super().show_view(view)
        keep = self.location.currentData()
        self.location.blockSignals(True)
        self.location.clear()
        for loc in view.locations:
            self.location.addItem(loc.name, loc.id)
        index = self.location.findData(keep)
        self.location.setCurrentIndex(index if index >= 0 else 0)
        self.location.blockSignals(False)
        self._fill_list()

    def _fill_list(self) -> None:
        keep = self.selected
        self.items.blockSignals(True)
        self.items.clear()
        rows = self.rows()
        for row in rows:
            text = self.label(row) if row.active else _("{label} (uit)").format(label=self.label(row))
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.items.addItem(item)
        self.items.blockSignals(False)
        ids = [r.id for r in rows]
        if ids:
            self.items.setCurrentRow(ids.index(keep) if keep in ids else 0)
            self.select(self.items.currentItem().data(Qt.ItemDataRole.UserRole))
        else:
            self.selected = None
        for button in (self.save_button, self.delete_button, self.toggle_button):
            button.setEnabled(bool(ids))

    def rows_of_location(self, rows: tuple[Any, ...]) -> list[Any]:
        loc = self.location.currentData()
        return [r for r in rows if r.location_id == loc]

    def _current(self) -> Any:
        return next(r for r in self.rows() if r.id == self.selected)

    def select(self, row_id: int) -> None:
        row = next((r for r in self.rows() if r.id == row_id), None)
        if row is None:
            return
        self.selected = row.id
        for i in range(self.items.count()):  # the list shows what the form shows
            if self.items.item(i).data(Qt.ItemDataRole.UserRole) == row.id and self.items.currentRow() != i:
                self.items.blockSignals(True)
                self.items.setCurrentRow(i)
                self.items.blockSignals(False)
        self.offer_off.hide()
        self.toggle_button.show()
        self.explain.setText("")
        self.toggle_button.setText(_("Uitzetten") if row.active else _("Aanzetten"))
        self.fill_form(row)

    # -- actions ---------------------------------------------------------
    def _ops(self) -> tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]:
        raise NotImplementedError  # (update, set_active, delete)

    def save_current(self) -> None:
        raise NotImplementedError

    def set_active(self, active: bool) -> None:
        if self.selected is None:
            return
        sid, set_active = self.selected, self._ops()[1]
        self.save(self.kind, lambda: set_active(sid, active))

    def delete(self) -> None:
        if self.selected is None:
            return
        sid, remove = self.selected, self._ops()[2]

        def refused(err: BaseException) -> None:
            if isinstance(err, HasHistory):  # offer switching it off instead
                self.explain.setText(self._last_error)
                self.toggle_button.hide()
                self.offer_off.show()

        def done(_r: Any) -> None:
            self.selected = None

        self._last_error = ""
        self.save(self.kind, lambda: remove(sid), done, refused)

    def show_error(self, err: BaseException) -> None:
        super().show_error(err)
        from baliedesk.ui.common.messages import message_for

        self._last_error = message_for(err)


class ServicesTab(_ListTab):
    kind = "service"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.form
        self.prefix = QLineEdit()
        self.prefix.setMaxLength(3)
        f.addRow(_("Letter (op het bonnetje)"), self.prefix)
        self.name = QLineEdit()
        f.addRow(_("Naam"), self.name)
        self.color = QLineEdit()
        self.color.setPlaceholderText("#0B4F8A")
        f.addRow(_("Kleur"), self.color)
        self.sample = QLabel("")
        self.sample.setObjectName("colorSample")
        self.sample.setWordWrap(True)
        f.addRow(_("Zo ziet het eruit"), self.sample)
        self.color.textChanged.connect(self._check_color)
        self.prefix.textChanged.connect(self._check_color)
        self.minutes = QDoubleSpinBox()
        self.minutes.setRange(1, 240)
        self.minutes.setDecimals(0)
        self.minutes.setSuffix(_(" minuten"))
        f.addRow(_("Verwachte tijd per bezoeker"), self.minutes)
        self.walk_in = QCheckBox(_("Zonder afspraak (kiosk)"))
        f.addRow(self.walk_in)
        self.appointments = QCheckBox(_("Op afspraak"))
        f.addRow(self.appointments)
        self.weight = QDoubleSpinBox()
        self.weight.setRange(0.1, 10)
        self.weight.setDecimals(1)
        self.weight.setSingleStep(0.5)
        f.addRow(_("Gewicht (eerlijk verdelen)"), self.weight)
        self.sort_order = QSpinBox()
        self.sort_order.setRange(0, 10_000)
        f.addRow(_("Volgorde op de kiosk"), self.sort_order)

    def _check_color(self) -> bool:
        ok = color_sample(self.sample, self.color.text().strip(), f"{self.prefix.text().upper() or 'A'} 12")
        self.save_button.setEnabled(ok and self.selected is not None)
        return ok

    def rows(self) -> list[Any]:
        return self.rows_of_location(self.view.services) if self.view is not None else []

    def label(self, row: Any) -> str:
        return f"{row.prefix}  {row.name}"

    def fill_form(self, s: Any) -> None:
        self.prefix.setText(s.prefix)
        self.name.setText(s.name)
        self.color.setText(s.color)
        self.minutes.setValue(s.expected_minutes)
        self.walk_in.setChecked(s.walk_in)
        self.appointments.setChecked(s.appointments)
        self.weight.setValue(s.weight)
        self.sort_order.setValue(s.sort_order)
        self._check_color()

    def _ops(self) -> tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]:
        o = self.client.organisation
        return o.update_service, o.set_service_active, o.delete_service

    def save_current(self) -> None:
        if self.selected is None:
            return
        sid, update = self.selected, self._ops()[0]
        values = dict(prefix=self.prefix.text(), name=self.name.text(), color=self.color.text().strip(),
                      expected_minutes=self.minutes.value(), walk_in=self.walk_in.isChecked(),
                      appointments=self.appointments.isChecked(), weight=self.weight.value(),
                      sort_order=self.sort_order.value())
        self.save(self.kind, lambda: update(sid, **values))


class CountersTab(_ListTab):
    kind = "counter"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.form
        self.name = QLineEdit()
        f.addRow(_("Naam"), self.name)
        self.display_name = QLineEdit()
        f.addRow(_("Naam op het scherm in de hal"), self.display_name)
        self.counter_location = QComboBox()
        self.counter_location.currentIndexChanged.connect(lambda _i: self._fill_services(None))
        f.addRow(_("Locatie"), self.counter_location)
        self.services = QListWidget()
        f.addRow(_("Diensten (vooraf aangevinkt)"), self.services)

    def rows(self) -> list[Any]:
        return self.rows_of_location(self.view.counters) if self.view is not None else []

    def label(self, row: Any) -> str:
        return row.name

    def fill_form(self, c: Any) -> None:
        self.name.setText(c.name)
        self.display_name.setText(c.display_name)
        self.counter_location.blockSignals(True)
        self.counter_location.clear()
        for loc in self.view.locations:
            self.counter_location.addItem(loc.name, loc.id)
        self.counter_location.setCurrentIndex(max(0, self.counter_location.findData(c.location_id)))
        self.counter_location.blockSignals(False)
        self._fill_services(set(c.service_ids))

    def _fill_services(self, checked: set[int] | None) -> None:
        if checked is None:
            checked = set()
        loc = self.counter_location.currentData()
        self.services.clear()
        for s in self.view.services:
            if s.location_id != loc:
                continue
            item = QListWidgetItem(f"{s.prefix}  {s.name}")
            item.setData(Qt.ItemDataRole.UserRole, s.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if s.id in checked else Qt.CheckState.Unchecked)
            self.services.addItem(item)

    def checked_services(self) -> list[int]:
        return [self.services.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.services.count())
                if self.services.item(i).checkState() == Qt.CheckState.Checked]

    def _ops(self) -> tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]:
        o = self.client.organisation
        return o.update_counter, o.set_counter_active, o.delete_counter

    def save_current(self) -> None:
        if self.selected is None:
            return
        cid, update = self.selected, self._ops()[0]
        values = dict(name=self.name.text(), display_name=self.display_name.text(),
                      location_id=self.counter_location.currentData(), service_ids=self.checked_services())
        self.save(self.kind, lambda: update(cid, **values))

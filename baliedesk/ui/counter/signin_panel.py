"""The counter window's panel to choose a location, counter and services after logging in."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from baliedesk.i18n import _
from baliedesk.services.dto import CounterInfo, ServiceInfo, UserInfo
from baliedesk.ui.common import theme


class SignInPanel(QWidget):
    """After logging in: choose your counter and the services you do there."""

    location_chosen = Signal(int)
    sign_in_requested = Signal(int, int, list)  # user id, counter id, service ids

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInPanel")
        card = QFrame(self)
        card.setProperty("role", "panel")
        card.setMaximumWidth(720)
        card.setMinimumWidth(520)
        title = QLabel(_("Kies uw balie"), card)
        title.setProperty("role", "title")
        title.setFont(theme.font(theme.SIZE_TITLE, bold=True))
        intro = QLabel(_("Kies uw balie en de diensten die u doet."), card)
        intro.setWordWrap(True)
        intro.setProperty("role", "muted")
        self.location_combo = QComboBox(card)
        self.location_combo.setObjectName("locationCombo")
        self.person_label = QLabel("", card)
        self.person_label.setObjectName("personLabel")
        self.person_label.setFont(theme.font(theme.SIZE_LARGE - 2, bold=True))
        self._person: UserInfo | None = None
        self.counter_combo = QComboBox(card)
        self.counter_combo.setObjectName("counterCombo")
        for combo in (self.location_combo, self.counter_combo):
            combo.setMinimumHeight(40)
            combo.setFont(theme.font(theme.SIZE_LARGE - 2))
        self.counter_combo.setPlaceholderText(_("Kies uw balie"))
        self.location_label = QLabel(_("Locatie"), card)
        user_label = QLabel(_("Uw naam"), card)
        counter_label = QLabel(_("Balie"), card)
        self.counter_hint = QLabel("", card)
        self.counter_hint.setWordWrap(True)
        self.counter_hint.setProperty("role", "muted")
        form = QGridLayout()
        form.setVerticalSpacing(12)
        form.setHorizontalSpacing(16)
        for row, (label, field) in enumerate(((self.location_label, self.location_combo),
                                              (user_label, self.person_label), (counter_label, self.counter_combo))):
            label.setBuddy(field)
            label.setFont(theme.font(theme.SIZE_LARGE - 2))
            form.addWidget(label, row, 0, Qt.AlignmentFlag.AlignVCenter)
            form.addWidget(field, row, 1)
        form.addWidget(self.counter_hint, 3, 1)
        form.setColumnStretch(1, 1)
        services_title = QLabel(_("Diensten"), card)
        services_title.setFont(theme.font(theme.SIZE_LARGE, bold=True))
        self.services_box = QWidget(card)
        self._services_layout = QGridLayout(self.services_box)
        self._services_layout.setContentsMargins(0, 0, 0, 0)
        self.service_boxes: dict[int, QCheckBox] = {}
        self.sign_in_button = QPushButton(_("Beginnen aan deze balie"), card)
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setProperty("role", "primary")
        self.sign_in_button.setMinimumHeight(64)
        self.sign_in_button.setFont(theme.font(theme.SIZE_LARGE, bold=True))
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setAutoDefault(True)
        self.sign_in_button.clicked.connect(self._request)
        for keys in ("Return", "Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self._request)
        self.busy_label = QLabel("", card)
        self.busy_label.setProperty("role", "muted")

        lay = QVBoxLayout(card)
        lay.setContentsMargins(28, 24, 28, 24)
        lay.setSpacing(12)
        lay.addWidget(title)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(services_title)
        lay.addWidget(self.services_box)
        lay.addSpacing(8)
        lay.addWidget(self.sign_in_button)
        lay.addWidget(self.busy_label)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 2)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        self._counters: dict[int, CounterInfo] = {}
        self.location_combo.activated.connect(lambda _i: self._emit_location())
        self.counter_combo.currentIndexChanged.connect(lambda _i: self._counter_changed())
        self.set_locations([], None)
        self._update_enabled()

    # -- filling ---------------------------------------------------------
    def set_locations(self, locations, selected: int | None) -> None:
        self.location_combo.blockSignals(True)
        self.location_combo.clear()
        for loc in locations:
            self.location_combo.addItem(loc.name, loc.id)
        idx = self.location_combo.findData(selected)
        self.location_combo.setCurrentIndex(max(0, idx))
        self.location_combo.blockSignals(False)
        many = len(locations) > 1
        self.location_combo.setVisible(many)
        self.location_label.setVisible(many)

    def set_person(self, user: UserInfo | None) -> None:
        """The person who logged in (the panel chooses a counter for them)."""
        self._person = user
        self.person_label.setText(user.display_name if user is not None else "")
        self._update_enabled()

    def set_services(self, services: Sequence[ServiceInfo]) -> None:
        for box in self.service_boxes.values():
            box.deleteLater()
        self.service_boxes = {}
        for i, s in enumerate(x for x in services if x.active):
            box = QCheckBox(f"{s.prefix}  {s.name}", self.services_box)
            box.setObjectName(f"signin_service_{s.prefix}")
            box.setMinimumHeight(34)
            c = theme.service_colors(s.color)
            box.setStyleSheet(f"QCheckBox {{ border-left: 8px solid {c.fill}; padding-left: 8px; }}"
                              f" QCheckBox::indicator {{ width: 22px; height: 22px; }}")
            self._services_layout.addWidget(box, i // 2, i % 2)
            self.service_boxes[s.id] = box

    def set_counters(self, counters: Sequence[CounterInfo], selected: int | None, me: int | None) -> None:
        self._counters = {c.id: c for c in counters if c.active}
        self.counter_combo.blockSignals(True)
        self.counter_combo.clear()
        self.counter_combo.addItem(_("Kies uw balie …"), None)
        for c in self._counters.values():
            label = c.display_name
            if c.signed_in_user_name and not c.gone and c.signed_in_user_id != me:
                label += "  —  " + _("nu: {name}").format(name=c.signed_in_user_name)
            self.counter_combo.addItem(label, c.id)
        idx = self.counter_combo.findData(selected) if selected else -1
        self.counter_combo.setCurrentIndex(max(0, idx))
        self.counter_combo.blockSignals(False)
        self._counter_changed()

    # -- reading ---------------------------------------------------------
    def location_id(self) -> int | None:
        return self.location_combo.currentData()

    def user_id(self) -> int | None:
        return self._person.id if self._person is not None else None

    def counter_id(self) -> int | None:
        return self.counter_combo.currentData()

    def service_ids(self) -> list[int]:
        return sorted(sid for sid, box in self.service_boxes.items() if box.isChecked())

    def set_busy(self, busy: bool, text: str = "") -> None:
        self.busy_label.setText(text)
        self._busy = busy
        self._update_enabled()

    # -- internals -------------------------------------------------------
    _busy = False

    def _emit_location(self) -> None:
        if self.location_id() is not None:
            self.location_chosen.emit(self.location_id())

    def _counter_changed(self) -> None:
        c = self._counters.get(self.counter_id())
        if c is not None:
            for sid, box in self.service_boxes.items():
                box.setChecked(sid in c.service_ids)
            if c.signed_in_user_name and not c.gone and c.signed_in_user_id != self.user_id():
                self.counter_hint.setText(_("{name} werkt nu aan deze balie.").format(name=c.signed_in_user_name))
            else:
                self.counter_hint.setText("")
        else:
            self.counter_hint.setText("")
        self._update_enabled()

    def _update_enabled(self) -> None:
        ready = self.user_id() is not None and self.counter_id() is not None and not self._busy
        self.sign_in_button.setEnabled(ready)
        self.counter_combo.setEnabled(self.user_id() is not None and not self._busy)

    def _request(self) -> None:
        if self.user_id() is None or self.counter_id() is None or self._busy:
            return
        self.sign_in_requested.emit(self.user_id(), self.counter_id(), self.service_ids())

"""The "Gemeente en locaties" tab: the municipality's name, colour and logo; per location its
address, phone, website, tracking page, queue rules (ordering rule, recalls before "niet
gekomen", fair-share weights per service) and whether it is in use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)
from PySide6.QtCore import Qt

from baliedesk.domain.errors import DomainError
from baliedesk.domain.organisation import check_color
from baliedesk.i18n import _
from baliedesk.ui.admin.orgbase import OrgTab

ORDERING = (("longest_wait", "Wie het langst wacht, is eerst"),
            ("fair_share", "Eerlijk verdelen over de diensten (met gewichten)"))
ADDRESS_FIELDS = ("street", "house_number", "postcode", "place", "phone", "website", "tracking_base_url")
ADDRESS_LABELS = ("Straat", "Huisnummer", "Postcode", "Plaats", "Telefoon", "Website", "Adres van de volgpagina")
NEW = -1  # the list entry of a location that is not saved yet


def color_sample(label: QLabel, value: str, text: str) -> bool:
    """Show ``value`` as a sample with the readable text colour and the contrast; False when unreadable."""
    try:
        check = check_color(value)
    except DomainError:
        label.setStyleSheet("")
        label.setText(_("Schrijf de kleur als #RRGGBB, bijvoorbeeld #0B4F8A."))
        return False
    ratio = f"{max(check.with_light, check.with_dark):.1f}".replace(".", ",")
    label.setStyleSheet(f"background: {check.color}; color: {check.text}; padding: 6px; font-weight: bold;")
    if check.ok:
        label.setText(_("{sample}   (contrast {ratio}:1, goed te lezen)").format(sample=text, ratio=ratio))
    else:
        label.setText(_("{sample}   (contrast {ratio}:1: te laag, kies een donkerder of lichtere kleur)").format(
            sample=text, ratio=ratio))
    return check.ok


class LocationsTab(OrgTab):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.logo: bytes | None = None
        self.remove_logo = False
        self.selected = NEW
        root = QHBoxLayout(self)
        left = QVBoxLayout()
        root.addLayout(left, 2)
        root.addLayout(self._location_form(), 5)
        left.addWidget(self._municipality_box())
        left.addWidget(QLabel(_("Locaties")))
        self.location_list = QListWidget()
        self.location_list.currentItemChanged.connect(self._on_selected)
        left.addWidget(self.location_list, 1)
        self.new_button = QPushButton(_("Nieuwe locatie"))
        self.new_button.clicked.connect(self.new_location)
        left.addWidget(self.new_button)

    # -- building --------------------------------------------------------
    def _municipality_box(self) -> QGroupBox:
        box = QGroupBox(_("Gemeente"))
        form = QFormLayout(box)
        self.muni_name = QLineEdit()
        self.muni_name.setObjectName("municipalityName")
        form.addRow(_("Naam"), self.muni_name)
        self.muni_color = QLineEdit()
        self.muni_color.setPlaceholderText("#0B4F8A")
        form.addRow(_("Kleur"), self.muni_color)
        self.muni_sample = QLabel("")
        self.muni_sample.setWordWrap(True)
        form.addRow(self.muni_sample)
        self.muni_color.textChanged.connect(lambda t: color_sample(self.muni_sample, t, _("Gemeente")))
        logo_row = QHBoxLayout()
        self.logo_label = QLabel(_("Geen logo"))
        logo_row.addWidget(self.logo_label, 1)
        choose = QPushButton(_("Logo kiezen..."))
        choose.clicked.connect(self.choose_logo)
        logo_row.addWidget(choose)
        drop = QPushButton(_("Weghalen"))
        drop.clicked.connect(self.drop_logo)
        logo_row.addWidget(drop)
        form.addRow(_("Logo"), logo_row)
        self.save_municipality_button = QPushButton(_("Gemeente opslaan"))
        self.save_municipality_button.setProperty("role", "primary")
        self.save_municipality_button.clicked.connect(self.save_municipality)
        form.addRow(self.save_municipality_button)
        return box

    def _location_form(self) -> QVBoxLayout:
        lay = QVBoxLayout()
        self.form_title = QLabel("")
        self.form_title.setObjectName("locationTitle")
        lay.addWidget(self.form_title)
        form = QFormLayout()
        self.loc_name = QLineEdit()
        form.addRow(_("Naam van de locatie"), self.loc_name)
        self.fields: dict[str, QLineEdit] = {}
        for key, label in zip(ADDRESS_FIELDS, ADDRESS_LABELS):
            edit = QLineEdit()
            self.fields[key] = edit
            form.addRow(_(label), edit)
        self.fields["postcode"].setPlaceholderText("9919 AH")
        self.fields["website"].setPlaceholderText("https://www.gemeente.nl")
        self.fields["tracking_base_url"].setPlaceholderText("https://volg.gemeente.nl/{code}")
        self.ordering = QComboBox()
        for value, label in ORDERING:
            self.ordering.addItem(_(label), value)
        self.ordering.currentIndexChanged.connect(self._show_weights_state)
        form.addRow(_("Volgorde van de rij"), self.ordering)
        self.recalls = QSpinBox()
        self.recalls.setRange(0, 10)
        self.recalls.setSuffix(_(" keer"))
        form.addRow(_("Oproepen voor 'niet gekomen'"), self.recalls)
        self.loc_active = QCheckBox(_("Deze locatie is in gebruik"))
        form.addRow(self.loc_active)
        lay.addLayout(form)
        self.weights_box = QGroupBox(_("Gewicht per dienst (bij eerlijk verdelen; 1 is gewoon, 2 is twee keer zo vaak)"))
        self.weights_grid = QGridLayout(self.weights_box)
        self.weight_edits: dict[int, QDoubleSpinBox] = {}
        lay.addWidget(self.weights_box)
        row = QHBoxLayout()
        row.addStretch(1)
        self.save_location_button = QPushButton(_("Locatie opslaan"))
        self.save_location_button.setProperty("role", "primary")
        self.save_location_button.clicked.connect(self.save_location)
        row.addWidget(self.save_location_button)
        lay.addLayout(row)
        lay.addStretch(1)
        return lay

    # -- filling ---------------------------------------------------------
    def show_view(self, view: Any) -> None:
        super().show_view(view)
        m = view.municipality
        self.muni_name.setText(m.name)
        self.muni_color.setText(m.color)
        self.logo, self.remove_logo = None, False
        self.logo_label.setText(_("Logo is er") if m.has_logo else _("Geen logo"))
        keep = self.selected
        self.location_list.blockSignals(True)
        self.location_list.clear()
        for loc in view.locations:
            item = QListWidgetItem(loc.name if loc.active else _("{name} (uit)").format(name=loc.name))
            item.setData(Qt.ItemDataRole.UserRole, loc.id)
            self.location_list.addItem(item)
        self.location_list.blockSignals(False)
        ids = [x.id for x in view.locations]
        if keep in ids:
            self.location_list.setCurrentRow(ids.index(keep))
        elif ids:
            self.location_list.setCurrentRow(0)
        else:
            self.new_location()

    def _on_selected(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.select(item.data(Qt.ItemDataRole.UserRole))

    def select(self, location_id: int) -> None:
        loc = next((x for x in self.view.locations if x.id == location_id), None)
        if loc is None:
            return
        self.selected = loc.id
        self.form_title.setText(_("Locatie {name}").format(name=loc.name))
        self.loc_name.setText(loc.name)
        for key, edit in self.fields.items():
            edit.setText(getattr(loc, key))
        self.ordering.setCurrentIndex(max(0, self.ordering.findData(loc.ordering_mode)))
        self.recalls.setValue(loc.no_show_after_recalls)
        self.loc_active.setChecked(loc.active)
        self._fill_weights([s for s in self.view.services if s.location_id == loc.id])

    def new_location(self) -> None:
        self.selected = NEW
        self.location_list.clearSelection()
        self.form_title.setText(_("Nieuwe locatie"))
        self.loc_name.clear()
        for edit in self.fields.values():
            edit.clear()
        self.ordering.setCurrentIndex(0)
        self.recalls.setValue(2)
        self.loc_active.setChecked(True)
        self._fill_weights([])
        self.loc_name.setFocus()

    def _fill_weights(self, services: list[Any]) -> None:
        while self.weights_grid.count():
            widget = self.weights_grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.weight_edits = {}
        for i, s in enumerate(services):
            spin = QDoubleSpinBox()
            spin.setRange(0.1, 10.0)
            spin.setSingleStep(0.5)
            spin.setDecimals(1)
            spin.setValue(s.weight)
            self.weights_grid.addWidget(QLabel(f"{s.prefix} {s.name}"), i // 2, (i % 2) * 2)
            self.weights_grid.addWidget(spin, i // 2, (i % 2) * 2 + 1)
            self.weight_edits[s.id] = spin
        self.weights_box.setVisible(bool(services))
        self._show_weights_state()

    def _show_weights_state(self) -> None:
        fair = self.ordering.currentData() == "fair_share"
        for spin in self.weight_edits.values():
            spin.setEnabled(fair)

    # -- the municipality ------------------------------------------------
    def choose_logo(self, path: str | None = None) -> None:
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(self, _("Logo kiezen"), "",
                                                        _("Afbeeldingen (*.png *.jpg *.jpeg *.svg)"))
        if not path:
            return
        try:
            self.logo = Path(path).read_bytes()
        except OSError:
            self.notify(_("Dit bestand kan BalieDesk niet lezen. Kies een ander bestand."), True)
            return
        self.remove_logo = False
        self.logo_label.setText(_("Nieuw: {name}").format(name=Path(path).name))

    def drop_logo(self) -> None:
        self.logo, self.remove_logo = None, True
        self.logo_label.setText(_("Geen logo (na opslaan)"))

    def save_municipality(self) -> None:
        client = self.client
        name, color, logo, remove = self.muni_name.text(), self.muni_color.text().strip(), self.logo, self.remove_logo
        self.save("municipality", lambda: client.organisation.update_municipality(
            name=name, color=color, logo=logo, remove_logo=remove))

    # -- a location ------------------------------------------------------
    def save_location(self) -> None:
        client, selected = self.client, self.selected
        values = {key: edit.text() for key, edit in self.fields.items()}
        rules = dict(ordering_mode=self.ordering.currentData(), no_show_after_recalls=self.recalls.value())
        name, active = self.loc_name.text(), self.loc_active.isChecked()
        weights = {sid: spin.value() for sid, spin in self.weight_edits.items()}

        def work() -> Any:
            if selected == NEW:
                loc = client.organisation.add_location(name, **values, **rules)
            else:
                loc = client.organisation.update_location(selected, name=name, **values, **rules)
                if weights:
                    client.organisation.set_fair_share_weights(selected, weights)
            if loc.active != active:
                loc = client.organisation.set_location_active(loc.id, active)
            return loc

        def after(loc: Any) -> None:
            self.selected = loc.id

        self.save("location", work, after)

"""The meldingen categories with their team and handling term (team lead).

A tab of the meldingen window (for those who may manage categories) and of
the admin window.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from baliedesk.client import Client
from baliedesk.domain import meldingen as rules
from baliedesk.i18n import _
from baliedesk.services.melding_dto import CategoryInfo
from baliedesk.ui.common.notices import notice_label, show_notice
from baliedesk.ui.meldingen.widgets import _line, _Panel


class CategoriesPanel(_Panel):
    """The category list: change team, term or name, switch off, add; load a TOML or CSV file."""

    loaded = Signal(object)  # tuple[CategoryInfo, ...]
    saved = Signal(object)  # CategoryInfo

    def __init__(self, client: Client, location_id: int, *, parent: QWidget | None = None) -> None:
        super().__init__(client, location_id, parent)
        self.categories: tuple[CategoryInfo, ...] = ()
        self.editing: int | None = None
        self._build()
        self.reload()

    def _build(self) -> None:
        root = QHBoxLayout(self)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("categories")
        self.table.setHorizontalHeaderLabels([_("Hoofdcategorie"), _("Subcategorie"), _("Team"),
                                              _("Termijn (werkdagen)"), _("Actief")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._pick)
        root.addWidget(self.table, 3)
        form = QFormLayout()
        self.main = _line("category_main", rules.CATEGORY_NAME_MAX_LENGTH)
        self.sub = _line("category_sub", rules.CATEGORY_NAME_MAX_LENGTH)
        self.team = _line("category_team", rules.TEAM_MAX_LENGTH)
        self.term = _line("category_term", 4)
        self.active = QCheckBox(_("Actief (te kiezen bij een nieuwe melding)"))
        self.active.setChecked(True)
        for label, w in ((_("Hoofdcategorie"), self.main), (_("Subcategorie"), self.sub), (_("Team"), self.team),
                         (_("Termijn in werkdagen"), self.term)):
            form.addRow(label, w)
        form.addRow("", self.active)
        self.message = notice_label()
        form.addRow(self.message)
        buttons = QHBoxLayout()
        self.new_button = QPushButton(_("Nieuw"))
        self.new_button.clicked.connect(self.new)
        self.save_button = QPushButton(_("Opslaan"))
        self.save_button.setProperty("role", "primary")
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.save_button)
        form.addRow(buttons)
        self.load_button = QPushButton(_("Lijst laden uit een bestand"))
        self.load_button.clicked.connect(self.choose_file)
        form.addRow(self.load_button)
        right = QWidget()
        right.setLayout(form)
        root.addWidget(right, 2)

    def reload(self) -> None:
        self._run(lambda: self.client.meldingen.list_categories(active_only=False),
                  self._latest("list", self.show_list), lambda e: self._fail(self.message, e))

    def refresh(self) -> None:
        self.reload()

    def show_list(self, cats: tuple[CategoryInfo, ...]) -> None:
        self.categories = cats
        self.table.blockSignals(True)
        self.table.selectionModel().blockSignals(True)
        self.table.clearSelection()
        self.table.setRowCount(len(cats))
        for r, c in enumerate(cats):
            for col, value in enumerate((c.main, c.sub, c.team, str(c.term_days), _("ja") if c.active else _("nee"))):
                self.table.setItem(r, col, QTableWidgetItem(value))
            if c.id == self.editing:
                self.table.selectRow(r)  # the form keeps what is being typed
        self.table.selectionModel().blockSignals(False)
        self.table.blockSignals(False)
        self.loaded.emit(cats)

    def _pick(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.categories):
            return
        c = self.categories[rows[0].row()]
        self.editing = c.id
        self.main.setText(c.main)
        self.sub.setText(c.sub)
        self.team.setText(c.team)
        self.term.setText(str(c.term_days))
        self.active.setChecked(c.active)

    def new(self) -> None:
        self.editing = None
        self.table.clearSelection()
        for w in (self.main, self.sub, self.team, self.term):
            w.clear()
        self.active.setChecked(True)

    def save(self) -> None:
        cid, fields = self.editing, dict(main=self.main.text(), sub=self.sub.text(), team=self.team.text(),
                                         term_days=self.term.text(), active=self.active.isChecked())

        def done(c: CategoryInfo) -> None:
            self.editing = c.id
            show_notice(self.message, _("Opgeslagen: {label}.").format(label=c.label), error=False)
            self.saved.emit(c)
            self.reload()

        self._run(lambda: self.client.meldingen.save_category(cid, **fields), done,
                  lambda e: self._fail(self.message, e))

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Lijst met categorieën"), "",
                                                    _("Categorieën (*.toml *.csv)"))
        if path:
            self.load_file(path)

    def load_file(self, path: str) -> None:
        try:
            content = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeError):
            show_notice(self.message, _("Dit bestand kunnen we niet openen."), error=True)
            return
        fmt = "csv" if path.lower().endswith(".csv") else "toml"

        def done(cats: tuple[CategoryInfo, ...]) -> None:
            show_notice(self.message, _("De lijst is geladen: {n} categorieën.").format(
                n=sum(1 for c in cats if c.active)), error=False)
            self.show_list(cats)

        self._run(lambda: self.client.meldingen.import_categories(content, fmt=fmt), done,
                  lambda e: self._fail(self.message, e))

"""The work list (the "Werklijst" tab).

Filter by status, category, team, channel, overdue and text; overdue
meldingen stand out; days left in working days; change the status with a
note; the history, photos and confirmation slip of the selected melding.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from baliedesk.client import Client
from baliedesk.domain import meldingen as rules
from baliedesk import hourstext
from baliedesk.i18n import _, ngettext
from baliedesk.printing.config import BrandingOnce
from baliedesk.printing.slips import melding_slip
from baliedesk.services.melding_dto import CategoryInfo, MeldingDetail, WorkList
from baliedesk.ui.common import theme
from baliedesk.ui.common.messages import MELDING_STATE_NAMES, message_for
from baliedesk.ui.common.notices import notice_label
from baliedesk.ui.common.printbar import PrintBar
from baliedesk.ui.meldingen.widgets import (
    urgency_words,
    CHANNEL_NAMES,
    SLIP_PAPERS,
    THUMB_PX,
    _comma,
    _error_label,
    _line,
    _Panel,
    _photo_strip,
    _thumbnail,
    days_text,
    short_date,
    state_text,
)


class WorkListPanel(_Panel):
    loaded = Signal(object)  # WorkList
    status_changed = Signal(object)  # MeldingDetail

    COLUMNS = ("Nummer", "Categorie", "Team", "Waar", "Status", "Kanaal", "Termijn", "Uiterlijk")

    def __init__(self, client: Client, location_id: int, *, parent: QWidget | None = None,
                 settings: Any = None) -> None:
        super().__init__(client, location_id, parent)
        self.settings = settings if settings is not None else {}
        self.slip_branding = BrandingOnce(client.organisation.branding, location_id, self.settings)
        self.work: WorkList | None = None
        self.detail: MeldingDetail | None = None
        self.tz = ZoneInfo("Europe/Amsterdam")
        self._build()
        self.load_filters()

    def _build(self) -> None:
        root = QVBoxLayout(self)
        filters = QHBoxLayout()
        self.state = QComboBox()
        self.state.setObjectName("filterState")
        self.state.addItem(_("Alle open meldingen"), None)
        for value, label in MELDING_STATE_NAMES.items():
            self.state.addItem(_(label).capitalize(), value)
        self.category = QComboBox()
        self.category.setObjectName("filterCategory")
        self.category.addItem(_("Alle categorieën"), None)
        self.team = QComboBox()
        self.team.setObjectName("filterTeam")
        self.team.addItem(_("Alle teams"), None)
        self.channel = QComboBox()
        self.channel.setObjectName("filterChannel")
        self.channel.addItem(_("Alle kanalen"), None)
        for value, label in CHANNEL_NAMES.items():
            self.channel.addItem(_(label), value)
        self.overdue = QCheckBox(_("Alleen te laat"))
        self.overdue.setObjectName("filterOverdue")
        self.search = _line("filterSearch", rules.SEARCH_MAX_LENGTH, _("Zoek op nummer, adres of tekst"))
        self.search.returnPressed.connect(self.reload)
        self.search_button = QPushButton(_("Zoeken"))
        self.search_button.clicked.connect(self.reload)
        for w in (self.state, self.category, self.team, self.channel):
            w.currentIndexChanged.connect(self.reload)
        self.overdue.toggled.connect(self.reload)
        for w in (self.state, self.category, self.team, self.channel, self.overdue):
            filters.addWidget(w)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.search_button)
        root.addLayout(filters)
        self.message = notice_label()
        root.addWidget(self.message)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("workList")
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self.load_detail)
        root.addWidget(self.table, 3)
        self.count_label = QLabel("")
        self.count_label.setProperty("role", "muted")
        root.addWidget(self.count_label)

        bottom = QHBoxLayout()
        self.history = QListWidget()
        self.history.setObjectName("history")
        self.history.setWordWrap(True)
        left = QVBoxLayout()
        self.detail_label = QLabel(_("Kies een melding in de lijst."))
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextFormat(Qt.TextFormat.PlainText)
        left.addWidget(self.detail_label)
        self.detail_photos = _photo_strip("detailPhotos", THUMB_PX, QSize(THUMB_PX + 24, THUMB_PX + 34),
                                          THUMB_PX + 48, _("Dubbelklik om de foto groot te zien."))
        self.detail_photos.itemActivated.connect(self.show_photo)
        self.detail_photos.hide()
        self.photo_data: dict[int, bytes] = {}
        left.addWidget(self.detail_photos)
        left.addWidget(self.history, 1)
        bottom.addLayout(left, 3)
        change = QFormLayout()
        self.target = QComboBox()
        self.target.setObjectName("targetState")
        self.note = QPlainTextEdit()
        self.note.setObjectName("statusNote")
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(80)
        self.note.setPlaceholderText(_("Korte notitie. Nodig bij doorsturen, stopzetten en heropenen."))
        self.change_button = QPushButton(_("Status wijzigen"))
        self.change_button.setObjectName("changeStatus")
        self.change_button.setProperty("role", "primary")
        self.change_button.clicked.connect(self.change_status)
        self.change_error = _error_label()
        change.addRow(_("Nieuwe status"), self.target)
        change.addRow(_("Notitie"), self.note)
        change.addRow("", self.change_error)
        change.addRow("", self.change_button)
        # The selected melding's confirmation again (the reporter lost it, or asks at the counter).
        self.print_bar = PrintBar(None, self.settings, papers=SLIP_PAPERS, parent=self)
        self.print_bar.setObjectName("workPrintBar")
        change.addRow(_("Bevestiging"), self.print_bar)
        change_box = QVBoxLayout()
        change_box.addLayout(change)
        change_box.addStretch(1)  # the rows stay together at the top
        bottom.addLayout(change_box, 2)
        root.addLayout(bottom, 2)

    def load_filters(self) -> None:
        def done(result: tuple[tuple[CategoryInfo, ...], tuple[str, ...]]) -> None:
            cats, teams = result
            for w in (self.category, self.team):
                w.blockSignals(True)
            for c in cats:
                self.category.addItem(f"{c.main} > {c.sub}", c.id)
            for t in teams:
                self.team.addItem(t, t)
            for w in (self.category, self.team):
                w.blockSignals(False)
            self.reload()

        self._run(lambda: (self.client.meldingen.list_categories(active_only=False),
                           self.client.meldingen.teams()), done,
                  lambda e: self._fail(self.message, e))

    def reload(self, *args: object, refreshing: bool = False) -> None:
        """Read the list with the filters as set. The search text counts once the clerk pressed Enter or
        "Zoeken" (or changed another filter); a refresh from the change feed keeps the search last applied,
        so a half-typed word does not filter the list."""
        if not refreshing:
            self._search_applied = self.search.text()
        filters = dict(state=self.state.currentData(), category_id=self.category.currentData(),
                       team=self.team.currentData(), channel=self.channel.currentData(),
                       overdue=self.overdue.isChecked(), search=getattr(self, "_search_applied", ""))
        self._run(lambda: self.client.meldingen.work_list(self.location_id, **filters),
                  self._latest("list", self.show_list), lambda e: self._fail(self.message, e))

    def refresh(self) -> None:
        """Another workstation changed something: the list again (the selected row stays) and the selected
        melding's details; the status note being typed stays."""
        self.reload(refreshing=True)
        if self.detail is not None:
            melding_id = self.detail.summary.id
            self._run(lambda: self.client.meldingen.melding_detail(melding_id),
                      self._latest("detail", self.show_detail), lambda e: None)

    def show_list(self, work: WorkList) -> None:
        self.work = work
        self.message.hide()
        selected = self.detail.summary.id if self.detail else None
        self.table.blockSignals(True)
        self.table.setRowCount(len(work.rows))
        late_bg, late_fg = QBrush(QColor(theme.ERROR_BG)), QBrush(QColor(theme.ERROR))
        for r, m in enumerate(work.rows):
            cells = (m.number, m.category_label, m.team, m.place_text, state_text(m.state),
                     _(CHANNEL_NAMES.get(m.channel, m.channel)),
                     days_text(m.days_left, m.overdue) if m.open else "—", short_date(m.due_date))
            for c, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if c in (1, 3):
                    item.setToolTip(value)
                item.setData(Qt.ItemDataRole.UserRole, m.id)
                if m.overdue:
                    item.setBackground(late_bg)
                    if c in (0, 6):
                        item.setForeground(late_fg)
                        item.setFont(theme.font(theme.SIZE_BODY, bold=True))
                if m.urgency == "hoog" and c == 0:
                    item.setText(f"{value}  ⚠")
                    item.setToolTip(_("Urgent"))
                self.table.setItem(r, c, item)
            if m.id == selected:
                self.table.selectRow(r)
        self.table.blockSignals(False)
        late = sum(1 for m in work.rows if m.overdue)
        text = ngettext("{n} melding, waarvan {late} te laat.", "{n} meldingen, waarvan {late} te laat.",
                        len(work.rows)).format(n=len(work.rows), late=late)
        if work.more:
            text += " " + _("Er zijn er meer. Gebruik de filters om te zoeken.")
        self.count_label.setText(text)
        self.loaded.emit(work)

    def selected_id(self) -> int | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def load_detail(self) -> None:
        melding_id = self.selected_id()
        if melding_id is None:
            return
        self._run(lambda: self.client.meldingen.melding_detail(melding_id),
                  self._latest("detail", self.show_detail), lambda e: self._fail(self.message, e))

    def show_detail(self, d: MeldingDetail) -> None:
        if self.detail is None or self.detail.summary.id != d.summary.id:
            door, melding_id = self.client.meldingen, d.summary.id
            branding = self.slip_branding
            # one read on the print bar's worker thread: the slip as the service makes it
            self.print_bar.set_source(
                lambda: melding_slip(door.melding_slip(melding_id), branding()))
        self.detail = d
        s = d.summary
        lines = [f"{s.number} · {s.category_label} · {state_text(s.state)}", s.place_text, s.description]
        lines.append(_("Urgentie: {urgency}").format(urgency=urgency_words(s.urgency)))
        if s.open:
            due = _("Uiterlijk klaar: {date} ({days})").format(
                date=_("{date} {year}").format(date=hourstext.date_text(s.due_date), year=s.due_date.year),
                days=days_text(s.days_left, s.overdue))
            lines.append(due)
        if d.reporter_name or d.reporter_phone or d.reporter_email:
            lines.append(_("Melder: {who}").format(who=", ".join(
                x for x in (d.reporter_name, d.reporter_phone, d.reporter_email) if x)))
        lines.append(_("Melder wil horen hoe het afloopt.") if d.wants_feedback
                     else _("Melder hoeft niet te horen hoe het afloopt."))
        if d.linked_to_number:
            lines.append(_("Zelfde als {number}").format(number=d.linked_to_number))
        if d.latitude is not None and d.longitude is not None:
            lines.append(_("Coördinaten: {lat}, {lon}").format(lat=_comma(d.latitude), lon=_comma(d.longitude)))
        if d.photos:
            lines.append(_("{n} foto('s)").format(n=len(d.photos)))
        self.detail_label.setText("\n".join(lines))
        self._show_photos(d)
        self.history.clear()
        for h in d.history:
            when = h.at.astimezone(self.tz)
            line = f"{when:%d-%m-%Y %H:%M} · {h.user_name or '?'} · {state_text(h.to_state)}"
            if h.note:
                line += f"\n{h.note}"
            self.history.addItem(line)
        targets = [t.value for t in sorted(rules.TRANSITIONS[rules.MeldingState(s.state)],
                                           key=lambda x: list(rules.MeldingState).index(x))]
        if targets == [self.target.itemData(i) for i in range(self.target.count())]:
            return  # the same choices (a refresh): leave the clerk's choice and an open list alone
        current = self.target.currentData()
        self.target.clear()
        for value in targets:
            self.target.addItem(_(MELDING_STATE_NAMES[value]).capitalize(), value)
        index = self.target.findData(current)
        if index >= 0:
            self.target.setCurrentIndex(index)

    def _show_photos(self, d: MeldingDetail) -> None:
        """Thumbnails of the melding's photos; the bytes are read once per photo, off the GUI thread."""
        wanted = [p.id for p in d.photos]
        shown = [self.detail_photos.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.detail_photos.count())]
        if wanted == shown:
            return
        self.detail_photos.clear()
        self.detail_photos.setVisible(bool(d.photos))
        for p in d.photos:
            item = QListWidgetItem(_("laden …"))
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setToolTip(p.filename)
            self.detail_photos.addItem(item)
            if p.id in self.photo_data:
                self._photo_loaded(p.id, p.filename, self.photo_data[p.id])
                continue
            photo_id = p.id
            self._run(lambda pid=photo_id: self.client.meldingen.photo_data(pid),
                      lambda r, pid=photo_id: self._photo_loaded(pid, r[0], r[2]),
                      lambda e: self._fail(self.message, e))

    def _photo_loaded(self, photo_id: int, filename: str, data: bytes) -> None:
        if len(self.photo_data) > 50:
            self.photo_data.clear()
        self.photo_data[photo_id] = data
        for i in range(self.detail_photos.count()):
            item = self.detail_photos.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == photo_id:
                short = filename if len(filename) <= 14 else filename[:12] + "…"
                item.setIcon(QIcon(_thumbnail(data)))
                item.setText(short)

    def show_photo(self, item: QListWidgetItem) -> None:
        data = self.photo_data.get(item.data(Qt.ItemDataRole.UserRole))
        if data is None:
            return
        dialog = QDialog(self)
        dialog.setObjectName("photoDialog")
        dialog.setWindowTitle(item.toolTip())
        label = QLabel(dialog)
        label.setPixmap(_thumbnail(data, 800))
        close = QPushButton(_("Sluiten"), dialog)
        close.clicked.connect(dialog.accept)
        lay = QVBoxLayout(dialog)
        lay.addWidget(label)
        lay.addWidget(close)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def change_status(self) -> None:
        if self.detail is None:
            return
        self.change_error.hide()
        melding_id, target, note = self.detail.summary.id, self.target.currentData(), self.note.toPlainText()
        self.change_button.setEnabled(False)

        def done(d: MeldingDetail) -> None:
            self.change_button.setEnabled(True)
            self.note.clear()
            self.show_detail(d)
            self.status_changed.emit(d)
            self.reload()

        def failed(err: BaseException) -> None:
            self.change_button.setEnabled(True)
            self.change_error.setText(message_for(err))
            self.change_error.show()
            self.error_shown.emit(self.change_error.text())

        self._run(lambda: self.client.meldingen.change_status(melding_id, target, note=note),
                  done, failed)

"""The counter window's waiting list: the per-service counts ("chips") and the table.

A row can be called at once (double-click, Enter, or "Dit nummer oproepen" in
its context menu): the panel emits :attr:`WaitingPanel.call_requested` with the
ticket; the window calls ``queue.call_ticket``. An appointment holder's row says
"afspraak 12.30 uur" (not only "voorrang", which a priority transfer also gets).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from baliedesk import hourstext
from baliedesk.domain.tickets import PriorityClass
from baliedesk.i18n import _, ngettext
from baliedesk.services.dto import ServiceInfo, TicketInfo, WaitingTicket
from baliedesk.ui.common import theme
from baliedesk.ui.counter.timefmt import format_wait, local_moment


def waiting_count_text(n: int) -> str:
    """"1 wachtende", "2 wachtenden": the one wording for a number of people waiting."""
    return ngettext("{n} wachtende", "{n} wachtenden", n).format(n=n)


def appointment_text(t: TicketInfo, timezone: str | None) -> str | None:
    """"afspraak 12.30 uur" for an appointment holder's ticket, else None."""
    if t.appointment_at is None:
        return None
    return _("afspraak {time}").format(time=hourstext.time_text(local_moment(t.appointment_at, timezone)))


class WaitingModel(QAbstractTableModel):
    """The waiting tickets: number, dienst, wachttijd, positie. Waiting times are
    computed from the arrival time and the local clock (``tick``)."""

    COLUMNS = ("Nummer", "Dienst", "Wachttijd", "Positie")
    WAIT_COLUMN = 2

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[WaitingTicket] = []
        self.services: dict[int, ServiceInfo] = {}
        self.counter_id: int | None = None
        self.timezone: str | None = None
        self.now_ms = 0
        self._number_font = theme.font(theme.SIZE_LARGE, bold=True)

    def set_rows(self, rows: Sequence[WaitingTicket], services: dict[int, ServiceInfo], counter_id: int | None,
                 now_ms: int, timezone: str | None = None) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.services = services
        self.counter_id = counter_id
        self.now_ms = now_ms
        self.timezone = timezone
        self.endResetModel()

    def tick(self, now_ms: int) -> None:
        self.now_ms = now_ms
        if self.rows:
            self.dataChanged.emit(self.index(0, self.WAIT_COLUMN), self.index(len(self.rows) - 1, self.WAIT_COLUMN),
                                  [Qt.ItemDataRole.DisplayRole])

    def numbers(self) -> list[str]:
        return [w.ticket.number for w in self.rows]

    def ticket_at(self, row: int) -> TicketInfo | None:
        return self.rows[row].ticket if 0 <= row < len(self.rows) else None

    def waited_s(self, row: int) -> float:
        return max(0.0, (self.now_ms - self.rows[row].ticket.arrived_ms) / 1000.0)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(self.COLUMNS[section])
        return None

    def service_text(self, t: TicketInfo) -> str:
        text = t.service_name
        if t.target_counter_id is not None:
            text += "  ·  " + (_("voor deze balie") if t.target_counter_id == self.counter_id
                               else _("voor {counter}").format(counter=self._counter_name(t)))
        appointment = appointment_text(t, self.timezone)
        if appointment is not None:
            text += "  ·  " + appointment
        elif t.priority_class < PriorityClass.WALK_IN:
            text += "  ·  " + _("voorrang")
        return text

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        w = self.rows[index.row()]
        t = w.ticket
        col = index.column()
        service = self.services.get(t.service_id)
        colors = theme.service_colors(service.color if service else None)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if col == 0:
                return t.display_number
            if col == 1:
                return self.service_text(t)
            if col == 2:
                return format_wait(self.waited_s(index.row()))
            if col == 3:
                return str(w.position)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _("{number}: {service}. Dubbelklik om dit nummer op te roepen.").format(
                number=t.display_number, service=self.service_text(t))
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor(colors.fill if col == 0 else colors.tint)
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor(colors.text if col == 0 else colors.tint_text)
        if role == Qt.ItemDataRole.FontRole and col == 0:
            return self._number_font
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in (0, 3):
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        return None

    @staticmethod
    def _counter_name(t: TicketInfo) -> str:
        return t.counter_name or _("een andere balie")


class ServiceCounts(QWidget):
    """Per service, above the list: how many wait and the longest wait.

    The chips flow: as many per row as fit at their full text (never cut off, so
    a narrow window shows two rows of two rather than "A · 4 w / langste")."""

    MAX_PER_ROW = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setHorizontalSpacing(8)
        self._layout.setVerticalSpacing(6)
        self._chips: dict[int, QLabel] = {}
        self._order: list[int] = []
        self._key: tuple = ()
        self._per_row = self.MAX_PER_ROW

    def update_counts(self, services: Sequence[ServiceInfo], counts: dict[int, tuple[int, float]],
                      mine: Iterable[int]) -> None:
        mine = set(mine)
        key = tuple((s.id, s.prefix, s.color) for s in services)
        if key != self._key:
            for chip in self._chips.values():
                chip.deleteLater()
            self._chips = {}
            for s in services:
                chip = QLabel(self)
                chip.setObjectName(f"count_{s.prefix}")
                chip.setFont(theme.font(theme.SIZE_SMALL))
                chip.setTextFormat(Qt.TextFormat.PlainText)
                chip.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
                chip.setMinimumWidth(60)
                self._chips[s.id] = chip
            self._order = [s.id for s in services]
            self._key = key
            self._per_row = 0  # lay out afresh
        for s in services:
            chip = self._chips[s.id]
            n, longest = counts.get(s.id, (0, 0.0))
            c = theme.service_colors(s.color)
            line1 = f"{s.prefix} · {waiting_count_text(n)}"
            line2 = _("langste {wait}").format(wait=format_wait(longest)) if n else _("niemand")
            chip.setText(f"{line1}\n{line2}")
            chip.setAccessibleName(f"{s.name}: {line1}, {line2}")
            chip.setToolTip(f"{s.prefix}  {s.name}\n{line1}, {line2}"
                            + ("\n" + _("U doet deze dienst.") if s.id in mine else ""))
            # One width for every chip whatever its numbers: the flow does not jump as times change.
            border = f"{3 if s.id in mine else 1}px solid {c.fill}"
            weight = "bold" if s.id in mine else "normal"
            chip.setStyleSheet(
                f"QLabel {{ background: {c.tint}; color: {c.tint_text}; border: {border};"
                f" border-left: 8px solid {c.fill}; border-radius: 6px; padding: 3px 6px; font-weight: {weight}; }}"
            )
        self._reflow()

    #: The longest a chip's lines get (up to 99 waiting, waits up to 9 hours).
    WIDEST = ("A · 99 wachtenden", "langste 9 uur 59 min")

    def chip_width(self) -> int:
        """The width a chip needs for the longest text it can get (bold, with its borders and padding)."""
        metrics = QFontMetrics(theme.font(theme.SIZE_SMALL, bold=True))
        return max(metrics.horizontalAdvance(line) for line in self.WIDEST) + 8 + 3 + 12 + 4

    def _reflow(self) -> None:
        if not self._chips:
            return
        spacing = self._layout.horizontalSpacing()
        fit = (max(self.width(), 1) + spacing) // (self.chip_width() + spacing)
        per_row = max(1, min(self.MAX_PER_ROW, len(self._order), fit))
        if per_row == self._per_row:
            return
        self._per_row = per_row
        for sid in self._order:
            self._layout.removeWidget(self._chips[sid])
        for i, sid in enumerate(self._order):
            self._layout.addWidget(self._chips[sid], i // per_row, i % per_row)
        for col in range(self.MAX_PER_ROW):
            self._layout.setColumnStretch(col, 1 if col < per_row else 0)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._reflow()

    def minimumSizeHint(self):  # noqa: N802 - Qt API
        hint = super().minimumSizeHint()
        hint.setWidth(min(hint.width(), self.chip_width()))
        return hint

    def chip_text(self, service_id: int) -> str:
        chip = self._chips.get(service_id)
        return chip.text() if chip else ""

    def chip(self, service_id: int) -> QLabel | None:
        return self._chips.get(service_id)


class WaitingPanel(QFrame):
    only_mine_changed = Signal(bool)
    #: The clerk wants this waiting number now (double-click, Enter, context menu).
    call_requested = Signal(object)

    ROW_HEIGHT = 36

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "panel")
        self.setObjectName("waitingPanel")
        title = QLabel(_("Wachtrij"), self)
        title.setFont(theme.font(theme.SIZE_LARGE, bold=True))
        self.summary_label = QLabel("", self)
        self.summary_label.setProperty("role", "muted")
        self.only_mine = QCheckBox(_("Alleen mijn diensten"), self)
        self.only_mine.setChecked(True)
        self.only_mine.toggled.connect(self.only_mine_changed)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(self.summary_label, 1)
        top.addWidget(self.only_mine)
        self.counts = ServiceCounts(self)
        self.model = WaitingModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("waitingTable")
        self.table.setAccessibleName(_("Wachtrij"))
        self.table.setAccessibleDescription(_("Dubbelklik op een nummer of druk op Enter om het op te roepen."))
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.ROW_HEIGHT)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.doubleClicked.connect(lambda index: self._request(index.row()))
        self.table.activated.connect(lambda index: self._request(index.row()))
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        hh.resizeSection(0, 100)
        hh.setHighlightSections(False)
        self.empty_label = QLabel(_("Er wacht nu niemand."), self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setProperty("role", "muted")
        self.empty_label.setFont(theme.font(theme.SIZE_LARGE))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 12)
        lay.setSpacing(8)
        lay.addLayout(top)
        lay.addWidget(self.counts)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.empty_label)
        self.empty_label.hide()
        self.menu: QMenu | None = None  # the last context menu (tests trigger its action)

    def set_empty(self, empty: bool, text: str) -> None:
        self.empty_label.setText(text)
        self.empty_label.setVisible(empty)

    def _request(self, row: int) -> None:
        ticket = self.model.ticket_at(row)
        if ticket is not None:
            self.call_requested.emit(ticket)

    def context_menu_for(self, row: int) -> QMenu | None:
        """The row's menu ("Dit nummer oproepen"), or None for no row."""
        ticket = self.model.ticket_at(row)
        if ticket is None:
            return None
        menu = QMenu(self.table)
        action = menu.addAction(_("Nummer {number} nu oproepen").format(number=ticket.display_number))
        action.setObjectName("callThisNumber")
        action.triggered.connect(lambda: self.call_requested.emit(ticket))
        self.menu = menu
        return menu

    def _context_menu(self, pos: QPoint) -> None:
        menu = self.context_menu_for(self.table.indexAt(pos).row())
        if menu is not None:
            menu.popup(self.table.viewport().mapToGlobal(pos))

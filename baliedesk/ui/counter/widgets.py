"""Building blocks of the counter window: message bar, header, visitor panel,
waiting list, other counters, "Mijn diensten" and the sign-in panel.

They only show what they are given and emit signals; every database call is
made by :mod:`baliedesk.ui.counter.window` through ``run_task``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from baliedesk.domain.tickets import PriorityClass, TicketState
from baliedesk.i18n import _, ngettext
from baliedesk.services.dto import CounterInfo, ServiceInfo, TicketInfo, UserInfo, WaitingTicket
from baliedesk.ui.common import theme


# ---------------------------------------------------------------------------
# formatting
# ---------------------------------------------------------------------------
def format_wait(seconds: float) -> str:
    """A waiting time the B1 way: "minder dan 1 min", "12 min", "1 uur 5 min"."""
    minutes = max(0, int(seconds // 60))
    if minutes < 1:
        return _("minder dan 1 min")
    if minutes < 60:
        return _("{m} min").format(m=minutes)
    return _("{h} uur {m} min").format(h=minutes // 60, m=minutes % 60)


def local_time(moment: dt.datetime | None, timezone: str | None) -> str:
    if moment is None:
        return ""
    try:
        zone = ZoneInfo(timezone) if timezone else None
    except (ValueError, KeyError):
        zone = None
    return moment.astimezone(zone).strftime("%H:%M")


STATE_TEXT = {
    TicketState.CALLED.value: "Opgeroepen. De bezoeker komt eraan.",
    TicketState.SERVING.value: "Aan de balie.",
    TicketState.WAITING.value: "Wacht in de rij.",
    TicketState.FINISHED.value: "Afgerond.",
    TicketState.NO_SHOW.value: "Niet gekomen.",
    TicketState.CANCELLED.value: "Vervallen.",
}

SHORT_STATE = {
    TicketState.CALLED.value: "opgeroepen",
    TicketState.SERVING.value: "aan de balie",
}


def _set_role(widget: QWidget, role: str) -> None:
    widget.setProperty("role", role)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


# ---------------------------------------------------------------------------
# message bar
# ---------------------------------------------------------------------------
class MessageBar(QFrame):
    """One calm, non-modal message at the top of the window. Errors stay until
    closed or replaced; good news and hints go away by themselves."""

    KINDS = {
        "error": (theme.ERROR, theme.ERROR_BG),
        "warning": (theme.WARNING, theme.WARNING_BG),
        "info": (theme.PRIMARY, theme.lighter(theme.PRIMARY, 0.9)),
        "success": (theme.SUCCESS, theme.SUCCESS_BG),
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.kind = ""
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setFont(theme.font(theme.SIZE_BODY + 1, bold=True))
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QPushButton(_("Sluiten"), self)
        self.close_button.setAccessibleName(_("Melding sluiten"))
        self.close_button.clicked.connect(self.clear)
        self.close_button.setStyleSheet("QPushButton { padding: 4px 14px; min-height: 20px; }")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(14, 4, 6, 4)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)
        self.hide()

    def text(self) -> str:
        return self.label.text() if self.isVisibleTo(self.parentWidget()) else ""

    def show_message(self, text: str, kind: str = "error", *, timeout_s: float | None = None) -> None:
        fg, bg = self.KINDS.get(kind, self.KINDS["error"])
        self.kind = kind
        self.setStyleSheet(
            f"#messageBar {{ background: {bg}; border: 2px solid {fg}; border-radius: {theme.RADIUS}px; }}"
            f"#messageBar QLabel {{ color: {fg}; }}"
        )
        self.label.setText(text)
        self.label.setAccessibleName(text)
        self._timer.stop()
        if timeout_s is None and kind in ("info", "success"):
            timeout_s = 8.0
        if timeout_s:
            self._timer.start(int(timeout_s * 1000))
        self.show()

    def clear(self) -> None:
        self._timer.stop()
        self.kind = ""
        self.label.clear()
        self.hide()


# ---------------------------------------------------------------------------
# header
# ---------------------------------------------------------------------------
class Header(QFrame):
    sign_out_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "header")
        self.setObjectName("counterHeader")
        self.counter_label = QLabel(_("BalieDesk"), self)
        self.counter_label.setFont(theme.font(theme.SIZE_TITLE, bold=True))
        self.user_label = QLabel("", self)
        self.user_label.setFont(theme.font(theme.SIZE_LARGE))
        # Today's opening hours ("Vandaag open tot 19.30 uur"); hidden without a schedule.
        self.hours_label = QLabel("", self)
        self.hours_label.setObjectName("hours")
        self.hours_label.setFont(theme.font(theme.SIZE_BODY, bold=True))
        self.hours_label.setAccessibleName(_("Openingstijden vandaag"))
        self.hours_label.hide()
        self.connection_label = QLabel(_("Verbinden …"), self)
        self.connection_label.setFont(theme.font(theme.SIZE_BODY, bold=True))
        self.connection_label.setObjectName("connection")
        self.clock_label = QLabel("", self)
        self.clock_label.setFont(theme.font(theme.SIZE_TITLE, bold=True))
        self.clock_label.setAccessibleName(_("Klok"))
        self.sign_out_button = QPushButton(_("Afmelden"), self)
        self.sign_out_button.setObjectName("signOut")
        self.sign_out_button.clicked.connect(self.sign_out_requested)
        self.sign_out_button.hide()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(20, 8, 16, 8)
        lay.setSpacing(20)
        lay.addWidget(self.counter_label)
        lay.addWidget(self.user_label)
        lay.addStretch(1)
        lay.addWidget(self.hours_label)
        lay.addWidget(self.connection_label)
        lay.addWidget(self.clock_label)
        lay.addWidget(self.sign_out_button)
        self.connected: bool | None = None
        self.set_connected(None)

    def set_signed_in(self, counter_name: str | None, user_name: str | None) -> None:
        self.counter_label.setText(counter_name or _("BalieDesk"))
        self.user_label.setText(user_name or "")
        self.sign_out_button.setVisible(counter_name is not None)

    def set_connected(self, connected: bool | None) -> None:
        self.connected = connected
        if connected is None:
            text, dot = _("Verbinden …"), theme.lighter(theme.WARNING, 0.6)
        elif connected:
            text, dot = _("Verbonden"), "#7DDC9A"
        else:
            text, dot = _("Verbinding wordt hersteld …"), "#FFC857"
        self.connection_label.setAccessibleName(text)
        # The dot carries the colour; the words carry the meaning (white on the header).
        self.connection_label.setStyleSheet(f"QLabel#connection {{ color: {theme.ON_PRIMARY}; }}")
        self.connection_label.setText(f'<span style="color:{dot}">●</span>&nbsp; {text}')

    def set_clock(self, text: str) -> None:
        self.clock_label.setText(text)

    def set_hours(self, text: str | None) -> None:
        """Today's hours in one line, or None (no schedule, or signed out): hidden."""
        self.hours_label.setText(text or "")
        self.hours_label.setVisible(bool(text))


# ---------------------------------------------------------------------------
# current visitor
# ---------------------------------------------------------------------------
def action_button(text: str, keys: str, *, name: str) -> QPushButton:
    """A button that shows its keyboard shortcut under its label."""
    b = QPushButton(f"{text}\n{keys}")
    b.setObjectName(name)
    b.setAccessibleName(text)
    b.setToolTip(_("{action} (toets: {keys})").format(action=text, keys=keys))
    b.setMinimumHeight(56)
    b.setFont(theme.font(theme.SIZE_BODY, bold=True))
    b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return b


class VisitorPanel(QFrame):
    """The visitor this counter holds: number very large, service, state, waited, recalls;
    and the action buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("visitorPanel")
        self.setProperty("role", "panel")
        self.setAccessibleName(_("Uw bezoeker"))
        self.number_label = QLabel("—", self)
        self.number_label.setObjectName("visitorNumber")
        self.number_label.setFont(theme.font(60, bold=True))
        self.number_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.number_label.setMinimumHeight(90)
        self.service_label = QLabel("", self)
        self.service_label.setObjectName("visitorService")
        self.service_label.setFont(theme.font(theme.SIZE_LARGE, bold=True))
        self.service_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.service_label.setMinimumHeight(36)
        self.state_label = QLabel("", self)
        self.state_label.setObjectName("visitorState")
        self.state_label.setFont(theme.font(theme.SIZE_LARGE))
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state_label.setWordWrap(True)
        self.details_label = QLabel("", self)
        self.details_label.setObjectName("visitorDetails")
        self.details_label.setProperty("role", "muted")
        self.details_label.setFont(theme.font(theme.SIZE_BODY))
        self.details_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.details_label.setWordWrap(True)

        self.next_button = QPushButton(_("Volgende") + "\n" + _("F1  ·  Ctrl+Spatie"))
        self.next_button.setObjectName("nextButton")
        self.next_button.setAccessibleName(_("Volgende bezoeker oproepen"))
        self.next_button.setToolTip(_("Roep de volgende bezoeker op (F1 of Ctrl+Spatie)"))
        self.next_button.setProperty("role", "primary")
        self.next_button.setFont(theme.font(theme.SIZE_TITLE, bold=True))
        self.next_button.setMinimumHeight(76)
        self.next_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

        self.recall_button = action_button(_("Opnieuw oproepen"), "F2", name="recallButton")
        self.start_button = action_button(_("Klant is er"), "F3", name="startButton")
        self.no_show_button = action_button(_("Niet gekomen"), "F4", name="noShowButton")
        self.requeue_button = action_button(_("Terug in de rij"), "F5", name="requeueButton")
        self.transfer_button = action_button(_("Doorsturen"), "F6", name="transferButton")
        self.finish_button = action_button(_("Afronden"), "Ctrl+Enter", name="finishButton")
        self.finish_button.setProperty("role", "primary")
        self.no_show_hint = QLabel("", self)
        self.no_show_hint.setProperty("role", "muted")
        self.no_show_hint.setWordWrap(True)
        self.no_show_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(10)
        for i, button in enumerate((self.recall_button, self.start_button, self.no_show_button,
                                    self.requeue_button, self.transfer_button, self.finish_button)):
            grid.addWidget(button, i // 3, i % 3)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 16)
        lay.setSpacing(6)
        lay.addWidget(self.number_label)
        lay.addWidget(self.service_label)
        lay.addWidget(self.state_label)
        lay.addWidget(self.details_label)
        lay.addStretch(1)
        lay.addWidget(self.next_button)
        lay.addSpacing(6)
        lay.addLayout(grid)
        lay.addWidget(self.no_show_hint)
        self.show_ticket(None, 0, None, "")

    #: The number grows with the panel: this many pixels at this panel height, up to the maximum.
    NUMBER_PX, NUMBER_PX_MAX, NUMBER_AT_HEIGHT = 100, 180, 545

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        px = int(max(60, min(self.NUMBER_PX_MAX, self.NUMBER_PX + (self.height() - self.NUMBER_AT_HEIGHT) * 0.5)))
        f = self.number_label.font()
        if f.pixelSize() != px:
            f.setPixelSize(px)
            self.number_label.setFont(f)
            self.number_label.setMinimumHeight(int(px * 1.15))

    def show_ticket(self, ticket: TicketInfo | None, no_show_after: int, now: dt.datetime | None,
                    timezone: str | None) -> None:
        if ticket is None:
            self.number_label.setText("—")
            self.number_label.setAccessibleName(_("Geen bezoeker"))
            self.service_label.setText("")
            self.service_label.setStyleSheet("")
            self.state_label.setText(_("U heeft nu geen bezoeker."))
            self.details_label.setText(_("Druk op Volgende (F1) om de volgende bezoeker op te roepen."))
            return
        self.number_label.setText(ticket.display_number)
        self.number_label.setAccessibleName(_("Nummer {number}").format(number=ticket.display_number))
        self.service_label.setText(f"{ticket.service_prefix} · {ticket.service_name}")
        self.state_label.setText(_(STATE_TEXT.get(ticket.state, ticket.state)))
        self.details_label.setText(self._details(ticket, now, timezone))

    def set_service_color(self, color: str | None) -> None:
        if not color:
            self.service_label.setStyleSheet("")
            return
        c = theme.service_colors(color)
        self.service_label.setStyleSheet(
            f"QLabel#visitorService {{ background: {c.fill}; color: {c.text}; border-radius: {theme.RADIUS}px;"
            f" padding: 4px 12px; }}"
        )

    @staticmethod
    def _details(ticket: TicketInfo, now: dt.datetime | None, timezone: str | None) -> str:
        parts = []
        called = ticket.called_at
        if called is not None:
            waited = (called - ticket.arrived_at).total_seconds()
            parts.append(_("Wachtte {wait}").format(wait=format_wait(waited)))
            parts.append(_("opgeroepen om {time}").format(time=local_time(called, timezone)))
        if ticket.recall_count:
            parts.append(ngettext("{n} keer opnieuw opgeroepen", "{n} keer opnieuw opgeroepen",
                                  ticket.recall_count).format(n=ticket.recall_count))
        else:
            parts.append(_("nog niet opnieuw opgeroepen"))
        if ticket.priority_class < PriorityClass.WALK_IN:
            parts.append(_("met voorrang"))
        first = "  ·  ".join(parts[:2])
        rest = "  ·  ".join(parts[2:])
        return f"{first}\n{rest}" if first else rest


# ---------------------------------------------------------------------------
# waiting list
# ---------------------------------------------------------------------------
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
        self.now_ms = 0
        self._number_font = theme.font(theme.SIZE_LARGE, bold=True)

    def set_rows(self, rows: Sequence[WaitingTicket], services: dict[int, ServiceInfo], counter_id: int | None,
                 now_ms: int) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.services = services
        self.counter_id = counter_id
        self.now_ms = now_ms
        self.endResetModel()

    def tick(self, now_ms: int) -> None:
        self.now_ms = now_ms
        if self.rows:
            self.dataChanged.emit(self.index(0, self.WAIT_COLUMN), self.index(len(self.rows) - 1, self.WAIT_COLUMN),
                                  [Qt.ItemDataRole.DisplayRole])

    def numbers(self) -> list[str]:
        return [w.ticket.number for w in self.rows]

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
                text = t.service_name
                if t.target_counter_id is not None:
                    text += "  ·  " + (_("voor deze balie") if t.target_counter_id == self.counter_id
                                       else _("voor {counter}").format(counter=self._counter_name(t)))
                if t.priority_class < PriorityClass.WALK_IN:
                    text += "  ·  " + _("voorrang")
                return text
            if col == 2:
                return format_wait(self.waited_s(index.row()))
            if col == 3:
                return str(w.position)
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
    """Per service, above the list: how many wait and the longest wait."""

    PER_ROW = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setHorizontalSpacing(8)
        self._layout.setVerticalSpacing(6)
        self._chips: dict[int, QLabel] = {}
        self._key: tuple = ()

    def update_counts(self, services: Sequence[ServiceInfo], counts: dict[int, tuple[int, float]],
                      mine: Iterable[int]) -> None:
        mine = set(mine)
        key = tuple((s.id, s.prefix, s.color) for s in services)
        if key != self._key:
            for chip in self._chips.values():
                chip.deleteLater()
            self._chips = {}
            for i, s in enumerate(services):
                chip = QLabel(self)
                chip.setObjectName(f"count_{s.prefix}")
                chip.setFont(theme.font(theme.SIZE_BODY))
                chip.setTextFormat(Qt.TextFormat.PlainText)
                chip.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
                chip.setMinimumWidth(60)
                self._layout.addWidget(chip, i // self.PER_ROW, i % self.PER_ROW)
                self._chips[s.id] = chip
            self._key = key
        for s in services:
            chip = self._chips[s.id]
            n, longest = counts.get(s.id, (0, 0.0))
            c = theme.service_colors(s.color)
            line1 = ngettext("{prefix}  ·  {n} wacht", "{prefix}  ·  {n} wachten", n).format(prefix=s.prefix, n=n)
            line2 = _("langste {wait}").format(wait=format_wait(longest)) if n else _("niemand")
            chip.setText(f"{line1}\n{line2}")
            chip.setAccessibleName(f"{s.name}: {line1}, {line2}")
            chip.setToolTip(f"{s.prefix}  {s.name}\n{line1}, {line2}"
                            + ("\n" + _("U doet deze dienst.") if s.id in mine else ""))
            border = f"2px solid {c.fill}"
            weight = "bold" if s.id in mine else "normal"
            chip.setStyleSheet(
                f"QLabel {{ background: {c.tint}; color: {c.tint_text}; border: {border};"
                f" border-left: 10px solid {c.fill}; border-radius: 6px; padding: 4px 8px; font-weight: {weight}; }}"
            )

    def chip_text(self, service_id: int) -> str:
        chip = self._chips.get(service_id)
        return chip.text() if chip else ""


class WaitingPanel(QFrame):
    only_mine_changed = Signal(bool)

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
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(40)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        hh.resizeSection(0, 110)
        hh.setHighlightSections(False)
        self.empty_label = QLabel(_("Er wacht nu niemand."), self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setProperty("role", "muted")
        self.empty_label.setFont(theme.font(theme.SIZE_LARGE))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 16)
        lay.setSpacing(8)
        lay.addLayout(top)
        lay.addWidget(self.counts)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.empty_label)
        self.empty_label.hide()

    def set_empty(self, empty: bool, text: str) -> None:
        self.empty_label.setText(text)
        self.empty_label.setVisible(empty)


# ---------------------------------------------------------------------------
# other counters
# ---------------------------------------------------------------------------
class CountersPanel(QFrame):
    """Who is at which counter and which number they hold. A teamleider can free
    a visitor held by a counter that is gone."""

    release_requested = Signal(object, object)  # TicketInfo, CounterInfo

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "panel")
        self.setObjectName("countersPanel")
        title = QLabel(_("Balies"), self)
        title.setFont(theme.font(theme.SIZE_LARGE, bold=True))
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("countersTable")
        self.table.setAccessibleName(_("Balies"))
        self.table.setHorizontalHeaderLabels([_("Balie"), _("Wie"), _("Nummer"), ""])
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(40)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setShowGrid(False)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        hh.setHighlightSections(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 16)
        lay.setSpacing(8)
        lay.addWidget(title)
        lay.addWidget(self.table, 1)
        self._key: tuple = ()
        self.release_buttons: dict[int, QPushButton] = {}  # ticket id -> button

    def update_counters(self, counters: Sequence[CounterInfo], held: Sequence[TicketInfo], my_counter_id: int | None,
                        can_release: bool, timezone: str | None) -> None:
        counters = [c for c in counters if c.active]
        by_counter: dict[int, TicketInfo] = {}
        for t in held:
            if t.counter_id is not None:
                by_counter.setdefault(t.counter_id, t)
        key = (tuple(counters), tuple(held), my_counter_id, can_release)
        if key == self._key:
            return
        self._key = key
        self.release_buttons = {}
        self.table.setRowCount(len(counters))
        for row, c in enumerate(counters):
            mine = c.id == my_counter_id
            name = c.display_name + ("  " + _("(u)") if mine else "")
            if c.signed_in_user_name and not c.gone:
                who = c.signed_in_user_name
            elif c.signed_in_user_name:
                who = _("{name}, niet meer actief sinds {time}").format(
                    name=c.signed_in_user_name, time=local_time(c.last_seen_at, timezone))
            else:
                who = _("niemand")
            t = by_counter.get(c.id)
            number = f"{t.display_number}  ({_(SHORT_STATE.get(t.state, t.state))})" if t else "—"
            for col, text in enumerate((name, who, number)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if mine:
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                if col == 1 and c.signed_in_user_name and c.gone:
                    item.setForeground(QColor(theme.WARNING))
                self.table.setItem(row, col, item)
            self.table.removeCellWidget(row, 3)
            self.table.setItem(row, 3, QTableWidgetItem(""))
            if can_release and t is not None and not mine:
                button = QPushButton(_("Vrijgeven"))
                button.setObjectName(f"release_{t.number}")
                button.setAccessibleName(_("Nummer {number} vrijgeven").format(number=t.display_number))
                button.setToolTip(_("Zet nummer {number} terug vooraan in de rij.").format(number=t.display_number))
                button.clicked.connect(lambda _checked=False, t=t, c=c: self.release_requested.emit(t, c))
                self.table.setCellWidget(row, 3, button)
                self.release_buttons[t.id] = button
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(2)


# ---------------------------------------------------------------------------
# my services
# ---------------------------------------------------------------------------
class ServicesPanel(QFrame):
    """"Mijn diensten": which services this counter serves."""

    changed = Signal(list)  # service ids

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "panel")
        self.setObjectName("servicesPanel")
        title = QLabel(_("Mijn diensten"), self)
        title.setFont(theme.font(theme.SIZE_LARGE, bold=True))
        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(16)
        self._grid.setVerticalSpacing(4)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 10, 16, 10)
        lay.setSpacing(4)
        lay.addWidget(title)
        lay.addLayout(self._grid)
        self.boxes: dict[int, QCheckBox] = {}
        self._key: tuple = ()

    def set_services(self, services: Sequence[ServiceInfo], selected: Iterable[int]) -> None:
        services = [s for s in services if s.active]
        key = tuple((s.id, s.prefix, s.name) for s in services)
        if key != self._key:
            for box in self.boxes.values():
                box.deleteLater()
            self.boxes = {}
            for i, s in enumerate(services):
                box = QCheckBox(f"{s.prefix}  {s.name}", self)
                box.setObjectName(f"service_{s.prefix}")
                c = theme.service_colors(s.color)
                box.setStyleSheet(f"QCheckBox {{ padding: 4px; border-left: 8px solid {c.fill}; padding-left: 8px; }}"
                                  f" QCheckBox::indicator {{ width: 22px; height: 22px; }}")
                box.setMinimumHeight(32)
                box.toggled.connect(self._emit)
                columns = 2
                self._grid.addWidget(box, i // columns, i % columns)
                self.boxes[s.id] = box
            self._key = key
        self.set_selected(selected)

    def set_selected(self, selected: Iterable[int]) -> None:
        selected = set(selected)
        for sid, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(sid in selected)
            box.blockSignals(False)

    def selected(self) -> list[int]:
        return sorted(sid for sid, box in self.boxes.items() if box.isChecked())

    def _emit(self) -> None:
        self.changed.emit(self.selected())


# ---------------------------------------------------------------------------
# sign-in
# ---------------------------------------------------------------------------
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
        title = QLabel(_("Aanmelden bij de balie"), card)
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
        self.sign_in_button = QPushButton(_("Aanmelden"), card)
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

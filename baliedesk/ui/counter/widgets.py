"""Building blocks of the counter window: message bar, header, visitor panel,
waiting list, other counters, "Mijn diensten" and the sign-in panel.

They only show what they are given and emit signals; every database call is
made by :mod:`baliedesk.ui.counter.window` through ``run_task``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from baliedesk.domain.tickets import PriorityClass, TicketState
from baliedesk.i18n import _, ngettext
from baliedesk.services.dto import CounterInfo, ServiceInfo, TicketInfo
from baliedesk.ui.common import theme
from baliedesk.ui.counter.timefmt import format_wait, local_time  # noqa: F401 - used here and re-exported
from baliedesk.ui.counter.waiting import (  # noqa: F401 - the waiting list, re-exported
    ServiceCounts,
    WaitingModel,
    WaitingPanel,
    appointment_text,
)


# ---------------------------------------------------------------------------
# formatting
# ---------------------------------------------------------------------------
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
        self.connection = False  # the message is about a lost connection
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

    def show_message(self, text: str, kind: str = "error", *, timeout_s: float | None = None,
                     connection: bool = False) -> None:
        """``connection``: the message is about a lost connection (cleared when it comes back)."""
        fg, bg = self.KINDS.get(kind, self.KINDS["error"])
        self.kind = kind
        self.connection = connection
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
        self.connection = False
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
        self.sign_out_button = QPushButton(_("Uitloggen"), self)
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
        self.optional_buttons: tuple[QWidget, ...] = ()  # set by the window ("Kleine balk", "Instellingen")
        self._narrow = 0  # 0: everything; 1: connection as a dot; 2: no user name either
        self.set_connected(None)

    def set_signed_in(self, counter_name: str | None, user_name: str | None) -> None:
        self.counter_label.setText(counter_name or _("BalieDesk"))
        self.user_label.setText(user_name or "")
        self.counter_label.setToolTip(user_name or "")
        self.sign_out_button.setVisible(counter_name is not None)
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """A narrow window (half a screen) drops what can go first, never "Uitloggen" or the clock:
        the connection's words (its dot stays, the words in its tooltip), then the person's name."""
        lay = self.layout()
        for level in range(3):
            self._apply_narrow(level)
            lay.activate()
            if lay.sizeHint().width() <= self.width() or level == 2:
                return

    def _apply_narrow(self, level: int) -> None:
        if level == self._narrow:
            return
        self._narrow = level
        self.layout().setSpacing(20 if level == 0 else 12)
        self.user_label.setVisible(level < 2)
        self.set_connected(self.connected)

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
        self.connection_label.setToolTip(text)
        words = f"&nbsp; {text}" if self._narrow == 0 else ""
        self.connection_label.setText(f'<span style="color:{dot}">●</span>{words}')

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
        self.start_button = action_button(_("Bezoeker is er"), "F3", name="startButton")
        self.no_show_button = action_button(_("Niet gekomen"), "F4", name="noShowButton")
        self.requeue_button = action_button(_("Terug in de rij"), "F5", name="requeueButton")
        self.transfer_button = action_button(_("Doorsturen"), "F6", name="transferButton")
        self.finish_button = action_button(_("Afronden"), "Ctrl+Enter", name="finishButton")
        self.finish_button.setProperty("role", "primary")
        self.no_show_hint = QLabel("", self)
        self.no_show_hint.setProperty("role", "muted")
        self.no_show_hint.setWordWrap(True)
        self.no_show_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)

        # "Toch gekomen" right after F4 (for a while), and the floor's other ways to call.
        self.undo_button = QPushButton("", self)
        self.undo_button.setObjectName("undoNoShowButton")
        self.undo_button.setMinimumHeight(44)
        self.undo_button.setFont(theme.font(theme.SIZE_BODY, bold=True))
        self.undo_button.hide()
        # "Meer" beside Volgende: the less frequent ways to call (each with its own key).
        self.more_button = QPushButton(_("Meer"), self)
        self.more_button.setObjectName("moreButton")
        self.more_button.setAccessibleName(_("Meer manieren om op te roepen"))
        self.more_button.setToolTip(_("Nummer oproepen (Ctrl+N), nummer voor bezoeker aan de balie (Ctrl+B), "
                                      "toch gekomen (Ctrl+G)"))
        self.more_button.setFont(theme.font(theme.SIZE_BODY, bold=True))
        self.more_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.more_menu = QMenu(self.more_button)
        self.call_number_action = self.more_menu.addAction(_("Nummer oproepen…"))
        self.call_number_action.setShortcut(QKeySequence("Ctrl+N"))
        self.desk_ticket_action = self.more_menu.addAction(_("Nummer voor bezoeker aan de balie…"))
        self.desk_ticket_action.setShortcut(QKeySequence("Ctrl+B"))
        self.no_shows_action = self.more_menu.addAction(_("Toch gekomen…"))
        self.no_shows_action.setShortcut(QKeySequence("Ctrl+G"))
        for action in self.more_menu.actions():
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the window owns the keys
        self.more_button.setMenu(self.more_menu)
        self._buttons = (self.recall_button, self.start_button, self.no_show_button,
                         self.requeue_button, self.transfer_button, self.finish_button)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(8)
        self._grid = grid
        self._columns = 0
        self._lay_out_buttons(3)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 16)
        lay.setSpacing(6)
        lay.addWidget(self.number_label)
        lay.addWidget(self.service_label)
        lay.addWidget(self.state_label)
        lay.addWidget(self.details_label)
        lay.addStretch(1)
        next_row = QHBoxLayout()
        next_row.setSpacing(8)
        next_row.addWidget(self.next_button, 1)
        next_row.addWidget(self.more_button)
        lay.addLayout(next_row)
        lay.addSpacing(6)
        lay.addLayout(grid)
        lay.addWidget(self.no_show_hint)
        lay.addWidget(self.undo_button)
        self.show_ticket(None, 0, None, "")

    def _lay_out_buttons(self, columns: int) -> None:
        """Three buttons a row, or two where three would cut their words off."""
        if columns == self._columns:
            return
        self._columns = columns
        for button in self._buttons:
            self._grid.removeWidget(button)
        for i, button in enumerate(self._buttons):
            self._grid.addWidget(button, i // columns, i % columns)

    def buttons_fit(self, columns: int) -> bool:
        """Whether every button's text fits when ``columns`` share the panel's width."""
        inner = self.width() - 32 - 8 * (columns - 1)
        return inner // columns >= max(self.text_width(b) for b in self._buttons) + 14

    @staticmethod
    def text_width(button: QPushButton) -> int:
        """The widest line of a button's text, in pixels."""
        metrics = button.fontMetrics()
        return max(metrics.horizontalAdvance(line) for line in button.text().split("\n"))

    #: The number grows with the panel: this many pixels at this panel height, up to the maximum.
    NUMBER_PX, NUMBER_PX_MAX, NUMBER_AT_HEIGHT = 100, 180, 545

    #: Below this panel height the panel is "short": Volgende on one line, lower buttons.
    SHORT_BELOW = 560

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._lay_out_buttons(3 if self.buttons_fit(3) else 2)
        short = self.height() < self.SHORT_BELOW
        text = _("Volgende  (F1)") if short else _("Volgende") + "\n" + _("F1  ·  Ctrl+Spatie")
        if self.next_button.text() != text:
            self.next_button.setText(text)
            self.next_button.setMinimumHeight(52 if short else 76)
            for b in self._buttons:
                b.setMinimumHeight(44 if short else 56)
            self.state_label.setFont(theme.font(theme.SIZE_BODY if short else theme.SIZE_LARGE))
            self.service_label.setMinimumHeight(28 if short else 36)
        px = int(max(60, min(self.NUMBER_PX_MAX, self.NUMBER_PX + (self.height() - self.NUMBER_AT_HEIGHT) * 0.5)))
        if short:
            px = 52
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
        appointment = appointment_text(ticket, timezone)
        if appointment is not None:
            parts.append(appointment)
        elif ticket.priority_class < PriorityClass.WALK_IN:
            parts.append(_("met voorrang"))
        first = "  ·  ".join(parts[:2])
        rest = "  ·  ".join(parts[2:])
        return f"{first}\n{rest}" if first else rest


# ---------------------------------------------------------------------------
# other counters
# ---------------------------------------------------------------------------
class CountersPanel(QFrame):
    """Who is at which counter and which number they hold. A teamleider can free
    a visitor held by a counter that is gone."""

    release_requested = Signal(object, object)  # TicketInfo, CounterInfo

    ROW_HEIGHT = 34
    #: As many rows as counters, up to this many (then it scrolls): the waiting list gets the rest.
    MAX_ROWS = 5

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
        self.table.verticalHeader().setDefaultSectionSize(self.ROW_HEIGHT)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setShowGrid(False)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        hh.setHighlightSections(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 12)
        lay.setSpacing(6)
        lay.addWidget(title)
        lay.addWidget(self.table)
        self._fit_rows(3)
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
        self._fit_rows(len(counters))

    def _fit_rows(self, rows: int) -> None:
        shown = max(1, min(rows, self.MAX_ROWS))
        header = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(header + shown * self.ROW_HEIGHT + 2 * self.table.frameWidth() + 2)


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
                box.setProperty("fullText", box.text())
                box.setToolTip(s.name)
                box.setAccessibleName(f"{s.prefix} {s.name}")
                box.toggled.connect(self._emit)
                columns = 2
                self._grid.addWidget(box, i // columns, i % columns)
                self.boxes[s.id] = box
            self._key = key
            self._elide()
        self.set_selected(selected)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        """A narrow panel shortens long names with "…" (the whole name is in the tooltip)."""
        room = (self.width() - 32 - self._grid.horizontalSpacing()) // 2 - 56
        for box in self.boxes.values():
            full = box.property("fullText") or box.text()
            box.setText(box.fontMetrics().elidedText(full, Qt.TextElideMode.ElideRight, max(room, 40)))

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


from baliedesk.ui.counter.signin_panel import SignInPanel  # noqa: E402,F401 - re-exported

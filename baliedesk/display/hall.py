"""The hall screen (wachtrijscherm): the TV in the waiting hall.

    +--------------------------------------------------------------+
    | [logo] Gemeente Loppersum                              10:42 |
    |        Vandaag open tot 19.30 uur                      datum |
    +-----------------------------------+--------------------------+
    | Nu aan de beurt                   | Eerder opgeroepen        |
    | +-------------------------------+ | B 012          Balie 1   |
    | |            A 023              | | C 004          Balie 2   |
    | |          -> Balie 3           | | ...                      |
    | +-------------------------------+ |                          |
    +-----------------------------------+--------------------------+
    | [A] Paspoort en ID-kaart  | [B] Rijbewijs | ...               |
    |     5 wachtenden, ...     |               |                   |
    +--------------------------------------------------------------+
    | message line                        Verbinding wordt hersteld |
    +--------------------------------------------------------------+

Every size is a fraction of the window height, so the same screen reads from
ten metres on a 720p TV and on a 4K one; no text is ever clipped (see
:mod:`baliedesk.display.fit`). A new call (and a recall) is shown large on an
amber card for a few seconds, with a chime and, if switched on, a voice.

The screen shows numbers, counter names, service names and counts, never
anything about a person. The database work happens on :class:`HallLink`'s
thread; this widget only draws frozen pictures. ``shown`` is emitted after a
new picture has been painted (for the latency benchmark).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from baliedesk.display import palette as pal
from baliedesk.display.announce import Announcer, HallAnnouncer
from baliedesk.display.config import HallConfig
from baliedesk.display.fit import FitGroup, FitLabel
from baliedesk.client import Client
from baliedesk.display.link import Clock, HallLink, utc_now
from baliedesk.display.model import (
    Announcement,
    CallTracker,
    clock_text,
    date_text,
    floor_message,
    opening_hours_text,
    tile_wait_text,
    waiting_text,
)
from baliedesk.domain.tickets import display_number
from baliedesk.i18n import _

log = logging.getLogger(__name__)

CENTER = Qt.AlignmentFlag.AlignCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

#: How many calls the link reads: enough to catch every call of a burst, far more than are shown.
FETCH_CALLS = 24
#: At most this many calls stand large side by side (the newest first, at the left).
MAX_LARGE = 4
#: The smallest text a visitor must read, as a fraction of the screen height (1/30 and a little room).
READABLE = 0.037
BLINKS = 4           # on/off changes of the amber card when a call is new (well under 3 a second)
BLINK_MS = 450


@dataclass(frozen=True)
class Frame:
    """A picture that has been painted: when (``time.time()``) and which calls it shows."""

    at: float
    calls: tuple[tuple[int, int], ...]  # (ticket id, recall count), the newest first
    newest: tuple[int, int] | None


def _frame(bg: str, name: str) -> QFrame:
    f = QFrame()
    f.setObjectName(name)
    f.setStyleSheet(f"QFrame#{name} {{ background-color: {bg}; border: none; }}")
    f.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
    return f


class _CallCard(QFrame):
    """One large call: the number and, under it, the counter."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self._name = f"card{index}" if index else "card"
        self.setObjectName(self._name)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.number = FitLabel(size=0.22, bold=True, align=CENTER, fg=pal.CARD_TEXT, bg=pal.CARD)
        self.counter = FitLabel(size=0.115, bold=True, align=CENTER, fg=pal.CARD_TEXT, bg=pal.CARD)
        self.lay = QVBoxLayout(self)
        self.lay.addWidget(self.number, 58)
        self.lay.addWidget(self.counter, 42)
        self.set_colors(pal.CARD, pal.CARD_TEXT)

    def set_colors(self, bg: str, fg: str) -> None:
        self.setStyleSheet(f"QFrame#{self._name} {{ background-color: {bg}; border: none; }}")
        self.number.set_colors(fg, bg)
        self.counter.set_colors(fg, bg)


class _ServiceTile(QFrame):
    """One service: its letter in its colour, its name, how many wait, the expected wait."""

    def __init__(self, service: Any) -> None:
        super().__init__()
        self.setObjectName("tile")
        self.setStyleSheet(f"QFrame#tile {{ background-color: {pal.PANEL}; border: none; }}")
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        fill, text = pal.readable(service.color or pal.DEFAULT_BRAND)
        # Every line a visitor reads is at least 1/30 of the screen height (READABLE); the
        # letter sits beside the name and the two count lines use the tile's whole width.
        self.badge = FitLabel(size=0.075, bold=True, align=CENTER, fg=text, bg=fill)
        self.badge.set_full_text(service.prefix)
        self.name = FitLabel(size=READABLE, bold=True, fg=pal.TEXT, bg=pal.PANEL, lines=2)
        self.name.set_full_text(service.name)
        self.waiting = FitLabel(size=READABLE, fg=pal.TEXT, bg=pal.PANEL)
        self.wait = FitLabel(size=READABLE, fg=pal.TEXT_MUTED, bg=pal.PANEL)
        self.row = QGridLayout(self)
        self.row.addWidget(self.badge, 0, 0)
        self.row.addWidget(self.name, 0, 1)
        self.row.addWidget(self.waiting, 1, 0, 1, 2)
        self.row.addWidget(self.wait, 2, 0, 1, 2)
        self.row.setColumnStretch(0, 13)
        self.row.setColumnStretch(1, 87)
        self.row.setRowStretch(0, 50)
        self.row.setRowStretch(1, 25)
        self.row.setRowStretch(2, 25)

    def scale(self, h: int) -> None:
        m = max(2, round(h * 0.01))
        self.row.setContentsMargins(m, m // 2, m, m // 2)
        self.row.setHorizontalSpacing(m)
        self.row.setVerticalSpacing(0)

    def show_queue(self, q: Any, hours: Any = None, today: dt.date | None = None) -> None:
        """``hours``: the service's ``ServiceHours`` today (None: no schedule)."""
        self.waiting.set_full_text(waiting_text(q.waiting))
        self.wait.set_full_text(tile_wait_text(q, hours, today))


class HallScreen(QWidget):
    shown = Signal(object)               # Frame, after it has been painted
    announced = Signal(object)           # Announcement
    connection_changed = Signal(bool)

    def __init__(self, client: Client | None = None, config: HallConfig | None = None, *,
                 announcer: Announcer | None = None, parent: QWidget | None = None) -> None:
        """``client``: the hall PC's door (None: a screen fed by hand, as in the model tests)."""
        super().__init__(parent)
        self.config = config or HallConfig()
        self._clock: Clock = client.now if client is not None else utc_now
        self._announcer = announcer if announcer is not None else HallAnnouncer(
            chime=self.config.chime, speech=self.config.speech, parent=self)
        self._tracker = CallTracker()
        self._snapshot: Any = None   # the last full queue picture
        self._todays_hours: Any = None  # the last TodaysHours (None: not read yet)
        self._location: Any = None
        self._recent: tuple = ()
        self.pictures = 0  # pictures shown so far (quick reads and full ones)
        self.full_pictures = 0  # of which full queue pictures (with the waiting per service)
        self._current: Announcement | None = None
        # The calls shown large, newest first, with the moment (screen clock) this screen saw each.
        self._large: list[tuple[Announcement, dt.datetime]] = []
        self._tz = ZoneInfo("Europe/Amsterdam")
        self._connected = True
        self._problem = ""
        self._frame_pending = False
        self._painted = False
        self._highlighted = False
        self._blinks_left = 0
        self._service_key: tuple = ()
        self._tiles: dict[int, _ServiceTile] = {}
        self._logo_pixmap: QPixmap | None = None
        self.setObjectName("hall")
        self.setStyleSheet(f"QWidget#hall {{ background-color: {pal.BACKGROUND}; }}")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setWindowTitle(_("Wachtrijscherm"))
        self.setMinimumSize(640, 360)
        self._build()
        self._clock_timer = QTimer(self)
        self._clock_timer.timeout.connect(self._tick)
        self._clock_timer.start(1000)
        self._highlight_timer = QTimer(self, singleShot=True)
        self._highlight_timer.timeout.connect(self._end_highlight)
        self._blink_timer = QTimer(self)
        self._blink_timer.timeout.connect(self._blink)
        self._tick()
        self._show_current()
        self._show_notice()

        self.link: HallLink | None = None
        if client is not None:
            self.link = HallLink(client, display_user=self.config.display_user,
                                 location_id=self.config.location_id, fetch_calls=FETCH_CALLS)
            self.link.calls.connect(self.apply_calls)
            self.link.snapshot.connect(self.apply_snapshot)
            self.link.hours.connect(self.apply_hours)
            self.link.connection_changed.connect(self._on_connection)
            self.link.problem.connect(self._on_problem)

    # -- life cycle ----------------------------------------------------------
    def start(self) -> None:
        if self.link is not None and not self.link.isRunning():
            self.link.start()

    def shutdown(self) -> None:
        self._clock_timer.stop()
        if self.link is not None:
            self.link.stop()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.shutdown()
        super().closeEvent(event)

    # -- building ------------------------------------------------------------
    def _build(self) -> None:
        brand, on_brand = pal.readable(self.config.color)
        self._brand = brand
        root = QVBoxLayout(self)
        self._root = root

        # header: logo, municipality, (opening hours), clock, date
        self._header = _frame(brand, "header")
        head = QHBoxLayout(self._header)
        self._head = head
        self._logo = QLabel()
        self._logo.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Ignored)
        self._logo.setStyleSheet(f"background-color: {brand};")
        self._logo.setAlignment(CENTER)
        self._logo.hide()
        if self.config.logo:
            pixmap = QPixmap(self.config.logo)
            if pixmap.isNull():
                log.info("hall screen: cannot load the logo %s; showing none", self.config.logo)
            else:
                self._logo_pixmap = pixmap
                self._logo.show()
        left = QVBoxLayout()
        left.setSpacing(0)
        self._name = FitLabel(size=0.052, bold=True, fg=on_brand, bg=brand)
        # Today's opening hours; hidden when the location has no schedule.
        self._hours = FitLabel(size=READABLE, fg=on_brand, bg=brand)
        self._hours.hide()
        left.addWidget(self._name, 55)
        left.addWidget(self._hours, 45)
        right = QVBoxLayout()
        right.setSpacing(0)
        self._time = FitLabel(size=0.06, bold=True, align=RIGHT, fg=on_brand, bg=brand)
        self._date = FitLabel(size=READABLE, align=RIGHT, fg=on_brand, bg=brand)
        right.addWidget(self._time, 56)
        right.addWidget(self._date, 44)
        head.addWidget(self._logo, 0)
        head.addLayout(left, 70)
        head.addLayout(right, 30)

        # body: the newest call, the earlier calls
        body = QHBoxLayout()
        self._body = body
        now_col = QVBoxLayout()
        self._now_col = now_col
        self._caption = FitLabel(size=0.045, bold=True, fg=pal.TEXT, bg=pal.BACKGROUND)
        self._cards_row = QHBoxLayout()
        self._cards = [_CallCard(i) for i in range(MAX_LARGE)]
        self._card_numbers = FitGroup()  # side by side, the numbers share one size
        for i, c in enumerate(self._cards):
            self._cards_row.addWidget(c, 1)
            self._card_numbers.add(c.number)
            if i:
                c.hide()
        self._card = self._cards[0]
        self._card_layout = self._card.lay
        self._number, self._counter = self._card.number, self._card.counter
        now_col.addWidget(self._caption, 11)
        now_col.addLayout(self._cards_row, 89)

        prev_col = QVBoxLayout()
        self._prev_col = prev_col
        self._prev_caption = FitLabel(size=0.04, bold=True, fg=pal.TEXT, bg=pal.BACKGROUND)
        self._prev_caption.set_full_text(_("Eerder opgeroepen"))
        prev_col.addWidget(self._prev_caption, 11)
        self._rows: list[tuple[QFrame, FitLabel, FitLabel, QHBoxLayout]] = []
        rows_box = QVBoxLayout()
        self._rows_box = rows_box
        n = self.config.recent_calls
        self._row_numbers, self._row_counters = FitGroup(), FitGroup()
        for i in range(n):
            frame = _frame(pal.PANEL, f"row{i}")
            row = QHBoxLayout(frame)
            number = FitLabel(size=0.058, bold=True, fg=pal.TEXT, bg=pal.PANEL)
            counter = FitLabel(size=0.05, align=RIGHT, fg=pal.TEXT, bg=pal.PANEL)
            self._row_numbers.add(number)
            self._row_counters.add(counter)
            row.addWidget(number, 45)
            row.addWidget(counter, 55)
            rows_box.addWidget(frame, 1)
            self._rows.append((frame, number, counter, row))
        prev_col.addLayout(rows_box, 89)
        if n == 0:
            self._prev_caption.hide()
        body.addLayout(now_col, 58)
        body.addLayout(prev_col, 42 if n else 0)

        # services: waiting and expected wait
        self._services_caption = FitLabel(size=READABLE, bold=True, fg=pal.TEXT, bg=pal.BACKGROUND)
        self._services_caption.set_full_text(_("Wachten per dienst"))
        self._services = QWidget()
        self._services.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._services.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._services.setObjectName("services")
        self._services.setStyleSheet(f"QWidget#services {{ background-color: {pal.BACKGROUND}; }}")
        self._grid = QGridLayout(self._services)
        self._grid.setContentsMargins(0, 0, 0, 0)

        # footer: message line, connection notice
        foot = QHBoxLayout()
        self._foot = foot
        self._message = FitLabel(size=READABLE, fg=pal.TEXT, bg=pal.BACKGROUND)
        self._message.set_full_text(self._usual_message())
        self._notice = FitLabel(size=READABLE, bold=True, align=CENTER, fg=pal.NOTICE_TEXT, bg=pal.NOTICE)
        foot.addWidget(self._message, 64)
        foot.addWidget(self._notice, 36)

        band = QVBoxLayout()
        self._band = band
        band.addWidget(self._services_caption, 18)
        band.addWidget(self._services, 82)

        root.addWidget(self._header, 14)
        root.addLayout(body, 51)
        root.addLayout(band, 28)
        root.addLayout(foot, 7)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self._scale(self.height())
        super().resizeEvent(event)

    def _scale(self, h: int) -> None:
        m = max(4, round(h * 0.02))
        s = max(3, round(h * 0.014))
        self._root.setContentsMargins(0, 0, 0, m // 2)
        self._root.setSpacing(s)
        self._head.setContentsMargins(m, m // 2, m, m // 2)
        self._head.setSpacing(m)
        self._band.setContentsMargins(m, 0, m, 0)
        self._band.setSpacing(s // 2)
        for lay in (self._body, self._foot):
            lay.setContentsMargins(m, 0, m, 0)
            lay.setSpacing(m)
        self._now_col.setSpacing(s // 2)
        self._prev_col.setSpacing(s // 2)
        for c in self._cards:
            c.lay.setContentsMargins(m, m // 2, m, m // 2)
            c.lay.setSpacing(0)
        self._cards_row.setSpacing(m)
        self._rows_box.setSpacing(max(2, s // 2))
        for _frame_, _n, _c, row in self._rows:
            row.setContentsMargins(m, 0, m, 0)
            row.setSpacing(m)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(max(2, s // 2))
        for tile in self._tiles.values():
            tile.scale(h)
        if self._logo_pixmap is not None:
            side = max(8, round(h * 0.12) - m)
            scaled = self._logo_pixmap.scaled(side * 3, side, Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation)
            self._logo.setPixmap(scaled)
            self._logo.setFixedWidth(scaled.width())

    # -- pictures from the link ----------------------------------------------
    def apply_calls(self, calls: Any) -> None:
        """Show the quick read (HallCalls: location, recent calls, held tickets)."""
        self._apply(calls.location, calls.recent_calls, calls.held)

    def apply_snapshot(self, snap: Any) -> None:
        """Show a full queue picture (QueueSnapshot), with the waiting per service."""
        self._snapshot = snap
        self.full_pictures += 1
        self._apply(snap.location, snap.recent_calls, snap.held)
        self._show_services(snap.services)

    def apply_hours(self, hours: Any) -> None:
        """Today's hours (TodaysHours), read by the link with the full picture and every minute."""
        self._todays_hours = hours
        self._show_hours()
        if self._snapshot is not None:  # a service may have closed or opened
            self._show_services(self._snapshot.services)

    def hours_text(self) -> str:
        """The hours line as shown ("" when hidden)."""
        return self._hours.full_text() if self._hours.isVisibleTo(self) else ""

    def _show_hours(self) -> None:
        text = opening_hours_text(self._todays_hours)
        self._hours.set_full_text(text or "")
        if self._hours.isVisibleTo(self) != bool(text):
            self._hours.setVisible(bool(text))

    def _apply(self, location: Any, recent_calls: Sequence[Any], held: Sequence[Any]) -> None:
        """GUI thread: announce what is new since the last picture, then show this one."""
        self.pictures += 1
        try:
            self._tz = ZoneInfo(location.timezone)
        except Exception:  # noqa: BLE001 - a bad zone name must not blank the screen
            pass
        self._location = location
        self._name.set_full_text(location.name)
        title = _("Wachtrijscherm") + " – " + location.name
        if title != self.windowTitle():
            self.setWindowTitle(title)
        events = self._tracker.update(recent_calls, held)
        for item in events:
            try:
                self._announcer.announce(item)
            except Exception:  # noqa: BLE001 - sound must never stop the picture
                log.exception("hall screen: announcing %s failed", item.number)
            self.announced.emit(item)
        if events:
            seen = self._clock()
            for item in events:  # oldest first: the newest ends up in front
                # One large card per counter: a counter's next call replaces its previous one.
                self._large = [(a, t) for a, t in self._large
                               if a.ticket_id != item.ticket_id and a.counter_name != item.counter_name]
                self._large.insert(0, (item, seen))
            self._current = events[-1]
            self._start_highlight()
        else:
            self._current = self._still_current(recent_calls, held)
            if self._current is None:
                self._large = []
            elif not self._large or self._large[0][0].ticket_id != self._current.ticket_id:
                self._large = [(self._current, self._clock())]
        self._expire_large(redraw=False)
        self._recent = tuple(recent_calls)
        self._show_current()
        self._show_previous(self._recent)
        self._tick()
        self._frame_pending = True
        self._painted = False
        # Only the labels whose text changed repaint; this one pixel makes sure a paint
        # pass happens (and ``shown`` fires) even when nothing visible changed.
        self.update(0, 0, 1, 1)

    def _still_current(self, recent_calls: Sequence[Any], held: Sequence[Any]) -> Announcement | None:
        cur = self._current
        if cur is not None:
            for call in recent_calls:
                if call.ticket_id == cur.ticket_id and call.called_at == cur.called_at:
                    return cur
            for t in held:
                tid = t.ticket_id if hasattr(t, "ticket_id") else t.id
                if tid == cur.ticket_id and t.called_at == cur.called_at:
                    return cur
        if recent_calls:
            c = recent_calls[0]
            return Announcement(c.ticket_id, c.number, c.counter_name, c.called_at, c.recall_count, False)
        return None

    def _expire_large(self, *, redraw: bool = True) -> None:
        """Calls older than ``together_s`` leave the large cards (the newest always stays)."""
        if len(self._large) <= 1:
            return
        limit = self._clock() - dt.timedelta(seconds=self.config.together_s)
        kept = [self._large[0]] + [(a, t) for a, t in self._large[1:] if t > limit]
        kept = kept[:MAX_LARGE]
        if len(kept) != len(self._large):
            self._large = kept
            if redraw:
                self._show_current()
                self._show_previous(self._recent)

    def large_calls(self) -> list[Announcement]:
        """The calls shown large, newest first."""
        return [a for a, _t in self._large]

    def large_cards(self) -> list[_CallCard]:
        """The large cards in use (for tests and screenshots), newest first."""
        return [c for c in self._cards if not c.isHidden()]

    def _show_current(self) -> None:
        cur = self._current
        if cur is None:
            self._caption.set_full_text(_("Welkom"))
            self._number.set_full_text(_("Even geduld"))
            self._counter.set_full_text(_("Nog niemand opgeroepen"))
            for c in self._cards[1:]:
                c.hide()
            return
        if self._highlighted and cur.recall:
            self._caption.set_full_text(_("Opnieuw opgeroepen"))
        else:
            self._caption.set_full_text(_("Nu aan de beurt"))
        large = self.large_calls() or [cur]
        for i, card in enumerate(self._cards):
            if i < len(large):
                card.number.set_full_text(display_number(large[i].number))
                card.counter.set_full_text("→ " + large[i].counter_name)
                if card.isHidden():
                    card.show()
            elif not card.isHidden():
                card.hide()
                card.number.set_full_text("")
                card.counter.set_full_text("")

    def _previous(self, calls: Sequence[Any]) -> list[Any]:
        skip = {a.ticket_id for a in self.large_calls()}
        if self._current is not None:
            skip.add(self._current.ticket_id)
        return [c for c in calls if c.ticket_id not in skip][: len(self._rows)]

    def _show_previous(self, calls: Sequence[Any]) -> None:
        shown = self._previous(calls)
        for i, (_frame_, number, counter, _row) in enumerate(self._rows):
            if i < len(shown):
                number.set_full_text(shown[i].display_number)
                counter.set_full_text(shown[i].counter_name)
            else:
                number.set_full_text("")
                counter.set_full_text("")

    def _show_services(self, queues: Sequence[Any]) -> None:
        visible = sorted((q for q in queues if q.service.active and q.service.walk_in),
                         key=lambda q: (q.service.sort_order, q.service.prefix))
        key = tuple((q.service.id, q.service.prefix, q.service.name, q.service.color) for q in visible)
        if key != self._service_key:
            self._service_key = key
            for tile in self._tiles.values():
                self._grid.removeWidget(tile)
                tile.deleteLater()
            self._tiles = {}
            names, waiting, waits = FitGroup(), FitGroup(), FitGroup()
            n = len(visible)
            rows = 1 if n <= 6 else 2
            cols = max(1, math.ceil(n / rows))
            for i, q in enumerate(visible):
                tile = _ServiceTile(q.service)
                names.add(tile.name)
                waiting.add(tile.waiting)
                waits.add(tile.wait)
                tile.scale(self.height())
                self._grid.addWidget(tile, i // cols, i % cols)
                self._tiles[q.service.id] = tile
            for c in range(max(cols, self._grid.columnCount())):
                self._grid.setColumnStretch(c, 1 if c < cols else 0)
            for r in range(max(rows, self._grid.rowCount())):
                self._grid.setRowStretch(r, 1 if r < rows else 0)
        hours = self._todays_hours if self._todays_hours is not None and self._todays_hours.configured else None
        for q in visible:
            self._tiles[q.service.id].show_queue(q, hours.for_service(q.service.id) if hours else None,
                                                 hours.day if hours else None)
        # Closing soon or closed: the bottom line says so, in the kiosk's words.
        self._message.set_full_text(floor_message(hours, visible) or self._usual_message())

    def _usual_message(self) -> str:
        return self.config.message or _("Welkom. Op dit scherm ziet u wanneer u aan de beurt bent.")

    def message_text(self) -> str:
        """The bottom line as shown."""
        return self._message.full_text()

    # -- highlight -----------------------------------------------------------
    def _start_highlight(self) -> None:
        self._highlighted = True
        self._blinks_left = BLINKS
        self._card_colors(pal.HIGHLIGHT, pal.HIGHLIGHT_TEXT)
        self._blink_timer.start(BLINK_MS)
        self._highlight_timer.start(self.config.highlight_s * 1000)

    def _blink(self) -> None:
        if self._blinks_left <= 0 or not self._highlighted:
            self._blink_timer.stop()
            if self._highlighted:
                self._card_colors(pal.HIGHLIGHT, pal.HIGHLIGHT_TEXT)
            return
        self._blinks_left -= 1
        on = self._blinks_left % 2 == 0
        self._card_colors(pal.HIGHLIGHT if on else pal.CARD, pal.HIGHLIGHT_TEXT if on else pal.CARD_TEXT)

    def _end_highlight(self) -> None:
        self._highlighted = False
        self._blink_timer.stop()
        self._card_colors(pal.CARD, pal.CARD_TEXT)
        self._show_current()

    def highlight(self) -> None:
        """Highlight the newest call as if it had just come in (screenshots)."""
        if self._current is not None:
            self._start_highlight()
            self._blink_timer.stop()
            self._show_current()

    def _card_colors(self, bg: str, fg: str) -> None:
        """The newest call's card; the others stay white."""
        self._card.set_colors(bg, fg)

    # -- clock, connection ---------------------------------------------------
    def _tick(self) -> None:
        self._expire_large()
        local = self._clock().astimezone(self._tz)
        self._time.set_full_text(clock_text(local))
        self._date.set_full_text(date_text(local))

    def _on_connection(self, connected: bool) -> None:
        self._connected = connected
        self._show_notice()
        self.connection_changed.emit(connected)

    def _on_problem(self, text: str) -> None:
        self._problem = text
        self._show_notice()

    def _show_notice(self) -> None:
        text = self._problem or ("" if self._connected else _("Verbinding wordt hersteld …"))
        self._notice.set_full_text(text)
        self._notice.setVisible(bool(text))

    @property
    def connected(self) -> bool:
        return self._connected

    def notice_text(self) -> str:
        return self._notice.full_text() if self._notice.isVisible() else ""

    def labels(self) -> list[FitLabel]:
        """Every text label on the screen (for the scaling and contrast tests)."""
        return self.findChildren(FitLabel)

    def current(self) -> Announcement | None:
        return self._current

    # -- "painted" for the latency benchmark ---------------------------------
    def visible_calls(self) -> tuple[tuple[int, int], ...]:
        calls: list[tuple[int, int]] = []
        if self._current is not None:
            calls.append(self._current.key)
            calls.extend(a.key for a in self.large_calls() if a.ticket_id != self._current.ticket_id)
        calls.extend((c.ticket_id, c.recall_count) for c in self._previous(self._recent))
        return tuple(calls)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().paintEvent(event)
        if self._frame_pending:
            self._painted = True
            if not self.isWindow():  # embedded: children paint in this same pass
                QTimer.singleShot(0, self._emit_frame)

    def event(self, event) -> bool:
        handled = super().event(event)
        # A top-level widget paints itself and all its children (and flushes them
        # to the screen) while it handles UpdateRequest: after that, it is shown.
        if event.type() == QEvent.Type.UpdateRequest and self._painted:
            self._emit_frame()
        return handled

    def _emit_frame(self) -> None:
        if not (self._frame_pending and self._painted):
            return
        self._frame_pending = False
        self._painted = False
        calls = self.visible_calls()
        self.shown.emit(Frame(time.time(), calls, calls[0] if self._current is not None else None))


"""The counter window (balie): call, serve and finish visitors.

Everything the window shows comes from service calls made through
``run_task`` (never on the GUI thread); their answers come back on the GUI
thread. The queue picture is re-read when the change feed says something
changed (bursts coalesce into at most one extra read), after every action of
this counter, and never on a fixed timer. A one-second local timer only moves
the clock and the waiting times, computed from each ticket's arrival.

Today's opening hours (header) are read with every queue picture, so after a
schedule change (``schedule:<location>``) too, and again when the minute
changes. Where the location works with appointments, the tab "Afspraken"
holds an :class:`AppointmentDesk` for this counter (book, find, move, cancel,
.ics, today's appointments); the tab is hidden when appointments are off.

    window = CounterWindow(client, settings, counter_id=1)   # client: baliedesk.client
    window.loaded.connect(...)   # the first picture is on screen
    window.show()
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMainWindow,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from baliedesk.domain.errors import StorageUnavailable
from baliedesk.domain.permissions import Permission, Role, allows
from baliedesk.domain.tickets import TicketAction, TicketState, allowed_actions
from baliedesk import hourstext
from baliedesk.i18n import _, ngettext
from baliedesk.services.dto import CounterInfo, CounterSession, QueueSnapshot, ServiceInfo, TicketInfo
from baliedesk.client import Client
from baliedesk.settings import Settings
from baliedesk.ui.appointments.desk import AppointmentDesk
from baliedesk.ui.counter.compact import CompactBar, CompactMode
from baliedesk.ui.counter.dialogs import NoteDialog
from baliedesk.ui.counter.floor import FloorActions, counter_message
from baliedesk.ui.counter.signin_flow import SignInFlow
from baliedesk.ui.counter.style import counter_stylesheet
from baliedesk.ui.counter.visitor_dialogs import VisitorDialogs
from baliedesk.ui.counter.waiting import waiting_count_text
from baliedesk.ui.counter.widgets import (
    CountersPanel,
    Header,
    MessageBar,
    ServicesPanel,
    SignInPanel,
    VisitorPanel,
    WaitingPanel,
    local_time,
)
from baliedesk.ui.common.activity import forget, on_activity
from baliedesk.ui.common.feedwatcher import FeedWatcher
from baliedesk.ui.common.signin import SignInForm
from baliedesk.ui.common.tasks import run_task, runner

log = logging.getLogger(__name__)

#: Roles that may work at a counter (offered on the sign-in panel).
SERVING_ROLES = [r for r in Role if allows(r, Permission.SERVE)]


def _minute(moment: dt.datetime) -> tuple:
    return (moment.date(), moment.hour, moment.minute)


class CounterWindow(SignInFlow, VisitorDialogs, FloorActions, CompactMode, QMainWindow):
    """The baliemedewerker's window. See the module docstring."""

    #: The first complete picture is on screen: the queue after signing in, or
    #: the sign-in panel with its choices when nobody is signed in yet.
    loaded = Signal()
    #: The queue picture was refreshed (tests and tools may wait for it).
    snapshot_shown = Signal()

    def __init__(self, client: Client, settings: Settings, counter_id: int | None = None,
                 location_id: int | None = None, *, watch_feed: bool = True,
                 demo_password: str | None = None) -> None:
        """``client``: this workstation's door. Nobody logged in to it: the window asks for a
        user name and password first. A client bound to a person: it chooses a counter for
        them, or takes ``counter_id`` at once. ``demo_password``: shown on the form (demo only)."""
        super().__init__()
        #: This workstation's door; ``self.client`` is the logged-in person's (None before).
        self.door = client
        self.client: Client | None = None
        self._demo_password = demo_password
        self.settings = settings
        self.location_id = location_id or settings["location_id"] or None
        self.session: CounterSession | None = None
        self.current: TicketInfo | None = None
        self.snapshot: QueueSnapshot | None = None
        self.services: dict[int, ServiceInfo] = {}
        self.timezone: str | None = None  # the location's; the clock shows local time there
        self._closed = False
        self._loaded = False
        self._inflight = 0
        self._action_busy = False
        self._action_gen = 0
        self._snapshot_inflight = False
        self._snapshot_again = False
        self._heartbeat_inflight = False
        self._saving_services = False
        self._dialog: NoteDialog | None = None
        self._wanted_counter: int | None = counter_id
        self._drafts: dict[tuple[str, int], dict] = {}
        self.todays_hours: Any = None  # TodaysHours, read with the queue picture
        self._hours_minute: tuple | None = None  # the clock's minute when the hours were last read
        self._hours_inflight = False
        self.appointment_desk: AppointmentDesk | None = None
        self._floor_init()
        self.compact_bar: CompactBar | None = None

        self.setWindowTitle(_("BalieDesk — balie"))
        self.setObjectName("counterWindow")
        self.setMinimumSize(960, 700)
        self.resize(1366, 768)
        self._build()
        self._shortcuts()

        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(1000)
        self._tick_timer.timeout.connect(self._tick)
        self._tick_timer.start()
        self._heartbeat_timer = QTimer(self)
        self._heartbeat_timer.setInterval(max(5, int(settings["heartbeat_s"])) * 1000)
        self._heartbeat_timer.timeout.connect(self._heartbeat)
        self._tick()

        self.feed: FeedWatcher | None = None
        if watch_feed:
            self.feed = FeedWatcher(client)
            self.feed.changed.connect(self.request_snapshot)
            self.feed.connection_changed.connect(self._on_connection)
            self.feed.start()

        self._idle_timer = QTimer(self, singleShot=True)
        self._idle_timer.timeout.connect(self.lock)
        try:
            lock_min = int(settings["lock_after_min"])
        except (KeyError, TypeError, ValueError, OverflowError):
            lock_min = 10
        self._lock_after_ms = max(0, min(lock_min, 24 * 60)) * 60_000  # input counts once shown (showEvent)

        if client.user_id is not None:
            self.client = client
            if counter_id:
                self._sign_in(client.user_id, counter_id, None)
            else:
                self._load_counter_choices()
        else:
            self.show_sign_in_form()

    # ------------------------------------------------------------------
    # building
    # ------------------------------------------------------------------
    def _build(self) -> None:
        root = QWidget(self)
        root.setObjectName("counterRoot")
        self.setCentralWidget(root)
        self.message_bar = MessageBar(root)
        self.header = Header(root)
        self.header.sign_out_requested.connect(self._sign_out)
        # "Instellingen" in the header: this computer's printer and paper (ui/workstation.py).
        self.settings_button = QPushButton(_("Instellingen"), self.header)
        self.settings_button.setObjectName("settingsButton")
        self.settings_menu = QMenu(self.settings_button)
        self.workstation_action = self.settings_menu.addAction(_("Instellingen van deze computer…"))
        self.workstation_action.triggered.connect(self.open_workstation_settings)
        self.settings_button.setMenu(self.settings_menu)
        header_layout = self.header.layout()
        header_layout.insertWidget(header_layout.count() - 1, self.settings_button)
        # "Kleine balk" (Ctrl+M): the compact, always-on-top bar.
        self.compact_button = QPushButton(_("Kleine balk"), self.header)
        self.compact_button.setObjectName("compactButton")
        self.compact_button.setToolTip(_("Een kleine balk die altijd boven blijft (toets: Ctrl+M)"))
        self.compact_button.clicked.connect(self.toggle_compact)
        self.compact_button.hide()
        header_layout.insertWidget(header_layout.count() - 2, self.compact_button)
        self.header.optional_buttons = (self.compact_button, self.settings_button)
        self.workstation_window: QWidget | None = None
        self.stack = QStackedWidget(root)

        self.signin_form = SignInForm(self.door, demo_password=self._demo_password, parent=self.stack)
        self.signin_form.signed_in.connect(self._on_signed_in)
        self.lock_page = SignInForm(self.door, parent=self.stack)
        self.lock_page.setObjectName("lockPage")
        self.lock_page.signed_in.connect(self._on_signed_in)
        self.lock_page.other_person.connect(self._other_person)
        self.sign_in_panel = SignInPanel(self.stack)
        self.sign_in_panel.location_chosen.connect(self._location_chosen)
        self.sign_in_panel.sign_in_requested.connect(self._sign_in)

        self.work = QWidget(self.stack)
        self.work.setObjectName("workPage")
        self.visitor = VisitorPanel(self.work)
        self.services_panel = ServicesPanel(self.work)
        self.services_panel.changed.connect(self._save_services)
        self.waiting = WaitingPanel(self.work)
        self.waiting.only_mine_changed.connect(lambda _on: self._show_waiting())
        self.waiting.call_requested.connect(self.call_ticket)
        self.counters = CountersPanel(self.work)
        self.counters.release_requested.connect(self._release)
        left = QVBoxLayout()
        left.setSpacing(12)
        left.addWidget(self.visitor, 1)
        left.addWidget(self.services_panel)
        queue_page = QWidget(self.work)
        queue_page.setObjectName("queuePage")
        right = QVBoxLayout(queue_page)
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(12)
        right.addWidget(self.waiting, 1)
        right.addWidget(self.counters)
        # "Wachtrij" and, where the location works with appointments, "Afspraken".
        self.right_tabs = QTabWidget(self.work)
        self.right_tabs.setObjectName("rightTabs")
        self.right_tabs.setDocumentMode(True)
        self.right_tabs.addTab(queue_page, _("Wachtrij"))
        self.appointments_page = QWidget()
        self.appointments_page.setObjectName("appointmentsPage")
        self._appointments_layout = QVBoxLayout(self.appointments_page)
        self._appointments_layout.setContentsMargins(0, 8, 0, 0)
        self.right_tabs.addTab(self.appointments_page, _("Afspraken"))
        self.right_tabs.setTabVisible(1, False)
        self.right_tabs.tabBar().setVisible(False)  # a single tab needs no tab bar
        work_layout = QHBoxLayout(self.work)
        work_layout.setContentsMargins(12, 10, 12, 12)
        work_layout.setSpacing(12)
        work_layout.addLayout(left, 4)
        work_layout.addWidget(self.right_tabs, 5)

        self.stack.addWidget(self.signin_form)
        self.stack.addWidget(self.lock_page)
        self.stack.addWidget(self.sign_in_panel)
        self.stack.addWidget(self.work)
        lay = QVBoxLayout(root)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.header)
        bar_holder = QVBoxLayout()
        bar_holder.setContentsMargins(16, 8, 16, 0)
        bar_holder.addWidget(self.message_bar)
        lay.addLayout(bar_holder)
        lay.addWidget(self.stack, 1)
        root.setStyleSheet(counter_stylesheet())

        v = self.visitor
        v.next_button.clicked.connect(self.call_next)
        v.recall_button.clicked.connect(self.recall)
        v.start_button.clicked.connect(self.start_serving)
        v.no_show_button.clicked.connect(self.no_show)
        v.requeue_button.clicked.connect(self.open_requeue)
        v.transfer_button.clicked.connect(self.open_transfer)
        v.finish_button.clicked.connect(self.open_finish)
        v.undo_button.clicked.connect(self.undo_last_no_show)
        v.call_number_action.triggered.connect(self.open_call_number)
        v.desk_ticket_action.triggered.connect(self.open_desk_ticket)
        v.no_shows_action.triggered.connect(self.open_no_shows)
        self.action_buttons: dict[TicketAction, QPushButton] = {
            TicketAction.RECALL: v.recall_button,
            TicketAction.START: v.start_button,
            TicketAction.NO_SHOW: v.no_show_button,
            TicketAction.REQUEUE: v.requeue_button,
            TicketAction.TRANSFER: v.transfer_button,
            TicketAction.FINISH: v.finish_button,
        }
        self.stack.setCurrentWidget(self.signin_form)
        self._update_actions()

    def open_workstation_settings(self) -> QWidget:
        """"Instellingen van deze computer" (one window; saving changes this window's settings at once)."""
        from baliedesk.ui.common.workstation import show_workstation_window

        return show_workstation_window(self, self.settings)

    def _shortcuts(self) -> None:
        v = self.visitor
        pairs = [
            ("F1", v.next_button), ("Ctrl+Space", v.next_button), ("F2", v.recall_button),
            ("F3", v.start_button), ("F4", v.no_show_button), ("F5", v.requeue_button),
            ("F6", v.transfer_button), ("Ctrl+Return", v.finish_button), ("Ctrl+Enter", v.finish_button),
        ]
        self._shortcut_objects = []
        compact = QShortcut(QKeySequence("Ctrl+M"), self)
        compact.setContext(Qt.ShortcutContext.WindowShortcut)
        compact.activated.connect(self.toggle_compact)
        self._shortcut_objects.append(compact)
        lock = QShortcut(QKeySequence("Ctrl+L"), self)
        lock.setContext(Qt.ShortcutContext.WindowShortcut)
        lock.activated.connect(self.lock)
        self._shortcut_objects.append(lock)
        for keys, action in (("Ctrl+N", v.call_number_action), ("Ctrl+B", v.desk_ticket_action),
                             ("Ctrl+G", v.no_shows_action)):
            sc = QShortcut(QKeySequence(keys), self)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(lambda a=action: self._trigger(a))
            self._shortcut_objects.append(sc)
        for keys, button in pairs:
            sc = QShortcut(QKeySequence(keys), self)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(lambda b=button: self._press(b))
            self._shortcut_objects.append(sc)

    def _trigger(self, action: Any) -> None:
        if action.isEnabled() and self.stack.currentWidget() is self.work:
            action.trigger()

    def _press(self, button: QPushButton) -> None:
        if button.isEnabled() and button.isVisible() and self.stack.currentWidget() is self.work:
            button.click()

    # ------------------------------------------------------------------
    # running service calls
    # ------------------------------------------------------------------
    def _run(self, func: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
             on_error: Callable[[BaseException], None] | None = None) -> None:
        """``run_task`` with bookkeeping: counts what is in flight (``wait_until_idle``)
        and drops answers that arrive after the window closed."""
        self._inflight += 1

        def done(result: Any) -> None:
            self._inflight -= 1
            if not self._closed and on_done is not None:
                on_done(result)

        def error(exc: BaseException) -> None:
            self._inflight -= 1
            if self._closed:
                return
            if on_error is not None:
                on_error(exc)
            else:
                self.show_error(exc)

        run_task(func, done, error)

    def now(self) -> dt.datetime:
        """The services' clock (through the client): live waiting times and the header clock."""
        return (self.client or self.door).now()

    def is_idle(self) -> bool:
        return self._inflight == 0 and not self._snapshot_again

    def wait_until_idle(self, timeout_ms: int = 10000) -> bool:
        """Process events until no service call is in flight (for tests, screenshots, tools)."""
        timer = QElapsedTimer()
        timer.start()
        while timer.elapsed() < timeout_ms:
            QCoreApplication.processEvents()
            if self.is_idle():
                QCoreApplication.processEvents()
                if self.is_idle():
                    return True
            runner().wait(10)
        return self.is_idle()

    def show_error(self, err: BaseException) -> None:
        self.message_bar.show_message(counter_message(err), "error",
                                      connection=isinstance(err, StorageUnavailable))

    def show_info(self, text: str, kind: str = "info") -> None:
        self.message_bar.show_message(text, kind)

    def _on_activity(self) -> None:
        """A key, a click, a wheel or a touch anywhere in the application: not idle."""
        if not self._closed and self._idle_timer.isActive():
            self._restart_idle()

    # ------------------------------------------------------------------
    # the queue picture
    # ------------------------------------------------------------------
    def request_snapshot(self) -> None:
        """Re-read the queue; while a read is in flight, remember to read once more after it."""
        if self.session is None or self._closed:
            return
        if self._snapshot_inflight:
            self._snapshot_again = True
            return
        self._snapshot_inflight = True
        gen, quiet = self._action_gen, not self._action_busy
        client, location_id = self.client, self.location_id

        self._hours_minute = _minute(self.now())

        def read() -> tuple[QueueSnapshot, Any, Any]:
            snap = client.queue.queue_snapshot(location_id)
            hours = client.schedules.todays_hours(location_id)
            return snap, hours, client.appointments.appointment_switch(location_id)

        def done(result: tuple[QueueSnapshot, Any, Any]) -> None:
            snap, hours, switch = result
            self._snapshot_inflight = False
            if self.session is not None and snap.location.id == self.location_id:
                in_step = quiet and gen == self._action_gen and not self._action_busy
                self._apply_schedule(hours, switch)
                self._apply_snapshot(snap, reconcile=in_step)
            self._after_snapshot()

        def failed(exc: BaseException) -> None:
            self._snapshot_inflight = False
            if not isinstance(exc, StorageUnavailable) or self.snapshot is None:
                self.show_error(exc)
            self._after_snapshot()

        self._run(read, done, failed)

    def _after_snapshot(self) -> None:
        if self._snapshot_again:
            self._snapshot_again = False
            self.request_snapshot()

    def _apply_snapshot(self, snap: QueueSnapshot, *, reconcile: bool) -> None:
        assert self.session is not None
        self.snapshot = snap
        self.timezone = snap.location.timezone
        self.services = {q.service.id: q.service for q in snap.services}
        me = next((c for c in snap.counters if c.id == self.session.counter.id), None)
        if me is not None and me.signed_in_user_id != self.session.user.id:
            self._lost_counter(me)
            return
        if me is not None and not self._saving_services:
            self.session = CounterSession(me, self.session.user, self.session.current,
                                          snap.location.no_show_after_recalls)
        if reconcile:
            mine = next((t for t in snap.held if t.counter_id == self.session.counter.id), None)
            if mine is None and self.current is not None:
                self.show_info(_("Nummer {number} staat niet meer bij uw balie.").format(
                    number=self.current.display_number), "warning")
            self._set_current(mine)
        ordered = sorted(self.services.values(), key=lambda s: (s.sort_order, s.prefix))
        self.services_panel.set_services(ordered, self.session.counter.service_ids)
        self._show_waiting()
        self.counters.update_counters(snap.counters, snap.held, self.session.counter.id, self._can_release(),
                                      snap.location.timezone)
        self._show_current()
        self._tick()
        self.snapshot_shown.emit()
        self._mark_loaded()

    # -- opening hours and appointments ----------------------------------
    def _apply_schedule(self, hours: Any, switch: Any) -> None:
        """Today's hours in the header; the appointment desk follows the location's switch."""
        self.todays_hours = hours
        self.header.set_hours(hourstext.hours_line(hours))
        desk = self.appointment_desk
        if desk is not None and desk.switch is not None and switch != desk.switch:
            desk.reload()  # appointments switched on or off, or services changed

    def _refresh_hours(self) -> None:
        """Read only today's hours again (at a new minute; only where there is a schedule:
        without one nothing about hours changes with the clock)."""
        hours = self.todays_hours
        if self.session is None or self._hours_inflight or hours is None or not hours.configured:
            return
        self._hours_inflight = True
        client, location_id = self.client, self.location_id
        self._hours_minute = _minute(self.now())

        def done(result: Any) -> None:
            self._hours_inflight = False
            if self.session is not None and result.location_id == self.location_id:
                self.todays_hours = result
                self.header.set_hours(hourstext.hours_line(result))

        def failed(exc: BaseException) -> None:
            self._hours_inflight = False  # the header keeps the last line; the next minute tries again
            log.info("could not read today's hours: %s", exc)

        self._run(lambda: client.schedules.todays_hours(location_id), done, failed)

    def _open_appointment_desk(self, session: CounterSession) -> None:
        """The tab "Afspraken" for this counter; it appears once the desk knows
        appointments are on here (and stays hidden when they are off)."""
        self._close_appointment_desk()
        desk = AppointmentDesk(self.client, session.counter.location_id, counter_id=session.counter.id,
                               settings=self.settings, parent=self.appointments_page)
        desk.availability.connect(self._on_appointments)
        self._appointments_layout.addWidget(desk)
        self.appointment_desk = desk

    def _close_appointment_desk(self) -> None:
        desk, self.appointment_desk = self.appointment_desk, None
        self.header.set_hours(None)
        self.todays_hours = None
        self._on_appointments(False)
        if desk is not None:
            desk.close()  # answers still on their way find it closed
            desk.deleteLater()

    def _on_appointments(self, available: bool) -> None:
        self.right_tabs.setTabVisible(1, available)
        self.right_tabs.tabBar().setVisible(available)
        if not available:
            self.right_tabs.setCurrentIndex(0)

    def _lost_counter(self, counter: CounterInfo) -> None:
        """Someone else signed in here (this window had been silent too long):
        stop working here and offer the sign-in panel again."""
        self._heartbeat_timer.stop()
        self.session = None
        self._set_current(None)
        self.snapshot = None
        self._close_appointment_desk()
        if counter.signed_in_user_name:
            text = _("{name} heeft zich aangemeld bij {counter}. U bent daar nu afgemeld.").format(
                name=counter.signed_in_user_name, counter=counter.display_name)
        else:
            text = _("U bent niet meer aangemeld bij {counter}. Meld u opnieuw aan.").format(
                counter=counter.display_name)
        self.show_info(text, "warning")
        self._load_counter_choices()
        self._mark_loaded()

    def _mark_loaded(self) -> None:
        if not self._loaded:
            self._loaded = True
            self.loaded.emit()

    def _my_service_ids(self) -> set[int]:
        return set(self.session.counter.service_ids) if self.session else set()

    def _show_waiting(self) -> None:
        if self.snapshot is None or self.session is None:
            return
        mine, me = self._my_service_ids(), self.session.counter.id
        only_mine = self.waiting.only_mine.isChecked()
        rows = [
            w for w in self.snapshot.waiting
            if not only_mine or w.ticket.target_counter_id == me
            or (w.ticket.target_counter_id is None and w.ticket.service_id in mine)
        ]
        now_ms = int(self.now().timestamp() * 1000)
        self.waiting.model.set_rows(rows, self.services, me, now_ms, self.timezone)
        if rows:
            self.waiting.set_empty(False, "")
        elif only_mine and not mine:
            self.waiting.set_empty(True, _("U heeft nog geen diensten gekozen. Kies ze bij 'Mijn diensten'."))
        else:
            self.waiting.set_empty(True, _("Er wacht nu niemand voor uw diensten.") if only_mine
                                   else _("Er wacht nu niemand."))
        self.waiting.summary_label.setText(waiting_count_text(len(rows)))
        self._update_counts(now_ms)

    def _update_counts(self, now_ms: int) -> None:
        if self.snapshot is None:
            return
        counts: dict[int, tuple[int, float]] = {}
        for w in self.snapshot.waiting:
            n, longest = counts.get(w.ticket.service_id, (0, 0.0))
            counts[w.ticket.service_id] = (n + 1, max(longest, (now_ms - w.ticket.arrived_ms) / 1000.0))
        ordered = sorted((s for s in self.services.values() if s.active), key=lambda s: (s.sort_order, s.prefix))
        self.waiting.counts.update_counts(ordered, counts, self._my_service_ids())

    def _tick(self) -> None:
        now = self.now()
        self.header.set_clock(local_time(now, self.timezone))
        if self._hours_minute is not None and _minute(now) != self._hours_minute:
            self._refresh_hours()  # today's hours change with the clock ("open tot" at closing time)
        if self.snapshot is not None:
            now_ms = int(now.timestamp() * 1000)
            self.waiting.model.tick(now_ms)
            self._update_counts(now_ms)
        self._show_undo_offer(now)

    def _on_connection(self, connected: bool) -> None:
        was = self.header.connected
        self.header.set_connected(connected)
        if connected and was is False:
            self.request_snapshot()
            if (self.session is None and self.client is not None
                    and self.stack.currentWidget() is self.sign_in_panel and self.sign_in_panel.user_id() is None):
                self._load_counter_choices()
            if self.message_bar.connection:  # "verbinding weg" is over; any other message stays
                self.message_bar.clear()

    def _can_release(self) -> bool:
        return self.session is not None and allows(self.session.user.role, Permission.RELEASE_TICKET)

    # ------------------------------------------------------------------
    # the visitor
    # ------------------------------------------------------------------
    def _set_current(self, ticket: TicketInfo | None) -> None:
        if ticket is not None and not TicketState(ticket.state).is_held:
            ticket = None
        self.current = ticket
        self._show_current()

    def _show_current(self) -> None:
        t = self.current
        limit = self.session.no_show_after_recalls if self.session else 0
        self.visitor.show_ticket(t, limit, self.now(), self.timezone)
        service = self.services.get(t.service_id) if t else None
        self.visitor.set_service_color(service.color if service else None)
        self._update_actions()

    def _update_actions(self) -> None:
        signed_in = self.session is not None
        free = signed_in and not self._action_busy and self._dialog is None and self.floor_dialog is None
        t = self.current
        allowed = allowed_actions(TicketState(t.state)) if t else frozenset()
        self.visitor.next_button.setEnabled(free and t is None)
        limit = self.session.no_show_after_recalls if self.session else 0
        for action, button in self.action_buttons.items():
            ok = free and action in allowed
            if action is TicketAction.NO_SHOW:
                ok = ok and t is not None and t.recall_count >= limit
            button.setEnabled(ok)
        hint = ""
        if t is not None and TicketAction.NO_SHOW in allowed and t.recall_count < limit:
            left = limit - t.recall_count
            hint = ngettext("'Niet gekomen' kan als u nog {n} keer opnieuw oproept.",
                            "'Niet gekomen' kan als u nog {n} keer opnieuw oproept.", left).format(n=left)
        self.visitor.no_show_hint.setText(hint)
        self.visitor.no_show_hint.setVisible(bool(hint))
        v = self.visitor
        v.call_number_action.setEnabled(free and t is None)
        v.desk_ticket_action.setEnabled(free)
        v.no_shows_action.setEnabled(free)
        v.more_button.setEnabled(free)
        v.undo_button.setEnabled(free)
        self._show_undo_offer(self.now())
        if self.compact_bar is not None:
            self.compact_bar.update_from(self)

    def _show_undo_offer(self, now: dt.datetime) -> None:
        offer = self.undo_offer(now) if self.session is not None else None
        button = self.visitor.undo_button
        if offer is not None:
            button.setText(_("Toch gekomen: nummer {number} terug in de rij").format(number=offer.display_number))
            button.setAccessibleName(button.text())
        button.setVisible(offer is not None)

    def _act(self, func: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
             dialog: NoteDialog | None = None, *, error: Callable[[BaseException], None] | None = None) -> bool:
        """Run one visitor action; only one at a time (a second F1 while the first
        is on its way does nothing)."""
        if self.session is None or self._action_busy:
            return False
        self._action_busy = True
        self._update_actions()

        def done(result: Any) -> None:
            self._action_busy = False
            self._action_gen += 1
            if on_done is not None:
                on_done(result)
            self._update_actions()
            self.request_snapshot()

        def failed(exc: BaseException) -> None:
            self._action_busy = False
            self._action_gen += 1
            if error is not None:
                error(exc)
            elif dialog is not None and self._dialog is dialog:
                dialog.show_error(counter_message(exc))
            else:
                self.show_error(exc)
            self._update_actions()
            self.request_snapshot()

        self._run(func, done, failed)
        return True

    def _ids(self) -> tuple[Client, int]:
        assert self.session is not None and self.client is not None
        return self.client, self.session.counter.id

    def call_next(self) -> None:
        if self.session is None or self.current is not None:
            return
        client, counter_id = self._ids()

        def done(ticket: TicketInfo | None) -> None:
            if ticket is None:
                self.show_info(_("Er wacht nu niemand voor uw diensten."))
            else:
                self.last_no_show = None
                if self.message_bar.kind in ("info", "success"):
                    self.message_bar.clear()
            self._set_current(ticket)

        self._act(lambda: client.queue.call_next(counter_id), done)

    def _ticket_action(self, action: str, success: str | None = None,
                       after: Callable[[TicketInfo], None] | None = None) -> None:
        """``action``: the name of a ``client.queue`` operation taking (counter_id, ticket_id)."""
        t = self.current
        if t is None:
            return
        client, counter_id = self._ids()
        func: Callable[[int, int], TicketInfo] = getattr(client.queue, action)

        def done(ticket: TicketInfo) -> None:
            self._set_current(ticket)
            if after is not None:
                after(ticket)
            if success:
                self.show_info(success.format(number=ticket.display_number), "success")

        self._act(lambda: func(counter_id, t.id), done)

    def recall(self) -> None:
        self._ticket_action("recall")

    def start_serving(self) -> None:
        self._ticket_action("start_serving")

    def no_show(self) -> None:
        self._ticket_action("no_show", _("Nummer {number} is niet gekomen. U kunt de volgende oproepen."),
                            after=lambda ticket: setattr(self, "last_no_show", ticket))

    # ------------------------------------------------------------------
    # closing
    # ------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if not self._closed:
            on_activity(self, self._on_activity)  # its native window exists now

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop timers and the feed. The counter stays signed in and keeps its
        visitor: the next start resumes it."""
        if self._closed:
            return
        self._closed = True
        if self._dialog is not None:  # its text stays in the drafts of this (closing) window only
            self._dialog.set_busy(False)
            self._dialog.reject()
        if self.floor_dialog is not None:
            self.floor_dialog.reject()
        self._tick_timer.stop()
        self._heartbeat_timer.stop()
        self._idle_timer.stop()
        self.signin_form.close_form()
        self.lock_page.close_form()
        forget(self)
        if self.appointment_desk is not None:
            self.appointment_desk.close()
        if self.compact_bar is not None:
            self.compact_bar.close()
            self.compact_bar.deleteLater()
            self.compact_bar = None
        if self.feed is not None:
            self.feed.stop()

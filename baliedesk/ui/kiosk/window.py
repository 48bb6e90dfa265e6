"""The kiosk at the entrance: a visitor taps a service and gets a number.

Two screens in a stack:

* the start screen: the municipality's name, "Kies waarvoor u komt" and one big
  button per walk-in service (its colour, letter and name, how many people
  wait and the expected wait), kept up to date by a :class:`FeedWatcher`;
* the confirmation: the number very large, the service, the people ahead, an
  honest expected wait (no number when no counter is open for the service) and
  where to look; back to the start screen by itself after a few seconds, or
  when the visitor touches the screen.

One press is one ticket: presses while a ticket is being made are ignored, and
so are touches on the confirmation during its first moment (the second tap of
a double tap must not wipe the number away). Every database call runs through
:func:`run_task`; errors become one calm Dutch sentence on the screen, and the
kiosk tries again by itself until the database is back.

Opening hours (only where the location has a schedule): a service the kiosk
does not issue tickets for right now (closed, or within the stop time before
closing) is greyed out and says when it opens again; the hours are read with
every queue picture, so after a schedule change (``schedule:<location>``) and
at every new minute. A press that races closing time gets the service's
sentence (:class:`ServiceClosed`). Where the location works with appointments,
"Ik heb een afspraak" leads to the code entry (:class:`CheckInPanel`).

When this workstation has a printer (settings ``printer_*``), the ticket slip
is printed silently after the ticket is issued (:mod:`baliedesk.printing`); a
failed print never loses the ticket: the screen then says to remember the number
and offers "Opnieuw printen", which prints the very same slip again (same
number; no new ticket). Back on the start screen, a button for the host
("Bonnetje A 001 opnieuw printen") stays until that slip is printed, for
when the paper ran out; Ctrl+Shift+P reprints the last slip at any time.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from baliedesk import hourstext
from baliedesk.domain.errors import StorageUnavailable
from baliedesk.domain.permissions import Role
from baliedesk.domain.tickets import display_number
from baliedesk.i18n import _
from baliedesk.printing.config import printer_from
from baliedesk.printing.jobs import Printout, deliver, prepare_ticket, printing_configured
from baliedesk.client import Client
from baliedesk.services.dto import IssuedTicket, QueueSnapshot, ServiceQueue
from baliedesk.services.schedule_dto import AppointmentSwitch, ServiceHours, TodaysHours
from baliedesk.ui.common import theme
from baliedesk.ui.appointments.desk import CheckInPanel
from baliedesk.ui.common.feedwatcher import FeedWatcher
from baliedesk.ui.common.tasks import run_task
from baliedesk.ui.kiosk.texts import (
    KioskNotConfigured,
    appointment_text,
    estimate_text,
    floor_title,
    kiosk_message,
    people_ahead_text,
)
from baliedesk.ui.kiosk.widgets import ServiceButton, TouchCatcher, label, touch_button

log = logging.getLogger(__name__)

#: How long the confirmation stays before the start screen returns by itself.
RETURN_AFTER_MS = 10_000
#: Touches on the confirmation this soon after it appeared are ignored (double taps).
TOUCH_GUARD_MS = 1_200
#: How often to try again while the database is away.
RETRY_MS = 3_000
#: How long an error about one press stays on the start screen.
ERROR_SHOWN_MS = 8_000
#: The check-in page goes back to the start screen after this long without typing.
CHECK_IN_IDLE_MS = 60_000
#: The kiosk is laid out for this size; text scales with the real window (720p .. 4K).
DESIGN_SIZE = (1280, 1024)
PORTRAIT_DESIGN_SIZE = (900, 1280)
MIN_TEXT_PT = 13.0


class LastSlip:
    """The last ticket's slip: made once on a worker thread, kept to print again."""

    def __init__(self, issued: IssuedTicket) -> None:
        self.issued = issued
        self.printout: Printout | None = None  # set by the worker that made it
        self.failed = False
        self.busy = True

    @property
    def number(self) -> str:
        t = self.issued.ticket
        return t.display_number or display_number(t.number)


@dataclass(frozen=True)
class _Identity:
    location_id: int
    location_name: str
    client: Client  # bound to the kiosk's device account


class KioskWindow(QWidget):
    """The entrance kiosk. ``client`` acts as the kiosk's device account; when
    nobody is signed in to it, the kiosk account comes from the settings
    (``kiosk_user`` by username) and then the first kiosk account.
    ``location_id`` defaults to the settings and then to the first location."""

    loaded = Signal()               # the first picture of the services is on screen
    refreshed = Signal(object)      # every new QueueSnapshot shown
    ticket_shown = Signal(object)   # the IssuedTicket now on the confirmation screen
    error_shown = Signal(str)       # an error sentence put on screen
    slip_printed = Signal(object)   # printing.jobs.Delivery of the ticket slip (also after a reprint)
    print_failed = Signal(str)      # the notice shown when the slip could not be printed
    reprinted = Signal(object)      # printing.jobs.Delivery after "Opnieuw printen"

    def __init__(self, client: Client, settings, location_id: int | None = None, *, watch: bool = True,
                 return_after_ms: int = RETURN_AFTER_MS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.door = client
        self.settings = settings
        self.return_after_ms = return_after_ms
        self._want_location = location_id or (settings["location_id"] if settings is not None else 0) or None
        self._kiosk_username = settings["kiosk_user"] if settings is not None else "kiosk-ingang"
        self._identity: _Identity | None = None
        self._buttons: dict[int, ServiceButton] = {}
        self._issuing = False
        self.last_request_id: str | None = None  # of the last press (see press)
        self._refreshing = False
        self._refresh_again = False
        self._closed = False
        self._has_loaded = False
        self._snapshot: QueueSnapshot | None = None
        self._hours: TodaysHours | None = None
        self.floor = hourstext.OPEN  # the start screen's state: open, closing soon, closed
        self.check_in: CheckInPanel | None = None
        self.last_slip: LastSlip | None = None
        self._ticket_since = 0.0
        self._scale = 1.0

        self.setWindowTitle(_("BalieDesk – kiosk"))
        self.setObjectName("kiosk")
        self.setAutoFillBackground(True)
        self._build()

        self._return_timer = QTimer(self, singleShot=True, interval=return_after_ms)
        self._return_timer.timeout.connect(self.show_start)
        self._retry_timer = QTimer(self, singleShot=True, interval=RETRY_MS)
        self._retry_timer.timeout.connect(self.refresh)
        self._error_timer = QTimer(self, singleShot=True, interval=ERROR_SHOWN_MS)
        self._error_timer.timeout.connect(self._clear_press_error)
        # Opening hours change with the clock: read again at every new minute (a cheap
        # check of the clock each second; the database is read only when the minute changed).
        self._read_minute: tuple | None = None
        self._minute_timer = QTimer(self, interval=1000)
        self._minute_timer.timeout.connect(self._on_minute)
        self._check_in_timer = QTimer(self, singleShot=True, interval=CHECK_IN_IDLE_MS)
        self._check_in_timer.timeout.connect(self.show_start)
        self._elapsed = QElapsedTimer()
        self._elapsed.start()

        # Staff close a full-screen kiosk with Ctrl+Shift+Q (visitors have no keyboard).
        QShortcut(QKeySequence("Ctrl+Shift+Q"), self, self.close)
        # ... and print the last slip again with Ctrl+Shift+P (after putting in new paper).
        QShortcut(QKeySequence("Ctrl+Shift+P"), self, self.reprint)

        self._minute_timer.start()
        self.watcher: FeedWatcher | None = None
        if watch:
            self.watcher = FeedWatcher(client, parent=self)
            self.watcher.changed.connect(self.refresh)
            self.watcher.connection_changed.connect(self._on_connection)
            self.watcher.start()
        self.refresh()

    # -- building ----------------------------------------------------------
    def _header(self) -> tuple[QFrame, QLabel]:
        bar = QFrame()
        bar.setProperty("role", "header")
        bar.setAutoFillBackground(True)
        lay = QHBoxLayout(bar)
        lay.setContentsMargins(40, 18, 40, 18)
        name = label(_("Welkom"), size=24, bold=True, wrap=False)  # the municipality's name once known
        lay.addWidget(name)
        lay.addStretch(1)
        return bar, name

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack)

        # start screen
        self.start_page = QWidget()
        lay = QVBoxLayout(self.start_page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        bar, self.start_municipality = self._header()
        lay.addWidget(bar)
        body = QVBoxLayout()
        body.setContentsMargins(48, 32, 48, 32)
        body.setSpacing(20)
        self.title = label(_("Kies waarvoor u komt"), size=38, bold=True)
        self.subtitle = label(_("Tik op een knop. U krijgt dan een nummer."), size=20, role="muted")
        body.addWidget(self.title)
        body.addWidget(self.subtitle)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 8, 0, 8)
        self.grid.setSpacing(20)
        body.addWidget(self.grid_host, 1)
        # Shown only where the location works with appointments.
        self.appointment_button = touch_button(_("Ik heb een afspraak"), "appointmentButton", size=26,
                                          on_click=self.show_check_in, primary=True)
        self.appointment_button.setMinimumHeight(theme.TOUCH_MIN * 2)
        body.addWidget(self.appointment_button)
        self.notice = label("", size=20, role="warning")
        self.notice.hide()
        self.error = label("", size=20, role="error")
        self.error.hide()
        for lbl in (self.notice, self.error):
            lbl.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
            body.addWidget(lbl)
        # For the host: the last slip did not come out (paper out); print it again once fixed.
        self.last_reprint_button = touch_button("", "lastReprintButton", size=18, on_click=self.reprint)
        self.last_reprint_button.setMinimumHeight(theme.TOUCH_MIN)
        body.addWidget(self.last_reprint_button, 0, Qt.AlignmentFlag.AlignLeft)
        body.addStretch(0)
        lay.addLayout(body, 1)
        self._update_empty_state()
        self.stack.addWidget(self.start_page)

        # confirmation
        self.ticket_page = QWidget()
        tl = QVBoxLayout(self.ticket_page)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.setSpacing(0)
        bar, self.ticket_municipality = self._header()
        tl.addWidget(bar)
        tb = QVBoxLayout()
        tb.setContentsMargins(48, 28, 48, 28)
        tb.setSpacing(14)
        center = Qt.AlignmentFlag.AlignHCenter
        self.your_number = label(_("Uw nummer is"), size=28, align=center)
        self.number = label("", size=theme.SIZE_TICKET, bold=True, align=center, wrap=False)
        self.number.setObjectName("ticketNumber")
        self.number.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.service_name = label("", size=28, bold=True, align=center)
        self.ahead = label("", size=26, align=center)
        self.estimate = label("", size=26, align=center)
        self.hall = label(_("Kijk op het scherm in de hal. Daar ziet u wanneer u aan de beurt bent."),
                           size=22, align=center)
        self.hall.setProperty("role", "info")
        self.remember = label(_("Onthoud uw nummer goed."), size=22, bold=True, align=center)
        self.reprint_button = touch_button(_("Opnieuw printen"), "reprintButton", size=24, on_click=self.reprint,
                                      primary=True)
        self.reprint_button.setMinimumWidth(theme.TOUCH_MIN * 5)
        self.back_hint = label(_("Tik op het scherm om terug te gaan."), size=16, role="muted", align=center)
        tb.addStretch(1)
        tb.addWidget(self.your_number)
        tb.addWidget(self.number)
        tb.addWidget(self.service_name)
        tb.addSpacing(8)
        tb.addWidget(self.ahead)
        tb.addWidget(self.estimate)
        tb.addSpacing(32)
        tb.addWidget(self.remember)
        tb.addWidget(self.reprint_button, 0, center)
        tb.addWidget(self.hall)
        tb.addStretch(2)
        tb.addWidget(self.back_hint)
        tl.addLayout(tb, 1)
        self.stack.addWidget(self.ticket_page)

        # appointment check-in (the panel itself is made once the kiosk knows its location)
        self.check_in_page = QWidget()
        cl = QVBoxLayout(self.check_in_page)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(0)
        bar, self.check_in_municipality = self._header()
        cl.addWidget(bar)
        self.check_in_body = QVBoxLayout()
        self.check_in_body.setContentsMargins(48, 32, 48, 32)
        self.check_in_body.setSpacing(20)
        self.back_button = QPushButton(_("Terug"))
        self.back_button.setObjectName("backButton")
        self.back_button.setFont(theme.font(22, bold=True))
        self.back_button.setMinimumHeight(theme.TOUCH_MIN)
        self.back_button.clicked.connect(self.show_start)
        self.check_in_body.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)
        cl.addLayout(self.check_in_body, 1)
        self.stack.addWidget(self.check_in_page)
        self._touch = TouchCatcher(self._on_ticket_touched, self)
        self.ticket_page.installEventFilter(self._touch)
        for w in self.ticket_page.findChildren(QWidget):
            if w is not self.reprint_button:  # a press there prints; it does not go back
                w.installEventFilter(self._touch)

        self.setStyleSheet(
            f"QLabel[role=\"info\"] {{ background: {theme.PANEL}; border: 1px solid {theme.PANEL_BORDER};"
            f" border-radius: {theme.RADIUS}px; padding: 16px; }}"
            f"QPushButton#reprintButton {{ min-height: {theme.TOUCH_MIN}px; padding: 12px 48px; }}"
            f"QPushButton#lastReprintButton {{ min-height: {theme.TOUCH_MIN - 16}px; color: {theme.WARNING};"
            f" background: {theme.WARNING_BG}; border: 2px solid {theme.WARNING}; padding: 8px 24px; }}"
        )
        self.show_notice(_("Even geduld. De kiosk wordt gestart."))

    # -- scaling -----------------------------------------------------------
    def scale_for(self, width: int, height: int) -> float:
        """Landscape against 1280x1024; portrait (a tall kiosk column) against 900x1280, so a
        1080x1920 kiosk reads larger than a 1280x1024 one instead of smaller."""
        design_w, design_h = DESIGN_SIZE if width >= height else PORTRAIT_DESIGN_SIZE
        return max(0.75, min(3.0, width / design_w, height / design_h))

    def rescale(self) -> None:
        """Text sizes follow the window, so a 720p and a 4K kiosk both read well."""
        scale = self.scale_for(self.width(), self.height())
        for lbl in self.findChildren(QLabel):
            base = lbl.property("kioskSize")
            if base:
                f = lbl.font()
                size = max(MIN_TEXT_PT, float(base) * scale)
                if abs(f.pointSizeF() - size) > 0.1:
                    f.setPointSizeF(size)
                    lbl.setFont(f)
        for b in self._buttons.values():
            side = int(96 * max(1.0, scale))
            b.letter.setFixedSize(side, side)
            b.setMinimumHeight(int(theme.TOUCH_MIN * 2 * scale))
        self._scale = scale

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        if abs(self.scale_for(self.width(), self.height()) - self._scale) > 0.02:
            self.rescale()

    # -- reading the queue -------------------------------------------------
    def refresh(self) -> None:
        """Re-read the queue (coalesced: at most one read in flight)."""
        if self._closed:
            return
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        self._refresh_again = False
        door, identity = self.door, self._identity
        self._read_minute = _minute(self.now())
        want_location, username = self._want_location, self._kiosk_username

        def work() -> tuple[_Identity, QueueSnapshot, TodaysHours, AppointmentSwitch]:
            ident = identity or _resolve(door, want_location, username)
            hours = ident.client.schedules.todays_hours(ident.location_id)
            # Read with every picture: "afspraken aan" (a schedule change wakes the feed)
            # reaches a running kiosk without a restart.
            switch = ident.client.appointments.appointment_switch(ident.location_id)
            return ident, ident.client.queue.queue_snapshot(ident.location_id, recent_calls=0), hours, switch

        run_task(work, self._on_snapshot, self._on_refresh_error)

    def _after_refresh(self) -> None:
        self._refreshing = False
        if self._refresh_again and not self._closed:
            self.refresh()

    def _on_snapshot(self, result: tuple[_Identity, QueueSnapshot, TodaysHours, AppointmentSwitch]) -> None:
        if self._closed:
            return
        ident, snap, hours, switch = result
        self._identity = ident
        self._snapshot = snap
        self._hours = hours
        self._ensure_check_in(ident)
        if self.check_in is not None:
            self.check_in.apply_switch(switch)
        self._retry_timer.stop()
        if not self._issuing:  # keep "Uw nummer wordt gemaakt" while a press is under way
            self.hide_notice()
        for lbl in (self.start_municipality, self.ticket_municipality, self.check_in_municipality):
            lbl.setText(snap.location.name)
        self._show_services(snap)
        self._after_refresh()
        self.refreshed.emit(snap)
        if not self._has_loaded:
            self._has_loaded = True
            self.loaded.emit()

    def _on_refresh_error(self, err: BaseException) -> None:
        if self._closed:
            return
        log.warning("kiosk cannot read the queue: %s", err)
        self.show_notice(kiosk_message(err), error=True)
        self._retry_timer.start()
        self._after_refresh()

    def _on_connection(self, connected: bool) -> None:
        if connected:
            self.refresh()
        else:
            self.show_notice(kiosk_message(StorageUnavailable("change feed lost the database")), error=True)

    def _show_services(self, snap: QueueSnapshot) -> None:
        offered = [sq for sq in snap.services if sq.service.active and sq.service.walk_in]
        offered.sort(key=lambda sq: (sq.service.sort_order, sq.service.prefix))
        hours = self._hours if self._hours is not None and self._hours.configured else None
        today = hours.day if hours is not None else None

        def of(sq: ServiceQueue) -> ServiceHours | None:
            return hours.for_service(sq.service.id) if hours is not None else None

        # One state for the whole start screen, in the hall screen's words (hourstext).
        floor = hourstext.location_state([of(sq) for sq in offered]) if offered else hourstext.OPEN
        self.floor = floor
        ids = [sq.service.id for sq in offered]
        if ids != list(self._buttons):
            for b in self._buttons.values():
                self.grid.removeWidget(b)
                b.deleteLater()
            self._buttons = {}
            columns = 1 if len(offered) <= 4 else 2
            for i, sq in enumerate(offered):
                b = ServiceButton(sq)
                b.update_from(sq, of(sq), today, floor)
                b.clicked.connect(lambda _checked=False, sid=sq.service.id: self.press(sid))
                self.grid.addWidget(b, i // columns, i % columns)
                self._buttons[sq.service.id] = b
            self.rescale()
        else:
            for sq in offered:
                self._buttons[sq.service.id].update_from(sq, of(sq), today, floor)
        title, subtitle = floor_title(floor, hours, sum(sq.waiting for sq in offered))
        self.title.setText(title)
        self.subtitle.setText(subtitle)
        self._update_empty_state()
        if not offered:
            self.show_notice(_("U kunt hier nu geen nummer nemen. Meld u bij de balie."))

    def now(self) -> dt.datetime:
        """The services' clock, through the client."""
        return self.door.now()

    def _on_minute(self) -> None:
        # A service may have opened or closed (or entered the stop time) with the new minute.
        if not self._closed and self._identity is not None and _minute(self.now()) != self._read_minute:
            self.refresh()

    # -- appointments ------------------------------------------------------
    def _ensure_check_in(self, ident: _Identity) -> None:
        """The check-in panel, once the location and kiosk account are known; it hides
        itself (and we hide "Ik heb een afspraak") when the location works without appointments."""
        if self.check_in is not None:
            return
        panel = CheckInPanel(ident.client, ident.location_id, parent=self.check_in_page)
        panel.availability.connect(self._on_appointments)
        panel.checked_in.connect(lambda result: self._on_checked_in(result.issued, result.appointment.start))
        panel.walk_in_issued.connect(self._on_checked_in)
        panel.code.textChanged.connect(lambda _text: self._restart_check_in_timer())
        self.check_in_body.addWidget(panel, 1)
        self.check_in = panel

    def _on_appointments(self, available: bool) -> None:
        self.appointment_button.setVisible(available)
        if not available and self.stack.currentWidget() is self.check_in_page:
            self.show_start()

    def show_check_in(self) -> None:
        if self.check_in is None or not self.check_in.available or self._closed:
            return
        self.check_in.result.hide()
        self.check_in.walk_in_button.hide()
        self.check_in.code.clear()
        self.stack.setCurrentWidget(self.check_in_page)
        self.check_in.code.setFocus()
        self._restart_check_in_timer()

    def on_check_in_page(self) -> bool:
        return self.stack.currentWidget() is self.check_in_page

    def _restart_check_in_timer(self) -> None:
        if self.on_check_in_page():
            self._check_in_timer.start()

    def _on_checked_in(self, issued: IssuedTicket, appointment_start: dt.datetime | None = None) -> None:
        """Checked in (or a walk-in ticket after being too late): the same confirmation as a
        press, with the appointment's time for an appointment holder."""
        if self._closed:
            return
        self._check_in_timer.stop()
        self.show_ticket(issued, appointment_start)
        self._print_ticket(issued)
        self.refresh()

    def _update_empty_state(self) -> None:
        """Without buttons (starting, database away) the invitation to tap makes no sense:
        only the message shows, at the top."""
        has_buttons = bool(self._buttons)
        for w in (self.title, self.subtitle, self.grid_host):
            w.setVisible(has_buttons)

    # -- issuing -----------------------------------------------------------
    @property
    def issuing(self) -> bool:
        return self._issuing

    def buttons(self) -> dict[int, ServiceButton]:
        return dict(self._buttons)

    def press(self, service_id: int) -> None:
        """A visitor tapped a service. One press, one ticket."""
        if self._issuing or self._closed or self.stack.currentWidget() is not self.start_page:
            return
        if self._identity is None:
            self.show_error(kiosk_message(StorageUnavailable("not loaded")))
            self.refresh()
            return
        self._issuing = True
        self._clear_press_error()
        self.show_notice(_("Even geduld. Uw nummer wordt gemaakt."))
        client = self._identity.client
        # One request id per press: should the answer be lost (a timeout) and the call be
        # repeated, the service hands back the same ticket instead of making a second one.
        request_id = uuid.uuid4().hex
        self.last_request_id = request_id
        run_task(lambda: client.queue.issue_ticket(service_id, source="kiosk", request_id=request_id),
                 self._on_issued, self._on_issue_error)

    def _on_issued(self, issued: IssuedTicket) -> None:
        self._issuing = False
        if self._closed:
            return
        self.hide_notice()
        self.show_ticket(issued)
        self._print_ticket(issued)
        self.refresh()

    def _print_ticket(self, issued: IssuedTicket) -> None:
        """Issued first, printed after (worker thread): a failed print never loses the ticket."""
        self.remember.setText(_("Onthoud uw nummer goed."))
        self.reprint_button.hide()
        if hasattr(self.settings, "refresh"):
            self.settings.refresh()  # a printer chosen in this PC's settings window since the kiosk started
        if not printing_configured(self.settings) or self._identity is None:
            return
        job = LastSlip(issued)
        self.last_slip = job
        self._update_last_reprint()
        self._send(job)

    def _send(self, job: LastSlip) -> None:
        """Make the slip (once) and send it to the printer as the settings say now (worker thread)."""
        client, settings = self._identity.client, self.settings

        def work():
            if hasattr(settings, "refresh"):
                settings.refresh()  # e.g. the host chose another printer before "Opnieuw printen"
            if job.printout is None:
                job.printout = prepare_ticket(job.issued, settings, client.schedules.todays_hours,
                                              client.organisation.branding)
            return deliver(job.printout, printer_from(settings))

        run_task(work, lambda delivery: self._on_printed(job, delivery),
                 lambda err: self._on_print_error(job, err))

    def reprint(self, job: LastSlip | None = None) -> bool:
        """Print the last slip again: the same number and the same slip, no new ticket.
        False when there is nothing to print or it is being printed right now."""
        job = job or self.last_slip
        if job is None or job.busy or self._closed or self._identity is None:
            return False
        job.busy = True
        if self._shows(job):
            self._return_timer.start(self.return_after_ms)  # the visitor waits for the slip
            self.remember.setText(_("Even geduld. Het bonnetje wordt geprint."))
            self.reprint_button.setEnabled(False)
        self._update_last_reprint()
        self._send(job)
        return True

    def _shows(self, job: LastSlip) -> bool:
        return self.on_ticket_page() and self.number.text() == job.number

    def _on_printed(self, job: LastSlip, delivery) -> None:
        if self._closed:
            return
        was_failed = job.failed
        job.busy = False
        job.failed = False
        if self._shows(job):
            self.reprint_button.hide()
            if was_failed:
                self.remember.setText(_("Het bonnetje is nu geprint. Neem het mee."))
            else:
                self.remember.setText(_("Onthoud uw nummer goed."))
        self._update_last_reprint()
        self.slip_printed.emit(delivery)
        if was_failed:
            self.reprinted.emit(delivery)

    def _on_print_error(self, job: LastSlip, err: BaseException) -> None:
        log.warning("kiosk could not print the slip for %s: %s", job.issued.ticket.number, err)
        if self._closed:
            return
        job.busy = False
        job.failed = True
        text = _("Het bonnetje kon niet worden geprint. Onthoud uw nummer: {number}.").format(number=job.number)
        if self._shows(job):
            self.remember.setText(text)
            self.reprint_button.setEnabled(True)
            self.reprint_button.show()
            self._return_timer.start(self.return_after_ms)  # time to read it and to press the button
        self._update_last_reprint()
        self.print_failed.emit(text)

    def _update_last_reprint(self) -> None:
        """The host's button on the start screen: only while the last slip is not printed."""
        job = self.last_slip
        if job is None or not job.failed:
            self.last_reprint_button.hide()
            return
        self.last_reprint_button.setText(
            _("Bonnetje {number} is niet geprint. Tik hier om het opnieuw te printen.").format(number=job.number))
        self.last_reprint_button.setEnabled(not job.busy)
        self.last_reprint_button.show()

    def _on_issue_error(self, err: BaseException) -> None:
        self._issuing = False
        if self._closed:
            return
        log.warning("kiosk could not issue a ticket: %s", err)
        self.hide_notice()
        self.show_error(kiosk_message(err))
        self.refresh()

    # -- the confirmation --------------------------------------------------
    def show_ticket(self, issued: IssuedTicket, appointment_start: dt.datetime | None = None) -> None:
        """``appointment_start``: the appointment's time (local) after a check-in."""
        t = issued.ticket
        colors = theme.service_colors(self._color_of(t.service_id))
        self.number.setText(t.display_number or display_number(t.number))
        self.number.setStyleSheet(
            f"QLabel#ticketNumber {{ color: {colors.text}; background: {colors.fill};"
            f" border-radius: {theme.RADIUS * 2}px; padding: 8px 48px; }}")
        if appointment_start is not None:
            # An appointment holder sees their time: "Paspoort en ID-kaart · afspraak 12.30 uur".
            self.service_name.setText(f"{t.service_name} · {appointment_text(appointment_start)}")
        else:
            self.service_name.setText(t.service_name)
        self.ahead.setText(people_ahead_text(issued.estimate.people_ahead))
        self.estimate.setText(estimate_text(issued))
        self.ticket_municipality.setText(issued.location_name)
        self.stack.setCurrentWidget(self.ticket_page)
        self._ticket_since = self._elapsed.elapsed()
        self._return_timer.start(self.return_after_ms)
        self.ticket_shown.emit(issued)

    def _color_of(self, service_id: int) -> str | None:
        if self._snapshot is not None:
            for sq in self._snapshot.services:
                if sq.service.id == service_id:
                    return sq.service.color
        return None

    def _on_ticket_touched(self) -> None:
        if self.stack.currentWidget() is self.ticket_page and \
                self._elapsed.elapsed() - self._ticket_since >= TOUCH_GUARD_MS:
            self.show_start()

    def show_start(self) -> None:
        self._return_timer.stop()
        self._check_in_timer.stop()
        self.stack.setCurrentWidget(self.start_page)

    def on_ticket_page(self) -> bool:
        return self.stack.currentWidget() is self.ticket_page

    # -- messages ----------------------------------------------------------
    def show_notice(self, text: str, *, error: bool = False) -> None:
        """A standing line under the buttons (progress, or the database being away)."""
        self.notice.setText(text)
        self.notice.show()
        if error:
            self.error_shown.emit(text)

    def hide_notice(self) -> None:
        self.notice.hide()
        self.notice.clear()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        self._error_timer.start()
        self.error_shown.emit(text)

    def _clear_press_error(self) -> None:
        self.error.hide()
        self.error.clear()

    def message_text(self) -> str:
        """What the start screen says besides the buttons (for tests and logs)."""
        return " ".join(lbl.text() for lbl in (self.notice, self.error) if not lbl.isHidden())

    # -- life cycle --------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the watcher and the timers; pending tasks find the window closed."""
        if self._closed:
            return
        self._closed = True
        for timer in (self._return_timer, self._retry_timer, self._error_timer, self._minute_timer,
                      self._check_in_timer):
            timer.stop()
        if self.check_in is not None:
            self.check_in.close()  # answers still on their way find it closed
        if self.watcher is not None:
            self.watcher.stop()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.shutdown()
        super().closeEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt name
        if self.on_ticket_page():
            self._on_ticket_touched()
            return
        super().keyPressEvent(event)


def _minute(moment: dt.datetime) -> tuple:
    return (moment.date(), moment.hour, moment.minute)


def _resolve(door: Client, location_id: int | None, username: str) -> _Identity:
    """Which location this kiosk stands in and which device account it uses (worker thread)."""
    locations = door.setup.list_locations()
    if not locations:
        raise KioskNotConfigured("no location")
    location = next((loc for loc in locations if loc.id == location_id), None) if location_id else locations[0]
    if location is None:
        raise KioskNotConfigured(f"location {location_id} not found")
    client = door
    if door.user_id is None:
        kiosks = door.setup.sign_in_choices([Role.KIOSK])
        chosen = next((u for u in kiosks if u.username == username), None) or (kiosks[0] if kiosks else None)
        if chosen is None:
            raise KioskNotConfigured("no kiosk account")
        client = door.as_user(chosen.id)
    return _Identity(location.id, location.name, client)

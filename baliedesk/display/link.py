"""The hall screen's line to the database: one worker thread that listens and reads.

The thread blocks in the change feed (PostgreSQL LISTEN/NOTIFY, or SQLite
``PRAGMA data_version`` every 100 ms; see :mod:`baliedesk.storage.feed`). As
soon as it wakes it reads the calls (``services.hall.hall_calls``: a few small
queries) and hands them to the GUI thread, which paints the new number; then,
once it has been quiet for a moment, the full queue picture
(``queue_snapshot``, for the waiting counts per service), at most once a
second and at least every few seconds while busy. Reading on the thread that woke saves a hop (the hall screen's whole
job is to be quick); the GUI thread never waits for the database. Both reads
act as the display device account.

Failures never leave this thread as exceptions. While the database is away
the feed reconnects with back-off (LISTEN first, then it reports a change, so
we re-read whatever was missed); a failing read is retried with back-off too.
``connection_changed(False)`` lets the screen show a small notice and keep its
last picture. A configuration problem (no display account, no location) is
reported once through ``problem`` with a sentence for the hall.

This is the hall screen's own small cousin of ``baliedesk.ui.common.feedwatcher``:
the layer contract keeps the hall screen independent of the desktop windows.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThread, Signal

from baliedesk.domain.errors import InactiveUser, NotFound, PermissionDenied, StorageUnavailable
from baliedesk.domain.permissions import Role
from baliedesk.i18n import _
from baliedesk.client import Client
from baliedesk.qtthreads import stop_or_let_go

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


#: The first retry of a failed read; a read that fails again counts as a lost connection.
QUICK_RETRY_S = 0.05
LOST_AFTER_FAILURES = 2
#: The calls are read at every change; the full picture (waiting counts) at most once a
#: second, once things have been quiet for a moment (so that it never holds up the next
#: call or the painting of this one), and during a busy spell still every few seconds.
FULL_READ_GAP_S = 1.0
QUIET_S = 0.3
FULL_STALE_S = 3.0


class NotConfigured(Exception):
    """This hall screen cannot find its device account or its location."""


class HallLink(QThread):
    calls = Signal(object)               # HallCalls, the quick read
    snapshot = Signal(object)            # QueueSnapshot, the full picture
    hours = Signal(object)               # TodaysHours, read with the full picture and at every new minute
    connection_changed = Signal(bool)
    problem = Signal(str)                # a sentence for the hall, or "" when solved

    def __init__(self, client: Client, *, display_user: str, location_id: int = 0, fetch_calls: int = 24,
                 poll_s: float = 0.5, refresh_s: float = 30.0, parent: Any = None) -> None:
        """``client``: the hall PC's door; the screen reads as its display account
        (``display_user`` when nobody is signed in to the client)."""
        super().__init__(parent)
        self._door = client
        self._reader: Client | None = None  # the door, acting as the display account
        self._display_user = display_user
        self._location_id = location_id
        self._fetch_calls = fetch_calls
        self._clock = client.now
        self._poll_s = poll_s
        self._refresh_s = refresh_s  # waits and "balie open" change with time alone
        self._stop = False
        self._feed: Any = None
        self._ids: tuple[int, int] | None = None
        self._connected: bool | None = None
        self._read_ok = False
        self._problem = ""
        self._failures = 0
        self._hours_minute: tuple | None = None  # the minute of the last read of today's hours
        self.reads = 0  # pictures read, for tests and diagnostics

    @property
    def feed(self) -> Any:
        """The change feed in use (tests reach under it to break the connection)."""
        return self._feed

    @property
    def location_id(self) -> int | None:
        return self._ids[1] if self._ids else None

    def stop(self, wait_ms: int = 5000) -> None:
        """Stop; a thread still busy after ``wait_ms`` (a server that does not answer) is let go rather
        than destroyed while it runs (which ends the program): silent, without a parent, kept until done."""
        self._stop = True
        stop_or_let_go(self, wait_ms, "hall screen reader")

    # -- the thread ----------------------------------------------------------
    def run(self) -> None:
        need_calls = need_full = True
        next_try = 0.0      # after a failed read: not before this
        last_full = -1e9    # when the last full picture was read
        last_wake = -1e9    # when the feed last reported a change
        delay = 0.0
        try:
            while not self._stop:
                if self._feed is None and not self._open_feed():
                    self._sleep(1.0)
                    continue
                now = time.monotonic()
                if now - last_full >= self._refresh_s:
                    need_full = True  # waits and "balie open" change with time alone
                if self._minute() != self._hours_minute:
                    need_full = True  # today's hours change with the clock ("open tot" at closing time)
                full_due = max(last_full + FULL_READ_GAP_S,
                               min(last_wake + QUIET_S, last_full + FULL_STALE_S))
                if now >= next_try and (need_calls or (need_full and now >= full_due)):
                    full = not need_calls
                    if self._read(full):
                        delay = 0.0
                        if full:
                            need_full, last_full = False, time.monotonic()
                        else:
                            need_calls = False
                    else:
                        # A one-off failure is retried at once; a lasting one with back-off.
                        delay = QUICK_RETRY_S if self._failures <= 1 else min(5.0, max(0.25, delay * 2))
                        next_try = time.monotonic() + delay
                    self._report_connection()
                    continue
                self._report_connection()
                due = self._poll_s
                if need_calls:
                    due = next_try - now
                elif need_full:
                    due = min(due, max(next_try, full_due) - now)
                if self._wake(max(0.005, due)):
                    need_calls = need_full = True
                    last_wake = time.monotonic()
        finally:
            self._close_feed()

    def _minute(self) -> tuple:
        t = self._clock()
        return (t.date(), t.hour, t.minute)

    def _wake(self, timeout: float) -> bool:
        try:
            return bool(self._feed.wait(timeout))
        except Exception:  # noqa: BLE001 - the feed handles its own errors; this is a last resort
            log.warning("hall screen: change feed failed; opening it again", exc_info=True)
            self._close_feed()
            return True

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self._stop and time.monotonic() < end:
            time.sleep(0.05)

    def _open_feed(self) -> bool:
        try:
            self._feed = self._door.open_feed()
            return True
        except Exception as exc:  # noqa: BLE001
            log.warning("hall screen: cannot open the change feed: %s", exc)
            self._feed = None
            self._report_connection(force=False)
            return False

    def _close_feed(self) -> None:
        feed, self._feed = self._feed, None
        if feed is not None:
            try:
                feed.close()
            except Exception:  # noqa: BLE001
                pass

    def _report_connection(self, force: bool | None = None) -> None:
        feed_ok = self._feed is not None and bool(self._feed.connected)
        connected = (feed_ok and self._read_ok) if force is None else force
        if connected != self._connected:
            if self._connected is not None:
                if connected:
                    log.info("hall screen: connection to the database restored")
                else:
                    log.warning("hall screen: lost the database; keeping the last picture and reconnecting")
            self._connected = connected
            self.connection_changed.emit(connected)

    def _set_problem(self, text: str) -> None:
        if text != self._problem:
            self._problem = text
            self.problem.emit(text)

    def _resolve(self) -> tuple[int, int]:
        door = self._door
        if door.user_id is not None:
            self._reader = door
        else:
            user = next((u for u in door.setup.sign_in_choices([Role.DISPLAY])
                         if u.username == self._display_user), None)
            if user is None:
                raise NotConfigured(f"no active display account {self._display_user!r}")
            self._reader = door.as_user(user.id)
        user_id = self._reader.user_id
        locations = door.setup.list_locations()
        if self._location_id:
            if not any(loc.id == self._location_id for loc in locations):
                raise NotConfigured(f"no active location {self._location_id}")
            return user_id, self._location_id
        if not locations:
            raise NotConfigured("no location set up yet")
        return user_id, locations[0].id

    def _read(self, full: bool) -> bool:
        try:
            if self._ids is None:
                self._ids = self._resolve()
            _user_id, location_id = self._ids
            reader = self._reader
            assert reader is not None
            if full:
                # Today's hours go with the full picture: re-read after every change (a
                # schedule change wakes the feed too, topic ``schedule:<location>``) and
                # at every new minute, since "open tot 19.30 uur" changes at closing time.
                minute = self._minute()
                todays = reader.schedules.todays_hours(location_id)
                picture = reader.queue.queue_snapshot(location_id, recent_calls=self._fetch_calls)
            else:
                picture = reader.hall.hall_calls(location_id, self._fetch_calls)
        except StorageUnavailable as exc:
            self._failed(f"database unavailable: {exc}", exc)
            return False
        except (NotConfigured, NotFound, PermissionDenied, InactiveUser) as exc:
            self._ids = None
            if self._problem == "":
                log.error("hall screen: not set up (%s). Create the display account %r (role 'display') "
                          "or set display_user/location_id in the settings.", exc, self._display_user)
            self._set_problem(_("Dit scherm is nog niet ingesteld. Vraag het de beheerder."))
            self._read_ok = True  # the database answers; the notice about the connection would be wrong
            self._failures = max(self._failures + 1, LOST_AFTER_FAILURES)  # retried with back-off
            return False
        except Exception as exc:  # noqa: BLE001 - whatever it is, the hall sees no stack trace
            self._failed(f"reading the queue failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
                         exc, unexpected=True)
            return False
        self.reads += 1
        self._failures = 0
        self._read_ok = True
        self._set_problem("")
        if full:
            self._hours_minute = minute
            self.hours.emit(todays)
        (self.snapshot if full else self.calls).emit(picture)
        return True

    def _failed(self, why: str, exc: BaseException, unexpected: bool = False) -> None:
        """Count a failed read: one is retried at once (a read can lose a race with a
        write); from the second in a row the screen shows that it is reconnecting."""
        self._failures += 1
        if self._failures == 1:
            log.info("hall screen: %s; trying again", why)
        elif self._failures == LOST_AFTER_FAILURES:
            log.warning("hall screen: %s; retrying with back-off", why, exc_info=exc if unexpected else None)
        if self._failures >= LOST_AFTER_FAILURES:
            self._read_ok = False

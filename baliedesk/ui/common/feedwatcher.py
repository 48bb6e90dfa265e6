"""Turns the storage change feed into a Qt signal.

A worker thread blocks in ``feed.wait()`` (PostgreSQL LISTEN/NOTIFY or SQLite
``PRAGMA data_version``) and emits ``changed`` on the GUI thread. Bursts are
coalesced by the receivers (they re-read the whole picture once). The feed's
own safety net makes it report a change every few seconds anyway, so a lost
notification can never leave a screen stale for long; ``connection_changed``
says whether the database is reachable (for a "verbinding wordt hersteld"
notice).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QThread, Signal

from baliedesk.client import Client
from baliedesk.qtthreads import stop_or_let_go

log = logging.getLogger(__name__)


class FeedWatcher(QThread):
    changed = Signal()
    connection_changed = Signal(bool)

    def __init__(self, client: Client, *, poll_s: float = 0.5, parent=None) -> None:
        """``client``: the window's door (its ``open_feed()`` gives the change feed)."""
        super().__init__(parent)
        self._client = client
        self._poll_s = poll_s
        self._stop = False
        self._connected: bool | None = None

    def run(self) -> None:
        feed = None
        try:
            feed = self._client.open_feed()
            while not self._stop:
                try:
                    woke = feed.wait(self._poll_s)
                except Exception:  # noqa: BLE001 - keep watching whatever happens
                    log.exception("change feed failed; retrying")
                    woke = False
                    self.msleep(500)
                connected = bool(feed.connected)
                if connected != self._connected:
                    self._connected = connected
                    self.connection_changed.emit(connected)
                if woke:
                    self.changed.emit()
        finally:
            if feed is not None:
                feed.close()

    def stop(self, wait_ms: int = 3000) -> None:
        """Stop watching; wait up to ``wait_ms`` for the thread. A thread that takes longer (a feed that
        is slow to close, a server that does not answer) is let go instead of being destroyed while it
        runs, which ends the whole program: it says nothing more, leaves its window and is kept here
        until it has finished."""
        self._stop = True
        stop_or_let_go(self, wait_ms, "change feed")

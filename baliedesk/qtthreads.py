"""Stopping a worker QThread without ever destroying it while it runs (which ends the whole program).

Shared by the windows' change feed (``ui/common/feedwatcher``) and the hall screen's reader
(``display/link``). Qt only; no window.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QThread

log = logging.getLogger(__name__)

#: Threads that outlived their owner's stop(): kept alive until they have ended.
LINGERING: set[QThread] = set()


def stop_or_let_go(thread: QThread, wait_ms: int, what: str) -> bool:
    """Wait up to ``wait_ms`` for ``thread`` (already told to stop). True when it ended; otherwise it
    is let go: silent (signals blocked), without a parent, kept in :data:`LINGERING` until it ends."""
    LINGERING.difference_update([t for t in LINGERING if t.isFinished()])
    if thread.wait(wait_ms):
        return True
    thread.blockSignals(True)
    thread.setParent(None)
    LINGERING.add(thread)
    log.warning("%s: still busy after %d ms; it finishes on its own", what, wait_ms)
    return False

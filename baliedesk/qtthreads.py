"""Worker threads beside Qt, shared by the windows (``ui/common``) and the hall screen (``display``).

* :func:`stop_or_let_go`: stop a worker QThread without ever destroying it while it runs (which
  ends the whole program): the change feed's watcher and the hall screen's reader.
* :func:`let_go_of_frames`: an exception handed from a worker to the GUI thread without its
  traceback's frames, whose locals often hold a window (see ``ui/common/tasks``).

Qt only; no window.
"""

from __future__ import annotations

import logging
import traceback

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


def let_go_of_frames(exc: BaseException) -> None:
    """Drop the traceback frames of ``exc`` and of the exceptions chained to it: a worker thread must
    not hand the GUI thread the last reference to a window it held. The text of the traceback is kept
    as a note, so a log of the error still shows where it came from."""
    if exc.__traceback__ is not None:
        exc.add_note("(on the worker thread)\n" + "".join(traceback.format_tb(exc.__traceback__)).rstrip())
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__

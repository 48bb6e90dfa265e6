"""The start-up screen: shown while a window opens its database (or checks its server).

:class:`StartupGate` runs ``opener`` (which opens and checks the database, or asks
the server for its health, and returns the window's client) on a worker thread.
Meanwhile :class:`WaitingScreen` says what is going on in plain Dutch. A
temporary fault (no answer, a share not mounted yet) is tried again every
:data:`~baliedesk.startup_text.RETRY_SECONDS` seconds, and the gate goes on by
itself (``ready``) once it works; a permanent fault (a damaged file, a newer
schema, read-only, a folder that cannot be written) is shown and not retried:
nothing is written. ``ui/launch.py`` builds the real window on ``ready``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from baliedesk.i18n import _
from baliedesk.startup_text import RETRY_SECONDS, StartupProblem, connecting_text, startup_problem
from baliedesk.ui.common.tasks import run_task

log = logging.getLogger(__name__)

#: Milliseconds between attempts while the fault is temporary (tests make it short).
RETRY_MS = RETRY_SECONDS * 1000


class WaitingScreen(QWidget):
    """A calm page: what is wrong (``what``), what to do (``todo``), the last attempt (``when``)."""

    def __init__(self, title: str = "", *, server: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("waitingScreen")
        self.server = server
        self.problem: StartupProblem | None = None
        self.setWindowTitle(f"BalieDesk – {title}" if title else "BalieDesk")
        self.heading = QLabel(title or "BalieDesk")
        self.heading.setObjectName("waitingHeading")
        self.what = QLabel(connecting_text(server))
        self.what.setObjectName("waitingWhat")
        self.todo = QLabel(_("Een moment geduld."))
        self.todo.setObjectName("waitingTodo")
        self.when = QLabel("")
        self.when.setObjectName("waitingWhen")
        for label in (self.heading, self.what, self.todo, self.when):
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 48, 64, 48)
        layout.addStretch(1)
        for label in (self.heading, self.what, self.todo, self.when):
            layout.addWidget(label)
            layout.addSpacing(12)
        layout.addStretch(2)
        self.setStyleSheet(
            "#waitingScreen { background: #f4f6f8; }"
            "#waitingHeading { font-size: 20pt; font-weight: 600; color: #154273; }"
            "#waitingWhat { font-size: 16pt; color: #1a1a1a; }"
            "#waitingTodo { font-size: 13pt; color: #333333; }"
            "#waitingWhen { font-size: 11pt; color: #555555; }")
        self.resize(900, 560)

    def show_problem(self, problem: StartupProblem, at: dt.datetime | None = None) -> None:
        self.problem = problem
        self.what.setText(problem.what)
        self.todo.setText(problem.do)
        if problem.retry:
            stamp = (at or dt.datetime.now()).strftime("%H:%M:%S")
            self.when.setText(_("Laatste poging: {time}.").format(time=stamp))
        else:
            self.when.setText("")

    def text(self) -> str:
        """All it says, for tests and the probe."""
        return "\n".join(w.text() for w in (self.heading, self.what, self.todo, self.when) if w.text())


class StartupGate(QObject):
    """Opens (``opener``, worker thread) until it works; ``ready(result)`` once, on the GUI thread.

    ``failed(err)`` for every failed attempt; ``given_up(err)`` for a permanent fault.
    """

    ready = Signal(object)
    failed = Signal(object)
    given_up = Signal(object)

    def __init__(self, opener: Callable[[], Any], screen: WaitingScreen | None = None, *,
                 retry_ms: int | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.opener, self.screen = opener, screen
        self.attempts = 0
        self.done = False
        self.last_error: BaseException | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(RETRY_MS if retry_ms is None else retry_ms)
        self.timer.timeout.connect(self.attempt)

    def start(self) -> None:
        self.attempt()

    def stop(self) -> None:
        self.timer.stop()
        self.done = True

    def attempt(self) -> None:
        if self.done:
            return
        self.attempts += 1
        run_task(self.opener, self._opened, self._failed)

    def _opened(self, result: Any) -> None:
        if self.done:  # stopped (the screen was closed) while this attempt ran
            closer = getattr(result, "close", None)
            if callable(closer):
                closer()
            return
        self.done = True
        self.ready.emit(result)

    def _failed(self, err: BaseException) -> None:
        if self.done:
            return
        self.last_error = err
        problem = startup_problem(err, server=bool(self.screen and self.screen.server))
        log.warning("start-up: %s (%s: %s)", problem.what, type(err).__name__, err)
        if self.screen is not None:
            self.screen.show_problem(problem)
        self.failed.emit(err)
        if problem.retry:
            self.timer.start()
        else:
            self.done = True
            self.given_up.emit(err)

"""Starting the hall screen: its own process, full screen on a chosen monitor.

``cli.py`` (the composition root) opens the database and calls

* :func:`run_display` for ``python -m baliedesk display [--screen N] [--windowed]``;
* :func:`display_screenshots` for ``python -m baliedesk screenshot``
  (``hall-1920x1080.png`` and ``hall-1280x720.png``).

The demo starts ``python -m baliedesk display --windowed`` as a second process
beside the counter and kiosk windows: exactly how a hall PC works, and it shows
the change feed carrying calls from one process to another. That window goes
to a second monitor when there is one, else it stays below the counter and
kiosk (which fill the first monitor) instead of covering them.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from baliedesk import i18n, qtdutch, qtgc
from baliedesk.display.announce import SilentAnnouncer
from baliedesk.display.config import HallConfig
from baliedesk.display.hall import HallScreen
from baliedesk.client import Client
from baliedesk.qtthreads import let_go_of_frames
from baliedesk.startup_text import RETRY_SECONDS, StartupProblem, connecting_text, startup_problem

log = logging.getLogger(__name__)

SHOT_SIZES = ((1920, 1080), (1280, 720))
#: Milliseconds between start-up attempts while the fault is temporary (tests make it short).
RETRY_MS = RETRY_SECONDS * 1000
WINDOWED = (1280, 720)


def _settings() -> Any:
    from baliedesk.settings import Settings

    return Settings()


def make_app(settings: Any = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        QApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(sys.argv[:1])
        app.setApplicationName("BalieDesk")
        app.setApplicationDisplayName("BalieDesk")
        app.setOrganizationName("BalieDesk")
    qtgc.install(app)  # cycles (and the Qt objects in them) are collected on this thread only
    language = settings["language"] if settings is not None else ""
    i18n.install(language or None)
    qtdutch.install(app)
    return app


def open_hall_screen(client: Client, *, screen: int | None = None, windowed: bool = False,
                     settings: Any = None, behind: bool = False) -> HallScreen:
    """Create, place, show and start a hall screen (a QApplication must exist).

    ``behind`` (the demo, whose counter and kiosk fill the first monitor): the window goes
    to another monitor when there is one, else it stays below the other windows instead
    of covering them."""
    settings = settings if settings is not None else _settings()
    hall = HallScreen(client, HallConfig.from_settings(settings))
    screens = QGuiApplication.screens()
    index = settings["display_screen"] if screen is None else screen
    if screens and not 0 <= index < len(screens):
        log.warning("hall screen: there is no monitor %d (there are %d); using the first", index, len(screens))
        index = 0
    target = screens[index] if screens else None
    if windowed and behind and len(screens) > 1 and screen is None:
        target = next(s for s in screens if s is not QGuiApplication.primaryScreen())
    if windowed and behind and len(screens) <= 1:
        hall.setWindowFlag(Qt.WindowType.WindowStaysOnBottomHint, True)
    if windowed:
        hall.resize(*WINDOWED)
        if target is not None:
            area = target.availableGeometry()
            hall.move(area.x() + max(0, (area.width() - WINDOWED[0]) // 2),
                      area.y() + max(0, (area.height() - WINDOWED[1]) // 2))
        hall.show()
        if behind:
            hall.lower()
    else:
        if target is not None:
            hall.setGeometry(target.geometry())
        hall.setCursor(Qt.CursorShape.BlankCursor)  # an unattended TV: no mouse pointer in the middle
        hall.showFullScreen()
        if target is not None and hall.windowHandle() is not None:
            hall.windowHandle().setScreen(target)
            hall.setGeometry(target.geometry())
    # For whoever stands in front of it with a keyboard: F11 full screen on/off, Ctrl+Q close.
    QShortcut(QKeySequence("F11"), hall, activated=lambda: hall.showNormal() if hall.isFullScreen()
              else hall.showFullScreen())
    QShortcut(QKeySequence("Ctrl+Q"), hall, activated=hall.close)
    hall.start()
    return hall


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, but not ours to signal
    return True


class HallWaiting(QWidget):
    """The hall screen's start-up page, readable from across the hall: what is wrong and what
    to do, in large letters on the hall screen's dark background."""

    def __init__(self, server: bool = False) -> None:
        super().__init__()
        self.setObjectName("hallWaiting")
        self.server = server
        self.setWindowTitle("BalieDesk – " + i18n._("Wachtkamerscherm"))
        self.what = QLabel(connecting_text(server))
        self.what.setObjectName("hallWaitingWhat")
        self.todo = QLabel(i18n._("Een moment geduld."))
        self.todo.setObjectName("hallWaitingTodo")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(96, 64, 96, 64)
        layout.addStretch(1)
        for label in (self.what, self.todo):
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
            layout.addSpacing(32)
        layout.addStretch(1)
        self.setStyleSheet("#hallWaiting { background: #0b2545; }"
                           "#hallWaitingWhat { color: #ffffff; font-size: 40pt; font-weight: 600; }"
                           "#hallWaitingTodo { color: #d6e2f0; font-size: 26pt; }")
        self.setAutoFillBackground(True)

    def show_problem(self, problem: StartupProblem) -> None:
        self.what.setText(problem.what)
        self.todo.setText(problem.do)

    def text(self) -> str:
        return f"{self.what.text()}\n{self.todo.text()}"


class _Opened(QObject):
    done = Signal(object, object)  # (client, error) from the worker thread


class HallGate(QObject):
    """Opens the hall screen's door on a worker thread until it works (the hall screen's own
    cousin of ``ui.common.waiting.StartupGate``: the layer contract keeps them apart).
    Temporary faults are retried every RETRY_SECONDS; a permanent one is shown, not retried."""

    ready = Signal(object)

    def __init__(self, opener: Callable[[], Client], screen: HallWaiting, *,
                 retry_ms: int | None = None) -> None:
        super().__init__(screen)
        self.opener, self.screen = opener, screen
        self.attempts, self.done = 0, False
        self.relay = _Opened(self)
        self.relay.done.connect(self._result)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(RETRY_MS if retry_ms is None else retry_ms)
        self.timer.timeout.connect(self.attempt)
        self.threads: list[threading.Thread] = []

    def attempt(self) -> None:
        if self.done:
            return
        self.attempts += 1
        relay, opener = self.relay, self.opener  # not self: the thread must never hold the screen

        def work() -> None:
            try:
                client, error = opener(), None
            except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread
                client, error = None, exc
                let_go_of_frames(exc)
            try:
                relay.done.emit(client, error)
            except RuntimeError:  # the screen (and its relay) was deleted meanwhile
                if client is not None:
                    client.close()

        thread = threading.Thread(target=work, name="hall-open", daemon=True)
        self.threads = [t for t in self.threads if t.is_alive()] + [thread]
        thread.start()

    def stop(self) -> None:
        self.done = True
        self.timer.stop()

    def wait(self, timeout_s: float = 5.0) -> None:
        for thread in self.threads:
            thread.join(timeout_s)

    def _result(self, client: Any, err: Any) -> None:
        if self.done:
            if client is not None:
                client.close()
            return
        if err is None:
            self.done = True
            self.ready.emit(client)
            return
        problem = startup_problem(err, server=self.screen.server)
        log.warning("hall screen start-up: %s (%s: %s)", problem.what, type(err).__name__, err)
        self.screen.show_problem(problem)
        if problem.retry:
            self.timer.start()
        else:
            self.done = True


def run_display(door: Client | Callable[[], Client], *, screen: int | None = None, windowed: bool = False,
                parent_pid: int | None = None) -> int:
    """The hall screen's event loop. ``parent_pid``: close when that process (the demo) is gone.

    ``door``: the hall screen's client, or a callable that opens it (worker thread; raises the
    typed storage faults): meanwhile :class:`HallWaiting` says what is wrong, in large letters."""
    settings = _settings()
    app = make_app(settings)
    halls: list[HallScreen] = []
    clients: list[Client] = []

    def build(client: Client) -> HallScreen:
        clients.append(client)
        # Started by the demo (parent_pid): keep out of the way of the demo's counter and kiosk.
        hall = open_hall_screen(client, screen=screen, windowed=windowed, settings=settings,
                                behind=bool(parent_pid))
        halls.append(hall)
        return hall

    gate = None
    if isinstance(door, Client):
        owner: QWidget = build(door)
    else:
        waiting = HallWaiting(server=bool(getattr(door, "server", False)))
        owner = waiting
        gate = HallGate(door, waiting)

        def ready(client: Client) -> None:
            build(client)
            waiting.close()

        gate.ready.connect(ready)
        if windowed:
            waiting.resize(*WINDOWED)
            waiting.show()
        else:
            waiting.setCursor(Qt.CursorShape.BlankCursor)
            waiting.showFullScreen()
        QShortcut(QKeySequence("Ctrl+Q"), waiting, activated=waiting.close)
        gate.attempt()
    if parent_pid:
        watch = QTimer(app)
        watch.timeout.connect(lambda: None if _alive(parent_pid) else app.quit())
        watch.start(2000)
    try:
        return app.exec()
    finally:
        if gate is not None:
            gate.stop()
        for hall in halls:
            hall.shutdown()
        for client in clients:
            client.close()
        del owner


def _wait_for(condition, timeout_ms: int = 20_000) -> bool:
    loop = QEventLoop()
    poll = QTimer()
    poll.timeout.connect(lambda: loop.quit() if condition() else None)
    deadline = QTimer(singleShot=True)
    deadline.timeout.connect(loop.quit)
    if condition():
        return True
    poll.start(20)
    deadline.start(timeout_ms)
    loop.exec()
    poll.stop()
    deadline.stop()
    return condition()


def display_screenshots(client: Client, out_dir: Path | str) -> list[Path]:
    """Render the hall screen on ``client`` (seeded demo data) to hall-WxH.png; returns the paths."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    settings = _settings()
    make_app(settings)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    hall = HallScreen(client, HallConfig.from_settings(settings), announcer=SilentAnnouncer())
    paths: list[Path] = []
    try:
        hall.resize(*SHOT_SIZES[0])
        hall.show()
        hall.start()
        if not _wait_for(lambda: hall.full_pictures > 0):
            raise RuntimeError("the hall screen did not read the queue in time: " + hall.notice_text())
        hall.highlight()  # the newest call as it looks when it has just come in
        for w, h in SHOT_SIZES:
            hall.resize(w, h)
            QApplication.processEvents()
            path = out_dir / f"hall-{w}x{h}.png"
            if not hall.grab().save(str(path), "PNG"):
                raise OSError(f"could not write {path}")
            paths.append(path)
    finally:
        hall.close()
    return paths

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
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication

from baliedesk import i18n, qtdutch
from baliedesk.display.announce import SilentAnnouncer
from baliedesk.display.config import HallConfig
from baliedesk.display.hall import HallScreen
from baliedesk.client import Client

log = logging.getLogger(__name__)

SHOT_SIZES = ((1920, 1080), (1280, 720))
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


def run_display(client: Client, *, screen: int | None = None, windowed: bool = False,
                parent_pid: int | None = None) -> int:
    """The hall screen's event loop. ``parent_pid``: close when that process (the demo) is gone."""
    settings = _settings()
    app = make_app(settings)
    # Started by the demo (parent_pid): keep out of the way of the demo's counter and kiosk.
    hall = open_hall_screen(client, screen=screen, windowed=windowed, settings=settings, behind=bool(parent_pid))
    if parent_pid:
        watch = QTimer(hall)
        watch.timeout.connect(lambda: None if _alive(parent_pid) else app.quit())
        watch.start(2000)
    try:
        return app.exec()
    finally:
        hall.shutdown()
        client.close()


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

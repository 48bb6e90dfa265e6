"""Starting the windows: the Qt application, the theme, placement, and shutdown.

``cli.py`` (the composition root) opens the database and calls

* :func:`run_windows` for ``demo``, ``counter`` and ``kiosk``;
* :func:`run_admin` for ``admin`` (the team lead's opening hours and appointments);
* :func:`run_dashboard`, :func:`run_meldingen` and :func:`run_privacy` (audit log, inzage, retention terms)
  for ``dashboard``, ``meldingen`` and ``privacy``, each after logging in;
* :func:`take_screenshots` for ``screenshot``.

Start-up is kept short: Qt and the window modules are imported here, not by
``cli.py``; no database work happens on the GUI thread (the windows read
through ``run_task``); the demo's sign-in ids are looked up on a worker thread
while the kiosk is already on screen.

``BALIEDESK_STARTUP_PROBE`` (used by ``bench/startup.py``) makes the process
post a synthetic key press to the first window once it is ready, and when that
event has been handled print one JSON line
(``{"probe": "ready", "t": <time.time()>, "rss_mb": ...}``) and quit:

* ``signed-in``: the counter window signs in with the user and counter
  remembered in the settings (as after a sign-in) and is ready when it has
  shown its first queue picture (its ``loaded`` signal);
* ``1``: the window as it opens (the counter's sign-in panel); ready as soon as
  it is shown (or ``loaded``, for the kiosk).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from baliedesk.client import Client
from baliedesk.ui.common.app import APP_NAME, make_app

log = logging.getLogger(__name__)

DEMO_USER = "anne"
DEMO_COUNTER = "Balie 3"
PROBE_ENV = "BALIEDESK_STARTUP_PROBE"

SCREEN = (1920, 1080)
COUNTER_SHOT = (1366, 768)
KIOSK_SHOT = (1280, 1024)
ADMIN_SHOT = (1280, 900)
#: The admin window's clock in screenshots: Thursday 19 November 2026, 10:00 in Amsterdam
#: (the four-week calendar starts in that week, whenever the pictures are made).
ADMIN_SHOT_CLOCK = dt.datetime(2026, 11, 19, 9, 0, tzinfo=dt.UTC)


def _settings(kind: str = "workstation"):
    """The workstation's settings; the demo and the screenshots keep their own file,
    so trying the demo never changes what a real workstation remembers."""
    from baliedesk.settings import Settings, config_path

    if kind == "demo":
        return Settings(config_path().with_name("demo-settings.json"))
    return Settings()


def demo_sign_in(client: Client, counter_id: int | None = None) -> tuple[Client, int, int]:
    """The demo clerk logs in with the demo password (as a person would): (her client,
    counter id, location id), at ``counter_id`` or else the demo counter. Worker thread."""
    from baliedesk.domain.auth import DEMO_PASSWORD

    signed = client.sign_in(DEMO_USER, DEMO_PASSWORD).client
    location = signed.setup.list_locations()[0]
    counters = signed.queue.counters_at(location.id)
    counter = next((c for c in counters if c.id == counter_id), None) or next(
        (c for c in counters if c.name == DEMO_COUNTER), counters[-1])
    return signed, counter.id, location.id


def _counter_class():
    from baliedesk.ui.counter.window import CounterWindow

    return CounterWindow


def make_counter(client: Client, settings, signed: tuple[Client, int, int] | None = None, *,
                 demo_password: str | None = None):
    """The counter window on this workstation's door (it asks who logs in); with ``signed``
    (a person's client, counter id, location id) it takes that counter at once."""
    cls = _counter_class()
    if signed is None:
        return cls(client, settings, demo_password=demo_password)
    person, counter_id, location_id = signed
    return cls(person, settings, counter_id=counter_id, location_id=location_id, demo_password=demo_password)


def _demo_geometry(app: QApplication, which: str) -> tuple[int, int, int, int]:
    """(x, y, w, h) on a 1920x1080 screen (or the screen there is): the counter on the
    left 58%, the kiosk on the right."""
    screen = app.primaryScreen()
    area = screen.availableGeometry() if screen is not None else None
    x0, y0 = (area.x(), area.y()) if area is not None else (0, 0)
    width = min(area.width(), SCREEN[0]) if area is not None else SCREEN[0]
    height = min(area.height(), SCREEN[1]) if area is not None else SCREEN[1]
    frame = 40  # title bar and borders
    split = int(width * 0.58)
    if which == "counter":
        return x0, y0, split - 16, height - frame
    return x0 + split, y0, width - split - 16, height - frame


def _place(window: QWidget, geometry: tuple[int, int, int, int]) -> None:
    x, y, w, h = geometry
    window.resize(w, h)
    window.move(x, y)


def _stop_watchers(windows: Sequence[QWidget]) -> None:
    from baliedesk.ui.common.feedwatcher import FeedWatcher

    for w in windows:
        try:
            shutdown = getattr(w, "shutdown", None)
            if callable(shutdown):
                shutdown()
            for watcher in w.findChildren(FeedWatcher):
                watcher.stop()
        except RuntimeError:  # the C++ object is already gone
            pass


def _finish(windows: Sequence[QWidget], client: Client | None) -> None:
    from baliedesk.ui.common.tasks import runner

    _stop_watchers(windows)
    runner().wait(5000)
    if client is not None:
        client.close()


# ---------------------------------------------------------------------------
# start-up probe (bench/startup.py)
# ---------------------------------------------------------------------------
def _rss_mb() -> float:
    try:  # Linux: read it directly (importing psutil would cost the measurement ~20 ms)
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    try:
        import psutil

        return psutil.Process().memory_info().rss / 1e6
    except Exception:  # noqa: BLE001 - psutil missing: fall back to the peak
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 1e6 if sys.platform == "darwin" else peak / 1e3


class _InputProbe(QObject):
    """Posts a key press to ``window``; when the window has handled it, reports and quits."""

    def __init__(self, window: QWidget, app: QApplication) -> None:
        super().__init__(window)
        self.window, self.app = window, app
        self.posted = False
        # Never hang a benchmark: give up after 30 s. The timer belongs to the
        # probe and stops when it reports, so it cannot end a later event loop
        # (QCoreApplication.exit ends every running loop, nested ones too).
        self.deadline = QTimer(self)
        self.deadline.setSingleShot(True)
        self.deadline.timeout.connect(self._give_up)
        self.deadline.start(30_000)

    def post(self) -> None:
        if self.posted:
            return
        self.posted = True
        self.window.installEventFilter(self)
        QApplication.postEvent(self.window, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_F24,
                                                      Qt.KeyboardModifier.NoModifier))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if obj is self.window and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_F24:
            self.window.removeEventFilter(self)
            # Report after this event has been handled (the next turn of the loop).
            QTimer.singleShot(0, self._report)
            return False
        return False

    def _give_up(self) -> None:
        print(json.dumps({"probe": "timeout"}), flush=True)
        self.app.exit(3)

    def _report(self) -> None:
        self.deadline.stop()
        print(json.dumps({"probe": "ready", "t": time.time(), "rss_mb": round(_rss_mb(), 1),
                          "cpu_s": round(time.process_time(), 3)}), flush=True)
        self.app.quit()


def _install_probe(window: QWidget, app: QApplication, *, wait_loaded: bool) -> None:
    probe = _InputProbe(window, app)
    signal = getattr(window, "loaded", None)
    # A window that is loaded already (the counter's log-in form shows at once) emitted
    # ``loaded`` before the probe could listen: post at once then.
    if wait_loaded and signal is not None and not getattr(window, "_loaded", False):
        signal.connect(lambda *a: QTimer.singleShot(0, probe.post))
    else:
        QTimer.singleShot(0, probe.post)


# ---------------------------------------------------------------------------
# start-up: the database or server may be away, damaged or too new
# ---------------------------------------------------------------------------
#: What the command line hands a window: this workstation's door (a :class:`Client`, used at
#: once), or a callable that opens it (worker thread; raises the typed storage faults) and
#: may carry ``server = True`` (a RemoteClient's health check) for the wording.
Door = Client | Callable[[], Client]


def open_when_ready(door: Door, build: Callable[[Client], Any], *, title: str = "",
                    show: Callable[[QWidget], None] | None = None) -> tuple[Any, Any] | None:
    """Build the real window(s) with ``build(client)`` once ``door`` opens.

    A :class:`Client`: at once (returns None). A callable: a waiting screen (``show``: how,
    e.g. full screen for a kiosk) while :class:`~baliedesk.ui.common.waiting.StartupGate`
    opens it on a worker thread, retrying temporary faults every 5 seconds and stopping at a
    permanent one; then ``build`` runs and the waiting screen closes. Returns (gate, screen).
    """
    if isinstance(door, Client):
        build(door)
        return None
    from baliedesk.ui.common.waiting import StartupGate, WaitingScreen

    screen = WaitingScreen(title, server=bool(getattr(door, "server", False)))
    gate = StartupGate(door, screen, parent=screen)

    before: set[int] = set()

    def others() -> bool:  # a window that ``build`` opened is on screen
        return any(w is not screen and id(w) not in before and w.isVisible() and w.isWindow()
                   for w in QApplication.topLevelWidgets())

    def ready(client: Client) -> None:
        before.update(id(w) for w in QApplication.topLevelWidgets() if w.isVisible())
        build(client)
        # Close only once a real window shows (the demo's counter opens after its log-in, on
        # a worker thread): closing the last window would end the application.
        if others():
            screen.close()
            screen.deleteLater()
            return
        poll = QTimer(screen)
        poll.timeout.connect(lambda: (screen.close(), screen.deleteLater(), poll.stop()) if others() else None)
        poll.start(50)

    gate.ready.connect(ready)
    (show or QWidget.show)(screen)
    gate.start()
    return gate, screen


def _stop_gate(waiting: tuple[Any, Any] | None) -> None:
    """No more attempts once the event loop has ended (the gate may be gone with its screen)."""
    if waiting is None:
        return
    try:
        waiting[0].stop()
    except RuntimeError:  # deleted with the waiting screen after the real window opened
        pass


# ---------------------------------------------------------------------------
# run_windows
# ---------------------------------------------------------------------------
def run_windows(door: Door, kinds: Sequence[str], demo: bool = False) -> int:
    """Open the windows named in ``kinds`` ("counter", "kiosk") on ``door`` (this
    workstation's door, nobody signed in yet, or a callable that opens it: see
    :func:`open_when_ready`) and run the event loop.

    ``demo``: the counter window signs in as the demo clerk at the demo counter
    by itself, and both windows share one 1920x1080 screen. Otherwise the
    counter window shows its sign-in panel and a lone kiosk goes full screen.
    """
    from baliedesk.i18n import _

    settings = _settings("demo" if demo else "workstation")
    app = make_app(settings)
    probe_mode = os.environ.get(PROBE_ENV, "").strip()
    probe = probe_mode not in ("", "0")
    windows: list[QWidget] = []
    opened: list[Client] = []
    lone_kiosk = "kiosk" in kinds and "counter" not in kinds and not demo

    def build(client: Client) -> None:
        opened.append(client)
        kiosk = None
        if "kiosk" in kinds:
            from baliedesk.ui.kiosk.window import KioskWindow

            kiosk = KioskWindow(client, settings)
            windows.append(kiosk)

        demo_password = None
        if demo:
            from baliedesk.domain.auth import DEMO_PASSWORD as demo_password

        def open_counter(signed: tuple[Client, int, int] | None) -> None:
            counter = make_counter(client, settings, signed, demo_password=demo_password)
            counter.setWindowTitle(f"{counter.windowTitle() or APP_NAME} – {client.describe()}")
            windows.append(counter)
            if probe:
                _install_probe(counter, app, wait_loaded=True)
            if demo:
                _place(counter, _demo_geometry(app, "counter"))
            counter.show()
            counter.raise_()
            counter.activateWindow()

        if "counter" in kinds:
            if demo or probe_mode == "signed-in":
                # The demo (and the start-up benchmark) log the demo clerk in with the demo
                # password, as a person would; on a real database that password does not work.
                from baliedesk.ui.common.messages import message_for
                from baliedesk.ui.common.tasks import run_task

                def failed(err: BaseException) -> None:
                    log.error("demo log-in failed: %s", message_for(err))
                    open_counter(None)

                remembered = settings["counter_id"] or None
                run_task(lambda: demo_sign_in(client, remembered), open_counter, failed)
            else:
                open_counter(None)

        if kiosk is not None:
            if probe and "counter" not in kinds:
                _install_probe(kiosk, app, wait_loaded=True)
            if demo:
                _place(kiosk, _demo_geometry(app, "kiosk"))
                kiosk.show()
            elif lone_kiosk:
                kiosk.showFullScreen()
            else:
                kiosk.show()

    title = _("Kiosk") if lone_kiosk else _("Balie")
    waiting = open_when_ready(door, build, title=title,
                              show=QWidget.showFullScreen if lone_kiosk else QWidget.show)
    try:
        return app.exec()
    finally:
        _stop_gate(waiting)
        _finish(windows, opened[0] if opened else None)


def run_rating(door: Door, location_id: int | None = None, *, windowed: bool = False) -> int:
    """The visitor's rating screen (KTO) at a counter or by the exit, full screen like the kiosk: the
    location's services to pick from, then 1-10 and a line. Acts as the device account (role kiosk)."""
    from PySide6.QtWidgets import QLabel

    from baliedesk.i18n import _
    from baliedesk.ui.dashboard.rating import open_rating

    settings = _settings("workstation")
    app = make_app(settings)
    windows: list[QWidget] = []

    def show(window: QWidget) -> None:
        windows.append(window)
        if windowed:
            window.resize(1024, 768)
            window.show()
        else:
            window.showFullScreen()

    opened: dict[str, Client] = {}

    def failed(text: str) -> None:
        label = QLabel(text)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        label.setStyleSheet("font-size: 24pt;")
        show(label)

    def build(client: Client) -> None:
        opened["client"] = client

        def ready(screen: QWidget) -> None:
            screen.setWindowTitle(f"{screen.windowTitle()} – {client.describe()}")
            show(screen)

        open_rating(client, location_id or settings["location_id"] or None, ready, failed)

    waiting = open_when_ready(door, build, title=_("Beoordeling"), show=show)
    try:
        return app.exec()
    finally:
        _stop_gate(waiting)
        _finish(windows, opened.get("client") or (door if isinstance(door, Client) else None))


# ---------------------------------------------------------------------------
# windows that open after logging in: meldingen and admin
# ---------------------------------------------------------------------------
#: Who logs in by themselves in the start-up probe (the demo database's accounts).
PROBE_USERS = {"meldingen": "anne", "admin": "fatima", "dashboard": "fatima", "privacy": "beheer"}


def _choose_location(client: Client, permission: Any, location_id: int | None) -> Any:
    """The location a window opens on for the logged-in person (worker thread).

    Raises PermissionDenied when the person's role does not allow ``permission``,
    NotFound for a location that is not there, LookupError when there is none.
    """
    from baliedesk.domain.errors import NotFound, PermissionDenied
    from baliedesk.domain.permissions import allows

    me = next((u for u in client.setup.sign_in_choices() if u.id == client.user_id), None)
    if me is None or not allows(me.role, permission):
        raise PermissionDenied(me.role if me else "?", permission.value)
    locations = client.setup.list_locations()
    if not locations:
        raise LookupError("no location")
    if location_id:
        chosen = next((loc for loc in locations if loc.id == location_id), None)
        if chosen is None:
            raise NotFound("location", location_id)
        return chosen
    return locations[0]


def run_after_sign_in(door: Door, kind: str, make_window: Callable[[Client, Any], QWidget], *,
                      permission: Any, username: str | None = None, location_id: int | None = None,
                      title: str = "", first_run: bool | Callable[[], bool] = False) -> int:
    """A window that opens once a person has logged in (meldingen, admin).

    The log-in form comes first (``username`` filled in); a person whose role may
    not use the window is told so there and stays on the form. ``first_run``: the
    database is empty, so the first-run assistant comes before the log-in form
    (:mod:`baliedesk.ui.admin.firstrun`), which then has the new beheerder's name
    (a callable: asked once the door is open). ``door``: see :func:`open_when_ready`.
    """
    from baliedesk.i18n import _
    from baliedesk.ui.common.messages import message_for
    from baliedesk.ui.common.signin import SignInForm
    from baliedesk.ui.common.tasks import run_task

    settings = _settings()
    app = make_app(settings)
    windows: list[QWidget] = []
    doors: list[Client] = []
    forms: list[Any] = []
    probe_mode = os.environ.get(PROBE_ENV, "").strip()

    def build(door: Client) -> None:
        doors.append(door)
        form = SignInForm(door, title=title or _("Inloggen"))
        forms.append(form)
        form.setWindowTitle(f"{APP_NAME} – {title or _('Inloggen')}")
        form.resize(720, 520)
        form.reset(username or "")
        windows.append(form)

        def opened(result: tuple[Client, int]) -> None:
            client, location = result
            window = make_window(client, location)
            window.setWindowTitle(f"{window.windowTitle()} – {client.describe()}")
            windows.append(window)
            window.show()
            window.raise_()
            window.activateWindow()
            form.hide()
            if probe_mode not in ("", "0"):
                _install_probe(window, app, wait_loaded=True)

        def refused(client: Client, err: BaseException) -> None:
            run_task(client.sign_out)  # the session of someone who may not use this window ends at once
            form.set_busy(False)
            form.error.setText(message_for(err) if not isinstance(err, LookupError) else
                               _("Er is nog geen locatie ingesteld. Vraag het uw beheerder."))

        def signed_in(client: Client) -> None:
            form.set_busy(True)
            run_task(lambda: (client, _choose_location(client, permission, location_id)), opened,
                     lambda err: refused(client, err))

        form.signed_in.connect(signed_in)
        if first_run() if callable(first_run) else first_run:
            from baliedesk.ui.admin.firstrun import FirstRunAssistant

            assistant = FirstRunAssistant(door)
            assistant.setWindowTitle(f"{APP_NAME} – {_('eerste keer instellen')}")
            assistant.resize(900, 720)
            windows.append(assistant)

            def set_up(admin: str) -> None:
                assistant.hide()
                form.reset(admin)
                form.show()

            assistant.finished.connect(set_up)
            assistant.show()
        else:
            form.show()
        if probe_mode not in ("", "0"):
            # The start-up probe logs in by itself with the demo password (a demo database only).
            from baliedesk.domain.auth import DEMO_PASSWORD

            form.username.setText(username or PROBE_USERS.get(kind, ""))
            form.password.setText(DEMO_PASSWORD)
            form.submit()

    waiting = open_when_ready(door, build, title=title or _("Inloggen"))
    try:
        return app.exec()
    finally:
        _stop_gate(waiting)
        for form in forms:
            form.close_form()
        _finish(windows, doors[0] if doors else None)


def _is_empty(client: Client) -> bool:
    try:
        return not client.setup.list_locations()
    except Exception:  # noqa: BLE001 - no database or server yet: the log-in form says so in Dutch
        return False


def run_admin(door: Door, username: str | None = None, location_id: int | None = None) -> int:
    """The admin window (opening hours ... municipality, services, counters, people, devices), after
    logging in; on an empty database the first-run assistant comes first."""
    from baliedesk.domain.permissions import Permission
    from baliedesk.i18n import _

    def make(client: Client, location: Any) -> QWidget:
        from baliedesk.ui.admin.window import AdminWindow

        window = AdminWindow(client, location.id)
        window.resize(*ADMIN_SHOT)
        return window

    # An empty database (no location yet): the first-run assistant, then the log-in form.
    # Asked as soon as the door is open (on the worker thread that opens it).
    if isinstance(door, Client):
        empty = _is_empty(door)
        first_run: bool | Callable[[], bool] = empty
    else:
        state = {"empty": False}
        opener = door

        def door_and_state() -> Client:
            client = opener()
            state["empty"] = _is_empty(client)
            return client

        door_and_state.server = getattr(opener, "server", False)  # type: ignore[attr-defined]
        door = door_and_state
        first_run = lambda: state["empty"]  # noqa: E731
    return run_after_sign_in(door, "admin", make, permission=Permission.CONFIGURE, username=username,
                             location_id=location_id, title=_("Inloggen: beheer"), first_run=first_run)


def run_dashboard(door: Door, username: str | None = None, location_id: int | None = None) -> int:
    """The team lead's service-norm dashboard, after logging in (team lead or beheerder)."""
    from baliedesk.domain.permissions import Permission
    from baliedesk.i18n import _

    def make(client: Client, location: Any) -> QWidget:
        from baliedesk.ui.dashboard.window import DashboardWindow

        window = DashboardWindow(client, location.id, timezone=location.timezone)
        window.resize(1400, 900)
        return window

    return run_after_sign_in(door, "dashboard", make, permission=Permission.VIEW_REPORTS, username=username,
                             location_id=location_id, title=_("Inloggen: servicenormen"))


def run_privacy(door: Door, username: str | None = None) -> int:
    """The privacy window (audit log, inzage and erasure, retention terms), after logging in
    (the privacy officer or a beheerder)."""
    from baliedesk.domain.permissions import Permission
    from baliedesk.i18n import _

    def make(client: Client, location: Any) -> QWidget:
        from baliedesk.ui.privacy.window import PrivacyWindow

        window = PrivacyWindow(client, location.id, timezone=location.timezone)
        window.resize(1280, 820)
        return window

    return run_after_sign_in(door, "privacy", make, permission=Permission.VIEW_AUDIT, username=username,
                             title=_("Inloggen: privacy"))


def run_meldingen(door: Door, username: str | None = None) -> int:
    """The meldingen window (intake, work list, contacts, callback notes, complaints), after logging in."""
    from baliedesk.domain.permissions import Permission
    from baliedesk.i18n import _

    def make(client: Client, location: Any) -> QWidget:
        from baliedesk.settings import Settings
        from baliedesk.ui.meldingen.window import MeldingenWindow

        window = MeldingenWindow(client, location.id, settings=Settings())
        window.resize(1280, 800)
        return window

    return run_after_sign_in(door, "meldingen", make, permission=Permission.TAKE_MELDING, username=username,
                             title=_("Inloggen: meldingen"))


# ---------------------------------------------------------------------------
# screenshots
# ---------------------------------------------------------------------------
def wait_for(condition: Callable[[], bool], timeout_ms: int = 20_000) -> bool:
    """Run the event loop until ``condition()`` holds or the time is up."""
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: loop.quit() if condition() else None)
    deadline = QTimer(singleShot=True)
    deadline.timeout.connect(loop.quit)
    if condition():
        return True
    timer.start()
    deadline.start(timeout_ms)
    loop.exec()
    timer.stop()
    deadline.stop()
    return condition()


def _shoot(window: QWidget, size: tuple[int, int], path: Path) -> Path:
    window.resize(*size)
    window.show()
    QApplication.processEvents()
    image = window.grab()
    if not image.save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    return path


def take_screenshots(db, out_dir: Path, *, before_admin: Callable[[], Any] | None = None) -> list[Path]:
    """Render each window on ``db`` (seeded demo data) offscreen to PNG files; returns their paths.

    ``counter.png`` (1366x768, signed in as the demo clerk), ``kiosk.png``
    (1280x1024), ``kiosk-ticket.png`` (the confirmation after pressing the
    first service button; this issues one real ticket in ``db``) and
    ``admin.png`` (1280x900, the team lead's opening hours, its calendar from
    the week of :data:`ADMIN_SHOT_CLOCK`). ``before_admin`` runs on a worker
    thread just before the admin picture (the screenshot command gives its own
    scratch database Loppersum's hours there, after the kiosk has issued its
    ticket, so that no picture depends on the time of day).
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from baliedesk.client import LocalClient
    from baliedesk.ui.common.tasks import run_task, runner
    from baliedesk.ui.kiosk.window import KioskWindow

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    import tempfile

    from baliedesk.settings import Settings

    scratch = tempfile.TemporaryDirectory(prefix="baliedesk-shot-settings-")
    settings = Settings(Path(scratch.name) / "settings.json")  # never the workstation's own
    make_app(settings)
    paths: list[Path] = []
    windows: list[QWidget] = []
    try:
        box: dict[str, Any] = {}
        client = LocalClient(db, owns_backend=False)
        run_task(lambda: demo_sign_in(client), lambda r: box.setdefault("id", r),
                 lambda e: box.setdefault("error", e))
        if not wait_for(lambda: bool(box)):
            raise RuntimeError("timed out looking up the demo clerk")
        if "error" in box:
            raise box["error"]

        try:
            counter = make_counter(client, settings, box["id"])
        except ImportError:
            log.warning("no counter window yet (baliedesk.ui.counter.window): counter.png skipped")
            counter = None
        if counter is not None:
            windows.append(counter)
            loaded = {"done": False}
            counter.loaded.connect(lambda *a: loaded.update(done=True))
            counter.resize(*COUNTER_SHOT)
            counter.show()
            if not wait_for(lambda: loaded["done"]):
                raise RuntimeError("the counter window did not load its queue in time")
            paths.append(_shoot(counter, COUNTER_SHOT, out_dir / "counter.png"))

        kiosk = KioskWindow(client, settings, watch=False)
        windows.append(kiosk)
        kiosk.resize(*KIOSK_SHOT)
        kiosk.show()
        if not wait_for(lambda: bool(kiosk.buttons()) and not kiosk._refreshing):
            raise RuntimeError("the kiosk did not load its services in time: " + kiosk.message_text())
        paths.append(_shoot(kiosk, KIOSK_SHOT, out_dir / "kiosk.png"))

        first = next(iter(kiosk.buttons().values()))
        first.click()
        if not wait_for(kiosk.on_ticket_page):
            raise RuntimeError("the kiosk did not show a ticket: " + kiosk.message_text())
        paths.append(_shoot(kiosk, KIOSK_SHOT, out_dir / "kiosk-ticket.png"))

        from baliedesk.client import LocalClient
        from baliedesk.ui.admin.window import AdminWindow

        box = {}
        admin_client = LocalClient(db, clock=lambda: ADMIN_SHOT_CLOCK, owns_backend=False)

        def prepare() -> tuple[Client, int]:
            from baliedesk.domain.permissions import Permission
            from baliedesk.domain.auth import DEMO_PASSWORD

            if before_admin is not None:
                before_admin()
            lead = admin_client.sign_in(PROBE_USERS["admin"], DEMO_PASSWORD).client
            return lead, _choose_location(lead, Permission.CONFIGURE, None)

        run_task(prepare, lambda r: box.setdefault("id", r), lambda e: box.setdefault("error", e))
        if not wait_for(lambda: bool(box)):
            raise RuntimeError("timed out logging in the team lead")
        if "error" in box:
            raise box["error"]
        lead, admin_location = box["id"]
        admin = AdminWindow(lead, admin_location.id)
        windows.append(admin)
        admin_loaded = {"done": False}
        admin.loaded.connect(lambda *a: admin_loaded.update(done=True))
        admin.resize(*ADMIN_SHOT)
        admin.show()
        if not wait_for(lambda: admin_loaded["done"]):
            raise RuntimeError("the admin window did not load in time")
        paths.append(_shoot(admin, ADMIN_SHOT, out_dir / "admin.png"))
    finally:
        for w in windows:
            w.close()
        _stop_watchers(windows)
        runner().wait(5000)
        QApplication.processEvents()  # deliver the last task results to the (closed) windows
        for w in windows:
            w.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        scratch.cleanup()
    return paths

"""The hall screen against a real database, on SQLite and on PostgreSQL.

The screen gets its own :class:`Database` (its own connections and change feed),
as on a hall PC; the test writes through the ``backend`` fixture or another
process. Nothing here sleeps to wait or measures time: ``qtbot.waitUntil`` waits
for what the screen shows, and latency belongs to ``bench/display_latency.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from baliedesk.client import LocalClient
from baliedesk.display.config import HallConfig
from baliedesk.display.fit import FitLabel
from baliedesk.display.hall import HallScreen
from baliedesk.domain.errors import StorageUnavailable
from baliedesk.domain.permissions import Role
from baliedesk.services import queue, setup
from baliedesk.storage.database import Database

ROOT = Path(__file__).resolve().parents[2]
WAIT_MS = 20_000  # generous: a reconnect waits out the feed's back-off


class RecordingAnnouncer:
    """Counts what the screen announces (instead of chiming)."""

    def __init__(self) -> None:
        self.items = []

    def announce(self, item) -> None:
        self.items.append(item)

    def numbers(self) -> list[tuple[str, bool]]:
        return [(a.number, a.recall) for a in self.items]


class Clock:
    """The fixed test morning, running on: what the screen and the test both use as now."""

    def __init__(self, start: dt.datetime) -> None:
        self.start, self.t0 = start, time.monotonic()

    def __call__(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=time.monotonic() - self.t0)


class FlakyBackend:
    """The hall screen's database, with a switch that makes every read fail as a lost server would."""

    def __init__(self, db: Database) -> None:
        self.db, self.down = db, False
        self.backend = db.backend

    def unit_of_work(self, write: bool = False):
        if self.down:
            raise StorageUnavailable("switched off by the test")
        return self.db.unit_of_work(write)

    def open_feed(self, **kwargs):
        return self.db.open_feed(**kwargs)

    def describe(self) -> str:
        return self.db.describe()

    def dispose(self) -> None:
        self.db.dispose()


@pytest.fixture
def clock(now) -> Clock:
    return Clock(now)


@pytest.fixture
def desk(backend, seeded, clock):
    """Anne signed in at Balie 1 for every service; a few visitors waiting."""
    anne, counter = seeded.users["anne"], seeded.counters["Balie 1"]
    queue.sign_in(backend, anne, counter, clock(), service_ids=list(seeded.services.values()))
    for prefix in ("A", "B", "A", "C", "A", "B"):
        queue.issue_ticket(backend, seeded.users["kiosk-ingang"], seeded.services[prefix], clock())

    class Desk:
        user_id, counter_id = anne, counter

        def call(self):
            return queue.call_next(backend, anne, counter, clock())

        def finish(self, ticket_id):
            return queue.finish(backend, anne, counter, ticket_id, clock())

        def recall(self, ticket_id):
            return queue.recall(backend, anne, counter, ticket_id, clock())

    return Desk()


@pytest.fixture
def make_hall(qtbot, backend, seeded, clock, make_client):
    """Factory: a hall screen bound to the display account (both modes: in-process on its own
    connections, or through a server); ``flaky``: its database can be switched off."""
    made: list[tuple[HallScreen, object]] = []

    def make(config: HallConfig | None = None, *, size=(1280, 720), flaky: bool = False):
        db = Database(backend.url)
        display_backend = FlakyBackend(db) if flaky else db
        announcer = RecordingAnnouncer()
        client = make_client(seeded.users["scherm-hal"], clock=clock, backend=display_backend)
        hall = HallScreen(client, config or HallConfig(highlight_s=2),
                          announcer=announcer)
        qtbot.addWidget(hall)
        made.append((hall, display_backend))
        hall.resize(*size)
        hall.show()
        hall.start()
        qtbot.waitUntil(lambda: hall.full_pictures > 0 and hall.connected, timeout=WAIT_MS)
        return hall, announcer, display_backend

    yield make
    for hall, db in made:
        hall.shutdown()
        db.dispose()


def shows(hall: HallScreen, number: str) -> bool:
    cur = hall.current()
    return cur is not None and cur.number == number


# ---------------------------------------------------------------------------
# live updates
# ---------------------------------------------------------------------------
def test_a_call_from_another_process_appears_and_is_announced(qtbot, make_hall, backend, desk, clock):
    hall, announcer, _db = make_hall()
    frames = []
    hall.shown.connect(frames.append)
    script = (
        "import datetime as dt, json, sys\n"
        "from baliedesk.storage.database import Database\n"
        "from baliedesk.services import queue\n"
        "a = json.loads(sys.argv[1])\n"
        "db = Database(a['url'])\n"
        "t = queue.call_next(db, a['user'], a['counter'], dt.datetime.fromisoformat(a['now']))\n"
        "print(json.dumps({'id': t.id, 'number': t.number}))\n"
        "db.dispose()\n"
    )
    args = json.dumps({"url": backend.url, "user": desk.user_id, "counter": desk.counter_id,
                       "now": clock().isoformat()})
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    proc = subprocess.run([sys.executable, "-c", script, args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    called = json.loads(proc.stdout.strip().splitlines()[-1])

    qtbot.waitUntil(lambda: shows(hall, called["number"]), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: any((called["id"], 0) in f.calls for f in frames), timeout=WAIT_MS)
    assert announcer.numbers() == [(called["number"], False)]
    assert hall._number.full_text() == hall.current().display_number  # "A 001", large
    assert hall._counter.full_text() == "→ Balie 1"


def test_a_recall_is_announced_again(qtbot, make_hall, desk):
    hall, announcer, _db = make_hall()
    first = desk.call()
    qtbot.waitUntil(lambda: len(announcer.items) == 1, timeout=WAIT_MS)
    desk.recall(first.id)
    qtbot.waitUntil(lambda: len(announcer.items) == 2, timeout=WAIT_MS)
    desk.recall(first.id)
    qtbot.waitUntil(lambda: len(announcer.items) == 3, timeout=WAIT_MS)
    assert announcer.numbers() == [(first.number, False), (first.number, True), (first.number, True)]
    assert [a.recall_count for a in announcer.items] == [0, 1, 2]
    assert hall.current().recall_count == 2 and shows(hall, first.number)

    # The next visitor is a new call; the recalled one moves to the list of earlier calls.
    desk.finish(first.id)
    second = desk.call()
    qtbot.waitUntil(lambda: shows(hall, second.number), timeout=WAIT_MS)
    assert announcer.numbers()[-1] == (second.number, False)
    assert len(announcer.items) == 4
    qtbot.waitUntil(lambda: hall._rows[0][1].full_text() == first.display_number, timeout=WAIT_MS)


def test_the_first_picture_is_not_announced(qtbot, make_hall, desk):
    """A hall screen that restarts at noon does not call the whole morning again."""
    earlier = desk.call()
    hall, announcer, _db = make_hall()
    assert shows(hall, earlier.number)
    assert announcer.items == []


def test_a_burst_of_calls_is_announced_completely_and_in_order(qtbot, make_hall, backend, seeded, clock, desk):
    hall, announcer, _db = make_hall()
    kiosk = seeded.users["kiosk-ingang"]
    for _ in range(8):
        queue.issue_ticket(backend, kiosk, seeded.services["A"], clock())
    called = []
    for _ in range(8):  # faster than any screen re-reads: several calls per picture
        t = desk.call()
        called.append(t.number)
        desk.finish(t.id)
    qtbot.waitUntil(lambda: len(announcer.items) >= len(called), timeout=WAIT_MS)
    assert [n for n, _recall in announcer.numbers()] == called
    assert shows(hall, called[-1])


# ---------------------------------------------------------------------------
# the database goes away
# ---------------------------------------------------------------------------
@pytest.mark.local_only("cuts the storage change feed inside the hall screen; through a server the hall's feed is "
                        "the server's WebSocket, whose reconnect tests/test_server*.py cover")
def test_reconnects_after_an_outage_without_losing_a_call(qtbot, make_hall, backend, desk):
    hall, announcer, _db = make_hall()
    before = desk.call()
    qtbot.waitUntil(lambda: shows(hall, before.number), timeout=WAIT_MS)
    desk.finish(before.id)
    feed = hall.link.feed

    # Out: the feed loses its connection and cannot get a new one.
    if backend.backend == "sqlite":
        real = feed.path
        feed.path = str(Path(real).with_name("gone-away.sqlite3"))  # mode=rw: never created
        closed = sqlite3.connect(":memory:", check_same_thread=False)
        closed.close()
        old_conn, feed._conn = feed._conn, closed  # the next PRAGMA data_version fails
    else:
        import psycopg

        real = feed.conninfo
        feed.conninfo = "host=127.0.0.1 port=1 dbname=nowhere connect_timeout=1"  # nobody listens there
        pid = feed._conn.info.backend_pid
        with psycopg.connect(real, autocommit=True) as admin:
            killed = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'baliedesk-feed' AND pid = %s", (pid,)).fetchall()
        assert killed == [(True,)]

    qtbot.waitUntil(lambda: not hall.connected, timeout=WAIT_MS)
    assert hall.notice_text() == "Verbinding wordt hersteld …"
    assert shows(hall, before.number)  # the last picture stays

    during = desk.call()  # a counter goes on working meanwhile

    # Back: the feed reconnects with back-off, reports a change, the screen catches up.
    if backend.backend == "sqlite":
        feed.path = real
        old_conn.close()
    else:
        feed.conninfo = real
    qtbot.waitUntil(lambda: shows(hall, during.number), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: hall.connected and hall.notice_text() == "", timeout=WAIT_MS)
    assert announcer.numbers() == [(before.number, False), (during.number, False)]


def test_keeps_the_last_picture_while_reads_fail(qtbot, make_hall, desk):
    hall, announcer, flaky = make_hall(flaky=True)
    first = desk.call()
    qtbot.waitUntil(lambda: shows(hall, first.number), timeout=WAIT_MS)
    desk.finish(first.id)
    # The screen has read the finish (its full picture comes last): no read of
    # its own is under way when the database goes, to overtake the outage.
    def finish_seen() -> bool:
        snap = hall._snapshot
        return (snap is not None and any(c.ticket_id == first.id for c in snap.recent_calls)
                and all(t.id != first.id for t in snap.held))

    qtbot.waitUntil(finish_seen, timeout=WAIT_MS)

    flaky.down = True
    second = desk.call()  # the feed still wakes the screen, but it cannot read
    qtbot.waitUntil(lambda: not hall.connected, timeout=WAIT_MS)
    assert hall.notice_text() == "Verbinding wordt hersteld …"
    assert shows(hall, first.number)

    flaky.down = False
    qtbot.waitUntil(lambda: shows(hall, second.number), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: hall.notice_text() == "", timeout=WAIT_MS)
    assert announcer.numbers() == [(first.number, False), (second.number, False)]


def test_without_a_display_account_the_hall_says_so_calmly(qtbot, backend, seeded, clock):
    db = Database(backend.url)
    hall = HallScreen(LocalClient(db, clock=clock), HallConfig(display_user="bestaat-niet"),
                      announcer=RecordingAnnouncer())
    qtbot.addWidget(hall)
    try:
        hall.resize(1280, 720)
        hall.show()
        hall.start()
        qtbot.waitUntil(lambda: hall.notice_text() != "", timeout=WAIT_MS)
        assert hall.notice_text() == "Dit scherm is nog niet ingesteld. Vraag het de beheerder."
    finally:
        hall.shutdown()
        db.dispose()


# ---------------------------------------------------------------------------
# readable from ten metres, for everyone; numbers only
# ---------------------------------------------------------------------------
def _visible_text_labels(hall: HallScreen) -> list[FitLabel]:
    return [lab for lab in hall.labels() if lab.isVisibleTo(hall) and lab.text()]


def _clipped(hall: HallScreen) -> list[str]:
    out = []
    for lab in _visible_text_labels(hall):
        fm = lab.fontMetrics()
        rect = lab.contentsRect()
        lines = lab.text().split("\n")  # a service name may take two lines
        width = max(fm.horizontalAdvance(line) for line in lines)
        height = fm.height() + (len(lines) - 1) * fm.lineSpacing()
        if width > rect.width() or height > rect.height():
            out.append(f"{lab.text()!r}: {width}x{height} in {rect.width()}x{rect.height()}")
    return out


@pytest.fixture
def call_long_names(backend, seeded, clock):
    """Call a visitor of a service with a long name to a counter with a long name: the worst case."""
    admin = seeded.users["beheer"]
    svc = setup.create_service(backend, admin, seeded.location_id, "WMO",
                               "Wet maatschappelijke ondersteuning en jeugdhulp", color="#FFE066")
    counter = setup.create_counter(backend, admin, seeded.location_id, "Balie 12",
                                   "Balie 12 (rolstoeltoegankelijk)", [svc.id])
    queue.sign_in(backend, seeded.users["jeroen"], counter.id, clock())
    queue.issue_ticket(backend, seeded.users["kiosk-ingang"], svc.id, clock())
    return lambda: queue.call_next(backend, seeded.users["jeroen"], counter.id, clock())


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080), (3840, 2160)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_no_text_is_clipped(qtbot, make_hall, desk, call_long_names, size):
    for _ in range(3):
        desk.finish(desk.call().id)
    long = call_long_names()
    hall, _announcer, _db = make_hall(size=size)
    assert shows(hall, long.number)
    qtbot.waitUntil(lambda: hall.size().height() == size[1] and not _clipped(hall), timeout=WAIT_MS)
    assert not _clipped(hall)
    texts = {lab.text() for lab in _visible_text_labels(hall)}
    assert "WMO 001" in texts and "→ Balie 12 (rolstoeltoegankelijk)" in texts
    assert not [t for t in texts if "…" in t]  # at these sizes nothing needs shortening
    assert len([lab for lab in hall._rows if lab[1].text()]) == 3  # the earlier calls, listed


def test_sizes_follow_the_window_height(qtbot, make_hall, desk):
    desk.call()
    hall, _announcer, _db = make_hall(size=(1280, 720))
    qtbot.waitUntil(lambda: not _clipped(hall), timeout=WAIT_MS)
    small = hall._number.font().pixelSize()
    hall.resize(3840, 2160)
    qtbot.waitUntil(lambda: hall._number.font().pixelSize() > small and not _clipped(hall), timeout=WAIT_MS)
    assert hall._number.font().pixelSize() >= 2.5 * small
    assert small >= 720 * 0.12  # the number is at least an eighth of the screen high


def _wcag_contrast(a: str, b: str) -> float:
    def lum(color: str) -> float:
        rgb = [int(color.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _contrast_failures(hall: HallScreen) -> list[str]:
    from PySide6.QtGui import QPalette

    out = []
    for lab in _visible_text_labels(hall):
        fg, bg = lab.colors()
        drawn = lab.palette().color(QPalette.ColorRole.WindowText).name().upper()
        if drawn != fg.upper():
            out.append(f"{lab.text()!r} is drawn in {drawn}, not {fg}")
        ratio = _wcag_contrast(fg, bg)
        if ratio < 4.5:
            out.append(f"{lab.text()!r}: {fg} on {bg} is {ratio:.2f}:1")
    return out


@pytest.mark.parametrize("brand", ["#0B4F8A", "#FFE600", "#7FB3D5"])
def test_all_text_has_a_contrast_of_at_least_4_5(qtbot, make_hall, desk, call_long_names, brand):
    hall, _announcer, _db = make_hall(HallConfig(color=brand, highlight_s=30))
    first = call_long_names()  # its service colour is a light yellow
    qtbot.waitUntil(lambda: shows(hall, first.number) and hall._highlighted, timeout=WAIT_MS)
    assert _contrast_failures(hall) == []  # amber card, a light service colour, the configured colour
    hall._end_highlight()
    assert _contrast_failures(hall) == []  # white card


def test_no_personal_data_on_the_screen(qtbot, make_hall, desk):
    from baliedesk.services.demo import STAFF

    desk.call()
    hall, _announcer, _db = make_hall()
    shown = " ".join(lab.full_text() for lab in hall.labels()) + " " + hall.windowTitle()
    words = set(re.findall(r"[\w-]+", shown.lower()))
    people = [(username, name) for username, name, role in STAFF if role not in (Role.KIOSK, Role.DISPLAY)]
    for username, name in people:
        assert name not in shown
        assert username not in words
        assert not {w for w in name.lower().split() if len(w) > 3} & words, name


# ---------------------------------------------------------------------------
# issue 15: calls made close together all stay large; every line readable at 1/30
# ---------------------------------------------------------------------------
@pytest.fixture
def second_desk(backend, seeded, clock):
    """Jeroen at Balie 3 for every service."""
    jeroen = seeded.users["jeroen"]
    counter = seeded.counters["Balie 3"]
    queue.sign_in(backend, jeroen, counter, clock(), service_ids=list(seeded.services.values()))
    return lambda: queue.call_next(backend, jeroen, counter, clock())


def _large(hall: HallScreen) -> list[tuple[str, str]]:
    return [(card.number.full_text(), card.counter.full_text()) for card in hall.large_cards()]


def test_a_call_a_second_earlier_stays_large_beside_the_new_one(qtbot, make_hall, desk, second_desk):
    hall, announcer, _db = make_hall(HallConfig(highlight_s=2, together_s=600))
    first = desk.call()
    qtbot.waitUntil(lambda: shows(hall, first.number), timeout=WAIT_MS)
    second = second_desk()
    qtbot.waitUntil(lambda: shows(hall, second.number), timeout=WAIT_MS)
    large = _large(hall)
    assert large == [(second.display_number, "→ Balie 3"), (first.display_number, "→ Balie 1")]
    # Not demoted to the small list, and both big: side by side, each far larger than a list row.
    listed = [n.full_text() for _f, n, _c, _r in hall._rows if n.full_text()]
    assert first.display_number not in listed
    h = hall.height()
    for card in hall.large_cards():
        assert card.number.font().pixelSize() >= h * 0.1
        assert card.isVisible()
    cards = hall.large_cards()
    assert cards[0].geometry().top() == cards[1].geometry().top()  # side by side
    assert announcer.numbers() == [(first.number, False), (second.number, False)]


def test_after_the_together_time_only_the_newest_stays_large(qtbot, make_hall, desk, second_desk):
    hall, _announcer, _db = make_hall(HallConfig(highlight_s=1, together_s=1))
    first = desk.call()
    qtbot.waitUntil(lambda: shows(hall, first.number), timeout=WAIT_MS)
    second = second_desk()
    qtbot.waitUntil(lambda: len(_large(hall)) == 1 and _large(hall)[0][0] == second.display_number,
                    timeout=WAIT_MS)
    listed = [n.full_text() for _f, n, _c, _r in hall._rows if n.full_text()]
    assert listed[0] == first.display_number


def test_together_time_comes_from_the_settings():
    values = {"display_user": "", "location_id": 0, "display_color": "", "display_logo": "",
              "display_message": "", "display_recent_calls": 6, "display_highlight_s": 8, "display_chime": True,
              "display_speech": False, "display_together_s": 45}
    assert HallConfig.from_settings(values).together_s == 45
    assert HallConfig.from_settings({**values, "display_together_s": 100000}).together_s == 600
    assert HallConfig().together_s == 20


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080), (3840, 2160)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_line_a_visitor_reads_is_at_least_a_thirtieth(qtbot, make_hall, backend, seeded, desk, clock, size):
    from baliedesk.services import demo

    demo.seed_hours(backend, seeded, clock())
    desk.call()
    hall, _announcer, _db = make_hall(size=size)
    qtbot.waitUntil(lambda: hall.size().height() == size[1] and hall.hours_text() != "", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not _clipped(hall) and "Paspoort en ID-kaart" in
                    {lab.full_text() for lab in _visible_text_labels(hall)}, timeout=WAIT_MS)
    h = size[1]
    small = {lab.full_text(): lab.font().pixelSize() for lab in _visible_text_labels(hall)
             if lab.font().pixelSize() < h / 30}
    assert small == {}, f"smaller than {h / 30:.1f} px: {small}"
    texts = {lab.full_text() for lab in _visible_text_labels(hall)}
    assert "Paspoort en ID-kaart" in texts and hall.hours_text() in texts
    assert not [t for t in texts if "…" in t]


def test_the_demos_hall_window_stays_behind_the_counter_and_kiosk(qtbot, backend, seeded, clock, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    from baliedesk.display.app import open_hall_screen
    from baliedesk.settings import Settings

    settings = Settings(tmp_path / "settings.json")  # the defaults
    db = Database(backend.url)
    hall = open_hall_screen(LocalClient(db, clock=clock), windowed=True, settings=settings, behind=True)
    qtbot.addWidget(hall)
    try:
        if len(QGuiApplication.screens()) > 1:
            assert hall.screen() is not QGuiApplication.primaryScreen()
        else:
            assert hall.windowFlags() & Qt.WindowType.WindowStaysOnBottomHint
        assert not hall.isFullScreen()
    finally:
        hall.shutdown()
        db.dispose()

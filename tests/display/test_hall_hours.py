"""Today's opening hours on the hall screen, read by the link on its own thread (SQLite and PostgreSQL).

The screen shows "Vandaag open tot 19.30 uur" (and when closed, when it opens
again) only where the location has an opening schedule; it follows schedule
changes through the change feed and the clock at every new minute. Nothing
sleeps: ``qtbot.waitUntil`` waits for what the screen shows.
"""

from __future__ import annotations

import datetime as dt

import pytest

from baliedesk.display.announce import SilentAnnouncer
from baliedesk.display.config import HallConfig
from baliedesk.display.hall import HallScreen
from baliedesk.services import demo, schedules
from baliedesk.storage.database import Database

WAIT_MS = 20_000
#: Thursday 19 November 2026 in Amsterdam (UTC+1): Loppersum's evening opening until 19:30.
THURSDAY_18H = dt.datetime(2026, 11, 19, 17, 0, tzinfo=dt.UTC)


class SettableClock:
    """A clock the test moves by hand (the screen reads it on its link thread)."""

    def __init__(self, start: dt.datetime) -> None:
        self.t = start

    def __call__(self) -> dt.datetime:
        return self.t


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(THURSDAY_18H)


@pytest.fixture
def make_hall(qtbot, backend, seeded, clock, make_client):
    made = []

    def make() -> HallScreen:
        db = Database(backend.url)  # the hall PC's own connections and change feed
        hall = HallScreen(make_client(seeded.users["scherm-hal"], clock=clock, backend=db), HallConfig(),
                          announcer=SilentAnnouncer())
        qtbot.addWidget(hall)
        made.append((hall, db))
        hall.resize(1280, 720)
        hall.show()
        hall.start()
        qtbot.waitUntil(lambda: hall.full_pictures > 0 and hall.connected, timeout=WAIT_MS)
        return hall

    yield make
    for hall, db in made:
        hall.shutdown()
        db.dispose()


def test_todays_hours_appear_with_a_schedule(qtbot, make_hall, backend, seeded, clock):
    demo.seed_hours(backend, seeded, clock())
    hall = make_hall()
    qtbot.waitUntil(lambda: hall.hours_text() == "Vandaag open tot 19.30 uur", timeout=WAIT_MS)
    assert hall._hours.isVisible()


def test_no_hours_without_a_schedule(qtbot, make_hall, seeded):
    hall = make_hall()
    # The first full picture comes with the first read of today's hours (same read, same signal order).
    assert hall._todays_hours is not None and hall._todays_hours.configured is False
    assert hall.hours_text() == ""
    assert not hall._hours.isVisible()


def test_closed_shows_the_next_opening_and_the_clock_moves_it(qtbot, make_hall, backend, seeded, clock):
    demo.seed_hours(backend, seeded, clock())
    clock.t = THURSDAY_18H + dt.timedelta(hours=1, minutes=25)  # 19:25: still open
    hall = make_hall()
    qtbot.waitUntil(lambda: hall.hours_text() == "Vandaag open tot 19.30 uur", timeout=WAIT_MS)
    # No database change at all: only the new minute makes the screen read its hours again.
    clock.t = THURSDAY_18H + dt.timedelta(hours=1, minutes=31)  # 19:31
    qtbot.waitUntil(lambda: hall.hours_text() == "Nu gesloten. Weer open morgen om 9.00 uur", timeout=WAIT_MS)


def test_a_schedule_change_reaches_the_screen(qtbot, make_hall, backend, seeded, clock):
    hall = make_hall()
    assert hall.hours_text() == ""
    lead, loc = seeded.users["fatima"], seeded.location_id
    schedules.set_opening_hours(backend, lead, loc, {3: (("08:00", "20:00"),)})
    qtbot.waitUntil(lambda: hall.hours_text() == "Vandaag open tot 20.00 uur", timeout=WAIT_MS)
    # Closed today by an exception: the screen says when it opens again.
    schedules.set_exception(backend, lead, loc, clock().date(), (), "Personeelsdag")
    qtbot.waitUntil(lambda: hall.hours_text().startswith("Nu gesloten. Weer open donderdag 26 november"),
                    timeout=WAIT_MS)
    # Back to no schedule at all: the line disappears.
    schedules.remove_exception(backend, lead, loc, clock().date())
    schedules.set_opening_hours(backend, lead, loc, {})
    qtbot.waitUntil(lambda: hall.hours_text() == "", timeout=WAIT_MS)


def _tile_texts(hall: HallScreen, seeded) -> dict[str, str]:
    return {prefix: hall._tiles[sid].wait.full_text() for prefix, sid in seeded.services.items() if sid in hall._tiles}


def test_closed_services_show_no_wait_but_when_they_open(qtbot, make_hall, backend, seeded, clock):
    """Thursday evening only A and B are open: C and M say they are closed, not a wait nobody can get."""
    demo.seed_hours(backend, seeded, clock())
    hall = make_hall()  # 18:00
    qtbot.waitUntil(lambda: _tile_texts(hall, seeded).get("C") == "Gesloten", timeout=WAIT_MS)
    texts = _tile_texts(hall, seeded)
    assert texts["M"] == "Gesloten"
    assert texts["A"] == texts["B"] == "Nu geen balie open"  # open, but nobody signed in yet
    # The lunch break: everything opens again at 13.30, and the screen says so.
    clock.t = dt.datetime(2026, 11, 19, 11, 45, tzinfo=dt.UTC)  # 12:45 in Amsterdam
    qtbot.waitUntil(lambda: set(_tile_texts(hall, seeded).values()) == {"Weer open om 13.30 uur"}, timeout=WAIT_MS)
    # Ten minutes before closing the kiosk gives no new numbers.
    clock.t = dt.datetime(2026, 11, 19, 11, 25, tzinfo=dt.UTC)  # 12:25
    qtbot.waitUntil(lambda: set(_tile_texts(hall, seeded).values()) == {"Geen nieuwe nummers"}, timeout=WAIT_MS)


def test_one_set_of_words_for_open_closing_soon_and_closed(qtbot, make_hall, backend, seeded, clock):
    """Closing soon: no new numbers, whoever waits is still helped. After closing, a service
    with people waiting never says "gesloten" next to "4 mensen wachten"."""
    from baliedesk import hourstext
    from baliedesk.services import queue

    demo.seed_hours(backend, seeded, clock())
    kiosk_user, a = seeded.users["kiosk-ingang"], seeded.services["A"]
    for _ in range(4):
        queue.issue_ticket(backend, kiosk_user, a, clock())  # 18:00, open
    hall = make_hall()
    welcome = "Welkom. Op dit scherm ziet u wanneer u aan de beurt bent."
    qtbot.waitUntil(lambda: hall._tiles and hall._tiles[a].waiting.full_text() == "4 mensen wachten", timeout=WAIT_MS)
    assert hall.message_text() == welcome
    # 19:25: within the kiosk's stop time.
    clock.t = THURSDAY_18H + dt.timedelta(hours=1, minutes=25)
    qtbot.waitUntil(lambda: hall.message_text() == hourstext.CLOSING_SOON_TEXT, timeout=WAIT_MS)
    assert _tile_texts(hall, seeded)["A"] == "Geen nieuwe nummers"
    # 19:31: closed, four people still waiting for A.
    clock.t = THURSDAY_18H + dt.timedelta(hours=1, minutes=31)
    qtbot.waitUntil(lambda: _tile_texts(hall, seeded)["A"] == "worden nog geholpen", timeout=WAIT_MS)
    assert hall._tiles[a].waiting.full_text() == "4 mensen wachten"
    assert _tile_texts(hall, seeded)["B"] == "Gesloten"  # nobody waits there
    assert hall.message_text() == "We zijn gesloten. Wie wacht, wordt nog geholpen."
    # The state lines are read like "ongeveer 20 minuten": at least 1/30 of the screen height.
    qtbot.waitUntil(lambda: hall._tiles[a].wait.font().pixelSize() >= hall.height() / 30, timeout=WAIT_MS)
    for tile in hall._tiles.values():
        assert tile.wait.font().pixelSize() >= hall.height() / 30, tile.wait.full_text()
    shown = " ".join(lab.full_text() for lab in hall.labels())
    assert "Nu gesloten" not in shown.replace("Nu gesloten. Weer open", "")

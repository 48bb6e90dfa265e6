"""The entrance kiosk on a real, seeded database (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
import re

import pytest

from baliedesk.domain.errors import StorageUnavailable
from baliedesk.services import queue
from baliedesk.ui.kiosk import window as kiosk_module
from baliedesk.ui.kiosk.window import KioskWindow
from tests.doors import client_for
from baliedesk.ui.common.tasks import runner


class FakeSettings(dict):
    """Settings without a file: the declared defaults, overridable per test."""

    def __init__(self, **values):
        super().__init__(location_id=0, kiosk_user="kiosk-ingang", language="", user_id=0, counter_id=0)
        self.update(values)


class SwitchableBackend:
    """A real database that can be 'unplugged': while ``down`` every unit of work
    and change feed goes to a PostgreSQL port where nothing listens."""

    def __init__(self, live, dead):
        self.live, self.dead, self.down = live, dead, False

    @property
    def current(self):
        return self.dead if self.down else self.live

    def unit_of_work(self, write: bool = False):
        return self.current.unit_of_work(write)

    def open_feed(self, **kwargs):
        return self.current.open_feed(**kwargs)


@pytest.fixture
def dead_database():
    from baliedesk.storage.database import Database

    db = Database("postgresql://baliedesk@127.0.0.1:1/nowhere")
    yield db
    db.dispose()



def make_kiosk(qtbot, backend, now, **kwargs) -> KioskWindow:
    w = KioskWindow(client_for(backend, lambda: now), FakeSettings(), **kwargs)
    qtbot.addWidget(w)
    w.resize(1280, 1024)
    w.show()
    return w


def loaded_kiosk(qtbot, backend, now, **kwargs) -> KioskWindow:
    w = make_kiosk(qtbot, backend, now, **kwargs)
    qtbot.waitUntil(lambda: len(w.buttons()) == 4, timeout=10_000)
    return w


def waiting_for(backend, seeded, prefix: str, now) -> int:
    snap = queue.queue_snapshot(backend, seeded.users["kiosk-ingang"], seeded.location_id, now)
    return next(sq.waiting for sq in snap.services if sq.service.prefix == prefix)


def test_start_screen_shows_every_walk_in_service(qtbot, kiosk_door, backend, seeded, now):
    w = loaded_kiosk(qtbot, kiosk_door, now)
    assert w.title.text() == "Kies waarvoor u komt"
    assert w.start_municipality.text() == "Gemeente Loppersum"
    names = [b.name.text() for b in w.buttons().values()]
    assert names == ["Paspoort en ID-kaart", "Rijbewijs", "Uittreksel en verhuizing", "Melding openbare ruimte"]
    letters = [b.letter.text() for b in w.buttons().values()]
    assert letters == ["A", "B", "C", "M"]
    # Nobody has signed in at a counter yet: no invented waiting time.
    for b in w.buttons().values():
        assert b.status.text() == "Er wacht nu niemand  ·  Er is nu geen balie open"


def test_press_issues_the_next_number_and_shows_it(qtbot, kiosk_door, backend, seeded, now):
    queue.sign_in(backend, seeded.users["anne"], seeded.counters["Balie 3"], now)
    queue.issue_ticket(backend, seeded.users["kiosk-ingang"], seeded.services["A"], now)  # A001
    w = loaded_kiosk(qtbot, kiosk_door, now)
    a = w.buttons()[seeded.services["A"]]
    assert a.status.text().startswith("Er wacht nu 1 persoon")

    with qtbot.waitSignal(w.ticket_shown, timeout=10_000) as shown:
        qtbot.mouseClick(a, kiosk_module.Qt.MouseButton.LeftButton)
    issued = shown.args[0]
    assert issued.ticket.number == "A002"
    assert w.on_ticket_page()
    assert w.number.text() == "A 002"
    assert w.service_name.text() == "Paspoort en ID-kaart"
    assert w.ahead.text() == "Er is 1 persoon voor u."
    # One counter open, nobody served yet (expected 12 min a visit): 12/2 + 1*12 = 18 minutes.
    assert w.estimate.text() == "Verwachte wachttijd: ongeveer 18 minuten."
    assert "Kijk op het scherm in de hal" in w.hall.text()
    assert waiting_for(backend, seeded, "A", now) == 2


def test_no_open_counter_says_so_instead_of_a_number(qtbot, kiosk_door, backend, seeded, now):
    w = loaded_kiosk(qtbot, kiosk_door, now)
    with qtbot.waitSignal(w.ticket_shown, timeout=10_000):
        w.buttons()[seeded.services["B"]].click()
    assert w.number.text() == "B 001"
    assert w.ahead.text() == "Er is niemand voor u."
    assert "geen balie open" in w.estimate.text()
    assert not re.search(r"\d", w.estimate.text())


def test_a_double_tap_issues_one_ticket(qtbot, kiosk_door, backend, seeded, now, monkeypatch):
    w = loaded_kiosk(qtbot, kiosk_door, now)
    button = w.buttons()[seeded.services["C"]]
    with qtbot.waitSignal(w.ticket_shown, timeout=10_000):
        button.click()
        assert w.issuing
        button.click()  # the second tap of a double tap, while the first is being issued
        w.press(seeded.services["M"])  # or a neighbouring button
    # The second tap lands on the confirmation: it must not wipe the number away.
    qtbot.mouseClick(w.number, kiosk_module.Qt.MouseButton.LeftButton)
    assert w.on_ticket_page()
    runner().wait(10_000)
    qtbot.wait(50)  # let any (wrongly) queued callbacks run
    assert w.number.text() == "C 001"
    assert waiting_for(backend, seeded, "C", now) == 1
    assert waiting_for(backend, seeded, "M", now) == 0


def test_confirmation_returns_to_start_by_itself_and_on_touch(qtbot, kiosk_door, backend, seeded, now, monkeypatch):
    w = loaded_kiosk(qtbot, kiosk_door, now, return_after_ms=200)
    with qtbot.waitSignal(w.ticket_shown, timeout=10_000):
        w.buttons()[seeded.services["A"]].click()
    qtbot.waitUntil(lambda: not w.on_ticket_page(), timeout=5_000)

    monkeypatch.setattr(kiosk_module, "TOUCH_GUARD_MS", 0)
    w.return_after_ms = 60_000
    with qtbot.waitSignal(w.ticket_shown, timeout=10_000):
        w.buttons()[seeded.services["A"]].click()
    assert w.on_ticket_page()
    qtbot.mouseClick(w.estimate, kiosk_module.Qt.MouseButton.LeftButton)
    assert not w.on_ticket_page()
    assert waiting_for(backend, seeded, "A", now) == 2


def test_counts_follow_tickets_issued_elsewhere(qtbot, kiosk_door, backend, seeded, now):
    from baliedesk.storage.database import Database

    w = loaded_kiosk(qtbot, kiosk_door, now)
    other = Database(backend.url)  # another workstation: its own connections
    try:
        queue.issue_ticket(other, seeded.users["kiosk-ingang"], seeded.services["M"], now)
        queue.issue_ticket(other, seeded.users["kiosk-ingang"], seeded.services["M"], now)
    finally:
        other.dispose()
    m = w.buttons()[seeded.services["M"]]
    qtbot.waitUntil(lambda: m.status.text().startswith("Er wachten nu 2 mensen"), timeout=10_000)


def test_database_away_at_start_shows_dutch_and_no_exception(qtbot, dead_database, caplog):
    import datetime as dt

    caplog.set_level(logging.WARNING)
    w = make_kiosk(qtbot, dead_database, dt.datetime.now(dt.UTC))
    qtbot.waitUntil(lambda: "Het lukt nu even niet" in w.message_text(), timeout=15_000)
    assert "Meld u dan bij de balie" in w.message_text()
    assert not w.buttons()
    assert "Traceback" not in w.message_text()
    # Nothing escaped into a callback failure.
    assert not [r for r in caplog.records if r.getMessage() == "task callback failed"]


def test_kiosk_recovers_when_the_database_comes_back(qtbot, backend, seeded, now, dead_database, monkeypatch):
    monkeypatch.setattr(kiosk_module, "RETRY_MS", 100)
    switch = SwitchableBackend(backend, dead_database)
    switch.down = True
    w = make_kiosk(qtbot, switch, now, watch=False)
    qtbot.waitUntil(lambda: "Het lukt nu even niet" in w.message_text(), timeout=15_000)

    switch.down = False
    qtbot.waitUntil(lambda: len(w.buttons()) == 4, timeout=15_000)
    assert w.message_text() == ""

    # Away again while the visitor presses: a calm sentence, no ticket page.
    switch.down = True
    with qtbot.waitSignal(w.error_shown, timeout=15_000,
                          check_params_cb=lambda text: text.startswith("Het lukt nu even niet")):
        w.buttons()[seeded.services["A"]].click()
    assert not w.on_ticket_page()
    assert not w.issuing

    switch.down = False
    with qtbot.waitSignal(w.ticket_shown, timeout=15_000):
        w.buttons()[seeded.services["A"]].click()
    assert w.number.text() == "A 001"


def test_closed_service_is_explained_and_disappears(qtbot, kiosk_door, backend, seeded, now):
    from sqlalchemy import update

    from baliedesk.storage.models import Service

    w = loaded_kiosk(qtbot, kiosk_door, now, watch=False)
    with backend.session() as s:
        s.execute(update(Service).where(Service.id == seeded.services["B"]).values(walk_in=False))
        s.commit()
    with qtbot.waitSignal(w.error_shown, timeout=10_000):
        w.buttons()[seeded.services["B"]].click()
    assert w.message_text() == "Deze dienst is hier nu niet te kiezen."
    assert not w.on_ticket_page()
    qtbot.waitUntil(lambda: seeded.services["B"] not in w.buttons(), timeout=10_000)
    assert len(w.buttons()) == 3


def test_storage_message_is_for_visitors():
    text = kiosk_module.kiosk_message(StorageUnavailable("x"))
    assert "typte" not in text  # the staff wording speaks of typed text; visitors typed nothing
    assert text.startswith("Het lukt nu even niet")

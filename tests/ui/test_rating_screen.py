"""The visitor's rating screen (KTO), offscreen: big buttons, a line, thanks, back to the start."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from baliedesk.services import demo
from baliedesk.services import reports as R


@pytest.fixture
def screen(qtbot, backend, now, make_client):
    from baliedesk.ui.dashboard.rating import RatingScreen

    ids = demo.seed(backend, now, history=False)
    w = RatingScreen(make_client(ids.users["kiosk-ingang"], clock=lambda: now), ids.location_id,
                     ids.services["A"])
    qtbot.addWidget(w)
    return w, ids


def test_a_rating_with_a_line_is_stored_anonymously(screen, qtbot, backend, now):
    w, ids = screen
    qtbot.mouseClick(w.buttons[7], Qt.MouseButton.LeftButton)  # 8
    assert w.pages.currentIndex() == 1 and "8" in w.comment_title.text()
    qtbot.keyClicks(w.comment, "Meer stoelen graag")
    with qtbot.waitSignal(w.sent, timeout=10_000) as sig:
        qtbot.mouseClick(w.send_button, Qt.MouseButton.LeftButton)
    assert sig.args == [8] and w.pages.currentIndex() == 2
    rows = R.visits_behind(backend, ids.users["fatima"], ids.location_id, "rating_good", now.date(), now.date(), now)
    assert [(r[4], r[5]) for r in rows.rows] == [(8, "Meer stoelen graag")]


def test_untouched_it_returns_to_the_start(screen, qtbot):
    w, _ids = screen
    w.idle.setInterval(50)
    qtbot.mouseClick(w.buttons[2], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(w.comment, "x")
    qtbot.waitUntil(lambda: w.pages.currentIndex() == 0, timeout=5_000)
    assert w.chosen is None and w.comment.text() == ""


def test_a_display_account_is_told_in_words(qtbot, backend, now, make_client):
    from baliedesk.ui.dashboard.rating import RatingScreen

    ids = demo.seed(backend, now, history=False)
    w = RatingScreen(make_client(ids.users["scherm-hal"], clock=lambda: now), ids.location_id)
    qtbot.addWidget(w)
    w.choose(6)
    with qtbot.waitSignal(w.error_shown, timeout=10_000) as sig:
        w.send()
    assert "mag dit niet" in sig.args[0]


@pytest.mark.local_only("a rating screen on this PC's own database, nobody signed in; through a server a rating "
                         "screen is an enrolled device with a token of its own")
def test_standing_alone_it_asks_the_service_and_the_dashboard_shows_the_rating(qtbot, backend, now, make_client):
    """``python -m baliedesk rating``: a device on this PC's database (nobody signed in) acts as the kiosk
    account, shows the location's services (one tap), then 1-10, a line, thanks, and back to the services.
    The rating shows up in the dashboard's rating tile, tied to the service and never to a person."""
    from baliedesk.ui.dashboard.rating import open_rating

    ids = demo.seed(backend, now, history=False)
    got: list = []
    open_rating(make_client(None, clock=lambda: now), ids.location_id, got.append, got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=10_000)
    w = got[0]
    assert not isinstance(w, str), w
    qtbot.addWidget(w)
    assert w.client.user_id == ids.users["kiosk-ingang"]  # the device account, not a person
    assert w.pages.currentIndex() == 3 and len(w.service_buttons) == len(ids.services)
    b = ids.services["B"]
    button = next(x for x in w.service_buttons if x.text() == next(n for i, n in w.services if i == b))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert w.pages.currentIndex() == 0 and w.service_id == b
    qtbot.mouseClick(w.buttons[8], Qt.MouseButton.LeftButton)  # 9
    qtbot.keyClicks(w.comment, "Snel geholpen")
    with qtbot.waitSignal(w.sent, timeout=10_000):
        qtbot.mouseClick(w.send_button, Qt.MouseButton.LeftButton)
    assert w.pages.currentIndex() == 2
    w.thanks_timer.timeout.emit()  # the thank-you's time is up
    assert w.pages.currentIndex() == 3 and w.service_id is None and w.chosen is None

    lead = ids.users["fatima"]
    tiles = {t.norm: t for t in R.norm_tiles(backend, lead, ids.location_id, now.date(), now.date(), now).tiles}
    assert (tiles["rating_good"].met, tiles["rating_good"].count) == (1, 1)
    by_service = {t.norm: t for t in R.norm_tiles(backend, lead, ids.location_id, now.date(), now.date(), now,
                                                  service_id=b).tiles}
    assert by_service["rating_good"].count == 1
    rows = R.visits_behind(backend, lead, ids.location_id, "rating_good", now.date(), now.date(), now)
    assert [(r[4], r[5]) for r in rows.rows] == [(9, "Snel geholpen")]


def test_no_location_is_told_in_words(qtbot, backend, now, make_client):
    from baliedesk.ui.dashboard.rating import open_rating

    ids = demo.seed(backend, now, history=False)
    got: list = []
    open_rating(make_client(None, clock=lambda: now), ids.location_id + 999, got.append, got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=10_000)
    assert got == ["Dit scherm werkt nu niet. Meld u bij de balie."]


def test_the_command_line_opens_the_rating_screen_as_a_device(monkeypatch):
    from baliedesk import cli

    seen = {}
    monkeypatch.setattr(cli, "_door", lambda args, device=False: seen.setdefault("device", device) and "door")
    import baliedesk.ui.launch as launch

    monkeypatch.setattr(launch, "run_rating", lambda door, location_id, windowed: seen.update(
        door=door, location=location_id, windowed=windowed) or 0)
    args = cli.build_parser().parse_args(["rating", "--location", "3", "--windowed"])
    assert args.func(args) == 0
    assert seen == {"device": True, "door": "door", "location": 3, "windowed": True}

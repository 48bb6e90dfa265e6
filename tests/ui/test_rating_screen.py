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

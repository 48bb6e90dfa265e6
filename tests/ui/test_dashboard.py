"""The dashboard window, offscreen: tiles with words, evening beside daytime, charts, live today,
drill-down and exports, all through the client."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from baliedesk.services import demo
from baliedesk.services import reports as R
from tests.norms_data import add_visit, local

THU = dt.date(2026, 11, 12)


@pytest.fixture
def dashboard(qtbot, backend, now, make_client):
    from baliedesk.ui.dashboard.window import DashboardWindow

    ids = demo.seed(backend, now, history=False, hours=True)
    a = ids.services["A"]
    for start, wait in (("10:00", 3), ("10:10", 14), ("17:30", 4)):
        arrive = local(THU, start)
        add_visit(backend, ids.location_id, a, arrive, calls=(arrive + dt.timedelta(minutes=wait),),
                  finish=arrive + dt.timedelta(minutes=wait + 8))
    R.record_rating(backend, ids.users["kiosk-ingang"], ids.location_id, a, 9, None, local(THU, "11:00"))
    client = make_client(ids.users["fatima"], clock=lambda: now)
    w = DashboardWindow(client, ids.location_id)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.loaded, timeout=20_000):
        pass
    return w, ids


def test_tiles_words_evening_and_charts(dashboard, qtbot):
    w, ids = dashboard
    walk = w.tile_widgets["walk_in_wait"]
    assert walk.value.text() == "66,7%" and walk.verdict.text() == "Niet gehaald"
    assert "3 geteld" in walk.detail.text()
    assert w.tile_widgets["rating_good"].verdict.text() == "Gehaald"
    assert "Overdag: 50,0%" in w.split_label.text() and "Avond: 100,0%" in w.split_label.text()
    assert sum(c.arrivals for c in w.heat) == 3 and len(w.daily) == 1
    assert w.waits_table.rowCount() == 3  # service A: daytime, evening, whole day
    assert w.start_edit.date().toPython() == dt.date(2026, 10, 1)  # this quarter, shown
    assert not w.start_edit.isEnabled()
    qtbot.waitUntil(lambda: w.live is not None, timeout=10_000)
    assert "Nu wachten: 0" in w.live_label.text()


def test_day_part_choice_and_drill_down(dashboard, qtbot):
    w, _ids = dashboard
    with qtbot.waitSignal(w.loaded, timeout=20_000):
        w.day_part.setCurrentIndex(2)  # avond
    assert w.tile_widgets["walk_in_wait"].value.text() == "100,0%"
    w.show_behind("walk_in_wait")
    qtbot.waitUntil(lambda: getattr(w, "behind_dialog", None) is not None, timeout=10_000)
    assert w.behind_dialog.grid.rowCount() == 1


def test_exports(dashboard, tmp_path):
    w, _ids = dashboard
    xlsx = tmp_path / "dash.xlsx"
    w.export_xlsx(xlsx)
    wb = load_workbook(xlsx)
    assert len(wb.sheetnames) == 4
    paths = w.export_csv(tmp_path)
    assert [p.name for p in paths] == ["normen.csv", "wachttijden.csv", "per-dag.csv", "per-uur.csv"]
    assert all(p.stat().st_size > 0 for p in paths)


def test_a_clerk_sees_words_not_a_crash(qtbot, backend, now, make_client):
    from baliedesk.ui.dashboard.window import DashboardWindow

    ids = demo.seed(backend, now, history=False)
    w = DashboardWindow(make_client(ids.users["anne"], clock=lambda: now), ids.location_id)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.error_shown, timeout=20_000) as sig:
        pass
    assert "mag dit niet" in sig.args[0]

"""Issue 15 (Meldingen): the work list's detail and count, the Klachten tab, the intake after saving,
duplicates with distance and age. Real, seeded database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest

from PySide6.QtWidgets import QWidget

from baliedesk.services import contacts, meldingen
from baliedesk.ui.common.tasks import runner
from baliedesk.ui.meldingen.notes import ComplaintsPanel
from baliedesk.ui.meldingen.window import IntakeForm, WorkListPanel

_KEEP: list = []


@pytest.fixture(autouse=True)
def _keep():
    yield
    runner().wait(10_000)
    _KEEP.clear()


def _add(qtbot, w):
    qtbot.addWidget(w)
    _KEEP.append(w)
    return w


def _melding(backend, seeded, at, **extra):
    anne = seeded.users["anne"]
    cat = meldingen.list_categories(backend, anne)[0]
    values = dict(category_id=cat.id, description="Lamp kapot", channel="balie", location_text="bij de school")
    return meldingen.take_melding(backend, anne, seeded.location_id, at, **{**values, **extra})


def test_one_melding_is_singular(qtbot, make_client, backend, seeded, now):
    _melding(backend, seeded, now)
    w = _add(qtbot, WorkListPanel(make_client(seeded.users["anne"], clock=lambda: now), seeded.location_id))
    qtbot.waitUntil(lambda: w.table.rowCount() == 1, timeout=10_000)
    assert w.count_label.text().startswith("1 melding,")
    assert "meldingen" not in w.count_label.text()


def test_the_detail_says_feedback_urgency_and_late_with_the_year(qtbot, make_client, backend, seeded, now):
    _melding(backend, seeded, now - dt.timedelta(days=60), urgency="hoog", wants_feedback=True,
             reporter_name="Mevrouw Bakker", reporter_phone="0612345678")
    w = _add(qtbot, WorkListPanel(make_client(seeded.users["anne"], clock=lambda: now), seeded.location_id))
    qtbot.waitUntil(lambda: w.table.rowCount() == 1, timeout=10_000)
    with qtbot.waitSignal(w.detail_shown if hasattr(w, "detail_shown") else w.loaded, timeout=10_000,
                          raising=False):
        w.table.selectRow(0)
    qtbot.waitUntil(lambda: w.detail is not None, timeout=10_000)
    text = w.detail_label.text()
    assert "Melder wil horen hoe het afloopt." in text
    assert "Urgentie: hoog" in text
    assert "te laat" in text and "2026" in text
    row = [w.table.item(0, c).text() for c in range(w.table.columnCount())]
    assert any("2026" in cell for cell in row)


def test_the_detail_says_when_the_reporter_wants_nothing(qtbot, make_client, backend, seeded, now):
    _melding(backend, seeded, now)
    w = _add(qtbot, WorkListPanel(make_client(seeded.users["anne"], clock=lambda: now), seeded.location_id))
    qtbot.waitUntil(lambda: w.table.rowCount() == 1, timeout=10_000)
    w.table.selectRow(0)
    qtbot.waitUntil(lambda: w.detail is not None, timeout=10_000)
    assert "Urgentie: normaal" in w.detail_label.text()
    assert "Melder hoeft niet te horen hoe het afloopt." in w.detail_label.text()


def test_an_overdue_complaint_says_te_laat_and_the_form_sits_under_its_heading(qtbot, make_client, backend,
                                                                                seeded, now):
    jeroen = seeded.users["anne"]
    contacts.register_complaint(backend, jeroen, seeded.location_id, now - dt.timedelta(days=70), name="Dhr. Jansen",
                                subject="Wachttijd", description="Lang gewacht", channel="balie")
    w = _add(qtbot, ComplaintsPanel(make_client(jeroen, clock=lambda: now), seeded.location_id))
    w.resize(1400, 900)
    QWidget.show(w)  # the panel's own show() fills the list
    qtbot.waitUntil(lambda: w.table.rowCount() == 1, timeout=10_000)
    due = w.table.item(0, 4).text()
    assert "te laat" in due and "2026" in due
    heading = w.form_title
    gap = w.name.mapTo(w, w.name.rect().topLeft()).y() - heading.mapTo(w, heading.rect().bottomLeft()).y()
    assert 0 <= gap < 40, gap
    assert heading.mapTo(w, heading.rect().topLeft()).y() < 40

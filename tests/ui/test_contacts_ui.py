"""Contact registration (the KCC's main screen) and the meldingen window's live refresh, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from baliedesk.domain import meldingen as rules
from baliedesk.domain.errors import ValidationError
from baliedesk.services import contacts, meldingen
from baliedesk.ui.meldingen.contacts import ContactPanel
from baliedesk.ui.meldingen.window import MeldingenWindow
from baliedesk.ui.common.messages import message_for
from baliedesk.ui.common.tasks import runner

GENERIC = "Er ging iets mis"
HOSTILE = ["'; DROP TABLE contacts; --", "\u202eKLACHT\u202c", "a\x00b", "x" * 5000, "<b>vet</b>", "\u0000",
           "Robert'); DELETE FROM meldingen;--", "😀 vraag"]


#: Strong references until the test ends: qtbot only keeps weak ones, and a panel whose last reference
#: went with a finished background task would otherwise be destroyed on that worker thread.
_KEEP: list[ContactPanel] = []


@pytest.fixture(autouse=True)
def _keep_panels():
    yield
    runner().wait(10_000)
    _KEEP.clear()


def panel(qtbot, make_client, seeded, now) -> ContactPanel:
    w = ContactPanel(make_client(seeded.users["anne"], clock=lambda: now), seeded.location_id)
    qtbot.addWidget(w)
    _KEEP.append(w)
    qtbot.waitUntil(lambda: bool(w.services) and w.count_label.text() != "", timeout=10_000)
    return w


def test_keyboard_only_contact_is_saved_and_listed(qtbot, make_client, seeded, now):
    w = panel(qtbot, make_client, seeded, now)
    w.show()
    assert w.channel() == "telefoon" and w.count_label.text() == "Vandaag nog geen contacten vastgelegd."
    service = w.services[0]
    w.subject.setFocus()
    qtbot.keyClicks(w.subject, service.name.upper())  # a service's name in any case is that service
    with qtbot.waitSignal(w.saved, timeout=10_000) as blocker:
        qtbot.keyClick(w.subject, Qt.Key.Key_Return)
    info = blocker.args[0]
    assert (info.channel, info.service_id, info.subject, info.result) == (
        "telefoon", service.id, service.name.upper(), "eerstelijn")
    qtbot.waitUntil(lambda: w.table.rowCount() == 1, timeout=10_000)
    assert w.subject.text() == "" and w.focusWidget() is w.subject
    assert w.channel() == "telefoon"  # the channel stays for the next call
    assert w.table.item(0, 0).text() == "09.30" and w.table.item(0, 3).text() == "Zelf beantwoord"
    assert w.count_label.text() == "Vandaag 1 contacten. 1 zelf beantwoord (100%)."


def test_passed_on_needs_whom_said_at_the_field_and_text_kept(qtbot, make_client, seeded, now):
    w = panel(qtbot, make_client, seeded, now)
    w.channel_buttons["email"].setChecked(True)
    w.subject.setText("Vraag over de hondenbelasting")
    w.passed_on.setChecked(True)
    w.note.setText("Mail doorgestuurd")
    with qtbot.waitSignal(w.error_shown, timeout=10_000) as blocker:
        w.save()
    assert blocker.args[0] == message_for(ValidationError("passed_to", "required"))
    assert w.errors["passed_to"].text() == blocker.args[0] and not w.errors["passed_to"].isHidden()
    assert (w.subject.text(), w.note.text(), w.channel()) == (
        "Vraag over de hondenbelasting", "Mail doorgestuurd", "email")
    w.passed_to.setText("Team Belastingen")
    with qtbot.waitSignal(w.saved, timeout=10_000) as blocker:
        w.save()
    assert (blocker.args[0].result, blocker.args[0].passed_to, blocker.args[0].service_id) == (
        "doorgezet", "Team Belastingen", None)
    assert w.errors["passed_to"].isHidden() and w.first_line.isChecked()
    qtbot.waitUntil(lambda: w.table.rowCount() == 1, timeout=10_000)
    assert w.table.item(0, 3).text() == "Doorgestuurd naar Team Belastingen"
    assert w.table.item(0, 1).text() == "E-mail"


def test_only_todays_contacts_are_listed(qtbot, backend, make_client, seeded, now):
    anne = seeded.users["anne"]
    contacts.register_contact(backend, anne, seeded.location_id, now - dt.timedelta(days=1), channel="post",
                              subject="Brief van gisteren")
    contacts.register_contact(backend, anne, seeded.location_id, now - dt.timedelta(minutes=5), channel="app",
                              subject="Vraag via de app")
    w = panel(qtbot, make_client, seeded, now)
    qtbot.waitUntil(lambda: w.table.rowCount() == 1, timeout=10_000)
    assert w.table.item(0, 2).text() == "Vraag via de app"


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(subject=st.one_of(st.sampled_from(HOSTILE), st.text(max_size=260)),
       note=st.one_of(st.sampled_from(HOSTILE), st.text(max_size=60)))
def test_hostile_text_is_stored_verbatim_or_refused_in_dutch(qtbot, make_client, seeded, now, subject, note):
    w = panel(qtbot, make_client, seeded, now)
    w.subject.setText(subject)
    w.note.setText(note)
    typed = (w.subject.text(), w.note.text())
    outcome: dict = {}
    w.saved.connect(lambda info: outcome.setdefault("saved", info))
    w.error_shown.connect(lambda text: outcome.setdefault("error", text))
    w.save()
    qtbot.waitUntil(lambda: bool(outcome), timeout=10_000)
    if "error" in outcome:
        assert outcome["error"] and GENERIC not in outcome["error"]
        assert (w.subject.text(), w.note.text()) == typed
    else:
        info = outcome["saved"]
        assert info.subject == typed[0].strip() and (info.note or "") == typed[1].strip()
        assert len(info.subject) <= rules.SUBJECT_MAX_LENGTH
    w.close()


# ---------------------------------------------------------------------------
# live refresh from the change feed
# ---------------------------------------------------------------------------
@pytest.fixture
def window(qtbot, make_client, seeded, now):
    w = MeldingenWindow(make_client(seeded.users["anne"], clock=lambda: now), seeded.location_id)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitUntil(lambda: w.work.work is not None and w.intake.category.count() > 1, timeout=10_000)
    yield w
    w.close()
    runner().wait(10_000)


def test_a_melding_from_another_workstation_appears_keeping_selection_and_typing(qtbot, backend, seeded, now,
                                                                                window):
    cats = {c.label: c for c in meldingen.list_categories(backend, seeded.users["anne"])}
    jeroen = seeded.users["jeroen"]
    first = meldingen.take_melding(backend, jeroen, seeded.location_id, now - dt.timedelta(hours=1),
                                   category_id=cats["Groen > Boom"].id, description="Tak op de weg",
                                   channel="telefoon", location_text="Parklaan")
    w = window
    w.tabs.setCurrentWidget(w.work)
    qtbot.waitUntil(lambda: w.work.table.rowCount() == 1, timeout=10_000)
    w.work.table.selectRow(0)
    qtbot.waitUntil(lambda: w.work.detail is not None, timeout=10_000)
    w.work.note.setPlainText("Half getypte notitie")
    w.work.search.setText("Tak")  # typed, not yet searched (no Enter): a refresh does not filter on it
    w.intake.description.setPlainText("Lamp kapot bij de school")
    w.intake.street.setText("Schoolstraat")

    # another workstation: a new melding, and a status change of the selected one
    second = meldingen.take_melding(backend, jeroen, seeded.location_id, now,
                                    category_id=cats["Verlichting > Lamp defect"].id, description="Lamp knippert",
                                    channel="app", location_text="Stationsplein")
    meldingen.change_status(backend, jeroen, first.melding.summary.id, "in_behandeling", now)
    qtbot.waitUntil(lambda: w.work.table.rowCount() == 2, timeout=15_000)
    qtbot.waitUntil(lambda: w.work.detail.summary.state == "in_behandeling", timeout=15_000)
    numbers = [w.work.table.item(r, 0).text() for r in range(2)]
    assert second.slip.number in numbers
    assert w.work.selected_id() == first.melding.summary.id
    assert w.work.note.toPlainText() == "Half getypte notitie" and w.work.search.text() == "Tak"
    assert (w.intake.description.toPlainText(), w.intake.street.text()) == (
        "Lamp kapot bij de school", "Schoolstraat")


def test_callbacks_complaints_and_contacts_follow_other_workstations(qtbot, backend, seeded, now, window):
    w = window
    jeroen = seeded.users["jeroen"]
    w.tabs.setCurrentWidget(w.callbacks)
    w.callbacks.caller.setText("Mevrouw Bakker")  # typing a note of her own
    before = w.refreshes
    contacts.write_callback(backend, jeroen, seeded.location_id, now, caller_name="Piet", phone="0612345678",
                            question="Wanneer wordt de lamp gemaakt?", for_team="Team Wegen")
    qtbot.waitUntil(lambda: w.callbacks.table.rowCount() == 1, timeout=15_000)
    qtbot.waitUntil(lambda: w.refreshes > before, timeout=15_000)  # the feed woke the window
    assert w.callbacks.caller.text() == "Mevrouw Bakker"
    w.callbacks.table.selectRow(0)
    contacts.write_callback(backend, jeroen, seeded.location_id, now - dt.timedelta(days=5), caller_name="Ans",
                            phone="0612345679", question="Eerder", for_team="Team Wegen")
    qtbot.waitUntil(lambda: w.callbacks.table.rowCount() == 2, timeout=15_000)
    assert w.callbacks.notes[w.callbacks.table.selectionModel().selectedRows()[0].row()].caller_name == "Piet"

    # a hidden tab is stale and re-reads when opened
    contacts.register_complaint(backend, jeroen, seeded.location_id, now, name="Dhr. Jansen", subject="Wachttijd",
                                description="Lang gewacht", channel="balie")
    contacts.register_contact(backend, jeroen, seeded.location_id, now, channel="telefoon", subject="Afvalpas")
    qtbot.wait(800)
    assert w.complaints.table.rowCount() == 0 or w.tabs.currentWidget() is w.complaints
    w.tabs.setCurrentWidget(w.complaints)
    qtbot.waitUntil(lambda: w.complaints.table.rowCount() == 1, timeout=15_000)
    w.tabs.setCurrentWidget(w.contacts)
    qtbot.waitUntil(lambda: w.contacts.table.rowCount() == 1, timeout=15_000)
    assert w.contacts.table.item(0, 2).text() == "Afvalpas"


def test_arrow_down_in_the_empty_subject_lists_the_services(qtbot, make_client, seeded, now):
    w = panel(qtbot, make_client, seeded, now)
    w.show()
    qtbot.keyClick(w.subject, Qt.Key.Key_Down)
    popup = w.subject.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=5_000)
    assert popup.model().rowCount() == len(w.services) > 1
    popup.hide()


def test_ctrl_digits_open_the_tabs(qtbot, window):
    w = window
    w.activateWindow()
    qtbot.keyClick(w, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert w.tabs.currentWidget() is w.work
    qtbot.keyClick(w, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert w.tabs.currentWidget() is w.contacts and w.focusWidget() is w.contacts.subject

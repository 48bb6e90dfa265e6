"""Meldingen window (intake with duplicate suggestions, work list, callbacks, complaints) on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QColor

from baliedesk.domain.errors import ValidationError
from baliedesk.services import contacts, meldingen
from baliedesk.ui import theme
from baliedesk.ui.meldingen import CallbackPanel, ComplaintsPanel, IntakeForm, MeldingenWindow, WorkListPanel
from baliedesk.ui.messages import message_for
from baliedesk.ui.tasks import runner

GENERIC = "Er ging iets mis"



@pytest.fixture
def cats(backend, seeded):
    return {c.label: c for c in meldingen.list_categories(backend, seeded.users["anne"])}


#: Strong references until the test ends: qtbot keeps only weak ones, and a form whose last reference
#: went with a finished background task would otherwise be destroyed on that worker thread (a rare crash
#: between hypothesis examples).
_KEEP: list = []


@pytest.fixture(autouse=True)
def _keep_forms():
    yield
    runner().wait(10_000)
    _KEEP.clear()


def intake(qtbot, backend, seeded, now) -> IntakeForm:
    w = IntakeForm(backend, seeded.users["anne"], seeded.location_id, clock=lambda: now)
    qtbot.addWidget(w)
    _KEEP.append(w)
    qtbot.waitUntil(lambda: w.category.count() > 1, timeout=10_000)
    return w


def choose(w: IntakeForm, category_id: int) -> None:
    w.category.setCurrentIndex(w.category.findData(category_id))


def test_intake_saves_and_clears(qtbot, backend, seeded, now, cats):
    w = intake(qtbot, backend, seeded, now)
    choose(w, cats["Verlichting > Lamp defect"].id)
    w.description.setPlainText("Lamp brandt niet")
    w.street.setText("Hoofdstraat")
    w.house_number.setText("12")
    w.postcode.setText("9919ab")
    w.reporter_email.setText("jan@example.nl")
    w.feedback.setChecked(True)
    with qtbot.waitSignal(w.saved, timeout=10_000) as blocker:
        w.save()
    result = blocker.args[0]
    assert result.slip.number == "M-2026-000001" and result.melding.postcode == "9919 AB"
    assert result.slip.number in w.message.text() and result.slip.tracking_code in w.message.text()
    assert w.street.text() == "" and w.description.toPlainText() == ""


def test_refusal_shows_dutch_message_next_to_the_field_and_keeps_text(qtbot, backend, seeded, now, cats):
    w = intake(qtbot, backend, seeded, now)
    choose(w, cats["Groen > Boom"].id)
    w.description.setPlainText("Tak hangt over het fietspad")
    w.street.setText("Kerkstraat")
    w.postcode.setText("12")
    w.reporter_name.setText("Fatma Yılmaz")
    with qtbot.waitSignal(w.error_shown, timeout=10_000) as blocker:
        w.save()
    expected = message_for(ValidationError("postcode", "invalid"))
    assert blocker.args[0] == expected and expected.startswith("De postcode klopt niet")
    assert w.errors["address"].isVisibleTo(w) and w.errors["address"].text() == expected
    assert (w.description.toPlainText(), w.street.text(), w.postcode.text(), w.reporter_name.text()) == (
        "Tak hangt over het fietspad", "Kerkstraat", "12", "Fatma Yılmaz")


def test_no_category_is_said_at_the_field(qtbot, backend, seeded, now):
    w = intake(qtbot, backend, seeded, now)
    w.description.setPlainText("x")
    with qtbot.waitSignal(w.error_shown, timeout=10_000):
        w.save()
    assert w.errors["category"].text() == "Kies een categorie."


def test_duplicates_appear_while_typing_and_link(qtbot, backend, seeded, now, cats):
    tile = cats["Wegen > Losliggende tegel"].id
    first = meldingen.take_melding(backend, seeded.users["jeroen"], seeded.location_id, now - dt.timedelta(days=2),
                                   category_id=tile, description="Tegel los", channel="telefoon",
                                   street="Stationsweg", house_number="3", postcode="9919 AB")
    w = intake(qtbot, backend, seeded, now)
    choose(w, tile)
    with qtbot.waitSignal(w.duplicates_shown, timeout=10_000, check_params_cb=lambda found: len(found) == 1):
        for ch in "Stationsweg":
            w.street.insert(ch)  # typed key by key: one look-up after the pause
    assert w.dup_list.count() == 1 and first.slip.number in w.dup_list.item(0).text()
    w.dup_list.setCurrentRow(0)
    w.link_selected()
    assert first.slip.number in w.link_label.text()
    w.description.setPlainText("Zelfde tegel")
    with qtbot.waitSignal(w.saved, timeout=10_000) as blocker:
        w.save()
    assert blocker.args[0].melding.linked_to_number == first.slip.number


def test_work_list_highlights_overdue_and_changes_status(qtbot, backend, seeded, now, cats):
    anne = seeded.users["anne"]
    late = meldingen.take_melding(backend, anne, seeded.location_id, now - dt.timedelta(days=30),
                                  category_id=cats["Afval > Grofvuil"].id, description="Bank op straat",
                                  channel="balie", location_text="bij de kerk")
    fresh = meldingen.take_melding(backend, anne, seeded.location_id, now, category_id=cats["Groen > Boom"].id,
                                   description="Boom scheef", channel="app", location_text="park")
    w = WorkListPanel(backend, anne, seeded.location_id, clock=lambda: now)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.work is not None and w.table.rowCount() == 2, timeout=10_000)
    assert w.table.item(0, 0).text() == late.slip.number
    assert w.table.item(0, 0).background().color() == QColor(theme.ERROR_BG)
    assert "te laat" in w.table.item(0, 6).text()
    assert w.table.item(1, 6).text() == "nog 15 werkdagen"
    assert w.table.item(1, 0).background().color() != QColor(theme.ERROR_BG)
    with qtbot.waitSignal(w.loaded, timeout=10_000):
        w.overdue.setChecked(True)
    assert w.table.rowCount() == 1
    w.table.selectRow(0)
    qtbot.waitUntil(lambda: w.detail is not None and w.target.count() > 0, timeout=10_000)
    w.target.setCurrentIndex(w.target.findData("doorgezet"))
    with qtbot.waitSignal(w.error_shown, timeout=10_000) as blocker:
        w.change_status()  # doorgezet needs a note
    assert blocker.args[0] == "De notitie is nog leeg. Vul dit in."
    w.note.setPlainText("Naar de aannemer")
    with qtbot.waitSignal(w.status_changed, timeout=10_000) as blocker:
        w.change_status()
    assert blocker.args[0].summary.state == "doorgezet" and blocker.args[0].history[-1].note == "Naar de aannemer"
    assert fresh.melding.summary.state == "gemeld"


def test_callbacks_and_complaints(qtbot, backend, seeded, now):
    anne = seeded.users["anne"]
    cb = CallbackPanel(backend, anne, seeded.location_id, clock=lambda: now)
    qtbot.addWidget(cb)
    cb.caller.setText("Mevrouw Bakker")
    cb.phone.setText("0596 123456")
    cb.question.setPlainText("Wanneer komt de vuilniswagen?")
    cb.for_team.setText("Team Afval")
    with qtbot.waitSignal(cb.written, timeout=10_000):
        cb.write()
    qtbot.waitUntil(lambda: cb.table.rowCount() == 1, timeout=10_000)
    assert "maandag 23 november" in cb.form_message.text()
    cb.table.selectRow(0)
    cb.outcome.setText("Uitgelegd")
    cb.mark_done()
    qtbot.waitUntil(lambda: cb.table.rowCount() == 0, timeout=10_000)
    assert contacts.open_callbacks(backend, anne, seeded.location_id, now) == ()

    k = ComplaintsPanel(backend, anne, seeded.location_id, clock=lambda: now)
    qtbot.addWidget(k)
    k.name.setText("Dhr. Jansen")
    k.subject.setText("Lang gewacht")
    k.description.setPlainText("Een uur gewacht.")
    k.register()
    qtbot.waitUntil(lambda: k.table.rowCount() == 1, timeout=10_000)
    k.table.selectRow(0)
    k.action_text.setText("Advies nodig")
    with qtbot.waitSignal(k.error_shown, timeout=10_000) as blocker:
        k.act("extend")  # a clerk may not extend
    assert blocker.args[0].startswith("Dit mag u niet doen als baliemedewerker")
    assert k.action_text.text() == "Advies nodig"


def test_window_tabs_and_categories_only_for_the_team_lead(qtbot, backend, seeded, now, tmp_path):
    clerk = MeldingenWindow(backend, seeded.users["anne"], seeded.location_id, clock=lambda: now)
    qtbot.addWidget(clerk)
    qtbot.waitUntil(lambda: clerk.work.work is not None, timeout=10_000)
    runner().wait(10_000)
    qtbot.wait(50)
    assert [clerk.tabs.tabText(i) for i in range(clerk.tabs.count())] == [
        "Contacten", "Nieuwe melding", "Werklijst", "Terugbellen", "Klachten"]
    w = MeldingenWindow(backend, seeded.users["fatima"], seeded.location_id, clock=lambda: now)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.categories is not None and bool(w.categories.categories), timeout=10_000)
    assert w.tabs.tabText(5) == "Categorieën"
    panel = w.categories
    row = [c.label for c in panel.categories].index("Groen > Boom")
    panel.table.selectRow(row)
    assert panel.term.text() == "15"
    panel.term.setText("0")
    with qtbot.waitSignal(panel.error_shown, timeout=10_000) as blocker:
        panel.save()
    assert blocker.args[0] == "De termijn is een aantal werkdagen, van 1 tot en met 260."
    assert panel.term.text() == "0" and panel.sub.text() == "Boom"
    panel.term.setText("20")
    with qtbot.waitSignal(panel.saved, timeout=10_000) as blocker:
        panel.save()
    assert blocker.args[0].term_days == 20
    bad = tmp_path / "lijst.csv"
    bad.write_text("Afval;Grofvuil;Team Afval\n", encoding="utf-8")
    with qtbot.waitSignal(panel.error_shown, timeout=10_000) as blocker:
        panel.load_file(str(bad))
    assert blocker.args[0].startswith("Dit bestand kunnen we niet lezen.")
    good = tmp_path / "lijst.toml"
    good.write_text('[[categorie]]\nhoofd = "Afval"\nsub = "Grofvuil"\nteam = "Team Afval"\ntermijn = 4\n',
                    encoding="utf-8")
    panel.load_file(str(good))
    qtbot.waitUntil(lambda: sum(c.active for c in panel.categories) == 1, timeout=10_000)


BAD_POSTCODES = st.sampled_from(["12", "0000 AA", "1234 SS", "abcd", "1234-AB", "١٢٣٤ AB"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(description=st.text(min_size=1, max_size=300), street=st.text(max_size=80), name=st.text(max_size=60),
       postcode=BAD_POSTCODES)
def test_intake_keeps_typed_text_and_says_why_in_dutch(qtbot, backend, seeded, now, cats, description, street,
                                                       name, postcode):
    w = intake(qtbot, backend, seeded, now)
    choose(w, cats["Overlast > Geluid"].id)
    w.description.setPlainText(description)
    w.street.setText(street)
    w.reporter_name.setText(name)
    w.postcode.setText(postcode)
    typed = (w.description.toPlainText(), w.street.text(), w.reporter_name.text(), w.postcode.text())
    with qtbot.waitSignal(w.error_shown, timeout=10_000) as blocker:
        w.save()  # the postcode is always wrong; other fields may be too
    text = blocker.args[0]
    assert text and GENERIC not in text
    assert w.message.text().startswith("Niet opgeslagen.")
    assert (w.description.toPlainText(), w.street.text(), w.reporter_name.text(), w.postcode.text()) == typed
    w.close()

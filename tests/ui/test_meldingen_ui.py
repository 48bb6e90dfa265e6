"""Meldingen window (intake with duplicate suggestions, work list, callbacks, complaints) on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog

from baliedesk.domain.errors import ValidationError
from baliedesk.services import contacts, meldingen
from baliedesk.ui.common import theme
from baliedesk.ui.meldingen.window import CallbackPanel, ComplaintsPanel, IntakeForm, MeldingenWindow, WorkListPanel
from baliedesk.ui.common.messages import message_for
from baliedesk.ui.common.tasks import runner

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


def intake(qtbot, make_client, seeded, now) -> IntakeForm:
    w = IntakeForm(make_client(seeded.users["anne"], clock=lambda: now), seeded.location_id)
    qtbot.addWidget(w)
    _KEEP.append(w)
    qtbot.waitUntil(lambda: w.category.count() > 1, timeout=10_000)
    return w


def choose(w: IntakeForm, category_id: int) -> None:
    w.category.setCurrentIndex(w.category.findData(category_id))


def test_intake_saves_and_clears(qtbot, make_client, seeded, now, cats):
    w = intake(qtbot, make_client, seeded, now)
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


def test_refusal_shows_dutch_message_next_to_the_field_and_keeps_text(qtbot, make_client, seeded, now, cats):
    w = intake(qtbot, make_client, seeded, now)
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


def test_no_category_is_said_at_the_field(qtbot, make_client, seeded, now):
    w = intake(qtbot, make_client, seeded, now)
    w.description.setPlainText("x")
    with qtbot.waitSignal(w.error_shown, timeout=10_000):
        w.save()
    assert w.errors["category"].text() == "Kies een categorie."


def test_duplicates_appear_while_typing_and_link(qtbot, backend, make_client, seeded, now, cats):
    tile = cats["Wegen > Losliggende tegel"].id
    first = meldingen.take_melding(backend, seeded.users["jeroen"], seeded.location_id, now - dt.timedelta(days=2),
                                   category_id=tile, description="Tegel los", channel="telefoon",
                                   street="Stationsweg", house_number="3", postcode="9919 AB")
    w = intake(qtbot, make_client, seeded, now)
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


def test_work_list_highlights_overdue_and_changes_status(qtbot, backend, make_client, seeded, now, cats):
    anne = seeded.users["anne"]
    late = meldingen.take_melding(backend, anne, seeded.location_id, now - dt.timedelta(days=30),
                                  category_id=cats["Afval > Grofvuil"].id, description="Bank op straat",
                                  channel="balie", location_text="bij de kerk")
    fresh = meldingen.take_melding(backend, anne, seeded.location_id, now, category_id=cats["Groen > Boom"].id,
                                   description="Boom scheef", channel="app", location_text="park")
    w = WorkListPanel(make_client(anne, clock=lambda: now), seeded.location_id)
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


def test_callbacks_and_complaints(qtbot, backend, make_client, seeded, now):
    anne = seeded.users["anne"]
    cb = CallbackPanel(make_client(anne, clock=lambda: now), seeded.location_id)
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

    k = ComplaintsPanel(make_client(anne, clock=lambda: now), seeded.location_id)
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


def test_window_tabs_and_categories_only_for_the_team_lead(qtbot, make_client, seeded, now, tmp_path):
    clerk = MeldingenWindow(make_client(seeded.users["anne"], clock=lambda: now), seeded.location_id)
    qtbot.addWidget(clerk)
    qtbot.waitUntil(lambda: clerk.work.work is not None, timeout=10_000)
    runner().wait(10_000)
    qtbot.wait(50)
    assert [clerk.tabs.tabText(i) for i in range(clerk.tabs.count())] == [
        "Contacten", "Nieuwe melding", "Werklijst", "Terugbellen", "Klachten"]
    w = MeldingenWindow(make_client(seeded.users["fatima"], clock=lambda: now), seeded.location_id)
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
def test_intake_keeps_typed_text_and_says_why_in_dutch(qtbot, make_client, seeded, now, cats, description, street,
                                                       name, postcode):
    w = intake(qtbot, make_client, seeded, now)
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


# ---------------------------------------------------------------------------
# coordinates and photos at intake; photos in the detail view
# ---------------------------------------------------------------------------
def _png(path, color="#2a7ab0", size=(64, 48)):
    from PySide6.QtGui import QImage

    img = QImage(size[0], size[1], QImage.Format.Format_RGB32)
    img.fill(QColor(color))
    assert img.save(str(path), "PNG")
    return path


def test_coordinates_with_a_decimal_comma_are_stored(qtbot, make_client, seeded, now, cats):
    w = intake(qtbot, make_client, seeded, now)
    choose(w, cats["Groen > Boom"].id)
    w.description.setPlainText("Boom omgewaaid")
    w.location_text.setText("bij het bankje in het park")
    w.latitude.setText("53,3312")
    w.longitude.setText("6,7481")
    with qtbot.waitSignal(w.saved, timeout=10_000) as blocker:
        w.save()
    d = blocker.args[0].melding
    assert (d.latitude, d.longitude) == (53.3312, 6.7481)
    assert w.latitude.text() == "" and w.longitude.text() == ""


@pytest.mark.parametrize(("lat", "lon", "code"), [("48,8566", "2,3522", "outside"), ("6,7481", "53,3312", "swapped"),
                                                 ("53,3312", "", "both"), ("53°20'", "6,7", "invalid")])
def test_wrong_coordinates_are_said_next_to_them_and_kept(qtbot, make_client, seeded, now, cats, lat, lon, code):
    w = intake(qtbot, make_client, seeded, now)
    choose(w, cats["Groen > Boom"].id)
    w.description.setPlainText("Boom omgewaaid")
    w.location_text.setText("park")
    w.latitude.setText(lat)
    w.longitude.setText(lon)
    with qtbot.waitSignal(w.error_shown, timeout=10_000) as blocker:
        w.save()
    expected = message_for(ValidationError("coordinates", code))
    assert blocker.args[0] == expected and w.errors["coordinates"].text() == expected
    assert not w.errors["coordinates"].isHidden()
    assert (w.latitude.text(), w.longitude.text(), w.location_text.text()) == (lat, lon, "park")


def test_photos_preview_limits_before_saving_remove_and_detail(qtbot, make_client, seeded, now, cats, tmp_path):
    w = intake(qtbot, make_client, seeded, now)
    photos = [_png(tmp_path / f"tegel{i}.png", color) for i, color in enumerate(["#ff0000", "#00aa00", "#0000ff"])]
    big = tmp_path / "groot.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024 + 1))
    text = tmp_path / "brief.txt"
    text.write_text("geen foto", encoding="utf-8")
    w.add_photo_files([str(p) for p in photos] + [str(big), str(text)])
    assert w.photo_list.count() == 3 and len(w.photos) == 3
    assert not w.photo_list.item(0).icon().isNull()
    problem = w.errors["photos"].text()
    assert "groot.png: " + message_for(ValidationError("photo", "too_large", 5)) in problem
    assert "brief.txt: " + message_for(ValidationError("photo", "not_an_image")) in problem
    w.add_photo_files([str(_png(tmp_path / f"extra{i}.png")) for i in range(3)])
    assert len(w.photos) == 5 and message_for(ValidationError("photo", "too_many", 5)) in w.errors["photos"].text()
    assert not w.remove_photo_button.isEnabled()
    w.photo_list.setCurrentRow(1)
    assert w.remove_photo_button.isEnabled()
    w.remove_photo()
    assert [name for name, _data in w.photos] == ["tegel0.png", "tegel2.png", "extra0.png", "extra1.png"]
    assert w.errors["photos"].isHidden()

    choose(w, cats["Wegen > Losliggende tegel"].id)
    w.description.setPlainText("Tegel los")
    w.street.setText("Stationsweg")
    w.postcode.setText("9919 AB")
    with qtbot.waitSignal(w.saved, timeout=10_000) as blocker:
        w.save()
    number = blocker.args[0].slip.number
    assert w.photo_list.count() == 0

    work = WorkListPanel(make_client(seeded.users["anne"], clock=lambda: now), seeded.location_id)
    qtbot.addWidget(work)
    _KEEP.append(work)
    qtbot.waitUntil(lambda: work.table.rowCount() == 1, timeout=10_000)
    assert work.table.item(0, 0).text() == number
    work.table.selectRow(0)
    qtbot.waitUntil(lambda: work.detail is not None and len(work.photo_data) == 4, timeout=10_000)
    assert work.detail_photos.count() == 4 and not work.detail_photos.isHidden()
    assert work.detail_photos.item(0).text() == "tegel0.png" and not work.detail_photos.item(0).icon().isNull()
    assert "4 foto('s)" in work.detail_label.text()
    work.show_photo(work.detail_photos.item(0))
    dialog = work.findChild(QDialog, "photoDialog")
    assert dialog is not None and dialog.isVisible()
    dialog.accept()


# ---------------------------------------------------------------------------
# the client is the window's only door
# ---------------------------------------------------------------------------
def test_the_meldingen_modules_import_no_services_but_their_data_types():
    """The window reaches the services only through its client; DTO modules are plain data."""
    import ast
    from pathlib import Path

    import baliedesk.ui.meldingen as package

    allowed = {"baliedesk.services.melding_dto", "baliedesk.services.dto", "baliedesk.services.schedule_dto"}
    seen: dict[str, set[str]] = {}
    for path in sorted(Path(package.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
                if isinstance(node, ast.ImportFrom) else [])
            hits = {n for n in names if n == "baliedesk.services" or n.startswith("baliedesk.services.")}
            seen.setdefault(path.name, set()).update(
                h for h in hits if h not in allowed and not any(h.startswith(a + ".") for a in allowed))
    assert {name: bad for name, bad in seen.items() if bad} == {}
    assert {"window.py", "contacts.py", "intake.py", "worklist.py", "notes.py", "categories.py"} <= set(seen)


def test_the_window_acts_as_the_person_its_client_is_signed_in_as(qtbot, backend, make_client, seeded, now, cats):
    """Who changed a melding is the client's person (the window passes no user id of its own)."""
    from baliedesk.services import setup

    names = {u.id: u.display_name for u in setup.sign_in_choices(backend)}
    fatima = seeded.users["fatima"]
    taken = meldingen.take_melding(backend, seeded.users["anne"], seeded.location_id, now,
                                   category_id=cats["Groen > Boom"].id, description="Boom scheef", channel="app",
                                   location_text="park")
    client = make_client(fatima, clock=lambda: now)
    w = MeldingenWindow(client, seeded.location_id, watch_feed=False)
    qtbot.addWidget(w)
    _KEEP.append(w)
    assert w.client is client and all(p.client is client for p in w.panels())
    qtbot.waitUntil(lambda: w.work.table.rowCount() == 1, timeout=10_000)
    w.work.table.selectRow(0)
    qtbot.waitUntil(lambda: w.work.detail is not None and w.work.target.count() > 0, timeout=10_000)
    w.work.target.setCurrentIndex(w.work.target.findData("in_behandeling"))
    with qtbot.waitSignal(w.work.status_changed, timeout=10_000) as blocker:
        w.work.change_status()
    assert blocker.args[0].summary.id == taken.melding.summary.id
    assert blocker.args[0].history[-1].user_name == names[fatima] != names[seeded.users["anne"]]



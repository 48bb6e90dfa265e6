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


# ---------------------------------------------------------------------------
# intake: address look-up, the next melding, duplicates with distance and age
# ---------------------------------------------------------------------------
def _intake(qtbot, make_client, seeded, now, lookup=None, settings=None):
    from baliedesk.ui.meldingen import intake as intake_module

    w = _add(qtbot, IntakeForm(make_client(seeded.users["anne"], clock=lambda: now), seeded.location_id,
                               settings=settings if settings is not None else {}, address_lookup=lookup))
    qtbot.waitUntil(lambda: w.category.count() > 1, timeout=10_000)
    assert intake_module.ADDRESS_DELAY_MS >= 0
    return w


def _bag(tmp_path):
    from baliedesk.addresses import CsvLookup, import_csv

    src = tmp_path / "bag.csv"
    src.write_text("postcode,huisnummer,straat,woonplaats,lat,lon\n9919AB,12,Hoofdstraat,Loppersum,53.3331,6.7460\n")
    import_csv(src, tmp_path / "adressen.csv")
    return CsvLookup(tmp_path / "adressen.csv")


def test_postcode_and_number_fill_in_street_and_place(qtbot, make_client, seeded, now, tmp_path):
    w = _intake(qtbot, make_client, seeded, now, lookup=_bag(tmp_path))
    qtbot.keyClicks(w.postcode, "9919ab")
    qtbot.keyClicks(w.house_number, "12")
    qtbot.waitUntil(lambda: w.street.text() == "Hoofdstraat", timeout=10_000)
    assert w.place.text() == "Loppersum"
    assert w.latitude.text() == "53,3331" and w.longitude.text() == "6,746"
    # an address the list does not know: said softly, and typing goes on
    w.street.clear(); w.place.clear(); w.latitude.clear(); w.longitude.clear()
    w.house_number.clear()
    qtbot.keyClicks(w.house_number, "99")
    qtbot.waitUntil(lambda: "niet gevonden" in w.address_hint.text(), timeout=10_000)
    qtbot.keyClicks(w.street, "Zelf getypt")
    assert w.street.text() == "Zelf getypt" and w.street.isEnabled()


def test_a_failing_lookup_lets_the_clerk_type_on(qtbot, make_client, seeded, now, tmp_path):
    from baliedesk.addresses import CsvLookup

    w = _intake(qtbot, make_client, seeded, now, lookup=CsvLookup(tmp_path / "missing.csv"))
    qtbot.keyClicks(w.postcode, "9919AB")
    qtbot.keyClicks(w.house_number, "12")
    qtbot.waitUntil(lambda: w.address_hint.isVisible() or not w.address_hint.isHidden(), timeout=10_000)
    assert "zelf" in w.address_hint.text()
    qtbot.keyClicks(w.street, "Hoofdstraat")
    assert w.street.text() == "Hoofdstraat"


def test_the_database_list_fills_in_street_and_place(qtbot, make_client, backend, seeded, now, tmp_path,
                                                      monkeypatch):
    """The municipality's list loaded once into the database: the intake (settings: auto, no file on
    this PC) finds it through its client, in-process and through a server."""
    from baliedesk import addresses
    from baliedesk.services import addresses as address_service

    monkeypatch.setenv("BALIEDESK_CONFIG_DIR", str(tmp_path / "cfg"))  # no per-PC copy
    address_service.replace_addresses(backend, seeded.users["beheer"], [
        addresses.Address("Hoofdstraat", 12, "9919 AB", "Loppersum", 53.3331, 6.746)], now)
    w = _add(qtbot, IntakeForm(make_client(seeded.users["anne"], clock=lambda: now), seeded.location_id,
                               settings={"address_lookup": "auto"}))
    assert isinstance(w.address_lookup, addresses.AutoLookup)
    qtbot.waitUntil(lambda: w.category.count() > 1, timeout=10_000)
    qtbot.keyClicks(w.postcode, "9919ab")
    qtbot.keyClicks(w.house_number, "12")
    qtbot.waitUntil(lambda: w.street.text() == "Hoofdstraat", timeout=10_000)
    assert w.place.text() == "Loppersum" and w.postcode.text() == "9919 AB"
    assert w.latitude.text() == "53,3331" and w.longitude.text() == "6,746"
    assert isinstance(w.address_lookup.chosen, addresses.DatabaseLookup)
    w.house_number.clear()
    qtbot.keyClicks(w.house_number, "99")
    qtbot.waitUntil(lambda: "niet gevonden" in w.address_hint.text(), timeout=10_000)


def test_without_any_list_the_intake_says_nothing_and_the_clerk_types(qtbot, make_client, seeded, now, tmp_path,
                                                                      monkeypatch):
    from baliedesk import addresses

    monkeypatch.setenv("BALIEDESK_CONFIG_DIR", str(tmp_path / "cfg"))
    w = _add(qtbot, IntakeForm(make_client(seeded.users["anne"], clock=lambda: now), seeded.location_id,
                               settings={}))
    assert isinstance(w.address_lookup, addresses.AutoLookup)
    qtbot.waitUntil(lambda: w.category.count() > 1, timeout=10_000)
    qtbot.keyClicks(w.postcode, "9919AB")
    qtbot.keyClicks(w.house_number, "12")
    qtbot.waitUntil(lambda: w.address_lookup is None, timeout=10_000)  # the empty list: no more asking
    assert w.address_hint.isHidden() and w.street.text() == ""
    qtbot.keyClicks(w.street, "Hoofdstraat")
    assert w.street.text() == "Hoofdstraat"


def test_a_database_that_does_not_answer_lets_the_clerk_type_on(qtbot, make_client, seeded, now):
    from baliedesk import addresses
    from baliedesk.domain.errors import StorageUnavailable

    class Down:
        def find_address(self, postcode, house_number):
            raise StorageUnavailable("server unreachable")

    class DownClient:
        addresses = Down()

    w = _intake(qtbot, make_client, seeded, now, lookup=addresses.DatabaseLookup(DownClient()))
    qtbot.keyClicks(w.postcode, "9919AB")
    qtbot.keyClicks(w.house_number, "12")
    qtbot.waitUntil(lambda: "lukt nu niet" in w.address_hint.text(), timeout=10_000)
    qtbot.keyClicks(w.street, "Hoofdstraat")
    assert w.street.text() == "Hoofdstraat" and w.street.isEnabled()


def test_the_next_melding_starts_clean_and_printen_never_means_the_previous(qtbot, make_client, seeded, now):
    w = _intake(qtbot, make_client, seeded, now)
    w.category.setCurrentIndex(1)
    w.description.setPlainText("Lamp brandt niet")
    w.location_text.setText("bij de school")
    with qtbot.waitSignal(w.saved, timeout=10_000):
        w.save()
    assert not w.message.isHidden() and not w.print_bar.isHidden()
    qtbot.keyClicks(w.location_text, "b")  # the next melding starts
    assert w.message.isHidden() and w.print_bar.isHidden()
    assert not w.print_bar.print_button.isEnabled()


def test_duplicates_show_distance_and_age(qtbot, make_client, backend, seeded, now):
    anne = seeded.users["anne"]
    cat = meldingen.list_categories(backend, anne)[0]
    meldingen.take_melding(backend, anne, seeded.location_id, now - dt.timedelta(days=3), category_id=cat.id,
                           description="Lamp kapot", channel="balie", street="Hoofdstraat", house_number="12",
                           postcode="9919AB", place="Loppersum", latitude="53.3331", longitude="6.7460")
    meldingen.take_melding(backend, anne, seeded.location_id, now - dt.timedelta(hours=2), category_id=cat.id,
                           description="Ook kapot", channel="balie", street="Hoofdstraat", house_number="40",
                           postcode="9919AB", place="Loppersum")
    w = _intake(qtbot, make_client, seeded, now)
    w.category.setCurrentIndex(w.category.findData(cat.id))
    w.latitude.setText("53,3340")
    w.longitude.setText("6,7460")
    w.street.setText("Hoofdstraat")
    with qtbot.waitSignal(w.duplicates_shown, timeout=10_000):
        w.look_for_duplicates()
    qtbot.waitUntil(lambda: w.dup_list.count() == 2 and "m" in w.dup_list.item(1).text(), timeout=10_000)
    texts = [w.dup_list.item(i).text() for i in range(w.dup_list.count())]
    near = next(t for t in texts if "Lamp kapot" in t)
    assert "100 m" in near and "3 dagen geleden" in near
    other = next(t for t in texts if "Ook kapot" in t)
    assert "zelfde straat" in other and "vandaag" in other


def test_the_intake_slip_carries_the_locations_details(qtbot, make_client, backend, seeded, now, monkeypatch):
    from baliedesk.services import organisation as org
    from baliedesk.ui.common import printbar

    org.update_location(backend, seeded.users["beheer"], seeded.location_id, phone="0596 - 123 456",
                        street="Stationsweg", house_number="1", postcode="9919AH", place="Loppersum",
                        tracking_base_url="https://meldingen.eemsdelta.nl")
    monkeypatch.setattr(printbar, "print_with_dialog", lambda *a, **k: True)
    w = _intake(qtbot, make_client, seeded, now, settings={"slip_phone": "0000 000000"})
    w.category.setCurrentIndex(1)
    w.description.setPlainText("Lamp brandt niet")
    w.location_text.setText("bij de school")
    with qtbot.waitSignal(w.saved, timeout=10_000) as saved:
        w.save()
    with qtbot.waitSignal(w.print_bar.printed, timeout=10_000) as printed:
        w.print_bar.print_slip()
    slip = printed.args[0].slip
    assert "0596 - 123 456" in slip.text() and "Stationsweg 1, 9919 AH Loppersum" in slip.text()
    assert "0000 000000" not in slip.text()
    code = saved.args[0].slip.tracking_code.replace("-", "")
    qr = [b for b in slip.blocks if type(b).__name__ == "Qr"]
    assert qr and qr[0].data == f"https://meldingen.eemsdelta.nl/volg/{code}"

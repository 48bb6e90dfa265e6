"""The privacy window (issue 12), offscreen, on both backends: the audit log searched three ways and
exported, a resident's inzage (PDF letter, JSON) and erasure, the retention terms (beheerder only)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from baliedesk.domain.errors import PermissionDenied
from baliedesk.services import contacts, meldingen, privacy, setup

SECRETS = ("Piet Paal", "0612345678", "piet@example.nl", "Dorpsstraat", "Kapotte lantaarn")


@pytest.fixture
def world(backend, seeded, now):
    class W:
        pass

    x = W()
    x.ids, x.now = seeded, now
    x.clerk, x.admin = seeded.users["anne"], seeded.users["beheer"]
    x.fg = setup.create_user(backend, x.admin, "fg", "Functionaris", "privacyfunctionaris").id
    cat = {c.label: c for c in meldingen.list_categories(backend, x.clerk)}["Wegen > Losliggende tegel"].id
    x.melding = meldingen.take_melding(
        backend, x.clerk, seeded.location_id, now, category_id=cat, description="Kapotte lantaarn",
        channel="balie", street="Dorpsstraat", house_number="12", postcode="9919 AB",
        reporter_name="Piet Paal", reporter_phone="0612345678", reporter_email="piet@example.nl").melding
    note = contacts.write_callback(backend, x.clerk, seeded.location_id, now, caller_name="Piet Paal",
                                   phone="06-12345678", question="Wanneer komt de lamp?", for_team="KCC")[0]
    contacts.mark_called_back(backend, x.clerk, note.id, now + dt.timedelta(hours=1), reached=True,
                              outcome="Uitgelegd")
    x.note = note.id
    return x


def open_window(qtbot, make_client, user_id, location_id, clock):
    from baliedesk.ui.privacy.window import PrivacyWindow

    w = PrivacyWindow(make_client(user_id, clock=clock), location_id)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.loaded, timeout=20_000):
        pass
    return w


def table_text(table) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def tab_titles(w) -> list[str]:
    return [w.tabs.tabText(i) for i in range(w.tabs.count())]


def test_the_log_searched_by_person_record_and_resident_shows_fields_never_values(qtbot, world, make_client):
    later = world.now + dt.timedelta(hours=2)
    w = open_window(qtbot, make_client, world.fg, world.ids.location_id, lambda: later)
    assert tab_titles(w) == ["Logboek", "Inzage en wissen"]  # no retention terms for the privacy officer
    mid = world.melding.summary.id
    # by staff member: the clerk's work
    w.person.setCurrentIndex(w.person.findData(world.clerk))
    with qtbot.waitSignal(w.audit_shown, timeout=20_000) as sig:
        w.search_audit()
    rows = table_text(w.audit_table)
    assert sig.args[0] == len(rows) > 0
    made = [r for r in rows if r[4] == f"Melding {mid}"]
    assert made and made[0][1] == "Anne de Vries" and made[0][3] == "gemaakt"
    assert "telefoon melder" in made[0][5] and "naam melder" in made[0][5]
    assert not any(s in cell for row in rows for cell in row for s in SECRETS)
    # by record
    w.mode.setCurrentIndex(1)
    w.record_type.setCurrentIndex(w.record_type.findData("melding"))
    w.record_id.setValue(mid)
    with qtbot.waitSignal(w.audit_shown, timeout=20_000):
        w.search_audit()
    assert {r[4] for r in table_text(w.audit_table)} == {f"Melding {mid}"}
    # a period without anything in it
    w.use_period.setChecked(True)
    w.since_edit.setDate(dt.date(2020, 1, 1))
    w.until_edit.setDate(dt.date(2020, 1, 31))
    with qtbot.waitSignal(w.audit_shown, timeout=20_000) as sig:
        w.search_audit()
    assert sig.args[0] == 0 and w.audit_count.text() == "Niets gevonden."
    w.use_period.setChecked(False)
    # by resident (e-mail): their melding and callback note
    w.mode.setCurrentIndex(2)
    w.log_phone.setText("06 1234 5678")
    with qtbot.waitSignal(w.audit_shown, timeout=20_000):
        w.search_audit()
    records = {r[4] for r in table_text(w.audit_table)}
    assert {f"Melding {mid}", f"Terugbelverzoek {world.note}"} <= records


def test_a_search_without_a_resident_is_told_in_dutch(qtbot, world, make_client):
    w = open_window(qtbot, make_client, world.fg, world.ids.location_id, lambda: world.now)
    w.mode.setCurrentIndex(2)
    w.log_name.setText("Piet Paal")  # a name alone could be anybody
    with qtbot.waitSignal(w.error_shown, timeout=20_000) as sig:
        w.search_audit()
    assert sig.args[0] and w.notice.property("error") is True
    assert w.search_button.isEnabled()


def test_export_as_csv_goes_through_the_service_and_is_on_record(qtbot, world, make_client, backend, tmp_path):
    later = world.now + dt.timedelta(hours=2)
    w = open_window(qtbot, make_client, world.fg, world.ids.location_id, lambda: later)
    w.person.setCurrentIndex(w.person.findData(world.clerk))
    target = tmp_path / "logboek.csv"
    w.ask_save_path = lambda *_a: str(target)
    with qtbot.waitSignal(w.saved, timeout=20_000):
        w.ask_export_csv()
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["id", "tijdstip_utc", "medewerker_id"]
    assert any(r[5] == "create" and r[6] == "melding" for r in rows[1:])
    assert not any(s in target.read_text(encoding="utf-8-sig") for s in SECRETS)
    exports = privacy.audit_by_user(backend, world.admin, world.fg, later + dt.timedelta(minutes=1))
    assert any(e.action == "export" and e.record_type == "audit_log" for e in exports)
    # by resident: the records found are exported one by one, one header
    w.mode.setCurrentIndex(2)
    w.log_email.setText("piet@example.nl")
    with qtbot.waitSignal(w.audit_shown, timeout=20_000):
        w.search_audit()
    target2 = tmp_path / "inwoner.csv"
    w.ask_save_path = lambda *_a: str(target2)
    with qtbot.waitSignal(w.saved, timeout=20_000):
        w.ask_export_csv()
    lines = list(csv.reader(io.StringIO(target2.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert [r[0] for r in lines].count("id") == 1
    assert {r[6] for r in lines[1:]} == {"melding"}


def test_inzage_letter_json_and_erasure_with_a_legal_term(qtbot, world, make_client, backend, tmp_path,
                                                          monkeypatch):
    later = world.now + dt.timedelta(days=1)
    w = open_window(qtbot, make_client, world.fg, world.ids.location_id, lambda: later)
    assert not w.pdf_button.isEnabled() and not w.erase_button.isEnabled()
    w.res_phone.setText("0612345678")
    with qtbot.waitSignal(w.resident_shown, timeout=20_000):
        w.find_resident()
    rows = table_text(w.resident_table)
    assert sorted(r[0] for r in rows) == ["Melding", "Terugbelverzoek"]
    assert all(r[3] == "Piet Paal" for r in rows)
    assert w.resident_summary.text() == "Gevonden: 1 melding, 0 afspraken, 1 terugbelverzoek, 0 klachten."
    # the letter, saved through the same save dialog as every PDF
    from PySide6.QtWidgets import QFileDialog

    pdf_path = tmp_path / "brief"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(pdf_path), "")))
    with qtbot.waitSignal(w.saved, timeout=10_000) as sig:
        w.ask_letter_pdf()
    assert sig.args[0].endswith("brief.pdf") and (tmp_path / "brief.pdf").read_bytes().startswith(b"%PDF")
    json_path = tmp_path / "inzage.json"
    w.ask_save_path = lambda *_a: str(json_path)
    with qtbot.waitSignal(w.saved, timeout=10_000):
        w.ask_json()
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["meldingen"][0]["reporter_email"] == "piet@example.nl" and len(data["callbacks"]) == 1
    # erasure: cancelled dialog does nothing; then with a reason
    w.ask_erasure = lambda: None
    w.ask_erase()
    assert w.erase_button.isEnabled()
    w.ask_erasure = lambda: "Verzoek van de inwoner per brief"
    with qtbot.waitSignal(w.erased, timeout=20_000) as sig:
        w.ask_erase()
    result = sig.args[0]
    assert result.erased == (("callback", world.note),)
    assert result.kept == (("melding", world.melding.summary.id, "melding_open"),)
    assert "de melding is nog niet klaar" in w.erase_result.text()
    qtbot.waitUntil(lambda: w.resident_table.rowCount() == 1, timeout=20_000)  # shows what is still stored
    assert "de melding is nog niet klaar" in w.erase_result.text()
    again = privacy.find_resident(backend, world.fg, phone="0612345678", now=later)
    assert not again.callbacks and len(again.meldingen) == 1


def test_the_erase_dialog_needs_a_reason_and_a_yes(qtbot):
    from baliedesk.ui.privacy.window import EraseDialog

    d = EraseDialog()
    qtbot.addWidget(d)
    assert not d.ok.isEnabled()
    d.reason.setPlainText("Verzoek per e-mail")
    assert not d.ok.isEnabled()
    d.sure.setChecked(True)
    assert d.ok.isEnabled()
    d.reason.setPlainText("   ")
    assert not d.ok.isEnabled()


@pytest.mark.local_only("a server runs the due retention itself when it starts (server/housekeeping.py, "
                         "tests/test_housekeeping.py), so in remote mode nothing is left to count")
def test_the_beheerder_changes_a_term_and_runs_retention_after_a_count(qtbot, world, make_client, backend):
    much_later = world.now + dt.timedelta(days=400)  # the callback note (6 months after done) is due
    w = open_window(qtbot, make_client, world.admin, world.ids.location_id, lambda: much_later)
    assert tab_titles(w) == ["Logboek", "Inzage en wissen", "Bewaartermijnen"]
    qtbot.waitUntil(lambda: len(w.term_rows) == 8, timeout=20_000)
    months, on, save = w.term_rows["appointment"]
    assert months.value() == 3 and on.isChecked()
    months.setValue(5)
    on.setChecked(False)
    with qtbot.waitSignal(w.terms_shown, timeout=20_000):
        save.click()
    term = {t.kind: t for t in privacy.retention_terms(backend, world.admin)}["appointment"]
    assert (term.months, term.enabled) == (5, False)
    # "Nu uitvoeren": the count first; saying no changes nothing
    asked: list[str] = []

    def no(_title, text):
        asked.append(text)
        return False

    w.confirm = no
    w.ask_run_retention()
    qtbot.waitUntil(lambda: bool(asked) and w.run_button.isEnabled(), timeout=20_000)
    assert "Terugbelverzoek: 1" in asked[0]
    assert privacy.find_resident(backend, world.admin, phone="0612345678", now=much_later).callbacks
    w.confirm = lambda _t, _x: True
    with qtbot.waitSignal(w.retention_done, timeout=20_000) as sig:
        w.ask_run_retention()
    assert not sig.args[0].dry_run and sig.args[0].count("callback") == 1
    assert "Klaar" in w.run_result.text()
    assert not privacy.find_resident(backend, world.admin, phone="0612345678", now=much_later).callbacks


def test_the_privacy_officer_has_no_retention_tab_and_the_services_refuse_anyway(qtbot, world, make_client):
    w = open_window(qtbot, make_client, world.fg, world.ids.location_id, lambda: world.now)
    assert "Bewaartermijnen" not in tab_titles(w) and w.retention_tab is None
    client = make_client(world.fg, clock=lambda: world.now)
    with pytest.raises(PermissionDenied):
        client.retention.retention_due()
    with pytest.raises(PermissionDenied):
        client.retention.run_retention()
    with pytest.raises(PermissionDenied):
        client.privacy.set_retention_term("appointment", months=1)
    assert len(client.privacy.retention_terms()) == 8  # reading the terms is allowed (art. 15 letter)


def test_a_clerk_is_told_in_dutch(qtbot, world, make_client):
    w = open_window(qtbot, make_client, world.clerk, world.ids.location_id, lambda: world.now)
    assert "Bewaartermijnen" not in tab_titles(w)
    w.person.setCurrentIndex(0)
    with qtbot.waitSignal(w.error_shown, timeout=20_000) as sig:
        w.search_audit()
    assert "mag" in sig.args[0]


def test_over_baliedesk(qtbot, world, make_client, monkeypatch):
    from baliedesk.ui.about import AboutDialog

    monkeypatch.setattr(AboutDialog, "exec", lambda self: 0)
    w = open_window(qtbot, make_client, world.fg, world.ids.location_id, lambda: world.now)
    w.about_button.click()
    assert isinstance(w.about, AboutDialog) and "BalieDesk versie" in w.about.text.text()


def test_the_window_works_through_the_server(qtbot, world, backend):
    """Central mode: the same window on a RemoteClient (the DTOs cross the wire; JSON is made locally)."""
    from tests.server_support import TestServer

    from baliedesk.ui.privacy.window import PrivacyWindow

    later = world.now + dt.timedelta(days=1)
    server = TestServer(backend, clock=lambda: later).start()
    try:
        w = PrivacyWindow(server.client(world.fg), world.ids.location_id)
        qtbot.addWidget(w)
        with qtbot.waitSignal(w.loaded, timeout=20_000):
            pass
        w.person.setCurrentIndex(w.person.findData(world.clerk))
        with qtbot.waitSignal(w.audit_shown, timeout=20_000) as sig:
            w.search_audit()
        assert sig.args[0] > 0 and w.audit_table.item(0, 1).text() == "Anne de Vries"
        w.res_email.setText("piet@example.nl")
        with qtbot.waitSignal(w.resident_shown, timeout=20_000):
            w.find_resident()
        assert json.loads(w.resident_json())["meldingen"][0]["number"] == world.melding.summary.number
        w.ask_erasure = lambda: "Verzoek per brief"
        with qtbot.waitSignal(w.erased, timeout=20_000) as sig:
            w.ask_erase()
        assert sig.args[0].kept[0][2] == "melding_open"
        with pytest.raises(PermissionDenied):
            server.client(world.fg).retention.run_retention()
    finally:
        server.stop()


def test_the_log_shows_the_computer_a_read_came_from(qtbot, world, make_client, client_mode):
    """Every call a window makes is on record with its computer: this computer's name on one PC, the
    name with the address the server saw through the server."""
    from baliedesk.services.context import this_computer

    later = world.now + dt.timedelta(hours=2)
    mid = world.melding.summary.id
    make_client(world.clerk, clock=lambda: later).meldingen.melding_detail(mid)
    w = open_window(qtbot, make_client, world.fg, world.ids.location_id, lambda: later)
    assert w.audit_table.horizontalHeaderItem(2).text() == "Computer"
    w.mode.setCurrentIndex(1)
    w.record_type.setCurrentIndex(w.record_type.findData("melding"))
    w.record_id.setValue(mid)
    with qtbot.waitSignal(w.audit_shown, timeout=20_000):
        w.search_audit()
    by_action = {r[3]: r[2] for r in table_text(w.audit_table)}
    expected = this_computer() if client_mode == "local" else f"{this_computer()} (127.0.0.1)"
    assert by_action["bekeken"] == expected
    assert by_action["gemaakt"] == "-"  # made by the services directly (the test's set-up): no computer

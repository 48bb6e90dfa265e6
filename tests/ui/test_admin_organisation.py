"""The set-up tabs of the admin window: municipality and locations, services, counters, people, devices
(both backends, through the client as the beheerder or a team lead)."""

from __future__ import annotations

import pytest

from baliedesk.domain.errors import PermissionDenied
from baliedesk.services import organisation, queue, setup
from baliedesk.services import auth as auth_service
from baliedesk.ui.admin.window import AdminWindow


def open_admin(qtbot, make_client, ids, now, user="beheer") -> AdminWindow:
    w = AdminWindow(make_client(ids.users[user], clock=lambda: now), ids.location_id)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.organisation_loaded, timeout=20_000):
        pass
    return w


def saved(qtbot, w, action) -> None:
    with qtbot.waitSignal(w.organisation_loaded, timeout=20_000):
        with qtbot.waitSignal(w.saved, timeout=20_000):
            action()
    assert w.message.text() == "Opgeslagen."


def refused(qtbot, w, action) -> str:
    with qtbot.waitSignal(w.error_shown, timeout=20_000) as blocker:
        action()
    assert w.message.property("error") is True
    return blocker.args[0]


def test_municipality_and_location_details_are_saved(qtbot, make_client, backend, seeded, now):
    w = open_admin(qtbot, make_client, seeded, now)
    tab = w.org_tabs["locations"]
    tab.muni_name.setText("Gemeente Eemsdelta")
    saved(qtbot, w, tab.save_municipality)
    assert organisation.municipality(backend).name == "Gemeente Eemsdelta"
    tab.fields["street"].setText("Stationsweg")
    tab.fields["house_number"].setText("1")
    tab.fields["postcode"].setText("9919ah")
    tab.fields["place"].setText("Loppersum")
    tab.fields["tracking_base_url"].setText("https://volg.eemsdelta.nl/{code}")
    tab.ordering.setCurrentIndex(tab.ordering.findData("fair_share"))
    tab.recalls.setValue(3)
    a = seeded.services["A"]
    tab.weight_edits[a].setValue(2.5)
    saved(qtbot, w, tab.save_location)
    loc = organisation.location_details(backend, seeded.location_id)
    assert (loc.address_line, loc.ordering_mode, loc.no_show_after_recalls) == (
        "Stationsweg 1, 9919 AH Loppersum", "fair_share", 3)
    assert next(s for s in setup.list_services(backend, seeded.location_id) if s.id == a).weight == 2.5
    # A wrong postcode: the Dutch refusal, and what was typed stays.
    tab.fields["postcode"].setText("99199 A")
    tab.fields["phone"].setText("0596 123 456")
    text = refused(qtbot, w, tab.save_location)
    assert "postcode" in text.lower()
    assert tab.fields["postcode"].text() == "99199 A" and tab.fields["phone"].text() == "0596 123 456"
    assert organisation.location_details(backend, seeded.location_id).phone == ""


def test_a_new_location(qtbot, make_client, backend, seeded, now):
    w = open_admin(qtbot, make_client, seeded, now)
    tab = w.org_tabs["locations"]
    tab.new_location()
    tab.loc_name.setText("Servicepunt Appingedam")
    tab.fields["place"].setText("Appingedam")
    saved(qtbot, w, tab.save_location)
    assert "Servicepunt Appingedam" in [x.name for x in setup.list_locations(backend)]


def test_service_colour_is_checked_live_and_a_used_service_is_switched_off_not_deleted(
        qtbot, make_client, backend, seeded, now):
    w = open_admin(qtbot, make_client, seeded, now)
    tab = w.org_tabs["services"]
    tab.select(seeded.services["B"])
    tab.color.setText("#777777")  # mid grey: neither white nor dark text reads well enough
    assert "te laag" in tab.sample.text() and not tab.save_button.isEnabled()
    tab.color.setText("#1B6B3A")
    assert "goed te lezen" in tab.sample.text() and tab.save_button.isEnabled()
    tab.name.setText("Rijbewijs en vaarbewijs")
    tab.minutes.setValue(9)
    saved(qtbot, w, tab.save_current)
    b = next(s for s in setup.list_services(backend, seeded.location_id) if s.id == seeded.services["B"])
    assert (b.name, b.expected_minutes) == ("Rijbewijs en vaarbewijs", 9.0)
    # B has a ticket: deleting it is refused in Dutch, switching it off is offered.
    queue.issue_ticket(backend, seeded.users["kiosk-ingang"], seeded.services["B"], now)
    tab.select(seeded.services["B"])
    text = refused(qtbot, w, tab.delete)
    assert "al gebruikt" in text and "Zet de dienst uit" in text
    assert not tab.offer_off.isHidden() and tab.toggle_button.isHidden()
    saved(qtbot, w, tab.offer_off.click)
    assert not next(s for s in setup.list_services(backend, seeded.location_id) if s.id == seeded.services["B"]).active


def test_counter_name_and_default_services(qtbot, make_client, backend, seeded, now):
    w = open_admin(qtbot, make_client, seeded, now)
    tab = w.org_tabs["counters"]
    first = tab.rows()[0]
    tab.select(first.id)
    tab.display_name.setText("Balie een")
    for i in range(tab.services.count()):  # only A and B
        item = tab.services.item(i)
        item.setCheckState(item.checkState().Checked if item.text()[0] in "AB" else item.checkState().Unchecked)
    saved(qtbot, w, tab.save_current)
    with backend.unit_of_work() as uow:
        assert set(uow.directory.counter_service_ids(first.id)) == {seeded.services["A"], seeded.services["B"]}
        assert uow.directory.counter(first.id).display_name == "Balie een"


def test_people_add_shows_the_password_once_and_role_changes(qtbot, make_client, backend, seeded, now):
    w = open_admin(qtbot, make_client, seeded, now)
    tab = w.org_tabs["people"]
    qtbot.waitUntil(lambda: bool(tab.people), timeout=20_000)
    assert tab.new_role.findData("beheerder") >= 0  # the beheerder may make a beheerder
    tab.new_username.setText("pieter")
    tab.new_name.setText("Pieter Smit")
    tab.new_role.setCurrentIndex(tab.new_role.findData("baliemedewerker"))
    saved(qtbot, w, tab.add_person)
    dialog = tab.secret_dialog
    assert dialog is not None and len(dialog.secret.text()) >= 12
    dialog.copy()
    from PySide6.QtGui import QGuiApplication
    assert QGuiApplication.clipboard().text() == dialog.secret.text()
    signed = make_client().sign_in("pieter", dialog.secret.text())
    assert signed.must_change_password
    dialog.accept()
    qtbot.waitUntil(lambda: "pieter" in [p.username for p in tab.people], timeout=20_000)
    tab.select_username("pieter")
    tab.role_choice.setCurrentIndex(tab.role_choice.findData("teamleider"))
    saved(qtbot, w, tab.change_role)
    qtbot.waitUntil(lambda: any(p.username == "pieter" and p.role == "teamleider" for p in tab.people), timeout=20_000)
    tab.select_username("pieter")
    saved(qtbot, w, tab.toggle_active)
    assert not next(u for u in auth_service.list_users(backend, seeded.users["beheer"], now)
                    if u.username == "pieter").active
    qtbot.waitUntil(lambda: any(p.username == "pieter" and not p.active for p in tab.people), timeout=20_000)
    tab.select_username("pieter")
    saved(qtbot, w, tab.reset_password)
    assert tab.secret_dialog is not dialog and tab.secret_dialog.secret.text() != dialog.secret.text()


def test_a_team_lead_cannot_make_a_beheerder_and_has_no_devices_tab(qtbot, make_client, backend, seeded, now):
    w = open_admin(qtbot, make_client, seeded, now, user="fatima")
    assert w.role == "teamleider"
    assert w.tabs.isTabVisible(w.tabs.indexOf(w.org_tabs["people"]))
    assert not w.tabs.isTabVisible(w.tabs.indexOf(w.org_tabs["devices"]))
    tab = w.org_tabs["people"]
    assert tab.new_role.findData("beheerder") == -1 and tab.role_choice.findData("beheerder") == -1
    # The services refuse anyway, whatever a window offers.
    lead = make_client(seeded.users["fatima"], clock=lambda: now)
    with pytest.raises(PermissionDenied):
        lead.auth.enroll_device("kiosk", seeded.location_id, "Kiosk 2")
    with pytest.raises(PermissionDenied):
        lead.auth.add_user("baas", "De Baas", "beheerder")


def test_devices_enrol_shows_the_code_and_revoke(qtbot, make_client, backend, seeded, now):
    w = open_admin(qtbot, make_client, seeded, now)
    tab = w.org_tabs["devices"]
    tab.name.setText("Kiosk bij de ingang")
    saved(qtbot, w, tab.enroll)
    code = tab.secret_dialog.secret.text()
    assert code and "De code werkt één keer" in tab.secret_dialog.findChildren(type(w.message))[1].text()
    qtbot.waitUntil(lambda: any(d.name == "Kiosk bij de ingang" for d in tab.devices), timeout=20_000)
    row = [d.name for d in tab.devices].index("Kiosk bij de ingang")
    assert tab.table.item(row, 3).text() == "wacht op de code"
    tab.table.selectRow(row)
    saved(qtbot, w, tab.revoke)
    qtbot.waitUntil(lambda: any(d.state == "revoked" for d in tab.devices), timeout=20_000)

"""The first-run assistant from an empty database to a first visitor called (both backends)."""

from __future__ import annotations

import tomllib

from baliedesk.domain.organisation import SetupProblem
from baliedesk.services import auth, organisation, queue, schedules, setup
from baliedesk.ui.admin.firstrun import BALIES, BEHEERDER, DIENSTEN, GEMEENTE, LOCATIE, FirstRunAssistant, \
    problem_sentence, step_of

PASSWORD = "Een lange zin als wachtwoord"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))


def press_next(qtbot, a: FirstRunAssistant, expect_step: int) -> None:
    with qtbot.waitSignal(a.checked, timeout=20_000) as blocker:
        a.next()
    assert blocker.args == [expect_step - 1]
    assert a.step == expect_step


def press_refused(qtbot, a: FirstRunAssistant) -> str:
    with qtbot.waitSignal(a.error_shown, timeout=20_000) as blocker:
        a.next()
    return blocker.args[0]


def fill_in(qtbot, a: FirstRunAssistant, tmp_path) -> None:
    assert a.step == GEMEENTE and a.step_title.text() == "Stap 1 van 5: De gemeente"
    assert press_refused(qtbot, a) == "Dit klopt nog niet:\nNaam: dit moet ingevuld zijn"  # no name yet
    a.muni_name.setText("Gemeente Eemsdelta")
    (tmp_path / "logo.png").write_bytes(PNG)
    a.choose_logo(str(tmp_path / "logo.png"))
    a.phone.setText("14 0596")
    a.website.setText("https://www.eemsdelta.nl")
    press_next(qtbot, a, LOCATIE)
    # Loppersum's hours are offered as a start; Thursday has the evening.
    assert a.day_edits[3].text() == "09:00-12:30, 13:30-16:30, 17:00-19:30" and a.day_edits[5].text() == ""
    a.loc_name.setText("Gemeentehuis Loppersum")
    a.street.setText("Stationsweg")
    a.house_number.setText("1")
    a.postcode.setText("99199")  # wrong: refused at this step, what was typed stays
    a.place.setText("Loppersum")
    text = press_refused(qtbot, a)
    assert a.step == LOCATIE and "Postcode" in text and a.postcode.text() == "99199"
    a.postcode.setText("9919 AH")
    a.day_edits[0].setText("16:30-09:00")  # inside out: checked before any database work
    assert "maandag" in press_refused(qtbot, a).lower()
    a.use_loppersum()
    press_next(qtbot, a, DIENSTEN)
    assert [a._cell(a.services, r, 0) for r in range(a.services.rowCount())] == ["A", "B", "C", "M"]
    a.services.item(3, 2).setText("#777777")  # unreadable colour on the hall screen
    text = press_refused(qtbot, a)
    assert text.startswith("Dit klopt nog niet:") and "Dienst 4, kleur" in text
    a.services.item(3, 2).setText("#6B2C91")
    press_next(qtbot, a, BALIES)
    a.add_counter()
    assert a._cell(a.counters, 2, 0) == "Balie 3"
    press_next(qtbot, a, BEHEERDER)
    assert a.next_button.text() == "Alles opslaan"
    a.admin_username.setText("beheer")
    a.admin_name.setText("Bea Heerder")
    a.password.setText(PASSWORD)
    a.password_again.setText(PASSWORD + "!")
    assert "niet gelijk" in press_refused(qtbot, a)
    a.password_again.setText(PASSWORD)


def test_problem_places_belong_to_their_step():
    assert step_of("gemeente.kleur") == GEMEENTE and step_of("locatie[1].telefoon") == GEMEENTE
    assert step_of("locatie[1].postcode") == LOCATIE and step_of("locatie[1].openingstijden.maandag") == LOCATIE
    assert step_of("locatie[1].dienst[2].kleur") == DIENSTEN and step_of("locatie[1].balie[1].naam") == BALIES
    assert step_of("persoon[1].gebruikersnaam") == BEHEERDER
    assert problem_sentence(SetupProblem("locatie[1].dienst[2].letter", "taken")).startswith("Dienst 2, letter: ")


def test_the_assistant_builds_the_set_up_files_toml(qtbot, backend, make_client):
    a = FirstRunAssistant(make_client())
    qtbot.addWidget(a)
    a.muni_name.setText('Gemeente "Proef"')
    data = tomllib.loads(a.setup_text())
    assert data["gemeente"]["naam"] == 'Gemeente "Proef"'
    assert data["locatie"][0]["openingstijden"]["donderdag"] == "09:00-12:30, 13:30-16:30, 17:00-19:30"
    assert [s["letter"] for s in data["locatie"][0]["dienst"]] == ["A", "B", "C", "M"]
    assert data["locatie"][0]["balie"][0]["diensten"] == ["A", "B", "C", "M"]
    assert data["persoon"][0]["rol"] == "beheerder"


def test_from_an_empty_database_to_a_first_visitor_called(qtbot, backend, now, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QApplication

    from baliedesk.client import LocalClient
    from baliedesk.ui import launch
    from baliedesk.ui.admin.window import AdminWindow
    from baliedesk.ui.common.signin import SignInForm

    shown: dict = {}

    def fake_exec(self=None):
        visible = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        assert not any(isinstance(w, SignInForm) for w in visible)  # the assistant comes first
        a = next(w for w in visible if isinstance(w, FirstRunAssistant))
        fill_in(qtbot, a, tmp_path)
        with qtbot.waitSignal(a.finished, timeout=30_000) as done:
            a.next()
        assert done.args == ["beheer"] and not a.isVisible()
        form = next(w for w in QApplication.topLevelWidgets() if isinstance(w, SignInForm) and w.isVisible())
        assert form.username.text() == "beheer"
        form.password.setText(PASSWORD)
        form.submit()
        qtbot.waitUntil(lambda: any(isinstance(w, AdminWindow) and w.isVisible()
                                    for w in QApplication.topLevelWidgets()), timeout=30_000)
        shown["admin"] = next(w for w in QApplication.topLevelWidgets() if isinstance(w, AdminWindow))
        return 0

    monkeypatch.setattr(type(QApplication.instance()), "exec", fake_exec)
    monkeypatch.setenv("BALIEDESK_CONFIG_DIR", str(tmp_path / "cfg"))
    door = LocalClient(backend, owns_backend=False, clock=lambda: now)
    assert launch.run_admin(door) == 0
    window = shown["admin"]
    qtbot.waitUntil(lambda: window.role == "beheerder", timeout=20_000)
    from baliedesk.ui.common.tasks import runner
    from PySide6.QtCore import QCoreApplication, QEvent

    runner().wait(10_000)
    for w in QApplication.topLevelWidgets():  # leave no window behind for the next test to find
        if isinstance(w, (AdminWindow, FirstRunAssistant, SignInForm)):
            w.close()
            w.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    # Everything was saved at once: municipality, location with hours, services, counters, the beheerder.
    assert organisation.municipality(backend).name == "Gemeente Eemsdelta"
    assert organisation.municipality_logo(backend) == ("image/png", PNG)
    (loc,) = setup.list_locations(backend)
    details = organisation.location_details(backend, loc.id)
    assert (details.address_line, details.phone) == ("Stationsweg 1, 9919 AH Loppersum", "14 0596")
    services = {s.prefix: s for s in setup.list_services(backend, loc.id)}
    assert sorted(services) == ["A", "B", "C", "M"]
    admin = next(u for u in setup.sign_in_choices(backend) if u.username == "beheer")
    assert len(schedules.schedule_config(backend, admin.id, loc.id).location_hours[3]) == 3  # Thursday evening

    # The beheerder adds a clerk; the clerk takes a ticket at the counter and calls the visitor.
    clerk = auth.add_user(backend, admin.id, "anne", "Anne de Vries", "baliemedewerker", now).user
    counter = queue.counters_at(backend, clerk.id, loc.id, now)[0]
    assert counter.name == "Balie 1" and set(counter.service_ids) == {s.id for s in services.values()}
    issued = queue.issue_ticket(backend, clerk.id, services["A"].id, now)
    queue.sign_in(backend, clerk.id, counter.id, now)
    called = queue.call_next(backend, clerk.id, counter.id, now)
    assert called is not None and called.id == issued.ticket.id and called.display_number.startswith("A")


def test_the_assistant_on_a_database_that_is_set_up_already_says_so(qtbot, seeded, make_client):
    a = FirstRunAssistant(make_client())
    qtbot.addWidget(a)
    a.muni_name.setText("Gemeente Eemsdelta")
    assert press_refused(qtbot, a) == "Deze database is al ingericht. Log in als beheerder."
    assert a.step == GEMEENTE and a.muni_name.text() == "Gemeente Eemsdelta"

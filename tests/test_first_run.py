"""setupfile.first_run: the first-run assistant's one save, only on an empty database (both backends)."""

from __future__ import annotations

import pytest

from baliedesk.client import LocalClient
from baliedesk.domain.errors import PasswordTooWeak, ValidationError
from baliedesk.domain.organisation import SetupFileInvalid
from baliedesk.services import demo, setup, setupfile

PASSWORD = "Lange zin voor de beheerder 7"

TEXT = """formaat = 1

[gemeente]
naam = "Gemeente Proef"

[[locatie]]
naam = "Proefdorp"

[locatie.openingstijden]
maandag = "09:00-12:30"

[[locatie.dienst]]
letter = "A"
naam = "Paspoort"

[[locatie.balie]]
naam = "Balie 1"
diensten = ["A"]

[[persoon]]
gebruikersnaam = "eerste"
naam = "Eerste Beheerder"
rol = "beheerder"
"""


def test_first_run_sets_up_everything_and_the_beheerder_signs_in(backend, now):
    door = LocalClient(backend, owns_backend=False, clock=lambda: now)
    check = door.setupfile.first_run(TEXT.split("[[persoon]]")[0], dry_run=True)  # a step before the beheerder's
    assert check.dry_run and not setup.list_locations(backend)
    report = door.setupfile.first_run(TEXT, admin_username="eerste", admin_password=PASSWORD)
    assert report.first_admin == "eerste" and not report.dry_run
    assert [x.name for x in setup.list_locations(backend)] == ["Proefdorp"]
    signed = door.sign_in("eerste", PASSWORD)
    assert not signed.must_change_password
    assert signed.client.organisation.municipality().name == "Gemeente Proef"


def test_first_run_is_refused_once_anything_exists(backend, now):
    demo.seed(backend, now, history=False)
    before = setupfile.export_setup(backend, setup.sign_in_choices(backend, ["beheerder"])[0].id)
    with pytest.raises(ValidationError) as err:
        setupfile.first_run(backend, TEXT, now, admin_username="eerste", admin_password=PASSWORD)
    assert err.value.field == "database"
    with pytest.raises(ValidationError):
        LocalClient(backend, owns_backend=False).setupfile.first_run(TEXT, dry_run=True)
    assert setupfile.export_setup(backend, setup.sign_in_choices(backend, ["beheerder"])[0].id) == before


def test_a_weak_password_or_another_beheerder_saves_nothing(backend, now):
    with pytest.raises(PasswordTooWeak):
        setupfile.first_run(backend, TEXT, now, admin_username="eerste", admin_password="kort")
    with pytest.raises(SetupFileInvalid):
        setupfile.first_run(backend, TEXT, now, admin_username="iemand", admin_password=PASSWORD)
    with pytest.raises(SetupFileInvalid):  # a broken step is refused whole, also in a dry run
        setupfile.first_run(backend, TEXT.replace('letter = "A"', 'letter = "a1"'), now, dry_run=True)
    assert not setup.list_locations(backend)
    with backend.unit_of_work() as uow:
        assert uow.directory.count_users() == 0


def test_the_first_run_works_through_the_server_on_an_empty_database_only(backend, now):
    """Central mode: the assistant on a workstation sets up the server's empty database."""
    from tests.server_support import TestServer

    server = TestServer(backend, clock=lambda: now).start()
    try:
        door = server.client(None)  # nobody can log in yet: there is nobody
        assert door.setup.list_locations() == ()
        report = door.setupfile.first_run(TEXT, admin_username="eerste", admin_password=PASSWORD)
        assert report.first_admin == "eerste"
        beheerder = door.sign_in("eerste", PASSWORD).client
        assert [loc.name for loc in beheerder.setup.list_locations()] == ["Proefdorp"]
        with pytest.raises(ValidationError):  # set up now: the public save is refused
            door.setupfile.first_run(TEXT, admin_username="eerste", admin_password=PASSWORD)
    finally:
        server.stop()

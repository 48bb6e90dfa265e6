"""`python -m baliedesk user ...` and `device ...` (cli.main with argv; both backends)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from argon2 import PasswordHasher

from baliedesk import cli
from baliedesk.domain.errors import SignInFailed
from baliedesk.services import auth, setup
from baliedesk.storage.database import Database


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    monkeypatch.setattr(auth, "PASSWORD_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def run(capsys, database_url, *argv, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    rc = cli.main([*argv, "--database-url", database_url])
    out, err = capsys.readouterr()
    return rc, out, err


def temporary_from(out: str) -> str:
    return re.search(r"Tijdelijk wachtwoord[^:]*: (\S+)", out).group(1)


def test_first_beheerder_then_people(database_url, capsys, monkeypatch):
    rc, _, err = run(capsys, database_url, "user", "list")
    assert rc == 1 and "nog geen beheerder" in err
    rc, _, err = run(capsys, database_url, "user", "add", "anne", "--role", "baliemedewerker")
    assert rc == 1 and "Maak eerst een beheerder" in err
    rc, out, _ = run(capsys, database_url, "user", "add", "Beheer", "--name", "De Beheerder", "--role", "beheerder")
    assert rc == 0 and "één keer" in out
    first = temporary_from(out)
    rc, out, _ = run(capsys, database_url, "user", "add", "anne", "--name", "Anne de Vries", "--role",
                     "baliemedewerker")
    assert rc == 0
    anne_temporary = temporary_from(out)
    rc, out, err = run(capsys, database_url, "user", "add", "anne", "--name", "Anne", "--role", "kcc")
    assert rc == 1 and "bestaat al" in err

    db = Database(database_url)
    try:
        now = dt.datetime.now(dt.UTC)
        assert auth.sign_in(db, "beheer", first, now).must_change_password
        assert auth.sign_in(db, "anne", anne_temporary, now).must_change_password

        rc, _, err = run(capsys, database_url, "user", "passwd", "anne", stdin="kort\n", monkeypatch=monkeypatch)
        assert rc == 1 and "te kort" in err
        rc, out, _ = run(capsys, database_url, "user", "passwd", "anne", stdin="lange zomeravond fiets\n",
                         monkeypatch=monkeypatch)
        assert rc == 0 and "veranderd" in out
        result = auth.sign_in(db, "anne", "lange zomeravond fiets", now)
        assert not result.must_change_password

        rc, out, _ = run(capsys, database_url, "user", "list")
        assert rc == 0 and re.search(r"anne\s+baliemedewerker\s+aan", out) and "moet wachtwoord kiezen" in out

        rc, out, _ = run(capsys, database_url, "user", "disable", "anne")
        assert rc == 0 and "staat uit" in out
        with pytest.raises(SignInFailed):
            auth.sign_in(db, "anne", "lange zomeravond fiets", now, address="10.0.0.2")
        assert run(capsys, database_url, "user", "enable", "anne")[0] == 0

        rc, out, _ = run(capsys, database_url, "user", "passwd", "anne", "--temporary")
        assert rc == 0
        assert auth.sign_in(db, "anne", temporary_from(out), now, address="10.0.0.3").must_change_password
    finally:
        db.dispose()


def test_team_lead_cannot_make_a_beheerder(database_url, capsys):
    run(capsys, database_url, "user", "add", "beheer", "--role", "beheerder")
    run(capsys, database_url, "user", "add", "fatima", "--role", "teamleider")
    rc, _, err = run(capsys, database_url, "user", "add", "nieuw", "--role", "beheerder", "--as", "fatima")
    assert rc == 1 and "Alleen een beheerder" in err
    rc, _, _ = run(capsys, database_url, "user", "add", "kees", "--role", "kcc", "--as", "fatima")
    assert rc == 0


def test_device_enrol_list_revoke(database_url, capsys):
    run(capsys, database_url, "user", "add", "beheer", "--role", "beheerder")
    rc, _, err = run(capsys, database_url, "device", "enroll", "--role", "kiosk", "--location", "99")
    assert rc == 1 and "locatie 99" in err
    db = Database(database_url)
    try:
        admin = setup.sign_in_choices(db)[0].id
        location = setup.create_location(db, admin, "Loppersum")
        rc, out, _ = run(capsys, database_url, "device", "enroll", "--role", "kiosk", "--location",
                         str(location.id), "--name", "Kiosk ingang")
        assert rc == 0
        code = re.search(r"Eenmalige code: (\S+)", out).group(1)
        signed = auth.redeem_enrolment(db, code, dt.datetime.now(dt.UTC))
        rc, out, _ = run(capsys, database_url, "device", "list")
        assert rc == 0 and "in gebruik" in out and "Kiosk ingang" in out
        rc, out, _ = run(capsys, database_url, "device", "revoke", str(signed.device.id))
        assert rc == 0 and "ingetrokken" in out
        rc, out, _ = run(capsys, database_url, "device", "list")
        assert "ingetrokken" in out
    finally:
        db.dispose()

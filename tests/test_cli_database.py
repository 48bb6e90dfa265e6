"""The command line and its database: the demo keeps to its own, a wrong address is one Dutch line.

Issue 14 case 5 (the demo changed the real database), issue 17 (db commands use the
settings file; a wrong database address gives one Dutch line, not a traceback;
``demo --seed-only`` on a database that already holds a location).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from baliedesk import cli
from baliedesk.services import demo, schedules, setup
from baliedesk.storage.database import Database


@pytest.fixture
def folders(tmp_path, monkeypatch):
    """A scratch config and data folder (as on a fresh PC)."""
    config, data = tmp_path / "config", tmp_path / "data"
    monkeypatch.setenv("BALIEDESK_CONFIG_DIR", str(config))
    monkeypatch.setenv("BALIEDESK_DATA_DIR", str(data))
    return config, data


def write_settings(config, **values) -> None:
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.json").write_text(json.dumps(values), encoding="utf-8")


def real_municipality(url: str) -> int:
    """A real database: one location, closed all of today (open only one minute on another weekday)."""
    db = Database(url)
    db.upgrade()
    admin = setup.bootstrap(db, "admin", "Beheer Echt")
    loc = setup.create_location(db, admin.id, "Gemeente Echt")
    other_day = (dt.datetime.now(dt.UTC).date().weekday() + 3) % 7
    schedules.set_opening_hours(db, admin.id, loc.id, {other_day: [("09:00", "09:01")]})
    db.dispose()
    return admin.id


def exceptions_and_locations(url: str) -> tuple[int, list[str]]:
    db = Database(url)
    try:
        with db.unit_of_work() as uow:
            locations = uow.directory.locations()
            return (sum(len(uow.schedules.exceptions(x.id)) for x in locations), [x.name for x in locations])
    finally:
        db.dispose()


def test_demo_never_uses_the_settings_database(folders, tmp_path, capsys):
    config, data = folders
    real = f"sqlite:///{tmp_path / 'real.sqlite3'}"
    real_municipality(real)
    write_settings(config, database_url=real)
    assert cli.main(["demo", "--seed-only"]) == 0
    assert exceptions_and_locations(real) == (0, ["Gemeente Echt"])
    assert (data / "demo.sqlite3").exists()
    assert exceptions_and_locations(f"sqlite:///{data / 'demo.sqlite3'}")[1] == [demo.MUNICIPALITY]
    out = capsys.readouterr().out
    assert "demo.sqlite3" in out and "Demodatabase" in out


def test_demo_refuses_a_database_with_another_municipality(folders, database_url, capsys):
    real_municipality(database_url)
    assert cli.main(["demo", "--seed-only", "--database-url", database_url]) != 0
    err = capsys.readouterr().err
    assert "Gemeente Echt" in err and "demo" in err and len(err.strip().splitlines()) == 1
    assert exceptions_and_locations(database_url) == (0, ["Gemeente Echt"])


def test_seed_only_on_a_location_without_an_active_beheerder(folders, database_url, capsys):
    """Was StopIteration in services/demo.py (no active beheerder to open the day with)."""
    admin_id = real_municipality(database_url)
    db = Database(database_url)
    setup.create_user(db, admin_id, "lead", "Teamleider", "teamleider")
    with db.unit_of_work(write=True) as uow:
        uow.directory.user(admin_id).active = False
        uow.commit()
    assert demo.seed_state(db) == "other"
    assert demo.open_today_if_closed(db, dt.datetime.now(dt.UTC)) is None
    db.dispose()
    assert cli.main(["demo", "--seed-only", "--database-url", database_url]) != 0
    assert "Gemeente Echt" in capsys.readouterr().err


def test_demo_runs_again_on_its_own_database(folders, database_url, capsys):
    assert cli.main(["demo", "--seed-only", "--database-url", database_url]) == 0
    assert cli.main(["demo", "--seed-only", "--database-url", database_url]) == 0
    assert exceptions_and_locations(database_url)[1] == [demo.MUNICIPALITY]


def test_db_commands_use_the_settings_file(folders, tmp_path, capsys):
    config, data = folders
    target = tmp_path / "from-settings.sqlite3"
    write_settings(config, database_url=f"sqlite:///{target}")
    assert cli.main(["db", "upgrade"]) == 0
    assert target.exists() and not (data / "baliedesk.sqlite3").exists()
    assert cli.main(["db", "current"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 2 and all(str(target) in line and "revisie" in line for line in out)


def test_db_current_on_a_new_database_says_so(folders, tmp_path, capsys):
    assert cli.main(["db", "current", "--database-url", f"sqlite:///{tmp_path / 'new.sqlite3'}"]) == 0
    assert "nog geen schema" in capsys.readouterr().out


COMMANDS = [["demo", "--seed-only"], ["counter"], ["kiosk"], ["meldingen"], ["admin"], ["display", "--windowed"],
            ["screenshot", "--out", "OUT"], ["db", "upgrade"], ["db", "current"], ["setup", "export"]]

WRONG = {
    "unreachable": ("postgresql://baliedesk@127.0.0.1:1/none", "niet bereikbaar"),
    "unparsable": ("this is not an address", "klopt niet"),
    "missing_folder": ("sqlite:///{tmp}/no/such/folder/baliedesk.sqlite3", "bestaat niet"),
    "not_a_database": ("sqlite:///{tmp}/garbage.sqlite3", "geen BalieDesk-database"),
    "other_engine": ("mysql://root@localhost/x", "SQLite en PostgreSQL"),
}


#: Commands that open a window: for a database that is away, damaged or too new they open it
#: with the start-up screen (issue 14); only an address that cannot be right is one line.
WINDOWS = {"counter", "kiosk", "meldingen", "admin", "display", "dashboard"}
WINDOW_WAITS = {"unreachable", "missing_folder", "not_a_database"}


@pytest.mark.parametrize(("command", "kind"), [
    pytest.param(c, k, id=f"{k}-{'-'.join(c[:2])}") for k in sorted(WRONG) for c in COMMANDS
    if not (c[0] in WINDOWS and k in WINDOW_WAITS)])
def test_wrong_address_is_one_dutch_line(folders, tmp_path, capsys, command, kind):
    (tmp_path / "garbage.sqlite3").write_bytes(b"not a database" * 100)
    url, words = WRONG[kind]
    url = url.format(tmp=tmp_path)
    argv = [a.replace("OUT", str(tmp_path / "shots")) for a in command] + ["--database-url", url]
    assert cli.main(argv) == cli.EXIT_DATABASE
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert words in lines[0] and "Traceback" not in captured.err
    assert not (tmp_path / "no").exists()


def test_wrong_address_in_the_settings_file_names_it(folders, capsys):
    config, _ = folders
    write_settings(config, database_url="postgresql://baliedesk@127.0.0.1:1/none")
    assert cli.main(["db", "current"]) == cli.EXIT_DATABASE
    err = capsys.readouterr().err
    assert "settings.json" in err and "niet bereikbaar" in err


def test_a_database_of_a_newer_version_is_one_dutch_line(folders, tmp_path, capsys):
    import sqlite3

    url = f"sqlite:///{tmp_path / 'newer.sqlite3'}"
    assert cli.main(["db", "upgrade", "--database-url", url]) == 0
    with sqlite3.connect(tmp_path / "newer.sqlite3") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    capsys.readouterr()
    for command in (["db", "upgrade"], ["setup", "export"]):  # windows: test_startup_screens.py
        assert cli.main([*command, "--database-url", url]) == cli.EXIT_DATABASE
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "nieuwere versie van BalieDesk" in err[0]

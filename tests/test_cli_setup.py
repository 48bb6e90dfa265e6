"""``python -m baliedesk setup export|import`` and the Dutch wording of the set-up errors."""

from __future__ import annotations

import pytest

from baliedesk import cli
from baliedesk.domain.organisation import ColorContrastTooLow, HasHistory, SetupFileInvalid, SetupProblem
from baliedesk.setup_text import error_text, problem_text


@pytest.fixture
def folders(tmp_path, monkeypatch):
    monkeypatch.setenv("BALIEDESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("BALIEDESK_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_export_then_import_into_an_empty_database(folders, database_url, capsys):
    demo_url = f"sqlite:///{folders / 'demo.sqlite3'}"
    assert cli.main(["demo", "--seed-only", "--database-url", demo_url]) == 0
    out = folders / "inrichting.toml"
    assert cli.main(["setup", "export", "--out", str(out), "--database-url", demo_url]) == 0
    assert "Inrichting bewaard" in capsys.readouterr().out

    assert cli.main(["setup", "import", str(out), "--dry-run", "--database-url", database_url]) == 0
    said = capsys.readouterr().out
    assert "Proef" in said and "niets opgeslagen" in said and "1 locatie" in said
    assert cli.main(["setup", "export", "--database-url", database_url]) == cli.EXIT_REFUSED
    assert "nog leeg" in capsys.readouterr().err

    assert cli.main(["setup", "import", str(out), "--database-url", database_url]) == 0
    said = capsys.readouterr().out
    assert "Ingelezen" in said and "4 diensten" in said and "De eerste beheerder is 'beheer'" in said
    assert cli.main(["setup", "export", "--database-url", database_url]) == 0
    assert capsys.readouterr().out == out.read_text(encoding="utf-8")


def test_a_broken_file_names_each_place_in_dutch(folders, database_url, capsys):
    broken = folders / "kapot.toml"
    broken.write_text('[[locatie]]\npostcode = "1"\n\n[[persoon]]\ngebruikersnaam = "a"\n', encoding="utf-8")
    assert cli.main(["setup", "import", str(broken), "--database-url", database_url]) == cli.EXIT_REFUSED
    err = capsys.readouterr().err
    assert "niets veranderd" in err
    assert "locatie[1].naam: dit moet ingevuld zijn" in err
    assert "locatie[1].postcode: deze waarde klopt niet" in err
    assert "Traceback" not in err


def test_not_toml_and_missing_file(folders, database_url, capsys):
    bad = folders / "geen.toml"
    bad.write_text("dit = = is geen toml\n", encoding="utf-8")
    assert cli.main(["setup", "import", str(bad), "--database-url", database_url]) == cli.EXIT_REFUSED
    assert "regel 1: dit is geen geldig TOML-bestand" in capsys.readouterr().err
    assert cli.main(["setup", "import", str(folders / "weg.toml"), "--database-url", database_url]) == cli.EXIT_REFUSED
    assert "bestaat niet" in capsys.readouterr().err


def test_dutch_wording():
    assert "zet de dienst uit" in error_text(HasHistory("service", "A Paspoort", 12)).lower()
    assert "4,5:1" in error_text(ColorContrastTooLow("color", "#797979", 4.35, 4.11))
    assert problem_text(SetupProblem("gemeente.naam", "too_long", 120)) == \
        "gemeente.naam: deze tekst is te lang (hoogstens 120 tekens)"
    assert error_text(SetupFileInvalid((SetupProblem("x", "invalid"),))).startswith("Het bestand is niet ingelezen")
    assert error_text(ValueError()) is None


def test_the_logo_file_beside_the_set_up_file(folders, database_url, capsys):
    from baliedesk.services import organisation as org
    from baliedesk.storage.database import Database

    png = b"\x89PNG\r\n\x1a\n" + bytes(32)
    (folders / "logo.png").write_bytes(png)
    file = folders / "inrichting.toml"
    file.write_text('[gemeente]\nnaam = "Gemeente Logo"\nlogo_bestand = "logo.png"\n\n'
                    '[[persoon]]\ngebruikersnaam = "beheer"\nnaam = "Beheerder"\nrol = "beheerder"\n', encoding="utf-8")
    assert cli.main(["setup", "import", str(file), "--database-url", database_url]) == 0
    db = Database(database_url)
    try:
        assert org.municipality_logo(db) == ("image/png", png)
    finally:
        db.dispose()
    file.write_text(file.read_text(encoding="utf-8").replace("logo.png", "weg.png"), encoding="utf-8")
    assert cli.main(["setup", "import", str(file), "--database-url", database_url]) == cli.EXIT_REFUSED
    assert "gemeente.logo_bestand: dit bestand is niet gevonden" in capsys.readouterr().err

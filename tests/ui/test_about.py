"""The About box reports the version from the one place it lives (baliedesk.__version__)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from baliedesk import __version__
from baliedesk.cli import build_parser
from baliedesk.ui.about import AboutDialog, about_text

ROOT = Path(__file__).resolve().parents[2]


def test_about_text_names_the_version(monkeypatch):
    assert f"BalieDesk versie {__version__}" in about_text().splitlines()[0]
    assert "Broncode" in about_text()  # not frozen in the tests
    monkeypatch.setattr("sys.frozen", True, raising=False)
    assert "Geïnstalleerd programma" in about_text()


def test_about_dialog_shows_the_text(qtbot):
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    assert dialog.text.text() == about_text()
    assert __version__ in dialog.windowTitle() or __version__ in dialog.text.text()


def test_the_version_comes_from_one_place(capsys):
    """pyproject takes it from baliedesk.__version__; --version prints it."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "baliedesk.__version__"}
    try:
        build_parser().parse_args(["--version"])
    except SystemExit as exc:
        assert exc.code == 0
    assert capsys.readouterr().out.strip() == f"BalieDesk {__version__}"

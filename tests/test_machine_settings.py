"""Machine-wide defaults (what IT sets for every user of a PC, e.g. ``msiexec ... SERVER=...``)."""

from __future__ import annotations

import json
import sys
import types

import pytest

from baliedesk import settings as settings_mod
from baliedesk.settings import Settings, machine_defaults


@pytest.fixture
def machine_file(tmp_path, monkeypatch):
    path = tmp_path / "etc" / "settings.json"
    path.parent.mkdir()
    monkeypatch.setenv("BALIEDESK_MACHINE_CONFIG", str(path))
    return path


def test_machine_default_applies_when_the_user_has_none(machine_file, tmp_path):
    machine_file.write_text(json.dumps({"server_url": "https://baliedesk.loppersum.nl"}), encoding="utf-8")
    s = Settings(tmp_path / "user" / "settings.json")
    assert s["server_url"] == "https://baliedesk.loppersum.nl"
    assert s["counter_id"] == 0  # not set machine-wide: the option's own default


def test_the_users_own_setting_wins_and_saving_does_not_copy_machine_defaults(machine_file, tmp_path):
    machine_file.write_text(json.dumps({"server_url": "https://a.example", "display_color": "#112233"}),
                            encoding="utf-8")
    user = tmp_path / "user" / "settings.json"
    s = Settings(user)
    s["server_url"] = "https://mine.example"
    s.save()
    assert json.loads(user.read_text(encoding="utf-8")) == {"server_url": "https://mine.example"}
    again = Settings(user)
    assert again["server_url"] == "https://mine.example"
    assert again["display_color"] == "#112233"
    # IT changes the machine default later: users without their own value follow it.
    machine_file.write_text(json.dumps({"display_color": "#445566"}), encoding="utf-8")
    assert Settings(user)["display_color"] == "#445566"


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '"text"', ""])
def test_a_damaged_machine_file_is_ignored(machine_file, tmp_path, content):
    machine_file.write_text(content, encoding="utf-8")
    assert machine_defaults() == {}
    assert Settings(tmp_path / "user.json")["server_url"] == ""


def test_unknown_and_empty_machine_values_are_ignored(machine_file):
    machine_file.write_text(json.dumps({"server_url": "", "no_such_option": 1, "counter_id": 4}), encoding="utf-8")
    assert machine_defaults() == {"counter_id": 4}


def test_no_machine_file_means_no_machine_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("BALIEDESK_MACHINE_CONFIG", str(tmp_path / "missing.json"))
    assert machine_defaults() == {}


class FakeWinreg(types.ModuleType):
    """The part of ``winreg`` machine_defaults uses, over a dict of keys."""

    HKEY_LOCAL_MACHINE = "HKLM"
    KEY_READ = 1
    KEY_WOW64_64KEY = 2

    def __init__(self, keys: dict[tuple[str, str], dict[str, object]]) -> None:
        super().__init__("winreg")
        self.keys = keys
        self.opened: list[tuple[str, str, int]] = []

    def OpenKey(self, root, name, reserved, access):  # noqa: N802 (winreg's names)
        self.opened.append((root, name, access))
        if (root, name) not in self.keys:
            raise FileNotFoundError(name)
        values = list(self.keys[(root, name)].items())

        class Key:
            def __enter__(self):
                return values

            def __exit__(self, *exc):
                return False
        key = Key()
        key.values = values
        return key

    def EnumValue(self, key, index):  # noqa: N802
        if index >= len(key.values):
            raise OSError("no more data")
        name, value = key.values[index]
        return name, value, 1


def test_windows_reads_the_value_the_msi_writes(monkeypatch):
    fake = FakeWinreg({("HKLM", r"SOFTWARE\BalieDesk"): {"server_url": "https://srv.gemeente.nl", "Other": "x"}})
    monkeypatch.setitem(sys.modules, "winreg", fake)
    assert machine_defaults(windows=True) == {"server_url": "https://srv.gemeente.nl"}
    # The 64-bit view: the MSI is x64 and writes there.
    assert fake.opened == [("HKLM", settings_mod.MACHINE_REGISTRY_KEY, fake.KEY_READ | fake.KEY_WOW64_64KEY)]


def test_windows_without_the_key_has_no_machine_defaults(monkeypatch):
    monkeypatch.setitem(sys.modules, "winreg", FakeWinreg({}))
    assert machine_defaults(windows=True) == {}

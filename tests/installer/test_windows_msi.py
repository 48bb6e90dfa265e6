"""The MSI authoring (installer/windows/baliedesk.wxs), compiled with wixl by installer/build-msi
against a stand-in payload tree shaped like the Windows build: a broken .wxs fails here.
The real payload is built on Windows (installer/build-windows.ps1); see installer/README.md."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pkgtools import need_tools

from baliedesk import __version__

ROOT = Path(__file__).resolve().parents[2]
UPGRADE_CODE = "{EB2CCA90-5CD0-4CEB-9543-ACF54A8FE89F}"  # fixed for ever: changing it breaks upgrades
ROLES = ["counter", "kiosk", "display", "meldingen", "admin", "settings"]


def stand_in_payload(dest: Path) -> Path:
    """baliedesk.exe, baliedeskw.exe and an _internal tree with the migrations and resources of this checkout."""
    payload = dest / "baliedesk"
    internal = payload / "_internal"
    for exe in ("baliedesk.exe", "baliedeskw.exe"):
        (payload / exe).parent.mkdir(parents=True, exist_ok=True)
        (payload / exe).write_bytes(b"MZ stand-in for " + exe.encode())
    for name in ("python311.dll", "PySide6/Qt6Core.dll", "PySide6/plugins/platforms/qwindows.dll",
                 "PySide6/translations/qtbase_nl.qm", "base_library.zip"):
        (internal / name).parent.mkdir(parents=True, exist_ok=True)
        (internal / name).write_bytes(b"stand-in")
    shutil.copytree(ROOT / "baliedesk/storage/migrations", internal / "baliedesk/storage/migrations",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "resources", internal / "resources")
    return payload


def table(msi: Path, name: str) -> list[list[str]]:
    out = subprocess.run(["msiinfo", "export", str(msi), name], capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines()[3:]]


@pytest.fixture(scope="module")
def msi(tmp_path_factory) -> Path:
    need_tools("wixl", "wixl-heat", "msibuild", "msiinfo")
    tmp = tmp_path_factory.mktemp("msi")
    payload = stand_in_payload(tmp / "payload")
    env = {k: v for k, v in os.environ.items() if k != "BALIEDESK_PACKAGE_VERSION"}
    env["BALIEDESK_MSI_OUT"] = str(tmp / "out")
    proc = subprocess.run([str(ROOT / "installer/build-msi"), str(payload)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (built,) = (tmp / "out").glob("*.msi")
    return built


def test_the_msi_carries_the_version_and_the_fixed_upgrade_code(msi):
    props = {row[0]: row[1] for row in table(msi, "Property") if len(row) >= 2}
    assert props["ProductVersion"] == re.match(r"\d+(\.\d+){0,2}", __version__).group(0)
    assert msi.name == f"baliedesk-{props['ProductVersion']}-x64.msi"
    assert props["UpgradeCode"] == UPGRADE_CODE
    assert props["ALLUSERS"] == "1"  # per machine
    # SERVER may come from the msiexec command line of an elevated (silent) install.
    assert "SERVER" in props["SecureCustomProperties"].split(";")


def test_major_upgrade_replaces_older_and_refuses_newer(msi):
    rows = [r for r in table(msi, "Upgrade") if r[0] == UPGRADE_CODE]
    by_property = {r[-1]: r for r in rows}
    assert set(by_property) == {"WIX_UPGRADE_DETECTED", "WIX_DOWNGRADE_DETECTED"}
    conditions = {row[0] for row in table(msi, "LaunchCondition")}
    assert "NOT WIX_DOWNGRADE_DETECTED" in conditions
    sequence = {row[0]: row for row in table(msi, "InstallExecuteSequence")}
    assert "RemoveExistingProducts" in sequence and "FindRelatedProducts" in sequence


def test_a_start_menu_shortcut_per_role(msi):
    shortcuts = table(msi, "Shortcut")
    assert sorted(r[5] for r in shortcuts) == sorted(ROLES)  # Arguments
    assert {r[4] for r in shortcuts} == {"[INSTALLDIR]baliedeskw.exe"}  # Target: the windowed program
    directories = {r[0]: r for r in table(msi, "Directory")}
    assert {r[1] for r in shortcuts} == {"MenuDir"}
    assert directories["MenuDir"][1] == "ProgramMenuFolder"
    assert directories["INSTALLDIR"][1] == "ProgramFiles64Folder"


def test_server_goes_to_the_machine_wide_key_and_survives_an_upgrade_without_it(msi):
    from baliedesk.settings import MACHINE_REGISTRY_KEY

    registry = {(r[2], r[3]): r for r in table(msi, "Registry")}
    row = registry[(MACHINE_REGISTRY_KEY, "server_url")]
    assert row[1] == "2"  # HKEY_LOCAL_MACHINE
    assert row[4] == "[SERVER]"
    # An upgrade without SERVER= reads the installed value back (AppSearch) into SERVER.
    (locator,) = [r for r in table(msi, "RegLocator") if r[2] == MACHINE_REGISTRY_KEY and r[3] == "server_url"]
    assert locator[1] == "2"
    assert ["SERVER_SAVED", locator[0]] in table(msi, "AppSearch")
    actions = {r[0]: r for r in table(msi, "CustomAction")}
    assert actions["KeepServer"][2:4] == ["SERVER", "[SERVER_SAVED]"]
    for seq in ("InstallExecuteSequence", "InstallUISequence"):
        steps = {r[0]: r for r in table(msi, seq)}
        assert steps["KeepServer"][1] == "NOT SERVER AND SERVER_SAVED"
        assert int(steps["AppSearch"][2]) < int(steps["KeepServer"][2]) < int(steps["CostInitialize"][2])


def test_the_payload_files_are_all_in_the_msi(msi, tmp_path):
    files = {r[2] for r in table(msi, "File")}
    assert {"baliedesk.exe", "baliedeskw.exe", "env.py", "DejaVuSans.ttf", "chime.wav"} <= files
    versions = {p.name for p in (ROOT / "baliedesk/storage/migrations/versions").glob("*.py")}
    assert versions <= files


def test_a_broken_wxs_fails_the_build(tmp_path):
    """The check above is real: wixl rejects authoring it cannot compile."""
    need_tools("wixl", "wixl-heat", "msibuild")
    tree = tmp_path / "tree"
    for part in ("installer/build-msi", "installer/windows/baliedesk.wxs", "baliedesk/__init__.py"):
        (tree / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / part, tree / part)
    wxs = tree / "installer/windows/baliedesk.wxs"
    wxs.write_text(wxs.read_text(encoding="utf-8").replace('<ComponentRef Id="Shortcuts" />',
                                                           '<ComponentRef Id="NoSuchComponent" />'), encoding="utf-8")
    payload = stand_in_payload(tmp_path / "payload")
    proc = subprocess.run([str(tree / "installer/build-msi"), str(payload)], cwd=tree, capture_output=True, text=True,
                          timeout=600, env=dict(os.environ, BALIEDESK_MSI_OUT=str(tmp_path / "out")))
    assert proc.returncode != 0
    assert not list((tmp_path / "out").glob("*.msi"))

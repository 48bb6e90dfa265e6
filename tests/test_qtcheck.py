"""The check ./dev makes before a window starts: Qt's xcb plugin and its system libraries."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from baliedesk import qtcheck

ROOT = Path(__file__).resolve().parent.parent

# What ldd said on a fresh Debian 12 desktop (shortened): two libraries missing.
LDD_DEBIAN12 = """\
\tlinux-vdso.so.1 (0x00007f68a7679000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x00007f68a75ab000)
\tlibxkbcommon-x11.so.0 => /lib/x86_64-linux-gnu/libxkbcommon-x11.so.0 (0x00007f68a750e000)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f68a69b3000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-util.so.1 => /lib/x86_64-linux-gnu/libxcb-util.so.1 (0x00007f68a69ab000)
\tlibxcb-keysyms.so.1 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f68a581e000)
\tlibxcb-icccm.so.4 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007f68a767b000)
"""


def fake_venv(tmp_path: Path) -> Path:
    plugin = tmp_path / "venv/lib/python3.11/site-packages/PySide6/Qt/plugins/platforms/libqxcb.so"
    plugin.parent.mkdir(parents=True)
    plugin.write_bytes(b"\x7fELF")
    return tmp_path / "venv"


def no_lookup(soname: str) -> str | None:
    return None


def test_missing_libraries_become_the_exact_debian_packages(tmp_path):
    plugin = qtcheck.find_plugin([fake_venv(tmp_path)])
    assert plugin is not None and plugin.name == "libqxcb.so"
    result = qtcheck.check(plugin, ldd=lambda p: LDD_DEBIAN12, find_library=lambda name: f"lib{name}.so.0",
                           lookup=no_lookup)
    assert result.missing == ("libxcb-icccm.so.4", "libxcb-keysyms.so.1")
    assert result.packages == ("libxcb-icccm4", "libxcb-keysyms1")
    line = qtcheck.advice(result)
    assert "\n" not in line
    assert line.endswith("sudo apt-get install -y libxcb-icccm4 libxcb-keysyms1")


def test_xcb_cursor_is_checked_although_ldd_does_not_list_it(tmp_path):
    plugin = qtcheck.find_plugin([fake_venv(tmp_path)])
    result = qtcheck.check(plugin, ldd=lambda p: "\tlibc.so.6 => /lib/libc.so.6 (0x1)\n",
                           find_library=lambda name: None, lookup=no_lookup)
    assert result.missing == ("libxcb-cursor.so.0",)
    assert result.packages == ("libxcb-cursor0",)


def test_unknown_library_is_looked_up_or_named(tmp_path):
    plugin = qtcheck.find_plugin([fake_venv(tmp_path)])
    ldd = "\tlibxcb-icccm.so.4 => not found\n\tlibweird.so.7 => not found\n"
    found = qtcheck.check(plugin, ldd=lambda p: ldd, find_library=lambda n: "x",
                          lookup=lambda s: "libweird7" if s == "libweird.so.7" else None)
    assert found.packages == ("libxcb-icccm4", "libweird7") and found.unknown == ()
    lost = qtcheck.check(plugin, ldd=lambda p: ldd, find_library=lambda n: "x", lookup=no_lookup)
    assert lost.unknown == ("libweird.so.7",)
    assert "libweird.so.7" in qtcheck.advice(lost)


def test_preflight_prints_one_line_and_refuses_to_start(tmp_path):
    said: list[str] = []
    ok = qtcheck.preflight([fake_venv(tmp_path)], env={}, platform="linux", ldd=lambda p: LDD_DEBIAN12,
                           find_library=lambda n: "x", lookup=no_lookup, say=said.append,
                           install=lambda pkgs: pytest.fail("not allowed to install"))
    assert ok is False
    assert len(said) == 1 and "libxcb-icccm4 libxcb-keysyms1" in said[0]


def test_preflight_installs_when_allowed(tmp_path, monkeypatch):
    monkeypatch.setattr(qtcheck.os, "geteuid", lambda: 0, raising=False)
    monkeypatch.setattr(qtcheck.shutil, "which", lambda name: f"/usr/bin/{name}")
    installed: list[tuple[str, ...]] = []
    ok = qtcheck.preflight([fake_venv(tmp_path)], env={qtcheck.INSTALL_ENV: "1"}, platform="linux",
                           ldd=lambda p: LDD_DEBIAN12, find_library=lambda n: "x", lookup=no_lookup,
                           say=lambda line: None, install=lambda pkgs: installed.append(tuple(pkgs)) or 0)
    assert ok is True
    assert installed == [("libxcb-icccm4", "libxcb-keysyms1")]


def test_no_install_without_root_even_when_asked(tmp_path, monkeypatch):
    monkeypatch.setattr(qtcheck.os, "geteuid", lambda: 1000, raising=False)
    said: list[str] = []
    ok = qtcheck.preflight([fake_venv(tmp_path)], env={qtcheck.INSTALL_ENV: "1"}, platform="linux",
                           ldd=lambda p: LDD_DEBIAN12, find_library=lambda n: "x", lookup=no_lookup,
                           say=said.append, install=lambda pkgs: pytest.fail("not root"))
    assert ok is False and len(said) == 1


@pytest.mark.parametrize("env,platform", [({"QT_QPA_PLATFORM": "offscreen"}, "linux"),
                                          ({"QT_QPA_PLATFORM": "wayland"}, "linux"),
                                          ({}, "win32"), ({}, "darwin")])
def test_skipped_when_qt_uses_no_xcb(tmp_path, env, platform):
    assert qtcheck.preflight([fake_venv(tmp_path)], env=env, platform=platform,
                             ldd=lambda p: pytest.fail("must not run ldd"), say=pytest.fail) is True


def test_nothing_missing_starts(tmp_path):
    assert qtcheck.preflight([fake_venv(tmp_path)], env={}, platform="linux",
                             ldd=lambda p: "\tlibc.so.6 => /lib/libc.so.6 (0x1)\n",
                             find_library=lambda n: "x", say=pytest.fail) is True


def test_qtcheck_loads_no_qt():
    code = "import sys, baliedesk.qtcheck; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == "False"


def load_dev():
    loader = importlib.machinery.SourceFileLoader("baliedesk_dev_script", str(ROOT / "dev"))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_dev_checks_before_windows_only():
    dev = load_dev()
    assert dev.opens_window("demo", [])
    assert not dev.opens_window("demo", ["--seed-only"])
    assert dev.opens_window("run", ["counter", "--database-url", "x"])
    assert dev.opens_window("run", ["-v", "admin"])
    assert not dev.opens_window("run", ["db", "upgrade"])
    assert not dev.opens_window("run", ["screenshot", "--out", "x"])
    assert not dev.opens_window("test", [])


def test_dev_stops_before_a_window_when_libraries_are_missing(monkeypatch, capsys):
    dev = load_dev()
    monkeypatch.setattr(dev, "ensure_env", lambda: Path(sys.executable))
    monkeypatch.setattr(dev, "qt_ready", lambda: False)
    monkeypatch.setattr(dev.subprocess, "call", lambda *a, **k: pytest.fail("started a window"))
    assert dev.main(["demo"]) == 3


def test_dev_help_names_the_hall_screen(capsys):
    dev = load_dev()
    assert dev.main(["--help"]) == 0
    assert "counter, kiosk and hall screen" in capsys.readouterr().out

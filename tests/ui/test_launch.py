"""Starting the application: the command line, run_windows, screenshots."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtGui import QImage

from baliedesk import __version__
from baliedesk.services import queue

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    full_env = dict(os.environ)
    full_env["QT_QPA_PLATFORM"] = "offscreen"
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), full_env.get("PYTHONPATH", "")]))
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "baliedesk", *args], capture_output=True, text=True,
                          env=full_env, cwd=ROOT, timeout=timeout)


def probe_lines(stdout: str) -> list[dict]:
    out = []
    for line in stdout.splitlines():
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and "probe" in data:
            out.append(data)
    return out


def test_version():
    proc = run_cli("--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"BalieDesk {__version__}"


def test_help_lists_the_subcommands():
    proc = run_cli("--help")
    assert proc.returncode == 0, proc.stderr
    for command in ("demo", "counter", "kiosk", "screenshot", "db"):
        assert f"    {command}" in proc.stdout, f"{command} missing from --help:\n{proc.stdout}"


def test_take_screenshots_writes_each_window(qapp, backend, seeded, tmp_path):
    from baliedesk.ui.launch import take_screenshots

    paths = take_screenshots(backend, tmp_path / "shots")
    assert [p.name for p in paths] == ["counter.png", "kiosk.png", "kiosk-ticket.png", "admin.png"]
    sizes = {p.name: QImage(str(p)).size() for p in paths}
    assert (sizes["admin.png"].width(), sizes["admin.png"].height()) == (1280, 900)
    assert (sizes["counter.png"].width(), sizes["counter.png"].height()) == (1366, 768)
    assert (sizes["kiosk.png"].width(), sizes["kiosk.png"].height()) == (1280, 1024)
    assert (sizes["kiosk-ticket.png"].width(), sizes["kiosk-ticket.png"].height()) == (1280, 1024)
    for p in paths:
        assert p.stat().st_size > 10_000, f"{p.name} looks empty"
    assert QImage(str(paths[1])) != QImage(str(paths[2])), "the confirmation looks like the start screen"
    # The confirmation is real: pressing the first button issued ticket A001 today.
    kiosk_user = seeded.users["kiosk-ingang"]
    snap = queue.queue_snapshot(backend, kiosk_user, seeded.location_id, dt.datetime.now(dt.UTC))
    assert [w.ticket.number for w in snap.waiting] == ["A001"]


def test_screenshot_command(tmp_path):
    out = tmp_path / "out"
    proc = run_cli("screenshot", "--out", str(out), env={"BALIEDESK_CONFIG_DIR": str(tmp_path / "cfg")},
                   timeout=120)
    assert proc.returncode == 0, proc.stderr
    written = {p.name for p in out.glob("*.png")}
    assert {"counter.png", "kiosk.png", "kiosk-ticket.png", "admin.png"} <= written  # (and the hall screen's)
    for name in ("counter.png", "kiosk.png", "kiosk-ticket.png", "admin.png"):
        assert str(out / name) in proc.stdout.splitlines()
    assert not (tmp_path / "cfg" / "settings.json").exists(), "screenshots must not change workstation settings"


def test_demo_opens_both_windows_signed_in_as_anne_at_balie_3(tmp_path):
    from baliedesk.storage.database import Database

    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    proc = run_cli("demo", "--database-url", url,
                   env={"BALIEDESK_STARTUP_PROBE": "1", "BALIEDESK_CONFIG_DIR": str(tmp_path / "cfg")})
    assert proc.returncode == 0, proc.stderr
    assert [p["probe"] for p in probe_lines(proc.stdout)] == ["ready"]
    db = Database(url)
    try:
        from baliedesk.services import setup

        anne = next(u for u in setup.sign_in_choices(db) if u.username == "anne")
        location = setup.list_locations(db)[0]
        counters = {c.name: c for c in queue.counters_at(db, anne.id, location.id, dt.datetime.now(dt.UTC))}
        assert counters["Balie 3"].signed_in_user_id == anne.id
    finally:
        db.dispose()
    # The demo keeps its own settings file; the workstation's stays untouched.
    assert not (tmp_path / "cfg" / "settings.json").exists()


def test_admin_command_opens_the_team_leads_window(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    seeded = run_cli("demo", "--seed-only", "--database-url", url)
    assert seeded.returncode == 0, seeded.stderr
    env = {"BALIEDESK_STARTUP_PROBE": "1", "BALIEDESK_CONFIG_DIR": str(tmp_path / "cfg")}
    proc = run_cli("admin", "--database-url", url, env=env)
    assert proc.returncode == 0, proc.stderr
    assert [p["probe"] for p in probe_lines(proc.stdout)] == ["ready"]



def test_admin_window_comes_after_logging_in_and_refuses_a_clerk(qtbot, backend, seeded, monkeypatch):
    """The log-in form first; a clerk is told in Dutch that this is not for her and stays there."""
    from PySide6.QtWidgets import QApplication

    from baliedesk.client import LocalClient
    from baliedesk.services.demo import DEMO_PASSWORD
    from baliedesk.ui import launch
    from baliedesk.ui.admin.window import AdminWindow
    from baliedesk.ui.common.signin import SignInForm

    shown: dict = {}

    def fake_exec(self=None):
        form = next(w for w in QApplication.topLevelWidgets() if isinstance(w, SignInForm) and w.isVisible())
        shown["form"] = form
        form.username.setText("anne")
        form.password.setText(DEMO_PASSWORD)
        form.submit()
        qtbot.waitUntil(lambda: "Dit mag u niet doen" in form.error_text(), timeout=20_000)
        shown["refused"] = form.error_text()
        form.username.setText("fatima")
        form.password.setText(DEMO_PASSWORD)
        form.submit()
        qtbot.waitUntil(lambda: any(isinstance(w, AdminWindow) and w.isVisible()
                                    for w in QApplication.topLevelWidgets()), timeout=20_000)
        shown["admin"] = next(w for w in QApplication.topLevelWidgets() if isinstance(w, AdminWindow))
        return 0

    monkeypatch.setattr(type(QApplication.instance()), "exec", fake_exec)
    monkeypatch.setenv("BALIEDESK_CONFIG_DIR", str(backend.url.split("///")[-1]) + "-cfg")
    code = launch.run_admin(LocalClient(backend, owns_backend=False))
    assert code == 0
    assert "baliemedewerker" in shown["refused"]
    assert shown["admin"].client.user_id == seeded.users["fatima"]
    shown["admin"].close()


def test_kiosk_command_starts_and_answers_input(tmp_path):
    url = f"sqlite:///{tmp_path / 'k.sqlite3'}"
    seeded = run_cli("demo", "--seed-only", "--database-url", url)
    assert seeded.returncode == 0, seeded.stderr
    proc = run_cli("kiosk", "--database-url", url,
                   env={"BALIEDESK_STARTUP_PROBE": "1", "BALIEDESK_CONFIG_DIR": str(tmp_path / "cfg")})
    assert proc.returncode == 0, proc.stderr
    ready = probe_lines(proc.stdout)
    assert [p["probe"] for p in ready] == ["ready"]
    assert 0 < ready[0]["rss_mb"] < 1000


def test_counter_command_opens_its_log_in_form_and_answers_input(tmp_path):
    """The counter shows its log-in form at once (loaded before the probe listened: it found
    it loaded and went on; it used to wait for ever)."""
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    assert run_cli("demo", "--seed-only", "--database-url", url).returncode == 0
    proc = run_cli("counter", "--database-url", url,
                   env={"BALIEDESK_STARTUP_PROBE": "1", "BALIEDESK_CONFIG_DIR": str(tmp_path / "cfg")})
    assert proc.returncode == 0, proc.stderr
    assert [p["probe"] for p in probe_lines(proc.stdout)] == ["ready"]


RUN_WINDOWS_CHECK = """
import json, sys
from PySide6.QtWidgets import QApplication
from baliedesk.client import LocalClient
from baliedesk.storage.database import Database
from baliedesk.ui.kiosk.window import KioskWindow
from baliedesk.ui.launch import run_windows

db = Database(sys.argv[1])
disposed = []
real_dispose = db.dispose
db.dispose = lambda: (disposed.append(True), real_dispose())
code = run_windows(LocalClient(db), ["kiosk"], demo=False)
kiosks = [w for w in QApplication.topLevelWidgets() if isinstance(w, KioskWindow)]
print(json.dumps({"code": code, "kiosks": len(kiosks), "disposed": disposed,
                  "watcher_stopped": bool(kiosks) and kiosks[0].watcher is not None
                  and not kiosks[0].watcher.isRunning()}), flush=True)
"""


def test_run_windows_stops_watchers_and_disposes_the_database(backend, seeded, tmp_path):
    """run_windows owns the application's event loop, so it runs in a process of its own
    (in this process, a finished app.exec() would end later tests' nested loops)."""
    proc = subprocess.run(
        [sys.executable, "-c", RUN_WINDOWS_CHECK, backend.url], capture_output=True, text=True, timeout=90,
        cwd=ROOT, env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "BALIEDESK_STARTUP_PROBE": "1",
                       "BALIEDESK_CONFIG_DIR": str(tmp_path / "cfg")})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert probe_lines(proc.stdout)[0]["probe"] == "ready"
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"code": 0, "kiosks": 1, "disposed": [True], "watcher_stopped": True}


@pytest.mark.slow
def test_startup_bench_reports_json():
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "startup.py"), "--json", "--runs", "1",
                           "--no-warmup"], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(data) >= {"startup_s", "rss_mb", "runs", "startup_s_runs"}
    assert data["runs"] == 1 and len(data["startup_s_runs"]) == 1
    assert 0 < data["startup_s"] < 30 and 0 < data["rss_mb"] < 2000


def test_probe_stops_its_deadline_when_it_reports(qapp, qtbot):
    """The give-up timer must not fire later and end other event loops (app.exit ends nested loops too)."""
    from PySide6.QtWidgets import QWidget

    from baliedesk.ui.launch import _InputProbe

    window = QWidget()
    qtbot.addWidget(window)
    exits: list[int] = []
    fake_app = SimpleNamespace(quit=lambda: exits.append(0), exit=lambda code: exits.append(code))
    probe = _InputProbe(window, fake_app)
    assert probe.deadline.isActive()
    probe._report()
    assert exits == [0] and not probe.deadline.isActive()

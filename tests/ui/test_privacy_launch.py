"""Starting the privacy window: ``python -m baliedesk privacy`` (log-in form first, clerks refused), and a
PC on its own database running retention once at start-up without waiting for it."""

from __future__ import annotations

import threading

from tests.ui.test_launch import probe_lines, run_cli


def test_privacy_command_opens_the_window_after_logging_in(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    seeded = run_cli("demo", "--seed-only", "--database-url", url)
    assert seeded.returncode == 0, seeded.stderr
    env = {"BALIEDESK_STARTUP_PROBE": "1", "BALIEDESK_CONFIG_DIR": str(tmp_path / "cfg")}
    proc = run_cli("privacy", "--database-url", url, env=env)
    assert proc.returncode == 0, proc.stderr
    assert [p["probe"] for p in probe_lines(proc.stdout)] == ["ready"]


def test_the_privacy_window_refuses_a_clerk_and_opens_for_the_beheerder(qtbot, backend, seeded, monkeypatch):
    from PySide6.QtWidgets import QApplication

    from baliedesk.client import LocalClient
    from baliedesk.services.demo import DEMO_PASSWORD
    from baliedesk.ui import launch
    from baliedesk.ui.common.signin import SignInForm
    from baliedesk.ui.privacy.window import PrivacyWindow

    shown: dict = {}

    def fake_exec(self=None):
        form = next(w for w in QApplication.topLevelWidgets() if isinstance(w, SignInForm) and w.isVisible())
        form.username.setText("anne")
        form.password.setText(DEMO_PASSWORD)
        form.submit()
        qtbot.waitUntil(lambda: "Dit mag u niet doen" in form.error_text(), timeout=20_000)
        shown["refused"] = form.error_text()
        form.username.setText("beheer")
        form.password.setText(DEMO_PASSWORD)
        form.submit()
        qtbot.waitUntil(lambda: any(isinstance(w, PrivacyWindow) and w.isVisible()
                                    for w in QApplication.topLevelWidgets()), timeout=20_000)
        shown["window"] = next(w for w in QApplication.topLevelWidgets() if isinstance(w, PrivacyWindow))
        return 0

    monkeypatch.setattr(type(QApplication.instance()), "exec", fake_exec)
    monkeypatch.setenv("BALIEDESK_CONFIG_DIR", str(backend.url.split("///")[-1]) + "-cfg")
    assert launch.run_privacy(LocalClient(backend, owns_backend=False)) == 0
    assert "baliemedewerker" in shown["refused"]
    assert shown["window"].client.user_id == seeded.users["beheer"]
    shown["window"].close()


def test_a_pc_on_its_own_database_runs_retention_at_start_up(tmp_path, monkeypatch):
    from baliedesk.cli import _door, build_parser
    from baliedesk.client import LocalClient

    url = f"sqlite:///{tmp_path / 'pc.sqlite3'}"
    assert run_cli("demo", "--seed-only", "--database-url", url).returncode == 0
    monkeypatch.setenv("BALIEDESK_CONFIG_DIR", str(tmp_path / "cfg"))
    door = _door(build_parser().parse_args(["meldingen", "--database-url", url]))()  # opened as a window would
    try:
        assert isinstance(door, LocalClient)
        started = [t for t in threading.enumerate() if t.name == "baliedesk-daily-retention"]
        assert started and started[0].daemon
        for t in started:
            t.join(30)
        with door.backend.unit_of_work() as uow:
            runs = [e.action for e in uow.privacy.audit_entries(record_type="retention", limit=10)]
        assert runs == ["retention"]
    finally:
        door.close()
    kiosk = _door(build_parser().parse_args(["kiosk", "--database-url", url]), device=True)()
    try:  # a device (kiosk, hall screen) does not run it
        assert not [t for t in threading.enumerate() if t.name == "baliedesk-daily-retention"]
    finally:
        kiosk.close()

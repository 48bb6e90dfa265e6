"""Central mode end to end: a kiosk enrolled once acts with its own token through the server;
a workstation configured with a server address holds no database address (both backends)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from baliedesk.client.remote import RemoteClient
from baliedesk.domain.errors import InactiveUser, PermissionDenied, SessionRevoked
from baliedesk.services import auth
from tests.server_support import TestServer

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def server(backend, now):
    s = TestServer(backend, clock=lambda: now).start()
    yield s
    s.stop()


def run_cli(*args: str, config_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "BALIEDESK_CONFIG_DIR": str(config_dir), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "baliedesk", *args], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env=env)


def test_a_kiosk_enrolled_once_issues_tickets_with_its_own_token(server, backend, seeded, now, tmp_path):
    enrolment = auth.enroll_device(backend, seeded.users["beheer"], "kiosk", seeded.location_id, "Kiosk hal", now)
    config = tmp_path / "kiosk-pc"
    proc = run_cli("device", "redeem", enrolment.code, "--server", server.url, config_dir=config)
    assert proc.returncode == 0, proc.stderr
    assert "ingeschreven als Kiosk hal (kiosk)" in proc.stdout
    creds_file = config / "device.json"
    assert stat.S_IMODE(creds_file.stat().st_mode) == 0o600
    assert "postgresql" not in creds_file.read_text() and "sqlite" not in creds_file.read_text()
    # the code works once
    again = run_cli("device", "redeem", enrolment.code, "--server", server.url, config_dir=tmp_path / "other-pc")
    assert again.returncode != 0 and "Traceback" not in again.stderr

    os.environ["BALIEDESK_CONFIG_DIR"] = str(config)
    try:
        from baliedesk.cli import _door, build_parser

        open_kiosk = _door(build_parser().parse_args(["kiosk", "--server", server.url]), device=True)
    finally:
        del os.environ["BALIEDESK_CONFIG_DIR"]
    kiosk = open_kiosk()  # what the kiosk's start-up screen does: the server's health, then the window
    assert isinstance(kiosk, RemoteClient) and kiosk.signed_in
    issued = kiosk.queue.issue_ticket(seeded.services["A"])
    assert issued.ticket.issued_at == now
    with pytest.raises(PermissionDenied):  # a device can do what a kiosk does, nothing more
        kiosk.queue.call_next(seeded.counters["Balie 1"])
    auth.revoke_device(backend, seeded.users["beheer"], enrolment.device.id, now)
    # The server keeps resolved sessions for a moment and forgets them when its change feed hears of a
    # revocation: from then on the token is refused. Until then the services refuse the revoked device's
    # account themselves (InactiveUser): nothing is issued either way.
    deadline = time.monotonic() + 5
    while True:
        with pytest.raises((SessionRevoked, InactiveUser)) as refused:
            kiosk.queue.issue_ticket(seeded.services["A"])
        if refused.type is SessionRevoked or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert refused.type is SessionRevoked
    kiosk.close()


def test_a_workstation_with_a_server_address_has_no_database_address(tmp_path, monkeypatch):
    import json

    from baliedesk.cli import _door, build_parser

    config = tmp_path / "counter-pc"
    config.mkdir()
    (config / "settings.json").write_text(json.dumps({"server_url": "https://balie.gemeente.example"}))
    monkeypatch.setenv("BALIEDESK_CONFIG_DIR", str(config))
    monkeypatch.setattr(RemoteClient, "health", lambda self: {"status": "ok"})  # no such server here
    open_door = _door(build_parser().parse_args(["counter"]))
    assert getattr(open_door, "server", False)  # the start-up screen speaks of the server
    door = open_door()
    try:
        assert isinstance(door, RemoteClient) and not door.signed_in
        assert door.describe() == "server https://balie.gemeente.example"
        assert not hasattr(door, "backend")
    finally:
        door.close()

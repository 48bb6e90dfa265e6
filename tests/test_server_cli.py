"""``python -m baliedesk server``: where the database URL comes from, the schema check, the sign-in sessions."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from baliedesk import cli
from baliedesk.server import run as server_run
from baliedesk.server.run import ServerThread


@pytest.fixture
def served(monkeypatch):
    """Stand in for uvicorn: remember what the command would serve instead of serving it."""
    seen: dict = {}

    def fake_serve(app, **kwargs):
        seen["app"] = app
        seen.update(kwargs)

    monkeypatch.setattr(server_run, "serve", fake_serve)
    monkeypatch.delenv(cli.SERVER_URL_ENV, raising=False)
    return seen


def _err_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    return err


def test_a_schema_not_at_head_is_refused_with_one_dutch_line(database_url, served, capsys):
    assert cli.main(["server", "--database-url", database_url]) == cli.EXIT_DATABASE
    err = _err_line(capsys)
    assert "python -m baliedesk db upgrade" in err and "schema" in err
    assert "app" not in served  # nothing served, nothing migrated
    from baliedesk.storage.database import Database
    from baliedesk.storage.migrations_runner import current_revision

    db = Database(database_url)
    try:
        assert current_revision(db.engine) is None
    finally:
        db.dispose()


def test_url_from_the_environment_and_only_real_sessions_get_in(backend, served, monkeypatch, seeded):
    from baliedesk.client.remote import RemoteClient
    from baliedesk.services.demo import DEMO_PASSWORD

    monkeypatch.setenv(cli.SERVER_URL_ENV, backend.url)
    assert cli.main(["server", "--port", "9999"]) == 0
    assert cli.SERVER_URL_ENV not in os.environ  # not handed on to child processes
    assert served["port"] == 9999 and served["certfile"] is None
    with ServerThread(served["app"]) as url:
        assert httpx.get(url + "/api/health").json()["status"] == "ok"
        for token in ("x", "anything-at-all", "0" * 40):  # no test token table here: made-up tokens are refused
            r = httpx.post(url + "/api/setup/sign_in_choices", json={},
                           headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 401
        door = RemoteClient(url)
        try:
            anne = door.sign_in("anne", DEMO_PASSWORD).client
            assert [loc.id for loc in anne.setup.list_locations()] == [seeded.location_id]
        finally:
            door.close()


def test_url_from_a_file_readable_by_its_owner_only(backend, served, tmp_path, capsys):
    secret = tmp_path / "database-url"
    secret.write_text(f"# BalieDesk\n{backend.url}\n", encoding="utf-8")
    secret.chmod(0o600)
    assert cli.main(["server", "--database-url-file", str(secret)]) == 0
    assert served["app"].state.backend.url == backend.url
    if os.name == "posix":
        served.clear()
        secret.chmod(0o644)
        assert cli.main(["server", "--database-url-file", str(secret)]) == cli.EXIT_REFUSED
        assert "chmod 600" in _err_line(capsys) and "app" not in served


@pytest.mark.parametrize("argv, words, code", [
    ([], "Geen database opgegeven", cli.EXIT_REFUSED),
    (["--database-url", "sqlite:///x", "--database-url-file", "f"], "niet met allebei", cli.EXIT_REFUSED),
    (["--database-url-file", "/nonexistent/baliedesk-url"], "kan niet gelezen worden", cli.EXIT_REFUSED),
    (["--database-url", "nonsense://"], "niet bruikbaar", cli.EXIT_DATABASE),
    (["--database-url", "postgresql://nobody@127.0.0.1:1/none"], "niet bereikbaar", cli.EXIT_DATABASE),
    (["--database-url", "sqlite:///x", "--certfile", "c.pem"], "zowel --certfile als --keyfile", cli.EXIT_REFUSED),
    (["--database-url", "sqlite:///x", "--certfile", "/nonexistent/c.pem", "--keyfile", "/nonexistent/k.pem"],
     "bestaat niet", cli.EXIT_REFUSED),
])
def test_operator_mistakes_get_one_dutch_line(argv, words, code, served, capsys):
    assert cli.main(["server", *argv]) == code
    assert words in _err_line(capsys)
    assert "app" not in served


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_the_command_serves_and_keeps_the_url_out_of_the_process_list(backend):
    port = _free_port()
    env = dict(os.environ, **{cli.SERVER_URL_ENV: backend.url}, PYTHONPATH=str(Path(__file__).parents[1]))
    proc = subprocess.Popen([sys.executable, "-m", "baliedesk", "server", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        assert health.json()["status"] == "ok"
        r = httpx.post(f"http://127.0.0.1:{port}/api/setup/sign_in_choices", json={},
                       headers={"Authorization": "Bearer guess"})
        assert r.status_code == 401
        cmdline = Path(f"/proc/{proc.pid}/cmdline")
        if cmdline.exists():
            assert backend.url.encode() not in cmdline.read_bytes()
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=15)
    assert "BalieDesk-server op http://127.0.0.1" in out
    assert "Traceback" not in out


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_several_processes_share_the_port_and_one_that_dies_is_replaced(backend, seeded):
    """``server --processes 2``: two worker processes, each with its own database pool, answer on one port."""
    from baliedesk.client.remote import RemoteClient
    from baliedesk.services.demo import DEMO_PASSWORD

    port = _free_port()
    env = dict(os.environ, **{cli.SERVER_URL_ENV: backend.url}, PYTHONPATH=str(Path(__file__).parents[1]))
    proc = subprocess.Popen([sys.executable, "-m", "baliedesk", "server", "--port", str(port), "--processes", "2"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def workers() -> list[int]:
        return [pid for pid in _children(proc.pid)
                if b"multiprocessing" in Path(f"/proc/{pid}/cmdline").read_bytes()]

    try:
        deadline = time.monotonic() + 60
        while len(workers()) < 2 or not _answers(port):
            assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        first = sorted(workers())
        door = RemoteClient(f"http://127.0.0.1:{port}")
        anne = door.sign_in("anne", DEMO_PASSWORD).client
        for _ in range(20):  # a new connection each time, whichever process takes it: every answer is right
            fresh = RemoteClient(f"http://127.0.0.1:{port}", token=anne.token, user_id=anne.user_id)
            assert [loc.id for loc in fresh.setup.list_locations()] == [seeded.location_id]
            fresh.close()
        os.kill(first[0], 9)
        deadline = time.monotonic() + 60
        while len(workers()) < 2 or first[0] in workers():
            assert time.monotonic() < deadline, "the dead worker was not replaced"
            time.sleep(0.2)
        assert [loc.id for loc in anne.setup.list_locations()] == [seeded.location_id]
        door.close()
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert "Traceback" not in out, out


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def test_processes_must_be_one_or_more(served, capsys):
    assert cli.main(["server", "--database-url", "sqlite:///x", "--processes", "0"]) == cli.EXIT_REFUSED
    assert "--processes" in _err_line(capsys) and "app" not in served


def test_call_threads_must_be_one_or_more_and_reach_every_process(served, capsys, backend, monkeypatch):
    from baliedesk.server import app as server_app

    assert cli.main(["server", "--database-url", "sqlite:///x", "--call-threads", "0"]) == cli.EXIT_REFUSED
    assert "--call-threads" in _err_line(capsys) and "app" not in served

    made: list[int] = []
    real = server_app.create_app

    def create_app(db, **kwargs):
        made.append(kwargs.get("call_threads"))
        return real(db, **kwargs)

    monkeypatch.setattr(server_app, "create_app", create_app)
    assert cli.main(["server", "--database-url", backend.url, "--call-threads", "2"]) == 0
    assert made == [2] and "app" in served
    assert cli.main(["server", "--database-url", backend.url]) == 0
    assert made[-1] == server_app.DEFAULT_CALL_THREADS
    # a worker process of --processes N is told through its environment
    monkeypatch.setenv(cli.WORKER_URL_ENV, backend.url)
    monkeypatch.setenv(cli.WORKER_THREADS_ENV, "5")
    worker_app = cli.server_worker_app()
    worker_app.state.backend.dispose()  # never served here: its database is let go of at once
    assert made[-1] == 5


def test_a_worker_process_disposes_its_own_database_when_it_stops(backend, monkeypatch):
    """``server --processes N``: each worker made its database for its application, so the application
    lets go of it when it stops (no database left open until the process ends); an application given a
    backend it does not own (one server process, tests) leaves it alone."""
    from baliedesk.server import app as server_app
    from baliedesk.storage import database

    disposed: list[object] = []
    real_dispose = database.Database.dispose

    def dispose(self):
        disposed.append(self)
        real_dispose(self)

    monkeypatch.setattr(database.Database, "dispose", dispose)
    monkeypatch.setenv(cli.WORKER_URL_ENV, backend.url)
    with ServerThread(cli.server_worker_app()) as url:
        assert httpx.get(f"{url}/api/health", timeout=10).status_code == 200
    assert len(disposed) == 1 and disposed[0] is not backend
    with ServerThread(server_app.create_app(backend)) as url:
        assert httpx.get(f"{url}/api/health", timeout=10).status_code == 200
    assert len(disposed) == 1  # the test's backend stays open

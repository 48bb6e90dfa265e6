"""HTTPS: the server serves its certificate, the client verifies it with the municipality's CA file
and refuses (a typed error, no traceback) a server it cannot verify; the live feed over wss://."""

from __future__ import annotations

import ssl
import time

import httpx
import pytest

from baliedesk import cli
from baliedesk.client.remote import RemoteClient, RemoteFeed, ServerNotTrusted
from baliedesk.domain.errors import StorageUnavailable
from baliedesk.server import run as server_run
from baliedesk.server.run import ServerThread
from baliedesk.services import queue
from tests.server_support import TestServer
from tests.tls_support import make_certificates


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tls_server(backend, now, certs):
    s = TestServer(backend, clock=lambda: now, certfile=certs.certfile, keyfile=certs.keyfile,
                   ca_file=certs.ca_file).start()
    yield s
    s.stop()


def _waiting(backend, seeded, now) -> list[int]:
    snap = queue.queue_snapshot(backend, seeded.users["anne"], seeded.location_id, now)
    return [w.ticket.id for w in snap.waiting]


def test_a_visit_over_https_verified_with_the_municipalitys_ca(tls_server, seeded, now):
    assert tls_server.url.startswith("https://127.0.0.1:")
    kiosk = tls_server.client(seeded.users["kiosk-ingang"])
    issued = kiosk.queue.issue_ticket(seeded.services["A"])
    clerk = tls_server.client(seeded.users["anne"])
    clerk.queue.sign_in(seeded.counters["Balie 1"])
    assert clerk.queue.call_next(seeded.counters["Balie 1"]).id == issued.ticket.id


@pytest.mark.parametrize("which", ["no CA file (the system's CAs)", "another CA"])
def test_a_server_the_client_cannot_verify_is_refused_and_gets_nothing(tls_server, backend, seeded, now, certs,
                                                                      which):
    ca_file = None if which.startswith("no") else certs.other_ca_file
    token = tls_server.tokens.issue(seeded.users["kiosk-ingang"])
    client = RemoteClient(tls_server.url, token=token, user_id=seeded.users["kiosk-ingang"], ca_file=ca_file)
    try:
        with pytest.raises(ServerNotTrusted) as err:
            client.queue.issue_ticket(seeded.services["A"])
        assert isinstance(err.value, StorageUnavailable)  # the windows already word a lost connection
        assert "certificate" in err.value.detail
    finally:
        client.close()
    assert _waiting(backend, seeded, now) == []  # nothing reached the services


def test_plain_http_to_an_https_server_is_a_lost_connection_not_a_traceback(tls_server, seeded):
    client = RemoteClient(tls_server.url.replace("https://", "http://"),
                          token=tls_server.tokens.issue(seeded.users["anne"]), user_id=seeded.users["anne"],
                          timeout_s=5)
    try:
        with pytest.raises(StorageUnavailable):
            client.setup.list_locations()
    finally:
        client.close()


def _connected(feed, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while not feed.connected and time.monotonic() < deadline:
        feed.wait(0.1)
    return feed.connected


def test_the_live_feed_over_wss(tls_server, seeded):
    kiosk = tls_server.client(seeded.users["kiosk-ingang"])
    feed = kiosk.open_feed()
    try:
        assert feed.url.startswith("wss://")
        assert _connected(feed)
        while feed.wait(0.3):  # the greeting
            pass
        kiosk.queue.issue_ticket(seeded.services["A"])
        assert feed.wait(10)
        assert feed.certificate_problem is None
    finally:
        feed.close()


def test_the_live_feed_refuses_a_server_it_cannot_verify(tls_server, seeded, certs):
    token = tls_server.tokens.issue(seeded.users["kiosk-ingang"])
    feed = RemoteFeed(tls_server.url, token, ca_file=certs.other_ca_file, retry_s=0.2)
    try:
        deadline = time.monotonic() + 15
        while feed.certificate_problem is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert feed.certificate_problem is not None
        assert not feed.connected
    finally:
        feed.close()


def test_the_command_serves_https_with_the_given_certificate(backend, certs, monkeypatch):
    seen: dict = {}
    monkeypatch.setattr(server_run, "serve", lambda app, **kw: seen.update(app=app, **kw))
    monkeypatch.setenv(cli.SERVER_URL_ENV, backend.url)
    assert cli.main(["server", "--certfile", certs.certfile, "--keyfile", certs.keyfile]) == 0
    assert (seen["certfile"], seen["keyfile"]) == (certs.certfile, certs.keyfile)
    with ServerThread(seen["app"], certfile=seen["certfile"], keyfile=seen["keyfile"]) as url:
        assert url.startswith("https://")
        assert httpx.get(url + "/api/health", verify=ssl.create_default_context(cafile=certs.ca_file)).json()["status"] == "ok"

"""The remote client's HTTP transport (baliedesk/client/transport.py) against small real servers.

Kept-alive connections are reused, one the server closed while idle is
replaced without sending anything twice, timeouts and refusals are typed
errors, many threads share one transport, HTTPS is verified, and a proxy from
the environment is used (a CONNECT tunnel for HTTPS) unless NO_PROXY exempts
the server.
"""

from __future__ import annotations

import http.server
import json
import select
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from baliedesk.client.transport import Transport, TransportError, TransportTimeout
from tests.tls_support import make_certificates


class _Counting(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.connections = 0
        self.requests: list[tuple[str, str, bytes]] = []
        self.lock = threading.Lock()
        self.delay_s = 0.0
        self.close_after_answer = False

    def get_request(self):  # one per TCP connection
        pair = super().get_request()
        with self.lock:
            self.connections += 1
        return pair


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Counting

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, body: bytes) -> None:
        with self.server.lock:
            self.server.requests.append((self.command, self.path, body))
        time.sleep(self.server.delay_s)
        payload = json.dumps({"path": self.path, "echo": body.decode(),
                              "agent": self.headers.get("User-Agent")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-BalieDesk-Time", "2026-12-05T10:00:00+00:00")
        if self.server.close_after_answer:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._answer(b"")

    def do_POST(self) -> None:
        self._answer(self.rfile.read(int(self.headers.get("Content-Length", "0"))))


@contextmanager
def serving(certs=None) -> Iterator[_Counting]:
    server = _Counting()
    if certs is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certs.certfile, certs.keyfile)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def url_of(server: _Counting, scheme: str = "http") -> str:
    return f"{scheme}://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(autouse=True)
def no_proxy_from_the_machine(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy",
                 "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


def test_requests_reuse_one_kept_alive_connection():
    with serving() as server:
        transport = Transport(url_of(server))
        for i in range(20):
            reply = transport.post("/api/queue/call_next", json.dumps({"i": i}).encode(), {"X-Test": "1"})
            assert reply.status == 200 and reply.json()["echo"] == json.dumps({"i": i})
            assert reply.headers.get("x-baliedesk-time") == "2026-12-05T10:00:00+00:00"  # any case
        assert server.connections == 1
        assert reply.json()["agent"].startswith("BalieDesk/")
        transport.close()


def test_a_connection_the_server_closed_while_idle_is_replaced_and_nothing_is_sent_twice():
    with serving() as server:
        server.close_after_answer = True  # every answer ends its connection, as a keep-alive timeout does
        transport = Transport(url_of(server))
        for i in range(5):
            assert transport.post("/x", str(i).encode()).json()["echo"] == str(i)
        assert [body for _, _, body in server.requests] == [b"0", b"1", b"2", b"3", b"4"]
        assert server.connections == 5


def test_an_idle_connection_closed_by_the_server_is_noticed_before_use():
    """The server drops the idle connection without saying so in its answer (uvicorn's keep-alive timeout)."""
    with serving() as server:
        transport = Transport(url_of(server))
        assert transport.get("/a").status == 200
        idle = transport._idle[0]
        idle.sock.shutdown(socket.SHUT_RD)  # reads as EOF, as when the server has closed its end
        assert select.select([idle.sock], [], [], 0)[0]
        assert transport.get("/b").status == 200
        assert [path for _, path, _ in server.requests] == ["/a", "/b"]
        assert server.connections == 2


def test_a_slow_answer_is_a_timeout_and_a_refused_port_an_error():
    with serving() as server:
        server.delay_s = 1.0
        transport = Transport(url_of(server), timeout_s=0.2)
        with pytest.raises(TransportTimeout):
            transport.get("/slow")
        server.delay_s = 0.0
        assert transport.get("/fast").status == 200  # the broken connection was not kept
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(TransportError) as caught:
        Transport(f"http://127.0.0.1:{port}").get("/")
    assert not isinstance(caught.value, TransportTimeout)
    assert isinstance(caught.value.__cause__, ConnectionRefusedError)


def test_many_threads_share_one_transport():
    with serving() as server:
        transport = Transport(url_of(server))
        wrong: list = []

        def work(n: int) -> None:
            for i in range(25):
                body = f"{n}-{i}"
                if transport.post("/t", body.encode()).json()["echo"] != body:
                    wrong.append(body)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert wrong == [] and len(server.requests) == 200
        assert server.connections <= 8 + 8  # pooled, not one per request


def test_a_path_prefix_in_the_address_is_kept():
    with serving() as server:
        assert Transport(url_of(server) + "/baliedesk/").get("/api/health").json()["path"] == "/baliedesk/api/health"


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("transport-certs"))


def test_https_is_verified_against_the_given_ca(certs):
    with serving(certs) as server:
        assert Transport(url_of(server, "https"), ca_file=certs.ca_file).get("/ok").status == 200
        with pytest.raises(TransportError) as caught:
            Transport(url_of(server, "https"), ca_file=certs.other_ca_file).get("/no")
        assert isinstance(caught.value.__cause__, ssl.SSLCertVerificationError)
        with pytest.raises(TransportError):
            Transport(url_of(server, "https")).get("/no")  # a private CA is not in any public store
        assert [path for _, path, _ in server.requests] == ["/ok"]


class _Proxy(threading.Thread):
    """A minimal forward proxy: CONNECT tunnels (HTTPS) and absolute-address requests (plain HTTP)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.seen: list[str] = []

    def run(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                return
            head += chunk
        first, _, rest = head.partition(b"\r\n")
        method, target, _ = first.decode().split(" ")
        self.seen.append(f"{method} {target}")
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)))
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            leftover = head.split(b"\r\n\r\n", 1)[1]
        else:
            address = target.split("://", 1)[1]
            hostport, _, path = address.partition("/")
            host, port = hostport.rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)))
            leftover = f"{method} /{path} HTTP/1.1\r\n".encode() + rest
        if leftover:
            upstream.sendall(leftover)
        self._pipe(client, upstream)

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        sockets = [a, b]
        try:
            while True:
                ready, _, _ = select.select(sockets, [], [], 5)
                if not ready:
                    return
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (b if s is a else a).sendall(data)
        finally:
            a.close()
            b.close()

    def stop(self) -> None:
        self.sock.close()


@pytest.fixture
def proxy():
    p = _Proxy()
    p.start()
    yield p
    p.stop()


def test_https_goes_through_the_environments_proxy_in_a_tunnel(certs, proxy, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")
    with serving(certs) as server:
        transport = Transport(url_of(server, "https"), ca_file=certs.ca_file)
        assert transport.get("/through").status == 200
        assert transport.get("/again").status == 200
        assert proxy.seen == [f"CONNECT 127.0.0.1:{server.server_address[1]}"]  # one tunnel, kept alive
        assert server.requests[0][1] == "/through"


def test_plain_http_through_a_proxy_and_no_proxy_exempts_the_server(proxy, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
    with serving() as server:
        assert Transport(url_of(server)).get("/via").json()["path"] == "/via"
        assert proxy.seen == [f"GET {url_of(server)}/via"]
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        assert Transport(url_of(server)).get("/direct").status == 200
        assert len(proxy.seen) == 1

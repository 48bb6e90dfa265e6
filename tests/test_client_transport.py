"""The remote client's HTTP transport (baliedesk/client/transport.py) against small real servers.

Kept-alive connections are reused, one the server closed while idle is
replaced without sending anything twice, timeouts and refusals are typed
errors, many threads share one transport, HTTPS is verified, and a proxy from
the environment is used (a CONNECT tunnel for HTTPS) unless NO_PROXY exempts
the server. A request leaves in one write; answers in chunks, without a
length or after interim answers are read as other servers and proxies send
them, and whatever bytes a server sends are an answer or a typed error.
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
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _read_head(conn: socket.socket) -> bytes:
    """A request's head (and whatever came with it); b"" when the connection ends before a whole head."""
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        head += chunk
    return head


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
        head = _read_head(client)
        if not head:
            return
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


# -- answers as other servers and proxies send them -------------------------------------------------
class _Canned(threading.Thread):
    """A raw server: answers every request on a connection with the next canned bytes (b"" closes it)."""

    def __init__(self, answers: list[bytes]) -> None:
        super().__init__(daemon=True)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.answers = list(answers)
        self.requests: list[bytes] = []
        self.connections = 0

    def run(self) -> None:
        while self.answers:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                while self.answers:
                    request = _read_head(conn)
                    if not request:
                        break
                    head, _, body = request.partition(b"\r\n\r\n")
                    length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:")]
                    while length and len(body) < length[0]:
                        body += conn.recv(65536)
                    self.requests.append(request if not length else head + b"\r\n\r\n" + body)
                    answer = self.answers.pop(0)
                    if not answer:
                        break
                    conn.sendall(answer)
                    if b"connection: close" in answer.lower() or b"content-length" not in answer.lower() \
                            and b"chunked" not in answer.lower():
                        break

    def __enter__(self) -> str:
        self.start()
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


def test_a_chunked_answer_is_read_whole_and_the_connection_kept():
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
               b"5\r\n{\"ok\"\r\n3;ext=1\r\n: 1\r\n1\r\n}\r\n0\r\nX-Trailer: yes\r\n\r\n")
    plain = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
    canned = _Canned([chunked, plain])
    with canned as url:
        transport = Transport(url)
        assert transport.get("/one").json() == {"ok": 1}
        assert transport.get("/two").body == b"{}"
    assert canned.connections == 1


def test_an_answer_without_length_runs_to_the_end_of_the_connection_which_is_not_kept():
    canned = _Canned([b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it",
                      b"HTTP/1.1 204 No Content\r\n\r\n"])
    with canned as url:
        transport = Transport(url)
        assert transport.get("/a").body == b"all of it"
        assert transport.get("/b").status == 204
    assert canned.connections == 2


def test_an_interim_answer_is_passed_over_and_repeated_fields_are_joined():
    canned = _Canned([b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                      b"HTTP/1.1 201 Created\r\nX-Many: a\r\nx-many: b\r\nContent-Length: 0\r\n\r\n"])
    with canned as url:
        reply = Transport(url).post("/c", b"{}")
    assert reply.status == 201 and reply.headers.get("X-MANY") == "a, b" and reply.body == b""


def test_a_request_leaves_in_one_write_with_its_length(monkeypatch):
    """Head and body together: a second write costs both ends a trip through the kernel."""
    from baliedesk.client import transport as module

    writes: list[bytes] = []
    real_open = module._Connection.open

    def counting_open(self) -> None:
        real_open(self)
        sock = self.sock

        class Counting:
            def sendall(self, data: bytes) -> None:
                writes.append(bytes(data))
                sock.sendall(data)

            def __getattr__(self, name: str):
                return getattr(sock, name)

        self.sock = Counting()

    monkeypatch.setattr(module._Connection, "open", counting_open)
    canned = _Canned([b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"])
    with canned as url:
        Transport(url).post("/api/queue/call_next", b'{"counter_id":1}', {"Authorization": "Bearer abc"})
    assert len(writes) == 1
    head, _, body = writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"POST /api/queue/call_next HTTP/1.1\r\n") and body == b'{"counter_id":1}'
    assert b"\r\nContent-Length: 16" in head and b"\r\nAuthorization: Bearer abc" in head
    assert f"\r\nHost: 127.0.0.1:{canned.port}".encode() in head
    assert canned.requests == writes


def test_a_header_that_would_end_its_line_early_is_refused_before_anything_is_sent():
    canned = _Canned([b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"])
    with canned as url:
        transport = Transport(url)
        with pytest.raises(ValueError):
            transport.post("/x", b"{}", {"Authorization": "Bearer abc\r\nX-Admin: 1"})
        with pytest.raises(ValueError):
            transport.get("/x y")
        assert transport.get("/fine").status == 200
    assert len(canned.requests) == 1


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",  # the connection ends early
    b"nonsense\r\n\r\n",
    b"HTTP/1.1 2\xb2\xb2 OK\r\n\r\n",  # digits that are not ASCII
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nxx\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
])
def test_a_broken_answer_is_a_transport_error_and_the_connection_is_dropped(answer):
    canned = _Canned([answer, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"])
    with canned as url:
        transport = Transport(url, timeout_s=5)
        with pytest.raises(TransportError):
            transport.get("/broken")
        assert transport.get("/next").body == b"ok"
    assert canned.connections == 2



_PIECES = st.sampled_from([
    b"HTTP/1.1 200 OK\r\n", b"HTTP/1.0 404 Not Found\r\n", b"HTTP/1.1 100 Continue\r\n", b"\r\n",
    b"Content-Length: 3\r\n", b"Content-Length: x\r\n", b"Transfer-Encoding: chunked\r\n",
    b"Connection: close\r\n", b"3\r\nabc\r\n", b"0\r\n", b"ffffffff\r\n", b"abc", b":", b"\n", b"\xb2",
])


class _Pieces:
    """A socket that hands out the given pieces, one per recv (as TCP may cut an answer anywhere)."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = [p for p in pieces if p]

    def recv(self, size: int) -> bytes:
        if not self.pieces:
            return b""
        piece = self.pieces.pop(0)
        if len(piece) > size:
            self.pieces.insert(0, piece[size:])
        return piece[:size]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.binary(max_size=40)), max_size=12))
def test_whatever_a_server_sends_is_an_answer_or_a_typed_error(pieces):
    """The reader never raises anything but http.client's errors (which the transport turns into
    TransportError), never hangs and never reads past its limits, however the bytes arrive."""
    import http.client

    from baliedesk.client.transport import _Reader, _read_reply

    data = b"".join(pieces)
    reader = _Reader(_Pieces(pieces))
    try:
        reply, _keep = _read_reply(reader, "GET")
    except http.client.HTTPException:
        return
    assert not 100 <= reply.status < 200  # interim answers are passed over
    assert len(reply.body) + reader.pending <= len(data)


@given(st.lists(st.binary(min_size=1, max_size=30), max_size=10), st.integers(1, 50))
def test_the_reader_gives_back_exactly_what_arrived_in_lines_and_sizes(pieces, limit):
    from baliedesk.client.transport import _Reader

    data = b"".join(pieces)
    reader = _Reader(_Pieces(pieces))
    out = b""
    while True:
        line = reader.readline(limit)
        assert len(line) <= limit and (b"\n" not in line[:-1])
        if not line:
            break
        out += line
    assert out == data


def test_bytes_past_an_answer_drop_the_connection():
    canned = _Canned([b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbad",
                      b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood"])
    with canned as url:
        transport = Transport(url)
        assert transport.get("/a").body == b"ok"
        assert transport.get("/b").body == b"good"  # not the stray answer
    assert canned.connections == 2

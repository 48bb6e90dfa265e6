"""The remote client's HTTP: keep-alive connections to one server, on the standard library.

A workstation makes one small JSON request per click, so what a request costs
the counter PC matters more than features. ``http.client`` opens the
connections (TCP, TLS, a proxy tunnel); the requests and answers on them are
written and read here: a request leaves in one write (``http.client`` writes
the head and the body separately, which costs a second trip through the
kernel on both ends), and an answer's head is read without the e-mail
parser. 0.06-0.08 ms of CPU per request on loopback, where ``http.client``
alone took 0.14-0.17 ms and httpx 0.5 ms (``bench/README.md``). What it does:

* HTTPS verified against the system's certificate store plus certifi's (both,
  so a municipality's CA rolled out to Windows works as well as a public one),
  or against the municipality's own CA file only when one is given; host names
  are checked.
* A connect timeout, and a read timeout for the answer.
* Connections are reused; one the server closed while it lay idle is noticed
  before it is used (its socket reads as ready) and replaced, as httpcore does.
  A request is never sent twice.
* Answers of HTTP/1.1 and 1.0: a body by length, in chunks (as a reverse proxy
  may send it) or up to the end of the connection; interim (1xx) answers are
  passed over.
* A proxy from the environment (``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``),
  as httpx did: HTTPS through a CONNECT tunnel. Windows' own proxy settings are
  left alone, as before: the server is normally on the municipality's network.
* Thread-safe: each request has a connection of its own for its duration.
"""

from __future__ import annotations

import base64
import http.client
import json
import select
import socket
import ssl
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from baliedesk import __version__

USER_AGENT = f"BalieDesk/{__version__}"


class TransportError(Exception):
    """The server could not be reached or the connection broke (the cause is chained)."""


class TransportTimeout(TransportError):
    """The server did not connect or answer in time."""


class Headers(dict[str, str]):
    """An answer's header fields by lower-case name (a repeated field's values joined by ", ");
    ``get`` takes any case."""

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(name.lower(), default)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Headers
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """Verify the server: against ``ca_file`` alone when given, else the system's store plus certifi's."""
    if ca_file:
        return ssl.create_default_context(cafile=ca_file)
    context = ssl.create_default_context()
    try:
        import certifi
    except ImportError:  # pragma: no cover - certifi comes with httpx
        return context
    context.load_verify_locations(certifi.where())
    return context


class Transport:
    """Requests to the server at ``base_url`` (``https://host[:port][/prefix]``)."""

    def __init__(self, base_url: str, *, ca_file: str | None = None, timeout_s: float = 10.0,
                 connect_timeout_s: float = 5.0, max_idle: int = 8) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not a server address: {base_url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if self.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")
        self.timeout_s = timeout_s
        self.connect_timeout_s = min(connect_timeout_s, timeout_s)
        self.max_idle = max_idle
        self._tls = tls_context(ca_file) if self.scheme == "https" else None
        self._proxy = _proxy_for(self.scheme, self.host)
        #: A plain-HTTP proxy is sent the whole address (HTTPS goes through a CONNECT tunnel instead).
        self._via_http_proxy = self._proxy is not None and self.scheme == "http"
        self._idle: list[_Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    # -- requests ----------------------------------------------------------------
    def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        return self.request("GET", path, None, headers or {})

    def post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> Reply:
        return self.request("POST", path, body, {"Content-Type": "application/json", **(headers or {})})

    def request(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Reply:
        target = self.prefix + path
        sent_headers = {"Host": self._host_port(), "User-Agent": USER_AGENT, "Accept-Encoding": "identity",
                        **headers}
        if body is not None:
            sent_headers["Content-Length"] = str(len(body))
        if self._via_http_proxy:
            target = f"http://{self._host_port()}{target}"
            if self._proxy.authorization:
                sent_headers["Proxy-Authorization"] = self._proxy.authorization
        message = _request_bytes(method, target, sent_headers, body)
        conn = self._take()
        try:
            if conn.sock is None:
                conn.open()
                conn.sock.settimeout(self.timeout_s)
            conn.sock.sendall(message)
            reply, keep = _read_reply(conn.reader, method)
            keep = keep and not conn.reader.pending  # bytes past the answer: the connection is not trusted
        except (TimeoutError, socket.timeout) as exc:
            conn.close()
            raise TransportTimeout(f"{method} {path}: no answer in time") from exc
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise TransportError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        if keep:
            self._give_back(conn)
        else:
            conn.close()
        return reply

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    # -- the pool ------------------------------------------------------------------
    def _take(self) -> _Connection:
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                return self._new()
            if _still_open(conn):
                return conn
            conn.close()  # the server closed it while it lay idle (keep-alive timeout)

    def _give_back(self, conn: _Connection) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self.max_idle:
                self._idle.append(conn)
                return
        conn.close()

    def _new(self) -> _Connection:
        """A connection not yet opened: ``http.client`` opens it (TCP, the proxy's tunnel, TLS)."""
        host, port = (self._proxy.host, self._proxy.port) if self._proxy is not None else (self.host, self.port)
        opener: http.client.HTTPConnection
        if self.scheme == "https":
            opener = http.client.HTTPSConnection(host, port, timeout=self.connect_timeout_s, context=self._tls)
            if self._proxy is not None:
                tunnel_headers = {"Proxy-Authorization": self._proxy.authorization} if self._proxy.authorization else None
                opener.set_tunnel(self.host, self.port, headers=tunnel_headers)
        else:
            opener = http.client.HTTPConnection(host, port, timeout=self.connect_timeout_s)
        return _Connection(opener)

    def _host_port(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


class _Connection:
    """One connection to the server (or through the proxy): its socket, once open, and its reader."""

    def __init__(self, opener: http.client.HTTPConnection) -> None:
        self._opener = opener
        self.sock: socket.socket | None = None
        self.reader: _Reader | None = None

    def open(self) -> None:
        self._opener.connect()  # TCP (no Nagle delay), the CONNECT tunnel, TLS with the host name checked
        self.sock, self._opener.sock = self._opener.sock, None
        self.reader = _Reader(self.sock)

    def close(self) -> None:
        for part in (self.sock, self._opener):
            if part is not None:
                try:
                    part.close()
                except OSError:
                    pass
        self.sock = self.reader = None


class _Reader:
    """Lines and bodies from a socket, buffered; ``pending`` tells what was received and not yet read."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self._buffer = bytearray()

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def _fill(self) -> bool:
        data = self._sock.recv(65536)
        self._buffer += data
        return bool(data)

    def readline(self, limit: int) -> bytes:
        """Up to and with the next line break, at most ``limit`` bytes; less at the end of the connection."""
        while True:
            end = self._buffer.find(b"\n", 0, limit)
            if end >= 0:
                return self._take(end + 1)
            if len(self._buffer) >= limit or not self._fill():
                return self._take(min(limit, len(self._buffer)))

    def read(self, size: int) -> bytes:
        """``size`` bytes; less when the connection ends first."""
        while len(self._buffer) < size and self._fill():
            pass
        return self._take(min(size, len(self._buffer)))

    def _take(self, size: int) -> bytes:
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data


def _still_open(conn: _Connection) -> bool:
    """An idle kept-alive connection is fit for a request when nothing is waiting on it: a socket
    that reads as ready means the server closed it (or sent something unasked)."""
    sock = conn.sock
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


#: Longest status or header line, and most header lines, accepted in an answer (as http.client).
_MAX_LINE = 65536
_MAX_HEADERS = 100
_MAX_INTERIM = 10
#: The largest answer body read (a year's report as a spreadsheet is a few MB).
MAX_BODY_BYTES = 256 * 1024 * 1024


def _request_bytes(method: str, target: str, headers: dict[str, str], body: bytes | None) -> bytes:
    """The whole request, head and body, for one write; a line break or control character that
    would end a line early is refused (ValueError), as ``http.client`` does."""
    if any(c <= " " or c == "\x7f" for c in target):
        raise ValueError(f"a request target may not hold spaces or control characters: {target!r}")
    lines = [f"{method} {target} HTTP/1.1"]
    for name, value in headers.items():
        value = str(value)
        if any(c in "\r\n\x00" for c in name + value) or not name or ":" in name:
            raise ValueError(f"not a header field: {name!r}")
        lines.append(f"{name}: {value}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + body if body else head


def _line(reader: Any) -> bytes:
    line = reader.readline(_MAX_LINE + 1)
    if len(line) > _MAX_LINE:
        raise http.client.LineTooLong("answer line")
    return line


def _read_reply(reader: Any, method: str) -> tuple[Reply, bool]:
    """One answer from ``reader``; and whether the connection may carry another request."""
    for _ in range(_MAX_INTERIM + 1):
        status_line = _line(reader)
        if not status_line:
            raise http.client.RemoteDisconnected("the server closed the connection without an answer")
        parts = status_line.decode("latin-1").rstrip("\r\n").split(None, 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not _digits(parts[1]) or len(parts[1]) != 3:
            raise http.client.BadStatusLine(status_line[:200].decode("latin-1"))
        version, status = parts[0], int(parts[1])
        headers = Headers()
        for _ in range(_MAX_HEADERS + 1):
            line = _line(reader)
            if line in (b"\r\n", b"\n", b""):
                break
            name, colon, value = line.decode("latin-1").partition(":")
            if not colon:
                raise http.client.HTTPException(f"not a header line: {line[:100]!r}")
            name, value = name.strip().lower(), value.strip()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        else:
            raise http.client.HTTPException(f"more than {_MAX_HEADERS} header lines")
        if not 100 <= status < 200:
            break  # an interim answer (100 Continue, 103 Early Hints) is followed by the real one
    else:
        raise http.client.HTTPException("only interim answers")
    connection = {token.strip().lower() for token in headers.get("connection", "").split(",")}
    keep = "keep-alive" in connection if version == "HTTP/1.0" else "close" not in connection
    if method == "HEAD" or status in (204, 304):
        body = b""
    elif headers.get("transfer-encoding", "").lower().rsplit(",", 1)[-1].strip() == "chunked":
        body = _read_chunked(reader)
    elif "content-length" in headers:
        length = headers["content-length"].split(",")[0].strip()
        if not _digits(length) or int(length) > MAX_BODY_BYTES:
            raise http.client.HTTPException(f"bad Content-Length: {length[:40]!r}")
        body = reader.read(int(length))
        if len(body) < int(length):
            raise http.client.IncompleteRead(body, int(length) - len(body))
    else:  # the body runs to the end of the connection
        body, keep = reader.read(MAX_BODY_BYTES + 1), False
        if len(body) > MAX_BODY_BYTES:
            raise http.client.HTTPException("answer too large")
    return Reply(status, headers, body), keep


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _read_chunked(reader: Any) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        size_line = _line(reader)
        size_text = size_line.split(b";", 1)[0].strip()
        if not size_text or any(c not in b"0123456789abcdefABCDEF" for c in size_text):
            raise http.client.HTTPException(f"bad chunk size: {size_line[:40]!r}")
        size = int(size_text, 16)
        total += size
        if total > MAX_BODY_BYTES:
            raise http.client.HTTPException("answer too large")
        if size == 0:
            break
        chunk = reader.read(size)
        if len(chunk) < size or reader.read(2) not in (b"\r\n",):
            raise http.client.IncompleteRead(b"".join(parts) + chunk)
        parts.append(chunk)
    for _ in range(_MAX_HEADERS + 1):  # trailer fields: not used
        if _line(reader) in (b"\r\n", b"\n", b""):
            return b"".join(parts)
    raise http.client.HTTPException(f"more than {_MAX_HEADERS} trailer lines")


@dataclass(frozen=True)
class _Proxy:
    host: str
    port: int
    authorization: str | None


def _proxy_for(scheme: str, host: str) -> _Proxy | None:
    """The proxy the environment names for ``scheme``, unless NO_PROXY exempts ``host``."""
    proxies = urllib.request.getproxies_environment()
    address = proxies.get(scheme)
    if not address or urllib.request.proxy_bypass_environment(host, proxies):
        return None
    if "://" not in address:
        address = "http://" + address
    parts = urllib.parse.urlsplit(address)
    if not parts.hostname:
        return None
    authorization = None
    if parts.username is not None:
        user = urllib.parse.unquote(parts.username)
        password = urllib.parse.unquote(parts.password or "")
        authorization = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return _Proxy(parts.hostname, parts.port or 8080, authorization)

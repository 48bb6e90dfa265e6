"""The remote client's HTTP: keep-alive connections to one server, on the standard library.

A workstation makes one small JSON request per click, so what a request costs
the counter PC matters more than features: ``http.client`` over a pool of
kept-alive connections takes about 0.15 ms of CPU per call where httpx took
0.5 ms (measured on loopback; ``bench/README.md``). What it does:

* HTTPS verified against the system's certificate store plus certifi's (both,
  so a municipality's CA rolled out to Windows works as well as a public one),
  or against the municipality's own CA file only when one is given; host names
  are checked.
* A connect timeout, and a read timeout for the answer.
* Connections are reused; one the server closed while it lay idle is noticed
  before it is used (its socket reads as ready) and replaced, as httpcore does.
  A request is never sent twice.
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


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Any  # http.client.HTTPMessage: case-insensitive ``get``
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
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._closed = False

    # -- requests ----------------------------------------------------------------
    def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        return self.request("GET", path, None, headers or {})

    def post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> Reply:
        return self.request("POST", path, body, {"Content-Type": "application/json", **(headers or {})})

    def request(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Reply:
        conn = self._take()
        target = self.prefix + path
        sent_headers = {"User-Agent": USER_AGENT, **headers}
        if self._via_http_proxy:
            target = f"http://{self._host_port()}{target}"
            if self._proxy.authorization:
                sent_headers["Proxy-Authorization"] = self._proxy.authorization
        try:
            if conn.sock is None:
                conn.connect()
                conn.sock.settimeout(self.timeout_s)
            conn.request(method, target, body=body, headers=sent_headers)
            response = conn.getresponse()
            reply = Reply(response.status, response.headers, response.read())
        except (TimeoutError, socket.timeout) as exc:
            conn.close()
            raise TransportTimeout(f"{method} {path}: no answer in time") from exc
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise TransportError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        if response.will_close:
            conn.close()
        else:
            self._give_back(conn)
        return reply

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    # -- the pool ------------------------------------------------------------------
    def _take(self) -> http.client.HTTPConnection:
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                return self._new()
            if _still_open(conn):
                return conn
            conn.close()  # the server closed it while it lay idle (keep-alive timeout)

    def _give_back(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self.max_idle:
                self._idle.append(conn)
                return
        conn.close()

    def _new(self) -> http.client.HTTPConnection:
        host, port = (self._proxy.host, self._proxy.port) if self._proxy is not None else (self.host, self.port)
        conn: http.client.HTTPConnection
        if self.scheme == "https":
            conn = http.client.HTTPSConnection(host, port, timeout=self.connect_timeout_s, context=self._tls)
            if self._proxy is not None:
                tunnel_headers = {"Proxy-Authorization": self._proxy.authorization} if self._proxy.authorization else None
                conn.set_tunnel(self.host, self.port, headers=tunnel_headers)
        else:
            conn = http.client.HTTPConnection(host, port, timeout=self.connect_timeout_s)
        return conn

    def _host_port(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def _still_open(conn: http.client.HTTPConnection) -> bool:
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

"""The remote client (central mode): the same door, over the BalieDesk server.

Every call is ``POST /api/<module>/<function>`` with the caller's arguments
(see :mod:`baliedesk.server.app`); the answer is the same DTO or the same
typed error as in-process, decoded by :mod:`baliedesk.services.wire`. The
workstation holds a session token, never database credentials. The server's
clock is the one that counts; :meth:`RemoteClient.now` follows it (the local
clock corrected by the offset the server's answers report) for showing live
times.

A server that does not answer in time, or cannot be reached, is a
:class:`~baliedesk.domain.errors.StorageUnavailable`, like a lost database on
one PC: the windows already say "verbinding weg" and keep what was typed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any

from baliedesk.client.base import Client, SignedIn
from baliedesk.client.transport import Reply, Transport, TransportError, TransportTimeout, tls_context
from baliedesk.domain.errors import DomainError, NotSignedInHere, PasswordChangeRequired, StorageUnavailable
from baliedesk.services import wire
from baliedesk.services.catalogue import Operation
from baliedesk.services.context import WORKSTATION_HEADER

log = logging.getLogger(__name__)

TIME_HEADER = "X-BalieDesk-Time"
DEFAULT_TIMEOUT_S = 10.0


@dataclass(eq=False)
class ServerNotTrusted(StorageUnavailable):
    """The server's certificate could not be verified (unknown CA, wrong name, expired): nothing was sent.

    A kind of :class:`StorageUnavailable` (the windows say the connection is
    away and keep what was typed); the workstation never talks to a server it
    cannot verify.
    """


#: Dutch wording for the windows (to be wired into ui/common/messages.py): what the clerk reads.
SERVER_NOT_TRUSTED_TEXT = ("De server is niet te vertrouwen: zijn certificaat klopt niet. Er is niets "
                           "verstuurd. Waarschuw de beheerder.")


def certificate_problem(exc: BaseException) -> str | None:
    """Why TLS verification failed, when ``exc`` (or what caused it) is a certificate error."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return current.verify_message or str(current)
        if "CERTIFICATE_VERIFY_FAILED" in str(current):
            return "certificate verify failed"
        current = current.__cause__ or current.__context__
    return None


class RemoteClient(Client):
    """A workstation's door to the server at ``base_url`` (``https://baliedesk.gemeente.nl``).

    ``token``: a session token (after sign-in) or a device token (kiosk, hall
    screen). ``ca_file``: the municipality's own CA certificate, when the server's
    certificate is not signed by a public CA. ``workstation``: the name this
    workstation gives itself on every call (default: this computer's name); the
    audit log records it beside the address the server sees.
    """

    def __init__(self, base_url: str, *, token: str | None = None, user_id: int | None = None,
                 ca_file: str | None = None, timeout_s: float = DEFAULT_TIMEOUT_S,
                 http: Transport | None = None, workstation: str | None = None) -> None:
        super().__init__(user_id if token else None, workstation)
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.ca_file = ca_file
        self.timeout_s = timeout_s
        self._owns_http = http is None
        self._http = http or Transport(self.base_url, ca_file=ca_file, timeout_s=timeout_s)
        self._offset = dt.timedelta(0)  # server clock minus local clock
        self._must_change = False

    # -- calls -------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        headers = {WORKSTATION_HEADER: self.workstation} if self.workstation else {}  # readable when set
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _call(self, op: Operation, arguments: dict[str, Any]) -> Any:
        body = {name: wire.encode(value) for name, value in arguments.items()}
        return self._post(f"/api/{op.module}/{op.function}", body, op.name)

    def invoke(self, op: Operation, arguments: dict[str, Any]) -> Any:
        if op.needs_backend and self.token is None and not op.public:
            raise NotSignedInHere(op.name)
        if not op.needs_backend:
            return op.func(**arguments)
        if self._must_change:
            raise PasswordChangeRequired(self.user_id or 0)
        return self._call(op, arguments)

    def _post(self, path: str, body: dict[str, Any], what: str) -> Any:
        response = self._request(what, path, json.dumps(body, ensure_ascii=False).encode())
        self._note_time(response)
        return self._result(response, what)

    def _request(self, what: str, path: str, body: bytes | None = None) -> Reply:
        """POST ``body`` (GET without one); a server that cannot be reached, does not answer in time
        or cannot be verified is a StorageUnavailable (ServerNotTrusted for the certificate)."""
        try:
            if body is None:
                return self._http.get(path)
            return self._http.post(path, body, self._headers())
        except TransportTimeout as exc:
            raise StorageUnavailable(f"server did not answer in time ({what})") from exc
        except TransportError as exc:
            problem = certificate_problem(exc)
            if problem is not None:
                raise ServerNotTrusted(f"server certificate not trusted ({what}): {problem}") from exc
            raise StorageUnavailable(f"server unreachable ({what}): {type(exc).__name__}") from exc

    def _note_time(self, response: Reply) -> None:
        stamp = response.headers.get(TIME_HEADER)
        if not stamp:
            return
        try:
            server = dt.datetime.fromisoformat(stamp)
        except ValueError:
            return
        if server.tzinfo is not None:
            self._offset = server - dt.datetime.now(dt.UTC)

    def _result(self, response: Reply, what: str) -> Any:
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status == 200 and isinstance(data, dict) and "ok" in data:
            return wire.decode(data["ok"])
        error = data.get("error") if isinstance(data, dict) else None
        if error is not None:
            decoded = wire.decode(error)
            if isinstance(decoded, DomainError):
                raise decoded
        if response.status == 401:
            raise NotSignedInHere(what)
        if response.status in (502, 503, 504):
            raise StorageUnavailable(f"server answered {response.status} ({what})")
        reason = data.get("reason") if isinstance(data, dict) else response.text[:200]
        raise RuntimeError(f"server answered {response.status} to {what}: {reason}")

    def sync_clock(self) -> dt.datetime:
        """Ask the server its time now (``/api/health``, no token): before a window shows any clock."""
        self._note_time(self._request("health", "/api/health"))
        return self.now()

    def health(self) -> dict[str, Any]:
        """The server's ``/api/health`` (no token needed): raises StorageUnavailable when the
        server cannot be reached or answers 502/503/504, as every call does."""
        response = self._request("health", "/api/health")
        if response.status in (502, 503, 504):
            raise StorageUnavailable(f"server answered {response.status} (health)")
        if response.status != 200:
            raise RuntimeError(f"server answered {response.status} to health")
        self._note_time(response)
        try:
            data = response.json()
        except ValueError:
            data = None
        return data if isinstance(data, dict) else {}

    # -- signing in -----------------------------------------------------------
    def sign_in(self, username: str, password: str) -> SignedIn:
        result = self._post("/api/auth/sign-in", {"username": username, "password": password}, "sign-in")
        return SignedIn(self._signed(result), result)

    def change_password(self, old_password: str, new_password: str) -> RemoteClient:
        if self.token is None:
            raise NotSignedInHere("change_password")
        result = self._post("/api/auth/change-password",
                            {"old_password": old_password, "new_password": new_password}, "change-password")
        return self._signed(result)

    def sign_out(self) -> None:
        if self.token is not None:
            try:
                self._post("/api/auth/sign-out", {}, "sign-out")
            except DomainError:
                pass  # already ended on the server: signed out all the same
            self.token = None

    def redeem_device_code(self, code: str) -> Any:
        """A kiosk or hall screen exchanges its one-time enrolment code for its own token (DeviceSignIn)."""
        return self._post("/api/auth/device", {"code": code}, "device enrolment")

    def whoami(self) -> Any:
        """The Principal of this client's token (a device learns its account and location)."""
        return self._post("/api/auth/me", {}, "me")

    @property
    def must_change_password(self) -> bool:
        return self._must_change

    def _signed(self, result: Any) -> RemoteClient:
        twin = self.with_token(result.token, result.user.id)
        twin._must_change = bool(result.must_change_password)
        return twin

    # -- the Client interface ------------------------------------------------
    @property
    def signed_in(self) -> bool:
        return self.token is not None

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self._offset

    def as_user(self, user_id: int) -> Client:
        raise NotSignedInHere("as_user: on a server, people sign in with their own password")

    def with_token(self, token: str, user_id: int | None) -> RemoteClient:
        """The same workstation signed in as the holder of ``token`` (one HTTP connection pool)."""
        twin = RemoteClient(self.base_url, token=token, user_id=user_id, ca_file=self.ca_file,
                            timeout_s=self.timeout_s, http=self._http, workstation=self.workstation)
        twin._owns_http = False
        twin._offset = self._offset
        return twin

    def open_feed(self, **kwargs: Any) -> RemoteFeed:
        return RemoteFeed(self.base_url, self.token, ca_file=self.ca_file, **kwargs)

    def describe(self) -> str:
        return f"server {self.base_url}"

    def close(self) -> None:
        if self._owns_http:
            self._http.close()


class RemoteFeed:
    """The server's change feed over a WebSocket, with the ChangeFeed protocol.

    ``wait(timeout)`` is True when something may have changed: a change
    message, or a connection made again after it was lost (the window re-reads
    and so catches up by itself). ``connected``: the server is reachable and
    says its database is.
    """

    def __init__(self, base_url: str, token: str | None, *, ca_file: str | None = None,
                 retry_s: float = 1.0, first_wait_s: float = 6.0, **_ignored: Any) -> None:
        url = base_url.rstrip("/")
        self.url = ("wss://" + url[len("https://"):] if url.startswith("https://")
                    else "ws://" + url[len("http://"):] if url.startswith("http://") else url) + "/api/feed"
        self.token = token
        self.ssl = tls_context(ca_file) if url.startswith("https://") else None
        self.retry_s = retry_s
        self._changed = threading.Event()
        self._stop = threading.Event()
        self._connected = False
        #: Why the last connection failed on TLS (the server's certificate was not trusted), else None.
        self.certificate_problem: str | None = None
        self._ws: Any = None
        self._first = threading.Event()  # the first connection attempt has ended, either way
        self._thread = threading.Thread(target=self._run, name="baliedesk-remote-feed", daemon=True)
        self._thread.start()
        # ``connected`` tells the truth from the start: a window reading False here would take the
        # first connection for a reconnection (and clear the error it is showing).
        self._first.wait(first_wait_s)

    @property
    def connected(self) -> bool:
        return self._connected

    def wait(self, timeout: float) -> bool:
        woke = self._changed.wait(timeout)
        if woke:
            self._changed.clear()
        return woke

    def close(self) -> None:
        self._stop.set()
        ws = self._ws
        if ws is not None:
            try:
                ws.close()
            except Exception:  # noqa: BLE001
                pass
        self._thread.join(3)

    def _run(self) -> None:
        from websockets.sync.client import connect

        while not self._stop.is_set():
            try:
                kwargs: dict[str, Any] = {"additional_headers": {"Authorization": f"Bearer {self.token}"},
                                          "open_timeout": 5, "close_timeout": 1}
                if self.url.startswith("wss://") and self.ssl is not None:
                    kwargs["ssl"] = self.ssl
                with connect(self.url, **kwargs) as ws:
                    self._ws = ws
                    while not self._stop.is_set():
                        try:
                            raw = ws.recv(timeout=1.0)
                        except TimeoutError:
                            continue
                        message = json.loads(raw)
                        kind = message.get("type")
                        if kind == "hello":
                            self._connected = bool(message.get("connected", True))
                            self.certificate_problem = None
                            self._changed.set()  # (re)connected: catch up
                            self._first.set()
                        elif kind == "connection":
                            self._connected = bool(message.get("connected"))
                            self._changed.set()
                        elif kind == "changed":
                            self._changed.set()
            except Exception as exc:  # noqa: BLE001 - reconnect whatever happened
                problem = certificate_problem(exc)
                if problem is not None and problem != self.certificate_problem:
                    log.warning("remote feed: the server's certificate is not trusted (%s)", problem)
                self.certificate_problem = problem
                if not self._stop.is_set():
                    log.info("remote feed: %s; reconnecting", type(exc).__name__)
            finally:
                self._ws = None
                if self._connected:
                    self._connected = False
                    self._changed.set()  # the window notices the connection state
                self._first.set()
            self._stop.wait(self.retry_s)
            time.sleep(0)

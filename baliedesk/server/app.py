"""The BalieDesk server: the services over HTTPS, for workstations in central mode.

One route per operation of :mod:`baliedesk.services.catalogue` (``POST
/api/<module>/<function>``, the caller's arguments as a JSON object by name),
so the server and the in-process client offer exactly the same operations. The
server fills in who acts (from the bearer token) and when (its own clock); a
request that carries ``user_id`` or ``now`` is refused like any other unknown
argument. Results and typed errors cross as :mod:`baliedesk.services.wire` JSON.

Routes without a token: ``/api/health``, ``/api/openapi.json``, sign-in and
device enrolment (``/api/auth/...``, when a sign-in method is given) and the
public tracking page ``/volg/<code>``. Every other route answers 401 without a
valid token; the services answer 403 (PermissionDenied) for the wrong role.

Live changes: ``/api/feed`` (WebSocket, token in the Authorization header)
sends ``{"type": "changed"}`` whenever the database's change feed wakes (one
feed per server process, fanned out to every connected workstation).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import threading
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from baliedesk import __version__
from baliedesk.domain import errors as e
from baliedesk.services import tracking, wire
from baliedesk.services.catalogue import Operation, operations
from baliedesk.services.ports import Backend

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
#: The header that carries the server's clock on every answer (clients correct their display clock by it).
TIME_HEADER = "X-BalieDesk-Time"
#: Request bodies larger than this are refused (413): photos are the largest thing a window sends.
MAX_BODY_BYTES = 12 * 1024 * 1024


class SessionInvalid(Exception):
    """No token, or one that is unknown, expired or revoked: 401."""

    def __init__(self, reason: str = "missing") -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Principal:
    """Who a token stands for: a person or a device (both act through a user id)."""

    user_id: int
    kind: str = "person"  # or "device"


#: Token -> Principal at ``now``; raises SessionInvalid (or a typed auth error) when the token does not hold.
Resolver = Callable[[str, dt.datetime], Principal]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


#: HTTP status per kind of typed error; other domain errors are conflicts (409).
_STATUS: tuple[tuple[type[BaseException], int], ...] = (
    (e.PermissionDenied, 403),
    (e.InactiveUser, 403),
    (e.NotFound, 404),
    (e.ValidationError, 422),
    (e.NotSignedInHere, 401),
    (e.StorageUnavailable, 503),
)


def status_for(err: BaseException) -> int:
    for kind, status in _STATUS:
        if isinstance(err, kind):
            return status
    return 409


def _error(status: int, err: BaseException | None = None, *, reason: str = "") -> JSONResponse:
    body: dict[str, Any] = {"error": wire.encode(err) if err is not None else None}
    if reason:
        body["reason"] = reason
    return JSONResponse(body, status_code=status)


class FeedHub:
    """One change feed of the database per server process, fanned out to every WebSocket."""

    def __init__(self, backend: Backend, poll_s: float = 0.5) -> None:
        self.backend = backend
        self.poll_s = poll_s
        self.connected = False
        self.seq = 0
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._thread = threading.Thread(target=self._run, name="baliedesk-feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=64)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._subscribers.discard(queue)

    def _publish(self, message: dict[str, Any]) -> None:  # on the event loop
        for queue in list(self._subscribers):
            if queue.full():  # a slow reader: one "changed" is as good as many
                continue
            queue.put_nowait(message)

    def _emit(self, message: dict[str, Any]) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._publish, message)

    def _run(self) -> None:
        feed = None
        while not self._stop.is_set():
            try:
                if feed is None:
                    feed = self.backend.open_feed()
                woke = feed.wait(self.poll_s)
                connected = bool(feed.connected)
            except Exception:  # noqa: BLE001 - keep serving; say the database is away
                log.warning("server: change feed failed; opening it again", exc_info=True)
                if feed is not None:
                    try:
                        feed.close()
                    except Exception:  # noqa: BLE001
                        pass
                feed, woke, connected = None, False, False
                self._stop.wait(1.0)
            if connected != self.connected:
                self.connected = connected
                self._emit({"type": "connection", "connected": connected})
            if woke:
                self.seq += 1
                self._emit({"type": "changed", "seq": self.seq})
        if feed is not None:
            feed.close()


def session_resolver(backend: Backend) -> Resolver:
    """Tokens are the sessions of :mod:`baliedesk.services.auth` (people and enrolled devices)."""
    from baliedesk.services import auth

    def resolve(token: str, now: dt.datetime) -> Principal:
        p = auth.resolve_session(backend, token, now)
        return Principal(p.user_id, p.kind)

    return resolve


def create_app(backend: Backend, *, resolver: Resolver | None = None, clock: Clock | None = None,
               feed_poll_s: float = 0.5) -> FastAPI:
    """The ASGI application over ``backend``.

    ``resolver`` turns a bearer token into a :class:`Principal` (default: the
    sign-in sessions); ``clock`` is the server's clock (the only one the
    services see).
    """
    from baliedesk.server import auth_routes

    now_of: Clock = clock or _utc_now
    resolver = resolver or session_resolver(backend)
    hub = FeedHub(backend, poll_s=feed_poll_s)
    from baliedesk.server.housekeeping import Housekeeping

    housekeeping = Housekeeping(backend, now_of)  # retention daily, old sign-in records purged (hourly)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        hub.start(asyncio.get_running_loop())
        housekeeping.start()
        try:
            yield
        finally:
            await run_in_threadpool(hub.stop)
            await run_in_threadpool(housekeeping.stop)

    app = FastAPI(title="BalieDesk", version=__version__, openapi_url="/api/openapi.json", docs_url=None,
                  redoc_url=None, lifespan=lifespan)
    app.state.backend = backend
    app.state.hub = hub
    app.state.housekeeping = housekeeping
    app.state.public_paths = {"/api/health", "/api/openapi.json", "/volg/{code}"} | {
        f"/api/{op.module}/{op.function}" for op in operations().values() if op.public}

    @app.middleware("http")
    async def server_time(request: Request, call_next):
        response: Response = await call_next(request)
        response.headers[TIME_HEADER] = now_of().isoformat()
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    def principal_of(authorization: str | None, now: dt.datetime) -> Principal:
        if not authorization or not authorization.lower().startswith("bearer "):
            raise SessionInvalid("missing")
        token = authorization[7:].strip()
        if not token or len(token) > 512:
            raise SessionInvalid("malformed")
        return resolver(token, now)

    async def read_json(request: Request) -> dict[str, Any]:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
            raise _TooLarge()
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise _TooLarge()
            chunks.append(chunk)
        raw = b"".join(chunks)
        if not raw.strip():
            return {}
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise _BadRequest("malformed JSON") from exc
        if not isinstance(data, dict):
            raise _BadRequest("the body must be a JSON object of arguments by name")
        return data

    def endpoint_for(op: Operation):
        async def endpoint(request: Request) -> Response:
            now = now_of()
            if op.public:
                principal = Principal(0, "nobody")  # acts as no one (see catalogue.PUBLIC)
            else:
                try:
                    principal = await run_in_threadpool(principal_of, request.headers.get("authorization"), now)
                except SessionInvalid as exc:
                    return _error(401, reason=exc.reason)
                except e.DomainError as exc:  # the sign-in method's own typed errors (expired, revoked ...)
                    return _error(401, exc)
            try:
                body = await read_json(request)
                arguments = op.bind((), {k: wire.decode(v) for k, v in body.items()})
            except _TooLarge:
                return _error(413, reason="too large")
            except (_BadRequest, wire.WireError) as exc:
                return _error(400, reason=str(exc))
            except TypeError as exc:  # unknown or missing arguments (user_id and now among them)
                return _error(422, reason=str(exc))
            try:
                result = await run_in_threadpool(op.call, backend, principal.user_id, now, arguments)
                return JSONResponse({"ok": wire.encode(result)})
            except e.DomainError as exc:
                return _error(status_for(exc), exc)
            except Exception:  # noqa: BLE001 - logged here; the client gets no traceback
                log.exception("server: %s failed", op.name)
                return _error(500, reason="internal error")

        endpoint.__name__ = op.name.replace(".", "_")
        return endpoint

    bearer = [{"bearer": []}]
    for op in operations().values():
        if not op.needs_backend:
            continue  # pure checks run in the client
        properties = {name: {} for name in op.signature.parameters}
        required = [name for name, p in op.signature.parameters.items() if p.default is p.empty]
        app.add_api_route(
            f"/api/{op.module}/{op.function}", endpoint_for(op), methods=["POST"], name=op.name,
            summary=(op.func.__doc__ or op.name).strip().splitlines()[0],
            openapi_extra={"security": [] if op.public else bearer, "requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "properties": properties, "required": required,
                "additionalProperties": False}}}}},
        )

    @app.get("/api/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "version": __version__, "database_connected": hub.connected,
                "time": now_of().isoformat()}

    @app.get("/volg/{code}", response_class=HTMLResponse)
    async def tracking_page(code: str) -> HTMLResponse:
        from baliedesk.server.pages import tracking_html

        try:
            status = await run_in_threadpool(tracking.public_status, backend, code[:64], now_of())
        except (e.NotFound, e.ValidationError):
            return HTMLResponse(tracking_html(None, code[:64]), status_code=404)
        except e.StorageUnavailable:
            return HTMLResponse(tracking_html(None, code[:64], unavailable=True), status_code=503)
        return HTMLResponse(tracking_html(status, code[:64]))

    @app.websocket("/api/feed")
    async def feed(ws: WebSocket) -> None:
        try:
            await run_in_threadpool(principal_of, ws.headers.get("authorization"), now_of())
        except (SessionInvalid, e.DomainError):
            await ws.close(code=4401)
            return
        await ws.accept()
        queue = hub.subscribe()
        try:
            await ws.send_json({"type": "hello", "connected": hub.connected, "seq": hub.seq,
                                "time": now_of().isoformat()})
            while True:
                receive = asyncio.ensure_future(ws.receive())
                get = asyncio.ensure_future(queue.get())
                done, pending = await asyncio.wait({receive, get}, return_when=asyncio.FIRST_COMPLETED)
                for task in pending:
                    task.cancel()
                if receive in done:
                    message = receive.result()
                    if message.get("type") == "websocket.disconnect":
                        return
                if get in done:
                    await ws.send_json(get.result())
        except (WebSocketDisconnect, RuntimeError):
            return
        finally:
            hub.unsubscribe(queue)

    openapi = app.openapi

    def openapi_with_bearer() -> dict[str, Any]:
        schema = openapi()
        schema.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = {
            "type": "http", "scheme": "bearer"}
        return schema

    app.openapi = openapi_with_bearer  # type: ignore[method-assign]
    auth_routes.install(app, backend, now_of)
    app.state.public_paths |= {"/api/auth/sign-in", "/api/auth/device"}
    return app


class _TooLarge(Exception):
    pass


class _BadRequest(Exception):
    pass

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
import functools
import json
import logging
import threading
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from baliedesk import __version__
from baliedesk.domain import errors as e
from baliedesk.server.lanes import Lane
from baliedesk.services import tracking, wire
from baliedesk.services.context import WORKSTATION_HEADER, seen_from, workstation
from baliedesk.services.catalogue import Operation, operations
from baliedesk.services.ports import Backend

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
#: The header that carries the server's clock on every answer (clients correct their display clock by it).
TIME_HEADER = "X-BalieDesk-Time"
#: Request bodies larger than this are refused (413): photos are the largest thing a window sends.
MAX_BODY_BYTES = 12 * 1024 * 1024
#: Operations that run at once per server process, in each lane (see :func:`lane_of`). Python runs one
#: thread at a time per process: a few threads keep the database's waits overlapped, many threads only
#: take the lock from each other (bench/README.md: "volgende" at 8 workstations, 2.56 with 40 threads,
#: 1.86-2.01 with 3). More processes (``server --processes N``) use more cores.
DEFAULT_CALL_THREADS = 3
#: Modules whose operations read much (the norms dashboard and its exports, the audit log, retention,
#: the set-up file): they take turns in a lane of their own, so a team lead's year report never keeps
#: a counter's "volgende" waiting.
HEAVY_MODULES = frozenset({"reports", "privacy", "retention", "setupfile"})


def lane_of(op: Operation) -> str:
    """"heavy" for operations that read much, "counter" for the rest (the counters' and devices' calls)."""
    return "heavy" if op.module in HEAVY_MODULES else "counter"


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
    expires_at: dt.datetime | None = None  # the session's absolute end (a cache never answers past it)


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


def _error(status: int, err: BaseException | None = None, *, reason: str = "") -> tuple[int, bytes]:
    """An operation's refusal: the status and a JSON body with the typed error (or a reason)."""
    body: dict[str, Any] = {"error": wire.encode(err) if err is not None else None}
    if reason:
        body["reason"] = reason
    return status, _json(body)


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


class FeedHub:
    """One change feed of the database per server process, fanned out to every WebSocket."""

    def __init__(self, backend: Backend, poll_s: float = 0.5,
                 on_change: Callable[[set[str]], None] | None = None) -> None:
        self.backend = backend
        self.poll_s = poll_s
        self.on_change = on_change  # on the feed's thread, with the topics heard (empty: not known)
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
        # Nobody connected (a server with only windows' calls, between sessions): the event loop is not
        # woken for nothing. A WebSocket that subscribes meanwhile is told the newest seq in its hello.
        if self._subscribers and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._publish, message)

    def _tell(self, topics: set[str]) -> None:
        if self.on_change is not None:
            try:
                self.on_change(topics)
            except Exception:  # noqa: BLE001 - a listener never stops the feed
                log.exception("server: change listener failed")

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
                self._tell(set())  # a feed that was away may have missed changes: not known which
                self._emit({"type": "connection", "connected": connected})
            if woke:
                topics: set[str] = set()
                if feed is not None and hasattr(feed, "topics"):  # PostgreSQL says what changed
                    topics = set(feed.topics)
                    feed.topics.clear()
                self._tell(topics)
                self.seq += 1
                self._emit({"type": "changed", "seq": self.seq})
        if feed is not None:
            feed.close()


def session_resolver(backend: Backend) -> Resolver:
    """Tokens are the sessions of :mod:`baliedesk.services.auth` (people and enrolled devices), kept
    for a moment per process (:class:`~baliedesk.server.sessions.SessionCache`; the feed makes every
    process forget them when one is signed out or revoked)."""
    from baliedesk.server.sessions import SessionCache
    from baliedesk.services import auth

    def resolve(token: str, now: dt.datetime) -> Principal:
        p = auth.resolve_session(backend, token, now)
        return Principal(p.user_id, p.kind, p.expires_at)

    return SessionCache(resolve, expires_at=lambda p: p.expires_at)


def create_app(backend: Backend, *, resolver: Resolver | None = None, clock: Clock | None = None,
               feed_poll_s: float = 0.5, call_threads: int = DEFAULT_CALL_THREADS,
               owns_backend: bool = False) -> FastAPI:
    """The ASGI application over ``backend``.

    ``resolver`` turns a bearer token into a :class:`Principal` (default: the
    sign-in sessions); ``clock`` is the server's clock (the only one the
    services see); ``call_threads``: operations that run at once per lane;
    ``owns_backend``: the application disposes the backend when it stops (a
    worker process of ``server --processes N``, which made the backend for it).
    """
    if call_threads < 1:
        raise ValueError("call_threads must be at least 1")
    from baliedesk.server import auth_routes

    now_of: Clock = clock or _utc_now
    resolver = resolver or session_resolver(backend)
    heard = getattr(resolver, "heard", None)  # a resolver that keeps sessions forgets them on the feed's word
    hub = FeedHub(backend, poll_s=feed_poll_s, on_change=heard)
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
            for lane in lanes.values():
                await run_in_threadpool(lane.close)
            dispose = getattr(backend, "dispose", None) if owns_backend else None
            if callable(dispose):
                await run_in_threadpool(dispose)

    app = _App(title="BalieDesk", version=__version__, openapi_url="/api/openapi.json", docs_url=None,
                  redoc_url=None, lifespan=lifespan)
    app.state.backend = backend
    app.state.hub = hub
    app.state.housekeeping = housekeeping
    app.state.public_paths = {"/api/health", "/api/openapi.json", "/volg/{code}"} | {
        f"/api/{op.module}/{op.function}" for op in operations().values() if op.public}

    def principal_of(authorization: str | None, now: dt.datetime) -> Principal:
        if not authorization or not authorization.lower().startswith("bearer "):
            raise SessionInvalid("missing")
        token = authorization[7:].strip()
        if not token or len(token) > 512:
            raise SessionInvalid("malformed")
        return resolver(token, now)

    def parse_json(raw: bytes) -> dict[str, Any]:
        if not raw.strip():
            return {}
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise _BadRequest("malformed JSON") from exc
        if not isinstance(data, dict):
            raise _BadRequest("the body must be a JSON object of arguments by name")
        return data

    # The operations' threads (see lanes.py), started at the first call, stopped with the server.
    lanes = {name: Lane(name, call_threads) for name in ("counter", "heavy")}

    def handler_for(op: Operation) -> Callable[[Any, Any], Any]:
        def work(authorization: str | None, raw: bytes, now: dt.datetime, seen: str) -> tuple[int, bytes]:
            """On a worker thread, in one hop: who asks (401 first), the arguments, the call, the answer."""
            if op.public:
                principal = Principal(0, "nobody")  # acts as no one (see catalogue.PUBLIC)
            else:
                try:
                    principal = principal_of(authorization, now)
                except SessionInvalid as exc:
                    return _error(401, reason=exc.reason)
                except e.DomainError as exc:  # the sign-in method's own typed errors (expired, revoked ...)
                    return _error(401, exc)
            try:
                arguments = op.bind((), {k: wire.decode(v) for k, v in parse_json(raw).items()})
            except (_BadRequest, wire.WireError) as exc:
                return _error(400, reason=str(exc))
            except TypeError as exc:  # unknown or missing arguments (user_id and now among them)
                return _error(422, reason=str(exc))
            token = workstation.set(seen)  # the audit log's "which workstation", for this call
            try:
                return 200, _json({"ok": wire.encode(op.call(backend, principal.user_id, now, arguments))})
            except e.DomainError as exc:
                return _error(status_for(exc), exc)
            except Exception:  # noqa: BLE001 - logged here; the client gets no traceback
                log.exception("server: %s failed", op.name)
                return _error(500, reason="internal error")
            finally:
                workstation.reset(token)

        lane = lanes[lane_of(op)]

        async def handle(scope: Any, receive: Any) -> tuple[int, bytes]:
            now = now_of()
            headers = dict(scope.get("headers") or ())
            authorization = headers.get(b"authorization", b"").decode("latin-1") or None
            if not op.public and not authorization:
                return _error(401, reason="missing")
            try:
                raw = await _read_body(receive, headers.get(b"content-length"))
            except _TooLarge:
                return _error(413, reason="too large")
            return await lane.run(functools.partial(work, authorization, raw, now, workstation_of(scope, headers)))

        return handle

    handlers = {f"/api/{op.module}/{op.function}": handler_for(op)
                for op in operations().values() if op.needs_backend}

    def endpoint_for(op: Operation, handle: Callable[[Any, Any], Any]):
        async def endpoint(request: Request) -> Response:  # what openapi.json describes (see _App)
            status, content = await handle(request.scope, request.receive)
            return Response(content, status_code=status, media_type="application/json",
                            headers={TIME_HEADER: now_of().isoformat(), "Cache-Control": "no-store"})

        endpoint.__name__ = op.name.replace(".", "_")
        return endpoint

    bearer = [{"bearer": []}]
    for op in operations().values():
        if not op.needs_backend:
            continue  # pure checks run in the client
        properties = {name: {} for name in op.signature.parameters}
        required = [name for name, p in op.signature.parameters.items() if p.default is p.empty]
        app.add_api_route(
            f"/api/{op.module}/{op.function}", endpoint_for(op, handlers[f"/api/{op.module}/{op.function}"]),
            methods=["POST"], name=op.name,
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
    app.operations = handlers  # answered before the middleware stack (see _App)
    app.now_of = now_of
    app.add_middleware(_ServerTime, now_of=now_of)  # the other routes' answers
    auth_routes.install(app, backend, now_of, forget=getattr(resolver, "clear", None))
    app.state.public_paths |= {"/api/auth/sign-in", "/api/auth/device"}
    return app


class _ServerTime:
    """Pure ASGI middleware: the server's clock (and no-store) on every HTTP answer.

    Not Starlette's ``@app.middleware("http")``: that wraps every request in a
    task and a stream of its own, which cost more than the rest of a call.
    """

    def __init__(self, app: Any, now_of: Clock) -> None:
        self.app = app
        self.now_of = now_of

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_time(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                names = {name.lower() for name, _ in headers}
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                if TIME_HEADER.lower().encode() not in names:  # an operation's answer has it already
                    headers.append((TIME_HEADER.lower().encode(), self.now_of().isoformat().encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_time)


class _App(FastAPI):
    """FastAPI, with ``POST /api/<module>/<function>`` answered by one dict look-up before its stack.

    The same handlers sit behind FastAPI's routes (so openapi.json lists every
    operation with its arguments); this only skips the framework's middleware,
    routing and request machinery on the path every workstation call takes
    (the handlers catch their own errors and give a status and a body; this sends them with the
    server's clock as two ASGI messages).
    Anything else (another method or path, WebSocket, lifespan) goes to FastAPI.
    """

    operations: dict[str, Callable[[Any, Any], Any]] = {}
    now_of: Clock = staticmethod(_utc_now)  # create_app sets the server's clock

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            handle = self.operations.get(scope["path"])
            if handle is not None:
                status, content = await handle(scope, receive)
                await send({"type": "http.response.start", "status": status,
                            "headers": _answer_headers(content, self.now_of)})
                await send({"type": "http.response.body", "body": content})
                return
        await super().__call__(scope, receive, send)


_WORKSTATION_KEY = WORKSTATION_HEADER.lower().encode()


def workstation_of(scope: Any, headers: dict[bytes, bytes] | None = None) -> str:
    """Which workstation a request came from, for the audit log: the name it gives itself (the
    ``X-BalieDesk-Workstation`` header, kept readable and short) with the address the server saw
    (uvicorn puts a trusted reverse proxy's ``X-Forwarded-For`` there): "balie-3-pc (10.0.4.23)".
    The name is a help for reading; the address is what the server knows."""
    if headers is None:
        headers = dict(scope.get("headers") or ())
    client = scope.get("client")
    address = str(client[0]) if client else None
    return seen_from(headers.get(_WORKSTATION_KEY, b"").decode("latin-1"), address)


def _answer_headers(content: bytes, now_of: Clock) -> list[tuple[bytes, bytes]]:
    """An operation's answer: JSON, its length, the server's clock and no-store (the ASGI messages are
    sent as they are: cheaper than a framework response on the path of every call)."""
    return [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode()),
            (TIME_HEADER.lower().encode(), now_of().isoformat().encode()), (b"cache-control", b"no-store")]


async def _read_body(receive: Any, declared: bytes | None) -> bytes:
    """The request body, refused (``_TooLarge``) past :data:`MAX_BODY_BYTES`, declared or sent."""
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        raise _TooLarge()
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _TooLarge()
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


class _TooLarge(Exception):
    pass


class _BadRequest(Exception):
    pass

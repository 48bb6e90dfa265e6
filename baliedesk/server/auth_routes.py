"""Signing in over the server: the only routes that take a password or an enrolment code.

``POST /api/auth/sign-in`` (user name and password) and ``POST /api/auth/device``
(a device's one-time enrolment code) need no token; ``change-password``,
``sign-out`` and ``me`` act on the caller's own token. Failures are counted per
account and per workstation address (the address the server sees), so the
lockout holds whatever a workstation claims about itself.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from baliedesk.domain import errors as e
from baliedesk.services import auth, wire
from baliedesk.services.ports import Backend

#: Sign-in errors and their HTTP status (the body carries the typed error all the same).
_STATUS: tuple[tuple[type[BaseException], int], ...] = (
    (e.SignInDelayed, 429),
    (e.AccountLocked, 423),
    (e.SignInFailed, 401),
    (e.WrongPassword, 401),
    (e.EnrolmentCodeInvalid, 401),
    (e.SessionExpired, 401),
    (e.SessionRevoked, 401),
    (e.SessionNotFound, 401),
    (e.PasswordTooWeak, 422),
    (e.ValidationError, 422),
    (e.DeviceNotAllowed, 403),
    (e.StorageUnavailable, 503),
)
_PASSWORD_MAX = 1024  # bytes of a password field; longer is refused before hashing


def _status(err: BaseException) -> int:
    return next((status for kind, status in _STATUS if isinstance(err, kind)), 409)


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else ""


def _token(request: Request) -> str:
    header = request.headers.get("authorization") or ""
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


async def _fields(request: Request, *names: str) -> dict[str, str]:
    raw = await request.body()
    if len(raw) > 16 * 1024:
        raise _Bad(413)
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, RecursionError):
        raise _Bad(400) from None
    if not isinstance(data, dict):
        raise _Bad(400)
    out = {}
    for name in names:
        value = data.get(name, "")
        if not isinstance(value, str) or len(value.encode("utf-8", "surrogatepass")) > _PASSWORD_MAX:
            raise _Bad(422)
        out[name] = value
    return out


class _Bad(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def install(app: FastAPI, backend: Backend, now_of: Callable[[], dt.datetime], *,
            forget: Callable[[], None] | None = None) -> None:
    """The sign-in routes. ``forget``: the server's kept sessions are forgotten at once after a sign-out
    or password change here (other server processes hear it through the change feed)."""
    def forget_sessions() -> None:
        if forget is not None:
            forget()

    async def answer(work: Callable[[], Any]) -> JSONResponse:
        try:
            result = await run_in_threadpool(work)
        except e.DomainError as exc:
            return JSONResponse({"error": wire.encode(exc)}, status_code=_status(exc))
        return JSONResponse({"ok": wire.encode(result)})

    @app.post("/api/auth/sign-in", summary="Sign in with a user name and password (no token needed)")
    async def sign_in(request: Request) -> JSONResponse:
        try:
            f = await _fields(request, "username", "password")
        except _Bad as bad:
            return JSONResponse({"error": None}, status_code=bad.status)
        return await answer(lambda: auth.sign_in(backend, f["username"], f["password"], now_of(),
                                                 address=_address(request)))

    @app.post("/api/auth/device", summary="A device exchanges its one-time enrolment code for its token")
    async def device(request: Request) -> JSONResponse:
        try:
            f = await _fields(request, "code")
        except _Bad as bad:
            return JSONResponse({"error": None}, status_code=bad.status)
        return await answer(lambda: auth.redeem_enrolment(backend, f["code"], now_of(), address=_address(request)))

    @app.post("/api/auth/change-password", summary="Choose a new password (needs the current one)",
              openapi_extra={"security": [{"bearer": []}]})
    async def change_password(request: Request) -> JSONResponse:
        token = _token(request)
        if not token:
            return JSONResponse({"error": None, "reason": "missing"}, status_code=401)
        try:  # the token first: a request without a valid session learns nothing about its body
            await run_in_threadpool(auth.resolve_session, backend, token, now_of(), allow_password_change=True)
        except e.DomainError as exc:
            return JSONResponse({"error": wire.encode(exc)}, status_code=_status(exc))
        try:
            f = await _fields(request, "old_password", "new_password")
        except _Bad as bad:
            return JSONResponse({"error": None}, status_code=bad.status)
        def change() -> Any:
            try:
                return auth.change_password(backend, token, f["old_password"], f["new_password"], now_of(),
                                            address=_address(request))
            finally:
                forget_sessions()

        return await answer(change)

    @app.post("/api/auth/sign-out", summary="End this session", openapi_extra={"security": [{"bearer": []}]})
    async def sign_out(request: Request) -> JSONResponse:
        token = _token(request)
        if not token:
            return JSONResponse({"error": None, "reason": "missing"}, status_code=401)
        def work() -> bool:
            auth.resolve_session(backend, token, now_of(), allow_password_change=True)  # 401 when not valid
            try:
                return auth.sign_out(backend, token, now_of())
            finally:
                forget_sessions()

        return await answer(work)

    @app.post("/api/auth/me", summary="Who this token belongs to", openapi_extra={"security": [{"bearer": []}]})
    async def me(request: Request) -> JSONResponse:
        token = _token(request)
        if not token:
            return JSONResponse({"error": None, "reason": "missing"}, status_code=401)
        return await answer(lambda: auth.resolve_session(backend, token, now_of()))

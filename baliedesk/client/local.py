"""The in-process client: the services run in this process on a backend made by the command line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from baliedesk.client.base import Client, SignedIn
from baliedesk.services import auth
from baliedesk.services.catalogue import Operation
from baliedesk.services.context import workstation
from baliedesk.domain.errors import NotSignedInHere
from baliedesk.services.ports import Backend, ChangeFeed


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class LocalClient(Client):
    """The services in this process. ``clock`` is the one clock of this workstation (tests fix it);
    ``workstation`` the name the audit log records for its calls (default: this computer's name)."""

    #: The address sign-in failures are counted under on one PC (the lockout "per workstation").
    ADDRESS = "local"

    def __init__(self, backend: Backend, *, user_id: int | None = None,
                 clock: Callable[[], dt.datetime] | None = None, owns_backend: bool = True,
                 token: str | None = None, must_change_password: bool = False,
                 workstation: str | None = None) -> None:
        super().__init__(user_id, workstation)
        self.backend = backend
        self._clock = clock or _utc_now
        self._owns_backend = owns_backend
        self._token = token
        self._must_change = must_change_password

    @property
    def must_change_password(self) -> bool:
        return self._must_change

    def _signed(self, result) -> LocalClient:
        return LocalClient(self.backend, user_id=result.user.id, clock=self._clock, owns_backend=False,
                           token=result.token, must_change_password=result.must_change_password,
                           workstation=self.workstation)

    def sign_in(self, username: str, password: str) -> SignedIn:
        result = auth.sign_in(self.backend, username, password, self._clock(), address=self.ADDRESS)
        return SignedIn(self._signed(result), result)

    def change_password(self, old_password: str, new_password: str) -> LocalClient:
        if self._token is None:
            raise NotSignedInHere("change_password")
        result = auth.change_password(self.backend, self._token, old_password, new_password, self._clock(),
                                      address=self.ADDRESS)
        return self._signed(result)

    def sign_out(self) -> None:
        if self._token is not None:
            auth.sign_out(self.backend, self._token, self._clock())
            self._token = None

    def _call(self, op: Operation, arguments: dict[str, Any]) -> Any:
        token = workstation.set(self.workstation)  # for this call, on whatever thread carries it
        try:
            return op.call(self.backend, self.user_id, self._clock(), arguments)
        finally:
            workstation.reset(token)

    def now(self) -> dt.datetime:
        return self._clock()

    def as_user(self, user_id: int) -> LocalClient:
        return LocalClient(self.backend, user_id=user_id, clock=self._clock, owns_backend=False,
                           workstation=self.workstation)

    def with_clock(self, clock: Callable[[], dt.datetime]) -> LocalClient:
        return LocalClient(self.backend, user_id=self.user_id, clock=clock, owns_backend=False,
                           workstation=self.workstation)

    def open_feed(self, **kwargs: Any) -> ChangeFeed:
        return self.backend.open_feed(**kwargs)

    def describe(self) -> str:
        return self.backend.describe()

    def close(self) -> None:
        if self._owns_backend:
            dispose = getattr(self.backend, "dispose", None)
            if callable(dispose):
                dispose()

"""The in-process client: the services run in this process on a backend made by the command line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from baliedesk.client.base import Client
from baliedesk.services.catalogue import Operation
from baliedesk.services.ports import Backend, ChangeFeed


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class LocalClient(Client):
    """The services in this process. ``clock`` is the one clock of this workstation (tests fix it)."""

    def __init__(self, backend: Backend, *, user_id: int | None = None,
                 clock: Callable[[], dt.datetime] | None = None, owns_backend: bool = True) -> None:
        super().__init__(user_id)
        self.backend = backend
        self._clock = clock or _utc_now
        self._owns_backend = owns_backend

    def _call(self, op: Operation, arguments: dict[str, Any]) -> Any:
        return op.call(self.backend, self.user_id, self._clock(), arguments)

    def now(self) -> dt.datetime:
        return self._clock()

    def as_user(self, user_id: int) -> LocalClient:
        return LocalClient(self.backend, user_id=user_id, clock=self._clock, owns_backend=False)

    def with_clock(self, clock: Callable[[], dt.datetime]) -> LocalClient:
        return LocalClient(self.backend, user_id=self.user_id, clock=clock, owns_backend=False)

    def open_feed(self, **kwargs: Any) -> ChangeFeed:
        return self.backend.open_feed(**kwargs)

    def describe(self) -> str:
        return self.backend.describe()

    def close(self) -> None:
        if self._owns_backend:
            dispose = getattr(self.backend, "dispose", None)
            if callable(dispose):
                dispose()

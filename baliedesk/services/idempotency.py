"""Idempotent saves: a request id (made by the client when the form opens) makes a second
submission of the same form return the first result instead of a second record.

A creating service takes ``request_id: str | None = None`` and, in its one transaction:

1. :func:`earlier` — a save with this id already committed: return its result (rebuilt from
   the stored record by the service's ``replay``);
2. creates the record as usual;
3. :func:`remember` — records (user, request id, operation, record id). When another
   connection recorded the same id meanwhile (a double click that reached two workstations'
   threads, a retry after a timeout while the first was still running), the unique key
   refuses this one: storage raises :class:`RequestInFlight`, the transaction rolls back
   (nothing of it is kept), and :func:`idempotent` returns the first save's result.

Without a request id nothing changes.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from baliedesk.domain.errors import RequestInFlight, ValidationError
from baliedesk.domain.validation import check_request_id
from baliedesk.services.ports import Backend, UnitOfWork

T = TypeVar("T")
Replay = Callable[[UnitOfWork, int, dt.datetime | None], Any]


def earlier(uow: UnitOfWork, user_id: int, request_id: str | None, operation: str) -> int | None:
    """The record id an earlier save with ``request_id`` made, or None (also without an id)."""
    if request_id is None:
        return None
    found = uow.requests.result_of(user_id, request_id)
    if found is None:
        return None
    if found[0] != operation:  # the same id for another kind of save: a client bug, refuse
        raise ValidationError("request_id", "taken")
    return found[1]


def remember(uow: UnitOfWork, user_id: int, request_id: str | None, operation: str, result_id: int,
             now: dt.datetime | None) -> None:
    """``now`` None (a service without a clock argument): the database's own time."""
    if request_id is not None:
        uow.requests.remember(user_id, request_id, operation, result_id, now)


def idempotent(operation: str, replay: Replay) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Wrap a creating service ``f(backend, user_id, ..., now?, *, request_id=None)``: its
    request id is checked, and a :class:`RequestInFlight` from its transaction becomes the
    first save's result, read in a new transaction."""

    def wrap(func: Callable[..., T]) -> Callable[..., T]:
        signature = inspect.signature(func)

        @functools.wraps(func)
        def wrapper(backend: Backend, user_id: Any, *args: Any, request_id: str | None = None, **kwargs: Any) -> T:
            request_id = check_request_id(request_id)
            try:
                return func(backend, user_id, *args, request_id=request_id, **kwargs)
            except RequestInFlight as exc:
                if exc.operation != operation:
                    raise
                now = signature.bind_partial(backend, user_id, *args, **kwargs).arguments.get("now")
                with backend.unit_of_work() as uow:
                    result_id = earlier(uow, user_id, request_id, operation)
                    if result_id is None:  # pragma: no cover - the unique key said it is there
                        raise
                    return replay(uow, result_id, now)

        return wrapper

    return wrap

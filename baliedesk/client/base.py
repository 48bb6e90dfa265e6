"""What every client offers, whatever carries its calls (see :mod:`baliedesk.client`)."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any

from baliedesk.domain.errors import NotSignedInHere, PasswordChangeRequired
from baliedesk.services.catalogue import Operation, modules, operations
from baliedesk.services.auth_dto import SignInResult
from baliedesk.services.context import this_computer, workstation_name
from baliedesk.services.ports import ChangeFeed


@dataclass(frozen=True)
class SignedIn:
    """A successful sign-in: the person's client and what the window needs to know."""

    client: Client
    result: SignInResult  # the user, the session's end, whether the password must change first

    @property
    def must_change_password(self) -> bool:
        return self.result.must_change_password


class Namespace:
    """``client.queue`` and friends: one bound method per exposed service function."""

    def __init__(self, client: Client, module: str, ops: dict[str, Operation]) -> None:
        self._client = client
        self._module = module
        for name, op in ops.items():
            setattr(self, name, self._bound(op))

    def _bound(self, op: Operation) -> Callable[..., Any]:
        client = self._client

        def call(*args: Any, **kwargs: Any) -> Any:
            return client.invoke(op, op.bind(args, kwargs))

        call.__name__ = op.function
        call.__qualname__ = f"{self._module}.{op.function}"
        call.__doc__ = op.func.__doc__
        call.__signature__ = op.signature  # type: ignore[attr-defined]
        return call

    def __repr__(self) -> str:
        return f"<client.{self._module}>"


class Client(ABC):
    """One workstation's door; bound to a person once someone signs in.

    ``user_id`` is None before sign-in: then only the operations that act as
    nobody (the sign-in choices, the list of locations, pure checks) work;
    the others raise :class:`NotSignedInHere`.
    """

    queue: Any
    appointments: Any
    schedules: Any
    setup: Any
    contacts: Any
    meldingen: Any
    hall: Any
    reports: Any
    addresses: Any

    def __init__(self, user_id: int | None, workstation: str | None = None) -> None:
        self.user_id = user_id
        self.workstation = this_computer() if workstation is None else workstation
        by_module: dict[str, dict[str, Operation]] = {m: {} for m in modules()}
        for op in operations().values():
            by_module[op.module][op.function] = op
        for module, ops in by_module.items():
            setattr(self, module, Namespace(self, module, ops))

    @property
    def workstation(self) -> str:
        """The name the audit log records for this workstation's calls (default: this computer's
        name); kept readable and short when it is set (``services.context.workstation_name``)."""
        return self._workstation

    @workstation.setter
    def workstation(self, name: str) -> None:
        self._workstation = workstation_name(name)

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None

    def invoke(self, op: Operation, arguments: dict[str, Any]) -> Any:
        if not op.needs_backend:
            return op.func(**arguments)  # a pure check: runs here
        if op.acts and self.user_id is None:
            raise NotSignedInHere(op.name)
        if self.must_change_password:
            raise PasswordChangeRequired(self.user_id or 0)
        return self._call(op, arguments)

    @abstractmethod
    def _call(self, op: Operation, arguments: dict[str, Any]) -> Any:
        """Carry one call to the services (in-process or over the network)."""

    @abstractmethod
    def now(self) -> dt.datetime:
        """The clock the services use for this client (aware UTC): for showing live times."""

    @abstractmethod
    def as_user(self, user_id: int) -> Client:
        """A client of the same workstation acting as ``user_id``, without a password.

        Only for the in-process client of tools, tests and the unattended
        devices of one PC; a remote client refuses (people sign in with
        :meth:`sign_in`, devices with their own token)."""

    @abstractmethod
    def sign_in(self, username: str, password: str) -> SignedIn:
        """Sign in on this workstation: a client acting as that person (raises SignInFailed,
        AccountLocked ...). With a temporary password the new client can only
        :meth:`change_password`."""

    @abstractmethod
    def change_password(self, old_password: str, new_password: str) -> Client:
        """Choose a new password; every other session of this person ends. A new client."""

    @abstractmethod
    def sign_out(self) -> None:
        """End this person's session (the workstation's door stays open for the next person)."""

    @property
    def must_change_password(self) -> bool:
        return False

    @abstractmethod
    def open_feed(self) -> ChangeFeed:
        """A change feed: wakes when the data may have changed (see storage.feed)."""

    @abstractmethod
    def describe(self) -> str:
        """Where this client's data lives, for a window title or a log line (no secrets)."""

    def close(self) -> None:
        """Let go of connections; the last call of a workstation process."""

"""Resolved sessions kept for a moment, so a workstation's calls do not each ask the database who it is.

Every call to the server carries a token. Resolving one
(:func:`baliedesk.services.auth.resolve_session`) is a transaction of its own
(session, account, password or device), about as much work as the
"volgende" it guards. :class:`SessionCache` keeps what a token resolved to,
keyed by the token's hash (never the token itself), and answers from memory:

* for at most ``ttl_s`` seconds (default 30), and never past the session's
  absolute end; after that the next call resolves it again, which also moves
  the session's sliding expiry (written at most once a minute anyway). The
  stored last use so lags the real one by at most about 90 s, against idle
  timeouts of 2 hours for people, 30 days for devices (``domain.auth``);
* until the change feed says a session or account stopped holding: the
  services announce :data:`~baliedesk.domain.auth.SESSIONS_TOPIC` with every
  sign-out, revocation, deactivation, password reset and revoked device, and
  every server process then forgets all it knew (:meth:`SessionCache.heard`);
  a feed that reconnects or cannot say what changed (SQLite) forgets too;
* when this process signs a token out itself (:meth:`SessionCache.forget`).

Refusals (unknown, expired, revoked, a temporary password) are never kept:
they are asked again every time.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from baliedesk.domain.auth import SESSIONS_TOPIC, token_hash

P = TypeVar("P")

DEFAULT_TTL_S = 30.0
DEFAULT_MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class _Entry(Generic[P]):
    principal: P
    until_monotonic: float
    expires_at: dt.datetime | None


class SessionCache(Generic[P]):
    """A resolver (``token, now -> principal``) with a short memory; thread-safe."""

    def __init__(self, resolve: Callable[[str, dt.datetime], P], *,
                 expires_at: Callable[[P], dt.datetime | None] = lambda _p: None,
                 ttl_s: float = DEFAULT_TTL_S, max_entries: int = DEFAULT_MAX_ENTRIES,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._resolve = resolve
        self._expires_at = expires_at
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._monotonic = monotonic
        self._entries: OrderedDict[str, _Entry[P]] = OrderedDict()
        self._lock = threading.Lock()
        self._generation = 0
        self.hits = 0
        self.misses = 0

    def __call__(self, token: str, now: dt.datetime) -> P:
        key = token_hash(token)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                if entry.until_monotonic > self._monotonic() and (entry.expires_at is None
                                                                   or now < entry.expires_at):
                    self._entries.move_to_end(key)
                    self.hits += 1
                    return entry.principal
                del self._entries[key]
            self.misses += 1
            generation = self._generation
        principal = self._resolve(token, now)  # raises for a token that does not hold: nothing kept
        with self._lock:
            if generation == self._generation:  # nobody forgot everything while we asked the database
                self._entries[key] = _Entry(principal, self._monotonic() + self.ttl_s, self._expires_at(principal))
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return principal

    def forget(self, token: str) -> None:
        """This token was signed out here."""
        with self._lock:
            self._entries.pop(token_hash(token), None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1

    def heard(self, topics: Iterable[str]) -> None:
        """The change feed woke with these topics; none known (a reconnect, SQLite): forget everything."""
        topics = set(topics)
        if not topics or SESSIONS_TOPIC in topics:
            self.clear()

    def __len__(self) -> int:
        return len(self._entries)

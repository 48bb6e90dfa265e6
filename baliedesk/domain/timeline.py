"""Replay a ticket's events into the figures every report uses.

Wait: from issue (arrival) to the first call. A transfer or put-back keeps the
arrival, so waits after that count from the original arrival too; the
``total_wait_s`` adds every stretch spent waiting. Handling: from the last
call to the finish.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


class EventLike(Protocol):
    action: str
    at: dt.datetime


@dataclass(frozen=True)
class Durations:
    first_wait_s: float | None
    total_wait_s: float
    handling_s: float | None
    calls: int


def durations(events: Iterable[EventLike]) -> Durations:
    first_wait: float | None = None
    total_wait = 0.0
    handling: float | None = None
    calls = 0
    waiting_since: dt.datetime | None = None
    last_call: dt.datetime | None = None
    for ev in events:
        if ev.action == "issue":
            waiting_since = ev.at
        elif ev.action == "call":
            calls += 1
            if waiting_since is not None:
                stretch = (ev.at - waiting_since).total_seconds()
                total_wait += stretch
                if first_wait is None:
                    first_wait = stretch
            waiting_since = None
            last_call = ev.at
        elif ev.action in ("requeue", "transfer", "release", "undo_no_show") and waiting_since is None:
            waiting_since = ev.at
        elif ev.action == "finish" and last_call is not None:
            handling = (ev.at - last_call).total_seconds()
    return Durations(first_wait, total_wait, handling, calls)


def is_gone(last_seen: dt.datetime | None, now: dt.datetime, after_s: int) -> bool:
    """A counter not heard from for ``after_s`` seconds is gone (crashed, switched off)."""
    return last_seen is None or (now - last_seen).total_seconds() > after_s

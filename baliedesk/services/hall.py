"""The hall screen's quick read: who was called to which counter, and nothing else.

When a counter presses "volgende" the hall screen must show the number within
a fraction of a second. :func:`hall_calls` reads only the recent calls and the
tickets counters hold (for recalls): a handful of small queries, several times
cheaper than the full ``queue_snapshot`` with its waiting list and estimates,
which the screen reads right after, for the waiting counts per service.

Numbers, counter names and times only: no notes, no names of people.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from baliedesk.domain.permissions import Permission
from baliedesk.domain.tickets import display_number
from baliedesk.services.common import acting_user, check_now, get_or_404, local_day, location_info, require_location
from baliedesk.services.dto import CallInfo, LocationInfo
from baliedesk.services.ports import Backend


@dataclass(frozen=True)
class HallCalls:
    at: dt.datetime
    location: LocationInfo
    recent_calls: tuple[CallInfo, ...]  # newest first
    held: tuple[CallInfo, ...]          # tickets called or being served now, with their recall count


def hall_calls(backend: Backend, user_id: int, location_id: int, now: dt.datetime, limit: int = 24) -> HallCalls:
    now = check_now(now)
    with backend.unit_of_work() as uow:
        require_location(uow, acting_user(uow, user_id, Permission.VIEW_DISPLAY), location_id)
        location = get_or_404(uow.directory.location(location_id), "location", location_id)
        day = local_day(now, location.timezone)
        counters = {c.id: c for c in uow.directory.counters(location.id)}
        prefixes = {s.id: s.prefix for s in uow.directory.services(location.id)}

        def call(t) -> CallInfo:
            return CallInfo(t.id, t.number, display_number(t.number), prefixes.get(t.service_id, ""),
                            counters[t.counter_id].display_name, t.called_at, t.recall_count)

        recent = tuple(call(t) for t in uow.tickets.recent_calls(location.id, day, limit) if t.counter_id in counters)
        held = tuple(call(t) for t in uow.tickets.held_at(location.id)
                     if t.counter_id in counters and t.called_at is not None)
        return HallCalls(now, location_info(location), recent, held)

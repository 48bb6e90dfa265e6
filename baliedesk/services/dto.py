"""Plain, frozen results of service calls: safe to hand to another thread."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from baliedesk.domain.estimate import WaitEstimate


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    role: str
    active: bool


@dataclass(frozen=True)
class LocationInfo:
    id: int
    name: str
    timezone: str
    ordering_mode: str
    no_show_after_recalls: int
    counter_gone_after_s: int


@dataclass(frozen=True)
class ServiceInfo:
    id: int
    location_id: int
    prefix: str
    name: str
    color: str
    expected_minutes: float
    walk_in: bool
    appointments: bool
    weight: float
    sort_order: int
    active: bool


@dataclass(frozen=True)
class CounterInfo:
    id: int
    location_id: int
    name: str
    display_name: str
    active: bool
    service_ids: tuple[int, ...]
    signed_in_user_id: int | None
    signed_in_user_name: str | None
    last_seen_at: dt.datetime | None
    gone: bool  # nobody signed in, or not heard from for a while


@dataclass(frozen=True)
class TicketInfo:
    id: int
    number: str
    display_number: str
    location_id: int
    service_id: int
    service_prefix: str
    service_name: str
    state: str
    priority_class: int
    issued_at: dt.datetime
    arrived_ms: int
    called_at: dt.datetime | None
    finished_at: dt.datetime | None
    counter_id: int | None
    counter_name: str | None
    target_counter_id: int | None
    recall_count: int
    outcome: str | None
    note: str | None
    #: When the visitor's appointment begins (checked-in appointment holders only), else None.
    appointment_at: dt.datetime | None = None

    @property
    def arrived_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.arrived_ms / 1000, tz=dt.UTC)


@dataclass(frozen=True)
class IssuedTicket:
    ticket: TicketInfo
    estimate: WaitEstimate
    location_name: str


@dataclass(frozen=True)
class ServiceQueue:
    service: ServiceInfo
    waiting: int
    longest_wait_s: float
    counters_open: int
    estimate_minutes: int | None  # for someone taking a ticket now


@dataclass(frozen=True)
class WaitingTicket:
    ticket: TicketInfo
    waited_s: float
    position: int  # 1 = next in its own queue


@dataclass(frozen=True)
class CallInfo:
    ticket_id: int
    number: str
    display_number: str
    service_prefix: str
    counter_name: str
    called_at: dt.datetime
    recall_count: int


@dataclass(frozen=True)
class QueueSnapshot:
    at: dt.datetime
    location: LocationInfo
    services: tuple[ServiceQueue, ...]
    waiting: tuple[WaitingTicket, ...]  # in the order "volgende" would take them, per service
    held: tuple[TicketInfo, ...]
    counters: tuple[CounterInfo, ...]
    recent_calls: tuple[CallInfo, ...]


@dataclass(frozen=True)
class CounterSession:
    counter: CounterInfo
    user: UserInfo
    current: TicketInfo | None  # the visitor this counter holds (resumed after a crash)
    no_show_after_recalls: int


@dataclass(frozen=True)
class EventInfo:
    action: str
    from_state: str | None
    to_state: str
    at: dt.datetime
    counter_name: str | None
    user_name: str | None
    service_prefix: str
    data: dict | None


@dataclass(frozen=True)
class TicketHistory:
    ticket: TicketInfo
    events: tuple[EventInfo, ...]
    first_wait_s: float | None
    total_wait_s: float
    handling_s: float | None

"""Which waiting ticket a counter gets when it presses "volgende".

One rule, applied in this order:

1. Checked-in appointments whose slot has begun (oldest slot first).
2. Tickets transferred with priority.
3. Everyone else: the longest effective wait first.

The effective wait is the real wait (since arrival; a transfer keeps the
original arrival time) multiplied by the service's *weight*. With every weight
1.0 (the default, ``longest_wait``) this is plain first-come-first-served
across all services the counter serves. With ``fair_share`` a team lead can
give a service more weight so that, for example, a quick "ophalen" queue is not
starved by a long "paspoort" queue: a weight of 2.0 means a minute waited
there counts as two.

An appointment that checked in before its slot is treated as a walk-in
(by its check-in time) until its slot begins, so an idle counter may take it.

A ticket transferred to one specific counter is only offered to that counter,
whatever services that counter serves.

The storage layer evaluates this same rule in one SQL statement (so that the
claim is atomic); ``tests/test_ordering_sql.py`` checks both agree.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from baliedesk.domain.tickets import PriorityClass


class OrderingMode(str, enum.Enum):
    LONGEST_WAIT = "longest_wait"
    FAIR_SHARE = "fair_share"


MIN_WEIGHT = 0.1
MAX_WEIGHT = 10.0


@dataclass(frozen=True)
class Candidate:
    ticket_id: int
    service_id: int
    priority_class: int
    arrived_ms: int  # arrival (or check-in) time, epoch milliseconds
    queue_ms: int  # slot start for appointments, else equal to arrived_ms
    target_counter_id: int | None = None


def effective_class_and_time(c: Candidate, now_ms: int) -> tuple[int, int]:
    if c.priority_class == PriorityClass.APPOINTMENT and c.queue_ms > now_ms:
        return int(PriorityClass.WALK_IN), c.arrived_ms
    return int(c.priority_class), c.queue_ms


def weight_for(service_id: int, mode: OrderingMode, weights: Mapping[int, float]) -> float:
    if mode is OrderingMode.LONGEST_WAIT:
        return 1.0
    return min(MAX_WEIGHT, max(MIN_WEIGHT, float(weights.get(service_id, 1.0))))


def order_key(c: Candidate, now_ms: int, mode: OrderingMode, weights: Mapping[int, float]) -> tuple:
    cls, since = effective_class_and_time(c, now_ms)
    effective_wait = (now_ms - since) * weight_for(c.service_id, mode, weights)
    return (cls, -effective_wait, since, c.ticket_id)


def eligible(c: Candidate, counter_id: int, service_ids: Iterable[int]) -> bool:
    if c.target_counter_id is not None:
        return c.target_counter_id == counter_id
    return c.service_id in set(service_ids)


def choose_next(
    candidates: Iterable[Candidate],
    *,
    counter_id: int,
    service_ids: Iterable[int],
    now_ms: int,
    mode: OrderingMode = OrderingMode.LONGEST_WAIT,
    weights: Mapping[int, float] | None = None,
) -> Candidate | None:
    """The reference implementation of the rule (the SQL mirrors it)."""
    services = set(service_ids)
    weights = weights or {}
    pool = [c for c in candidates if eligible(c, counter_id, services)]
    if not pool:
        return None
    return min(pool, key=lambda c: order_key(c, now_ms, mode, weights))


def people_ahead(target: Candidate, waiting: Iterable[Candidate], now_ms: int) -> int:
    """How many tickets of the same service (or the same target counter) go first.

    Weights shift the order between services, not within one service, so the
    position within the own queue is what a visitor can rely on.
    """

    def same_queue(c: Candidate) -> bool:
        if target.target_counter_id is not None:
            return c.target_counter_id == target.target_counter_id
        return c.target_counter_id is None and c.service_id == target.service_id

    mine = order_key(target, now_ms, OrderingMode.LONGEST_WAIT, {})
    return sum(
        1
        for c in waiting
        if c.ticket_id != target.ticket_id
        and same_queue(c)
        and order_key(c, now_ms, OrderingMode.LONGEST_WAIT, {}) < mine
    )

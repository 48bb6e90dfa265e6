"""The one ordering rule: who gets called next."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baliedesk.domain.ordering import (
    MAX_WEIGHT,
    MIN_WEIGHT,
    Candidate,
    OrderingMode,
    choose_next,
    order_key,
    people_ahead,
    weight_for,
)
from baliedesk.domain.tickets import PriorityClass

MIN = 60_000
NOW = 1_000 * MIN  # an arbitrary "now" in epoch milliseconds
APPT, PRIO, WALK = int(PriorityClass.APPOINTMENT), int(PriorityClass.PRIORITY), int(PriorityClass.WALK_IN)


def walk_in(tid: int, service: int, waited_min: float, target: int | None = None) -> Candidate:
    at = NOW - int(waited_min * MIN)
    return Candidate(tid, service, WALK, at, at, target)


def prio(tid: int, service: int, waited_min: float) -> Candidate:
    at = NOW - int(waited_min * MIN)
    return Candidate(tid, service, PRIO, at, at)


def appointment(tid: int, service: int, checked_in_min_ago: float, slot_min_from_now: float) -> Candidate:
    return Candidate(tid, service, APPT, NOW - int(checked_in_min_ago * MIN), NOW + int(slot_min_from_now * MIN))


def pick(cands, counter_id=1, services=(1, 2, 3), mode=OrderingMode.LONGEST_WAIT, weights=None):
    c = choose_next(cands, counter_id=counter_id, service_ids=services, now_ms=NOW, mode=mode, weights=weights)
    return None if c is None else c.ticket_id


def drain(cands, **kw):
    """The order in which one counter would take every ticket it may take."""
    pool, out = list(cands), []
    while (tid := pick(pool, **kw)) is not None:
        out.append(tid)
        pool = [c for c in pool if c.ticket_id != tid]
    return out


def test_nobody_waiting():
    assert pick([]) is None
    assert pick([walk_in(1, 9, 5)]) is None  # a service this counter does not serve


def test_longest_wait_first_across_services():
    cands = [walk_in(1, 1, 3), walk_in(2, 2, 9), walk_in(3, 3, 6)]
    assert drain(cands) == [2, 3, 1]


def test_appointments_whose_slot_began_first_then_priority_then_longest_wait():
    cands = [
        walk_in(1, 1, 30),  # waited longest of all
        prio(2, 2, 2),
        appointment(3, 1, checked_in_min_ago=1, slot_min_from_now=-1),  # slot began a minute ago
        appointment(4, 3, checked_in_min_ago=20, slot_min_from_now=-5),  # slot began five minutes ago
        prio(5, 1, 4),
        walk_in(6, 2, 10),
    ]
    assert drain(cands) == [4, 3, 5, 2, 1, 6]


def test_appointment_at_exactly_its_slot_counts_as_begun():
    cands = [walk_in(1, 1, 30), appointment(2, 1, checked_in_min_ago=3, slot_min_from_now=0)]
    assert drain(cands) == [2, 1]


def test_early_appointment_is_a_walk_in_by_check_in_time():
    cands = [
        walk_in(1, 1, 10),
        appointment(2, 1, checked_in_min_ago=6, slot_min_from_now=15),  # early: waits like a walk-in
        walk_in(3, 1, 4),
        prio(4, 1, 1),
    ]
    assert drain(cands) == [4, 1, 2, 3]
    # Once the slot has begun it goes first.
    later = NOW + 15 * MIN
    c = choose_next(cands, counter_id=1, service_ids=[1], now_ms=later)
    assert c is not None and c.ticket_id == 2


def test_target_counter_only_for_that_counter():
    cands = [walk_in(1, 1, 2, target=7), walk_in(2, 1, 1)]
    # Counter 7 gets it even though it does not serve service 1 ...
    assert pick(cands, counter_id=7, services=(2,)) == 1
    # ... and another counter serving service 1 never does.
    assert drain(cands, counter_id=8, services=(1,)) == [2]
    assert pick([walk_in(1, 1, 2, target=7)], counter_id=8, services=(1, 2, 3)) is None


def test_ties_broken_by_ticket_id():
    cands = [walk_in(5, 1, 3), walk_in(4, 2, 3), walk_in(6, 1, 3)]
    assert drain(cands) == [4, 5, 6]


def test_fair_share_weights_shift_the_order_between_services():
    # A quick service (2) with weight 2: six minutes there count as twelve.
    cands = [walk_in(1, 1, 10), walk_in(2, 2, 6)]
    assert drain(cands) == [1, 2]
    assert drain(cands, mode=OrderingMode.FAIR_SHARE, weights={2: 2.0}) == [2, 1]
    # Weights mean nothing in longest_wait mode.
    assert drain(cands, mode=OrderingMode.LONGEST_WAIT, weights={2: 2.0}) == [1, 2]
    # They never put a walk-in before a priority ticket.
    cands.append(prio(3, 1, 1))
    assert drain(cands, mode=OrderingMode.FAIR_SHARE, weights={2: 10.0})[0] == 3


def test_fair_share_does_not_change_the_order_within_a_service():
    cands = [walk_in(1, 1, 3), walk_in(2, 1, 9), walk_in(3, 2, 20), walk_in(4, 1, 6)]
    order = drain(cands, mode=OrderingMode.FAIR_SHARE, weights={1: 5.0, 2: 0.2})
    assert [t for t in order if t in (1, 2, 4)] == [2, 4, 1]


def test_weights_are_clamped():
    assert weight_for(1, OrderingMode.FAIR_SHARE, {1: 1000.0}) == MAX_WEIGHT
    assert weight_for(1, OrderingMode.FAIR_SHARE, {1: 0.0}) == MIN_WEIGHT
    assert weight_for(1, OrderingMode.FAIR_SHARE, {}) == 1.0
    assert weight_for(1, OrderingMode.LONGEST_WAIT, {1: 3.0}) == 1.0


def test_people_ahead_counts_only_the_own_queue():
    a1, a2, a3 = walk_in(1, 1, 9), walk_in(2, 1, 5), walk_in(3, 1, 1)
    b1 = walk_in(4, 2, 30)
    p = prio(5, 1, 0.5)
    targeted = walk_in(6, 1, 60, target=7)
    everyone = [a1, a2, a3, b1, p, targeted]
    assert people_ahead(a1, everyone, NOW) == 1  # only the priority ticket
    assert people_ahead(a3, everyone, NOW) == 3
    assert people_ahead(b1, everyone, NOW) == 0
    assert people_ahead(targeted, everyone, NOW) == 0
    assert people_ahead(walk_in(7, 1, 0, target=7), everyone, NOW) == 1


# ---------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------
candidate = st.builds(
    lambda tid, service, cls, arrived, slot_offset, target: Candidate(
        tid, service, cls, NOW - arrived,
        (NOW + slot_offset) if cls == APPT else NOW - arrived, target,
    ),
    st.integers(1, 10_000),
    st.integers(1, 4),
    st.sampled_from([APPT, PRIO, WALK]),
    st.integers(0, 240 * MIN),
    st.integers(-60 * MIN, 60 * MIN),
    st.one_of(st.none(), st.integers(1, 3)),
)
candidates = st.lists(candidate, max_size=25, unique_by=lambda c: c.ticket_id)
weights = st.dictionaries(st.integers(1, 4), st.floats(MIN_WEIGHT, MAX_WEIGHT))


@given(candidates, st.integers(1, 3), st.sets(st.integers(1, 4)), st.sampled_from(list(OrderingMode)), weights)
def test_choose_next_is_the_eligible_minimum(cands, counter_id, services, mode, w):
    chosen = choose_next(cands, counter_id=counter_id, service_ids=services, now_ms=NOW, mode=mode, weights=w)
    eligible = [
        c for c in cands
        if (c.target_counter_id == counter_id if c.target_counter_id is not None else c.service_id in services)
    ]
    if not eligible:
        assert chosen is None
        return
    assert chosen in eligible
    for c in eligible:
        assert order_key(chosen, NOW, mode, w) <= order_key(c, NOW, mode, w)
    # Class dominates: nobody of a better effective class is passed over.
    best_class = min(order_key(c, NOW, mode, w)[0] for c in eligible)
    assert order_key(chosen, NOW, mode, w)[0] == best_class


@given(candidates, st.sets(st.integers(1, 4)))
def test_fair_share_with_equal_weights_is_longest_wait(cands, services):
    kw = dict(counter_id=1, service_ids=services, now_ms=NOW)
    a = choose_next(cands, mode=OrderingMode.LONGEST_WAIT, **kw)
    b = choose_next(cands, mode=OrderingMode.FAIR_SHARE, weights={s: 1.0 for s in range(1, 5)}, **kw)
    assert a == b


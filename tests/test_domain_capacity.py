"""Counter-aware capacity: Hall's theorem and the matching against a brute-force assignment."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baliedesk.domain.capacity import (
    Booking,
    CounterBlock,
    DayLoad,
    assignable,
    assignment,
    extra_places,
    service_masks,
)

SERVICES = (1, 2, 3, 4)


def brute_assignable(counters: list[frozenset[int]], up: list[bool], appointments: list[int]) -> bool:
    """Try every way of giving each appointment its own counter (small cases only)."""
    usable = [i for i, c in enumerate(counters) if up[i]]
    if len(appointments) > len(usable):
        return False
    for chosen in itertools.permutations(usable, len(appointments)):
        if all(sid in counters[c] for sid, c in zip(appointments, chosen)):
            return True
    return False


def brute_extra(counters: list[frozenset[int]], up: list[bool], appointments: list[int], sid: int) -> int:
    if not brute_assignable(counters, up, appointments):
        return 0
    k = 0
    while brute_assignable(counters, up, appointments + [sid] * (k + 1)):
        k += 1
    return k


def _setup(counters: list[frozenset[int]], up: list[bool]) -> tuple[dict[int, int], int]:
    order = list(range(len(counters)))
    masks = service_masks({i: c for i, c in enumerate(counters)}, order)
    available = sum(1 << i for i, ok in enumerate(up) if ok)
    return masks, available


counter_sets = st.lists(st.frozensets(st.sampled_from(SERVICES), max_size=3), min_size=0, max_size=5)


@st.composite
def small_case(draw):  # type: ignore[no-untyped-def]
    counters = draw(counter_sets)
    up = [draw(st.booleans()) if draw(st.integers(0, 4)) == 0 else True for _ in counters]
    appointments = draw(st.lists(st.sampled_from(SERVICES), max_size=5))
    sid = draw(st.sampled_from(SERVICES))
    return counters, up, appointments, sid


def _demand(appointments: list[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for sid in appointments:
        out[sid] = out.get(sid, 0) + 1
    return out


@settings(max_examples=600, deadline=None)
@given(small_case())
def test_extra_places_matches_brute_force_both_ways(case) -> None:  # type: ignore[no-untyped-def]
    counters, up, appointments, sid = case
    masks, available = _setup(counters, up)
    demand = _demand(appointments)
    expected = brute_extra(counters, up, appointments, sid)
    assert extra_places(masks, available, demand, sid, method="hall") == expected
    assert extra_places(masks, available, demand, sid, method="matching") == expected
    assert extra_places(masks, available, demand, sid) == expected
    quick = extra_places(masks, available, demand, sid, method="quick")
    assert quick in (-1, expected)  # the shortcut answers right or not at all


@settings(max_examples=400, deadline=None)
@given(small_case())
def test_assignment_is_real_or_none_exists(case) -> None:  # type: ignore[no-untyped-def]
    counters, up, appointments, _sid = case
    masks, available = _setup(counters, up)
    found = assignment(masks, available, _demand(appointments))
    assert (found is not None) == brute_assignable(counters, up, appointments)
    assert assignable(masks, available, _demand(appointments)) == (found is not None)
    if found is not None:
        # One counter per appointment, a counter at work that serves its service.
        assert sorted(found.values()) == sorted(appointments)
        for bit, sid in found.items():
            i = bit.bit_length() - 1
            assert up[i] and sid in counters[i]


def test_a_counter_serving_two_services_gives_one_place() -> None:
    # Balie 1 serves Paspoort (1) and Rijbewijs (2); Balie 2 only Paspoort.
    masks, available = _setup([frozenset({1, 2}), frozenset({1})], [True, True])
    assert extra_places(masks, available, {}, 1) == 2
    assert extra_places(masks, available, {}, 2) == 1
    assert extra_places(masks, available, {2: 1}, 1) == 1  # Balie 1 is busy with Rijbewijs
    assert extra_places(masks, available, {1: 1}, 2) == 1  # Paspoort goes to Balie 2
    assert extra_places(masks, available, {1: 2}, 2) == 0  # both counters busy
    assert extra_places(masks, available, {1: 1, 2: 1}, 1) == 0
    assert extra_places(masks, available, {2: 2}, 1) == 0  # already over: nothing more


def test_many_services_use_the_matching_and_agree_with_hall() -> None:
    services = list(range(1, 13))
    counters = [frozenset({s, services[(i + 1) % 12]}) for i, s in enumerate(services)]
    masks, available = _setup(counters, [True] * 12)
    demand = {s: 1 for s in services[:10]}
    assert extra_places(masks, available, demand, 11) == extra_places(masks, available, demand, 11,
                                                                        method="hall")
    assert extra_places(masks, available, demand, 11) == 2


# ---------------------------------------------------------------------------
# a day
# ---------------------------------------------------------------------------
def _day(counters: list[frozenset[int]], bookings: list[Booking], blocks: list[CounterBlock] = (),
         caps: dict[int, int | None] | None = None) -> DayLoad:
    masks, everyone = _setup(counters, [True] * len(counters))
    return DayLoad(masks, everyone, bookings, blocks, caps or {})


def test_day_free_is_the_least_over_the_slot() -> None:
    counters = [frozenset({1, 2}), frozenset({1})]
    # Rijbewijs 10:10-10:30 takes the shared counter for the second half of a Paspoort slot 10:00-10:20.
    day = _day(counters, [Booking(610, 630, 2)])
    assert day.free(1, 600, 620) == 1
    assert day.free(1, 580, 600) == 2  # before it: both counters
    assert day.free(1, 630, 650) == 2  # a booking ending at 10:30 does not touch a slot starting then
    assert day.free(2, 600, 620) == 0
    assert day.free(2, 630, 640) == 1


def test_day_counter_block_and_cap() -> None:
    counters = [frozenset({1}), frozenset({1}), frozenset({1})]
    masks, everyone = _setup(counters, [True] * 3)
    lunch = CounterBlock(1 << 0, 720, 780)
    day = DayLoad(masks, everyone, [], [lunch], {1: 2})
    assert day.static_places(1) == 2
    assert day.free(1, 700, 720) == 2
    assert day.free(1, 720, 740) == 2  # two counters left, cap 2
    day = DayLoad(masks, everyone, [Booking(720, 740, 1)], [lunch], {})
    assert day.free(1, 720, 740) == 1


intervals = st.tuples(st.integers(0, 20), st.integers(1, 6)).map(lambda t: (t[0] * 5, t[0] * 5 + t[1] * 5))


@settings(max_examples=300, deadline=None)
@given(counter_sets, st.lists(st.tuples(intervals, st.sampled_from(SERVICES)), max_size=8),
       st.lists(st.tuples(intervals, st.sampled_from(SERVICES)), max_size=12))
def test_booking_only_where_free_never_overbooks(counters, existing, attempts) -> None:  # type: ignore[no-untyped-def]
    """Accept each attempt only when DayLoad says there is a place: then at every minute
    the appointments accepted so far can be assigned to distinct counters (brute force)."""
    accepted: list[Booking] = []
    for (start, end), sid in list(existing) + list(attempts):
        day = _day(counters, accepted)
        free = day.free(sid, start, end)
        candidate = accepted + [Booking(start, end, sid)]
        fits = all(brute_assignable(counters, [True] * len(counters),
                                    [b.service_id for b in candidate if b.start <= t < b.end])
                   for t in range(start, end))
        assert (free > 0) == fits
        if free > 0:
            accepted = candidate
    for t in range(0, 140):
        assert brute_assignable(counters, [True] * len(counters),
                                [b.service_id for b in accepted if b.start <= t < b.end])


@pytest.mark.parametrize("method", ["hall", "matching"])
def test_no_counters_no_places(method: str) -> None:
    assert extra_places({}, 0, {}, 1, method=method) == 0
    assert extra_places({1: 0b1}, 0, {}, 1, method=method) == 0


@settings(max_examples=300, deadline=None)
@given(counter_sets, st.lists(st.tuples(intervals, st.integers(0, 4)), max_size=3),
       st.lists(st.tuples(intervals, st.sampled_from(SERVICES)), max_size=10))
def test_counter_blocks_take_counters_out_at_exactly_their_time(counters, blocked, attempts) -> None:  # type: ignore[no-untyped-def]
    """With some counters out for a while, a booking is accepted exactly when the appointments
    at every minute fit on the counters still at work (brute force)."""
    blocks = [CounterBlock(1 << i, a, b) for (a, b), i in blocked if i < len(counters)]

    def up_at(t: int) -> list[bool]:
        return [not any(k.counters == 1 << i and k.start <= t < k.end for k in blocks) for i in range(len(counters))]

    accepted: list[Booking] = []
    for (start, end), sid in attempts:
        masks, everyone = _setup(counters, [True] * len(counters))
        free = DayLoad(masks, everyone, accepted, blocks, {}).free(sid, start, end)
        candidate = accepted + [Booking(start, end, sid)]
        fits = all(brute_assignable(counters, up_at(t), [b.service_id for b in candidate if b.start <= t < b.end])
                   for t in range(start, end))
        assert (free > 0) == fits
        if free > 0:
            accepted = candidate

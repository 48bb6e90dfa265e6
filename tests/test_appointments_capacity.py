"""Counter-aware appointment capacity through the services, on SQLite and PostgreSQL.

The demo municipality: Balie 1 serves A and B, Balie 2 serves C and M, Balie 3
serves everything. So A (15 minutes) and C (20 minutes) share Balie 3: at any
moment at most three appointments of A and C together, at most two of each.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time

import pytest

from baliedesk.domain.errors import SlotUnavailable
from baliedesk.services import appointments as ap
from tests.test_appointments_service import (  # noqa: F401
    NEXT_THURSDAY,
    active_count,
    book,
    ids,
    local,
    race_to_book,
)

SERVES = {"Balie 1": {"A", "B"}, "Balie 2": {"C", "M"}, "Balie 3": {"A", "B", "C", "M"}}


def slot(backend, ids, now, prefix: str, start: dt.datetime):  # noqa: F811
    return next(s for s in ap.available_slots(backend, ids.users["anne"], ids.services[prefix], now,
                                              start.date(), 1) if s.start == start)


def active(backend, ids) -> list[tuple[str, dt.datetime, dt.datetime]]:  # noqa: F811
    prefixes = {v: k for k, v in ids.services.items()}
    out = []
    for a in ap.day_overview(backend, ids.users["anne"], ids.location_id, local(NEXT_THURSDAY, 6),
                             day=NEXT_THURSDAY).appointments:
        if a.state in ("booked", "checked_in"):
            out.append((prefixes[a.service_id], a.start, a.end))
    return out


def helpable(prefixes: list[str]) -> bool:
    """Brute force: can these appointments each get their own counter serving them?"""
    counters = list(SERVES.values())
    if len(prefixes) > len(counters):
        return False
    return any(all(p in counters[c] for p, c in zip(prefixes, chosen))
               for chosen in itertools.permutations(range(len(counters)), len(prefixes)))


def test_a_shared_counter_is_one_place_not_two(backend, ids, now):  # noqa: F811
    ten = local(NEXT_THURSDAY, 10)
    assert (slot(backend, ids, now, "A", ten).free, slot(backend, ids, now, "C", ten).free) == (2, 2)
    book(backend, ids, now, ten, prefix="C", name="C een")
    book(backend, ids, now, ten, prefix="C", name="C twee")  # Balie 2 and Balie 3 until 10:20
    a_ten = slot(backend, ids, now, "A", ten)
    assert (a_ten.capacity, a_ten.booked, a_ten.free) == (2, 0, 1)  # only Balie 1 is left
    assert slot(backend, ids, now, "A", local(NEXT_THURSDAY, 10, 15)).free == 1  # overlaps C until 10:20
    assert slot(backend, ids, now, "A", local(NEXT_THURSDAY, 10, 30)).free == 2
    first = book(backend, ids, now, ten, prefix="A", name="A een")
    with pytest.raises(SlotUnavailable) as err:
        book(backend, ids, now, ten, prefix="A", name="A twee")  # the old per-service count allowed this
    assert err.value.reason == "full"
    assert slot(backend, ids, now, "A", ten).free == 0
    # Moving into a moment where every counter is busy is refused too; the appointment stays put.
    later = book(backend, ids, now, local(NEXT_THURSDAY, 10, 45), prefix="A", name="A later")
    with pytest.raises(SlotUnavailable) as err:
        ap.move(backend, ids.users["anne"], later.id, ten, now)
    assert err.value.reason == "full"
    assert ap.find(backend, ids.users["anne"], later.code, now).start == local(NEXT_THURSDAY, 10, 45)
    # A move within its own time frees its own place first.
    assert ap.move(backend, ids.users["anne"], first.id, local(NEXT_THURSDAY, 10, 15), now).start \
        == local(NEXT_THURSDAY, 10, 15)
    ap.cancel(backend, ids.users["anne"], first.id, now)
    assert slot(backend, ids, now, "A", ten).free == 1


def test_random_bookings_never_need_more_counters_than_there_are(backend, ids, now):  # noqa: F811
    rng = random.Random(4)
    starts = {"A": [local(NEXT_THURSDAY, 13, 30) + dt.timedelta(minutes=15 * i) for i in range(6)],
              "C": [local(NEXT_THURSDAY, 13, 30) + dt.timedelta(minutes=20 * i) for i in range(4)]}
    for i in range(24):
        prefix = rng.choice("AC")
        start = rng.choice(starts[prefix])
        listed = slot(backend, ids, now, prefix, start).free
        try:
            book(backend, ids, now, start, prefix=prefix, name=f"Bezoeker {i}")
            accepted = True
        except SlotUnavailable as err:
            assert err.reason == "full"
            accepted = False
        assert accepted == (listed > 0)
    booked = active(backend, ids)
    assert len(booked) >= 6
    minute = local(NEXT_THURSDAY, 13, 30)
    while minute < local(NEXT_THURSDAY, 15, 30):
        assert helpable([p for p, s, e in booked if s <= minute < e]), minute
        minute += dt.timedelta(minutes=5)


@pytest.mark.parametrize("workstations", [2, 6])
def test_last_shared_place_is_booked_once_by_two_services_at_once(backend, ids, now, workstations,  # noqa: F811
                                                                   monkeypatch):
    start = local(NEXT_THURSDAY, 14, 30)  # a slot of both A (15 minutes) and C (20 minutes, from 13:30)
    book(backend, ids, now, start, prefix="A", name="Al geboekt A")  # Balie 1
    book(backend, ids, now, start, prefix="C", name="Al geboekt C")  # Balie 2; Balie 3 is the last place
    before = active_count(backend)
    checked = ap._take_place

    def slow_take_place(*args, **kwargs):  # type: ignore[no-untyped-def]
        checked(*args, **kwargs)
        time.sleep(0.05)  # widen the gap between "there is a place" and the insert: the lock must hold

    monkeypatch.setattr(ap, "_take_place", slow_take_place)
    race_to_book(workstations, lambda i: book(backend, ids, now, start, prefix="AC"[i % 2], name=f"Werkplek {i}"))
    assert active_count(backend) == before + 1
    assert slot(backend, ids, now, "A", start).free == 0 and slot(backend, ids, now, "C", start).free == 0


# ---------------------------------------------------------------------------
# a block for one counter (lunch of the colleague at Balie 3)
# ---------------------------------------------------------------------------
def test_a_counter_block_takes_that_counter_out_and_leaves_the_others(backend, ids, now):  # noqa: F811
    lead = ids.users["fatima"]
    noon = local(NEXT_THURSDAY, 12)
    block = ap.add_block(backend, lead, ids.location_id, "12:00", "12:30", weekday=3,
                         counter_id=ids.counters["Balie 3"], note="Lunch Balie 3")
    assert block.counter_id == ids.counters["Balie 3"] and block.service_id is None
    a_noon, c_noon = slot(backend, ids, now, "A", noon), slot(backend, ids, now, "C", noon)
    assert (a_noon.capacity, a_noon.free, c_noon.free) == (2, 1, 1)  # the slots stay, one place each
    assert slot(backend, ids, now, "A", local(NEXT_THURSDAY, 12, 15)).free == 1  # still lunch
    assert slot(backend, ids, now, "A", local(NEXT_THURSDAY, 13, 30)).free == 2  # after lunch
    assert slot(backend, ids, now, "A", local(NEXT_THURSDAY, 11, 45)).free == 2  # ends as lunch begins
    book(backend, ids, now, noon, prefix="A", name="Een")
    with pytest.raises(SlotUnavailable) as err:
        book(backend, ids, now, noon, prefix="A", name="Twee")
    assert err.value.reason == "full"
    # Other Thursdays too (weekly), but not a Wednesday.
    later = NEXT_THURSDAY + dt.timedelta(days=7)
    assert slot(backend, ids, now, "A", local(later, 12)).free == 1
    assert slot(backend, ids, now, "A", local(NEXT_THURSDAY - dt.timedelta(days=1), 12)).free == 2
    # The month view (no bookings that later day) counts the lunch too.
    month = ap.location_slots(backend, ids.users["anne"], ids.location_id, now, later, 1)
    assert next(s for s in month[ids.services["A"]] if s.start == local(later, 12)).free == 1
    assert ap.remove_block(backend, lead, ids.location_id, block.id)
    assert slot(backend, ids, now, "A", local(later, 12)).free == 2


def test_counter_block_refusals(backend, ids, now):  # noqa: F811
    """Refused with a typed error, nothing stored: service and counter at once, an unknown counter, and a
    counter of another location (the admin tab words them, see tests/ui/test_admin_appointments.py)."""
    from baliedesk.domain.errors import NotFound, ValidationError
    from baliedesk.services import schedules

    lead = ids.users["fatima"]
    with pytest.raises(ValidationError) as err:
        ap.add_block(backend, lead, ids.location_id, "12:00", "12:30", weekday=3,
                     counter_id=ids.counters["Balie 3"], service_id=ids.services["A"])
    assert (err.value.field, err.value.code) == ("block", "service_or_counter")
    with pytest.raises(NotFound) as missing:
        ap.add_block(backend, lead, ids.location_id, "12:00", "12:30", weekday=3, counter_id=999_999)
    assert (missing.value.kind, missing.value.key) == ("counter", 999_999)
    with backend.unit_of_work(write=True) as uow:
        other = uow.directory.create("location", name="Elders", timezone="Europe/Amsterdam",
                                     ordering_mode="longest_wait", no_show_after_recalls=2,
                                     counter_gone_after_s=120, active=True)
        elsewhere = uow.directory.create("counter", location_id=other.id, name="Balie Elders",
                                         display_name="Balie Elders", active=True).id
        uow.commit()
    with pytest.raises(NotFound) as foreign:
        ap.add_block(backend, lead, ids.location_id, "12:00", "12:30", weekday=3, counter_id=elsewhere)
    assert (foreign.value.kind, foreign.value.key) == ("counter", elsewhere)
    assert schedules.schedule_config(backend, lead, ids.location_id).blocks == ()

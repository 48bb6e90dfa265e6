"""Issue 14, case 6: yesterday's held visitor never blocks a counter the next morning, also a
counter left running overnight that never signs in again; the queue does not show it held."""

from __future__ import annotations

import datetime as dt

import pytest

from baliedesk.services import queue


@pytest.fixture
def overnight(backend, seeded, now):
    """Balie 1 calls A001 at closing and is left running; returns (anne, counter, ticket, next morning)."""
    anne, counter = seeded.users["anne"], seeded.counters["Balie 1"]
    queue.sign_in(backend, anne, counter, now)
    queue.issue_ticket(backend, seeded.users["kiosk-ingang"], seeded.services["A"], now)
    t = queue.call_next(backend, anne, counter, now)
    morning = now + dt.timedelta(days=1)
    queue.issue_ticket(backend, seeded.users["kiosk-ingang"], seeded.services["A"], morning)
    return anne, counter, t, morning


def test_volgende_next_morning_is_not_refused_for_yesterdays_ticket(backend, seeded, overnight):
    anne, counter, old, morning = overnight
    queue.heartbeat(backend, anne, counter, morning)  # the window kept running: no new sign-in
    called = queue.call_next(backend, anne, counter, morning)
    assert called is not None and called.number == "A001" and called.id != old.id
    history = queue.ticket_history(backend, anne, old.id)
    assert history.ticket.state == "cancelled" and history.events[-1].action == "expire"


@pytest.mark.parametrize("viewer", ["scherm-hal", "kiosk-ingang", "fatima"])
def test_the_first_look_at_the_queue_next_morning_expires_yesterdays_held(backend, seeded, overnight, viewer):
    anne, counter, old, morning = overnight
    snap = queue.queue_snapshot(backend, seeded.users[viewer], seeded.location_id, morning)
    assert old.id not in {t.id for t in snap.held}
    assert queue.ticket_history(backend, anne, old.id).ticket.state == "cancelled"


def test_the_counter_session_next_morning_holds_nobody(backend, seeded, overnight):
    anne, counter, old, morning = overnight
    session = queue.counter_session(backend, anne, counter, morning)
    assert session.current is None
    assert queue.ticket_history(backend, anne, old.id).ticket.state == "cancelled"


def test_today_held_ticket_still_blocks(backend, seeded, overnight):
    """The rule stays: a ticket of today is not finished by the day boundary."""
    from baliedesk.domain.errors import CounterBusy

    anne, counter, _old, morning = overnight
    queue.call_next(backend, anne, counter, morning)
    with pytest.raises(CounterBusy):
        queue.call_next(backend, anne, counter, morning)

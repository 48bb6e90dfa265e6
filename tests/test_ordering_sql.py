"""The SQL claim takes tickets in exactly the order of the domain rule.

``TicketRepository.claim_next`` evaluates :func:`baliedesk.domain.ordering.order_key`
inside one ``UPDATE ... RETURNING`` statement. For random waiting sets (services,
priority classes, arrival and slot times, target counters, both modes with
random weights) we claim until nothing is left, from counters with random
service sets, and compare every claim with ``choose_next`` on what is left.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baliedesk.domain.ordering import MAX_WEIGHT, MIN_WEIGHT, Candidate, OrderingMode, choose_next
from baliedesk.domain.tickets import PriorityClass, format_number
from baliedesk.services.common import epoch_ms

N_SERVICES = 4
N_COUNTERS = 3
MIN = 60_000


@dataclass(frozen=True)
class TicketSpec:
    service: int  # index into the services
    priority_class: int
    arrived_min_ago: int
    slot_min_from_now: int  # appointments only
    target: int | None  # index into the counters


@dataclass(frozen=True)
class Scenario:
    tickets: list[TicketSpec]
    counter_services: list[frozenset[int]]  # per counter, indices of the services it serves
    claims: list[int]  # which counter presses "volgende", in turn
    mode: OrderingMode
    weights: dict[int, float]  # per service index


ticket_spec = st.builds(
    TicketSpec,
    service=st.integers(0, N_SERVICES - 1),
    # Mostly walk-ins (as in real life): the weights decide between tickets of one class.
    priority_class=st.sampled_from([int(c) for c in PriorityClass] + [int(PriorityClass.WALK_IN)] * 2),
    # Few distinct minutes: ties in arrival and slot times happen often.
    arrived_min_ago=st.one_of(st.integers(0, 12), st.integers(0, 300)),
    slot_min_from_now=st.integers(-30, 30),
    target=st.one_of(st.none(), st.integers(0, N_COUNTERS - 1)),
)
weight = st.one_of(st.sampled_from([MIN_WEIGHT, 0.5, 1.0, 1.5, 2.0, 3.0, MAX_WEIGHT]),
                   st.floats(MIN_WEIGHT, MAX_WEIGHT, allow_nan=False))


@st.composite
def scenarios(draw) -> Scenario:
    tickets = draw(st.lists(ticket_spec, min_size=2, max_size=14))
    counter_services = draw(st.lists(st.frozensets(st.integers(0, N_SERVICES - 1)),
                                     min_size=N_COUNTERS, max_size=N_COUNTERS))
    claims = draw(st.lists(st.integers(0, N_COUNTERS - 1), min_size=1, max_size=len(tickets) + 3))
    mode = draw(st.sampled_from(list(OrderingMode)))
    weights = draw(st.fixed_dictionaries({i: weight for i in range(N_SERVICES)}))
    return Scenario(tickets, counter_services, claims, mode, weights)


def _setup(backend):
    """One location with services and counters, shared by all examples (each example uses its own day)."""
    with backend.unit_of_work(write=True) as uow:
        d = uow.directory
        loc = d.create("location", name="Ordering", timezone="Europe/Amsterdam", ordering_mode="longest_wait",
                       no_show_after_recalls=2, counter_gone_after_s=120, active=True)
        services = [d.create("service", location_id=loc.id, prefix=p, name=p, color="#000000", expected_minutes=5.0,
                             walk_in=True, appointments=True, weight=1.0, sort_order=0, active=True).id
                    for p in "ABCD"[:N_SERVICES]]
        counters = [d.create("counter", location_id=loc.id, name=f"Balie {i}", display_name=f"Balie {i}",
                             active=True).id for i in range(N_COUNTERS)]
        user = d.create("user", username="clerk", display_name="Clerk", role="baliemedewerker", active=True).id
        uow.commit()
        return loc.id, services, counters, user


def _add_waiting(uow, sc: Scenario, seqs, *, location_id: int, services, counters, day: dt.date,
                 now: dt.datetime, now_ms: int) -> dict[int, Candidate]:
    """Write the scenario's waiting tickets (numbered from ``seqs``); the same tickets as the domain sees them."""
    model: dict[int, Candidate] = {}
    for seq, spec in zip(seqs, sc.tickets):
        arrived = now_ms - spec.arrived_min_ago * MIN
        queue_ms = now_ms + spec.slot_min_from_now * MIN if spec.priority_class == PriorityClass.APPOINTMENT \
            else arrived
        target = counters[spec.target] if spec.target is not None else None
        t = uow.tickets.new(
            location_id=location_id, service_id=services[spec.service], day=day, seq=seq,
            number=format_number("ABCD"[spec.service], seq), state="waiting",
            priority_class=spec.priority_class, arrived_ms=arrived, queue_ms=queue_ms, issued_at=now,
            target_counter_id=target, recall_count=0, source="test",
        )
        model[t.id] = Candidate(t.id, t.service_id, spec.priority_class, arrived, queue_ms, target)
    return model


def _claim_all(backend, sc: Scenario, claim, model: dict[int, Candidate], location_id: int, day: dt.date) -> None:
    """The drawn interleaving of counters, then each counter until it gets nobody; what is left still waits."""
    for who in sc.claims:
        claim(who)
    for who in range(N_COUNTERS):
        while claim(who):
            pass
    with backend.unit_of_work() as uow:
        assert {c.ticket_id for c in uow.tickets.waiting_candidates(location_id, day)} == set(model)


def check_claim_order(backend, now: dt.datetime, max_examples: int) -> None:
    location_id, services, counters, user_id = _setup(backend)
    now_ms = epoch_ms(now)
    days = (now.date() + dt.timedelta(days=i) for i in itertools.count(1))

    @settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(scenarios())
    def run(sc: Scenario) -> None:
        day = next(days)
        weights = {services[i]: w for i, w in sc.weights.items()}
        with backend.unit_of_work(write=True) as uow:
            model = _add_waiting(uow, sc, itertools.count(1), location_id=location_id, services=services,
                                 counters=counters, day=day, now=now, now_ms=now_ms)
            uow.commit()
        with backend.unit_of_work() as uow:
            assert set(uow.tickets.waiting_candidates(location_id, day)) == set(model.values())

        def claim(who: int) -> bool:
            counter_id = counters[who]
            service_ids = sorted(services[i] for i in sc.counter_services[who])
            expected = choose_next(model.values(), counter_id=counter_id, service_ids=service_ids, now_ms=now_ms,
                                   mode=sc.mode, weights=weights)
            with backend.unit_of_work(write=True) as uow:
                claimed = uow.tickets.claim_next(
                    location_id=location_id, day=day, counter_id=counter_id, service_ids=service_ids, now=now,
                    now_ms=now_ms, mode=sc.mode, weights=weights, user_id=user_id,
                )
                got = None if claimed is None else (claimed.id, claimed.state, claimed.counter_id)
                uow.commit()
            want = None if expected is None else (expected.ticket_id, "called", counter_id)
            assert got == want, (sc.mode, counter_id, service_ids)
            if expected is None:
                return False
            del model[expected.ticket_id]
            return True

        _claim_all(backend, sc, claim, model, location_id, day)

    run()


def test_sql_claim_order_equals_domain_rule(backend, now):
    check_claim_order(backend, now, max_examples=60 if backend.backend == "postgresql" else 200)


def test_fair_share_weight_of_a_ticket_transferred_to_a_counter(backend, seeded, now):
    """A ticket sent to one counter keeps its own service's weight, also when that counter does not serve it."""
    from baliedesk.services import queue
    from baliedesk.storage.models import Location, Service

    ids = seeded
    with backend.unit_of_work(write=True) as uow:
        uow.session.get(Location, ids.location_id).ordering_mode = OrderingMode.FAIR_SHARE.value
        uow.session.get(Service, ids.services["A"]).weight = 0.5
        uow.commit()
    kiosk, anne, jeroen = ids.users["kiosk-ingang"], ids.users["anne"], ids.users["jeroen"]
    balie1, balie2 = ids.counters["Balie 1"], ids.counters["Balie 2"]
    a1 = queue.issue_ticket(backend, kiosk, ids.services["A"], now - dt.timedelta(minutes=12)).ticket
    c1 = queue.issue_ticket(backend, kiosk, ids.services["C"], now - dt.timedelta(minutes=10)).ticket
    queue.sign_in(backend, anne, balie1, now - dt.timedelta(minutes=1))
    queue.sign_in(backend, jeroen, balie2, now - dt.timedelta(minutes=1))
    assert queue.call_next(backend, anne, balie1, now - dt.timedelta(seconds=50)).id == a1.id
    queue.transfer(backend, anne, balie1, a1.id, now - dt.timedelta(seconds=40), to_counter_id=balie2)
    # Balie 2 serves C and M. A001 waited 12 minutes at weight 0.5 (= 6), C001 10 minutes at weight 1.
    assert queue.call_next(backend, jeroen, balie2, now).id == c1.id


def check_call_next_order(backend, now: dt.datetime, max_examples: int) -> None:
    """The same rule through the service: ``queue.call_next`` reads the counter's services,
    the location's mode and the services' weights from the database (on PostgreSQL in
    the one statement of :meth:`TicketRepository.call_next_for`)."""
    from sqlalchemy import delete, update

    from baliedesk.domain.tickets import TicketState
    from baliedesk.services import queue
    from baliedesk.services.common import local_day
    from baliedesk.storage.models import CounterService, Location, Service, Ticket, TicketEvent

    location_id, services, counters, _clerk = _setup(backend)
    with backend.unit_of_work(write=True) as uow:
        users = [uow.directory.create("user", username=f"clerk{i}", display_name=f"Clerk {i}", role="baliemedewerker",
                                      active=True).id for i in range(N_COUNTERS)]
        uow.flush()
        for user_id in users:  # people work for a location (made here below the services, as a seed would)
            uow.privacy.set_user_locations(user_id, [location_id])
        uow.commit()
    for user_id, counter_id in zip(users, counters, strict=True):
        queue.sign_in(backend, user_id, counter_id, now, services)
    now_ms = epoch_ms(now)
    day = local_day(now, "Europe/Amsterdam")
    numbers = itertools.count(1)

    @settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(scenarios())
    def run(sc: Scenario) -> None:
        weights = {services[i]: w for i, w in sc.weights.items()}
        with backend.unit_of_work(write=True) as uow:
            s = uow.session
            s.execute(delete(TicketEvent))
            s.execute(delete(Ticket))
            s.get(Location, location_id).ordering_mode = sc.mode.value
            for sid, w in weights.items():
                s.get(Service, sid).weight = w
            s.execute(delete(CounterService))
            for who, served in enumerate(sc.counter_services):
                for i in sorted(served):
                    s.add(CounterService(counter_id=counters[who], service_id=services[i]))
            model = _add_waiting(uow, sc, numbers, location_id=location_id, services=services, counters=counters,
                                 day=day, now=now, now_ms=now_ms)
            uow.commit()

        def claim(who: int) -> bool:
            counter_id = counters[who]
            service_ids = sorted(services[i] for i in sc.counter_services[who])
            expected = choose_next(model.values(), counter_id=counter_id, service_ids=service_ids, now_ms=now_ms,
                                   mode=sc.mode, weights=weights)
            if not service_ids:
                return False  # refused (NoCounterServices), tested elsewhere
            got = queue.call_next(backend, users[who], counter_id, now)
            assert (None if got is None else got.id) == (None if expected is None else expected.ticket_id), \
                (sc.mode, counter_id, service_ids)
            if got is None:
                return False
            assert (got.state, got.counter_id, got.recall_count, got.called_at) == ("called", counter_id, 0, now)
            with backend.unit_of_work(write=True) as uow:  # free the counter for its next call
                uow.session.execute(update(Ticket).where(Ticket.id == got.id)
                                    .values(state=TicketState.FINISHED.value, finished_at=now))
                uow.commit()
            del model[got.id]
            return True

        _claim_all(backend, sc, claim, model, location_id, day)

    run()


def test_call_next_service_order_equals_domain_rule(backend, now):
    check_call_next_order(backend, now, max_examples=40 if backend.backend == "postgresql" else 100)


def test_call_next_statement_stays_small_enough_for_the_driver_cache():
    """psycopg caches its conversion of a statement only up to 4096 characters;
    a longer "volgende" statement would be re-parsed on every call."""
    from psycopg import _queries
    from sqlalchemy.dialects.postgresql import psycopg as pg_psycopg

    from baliedesk.storage.repositories import TicketRepository

    sql = TicketRepository._call_next_statement().compile(dialect=pg_psycopg.dialect()).string
    assert "FOR UPDATE OF tickets SKIP LOCKED" in sql
    assert len(sql) <= _queries.MAX_CACHED_STATEMENT_LENGTH, len(sql)

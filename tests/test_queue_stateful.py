"""A stateful property test of the walk-in queue through the service layer.

Hypothesis drives random sequences of kiosk, counter and team-lead actions
against a real database (SQLite, and PostgreSQL with fewer runs) and a simple
model of what every ticket's state must be. After every step the database
must agree with the model, and:

* no counter holds more than one visitor, and held tickets have a counter;
* waiting + held + final == issued;
* numbers are unique per location and day and carry their service's prefix;
* every ticket's events replay to its current state (each event starts where
  the previous one ended, and follows the state machine).

Besides "volgende" a counter may call a chosen number (``call_ticket``) and undo
a no-show within ``UNDO_NO_SHOW_MINUTES`` (``undo_no_show``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, replace
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from zoneinfo import ZoneInfo

from baliedesk.domain.errors import (
    CounterBusy,
    CounterInUse,
    InvalidTransition,
    NoShowTooEarly,
    NotYourTicket,
    TicketNotForCounter,
    TicketNotWaiting,
    UndoTooLate,
)
from baliedesk.domain.ordering import MAX_WEIGHT, MIN_WEIGHT, Candidate, OrderingMode, choose_next
from baliedesk.domain.tickets import (
    TRANSITIONS,
    UNDO_NO_SHOW_MINUTES,
    Outcome,
    PriorityClass,
    TicketAction,
    TicketState,
)
from baliedesk.domain.timeline import is_gone
from baliedesk.services import queue, setup
from baliedesk.services.common import epoch_ms
from baliedesk.storage.models import Counter, Ticket, TicketEvent

PREFIXES = ("A", "B", "C")
#: Which services (indices into PREFIXES) each counter serves: two specialised, one generalist.
COUNTER_SERVICES = ((0, 1), (2,), (0, 1, 2))
NO_SHOW_AFTER = 2
GONE_AFTER_S = 120
WAITING, CALLED, SERVING = "waiting", "called", "serving"
PRIO = int(PriorityClass.PRIORITY)


def _row(obj) -> SimpleNamespace:
    return SimpleNamespace(**{c.key: getattr(obj, c.key) for c in obj.__table__.columns})


@dataclass(frozen=True)
class Model:
    number: str
    service: int  # service id
    state: str
    priority_class: int
    arrived_ms: int
    counter: int | None  # counter id while held
    target: int | None
    recalls: int
    day: dt.date | None = None  # the local day it was issued
    no_show_at: dt.datetime | None = None  # when it was marked "niet gekomen"


class QueueMachine(RuleBasedStateMachine):
    backend = None  # set by the test
    admin_id: int = 0
    runs = itertools.count()
    start = dt.datetime(2026, 11, 19, 8, 30, tzinfo=dt.UTC)  # Thursday 09:30 in Amsterdam

    def __init__(self) -> None:
        super().__init__()
        self.tickets: dict[int, Model] = {}
        self.issued_per_service: dict[int, int] = {}

    # -- set-up ----------------------------------------------------------------
    @initialize(
        mode=st.sampled_from(list(OrderingMode)),
        weights=st.lists(st.sampled_from([MIN_WEIGHT, 0.5, 1.0, 2.0, MAX_WEIGHT]), min_size=3, max_size=3),
    )
    def set_up(self, mode: OrderingMode, weights: list[float]) -> None:
        db, admin, run = self.backend, self.admin_id, next(self.runs)
        self.now = self.start
        self.mode = mode
        loc = setup.create_location(db, admin, f"Locatie {run}", ordering_mode=mode.value,
                                    no_show_after_recalls=NO_SHOW_AFTER, counter_gone_after_s=GONE_AFTER_S)
        self.location_id = loc.id
        self.services = [
            setup.create_service(db, admin, loc.id, p, f"Dienst {p}", weight=w).id for p, w in zip(PREFIXES, weights)
        ]
        self.weights = dict(zip(self.services, weights))
        self.prefix = dict(zip(self.services, PREFIXES))
        self.counters = [
            setup.create_counter(db, admin, loc.id, f"Balie {i + 1}", service_ids=[self.services[s] for s in served]).id
            for i, served in enumerate(COUNTER_SERVICES)
        ]
        self.served = {c: [self.services[s] for s in served] for c, served in zip(self.counters, COUNTER_SERVICES)}
        self.clerks = {
            c: setup.create_user(db, admin, f"clerk-{run}-{i}", f"Medewerker {i}", "baliemedewerker").id
            for i, c in enumerate(self.counters)
        }
        self.kiosk = setup.create_user(db, admin, f"kiosk-{run}", "Kiosk", "kiosk").id
        self.lead = setup.create_user(db, admin, f"lead-{run}", "Teamleider", "teamleider").id
        for c in self.counters:
            queue.sign_in(db, self.clerks[c], c, self.now)

    # -- helpers -----------------------------------------------------------------
    def _tick(self, seconds: float = 1.0) -> dt.datetime:
        self.now += dt.timedelta(seconds=seconds)
        return self.now

    def _held_by(self, counter: int) -> int | None:
        held = [tid for tid, m in self.tickets.items() if m.counter == counter and m.state in (CALLED, SERVING)]
        assert len(held) <= 1
        return held[0] if held else None

    def _holding(self, who: int) -> tuple[int, int] | None:
        """The ``who``-th counter (modulo) among those holding a visitor, and that visitor."""
        pairs = sorted((m.counter, tid) for tid, m in self.tickets.items() if m.state in (CALLED, SERVING))
        return pairs[who % len(pairs)] if pairs else None

    def _pick(self, index: int) -> int | None:
        if not self.tickets:
            return None
        ids = sorted(self.tickets)
        return ids[index % len(ids)]

    def _back_to_queue(self, tid: int, *, priority: bool, **changes) -> None:
        m = self.tickets[tid]
        cls = min(m.priority_class, PRIO) if priority else m.priority_class
        self.tickets[tid] = replace(m, state=WAITING, counter=None, priority_class=cls, **changes)

    def _counter_alive(self, counter: int) -> bool:
        with self.backend.unit_of_work() as uow:
            row = uow.session.execute(
                select(Counter.signed_in_user_id, Counter.last_seen_at).where(Counter.id == counter)
            ).one()
        return row.signed_in_user_id is not None and not is_gone(row.last_seen_at, self.now, GONE_AFTER_S)

    # -- rules ---------------------------------------------------------------------
    @rule(service=st.integers(0, len(PREFIXES) - 1), pause=st.sampled_from([1, 1, 1, 30, GONE_AFTER_S + 30]))
    def issue(self, service: int, pause: int) -> None:
        """A visitor takes a ticket, ``pause`` seconds after the previous action (long
        enough, now and then, for a counter that did nothing to count as gone)."""
        sid = self.services[service]
        now = self._tick(pause)
        t = queue.issue_ticket(self.backend, self.kiosk, sid, now).ticket
        seq = self.issued_per_service.get(sid, 0) + 1
        self.issued_per_service[sid] = seq
        assert t.number == f"{PREFIXES[service]}{seq:03d}"
        assert t.id not in self.tickets
        self.tickets[t.id] = Model(t.number, sid, WAITING, int(PriorityClass.WALK_IN), epoch_ms(now), None, None, 0,
                                   self._today())

    def _today(self) -> dt.date:
        return self.now.astimezone(ZoneInfo("Europe/Amsterdam")).date()

    def _free_counters(self) -> list[int]:
        return [c for c in self.counters if self._held_by(c) is None]

    @precondition(lambda self: any(m.state == WAITING for m in self.tickets.values()))
    @rule(who=st.integers(0, 2))
    def call_next(self, who: int) -> None:
        """A counter presses "volgende" (a busy one is refused, a free one gets the rule's pick)."""
        free = self._free_counters()
        c = free[who % len(free)] if free and who else self.counters[who]
        now = self._tick()
        if self._held_by(c) is not None:
            with pytest.raises(CounterBusy):
                queue.call_next(self.backend, self.clerks[c], c, now)
            return
        waiting = [Candidate(tid, m.service, m.priority_class, m.arrived_ms, m.arrived_ms, m.target)
                   for tid, m in self.tickets.items() if m.state == WAITING]
        expected = choose_next(waiting, counter_id=c, service_ids=self.served[c], now_ms=epoch_ms(now),
                               mode=self.mode, weights=self.weights)
        got = queue.call_next(self.backend, self.clerks[c], c, now)
        assert (got and got.id) == (expected and expected.ticket_id)
        if got is not None:
            assert got.state == CALLED and got.counter_id == c
            self.tickets[got.id] = replace(self.tickets[got.id], state=CALLED, counter=c, target=None, recalls=0)

    @precondition(lambda self: self._holding(0) is not None)
    @rule(who=st.integers(0, 2))
    def recall(self, who: int) -> None:
        c, tid = self._holding(who)
        m = self.tickets[tid]
        if m.state == SERVING:
            with pytest.raises(InvalidTransition):
                queue.recall(self.backend, self.clerks[c], c, tid, self._tick())
            return
        got = queue.recall(self.backend, self.clerks[c], c, tid, self._tick())
        assert got.recall_count == m.recalls + 1
        self.tickets[tid] = replace(m, recalls=m.recalls + 1)

    @precondition(lambda self: self._holding(0) is not None)
    @rule(who=st.integers(0, 2))
    def start_serving(self, who: int) -> None:
        c, tid = self._holding(who)
        if self.tickets[tid].state == SERVING:
            with pytest.raises(InvalidTransition):
                queue.start_serving(self.backend, self.clerks[c], c, tid, self._tick())
            return
        queue.start_serving(self.backend, self.clerks[c], c, tid, self._tick())
        self.tickets[tid] = replace(self.tickets[tid], state=SERVING)

    @precondition(lambda self: self._holding(0) is not None)
    @rule(who=st.integers(0, 2), outcome=st.sampled_from(list(Outcome)))
    def finish(self, who: int, outcome: Outcome) -> None:
        c, tid = self._holding(who)
        got = queue.finish(self.backend, self.clerks[c], c, tid, self._tick(), outcome, note="Klaar")
        assert (got.state, got.outcome) == ("finished", outcome.value)
        self.tickets[tid] = replace(self.tickets[tid], state="finished")

    @precondition(lambda self: self._holding(0) is not None)
    @rule(who=st.integers(0, 2), insist=st.booleans())
    def no_show(self, who: int, insist: bool) -> None:
        """No-show; refused until the visitor was recalled often enough. ``insist``: the
        clerk then recalls the remaining times (nobody comes) and tries again."""
        c, tid = self._holding(who)
        m = self.tickets[tid]
        if m.state == SERVING or m.recalls < NO_SHOW_AFTER:
            with pytest.raises((NoShowTooEarly, InvalidTransition)) as info:
                queue.no_show(self.backend, self.clerks[c], c, tid, self._tick())
            if m.state == SERVING:
                return
            assert isinstance(info.value, NoShowTooEarly)
            assert (info.value.recalls, info.value.required) == (m.recalls, NO_SHOW_AFTER)
            if not insist:
                return
            for _ in range(NO_SHOW_AFTER - m.recalls):
                self.recall(who)
        got = queue.no_show(self.backend, self.clerks[c], c, tid, self._tick())
        assert got.state == "no_show" and got.finished_at == self.now
        self.tickets[tid] = replace(self.tickets[tid], state="no_show", no_show_at=self.now)

    @precondition(lambda self: bool(self.tickets))
    @rule(who=st.integers(0, 2), index=st.integers(0, 10_000))
    def call_ticket(self, who: int, index: int) -> None:
        """A counter calls a chosen number (double-click, "Nummer oproepen…")."""
        c, tid = self.counters[who], self._pick(index)
        m = self.tickets[tid]
        now = self._tick()
        call = lambda: queue.call_ticket(self.backend, self.clerks[c], c, tid, now)  # noqa: E731
        if self._held_by(c) is not None:
            with pytest.raises(CounterBusy):
                call()
        elif m.state != WAITING or m.day != self._today():
            with pytest.raises(TicketNotWaiting):
                call()
        elif (m.target is not None and m.target != c) or (m.target is None and m.service not in self.served[c]):
            with pytest.raises(TicketNotForCounter):
                call()
        else:
            got = call()
            assert (got.id, got.state, got.counter_id, got.arrived_ms) == (tid, CALLED, c, m.arrived_ms)
            self.tickets[tid] = replace(m, state=CALLED, counter=c, target=None, recalls=0)

    @precondition(lambda self: any(m.state == "no_show" for m in self.tickets.values()))
    @rule(who=st.integers(0, 2), index=st.integers(0, 10_000),
          pause=st.sampled_from([1, 60, UNDO_NO_SHOW_MINUTES * 60 + 5]))
    def undo_no_show(self, who: int, index: int, pause: int) -> None:
        """"Toch gekomen": refused for anything but a no-show, and after the window."""
        gone = sorted(tid for tid, m in self.tickets.items() if m.state == "no_show")
        tid = gone[index % len(gone)] if index % 3 else self._pick(index)
        c, m = self.counters[who], self.tickets[tid]
        now = self._tick(pause)
        call = lambda: queue.undo_no_show(self.backend, self.clerks[c], c, tid, now)  # noqa: E731
        if m.state != "no_show":
            with pytest.raises(InvalidTransition):
                call()
        elif now - m.no_show_at > dt.timedelta(minutes=UNDO_NO_SHOW_MINUTES) or m.day != self._today():
            with pytest.raises(UndoTooLate):
                call()
        else:
            got = call()
            assert (got.state, got.counter_id, got.arrived_ms, got.recall_count) == (WAITING, None, m.arrived_ms, 0)
            self.tickets[tid] = replace(m, state=WAITING, counter=None, recalls=0, no_show_at=None)

    @precondition(lambda self: self._holding(0) is not None)
    @rule(who=st.integers(0, 2), priority=st.booleans())
    def requeue(self, who: int, priority: bool) -> None:
        c, tid = self._holding(who)
        got = queue.requeue(self.backend, self.clerks[c], c, tid, self._tick(), priority=priority)
        assert got.arrived_ms == self.tickets[tid].arrived_ms
        self._back_to_queue(tid, priority=priority)

    @rule(who=st.integers(0, 2), index=st.integers(0, 10_000), priority=st.booleans(),
          to_service=st.one_of(st.none(), st.integers(0, len(PREFIXES) - 1)), to_counter=st.integers(0, 2))
    def transfer(self, who: int, index: int, priority: bool, to_service: int | None, to_counter: int) -> None:
        """Transfer the held visitor, or any ticket: to a service, or else to a counter."""
        held = self._holding(who) if index % 2 else None
        c, tid = held if held is not None else (self.counters[who], self._pick(index // 2))
        if tid is None:
            return
        m = self.tickets[tid]
        kw = ({"to_service_id": self.services[to_service]} if to_service is not None
              else {"to_counter_id": self.counters[to_counter]})
        call = lambda: queue.transfer(self.backend, self.clerks[c], c, tid, self._tick(), priority=priority, **kw)  # noqa: E731
        if m.state in (CALLED, SERVING) and m.counter != c:
            with pytest.raises(NotYourTicket):
                call()
        elif m.state not in (WAITING, CALLED, SERVING):
            with pytest.raises(InvalidTransition):
                call()
        else:
            got = call()
            assert got.arrived_ms == m.arrived_ms and got.number == m.number
            self._back_to_queue(tid, priority=priority, service=kw.get("to_service_id", m.service),
                                target=kw.get("to_counter_id"))

    @precondition(lambda self: bool(self.tickets))
    @rule(index=st.integers(0, 10_000))
    def cancel(self, index: int) -> None:
        tid = self._pick(index)
        if tid is None:
            return
        m = self.tickets[tid]
        clerk = self.clerks[self.counters[0]]
        if m.state != WAITING:
            with pytest.raises(InvalidTransition):
                queue.cancel(self.backend, clerk, tid, self._tick())
            return
        queue.cancel(self.backend, clerk, tid, self._tick(), note="Weggegaan")
        self.tickets[tid] = replace(m, state="cancelled")

    @precondition(lambda self: bool(self.tickets))
    @rule(index=st.integers(0, 10_000), force=st.booleans(), any_ticket=st.booleans())
    def release(self, index: int, force: bool, any_ticket: bool) -> None:
        """The team lead releases a held visitor (or tries any ticket)."""
        held = self._holding(index)
        tid = self._pick(index) if any_ticket or held is None else held[1]
        m = self.tickets[tid]
        now = self._tick()
        if m.state not in (CALLED, SERVING):
            with pytest.raises(InvalidTransition):
                queue.release(self.backend, self.lead, tid, now, force=force)
        elif not force and self._counter_alive(m.counter):
            with pytest.raises(CounterInUse):
                queue.release(self.backend, self.lead, tid, now, force=force)
        else:
            got = queue.release(self.backend, self.lead, tid, now, force=force)
            assert got.state == WAITING and got.counter_id is None
            self._back_to_queue(tid, priority=True)

    @precondition(lambda self: self._holding(0) is not None)
    @rule(who=st.integers(0, 2), restart=st.booleans())
    def counter_alive(self, who: int, restart: bool) -> None:
        """A counter with a visitor says it is alive, or its PC restarts: signing in
        again resumes the visitor it held."""
        c, tid = self._holding(who)
        if restart:
            session = queue.sign_in(self.backend, self.clerks[c], c, self._tick())
            assert session.current is not None and session.current.id == tid
            assert session.current.state == self.tickets[tid].state
        else:
            queue.heartbeat(self.backend, self.clerks[c], c, self._tick())

    # -- invariants ------------------------------------------------------------------
    def _stored(self) -> tuple[list[SimpleNamespace], dict[int, list[SimpleNamespace]]]:
        """Tickets and events of this run's location, read afresh (column values only)."""
        with self.backend.unit_of_work() as uow:
            tickets = [_row(t) for t in uow.session.execute(
                select(Ticket).where(Ticket.location_id == self.location_id).order_by(Ticket.id)).scalars()]
            events: dict[int, list[SimpleNamespace]] = {t.id: [] for t in tickets}
            if tickets:
                rows = uow.session.execute(
                    select(TicketEvent).where(TicketEvent.ticket_id.in_(list(events))).order_by(TicketEvent.id)
                ).scalars()
                for e in rows:
                    events[e.ticket_id].append(_row(e))
            return tickets, events

    @invariant()
    def database_agrees(self) -> None:
        if not hasattr(self, "location_id"):
            return
        tickets, events = self._stored()
        assert {t.id for t in tickets} == set(self.tickets)

        held_by: dict[int, list[int]] = {}
        waiting = held = final = 0
        numbers = set()
        for t in tickets:
            m = self.tickets[t.id]
            assert (t.state, t.service_id, t.priority_class, t.arrived_ms, t.target_counter_id, t.number) == (
                m.state, m.service, m.priority_class, m.arrived_ms, m.target, m.number), t.number
            state = TicketState(t.state)
            if state.is_held:
                held += 1
                assert t.counter_id == m.counter is not None
                assert t.recall_count == m.recalls
                held_by.setdefault(t.counter_id, []).append(t.id)
            elif state is TicketState.WAITING:
                waiting += 1
                assert t.counter_id is None
            else:
                final += 1
                assert t.finished_at is not None
            numbers.add((t.day, t.number))
            # Events replay to the current state, along the state machine.
            chain = events[t.id]
            assert chain and (chain[0].action, chain[0].from_state, chain[0].to_state) == ("issue", None, WAITING)
            for prev, ev in itertools.pairwise(chain):
                assert ev.from_state == prev.to_state, (t.number, prev.action, ev.action)
                expected = TRANSITIONS[(TicketState(ev.from_state), TicketAction(ev.action))]
                assert ev.to_state == expected.value
                assert ev.user_id is not None and ev.at >= prev.at
                if ev.action not in ("cancel", "release"):
                    assert ev.counter_id is not None
            assert chain[-1].to_state == t.state
        assert all(len(ids) == 1 for ids in held_by.values()), held_by
        assert waiting + held + final == len(tickets) == len(self.tickets)
        assert len(numbers) == len(tickets)


def _run(backend, max_examples: int, steps: int) -> None:
    QueueMachine.backend = backend
    QueueMachine.admin_id = setup.bootstrap(backend, "beheer", "Beheerder").id
    try:
        run_state_machine_as_test(
            QueueMachine,
            settings=settings(max_examples=max_examples, stateful_step_count=steps, deadline=None,
                              derandomize=True, database=None,
                              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]),
        )
    finally:
        QueueMachine.backend = None


def test_queue_state_machine(backend):
    if backend.backend == "postgresql":
        _run(backend, max_examples=15, steps=30)
    else:
        _run(backend, max_examples=50, steps=40)

"""The walk-in queue through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from baliedesk.domain.errors import (
    CounterBusy,
    CounterInUse,
    InactiveUser,
    InvalidTransition,
    NoCounterServices,
    NotFound,
    NoShowTooEarly,
    NotSignedIn,
    NotYourTicket,
    PermissionDenied,
    ServiceNotOffered,
    ValidationError,
)
from baliedesk.domain.tickets import NOTE_MAX_LENGTH, Outcome, PriorityClass
from baliedesk.services import queue, setup
from baliedesk.storage.models import Ticket, TicketEvent, TicketSequence


def _row(obj) -> SimpleNamespace:
    return SimpleNamespace(**{c.key: getattr(obj, c.key) for c in obj.__table__.columns})


class Desk:
    """Shorthands over the seeded municipality: who does what, at which minute."""

    def __init__(self, backend, ids, now):
        self.db, self.ids, self.t0 = backend, ids, now
        self.kiosk = ids.users["kiosk-ingang"]
        self.lead = ids.users["fatima"]
        self.admin = ids.users["beheer"]
        self.clerk = {1: ids.users["anne"], 2: ids.users["jeroen"], 3: ids.users["sanne"]}
        self.counter = {n: ids.counters[f"Balie {n}"] for n in (1, 2, 3)}

    def at(self, minutes: float) -> dt.datetime:
        return self.t0 + dt.timedelta(minutes=minutes)

    def issue(self, prefix: str, minute: float = 0):
        return queue.issue_ticket(self.db, self.kiosk, self.ids.services[prefix], self.at(minute)).ticket

    def sign_in(self, n: int, minute: float = 0):
        return queue.sign_in(self.db, self.clerk[n], self.counter[n], self.at(minute))

    def call(self, n: int, minute: float = 0):
        return queue.call_next(self.db, self.clerk[n], self.counter[n], self.at(minute))

    def act(self, fn, n: int, ticket, minute: float = 0, **kw):
        return fn(self.db, self.clerk[n], self.counter[n], ticket.id, self.at(minute), **kw)

    def ticket(self, ticket_id: int) -> SimpleNamespace:
        """The stored row, read afresh (column values only)."""
        with self.db.unit_of_work() as uow:
            return _row(uow.tickets.get(ticket_id))

    def events(self, ticket_id: int | None = None) -> list[SimpleNamespace]:
        with self.db.unit_of_work() as uow:
            stmt = select(TicketEvent).order_by(TicketEvent.id)
            if ticket_id is not None:
                stmt = stmt.where(TicketEvent.ticket_id == ticket_id)
            return [_row(e) for e in uow.session.execute(stmt).scalars()]

    def ticket_count(self) -> int:
        with self.db.unit_of_work() as uow:
            return uow.session.execute(select(func.count()).select_from(Ticket)).scalar_one()

    def snapshot(self, minute: float = 0):
        return queue.queue_snapshot(self.db, self.lead, self.ids.location_id, self.at(minute))


@pytest.fixture
def desk(backend, seeded, now) -> Desk:
    return Desk(backend, seeded, now)


def _unchanged(desk: Desk, ticket_id: int, before: SimpleNamespace) -> None:
    after = desk.ticket(ticket_id)
    assert (after.state, after.counter_id, after.recall_count, after.outcome, after.note) == (
        before.state, before.counter_id, before.recall_count, before.outcome, before.note)


# ---------------------------------------------------------------------------
# issuing
# ---------------------------------------------------------------------------
def test_numbers_per_service_per_day(desk):
    numbers = [desk.issue(p, i).number for i, p in enumerate("AABAMC")]
    assert numbers == ["A001", "A002", "B001", "A003", "M001", "C001"]
    tomorrow = 24 * 60
    assert [desk.issue(p, tomorrow + i).number for i, p in enumerate("BAA")] == ["B001", "A001", "A002"]


def test_numbers_restart_at_local_midnight_not_utc(desk, now):
    # 23:59 in Amsterdam is 22:59 UTC; one minute past local midnight is a new day.
    evening = now.replace(hour=22, minute=59)
    kiosk, a = desk.kiosk, desk.ids.services["A"]
    assert queue.issue_ticket(desk.db, kiosk, a, now).ticket.number == "A001"
    assert queue.issue_ticket(desk.db, kiosk, a, evening).ticket.number == "A002"
    assert queue.issue_ticket(desk.db, kiosk, a, evening + dt.timedelta(minutes=2)).ticket.number == "A001"


def test_numbers_go_on_past_999(desk, now):
    with desk.db.unit_of_work(write=True) as uow:
        uow.session.add(TicketSequence(location_id=desk.ids.location_id, service_id=desk.ids.services["B"],
                                       day=dt.date(2026, 11, 19), last_number=998))
        uow.commit()
    assert [desk.issue("B").number for _ in range(2)] == ["B999", "B1000"]


def test_two_kiosks_at_the_same_instant_never_share_a_number(desk):
    """Several kiosks (threads, own connections from the pool) issue for one service at once."""
    kiosks, per_kiosk = 4, 8
    start = threading.Barrier(kiosks)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def kiosk() -> None:
        try:
            start.wait(30)
            for _ in range(per_kiosk):
                t = queue.issue_ticket(desk.db, desk.kiosk, desk.ids.services["A"], desk.at(0)).ticket
                numbers.append(t.number)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=kiosk) for _ in range(kiosks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, kiosks * per_kiosk + 1)]


def test_counters_calling_at_the_same_instant_never_share_a_visitor(desk):
    tickets = [desk.issue(p, i / 10) for i, p in enumerate("ABCA" * 6)]
    for n in (1, 2, 3):
        desk.sign_in(n, 3)
    start = threading.Barrier(3)
    served: dict[int, list[int]] = {1: [], 2: [], 3: []}
    errors: list[BaseException] = []

    def counter(n: int) -> None:
        try:
            start.wait(30)
            while (t := desk.call(n, 4)) is not None:
                served[n].append(t.id)
                desk.act(queue.finish, n, t, 4)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=counter, args=(n,)) for n in (1, 2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    everyone = [tid for ids in served.values() for tid in ids]
    assert sorted(everyone) == sorted(t.id for t in tickets)  # nobody twice, nobody lost
    c_tickets = {t.id for t in tickets if t.number.startswith("C")}
    assert not (set(served[1]) & c_tickets)  # Balie 1 does not serve C


def test_issue_tells_position_and_estimate(desk):
    first = queue.issue_ticket(desk.db, desk.kiosk, desk.ids.services["A"], desk.at(0))
    assert first.ticket.state == "waiting" and first.ticket.display_number == "A 001"
    assert first.estimate.people_ahead == 0
    assert first.estimate.minutes is None  # no counter open: no estimate rather than a made-up one
    desk.sign_in(1)
    desk.sign_in(3)
    third = [queue.issue_ticket(desk.db, desk.kiosk, desk.ids.services["A"], desk.at(m)) for m in (1, 2)][-1]
    assert third.estimate.people_ahead == 2
    assert third.estimate.counters_open == 2
    assert third.estimate.minutes is not None and third.estimate.minutes > 0
    assert third.location_name == "Gemeente Loppersum"


def test_issue_refuses_a_service_without_walk_ins(desk):
    svc = setup.create_service(desk.db, desk.admin, desk.ids.location_id, "Z", "Alleen op afspraak", walk_in=False,
                               appointments=True)
    with pytest.raises(ServiceNotOffered):
        queue.issue_ticket(desk.db, desk.kiosk, svc.id, desk.at(0))
    with pytest.raises(NotFound):
        queue.issue_ticket(desk.db, desk.kiosk, 99_999, desk.at(0))
    assert desk.ticket_count() == 0


def test_naive_time_refused(desk, now):
    with pytest.raises(ValidationError) as info:
        queue.issue_ticket(desk.db, desk.kiosk, desk.ids.services["A"], now.replace(tzinfo=None))
    assert info.value.field == "now"
    assert desk.ticket_count() == 0


# ---------------------------------------------------------------------------
# calling
# ---------------------------------------------------------------------------
def test_call_next_order_and_services(desk):
    b1 = desk.issue("B", 0)
    c1 = desk.issue("C", 1)
    a1 = desk.issue("A", 2)
    desk.issue("A", 3)
    for n in (1, 2, 3):
        desk.sign_in(n, 4)
    got = desk.call(1, 5)
    assert (got.id, got.state, got.counter_id, got.counter_name) == (b1.id, "called", desk.counter[1], "Balie 1")
    assert got.called_at == desk.at(5)
    assert desk.call(2, 5).id == c1.id  # Balie 2 serves C and M only
    assert desk.call(3, 5).id == a1.id  # Balie 3 serves everything: the longest wait left
    assert len(desk.snapshot(5).waiting) == 1


def test_call_next_longest_wait_first(desk):
    b1 = desk.issue("B", 0)
    c1 = desk.issue("C", 1)
    a1 = desk.issue("A", 2)
    a2 = desk.issue("A", 3)
    desk.sign_in(1, 4)
    desk.sign_in(2, 4)
    order = []
    for minute in range(5, 9):
        t = desk.call(1, minute)
        if t is None:
            break
        order.append(t.id)
        desk.act(queue.finish, 1, t, minute + 0.5)
    assert order == [b1.id, a1.id, a2.id]  # C001 is not a service of Balie 1
    assert desk.call(1, 10) is None
    assert desk.call(2, 10).id == c1.id


def test_counter_busy_while_holding(desk):
    t = desk.issue("A")
    desk.issue("A", 1)
    desk.sign_in(1)
    desk.call(1, 2)
    with pytest.raises(CounterBusy) as info:
        desk.call(1, 3)
    assert (info.value.counter_name, info.value.ticket_number) == ("Balie 1", t.number)
    held = [w for w in desk.snapshot(3).held]
    assert [h.id for h in held] == [t.id]
    assert len(desk.snapshot(3).waiting) == 1


def test_not_signed_in(desk):
    t = desk.issue("A")
    with pytest.raises(NotSignedIn):
        desk.call(1, 1)
    # Someone else's counter is not yours either.
    desk.sign_in(3)
    with pytest.raises(NotSignedIn):
        queue.call_next(desk.db, desk.clerk[1], desk.counter[3], desk.at(1))
    with pytest.raises(NotSignedIn):
        queue.finish(desk.db, desk.clerk[1], desk.counter[1], t.id, desk.at(1))
    assert desk.ticket(t.id).state == "waiting"


def test_sign_out_refused_while_holding(desk):
    desk.issue("A")
    desk.sign_in(1)
    t = desk.call(1, 1)
    with pytest.raises(CounterBusy):
        queue.sign_out(desk.db, desk.clerk[1], desk.counter[1], desk.at(2))
    desk.act(queue.finish, 1, t, 3)
    queue.sign_out(desk.db, desk.clerk[1], desk.counter[1], desk.at(4))
    with pytest.raises(NotSignedIn):
        desk.call(1, 5)


def test_counter_without_services(desk):
    desk.issue("A")
    queue.sign_in(desk.db, desk.clerk[1], desk.counter[1], desk.at(0), service_ids=[])
    with pytest.raises(NoCounterServices):
        desk.call(1, 1)


def test_refused_call_next_changes_nothing(desk):
    """Every reason to refuse "volgende" leaves the queue, the events and the heartbeat as they were.

    (On PostgreSQL the guard and the claim are one statement that commits by
    itself, so the guard must hold back the claim, not a rollback.)"""
    from baliedesk.storage.models import Counter

    waiting = [desk.issue("A", 0), desk.issue("A", 0)]
    desk.sign_in(1, 0)
    desk.sign_in(2, 0)
    held = desk.call(1, 1)  # Balie 1 holds a visitor
    assert held.id == waiting[0].id

    def seen() -> dict[int, object]:
        with desk.db.unit_of_work() as uow:
            return {c.id: c.last_seen_at for c in uow.session.execute(select(Counter)).scalars()}

    with desk.db.unit_of_work(write=True) as uow:
        inactive = uow.directory.create("user", username="oud", display_name="Oud", role="baliemedewerker",
                                        active=False).id
        uow.commit()
    with desk.db.unit_of_work(write=True) as uow:
        uow.directory.counter(desk.counter[3]).signed_in_user_id = inactive
        uow.commit()
    before_events, before_seen = len(desk.events()), seen()
    refusals = [
        (NotFound, lambda: queue.call_next(desk.db, 99_999, desk.counter[1], desk.at(2))),
        (NotFound, lambda: queue.call_next(desk.db, desk.clerk[1], 99_999, desk.at(2))),
        (PermissionDenied, lambda: queue.call_next(desk.db, desk.kiosk, desk.counter[1], desk.at(2))),
        (InactiveUser, lambda: queue.call_next(desk.db, inactive, desk.counter[3], desk.at(2))),
        (NotSignedIn, lambda: queue.call_next(desk.db, desk.clerk[3], desk.counter[1], desk.at(2))),
        (CounterBusy, lambda: desk.call(1, 2)),
    ]
    for error, attempt in refusals:
        with pytest.raises(error):
            attempt()
    queue.set_counter_services(desk.db, desk.clerk[2], desk.counter[2], [], desk.at(2))
    before_seen = seen()
    with pytest.raises(NoCounterServices):
        desk.call(2, 3)
    assert [desk.ticket(t.id).state for t in waiting] == ["called", "waiting"]
    assert desk.ticket(held.id).counter_id == desk.counter[1]
    assert len(desk.events()) == before_events
    assert seen() == before_seen


def test_choosing_services_at_sign_in(desk):
    desk.issue("A", 0)
    m = desk.issue("M", 1)
    session = queue.sign_in(desk.db, desk.clerk[1], desk.counter[1], desk.at(2), service_ids=[desk.ids.services["M"]])
    assert session.counter.service_ids == (desk.ids.services["M"],)
    assert desk.call(1, 3).id == m.id


def test_not_your_ticket(desk):
    desk.issue("A")
    desk.sign_in(1)
    desk.sign_in(3)
    t = desk.call(1, 1)
    for fn in (queue.finish, queue.recall, queue.start_serving, queue.requeue):
        with pytest.raises(NotYourTicket):
            desk.act(fn, 3, t, 2)
    with pytest.raises(NotYourTicket):
        desk.act(queue.transfer, 3, t, 2, to_service_id=desk.ids.services["C"])
    assert desk.ticket(t.id).counter_id == desk.counter[1]


# ---------------------------------------------------------------------------
# recall and no-show
# ---------------------------------------------------------------------------
def test_no_show_only_after_the_configured_recalls(desk):
    desk.issue("A")
    desk.sign_in(1)
    t = desk.call(1, 1)
    required = desk.snapshot().location.no_show_after_recalls
    assert required == 2
    for recall in range(required):
        with pytest.raises(NoShowTooEarly) as info:
            desk.act(queue.no_show, 1, t, 2 + recall)
        assert (info.value.recalls, info.value.required) == (recall, required)
        assert desk.act(queue.recall, 1, t, 2 + recall).recall_count == recall + 1
    done = desk.act(queue.no_show, 1, t, 5)
    assert done.state == "no_show" and done.finished_at == desk.at(5)
    assert [e.action for e in desk.events(t.id)] == ["issue", "call", "recall", "recall", "no_show"]
    assert desk.call(1, 6) is None


def test_no_show_setting_per_location(backend, now):
    admin = setup.bootstrap(backend, "beheer", "Beheerder").id
    loc = setup.create_location(backend, admin, "Gemeente Eemsdelta", no_show_after_recalls=0)
    svc = setup.create_service(backend, admin, loc.id, "A", "Paspoort")
    counter = setup.create_counter(backend, admin, loc.id, "Balie 1", service_ids=[svc.id])
    clerk = setup.create_user(backend, admin, "anne", "Anne", "baliemedewerker").id
    queue.issue_ticket(backend, clerk, svc.id, now)
    queue.sign_in(backend, clerk, counter.id, now)
    t = queue.call_next(backend, clerk, counter.id, now)
    assert queue.no_show(backend, clerk, counter.id, t.id, now).state == "no_show"


def test_recall_and_no_show_only_while_called(desk):
    desk.issue("A")
    desk.sign_in(1)
    t = desk.call(1, 1)
    desk.act(queue.recall, 1, t, 2)
    desk.act(queue.recall, 1, t, 3)
    desk.act(queue.start_serving, 1, t, 4)
    with pytest.raises(InvalidTransition):
        desk.act(queue.recall, 1, t, 5)
    with pytest.raises(InvalidTransition):
        desk.act(queue.no_show, 1, t, 5)
    assert desk.ticket(t.id).state == "serving"


# ---------------------------------------------------------------------------
# put back, transfer
# ---------------------------------------------------------------------------
def test_requeue_keeps_arrival_and_priority_goes_first(desk):
    a1 = desk.issue("A", 0)
    a2 = desk.issue("A", 1)
    desk.sign_in(1, 2)
    desk.sign_in(3, 2)
    assert desk.call(1, 3).id == a1.id
    assert desk.call(3, 3).id == a2.id
    back2 = desk.act(queue.requeue, 3, a2, 4, priority=True)
    assert (back2.state, back2.counter_id, back2.priority_class) == ("waiting", None, int(PriorityClass.PRIORITY))
    assert back2.arrived_ms == a2.arrived_ms and back2.number == a2.number
    back1 = desk.act(queue.requeue, 1, a1, 5)
    assert back1.arrived_ms == a1.arrived_ms and back1.priority_class == int(PriorityClass.WALK_IN)
    a3 = desk.issue("A", 6)
    # Priority first, then A001 by its original arrival, then the newcomer.
    assert [desk.call(n, 7).id for n in (1, 3)] == [a2.id, a1.id]
    desk.act(queue.finish, 1, a2, 8)
    assert desk.call(1, 9).id == a3.id


def test_requeue_after_serving_started(desk):
    a1 = desk.issue("A", 0)
    desk.sign_in(1)
    desk.call(1, 1)
    desk.act(queue.start_serving, 1, a1, 2)
    assert desk.act(queue.requeue, 1, a1, 3).state == "waiting"
    again = desk.call(1, 4)
    assert again.id == a1.id and again.recall_count == 0


def test_transfer_to_a_service_keeps_arrival(desk):
    a1 = desk.issue("A", 0)
    c1 = desk.issue("C", 1)
    desk.sign_in(1, 2)
    desk.sign_in(2, 2)
    desk.call(1, 3)
    moved = desk.act(queue.transfer, 1, a1, 4, to_service_id=desk.ids.services["C"], note="Ook verhuizing")
    assert (moved.state, moved.service_id, moved.number) == ("waiting", desk.ids.services["C"], "A001")
    assert moved.arrived_ms == a1.arrived_ms and moved.counter_id is None
    # Balie 2 serves C: the transferred visitor arrived before C001.
    assert desk.call(2, 5).id == a1.id
    ev = desk.events(a1.id)[-2]
    assert ev.action == "transfer" and ev.data["from_service_id"] == desk.ids.services["A"]
    assert ev.data["to_service_id"] == desk.ids.services["C"] and ev.data["note"] == "Ook verhuizing"
    assert ev.service_id == desk.ids.services["C"]
    assert c1.id != a1.id


def test_transfer_to_a_counter_goes_only_to_that_counter(desk):
    a1 = desk.issue("A", 0)
    desk.sign_in(1, 1)
    desk.sign_in(2, 1)
    desk.sign_in(3, 1)
    desk.call(1, 2)
    moved = desk.act(queue.transfer, 1, a1, 3, to_counter_id=desk.counter[2])
    assert moved.target_counter_id == desk.counter[2]
    # Balie 3 serves A and Balie 1 too, but the visitor is meant for Balie 2 (which does not serve A).
    assert desk.call(3, 4) is None
    assert desk.call(1, 4) is None
    got = desk.call(2, 5)
    assert got.id == a1.id and got.target_counter_id is None and got.counter_id == desk.counter[2]


def test_transfer_with_priority_goes_first(desk):
    c_old = desk.issue("C", 0)
    a1 = desk.issue("A", 1)
    desk.sign_in(1, 2)
    desk.sign_in(2, 2)
    desk.call(1, 3)
    desk.act(queue.transfer, 1, a1, 4, to_service_id=desk.ids.services["C"], priority=True)
    assert desk.call(2, 5).id == a1.id  # ahead of C001, who waited longer
    desk.act(queue.finish, 2, a1, 6)
    assert desk.call(2, 7).id == c_old.id


def test_transfer_a_waiting_ticket(desk):
    m1 = desk.issue("M", 0)
    desk.sign_in(1, 1)
    moved = desk.act(queue.transfer, 1, m1, 2, to_service_id=desk.ids.services["A"])
    assert moved.state == "waiting" and moved.service_id == desk.ids.services["A"]
    assert desk.call(1, 3).id == m1.id


def test_transfer_needs_a_target(desk):
    a1 = desk.issue("A", 0)
    desk.sign_in(1)
    desk.call(1, 1)
    with pytest.raises(ValidationError):
        desk.act(queue.transfer, 1, a1, 2)
    with pytest.raises(NotFound):
        desk.act(queue.transfer, 1, a1, 2, to_counter_id=99_999)
    assert desk.ticket(a1.id).state == "called"


# ---------------------------------------------------------------------------
# finish, cancel
# ---------------------------------------------------------------------------
def test_finish_with_outcome_and_note(desk):
    a1 = desk.issue("A", 0)
    desk.sign_in(1)
    desk.call(1, 2)
    desk.act(queue.start_serving, 1, a1, 3)
    done = desk.act(queue.finish, 1, a1, 11, outcome=Outcome.INCOMPLETE, note="  Pasfoto ontbreekt.\nKomt terug. ")
    assert (done.state, done.outcome, done.note) == ("finished", "incomplete", "Pasfoto ontbreekt.\nKomt terug.")
    assert done.finished_at == desk.at(11)
    stored = desk.ticket(a1.id)
    assert (stored.outcome, stored.note, stored.finished_at) == ("incomplete", done.note, desk.at(11))
    hist = queue.ticket_history(desk.db, desk.lead, a1.id)
    assert hist.first_wait_s == 120 and hist.handling_s == 9 * 60
    assert hist.events[-1].data["outcome"] == "incomplete"
    with pytest.raises(InvalidTransition):
        desk.act(queue.finish, 1, a1, 12)


def test_finish_straight_from_called(desk):
    a1 = desk.issue("A", 0)
    desk.sign_in(1)
    desk.call(1, 1)
    assert desk.act(queue.finish, 1, a1, 2, outcome="information").outcome == "information"


def test_unknown_outcome_refused(desk):
    a1 = desk.issue("A", 0)
    desk.sign_in(1)
    desk.call(1, 1)
    from baliedesk.domain.errors import ValidationError

    with pytest.raises(ValidationError) as err:  # a typed error, not a ValueError (issue 14)
        desk.act(queue.finish, 1, a1, 2, outcome="happy")
    assert err.value.field == "outcome"
    assert desk.ticket(a1.id).state == "called"


def test_cancel(desk):
    a1 = desk.issue("A", 0)
    a2 = desk.issue("A", 1)
    done = queue.cancel(desk.db, desk.clerk[1], a1.id, desk.at(2), note="Weggegaan")
    assert done.state == "cancelled" and done.finished_at == desk.at(2)
    assert desk.events(a1.id)[-1].data == {"note": "Weggegaan"}
    desk.sign_in(1, 3)
    t = desk.call(1, 4)
    assert t.id == a2.id
    with pytest.raises(InvalidTransition):  # a visitor at the counter is finished, not cancelled
        queue.cancel(desk.db, desk.clerk[1], a2.id, desk.at(5))
    with pytest.raises(InvalidTransition):
        queue.cancel(desk.db, desk.clerk[1], a1.id, desk.at(5))
    with pytest.raises(PermissionDenied):
        queue.cancel(desk.db, desk.kiosk, a2.id, desk.at(5))


# ---------------------------------------------------------------------------
# crashes and release
# ---------------------------------------------------------------------------
def test_resume_after_a_crash(desk, backend):
    a1 = desk.issue("A", 0)
    desk.sign_in(1, 1)
    desk.call(1, 2)
    desk.act(queue.start_serving, 1, a1, 3)
    # The counter PC dies: no sign-out. A new process (new engine) starts.
    from baliedesk.storage.database import Database

    backend.dispose()
    fresh = Database(backend.url)
    try:
        session = queue.sign_in(fresh, desk.clerk[1], desk.counter[1], desk.at(10))
        assert session.current is not None
        assert (session.current.id, session.current.state) == (a1.id, "serving")
        assert queue.counter_session(fresh, desk.clerk[1], desk.counter[1], desk.at(10)).current.id == a1.id
        done = queue.finish(fresh, desk.clerk[1], desk.counter[1], a1.id, desk.at(11))
        assert done.state == "finished"
        assert queue.sign_in(fresh, desk.clerk[1], desk.counter[1], desk.at(12)).current is None
    finally:
        fresh.dispose()


def test_another_person_takes_over_a_gone_counter(desk):
    a1 = desk.issue("A", 0)
    desk.sign_in(1, 0)
    desk.call(1, 1)
    with pytest.raises(CounterInUse) as info:  # Anne is still there
        queue.sign_in(desk.db, desk.clerk[2], desk.counter[1], desk.at(2))
    assert info.value.user_name == "Anne de Vries"
    session = queue.sign_in(desk.db, desk.clerk[2], desk.counter[1], desk.at(5))  # silent for 4 minutes: gone
    assert session.current.id == a1.id and session.user.id == desk.clerk[2]
    assert queue.finish(desk.db, desk.clerk[2], desk.counter[1], a1.id, desk.at(6)).state == "finished"


def test_release_refuses_a_live_counter(desk):
    a1 = desk.issue("A", 0)
    desk.sign_in(1, 0)
    desk.call(1, 1)
    gone_after = desk.snapshot().location.counter_gone_after_s
    queue.heartbeat(desk.db, desk.clerk[1], desk.counter[1], desk.at(1) + dt.timedelta(seconds=gone_after - 10))
    check = desk.at(1) + dt.timedelta(seconds=gone_after + 5)  # gone by the call, alive by the heartbeat
    with pytest.raises(CounterInUse):
        queue.release(desk.db, desk.lead, a1.id, check)
    assert desk.ticket(a1.id).state == "called"
    assert [e.action for e in desk.events(a1.id)] == ["issue", "call"]


def test_release_a_gone_counter(desk):
    a1 = desk.issue("A", 0)
    a2 = desk.issue("A", 1)
    desk.sign_in(1, 0)
    desk.call(1, 2)
    gone_after = desk.snapshot().location.counter_gone_after_s
    later = desk.at(2) + dt.timedelta(seconds=gone_after + 1)
    assert [c.gone for c in desk.snapshot(2).counters if c.id == desk.counter[1]] == [False]
    assert [c.gone for c in queue.queue_snapshot(desk.db, desk.lead, desk.ids.location_id, later).counters
            if c.id == desk.counter[1]] == [True]
    freed = queue.release(desk.db, desk.lead, a1.id, later)
    assert (freed.state, freed.counter_id, freed.priority_class) == ("waiting", None, int(PriorityClass.PRIORITY))
    assert freed.arrived_ms == a1.arrived_ms
    ev = desk.events(a1.id)[-1]
    assert (ev.action, ev.from_state, ev.to_state, ev.counter_id, ev.user_id) == (
        "release", "called", "waiting", desk.counter[1], desk.lead)
    # The visitor goes to the front: another counter takes them before A002.
    desk.sign_in(3, 10)
    assert desk.call(3, 11).id == a1.id
    # Anne's counter comes back: it no longer holds anyone.
    assert queue.sign_in(desk.db, desk.clerk[1], desk.counter[1], desk.at(12)).current is None
    assert desk.call(1, 12).id == a2.id


def test_release_with_force(desk):
    a1 = desk.issue("A", 0)
    desk.sign_in(1, 0)
    desk.call(1, 1)
    desk.act(queue.start_serving, 1, a1, 1)
    freed = queue.release(desk.db, desk.admin, a1.id, desk.at(2), force=True)
    assert freed.state == "waiting"
    assert desk.events(a1.id)[-1].data == {"forced": True}
    with pytest.raises(InvalidTransition):  # nothing to release any more
        queue.release(desk.db, desk.admin, a1.id, desk.at(3), force=True)


# ---------------------------------------------------------------------------
# permissions
# ---------------------------------------------------------------------------
def test_kiosk_cannot_call_or_serve(desk):
    a1 = desk.issue("A", 0)
    with pytest.raises(PermissionDenied):
        queue.sign_in(desk.db, desk.kiosk, desk.counter[1], desk.at(1))
    with pytest.raises(PermissionDenied):
        queue.call_next(desk.db, desk.kiosk, desk.counter[1], desk.at(1))
    with pytest.raises(PermissionDenied):
        queue.finish(desk.db, desk.kiosk, desk.counter[1], a1.id, desk.at(1))
    assert desk.ticket(a1.id).state == "waiting"


def test_display_cannot_issue_but_can_watch(desk):
    display = desk.ids.users["scherm-hal"]
    with pytest.raises(PermissionDenied) as info:
        queue.issue_ticket(desk.db, display, desk.ids.services["A"], desk.at(0))
    assert (info.value.role, info.value.permission) == ("display", "issue_ticket")
    assert desk.ticket_count() == 0
    desk.issue("A", 1)
    snap = queue.queue_snapshot(desk.db, display, desk.ids.location_id, desk.at(2))
    assert len(snap.waiting) == 1
    with pytest.raises(PermissionDenied):
        queue.ticket_history(desk.db, display, snap.waiting[0].ticket.id)


def test_clerk_cannot_release(desk):
    a1 = desk.issue("A", 0)
    desk.sign_in(1, 0)
    desk.call(1, 1)
    with pytest.raises(PermissionDenied):
        queue.release(desk.db, desk.clerk[2], a1.id, desk.at(30), force=True)
    assert desk.ticket(a1.id).state == "called"


def test_inactive_and_unknown_users_refused(desk):
    with desk.db.unit_of_work(write=True) as uow:
        uow.directory.user(desk.clerk[1]).active = False
        uow.directory.user(desk.kiosk).active = False
        uow.commit()
    with pytest.raises(InactiveUser):
        queue.issue_ticket(desk.db, desk.kiosk, desk.ids.services["A"], desk.at(0))
    with pytest.raises(InactiveUser):
        desk.sign_in(1)
    with pytest.raises(NotFound):
        queue.issue_ticket(desk.db, 99_999, desk.ids.services["A"], desk.at(0))
    assert desk.ticket_count() == 0


# ---------------------------------------------------------------------------
# events and the queue picture
# ---------------------------------------------------------------------------
def test_every_action_is_an_event_with_who_and_where(desk):
    a1 = desk.issue("A", 0)
    desk.sign_in(1, 1)
    desk.sign_in(2, 1)
    desk.call(1, 2)
    desk.act(queue.recall, 1, a1, 3)
    desk.act(queue.start_serving, 1, a1, 4)
    desk.act(queue.transfer, 1, a1, 5, to_service_id=desk.ids.services["C"])
    desk.call(2, 6)
    desk.act(queue.finish, 2, a1, 9, outcome=Outcome.HELPED)
    hist = queue.ticket_history(desk.db, desk.lead, a1.id)
    rows = [(e.action, e.from_state, e.to_state, e.counter_name, e.user_name, e.service_prefix) for e in hist.events]
    assert rows == [
        ("issue", None, "waiting", None, "Kiosk ingang", "A"),
        ("call", "waiting", "called", "Balie 1", "Anne de Vries", "A"),
        ("recall", "called", "called", "Balie 1", "Anne de Vries", "A"),
        ("start", "called", "serving", "Balie 1", "Anne de Vries", "A"),
        ("transfer", "serving", "waiting", "Balie 1", "Anne de Vries", "C"),
        ("call", "waiting", "called", "Balie 2", "Jeroen Bakker", "C"),
        ("finish", "called", "finished", "Balie 2", "Jeroen Bakker", "C"),
    ]
    assert [e.at for e in hist.events] == [desk.at(m) for m in (0, 2, 3, 4, 5, 6, 9)]
    # Wait: 2 minutes before the first call and 1 more after the transfer; handling from the last call.
    assert (hist.first_wait_s, hist.total_wait_s, hist.handling_s) == (120, 180, 180)
    assert hist.ticket.state == "finished"


def test_refused_actions_write_nothing(desk):
    a1 = desk.issue("A", 0)
    desk.sign_in(1)
    desk.call(1, 1)
    before_events, before = len(desk.events()), desk.ticket(a1.id)
    attempts = [
        lambda: desk.call(1, 2),  # busy
        lambda: desk.act(queue.no_show, 1, a1, 2),  # too early
        lambda: desk.act(queue.finish, 1, a1, 2, note="x" * (NOTE_MAX_LENGTH + 1)),
        lambda: queue.cancel(desk.db, desk.clerk[1], a1.id, desk.at(2)),
        lambda: queue.release(desk.db, desk.lead, a1.id, desk.at(2)),
        lambda: queue.issue_ticket(desk.db, desk.ids.users["scherm-hal"], desk.ids.services["A"], desk.at(2)),
    ]
    for attempt in attempts:
        with pytest.raises(Exception) as info:
            attempt()
        assert type(info.value).__module__ == "baliedesk.domain.errors"
    assert len(desk.events()) == before_events
    _unchanged(desk, a1.id, before)
    assert desk.ticket_count() == 1


def test_queue_snapshot_counts_and_positions(desk):
    a1, a2, b1, a3, c1 = (desk.issue(p, m) for p, m in (("A", 0), ("A", 1), ("B", 2), ("A", 3), ("C", 4)))
    desk.sign_in(1, 5)
    desk.sign_in(3, 5)
    desk.call(1, 6)  # A001 goes to Balie 1
    snap = desk.snapshot(7)
    by_prefix = {q.service.prefix: q for q in snap.services}
    assert {p: q.waiting for p, q in by_prefix.items()} == {"A": 2, "B": 1, "C": 1, "M": 0}
    assert by_prefix["A"].longest_wait_s == 6 * 60  # A002, issued at minute 1
    assert {p: q.counters_open for p, q in by_prefix.items()} == {"A": 2, "B": 2, "C": 1, "M": 1}
    assert by_prefix["M"].estimate_minutes is not None
    positions = {w.ticket.number: w.position for w in snap.waiting}
    assert positions == {"A002": 1, "A003": 2, "B001": 1, "C001": 1}
    assert [w.ticket.number for w in snap.waiting] == ["A002", "B001", "A003", "C001"]
    assert [h.number for h in snap.held] == ["A001"]
    assert [(c.number, c.counter_name) for c in snap.recent_calls] == [("A001", "Balie 1")]
    open_names = sorted(c.name for c in snap.counters if not c.gone)
    assert open_names == ["Balie 1", "Balie 3"]
    assert {a1.id, a2.id, b1.id, a3.id, c1.id} == {w.ticket.id for w in snap.waiting} | {a1.id}


def test_snapshot_without_counters_open_has_no_estimates(desk):
    desk.issue("A", 0)
    snap = desk.snapshot(1)
    assert all(q.estimate_minutes is None and q.counters_open == 0 for q in snap.services)


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("note", "code"),
    [("x" * (NOTE_MAX_LENGTH + 1), "too_long"), ("Pas\x00foto", "control_character"), ("bel\x07", "control_character"),
     ("a\rb", "control_character")],
)
def test_bad_notes_refused_and_nothing_stored(desk, note, code):
    a1 = desk.issue("A", 0)
    a2 = desk.issue("A", 1)
    desk.sign_in(1)
    desk.call(1, 2)
    before_events = len(desk.events())
    before = desk.ticket(a1.id)
    calls = [
        lambda: desk.act(queue.finish, 1, a1, 3, note=note),
        lambda: desk.act(queue.requeue, 1, a1, 3, note=note),
        lambda: desk.act(queue.transfer, 1, a1, 3, to_service_id=desk.ids.services["C"], note=note),
        lambda: queue.cancel(desk.db, desk.clerk[1], a2.id, desk.at(3), note=note),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as info:
            call()
        assert (info.value.field, info.value.code) == ("note", code)
    assert len(desk.events()) == before_events
    _unchanged(desk, a1.id, before)
    assert desk.ticket(a2.id).state == "waiting"


def test_text_that_looks_like_sql_is_stored_verbatim(desk):
    a1 = desk.issue("A", 0)
    desk.sign_in(1)
    desk.call(1, 1)
    note = "Robert'); DROP TABLE tickets;-- שלום"
    assert desk.act(queue.finish, 1, a1, 2, note=note).note == note
    assert desk.ticket(a1.id).note == note


def test_direction_override_in_a_note_is_refused(desk):
    """U+202E reorders what a reader sees: refused anywhere (issue 14), nothing changes."""
    from baliedesk.domain.errors import ValidationError

    a1 = desk.issue("A", 0)
    desk.sign_in(1)
    desk.call(1, 1)
    with pytest.raises(ValidationError) as err:
        desk.act(queue.finish, 1, a1, 2, note="\u202eשלום\u202c")
    assert (err.value.field, err.value.code) == ("note", "control_character")
    assert desk.ticket(a1.id).state == "called"


def test_no_show_while_serving_is_refused_by_the_state_machine(backend, seeded, now):
    """A visitor at the counter cannot be a no-show, whatever the recall count."""
    from baliedesk.domain.errors import InvalidTransition
    from baliedesk.services import queue

    anne, balie = seeded.users["anne"], seeded.counters["Balie 3"]
    queue.issue_ticket(backend, seeded.users["kiosk-ingang"], seeded.services["A"], now)
    queue.sign_in(backend, anne, balie, now)
    t = queue.call_next(backend, anne, balie, now)
    queue.start_serving(backend, anne, balie, t.id, now)
    with pytest.raises(InvalidTransition) as err:
        queue.no_show(backend, anne, balie, t.id, now)
    assert (err.value.state, err.value.action) == ("serving", "no_show")


def test_transfer_counts_as_a_sign_of_life(backend, seeded, now):
    import datetime as dt

    from baliedesk.services import queue

    anne, balie = seeded.users["anne"], seeded.counters["Balie 3"]
    queue.issue_ticket(backend, seeded.users["kiosk-ingang"], seeded.services["A"], now)
    queue.sign_in(backend, anne, balie, now)
    t = queue.call_next(backend, anne, balie, now)
    later = now + dt.timedelta(minutes=10)
    queue.transfer(backend, anne, balie, t.id, later, to_service_id=seeded.services["B"])
    session = queue.counter_session(backend, anne, balie, later)
    assert session.counter.last_seen_at == later


# ---------------------------------------------------------------------------
# the end of the day
# ---------------------------------------------------------------------------
def test_first_sign_in_of_a_day_closes_what_earlier_days_left_open(desk):
    left_waiting = desk.issue("A", 0)
    desk.issue("A", 1)
    desk.sign_in(1, 2)
    held = desk.call(1, 3)  # the clerk goes home without finishing
    tomorrow = 24 * 60
    today_ticket = desk.issue("A", tomorrow)
    session = desk.sign_in(2, tomorrow + 1)
    assert session.current is None
    # Both of yesterday's open tickets are closed with their own event; today's is untouched.
    for t in (left_waiting, held):
        row = desk.ticket(t.id)
        assert row.state == "cancelled" and row.finished_at == desk.at(tomorrow + 1)
        last = desk.events(t.id)[-1]
        assert (last.action, last.to_state, last.user_id) == ("expire", "cancelled", desk.clerk[2])
        assert last.data["reason"] == "day_over"
    assert desk.ticket(today_ticket.id).state == "waiting"
    # Balie 1 is not blocked by yesterday's visitor: it resumes nothing and calls today's.
    assert desk.sign_in(1, tomorrow + 2).current is None
    assert desk.call(1, tomorrow + 3).id == today_ticket.id
    # Signing in again changes nothing more.
    before = len(desk.events())
    desk.sign_in(2, tomorrow + 4)
    assert len(desk.events()) == before


# ---------------------------------------------------------------------------
# the counter floor: undo a no-show, call a chosen number, tickets at the desk
# ---------------------------------------------------------------------------
def _no_show(desk: Desk, n: int, minute: float):
    """Call the next visitor at counter n, recall twice and mark them not come (at ``minute``)."""
    t = desk.call(n, minute - 3)
    desk.act(queue.recall, n, t, minute - 2)
    desk.act(queue.recall, n, t, minute - 1)
    return desk.act(queue.no_show, n, t, minute)


def test_undo_no_show_puts_the_visitor_back_with_the_original_arrival(desk):
    first = desk.issue("A", 0)
    later = desk.issue("A", 2)
    desk.sign_in(1, 3)
    desk.sign_in(3, 3)
    gone = _no_show(desk, 1, 10)
    assert gone.id == first.id and gone.state == "no_show"
    back = queue.undo_no_show(desk.db, desk.clerk[3], desk.counter[3], first.id, desk.at(25))
    assert (back.state, back.counter_id, back.finished_at, back.recall_count) == ("waiting", None, None, 0)
    assert back.arrived_ms == first.arrived_ms
    row = desk.ticket(first.id)
    assert (row.state, row.arrived_ms, row.queue_ms) == ("waiting", first.arrived_ms, first.arrived_ms)
    # Arrived before the other one, so first in line again.
    assert [w.ticket.id for w in desk.snapshot(26).waiting] == [first.id, later.id]
    ev = desk.events(first.id)[-1]
    assert (ev.action, ev.from_state, ev.to_state, ev.counter_id, ev.user_id, ev.at) == (
        "undo_no_show", "no_show", "waiting", desk.counter[3], desk.clerk[3], desk.at(25))
    assert ev.data["recalls"] == 2
    # The replay counts the new wait from the undo, and the visitor can be served as usual.
    assert desk.call(1, 27).id == first.id
    h = queue.ticket_history(desk.db, desk.lead, first.id)
    assert [e.action for e in h.events] == ["issue", "call", "recall", "recall", "no_show", "undo_no_show", "call"]
    assert h.total_wait_s == 7 * 60 + 2 * 60


def test_undo_no_show_only_within_the_window_and_the_same_day(desk):
    from baliedesk.domain.errors import UndoTooLate
    from baliedesk.domain.tickets import UNDO_NO_SHOW_MINUTES

    assert UNDO_NO_SHOW_MINUTES == 30
    desk.issue("A", 0)
    desk.sign_in(1, 1)
    t = _no_show(desk, 1, 10)
    before = desk.ticket(t.id)
    with pytest.raises(UndoTooLate) as info:
        queue.undo_no_show(desk.db, desk.clerk[1], desk.counter[1], t.id, desk.at(10 + 30.5))
    assert (info.value.ticket_number, info.value.minutes) == (t.number, 30)
    _unchanged(desk, t.id, before)
    # Exactly at the limit still works.
    assert queue.undo_no_show(desk.db, desk.clerk[1], desk.counter[1], t.id, desk.at(40)).state == "waiting"


def test_undo_no_show_refuses_other_states_and_needs_a_signed_in_counter(desk):
    t = desk.issue("A", 0)
    desk.sign_in(1, 1)
    with pytest.raises(InvalidTransition):  # still waiting
        queue.undo_no_show(desk.db, desk.clerk[1], desk.counter[1], t.id, desk.at(2))
    done = desk.call(1, 2)
    desk.act(queue.finish, 1, done, 3)
    with pytest.raises(InvalidTransition):  # finished
        queue.undo_no_show(desk.db, desk.clerk[1], desk.counter[1], t.id, desk.at(4))
    desk.issue("A", 5)
    gone = _no_show(desk, 1, 10)
    with pytest.raises(NotSignedIn):
        queue.undo_no_show(desk.db, desk.clerk[2], desk.counter[2], gone.id, desk.at(11))
    with pytest.raises(PermissionDenied):
        queue.undo_no_show(desk.db, desk.kiosk, desk.counter[1], gone.id, desk.at(11))
    assert desk.ticket(gone.id).state == "no_show"


def test_undoable_no_shows_lists_today_within_the_window(desk):
    desk.issue("A", 0)
    desk.issue("B", 1)
    desk.sign_in(1, 2)
    a = _no_show(desk, 1, 10)
    b = _no_show(desk, 1, 20)
    listed = queue.undoable_no_shows(desk.db, desk.clerk[1], desk.ids.location_id, desk.at(35))
    assert [t.id for t in listed] == [b.id, a.id]  # most recent first
    assert [t.id for t in queue.undoable_no_shows(desk.db, desk.clerk[1], desk.ids.location_id,
                                                  desk.at(45))] == [b.id]
    queue.undo_no_show(desk.db, desk.clerk[1], desk.counter[1], b.id, desk.at(46))
    assert queue.undoable_no_shows(desk.db, desk.clerk[1], desk.ids.location_id, desk.at(46)) == ()


def test_call_ticket_calls_that_number(desk):
    a1 = desk.issue("A", 0)
    a2 = desk.issue("A", 1)
    desk.sign_in(1, 2)
    called = queue.call_ticket(desk.db, desk.clerk[1], desk.counter[1], a2.id, desk.at(3))
    assert (called.id, called.state, called.counter_id, called.called_at, called.recall_count) == (
        a2.id, "called", desk.counter[1], desk.at(3), 0)
    ev = desk.events(a2.id)[-1]
    assert (ev.action, ev.from_state, ev.to_state, ev.counter_id, ev.user_id) == (
        "call", "waiting", "called", desk.counter[1], desk.clerk[1])
    assert ev.data == {"chosen": True}
    assert [w.ticket.id for w in desk.snapshot(3).waiting] == [a1.id]
    with pytest.raises(CounterBusy):  # one visitor at a time
        queue.call_ticket(desk.db, desk.clerk[1], desk.counter[1], a1.id, desk.at(4))


def test_call_ticket_only_for_this_counters_services_or_sent_here(desk):
    from baliedesk.domain.errors import TicketNotForCounter

    c = desk.issue("C", 0)
    desk.sign_in(1, 1)
    desk.sign_in(3, 1)
    with pytest.raises(TicketNotForCounter) as info:  # Balie 1 serves A and B only
        queue.call_ticket(desk.db, desk.clerk[1], desk.counter[1], c.id, desk.at(2))
    assert (info.value.ticket_number, info.value.counter_name) == (c.number, "Balie 1")
    queue.transfer(desk.db, desk.clerk[3], desk.counter[3], c.id, desk.at(3), to_counter_id=desk.counter[1])
    assert queue.call_ticket(desk.db, desk.clerk[1], desk.counter[1], c.id, desk.at(4)).counter_id == desk.counter[1]
    a = desk.issue("A", 5)
    queue.transfer(desk.db, desk.clerk[3], desk.counter[3], a.id, desk.at(6), to_counter_id=desk.counter[1])
    with pytest.raises(TicketNotForCounter):  # sent to Balie 1, not to Balie 3
        queue.call_ticket(desk.db, desk.clerk[3], desk.counter[3], a.id, desk.at(7))


def test_call_ticket_refuses_a_number_not_waiting(desk):
    from baliedesk.domain.errors import TicketNotWaiting

    t = desk.issue("A", 0)
    desk.sign_in(1, 1)
    desk.sign_in(3, 1)
    queue.call_ticket(desk.db, desk.clerk[1], desk.counter[1], t.id, desk.at(2))
    with pytest.raises(TicketNotWaiting) as info:
        queue.call_ticket(desk.db, desk.clerk[3], desk.counter[3], t.id, desk.at(3))
    assert (info.value.ticket_number, info.value.state, info.value.counter_name) == (t.number, "called", "Balie 1")
    with pytest.raises(NotSignedIn):
        queue.call_ticket(desk.db, desk.clerk[2], desk.counter[2], t.id, desk.at(3))
    with pytest.raises(NotFound):
        queue.call_ticket(desk.db, desk.clerk[3], desk.counter[3], 999999, desk.at(3))


def test_call_ticket_of_an_earlier_day_is_refused(desk):
    from baliedesk.domain.errors import TicketNotWaiting

    t = desk.issue("A", 0)
    desk.sign_in(1, 1)
    with pytest.raises(TicketNotWaiting):
        queue.call_ticket(desk.db, desk.clerk[1], desk.counter[1], t.id, desk.at(24 * 60 + 1))


def test_two_counters_calling_the_same_number_one_wins(desk):
    from baliedesk.domain.errors import TicketNotWaiting

    for _round in range(3):
        t = desk.issue("A", 0)
        desk.sign_in(1, 1)
        desk.sign_in(3, 1)
        start = threading.Barrier(2)
        won: list[int] = []
        lost: list[BaseException] = []

        def counter(n: int) -> None:
            start.wait(30)
            try:
                won.append(queue.call_ticket(desk.db, desk.clerk[n], desk.counter[n], t.id, desk.at(2)).counter_id)
            except BaseException as exc:  # noqa: BLE001 - checked below
                lost.append(exc)

        threads = [threading.Thread(target=counter, args=(n,)) for n in (1, 3)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], TicketNotWaiting)
        assert desk.ticket(t.id).counter_id == won[0]
        assert [e.action for e in desk.events(t.id)] == ["issue", "call"]
        n = 1 if won[0] == desk.counter[1] else 3
        desk.act(queue.finish, n, SimpleNamespace(id=t.id), 3)


def test_clerk_issues_a_ticket_at_the_desk_and_calls_it(desk):
    desk.issue("A", 0)
    desk.sign_in(1, 1)
    issued = queue.issue_ticket(desk.db, desk.clerk[1], desk.ids.services["A"], desk.at(2), source="balie")
    assert issued.ticket.number == "A002"
    assert desk.ticket(issued.ticket.id).source == "balie"
    called = queue.call_ticket(desk.db, desk.clerk[1], desk.counter[1], issued.ticket.id, desk.at(2))
    assert called.number == "A002" and called.state == "called"


def test_waiting_rows_carry_the_appointment_time(desk, backend):
    from baliedesk.services import appointments

    walk_in = desk.issue("A", 0)
    assert walk_in.appointment_at is None
    start = desk.at(0).replace(second=0, microsecond=0)
    with backend.unit_of_work(write=True) as uow:  # an appointment ticket as check_in makes it
        t = uow.tickets.new(location_id=desk.ids.location_id, service_id=desk.ids.services["A"],
                            day=walk_in.issued_at.date(), seq=50, number="A050", state="waiting",
                            priority_class=int(PriorityClass.APPOINTMENT), arrived_ms=walk_in.arrived_ms - 60_000,
                            queue_ms=int((start + dt.timedelta(minutes=18)).timestamp() * 1000),
                            issued_at=desk.at(0), recall_count=0, source="appointment")
        uow.commit()
        tid = t.id
    rows = {w.ticket.id: w.ticket for w in desk.snapshot(1).waiting}
    assert rows[tid].appointment_at == start + dt.timedelta(minutes=18)
    assert rows[walk_in.id].appointment_at is None
    # A transfer with priority is not an appointment.
    desk.sign_in(3, 2)
    queue.transfer(desk.db, desk.clerk[3], desk.counter[3], walk_in.id, desk.at(2), to_service_id=desk.ids.services["B"],
                   priority=True)
    rows = {w.ticket.id: w.ticket for w in desk.snapshot(3).waiting}
    assert rows[walk_in.id].appointment_at is None
    assert appointments  # the real check-in path is covered in test_appointments

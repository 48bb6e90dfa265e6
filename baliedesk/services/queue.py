"""The walk-in queue: issue, call, recall, serve, finish, no-show, put back,
transfer, cancel, release; signing in at a counter; the queue picture.

Every function is one transaction and checks the acting user's role itself.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from typing import Any, NamedTuple

from baliedesk.domain.errors import (
    CounterBusy,
    CounterInUse,
    NoCounterServices,
    NotFound,
    NoShowTooEarly,
    NotSignedIn,
    NotYourTicket,
    RequestTooLate,
    ServiceNotOffered,
    TicketNotForCounter,
    TicketNotWaiting,
    TicketNumbersExhausted,
    UndoTooLate,
    ValidationError,
)
from baliedesk.domain.estimate import RECENT_SAMPLE, estimate_wait
from baliedesk.domain.ordering import Candidate, OrderingMode, order_key, people_ahead
from baliedesk.domain.permissions import Permission, Role, allows
from baliedesk.domain.tickets import (
    NOTE_MAX_LENGTH,
    UNDO_NO_SHOW_MINUTES,
    Outcome,
    PriorityClass,
    TicketAction,
    TicketState,
    display_number,
    format_number,
    next_state,
)
from baliedesk.domain.timeline import durations, is_gone
from baliedesk.domain.validation import clean_text
from baliedesk.services.arguments import checked
from baliedesk.services.common import (
    acting_user,
    audit,
    check_actor,
    check_now,
    counter_info,
    epoch_ms,
    for_audience,
    get_or_404,
    local_day,
    location_info,
    require_location,
    service_info,
    ticket_info,
    ticket_info_from,
    user_info,
)
from baliedesk.services.contacts import VisitContact, record_visit_contact
from baliedesk.services.idempotency import earlier, idempotent, remember
from baliedesk.services.dto import (
    CallInfo,
    CounterInfo,
    CounterSession,
    EventInfo,
    IssuedTicket,
    QueueSnapshot,
    ServiceQueue,
    TicketHistory,
    TicketInfo,
    WaitingTicket,
)
from baliedesk.services.ports import Backend, UnitOfWork
from baliedesk.services.schedules import check_kiosk_open

#: Ticket numbers run A001..A999 and on (A1000) but no further than this per day.
MAX_TICKETS_PER_SERVICE_PER_DAY = 9999
#: A kiosk ticket that could not be issued within this many seconds of the press is not
#: issued (the visitor is told to try again): after a stall, nobody gets an old number.
ISSUE_DEADLINE_S = 10.0
#: Elapsed time, not the time of day: immune to clock changes (the services get ``now`` from
#: the caller; this only measures how long this call took). Tests replace it.
monotonic = time.monotonic

#: How far back handling times count for the estimate.
HANDLING_HISTORY = dt.timedelta(days=14)


#: The roles that may serve at a counter (the storage's guard for "volgende" uses the same list).
_SERVE_ROLES = tuple(role.value for role in Role if allows(role, Permission.SERVE))


class _ServiceName(NamedTuple):
    """What :func:`ticket_info` needs of a service."""

    prefix: str
    name: str


def queue_topic(location_id: int) -> str:
    return f"queue:{location_id}"


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _record(uow: UnitOfWork, t: Any, action: TicketAction, from_state: str | None, now: dt.datetime,
            user_id: int | None, counter_id: int | None, data: dict | None = None) -> None:
    uow.tickets.add_event(
        ticket_id=t.id,
        action=action.value,
        from_state=from_state,
        to_state=t.state,
        at=now,
        counter_id=counter_id,
        user_id=user_id,
        service_id=t.service_id,
        data=data,
    )
    uow.changed(queue_topic(t.location_id))


def _transition(t: Any, action: TicketAction) -> str:
    """Apply the state machine; returns the old state."""
    old = t.state
    t.state = next_state(TicketState(old), action, t.number).value
    return old


def _signed_in_counter(uow: UnitOfWork, counter_id: int, user: Any, *, lock: bool = False) -> Any:
    counter = get_or_404(uow.directory.counter(counter_id, lock=lock), "counter", counter_id)
    if counter.signed_in_user_id != user.id:
        raise NotSignedIn(counter.display_name)
    return counter


def _held_ticket(uow: UnitOfWork, ticket_id: int, counter: Any) -> Any:
    """The ticket, locked, if this counter holds it. Final tickets fall through
    to the state machine, which refuses the action with InvalidTransition."""
    t = get_or_404(uow.tickets.get(ticket_id, lock=True), "ticket", ticket_id)
    state = TicketState(t.state)
    if state is TicketState.WAITING or (state.is_held and t.counter_id != counter.id):
        raise NotYourTicket(t.number, counter.display_name)
    return t


def _estimate_for(uow: UnitOfWork, location: Any, service: Any, ticket: Any | None, now: dt.datetime, day: dt.date):
    """The wait for ``ticket`` (None: for someone taking a ticket for ``service`` now)."""
    now_ms = epoch_ms(now)
    if ticket is not None:
        me = Candidate(ticket.id, ticket.service_id, ticket.priority_class, ticket.arrived_ms, ticket.queue_ms,
                       ticket.target_counter_id)
        ahead = people_ahead(me, uow.tickets.waiting_candidates(location.id, day, queue_of=me), now_ms)
    else:
        newcomer = Candidate(0, service.id, int(PriorityClass.WALK_IN), now_ms, now_ms)
        ahead = len(uow.tickets.waiting_candidates(location.id, day, queue_of=newcomer))
    open_counters = _open_counters(uow, location, now).get(service.id, 0)
    recent = uow.tickets.recent_handling_seconds([service.id], now - HANDLING_HISTORY, RECENT_SAMPLE)[service.id]
    return estimate_wait(ahead, open_counters, recent, service.expected_minutes)


def _open_counters(uow: UnitOfWork, location: Any, now: dt.datetime) -> dict[int, int]:
    """Per service: counters with someone signed in and recently seen."""
    out: dict[int, int] = {}
    for _counter_id, active, signed_in, last_seen, service_id in uow.directory.counter_presence(location.id):
        if (service_id is not None and active and signed_in
                and not is_gone(last_seen, now, location.counter_gone_after_s)):
            out[service_id] = out.get(service_id, 0) + 1
    return out


def _clean_note(note: str | None) -> str | None:
    return clean_text(note, field="note", max_length=NOTE_MAX_LENGTH) or None


# ---------------------------------------------------------------------------
# kiosk
# ---------------------------------------------------------------------------
def _replay_ticket(uow: UnitOfWork, ticket_id: int, now: dt.datetime | None) -> IssuedTicket:
    t = get_or_404(uow.tickets.get(ticket_id), "ticket", ticket_id)
    service = uow.directory.service(t.service_id)
    location = uow.directory.location(t.location_id)
    moment = now or t.issued_at
    estimate = _estimate_for(uow, location, service, t, moment, t.day)
    return IssuedTicket(ticket_info(t, {service.id: service}, {}), estimate, location.name)


@checked
@idempotent("issue_ticket", _replay_ticket)
def issue_ticket(backend: Backend, user_id: int, service_id: int, now: dt.datetime, *, source: str = "kiosk",
                 request_id: str | None = None) -> IssuedTicket:
    """A visitor takes a ticket for a service. Numbers are unique per location, service and day.

    ``request_id``: a second press with the same id gives the same ticket (see services.idempotency).
    Not issued (RequestTooLate) when the transaction would commit more than
    :data:`ISSUE_DEADLINE_S` after the call began: a number for a visitor who has gone.
    """
    started = monotonic()
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.ISSUE_TICKET)
        done = earlier(uow, user_id, request_id, "issue_ticket")
        if done is not None:
            return _replay_ticket(uow, done, now)
        service = get_or_404(uow.directory.service(service_id), "service", service_id)
        require_location(uow, user, service.location_id)
        if not service.active or not service.walk_in:
            raise ServiceNotOffered(service.prefix)
        location = get_or_404(uow.directory.location(service.location_id), "location", service.location_id)
        check_kiosk_open(uow, location, service, now)  # opening hours; only where a schedule is set
        day = local_day(now, location.timezone)
        seq = uow.tickets.next_sequence(location.id, service.id, day)
        if seq > MAX_TICKETS_PER_SERVICE_PER_DAY:
            raise TicketNumbersExhausted(service.prefix, day.isoformat())
        ms = epoch_ms(now)
        t = uow.tickets.new(
            location_id=location.id,
            service_id=service.id,
            day=day,
            seq=seq,
            number=format_number(service.prefix, seq),
            state=TicketState.WAITING.value,
            priority_class=int(PriorityClass.WALK_IN),
            arrived_ms=ms,
            queue_ms=ms,
            issued_at=now,
            recall_count=0,
            source=source[:20],
        )
        _record(uow, t, TicketAction.ISSUE, None, now, user_id, None, {"source": source[:20]})
        uow.flush()
        remember(uow, user_id, request_id, "issue_ticket", t.id, now)
        estimate = _estimate_for(uow, location, service, t, now, day)
        info = ticket_info(t, {service.id: service}, {})
        if monotonic() - started > ISSUE_DEADLINE_S:
            raise RequestTooLate("issue_ticket", ISSUE_DEADLINE_S)  # rolled back: nothing issued
        uow.commit()
        return IssuedTicket(info, estimate, location.name)


# ---------------------------------------------------------------------------
# counter: signing in
# ---------------------------------------------------------------------------
def _session(uow: UnitOfWork, counter: Any, user: Any, location: Any, now: dt.datetime) -> CounterSession:
    held = uow.tickets.held_by(counter.id)
    services = {s.id: s for s in uow.directory.services(location.id)}
    current = ticket_info(held[0], services, {counter.id: counter}) if held else None
    info = counter_info(counter, uow.directory.counter_service_ids(counter.id), {user.id: user}, now,
                        location.counter_gone_after_s)
    return CounterSession(info, user_info(user), current, location.no_show_after_recalls)


def _check_services(uow: UnitOfWork, location_id: int, service_ids: Iterable[int]) -> list[int]:
    valid = {s.id for s in uow.directory.services(location_id) if s.active}
    ids = sorted(set(service_ids))
    for sid in ids:
        if sid not in valid:
            raise ServiceNotOffered(str(sid))
    return ids


def _expire_past_days(uow: UnitOfWork, location: Any, user_id: int, now: dt.datetime) -> int:
    """Cancel the tickets of earlier days still waiting or held (action ``expire``); how many."""
    tickets = uow.tickets.open_before(location.id, local_day(now, location.timezone))
    for t in tickets:
        old = _transition(t, TicketAction.EXPIRE)
        t.finished_at = now
        _record(uow, t, TicketAction.EXPIRE, old, now, user_id, t.counter_id, {"reason": "day_over", "day": str(t.day)})
    return len(tickets)


def _close_past_days(backend: Backend, user_id: int, location_id: int, now: dt.datetime) -> int:
    """The day boundary, for whoever looks first: expire what earlier days left waiting or held.

    Runs when a counter, kiosk or hall screen meets a ticket of an earlier day
    (``call_next`` refused for it, ``queue_snapshot``/``counter_session`` showing it held),
    so a counter left running overnight, or one nobody signs in at again, never keeps
    yesterday's visitor. Any active user may trigger it: it is housekeeping, not an action
    of theirs (the events record them as the one who saw it). Idempotent: a second caller
    finds nothing left.
    """
    with backend.unit_of_work(write=True) as uow:
        user = uow.directory.user(user_id)
        location = uow.directory.location(location_id)
        if user is None or not user.active or location is None:
            return 0
        n = _expire_past_days(uow, location, user.id, now)
        if n:
            uow.changed(queue_topic(location.id))
        uow.commit()
        return n


@checked
def sign_in(backend: Backend, user_id: int, counter_id: int, now: dt.datetime,
            service_ids: Iterable[int] | None = None) -> CounterSession:
    """Take a place at a counter. Returns the visitor the counter still holds, if any (resume)."""
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.SERVE)
        counter = get_or_404(uow.directory.counter(counter_id, lock=True), "counter", counter_id)
        require_location(uow, user, counter.location_id)  # serving at a counter is scoped here, at sign-in
        location = uow.directory.location(counter.location_id)
        other = counter.signed_in_user_id
        if other not in (None, user.id) and not is_gone(counter.last_seen_at, now, location.counter_gone_after_s):
            raise CounterInUse(counter.display_name, uow.directory.user(other).display_name)
        counter.signed_in_user_id = user.id
        counter.last_seen_at = now
        if service_ids is not None:
            uow.directory.set_counter_service_ids(counter.id, _check_services(uow, location.id, service_ids))
        # The first counter of the day closes what earlier days left open, so an
        # old ticket is neither resumed nor in anyone's way.
        _expire_past_days(uow, location, user.id, now)
        uow.changed(queue_topic(location.id))
        session = _session(uow, counter, user, location, now)
        uow.commit()
        return session


@checked
def set_counter_services(backend: Backend, user_id: int, counter_id: int, service_ids: Iterable[int],
                         now: dt.datetime) -> CounterSession:
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.SERVE)
        counter = _signed_in_counter(uow, counter_id, user, lock=True)
        location = uow.directory.location(counter.location_id)
        uow.directory.set_counter_service_ids(counter.id, _check_services(uow, location.id, service_ids))
        counter.last_seen_at = now
        uow.changed(queue_topic(location.id))
        session = _session(uow, counter, user, location, now)
        uow.commit()
        return session


@checked
def heartbeat(backend: Backend, user_id: int, counter_id: int, now: dt.datetime) -> None:
    """The counter window says it is alive (every half minute or so)."""
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:
        acting_user(uow, user_id, Permission.SERVE)
        uow.directory.touch_counter(counter_id, user_id, now)
        uow.commit()


@checked
def sign_out(backend: Backend, user_id: int, counter_id: int, now: dt.datetime) -> None:
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.SERVE)
        counter = _signed_in_counter(uow, counter_id, user, lock=True)
        held = uow.tickets.held_by(counter.id)
        if held:
            raise CounterBusy(counter.display_name, held[0].number)
        counter.signed_in_user_id = None
        counter.last_seen_at = now
        uow.changed(queue_topic(counter.location_id))
        uow.commit()


@checked
def counter_session(backend: Backend, user_id: int, counter_id: int, now: dt.datetime) -> CounterSession:
    now = check_now(now)
    for attempt in range(2):
        with backend.unit_of_work() as uow:
            user = acting_user(uow, user_id, Permission.SERVE)
            counter = _signed_in_counter(uow, counter_id, user)
            location = uow.directory.location(counter.location_id)
            session = _session(uow, counter, user, location, now)
            location_id, tz = location.id, location.timezone
        if attempt or session.current is None or local_day(session.current.issued_at, tz) >= local_day(now, tz):
            return session
        _close_past_days(backend, user_id, location_id, now)  # yesterday's visitor: the day is over
    return session


# ---------------------------------------------------------------------------
# counter: the visitor
# ---------------------------------------------------------------------------
@checked
def call_next(backend: Backend, user_id: int, counter_id: int, now: dt.datetime) -> TicketInfo | None:
    """Atomically take the next visitor for this counter (None: nobody waiting)."""
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:
        # The busiest call of the day makes as few round trips as it can: the
        # storage reads the user, the counter, its location, services and held
        # ticket, and claims only when the counter may (its guard is the same
        # rules as the checks below; on PostgreSQL all of it is one statement).
        # The claim is the WAITING -> CALLED transition; the CALL event and
        # "this counter is alive" are written with it.
        called = next_state(TicketState.WAITING, TicketAction.CALL)
        ctx, t = uow.tickets.call_next_for(
            counter_id=counter_id,
            user_id=user_id,
            now=now,
            now_ms=epoch_ms(now),
            serve_roles=_SERVE_ROLES,
            event={"action": TicketAction.CALL.value, "from_state": TicketState.WAITING.value,
                   "to_state": called.value, "data": None},
        )
        # Why nothing could be claimed (nothing was, then), in the order of the rules.
        user = check_actor(ctx.user, user_id, Permission.SERVE)
        counter = get_or_404(ctx.counter, "counter", counter_id)
        if counter.signed_in_user_id != user.id:
            raise NotSignedIn(counter.display_name)
        stale = None
        if ctx.held_number is not None:
            stale = _held_from_earlier_day(uow, counter, now)
            if stale is None:
                raise CounterBusy(counter.display_name, ctx.held_number)
        elif not ctx.service_ids:
            raise NoCounterServices(counter.display_name)
        if stale is None:
            if t is None:
                uow.commit()
                return None
            uow.changed(queue_topic(t.location_id))
            # The claim returns the service's prefix and name with the ticket.
            service = _ServiceName(t.service_prefix, t.service_name)
            info = ticket_info(t, {t.service_id: service}, {counter.id: counter})
            uow.commit()
            return info
    # Yesterday's visitor (the window stayed open overnight; nothing was claimed): close the
    # earlier days, then claim as usual. Rare: once per counter per day.
    if not _close_past_days(backend, user_id, stale, now):
        raise CounterBusy(counter.display_name, ctx.held_number)
    return call_next(backend, user_id, counter_id, now)


def _held_from_earlier_day(uow: UnitOfWork, counter: Any, now: dt.datetime) -> int | None:
    """The location id when the counter's held ticket is of an earlier day, else None."""
    location = uow.directory.location(counter.location_id)
    today = local_day(now, location.timezone)
    return location.id if any(t.day < today for t in uow.tickets.held_by(counter.id)) else None


def call_ticket(backend: Backend, user_id: int, counter_id: int, ticket_id: int, now: dt.datetime) -> TicketInfo:
    """Call one chosen waiting number (double-click, "Nummer oproepen…") instead of the next in line.

    The counter must serve the ticket's service, or the ticket must have been
    sent to this counter. Atomic like "volgende": of two counters calling the
    same number at once one gets it, the other :class:`TicketNotWaiting`.
    """
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.SERVE)
        counter = _signed_in_counter(uow, counter_id, user, lock=True)
        held = uow.tickets.held_by(counter.id)
        if held:
            raise CounterBusy(counter.display_name, held[0].number)
        # Locked: a counter claiming the same ticket waits here and then sees it called.
        t = get_or_404(uow.tickets.get(ticket_id, lock=True), "ticket", ticket_id)
        if t.location_id != counter.location_id:
            raise NotFound("ticket", ticket_id)
        location = uow.directory.location(t.location_id)
        if t.state != TicketState.WAITING.value or t.day != local_day(now, location.timezone):
            holder = uow.directory.counter(t.counter_id) if t.counter_id else None
            raise TicketNotWaiting(t.number, t.state, holder.display_name if holder is not None else None)
        if t.target_counter_id is not None:
            if t.target_counter_id != counter.id:
                raise TicketNotForCounter(t.number, counter.display_name)
        elif t.service_id not in uow.directory.counter_service_ids(counter.id):
            raise TicketNotForCounter(t.number, counter.display_name)
        old = _transition(t, TicketAction.CALL)
        t.counter_id, t.target_counter_id = counter.id, None
        t.called_at, t.recall_count = now, 0
        counter.last_seen_at = now
        _record(uow, t, TicketAction.CALL, old, now, user.id, counter.id, {"chosen": True})
        info = ticket_info(t, {t.service_id: uow.directory.service(t.service_id)}, {counter.id: counter})
        uow.commit()
        return info


def undo_no_show(backend: Backend, user_id: int, counter_id: int, ticket_id: int, now: dt.datetime) -> TicketInfo:
    """"Toch gekomen": a visitor marked not come is back. Within :data:`UNDO_NO_SHOW_MINUTES` of
    the no-show, on the same day, the ticket goes back in the queue with its original arrival
    time (so it is not at the back); any counter of the location may do it."""
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.SERVE)
        counter = _signed_in_counter(uow, counter_id, user)
        t = get_or_404(uow.tickets.get(ticket_id, lock=True), "ticket", ticket_id)
        if t.location_id != counter.location_id:
            raise NotFound("ticket", ticket_id)
        next_state(TicketState(t.state), TicketAction.UNDO_NO_SHOW, t.number)  # only a no-show
        location = uow.directory.location(t.location_id)
        limit = dt.timedelta(minutes=UNDO_NO_SHOW_MINUTES)
        if t.finished_at is None or now - t.finished_at > limit or t.day != local_day(now, location.timezone):
            raise UndoTooLate(t.number, UNDO_NO_SHOW_MINUTES)
        recalls, marked_by = t.recall_count, t.counter_id
        old = _transition(t, TicketAction.UNDO_NO_SHOW)
        t.counter_id, t.finished_at, t.recall_count = None, None, 0
        counter.last_seen_at = now
        _record(uow, t, TicketAction.UNDO_NO_SHOW, old, now, user.id, counter.id,
                {"recalls": recalls, "marked_by_counter_id": marked_by})
        info = ticket_info_from(uow, t)
        uow.commit()
        return info


def undoable_no_shows(backend: Backend, user_id: int, location_id: int, now: dt.datetime) -> tuple[TicketInfo, ...]:
    """Today's no-shows that can still be undone (most recent first): the counter's "Niet gekomen" list."""
    now = check_now(now)
    with backend.unit_of_work() as uow:
        user = acting_user(uow, user_id, Permission.SERVE)
        location = get_or_404(uow.directory.location(location_id), "location", location_id)
        require_location(uow, user, location.id)
        services = {s.id: s for s in uow.directory.services(location.id)}
        rows = uow.tickets.no_shows_since(location.id, local_day(now, location.timezone),
                                          now - dt.timedelta(minutes=UNDO_NO_SHOW_MINUTES))
        return tuple(ticket_info(t, services, {}) for t in rows)


def _act(backend: Backend, user_id: int, counter_id: int, ticket_id: int, now: dt.datetime,
         action: TicketAction, mutate=None, data: dict | None = None, after=None) -> TicketInfo:
    """``after(uow, user, ticket, now)``, if given, writes more in the same transaction before the commit."""
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.SERVE)
        counter = _signed_in_counter(uow, counter_id, user)
        t = _held_ticket(uow, ticket_id, counter)
        location = uow.directory.location(t.location_id)
        # The state machine first: an action the state forbids is refused as
        # such, before any action-specific rule (such as the no-show recalls).
        next_state(TicketState(t.state), action, t.number)
        if mutate is not None:
            mutate(t, location)
        old = _transition(t, action)
        if action is TicketAction.RECALL:
            t.recall_count += 1
            data = {**(data or {}), "recall": t.recall_count}
        new = TicketState(t.state)
        if new.is_final:
            t.finished_at = now
        elif new is TicketState.WAITING:
            t.counter_id = None
        counter.last_seen_at = now
        _record(uow, t, action, old, now, user.id, counter.id, data)
        if data and data.get("note"):  # a clerk's note on a visit is personal data: on record
            audit(uow, user.id, now, "update", "ticket", t.id, ("note",))
        if after is not None:
            after(uow, user, t, now)
        info = ticket_info(t, {t.service_id: uow.directory.service(t.service_id)}, {counter.id: counter})
        uow.commit()
        return info


@checked
def recall(backend: Backend, user_id: int, counter_id: int, ticket_id: int, now: dt.datetime) -> TicketInfo:
    """Call the same visitor again (the hall screen shows and announces it again)."""
    return _act(backend, user_id, counter_id, ticket_id, now, TicketAction.RECALL)


@checked
def start_serving(backend: Backend, user_id: int, counter_id: int, ticket_id: int, now: dt.datetime) -> TicketInfo:
    """The visitor has arrived at the counter."""
    return _act(backend, user_id, counter_id, ticket_id, now, TicketAction.START)


@checked
def finish(backend: Backend, user_id: int, counter_id: int, ticket_id: int, now: dt.datetime,
           outcome: Outcome | str = Outcome.HELPED, note: str | None = None, *,
           contact: VisitContact | None = None) -> TicketInfo:
    """The visit is over. With ``contact`` (from ``contacts.visit_contact``) the visit's contact
    registration is written in the same transaction: both or neither."""
    try:
        outcome = Outcome(outcome)
    except ValueError:
        raise ValidationError("outcome", "invalid") from None
    note = _clean_note(note)

    def mutate(t: Any, _loc: Any) -> None:
        t.outcome = outcome.value
        t.note = note

    def after(uow: Any, user: Any, t: Any, moment: dt.datetime) -> None:
        record_visit_contact(uow, user, t, moment, contact)

    return _act(backend, user_id, counter_id, ticket_id, now, TicketAction.FINISH, mutate,
                {"outcome": outcome.value, "note": note}, after if contact is not None else None)


@checked
def no_show(backend: Backend, user_id: int, counter_id: int, ticket_id: int, now: dt.datetime) -> TicketInfo:
    """The visitor did not come after enough recalls (configurable per location)."""

    def mutate(t: Any, location: Any) -> None:
        if t.recall_count < location.no_show_after_recalls:
            raise NoShowTooEarly(t.number, t.recall_count, location.no_show_after_recalls)

    return _act(backend, user_id, counter_id, ticket_id, now, TicketAction.NO_SHOW, mutate)


@checked
def requeue(backend: Backend, user_id: int, counter_id: int, ticket_id: int, now: dt.datetime, *,
            priority: bool = False, note: str | None = None) -> TicketInfo:
    """Put the visitor back in the queue, keeping the original arrival time."""
    note = _clean_note(note)

    def mutate(t: Any, _loc: Any) -> None:
        if priority and t.priority_class > PriorityClass.PRIORITY:
            t.priority_class = int(PriorityClass.PRIORITY)

    return _act(backend, user_id, counter_id, ticket_id, now, TicketAction.REQUEUE, mutate,
                {"priority": priority, "note": note})


@checked
def transfer(backend: Backend, user_id: int, counter_id: int, ticket_id: int, now: dt.datetime, *,
             to_service_id: int | None = None, to_counter_id: int | None = None, priority: bool = False,
             note: str | None = None) -> TicketInfo:
    """Send the visitor to another service and/or one specific counter.

    The original arrival time is kept, so the visitor does not start again at
    the back. ``priority`` puts them ahead of ordinary walk-ins.
    """
    if to_service_id is None and to_counter_id is None:
        raise ValidationError("transfer_target", "required")
    note = _clean_note(note)
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.SERVE)
        counter = _signed_in_counter(uow, counter_id, user)
        t = get_or_404(uow.tickets.get(ticket_id, lock=True), "ticket", ticket_id)
        if t.state != TicketState.WAITING.value:
            t = _held_ticket(uow, ticket_id, counter)
        from_service = t.service_id
        if to_service_id is not None:
            service = get_or_404(uow.directory.service(to_service_id), "service", to_service_id)
            if service.location_id != t.location_id or not service.active:
                raise ServiceNotOffered(service.prefix)
            t.service_id = service.id
        if to_counter_id is not None:
            target = get_or_404(uow.directory.counter(to_counter_id), "counter", to_counter_id)
            if target.location_id != t.location_id or not target.active:
                raise NotFound("counter", to_counter_id)
            t.target_counter_id = target.id
        else:
            t.target_counter_id = None
        if priority and t.priority_class > PriorityClass.PRIORITY:
            t.priority_class = int(PriorityClass.PRIORITY)
        old = _transition(t, TicketAction.TRANSFER)
        t.counter_id = None
        counter.last_seen_at = now
        _record(uow, t, TicketAction.TRANSFER, old, now, user.id, counter.id, {
            "from_service_id": from_service, "to_service_id": t.service_id,
            "to_counter_id": to_counter_id, "priority": priority, "note": note,
        })
        if note:
            audit(uow, user.id, now, "update", "ticket", t.id, ("note",))
        info = ticket_info_from(uow, t)
        uow.commit()
        return info


@checked
def cancel(backend: Backend, user_id: int, ticket_id: int, now: dt.datetime, note: str | None = None) -> TicketInfo:
    """A waiting visitor left (or the ticket was a mistake)."""
    note = _clean_note(note)
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.CANCEL_TICKET)
        t = get_or_404(uow.tickets.get(ticket_id, lock=True), "ticket", ticket_id)
        require_location(uow, user, t.location_id)
        old = _transition(t, TicketAction.CANCEL)
        t.finished_at = now
        _record(uow, t, TicketAction.CANCEL, old, now, user.id, None, {"note": note})
        if note:
            audit(uow, user.id, now, "update", "ticket", t.id, ("note",))
        info = ticket_info_from(uow, t)
        uow.commit()
        return info


@checked
def release(backend: Backend, user_id: int, ticket_id: int, now: dt.datetime, *, force: bool = False) -> TicketInfo:
    """A team lead frees a visitor held by a counter that is gone (crashed, no power).

    The visitor goes back to the front of the queue (priority, original arrival
    kept). A counter that is still alive keeps its visitor unless ``force``.
    """
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.RELEASE_TICKET)
        t = get_or_404(uow.tickets.get(ticket_id, lock=True), "ticket", ticket_id)
        require_location(uow, user, t.location_id)
        counter = uow.directory.counter(t.counter_id) if t.counter_id else None
        location = uow.directory.location(t.location_id)
        if counter is not None and not force and TicketState(t.state).is_held:
            alive = counter.signed_in_user_id is not None and not is_gone(
                counter.last_seen_at, now, location.counter_gone_after_s
            )
            if alive:
                raise CounterInUse(counter.display_name, uow.directory.user(counter.signed_in_user_id).display_name)
        old = _transition(t, TicketAction.RELEASE)
        t.counter_id = None
        if t.priority_class > PriorityClass.PRIORITY:
            t.priority_class = int(PriorityClass.PRIORITY)
        _record(uow, t, TicketAction.RELEASE, old, now, user.id, counter.id if counter else None,
                {"forced": force})
        info = ticket_info_from(uow, t)
        uow.commit()
        return info


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------
@checked
def queue_snapshot(backend: Backend, user_id: int, location_id: int, now: dt.datetime,
                   recent_calls: int = 6) -> QueueSnapshot:
    """Everything a counter, kiosk or hall screen shows about the queue, in one read.

    The first look of a new day closes what earlier days left held (see ``_close_past_days``).
    """
    now = check_now(now)
    snapshot = _queue_snapshot(backend, user_id, location_id, now, recent_calls)
    tz = snapshot.location.timezone
    if any(local_day(t.issued_at, tz) < local_day(now, tz) for t in snapshot.held):
        if _close_past_days(backend, user_id, location_id, now):
            snapshot = _queue_snapshot(backend, user_id, location_id, now, recent_calls)
    return snapshot


def _queue_snapshot(backend: Backend, user_id: int, location_id: int, now: dt.datetime,
                    recent_calls: int) -> QueueSnapshot:
    with backend.unit_of_work() as uow:
        user = uow.directory.user(user_id)
        perm = Permission.VIEW_DISPLAY if user is not None and user.role == "display" else Permission.VIEW_QUEUE
        acting_user(uow, user_id, perm)
        require_location(uow, user, location_id)
        location = get_or_404(uow.directory.location(location_id), "location", location_id)
        day = local_day(now, location.timezone)
        now_ms = epoch_ms(now)
        services = {s.id: s for s in uow.directory.services(location.id)}
        counters_rows = uow.directory.counters(location.id)
        counters = {c.id: c for c in counters_rows}
        users = {u.id: u for u in uow.directory.users()}
        by_counter = uow.directory.all_counter_service_ids(location.id)
        open_counters = _open_counters(uow, location, now)
        recent = uow.tickets.recent_handling_seconds(list(services), now - HANDLING_HISTORY, RECENT_SAMPLE)

        waiting_rows = uow.tickets.waiting(location.id, day)
        # Candidates from the same rows: a second query could see a ticket
        # called in between (READ COMMITTED) and miss it.
        candidates = {
            t.id: Candidate(t.id, t.service_id, t.priority_class, t.arrived_ms, t.queue_ms, t.target_counter_id)
            for t in waiting_rows
        }
        ordered = sorted(waiting_rows, key=lambda t: order_key(candidates[t.id], now_ms, OrderingMode.LONGEST_WAIT, {}))
        waiting: list[WaitingTicket] = []
        positions: dict[object, int] = {}
        for t in ordered:
            queue_key = ("c", t.target_counter_id) if t.target_counter_id else ("s", t.service_id)
            positions[queue_key] = positions.get(queue_key, 0) + 1
            waiting.append(WaitingTicket(ticket_info(t, services, counters), (now_ms - t.arrived_ms) / 1000.0,
                                         positions[queue_key]))

        service_queues = []
        for s in services.values():
            mine = [w for w in waiting if w.ticket.service_id == s.id]
            est = estimate_wait(len(mine), open_counters.get(s.id, 0), recent.get(s.id, []), s.expected_minutes)
            service_queues.append(ServiceQueue(
                service_info(s), len(mine), max((w.waited_s for w in mine), default=0.0),
                open_counters.get(s.id, 0), est.minutes,
            ))
        held = tuple(ticket_info(t, services, counters) for t in uow.tickets.held_at(location.id))
        calls = tuple(
            CallInfo(t.id, t.number, display_number(t.number), services[t.service_id].prefix,
                     (counters[t.counter_id].display_name if t.counter_id in counters else ""), t.called_at,
                     t.recall_count)
            for t in uow.tickets.recent_calls(location.id, day, recent_calls)
            if t.counter_id in counters
        )
        return for_audience(user, QueueSnapshot(
            at=now,
            location=location_info(location),
            services=tuple(service_queues),
            waiting=tuple(waiting),
            held=held,
            counters=tuple(counter_info(c, by_counter.get(c.id, []), users, now, location.counter_gone_after_s)
                           for c in counters_rows),
            recent_calls=calls,
        ))


@checked
def ticket_history(backend: Backend, user_id: int, ticket_id: int) -> TicketHistory:
    """Replay a ticket: every state change with time, counter and person.

    A kiosk or hall screen gets it without the clerk's note and the names of
    staff. A person who gets a note back is on record in the audit log (same
    transaction; the time is the server's: this function takes no clock).
    """
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.VIEW_QUEUE)
        t = get_or_404(uow.tickets.get(ticket_id), "ticket", ticket_id)
        require_location(uow, user, t.location_id)
        events = uow.tickets.events(ticket_id)
        services = {s.id: s for s in uow.directory.services(t.location_id)}
        counters = {c.id: c for c in uow.directory.counters(t.location_id)}
        users = {u.id: u for u in uow.directory.users()}
        infos = tuple(
            EventInfo(
                e.action, e.from_state, e.to_state, e.at,
                counters[e.counter_id].display_name if e.counter_id in counters else None,
                users[e.user_id].display_name if e.user_id in users else None,
                services[e.service_id].prefix if e.service_id in services else "?",
                e.data,
            )
            for e in events
        )
        d = durations(events)
        history = for_audience(user, TicketHistory(ticket_info(t, services, counters), infos, d.first_wait_s,
                                                   d.total_wait_s, d.handling_s))
        if history.ticket.note or any((e.data or {}).get("note") for e in history.events):
            audit(uow, user.id, dt.datetime.now(dt.UTC), "read", "ticket", t.id, ("note",))
            uow.commit()
        return history


@checked
def counters_at(backend: Backend, user_id: int, location_id: int, now: dt.datetime) -> tuple[CounterInfo, ...]:
    return queue_snapshot(backend, user_id, location_id, now, recent_calls=0).counters

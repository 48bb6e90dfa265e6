"""Write visits, appointments, notes, meldingen, complaints and contacts straight into the tables,
with the events exactly as the services write them, for the service-norm tests."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from baliedesk.storage.models import (
    Appointment,
    CallbackNote,
    Complaint,
    ContactRecord,
    Melding,
    MeldingCategory,
    Ticket,
    TicketEvent,
)

AMS = ZoneInfo("Europe/Amsterdam")
_seq = itertools.count(1)


def local(day: dt.date, hhmm: str, seconds: int = 0) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(h, m), AMS).astimezone(dt.UTC) + dt.timedelta(seconds=seconds)


def add_visit(db, location_id: int, service_id: int, arrive: dt.datetime, *, calls: tuple[dt.datetime, ...] = (),
              finish: dt.datetime | None = None, state: str = "finished", requeues: tuple[dt.datetime, ...] = (),
              slot_start: dt.datetime | None = None) -> int:
    """One ticket with its events: issue, calls (with requeues between them), finish or no-show/cancel."""
    n = next(_seq)
    day = arrive.astimezone(AMS).date()
    source = "appointment" if slot_start is not None else "kiosk"
    with db.session() as s:
        t = Ticket(location_id=location_id, service_id=service_id, day=day, seq=n, number=f"T{n:03d}", state=state,
                   priority_class=0 if slot_start else 2, arrived_ms=int(arrive.timestamp() * 1000),
                   queue_ms=int((slot_start or arrive).timestamp() * 1000), issued_at=arrive,
                   called_at=calls[-1] if calls else None, finished_at=finish, source=source, recall_count=0)
        s.add(t)
        s.flush()
        events = [("issue", None, "waiting", arrive)]
        pending_requeues = list(requeues)
        for c in calls:
            if pending_requeues and pending_requeues[0] < c and events[-1][0] == "call":
                events.append(("requeue", "called", "waiting", pending_requeues.pop(0)))
            events.append(("call", "waiting", "called", c))
        if state == "finished" and finish is not None:
            events.append(("finish", "serving", "finished", finish))
        elif state == "no_show":
            events.append(("no_show", "called", "no_show", finish or (calls[-1] if calls else arrive)))
        elif state == "cancelled":
            events.append(("cancel", "waiting", "cancelled", finish or arrive))
        for action, fr, to, at in events:
            s.add(TicketEvent(ticket_id=t.id, action=action, from_state=fr, to_state=to, at=at,
                              service_id=service_id))
        if slot_start is not None:
            s.add(Appointment(location_id=location_id, service_id=service_id, code=f"AP{n:05d}", day=day,
                              slot_start=slot_start, slot_end=slot_start + dt.timedelta(minutes=10),
                              state="checked_in", name="X", created_at=arrive, changed_at=arrive,
                              checked_in_at=arrive, ticket_id=t.id))
        s.commit()
        return t.id


def add_appointment(db, location_id: int, service_id: int, slot_start: dt.datetime, state: str) -> None:
    n = next(_seq)
    with db.session() as s:
        s.add(Appointment(location_id=location_id, service_id=service_id, code=f"AQ{n:05d}",
                          day=slot_start.astimezone(AMS).date(), slot_start=slot_start,
                          slot_end=slot_start + dt.timedelta(minutes=10), state=state, name="X",
                          created_at=slot_start, changed_at=slot_start))
        s.commit()


def add_callback(db, location_id: int, created: dt.datetime, due: dt.date, done: dt.datetime | None) -> None:
    with db.session() as s:
        s.add(CallbackNote(location_id=location_id, caller_name="X", phone="0612345678", question="?", for_team="KCC",
                           due_date=due, created_at=created, done_at=done, reached=True if done else None,
                           outcome="ok" if done else None))
        s.commit()


def category(db, term_days: int = 5) -> int:
    with db.session() as s:
        c = s.query(MeldingCategory).filter_by(main="Afval", sub=f"Zwerfvuil{term_days}").one_or_none()
        if c is None:
            c = MeldingCategory(main="Afval", sub=f"Zwerfvuil{term_days}", team="Buitendienst", term_days=term_days)
            s.add(c)
            s.commit()
        return c.id


def add_melding(db, location_id: int, category_id: int, received: dt.date, due: dt.date,
                closed: dt.datetime | None, state: str = "afgehandeld") -> None:
    n = next(_seq)
    created = local(received, "10:00")
    with db.session() as s:
        s.add(Melding(number=f"M-{n:06d}", tracking_code=f"TC{n:08d}", location_id=location_id,
                      category_id=category_id, team="Buitendienst", term_days=5, state=state, channel="balie",
                      description="x", received_on=received, due_date=due, created_at=created, changed_at=created,
                      closed_at=closed))
        s.commit()


def add_complaint(db, location_id: int, received: dt.date, due: dt.date, handled: dt.datetime | None, *,
                  extended: bool = False) -> None:
    n = next(_seq)
    created = local(received, "10:00")
    with db.session() as s:
        s.add(Complaint(number=f"K-{n:06d}", location_id=location_id, name="X", subject="s", description="d",
                        channel="balie", state="afgehandeld" if handled else "ingediend", received_on=received,
                        due_date=due, extended=extended, handled_at=handled, created_at=created))
        s.commit()


def add_contact(db, location_id: int, at: dt.datetime, result: str, service_id: int | None = None) -> None:
    with db.session() as s:
        s.add(ContactRecord(location_id=location_id, channel="telefoon", service_id=service_id, subject="s",
                            result=result, passed_to=None if result == "eerstelijn" else "Team", created_at=at))
        s.commit()

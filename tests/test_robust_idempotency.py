"""Issue 14, case 4: a save with a request id is made once, however often it is submitted
(double click, retry after a timeout, two connections at once), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest

from baliedesk.domain.errors import ValidationError
from baliedesk.services import appointments, contacts, meldingen, queue, schedules


def rid() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def cats(backend, seeded):
    return {c.label: c for c in meldingen.list_categories(backend, seeded.users["anne"])}


def _saves(backend, seeded, now, cats):
    """(label, call(request_id) -> result, count() -> number of records, key(result) -> the record's id)."""
    anne, loc = seeded.users["anne"], seeded.location_id
    admin = seeded.users["beheer"]
    clerk = anne

    def count_callbacks():
        return len(contacts.open_callbacks(backend, anne, loc, now))

    def count_complaints():
        return len(contacts.complaints(backend, anne, loc, now))

    def count_contacts():
        return len(contacts.recent_contacts(backend, anne, loc, now))

    def count_meldingen():
        return len(meldingen.work_list(backend, anne, loc, now).rows)

    def count_tickets():
        return len(queue.queue_snapshot(backend, anne, loc, now).waiting)

    slots = iter(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=15 * i)
                 for i in range(12))  # Friday from 10:00 in Amsterdam, one slot per new booking
    taken: dict[str, dt.datetime] = {}

    def slot_for(r):
        if r is None or r not in taken:
            start = next(slots)
            if r is None:
                return start
            taken[r] = start
        return taken[r]

    def count_bookings():
        return len(appointments.day_overview(backend, clerk, loc, now, day=dt.date(2026, 11, 20)).appointments)

    return [
        ("write_callback", lambda r: contacts.write_callback(
            backend, anne, loc, now, caller_name="Jan", phone="0612345678", question="Bel terug",
            for_team="Burgerzaken", request_id=r), count_callbacks, lambda res: res[0].id),
        ("register_complaint", lambda r: contacts.register_complaint(
            backend, anne, loc, now, name="Jan", subject="Wachttijd", description="Te lang", channel="balie",
            request_id=r), count_complaints, lambda res: res.number),
        ("register_contact", lambda r: contacts.register_contact(
            backend, anne, loc, now, channel="telefoon", subject="Paspoort", request_id=r), count_contacts,
         lambda res: res.id),
        ("take_melding", lambda r: meldingen.take_melding(
            backend, anne, loc, now, category_id=cats["Wegen > Losliggende tegel"].id, description="Tegel los",
            channel="balie", street="Dorpsstraat", request_id=r), count_meldingen, lambda res: res.slip.number),
        ("issue_ticket", lambda r: queue.issue_ticket(
            backend, seeded.users["kiosk-ingang"], seeded.services["A"], now, request_id=r), count_tickets,
         lambda res: res.ticket.number),
        ("add_block", lambda r: appointments.add_block(
            backend, seeded.users["fatima"], loc, "12:00", "12:30", day=dt.date(2026, 12, 1), request_id=r),
         lambda: len(schedules.schedule_config(backend, seeded.users["fatima"], loc).blocks), lambda res: res.id),
        ("book", lambda r: appointments.book(
            backend, clerk, seeded.services["A"], slot_for(r), now, name="Jan", phone="0612345678", request_id=r),
         count_bookings, lambda res: res.code),
    ]


@pytest.fixture
def bookable(backend, seeded, now):
    from baliedesk.services import demo

    demo.seed_hours(backend, seeded, now)
    lead = seeded.users["fatima"]
    schedules.set_calendar_options(backend, lead, seeded.location_id, now, appointments_enabled=True)
    appointments.configure_service(backend, lead, seeded.services["A"], enabled=True, duration_minutes=15)


def test_the_same_request_twice_makes_one_record(backend, seeded, now, cats, bookable):
    for label, call, count, key in _saves(backend, seeded, now, cats):
        before = count()
        r = rid()
        first, second = call(r), call(r)
        assert key(first) == key(second), label
        assert first == second or label in ("issue_ticket",), label  # a ticket's estimate may move
        assert count() == before + 1, label
        third = call(rid())  # another form: another record
        assert key(third) != key(first), label
        assert count() == before + 2, label
        assert call(None) is not None and count() == before + 3, label  # without an id: as before


def test_a_request_id_for_another_kind_of_save_is_refused(backend, seeded, now, cats):
    r = rid()
    contacts.register_contact(backend, seeded.users["anne"], seeded.location_id, now, channel="telefoon",
                              subject="Paspoort", request_id=r)
    with pytest.raises(ValidationError) as err:
        contacts.write_callback(backend, seeded.users["anne"], seeded.location_id, now, caller_name="Jan",
                                phone="0612345678", question="Bel terug", for_team="Burgerzaken", request_id=r)
    assert (err.value.field, err.value.code) == ("request_id", "taken")


@pytest.mark.parametrize("bad", ["", "kort", "x" * 65, "a b c d e f g", "\u202e" * 10, 12345678, ["a" * 10]])
def test_a_malformed_request_id_is_refused(backend, seeded, now, bad):
    with pytest.raises(ValidationError) as err:
        contacts.register_contact(backend, seeded.users["anne"], seeded.location_id, now, channel="telefoon",
                                  subject="Paspoort", request_id=bad)
    assert err.value.field == "request_id"


def test_two_users_may_use_the_same_request_id(backend, seeded, now):
    r = rid()
    a = contacts.register_contact(backend, seeded.users["anne"], seeded.location_id, now, channel="telefoon",
                                  subject="Paspoort", request_id=r)
    b = contacts.register_contact(backend, seeded.users["jeroen"], seeded.location_id, now, channel="telefoon",
                                  subject="Paspoort", request_id=r)
    assert a.id != b.id


@pytest.mark.parametrize("label", ["register_complaint", "write_callback", "issue_ticket", "take_melding"])
def test_concurrent_submissions_make_one_record(backend, seeded, now, cats, label):
    """Two threads (two connections) submit the same form at the same instant: one record,
    and both get its result (on PostgreSQL the second waits on the unique key, then replays)."""
    _label, call, count, key = next(s for s in _saves(backend, seeded, now, cats) if s[0] == label)
    before = count()
    for _round in range(3):
        r = rid()
        barrier = threading.Barrier(2)
        results, errors = [], []

        def submit():
            barrier.wait()
            try:
                results.append(call(r))
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=submit) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors
        assert len(results) == 2 and key(results[0]) == key(results[1])
    assert count() == before + 3

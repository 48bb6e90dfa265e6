"""A counter visit closes with a contact registration: finish and contact in one transaction (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baliedesk.domain.errors import InvalidTransition, NotYourTicket, PermissionDenied, StorageUnavailable, ValidationError
from baliedesk.domain.tickets import TicketState
from baliedesk.services import contacts, queue


def _held(backend, seeded, now, prefix="A"):
    """Anne at Balie 1 has just called a visitor for ``prefix`` and started serving."""
    anne, counter = seeded.users["anne"], seeded.counters["Balie 1"]
    queue.issue_ticket(backend, seeded.users["kiosk-ingang"], seeded.services[prefix], now)
    queue.sign_in(backend, anne, counter, now)
    t = queue.call_next(backend, anne, counter, now + dt.timedelta(minutes=1))
    assert t is not None
    queue.start_serving(backend, anne, counter, t.id, now + dt.timedelta(minutes=2))
    return anne, counter, t


def _visit_contacts(backend, seeded, now, ticket_id):
    return [c for c in contacts.recent_contacts(backend, seeded.users["anne"], seeded.location_id,
                                                now + dt.timedelta(hours=1)) if c.ticket_id == ticket_id]


def _state(backend, ticket_id) -> str:
    with backend.unit_of_work() as uow:
        return uow.tickets.get(ticket_id).state


def test_finish_with_a_contact_writes_exactly_one(backend, seeded, now):
    anne, counter, t = _held(backend, seeded, now)
    at = now + dt.timedelta(minutes=9)
    done = queue.finish(backend, anne, counter, t.id, at, "helped", "Paspoort aangevraagd",
                        contact=contacts.visit_contact(note="Paspoort aangevraagd"))
    assert done.state == TicketState.FINISHED.value
    [c] = _visit_contacts(backend, seeded, now, t.id)
    assert (c.channel, c.result, c.subject, c.service_id, c.note, c.passed_to) == (
        "balie", "eerstelijn", t.service_name, seeded.services["A"], "Paspoort aangevraagd", None)
    assert c.created_at == at


def test_finish_passed_on_with_a_typed_subject(backend, seeded, now):
    anne, counter, t = _held(backend, seeded, now)
    queue.finish(backend, anne, counter, t.id, now + dt.timedelta(minutes=9),
                 contact=contacts.visit_contact(result="doorgezet", subject="  Vraag over erfpacht ",
                                                passed_to="Team Vastgoed"))
    [c] = _visit_contacts(backend, seeded, now, t.id)
    assert (c.subject, c.result, c.passed_to) == ("Vraag over erfpacht", "doorgezet", "Team Vastgoed")


def test_finish_without_contact_still_works_and_writes_none(backend, seeded, now):
    anne, counter, t = _held(backend, seeded, now)
    done = queue.finish(backend, anne, counter, t.id, now + dt.timedelta(minutes=9), "information")
    assert done.state == TicketState.FINISHED.value and done.outcome == "information"
    assert _visit_contacts(backend, seeded, now, t.id) == []


@pytest.mark.parametrize("fields, field", [
    ({"result": "doorgezet"}, "passed_to"),  # passed on, but to whom?
    ({"result": "misschien"}, "result"),
    ({"subject": "x" * 201}, "subject"),
    ({"subject": "twee\nregels"}, "subject"),
    ({"note": "x" * 1001}, "note"),
])
def test_invalid_contact_leaves_the_ticket_unfinished(backend, seeded, now, fields, field):
    anne, counter, t = _held(backend, seeded, now)
    with pytest.raises(ValidationError) as info:
        queue.finish(backend, anne, counter, t.id, now + dt.timedelta(minutes=9),
                     contact=contacts.visit_contact(**fields))
    assert info.value.field == field
    assert _state(backend, t.id) == TicketState.SERVING.value
    assert _visit_contacts(backend, seeded, now, t.id) == []
    # the clerk corrects it and finishes: exactly one contact
    queue.finish(backend, anne, counter, t.id, now + dt.timedelta(minutes=10),
                 contact=contacts.visit_contact(result="doorgezet", passed_to="Team Burgerzaken"))
    assert _state(backend, t.id) == TicketState.FINISHED.value
    assert len(_visit_contacts(backend, seeded, now, t.id)) == 1


def test_contact_failing_inside_the_transaction_rolls_the_finish_back(backend, seeded, now, monkeypatch):
    """The contact is written after the ticket changed; if writing it fails, neither is kept."""
    anne, counter, t = _held(backend, seeded, now)
    from baliedesk.services import contacts as module

    def broken(uow, user, ticket, moment, contact):
        uow.contacts.new_contact(location_id=ticket.location_id, channel="balie", service_id=None,
                                 subject="x", result="eerstelijn", passed_to=None, note=None, ticket_id=ticket.id,
                                 created_at=moment, created_by=user.id)
        uow.flush()
        raise StorageUnavailable("connection lost while writing the contact")

    monkeypatch.setattr(queue, "record_visit_contact", broken)
    with pytest.raises(StorageUnavailable):
        queue.finish(backend, anne, counter, t.id, now + dt.timedelta(minutes=9),
                     contact=module.visit_contact())
    monkeypatch.undo()
    assert _state(backend, t.id) == TicketState.SERVING.value
    assert _visit_contacts(backend, seeded, now, t.id) == []
    queue.finish(backend, anne, counter, t.id, now + dt.timedelta(minutes=10), contact=module.visit_contact())
    assert len(_visit_contacts(backend, seeded, now, t.id)) == 1


def test_finish_twice_does_not_write_a_second_contact(backend, seeded, now):
    anne, counter, t = _held(backend, seeded, now)
    queue.finish(backend, anne, counter, t.id, now + dt.timedelta(minutes=9), contact=contacts.visit_contact())
    with pytest.raises((InvalidTransition, NotYourTicket)):
        queue.finish(backend, anne, counter, t.id, now + dt.timedelta(minutes=10), contact=contacts.visit_contact())
    assert len(_visit_contacts(backend, seeded, now, t.id)) == 1


def test_visit_contact_alone_still_records_one(backend, seeded, now):
    anne, counter, t = _held(backend, seeded, now)
    c = contacts.register_visit_contact(backend, anne, t.id, now, subject="Rijbewijs")
    assert (c.ticket_id, c.subject, c.channel) == (t.id, "Rijbewijs", "balie")
    with pytest.raises(PermissionDenied):
        contacts.register_visit_contact(backend, seeded.users["kiosk-ingang"], t.id, now)


HOSTILE = st.one_of(
    st.text(max_size=260),
    st.sampled_from(["'; DROP TABLE contacts; --", "\u202eTeam\u202c", "a\x00b", "Robert'); DELETE FROM tickets;--",
                     "x" * 201, "twee\nregels", "<b>vet</b>", "  ", "😀 Team Vastgoed"]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subject=HOSTILE, passed_to=HOSTILE)
def test_hostile_contact_text_is_stored_verbatim_or_leaves_the_visit_open(backend, seeded, now, subject, passed_to):
    anne, counter = seeded.users["anne"], seeded.counters["Balie 2"]
    queue.issue_ticket(backend, seeded.users["kiosk-ingang"], seeded.services["C"], now)
    queue.sign_in(backend, anne, counter, now)
    t = queue.call_next(backend, anne, counter, now)
    assert t is not None
    try:
        contact = contacts.visit_contact(result="doorgezet", subject=subject, passed_to=passed_to)
    except ValidationError as err:
        assert err.field in {"subject", "passed_to"}
        queue.finish(backend, anne, counter, t.id, now)  # the visit still ends (without this contact)
        assert _visit_contacts(backend, seeded, now, t.id) == []
        return
    queue.finish(backend, anne, counter, t.id, now, contact=contact)
    [c] = _visit_contacts(backend, seeded, now, t.id)
    assert c.subject == (subject.strip() or t.service_name) and c.passed_to == passed_to.strip()


def test_a_visit_gets_one_contact_not_two(backend, seeded, now):
    """A contact registered on its own after the finish already wrote one is refused, with a Dutch sentence."""
    from baliedesk.domain.errors import VisitContactExists
    from baliedesk.ui.common.messages import message_for

    anne, counter, t = _held(backend, seeded, now)
    queue.finish(backend, anne, counter, t.id, now + dt.timedelta(minutes=9), contact=contacts.visit_contact())
    with pytest.raises(VisitContactExists) as info:
        contacts.register_visit_contact(backend, anne, t.id, now + dt.timedelta(minutes=10), subject="Nog een")
    assert message_for(info.value) == f"Voor nummer {t.display_number} is het contact al vastgelegd."
    assert len(_visit_contacts(backend, seeded, now, t.id)) == 1
    # Registered on its own first, the finish then cannot add a second one either: the visit stays open.
    anne2, counter2, t2 = _held(backend, seeded, now + dt.timedelta(minutes=20))
    contacts.register_visit_contact(backend, anne2, t2.id, now + dt.timedelta(minutes=25))
    with pytest.raises(VisitContactExists):
        queue.finish(backend, anne2, counter2, t2.id, now + dt.timedelta(minutes=26), contact=contacts.visit_contact())
    assert _state(backend, t2.id) == "serving"
    assert len(_visit_contacts(backend, seeded, now, t2.id)) == 1

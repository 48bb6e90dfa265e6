"""The windows' door (baliedesk.client): one operation per exposed service function,
with the person and the clock bound by the client, never passed by a window."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest

from baliedesk.client import LocalClient
from baliedesk.domain.errors import NotSignedInHere, PermissionDenied
from baliedesk.services import catalogue


def test_every_exposed_operation_is_a_client_method_without_the_bound_parameters(backend):
    client = LocalClient(backend, owns_backend=False)
    ops = catalogue.operations()
    assert len(ops) == sum(len(names) for names in catalogue.EXPOSED.values())
    for name, op in ops.items():
        module, function = name.split(".")
        method = getattr(getattr(client, module), function)
        params = inspect.signature(method).parameters
        assert not set(params) & set(catalogue.BOUND), name
        full = inspect.signature(op.func).parameters
        # the caller's parameters keep their order, kinds and defaults
        assert [(p.name, p.kind, p.default) for p in params.values()] == [
            (p.name, p.kind, p.default) for p in full.values() if p.name not in catalogue.BOUND], name


def test_a_window_cannot_pass_a_person_or_a_time(backend, seeded, now):
    client = LocalClient(backend, user_id=seeded.users["anne"], clock=lambda: now, owns_backend=False)
    counter = seeded.counters["Balie 1"]
    with pytest.raises(TypeError):
        client.queue.call_next(counter, now=now)
    with pytest.raises(TypeError):
        client.queue.call_next(counter, user_id=seeded.users["fatima"])
    with pytest.raises(TypeError):
        client.queue.issue_ticket(seeded.services["A"], now, "kiosk")


def test_the_client_binds_its_person_and_its_clock(backend, seeded, now):
    later = now + dt.timedelta(minutes=7)
    kiosk = LocalClient(backend, clock=lambda: later, owns_backend=False).as_user(seeded.users["kiosk-ingang"])
    issued = kiosk.queue.issue_ticket(seeded.services["A"])
    assert issued.ticket.issued_at == later  # the client's clock, not the caller's
    # the kiosk account may issue, but not serve: the role comes from the bound person
    with pytest.raises(PermissionDenied):
        kiosk.queue.sign_in(seeded.counters["Balie 1"])
    clerk = kiosk.as_user(seeded.users["anne"])
    assert clerk.user_id == seeded.users["anne"] and clerk.now() == later
    session = clerk.queue.sign_in(seeded.counters["Balie 1"])
    assert session.user.id == seeded.users["anne"]
    called = clerk.queue.call_next(seeded.counters["Balie 1"])
    assert called is not None and called.id == issued.ticket.id and called.called_at == later


def test_nobody_signed_in_may_only_use_what_acts_as_nobody(backend, seeded):
    door = LocalClient(backend, owns_backend=False)
    assert not door.signed_in
    assert [loc.id for loc in door.setup.list_locations()] == [seeded.location_id]
    with pytest.raises(NotSignedInHere) as err:
        door.queue.queue_snapshot(seeded.location_id)
    assert err.value.operation == "queue.queue_snapshot"


def test_pure_checks_run_in_the_client_without_a_person(backend):
    door = LocalClient(backend, owns_backend=False)
    contact = door.contacts.visit_contact(result="eerstelijn", subject="Paspoort")
    assert contact.subject == "Paspoort"


def test_nothing_outside_the_catalogue_is_reachable(backend):
    client = LocalClient(backend, owns_backend=False)
    assert not hasattr(client.setup, "bootstrap")
    assert not hasattr(client.setup, "create_user")
    with pytest.raises(KeyError):
        catalogue.operation("demo.seed")


def test_signing_in_on_one_pc_binds_the_person(backend, seeded, now):
    from baliedesk.domain.errors import PasswordChangeRequired, SignInFailed
    from baliedesk.services import auth
    from baliedesk.services.demo import DEMO_PASSWORD

    door = LocalClient(backend, clock=lambda: now, owns_backend=False)
    with pytest.raises(SignInFailed):
        door.sign_in("anne", "not her password at all")
    anne = door.sign_in("anne", DEMO_PASSWORD).client
    assert anne.user_id == seeded.users["anne"] and not anne.must_change_password
    assert anne.queue.sign_in(seeded.counters["Balie 2"]).user.id == seeded.users["anne"]
    anne.sign_out()
    new = auth.add_user(backend, seeded.users["beheer"], "piet", "Piet Paal", "baliemedewerker", now)
    piet = door.sign_in("piet", new.temporary_password).client
    with pytest.raises(PasswordChangeRequired):
        piet.setup.list_locations()
    piet = piet.change_password(new.temporary_password, "een lange zin als wachtwoord")
    assert piet.setup.list_locations()

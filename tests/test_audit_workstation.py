"""The audit log names the workstation a read or change came from, on one PC and through the server.

A privacy officer reads "who saw this resident's phone number, when, and at
which computer". On one PC that is this computer's name; through the server
it is the address the server saw, with the name the workstation gives itself
(a name is only a help for reading: the address is what the server knows).
"""

from __future__ import annotations

import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from baliedesk.services.context import this_computer
from baliedesk.client.local import LocalClient
from baliedesk.services.context import workstation
from baliedesk.storage.models_privacy import AuditEntry
from tests.server_support import TestServer


def _take(client, seeded):
    cat = {c.label: c for c in client.meldingen.list_categories()}["Wegen > Losliggende tegel"].id
    return client.meldingen.take_melding(
        seeded.location_id, category_id=cat, description="Tegel los", channel="balie", street="Dorpsstraat",
        house_number="12", postcode="9919 AB", reporter_name="Piet Paal", reporter_phone="0612345678").melding


def _workstations(backend, melding_id):
    with backend.unit_of_work() as uow:
        rows = uow.session.execute(select(AuditEntry.__table__).where(
            AuditEntry.record_type == "melding", AuditEntry.record_id == melding_id).order_by(AuditEntry.id)).all()
    return [(r.action, r.workstation) for r in rows]


def test_one_pc_records_this_computer(backend, seeded, now):
    clerk = LocalClient(backend, user_id=seeded.users["anne"], clock=lambda: now, owns_backend=False,
                        workstation="balie-3-pc")
    melding = _take(clerk, seeded)
    clerk.meldingen.melding_detail(melding.summary.id)
    assert _workstations(backend, melding.summary.id) == [("create", "balie-3-pc"), ("read", "balie-3-pc")]
    assert workstation.get() == ""  # set for the call only, not left behind on this thread


def test_one_pc_names_this_computer_by_default(backend, seeded, now):
    clerk = LocalClient(backend, user_id=seeded.users["anne"], clock=lambda: now, owns_backend=False)
    melding = _take(clerk, seeded)
    assert this_computer() == socket.gethostname()[:60] != ""
    assert _workstations(backend, melding.summary.id) == [("create", this_computer())]


def test_through_the_server_the_address_it_saw_and_the_name_given(backend, seeded, now):
    server = TestServer(backend, clock=lambda: now).start()
    try:
        clerk = server.client(seeded.users["anne"])
        clerk.workstation = "balie-3-pc"
        melding = _take(clerk, seeded)
        clerk.workstation = ""  # a workstation that gives no name: the address alone
        clerk.meldingen.melding_detail(melding.summary.id)
    finally:
        server.stop()
    assert _workstations(backend, melding.summary.id) == [("create", "balie-3-pc (127.0.0.1)"),
                                                           ("read", "127.0.0.1")]


@pytest.mark.parametrize("given_name, recorded", [
    ("balie 3\x00\x1b[31m", "balie 3[31m (127.0.0.1)"),  # control characters are dropped
    ("b" * 300, "b" * 60 + " (127.0.0.1)"),  # a name is cut, the address always fits
    ("werkplek-Ærø", "werkplek-r (127.0.0.1)"),  # what is not plain ASCII is left out
    (" \t ", "127.0.0.1"),
])
def test_a_name_given_is_only_kept_readable(given_name, recorded):
    from baliedesk.server.app import workstation_of

    scope = {"client": ("127.0.0.1", 50123), "headers": [(b"x-baliedesk-workstation",
                                                             given_name.encode("latin-1", "replace"))]}
    assert workstation_of(scope) == recorded


@settings(max_examples=200)
@given(name=st.binary(max_size=400), host=st.one_of(st.none(), st.text(max_size=80)))
def test_any_header_gives_a_short_printable_workstation(name, host):
    from baliedesk.server.app import workstation_of

    scope = {"client": None if host is None else (host, 1), "headers": [(b"x-baliedesk-workstation", name)]}
    recorded = workstation_of(scope)
    assert len(recorded) <= 120 and recorded.isprintable()

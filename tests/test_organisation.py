"""The municipality's own details, and keeping locations, services and counters up to date."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baliedesk.domain.errors import CounterBusy, NotFound, PermissionDenied, ValidationError
from baliedesk.domain.organisation import ColorContrastTooLow, HasHistory, check_color, clean_postcode, one_line
from baliedesk.domain.tickets import Outcome
from baliedesk.services import organisation as org
from baliedesk.services import queue, setup

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_municipality_details_round_trip(seeded, backend, now):
    admin = seeded.users["beheer"]
    assert org.municipality(backend).name == ""
    info = org.update_municipality(backend, admin, now, name="Gemeente Eemsdelta", color="#0b4f8a", logo=PNG)
    assert (info.name, info.color, info.logo_type, info.has_logo) == ("Gemeente Eemsdelta", "#0B4F8A", "image/png", True)
    assert org.municipality_logo(backend) == ("image/png", PNG)
    assert org.update_municipality(backend, admin, now, remove_logo=True).has_logo is False
    assert org.municipality_logo(backend) is None
    with pytest.raises(ValidationError) as err:
        org.update_municipality(backend, admin, now, logo=b"GIF89a....")
    assert err.value.field == "logo"


def test_location_details_replace_the_per_pc_settings(seeded, backend):
    admin = seeded.users["beheer"]
    details = org.update_location(
        backend, admin, seeded.location_id, street="Stationsweg", house_number="1", postcode="9919ah",
        place="Loppersum", phone="0596 - 123 456", website="https://www.eemsdelta.nl/afspraak",
        tracking_base_url="https://meldingen.eemsdelta.nl/volg/{code}")
    assert details.address_line == "Stationsweg 1, 9919 AH Loppersum"
    assert details.tracking_link("M-ABC") == "https://meldingen.eemsdelta.nl/volg/M-ABC"
    again = org.location_details(backend, seeded.location_id)
    assert again == details
    emptied = org.update_location(backend, admin, seeded.location_id, phone="")
    assert emptied.phone == "" and emptied.street == "Stationsweg"


@pytest.mark.parametrize("field,value", [("postcode", "12345"), ("phone", "bel me"), ("website", "www.x"),
                                         ("tracking_base_url", "javascript:alert(1)"), ("name", "\u200b"),
                                         ("street", "Straat\u202eevil"), ("place", "a\u2028b"), ("name", "x" * 121)])
def test_location_details_refuse_bad_values(seeded, backend, field, value):
    with pytest.raises(ValidationError) as err:
        org.update_location(backend, seeded.users["beheer"], seeded.location_id, **{field: value})
    assert err.value.field == field
    assert org.location_details(backend, seeded.location_id).name == "Gemeente Loppersum"


def test_queue_rules_change_after_creation(seeded, backend):
    """Issue 15: the team lead changes the ordering rule, weights and recalls later."""
    lead = seeded.users["fatima"]
    details = org.update_location(backend, lead, seeded.location_id, ordering_mode="fair_share",
                                  no_show_after_recalls=3)
    assert (details.ordering_mode, details.no_show_after_recalls) == ("fair_share", 3)
    services = org.set_fair_share_weights(backend, lead, seeded.location_id, {seeded.services["A"]: 2.5})
    assert {s.prefix: s.weight for s in services}["A"] == 2.5
    with pytest.raises(ValidationError):
        org.update_location(backend, lead, seeded.location_id, ordering_mode="random")
    with pytest.raises(ValidationError):
        org.set_fair_share_weights(backend, lead, seeded.location_id, {seeded.services["A"]: 50})
    with pytest.raises(PermissionDenied):
        org.update_location(backend, seeded.users["anne"], seeded.location_id, no_show_after_recalls=1)


def test_add_location_and_deactivate(seeded, backend):
    admin = seeded.users["beheer"]
    loc = org.add_location(backend, admin, "Servicepunt Appingedam", postcode="9901 AB", place="Appingedam")
    assert loc.active and loc.postcode == "9901 AB"
    with pytest.raises(ValidationError) as err:
        org.add_location(backend, admin, "servicepunt appingedam")
    assert err.value.code == "taken"
    org.set_location_active(backend, admin, loc.id, False)
    assert [x.name for x in setup.list_locations(backend)] == ["Gemeente Loppersum"]
    view = org.organisation_view(backend, admin)
    assert [x.active for x in view.locations] == [True, False]


def test_service_colour_must_carry_readable_text(seeded, backend):
    admin = seeded.users["beheer"]
    check = check_color("#797979")
    assert not check.ok and check.best < 4.5
    with pytest.raises(ColorContrastTooLow) as err:
        org.update_service(backend, admin, seeded.services["A"], color="#797979")
    assert err.value.color == "#797979" and err.value.with_light < 4.5 and err.value.with_dark < 4.5
    with pytest.raises(ColorContrastTooLow):
        setup.create_service(backend, admin, seeded.location_id, "G", "Grijs", color="#777777")
    assert org.update_service(backend, admin, seeded.services["A"], color="#ffd700").color == "#FFD700"  # dark text


def test_update_service_fields(seeded, backend):
    admin = seeded.users["beheer"]
    sid = seeded.services["C"]
    info = org.update_service(backend, admin, sid, name="Uittreksels", expected_minutes=5, walk_in=False,
                              appointments=True, weight=2.0, sort_order=9)
    assert (info.name, info.expected_minutes, info.walk_in, info.appointments, info.weight, info.sort_order) == \
        ("Uittreksels", 5.0, False, True, 2.0, 9)
    with pytest.raises(ValidationError) as err:
        org.update_service(backend, admin, sid, prefix="A")
    assert err.value.code == "taken"
    with pytest.raises(ValidationError):
        org.update_service(backend, admin, sid, expected_minutes=float("nan"))
    with pytest.raises(ValidationError):
        org.update_service(backend, admin, sid, walk_in="ja")  # type: ignore[arg-type]


def test_deleting_a_service_with_tickets_is_refused(seeded, backend, now):
    admin = seeded.users["beheer"]
    queue.issue_ticket(backend, seeded.users["kiosk-ingang"], seeded.services["A"], now)
    with pytest.raises(HasHistory) as err:
        org.delete_service(backend, admin, seeded.services["A"])
    assert err.value.kind == "service" and err.value.records >= 1 and "Paspoort" in err.value.name
    assert any(s.id == seeded.services["A"] for s in setup.list_services(backend, seeded.location_id))
    off = org.set_service_active(backend, admin, seeded.services["A"], False)
    assert off.active is False


def test_an_unused_service_and_counter_can_be_deleted(seeded, backend):
    admin = seeded.users["beheer"]
    new = setup.create_service(backend, admin, seeded.location_id, "X", "Proef")
    counter = setup.create_counter(backend, admin, seeded.location_id, "Balie 9", None, [new.id])
    org.delete_counter(backend, admin, counter.id)
    org.delete_service(backend, admin, new.id)
    assert all(s.id != new.id for s in setup.list_services(backend, seeded.location_id))
    with pytest.raises(NotFound):
        org.delete_service(backend, admin, new.id)


def test_deleting_a_counter_that_served_is_refused(seeded, backend, now):
    admin, clerk, counter = seeded.users["beheer"], seeded.users["anne"], seeded.counters["Balie 3"]
    queue.issue_ticket(backend, seeded.users["kiosk-ingang"], seeded.services["A"], now)
    queue.sign_in(backend, clerk, counter, now)
    called = queue.call_next(backend, clerk, counter, now)
    with pytest.raises(CounterBusy):
        org.set_counter_active(backend, admin, counter, False)
    queue.finish(backend, clerk, counter, called.id, now + dt.timedelta(minutes=3), Outcome.HELPED)
    with pytest.raises(HasHistory) as err:
        org.delete_counter(backend, admin, counter)
    assert err.value.kind == "counter" and err.value.name == "Balie 3"
    assert org.set_counter_active(backend, admin, counter, False).active is False


def test_update_counter_name_services_and_location(seeded, backend):
    admin = seeded.users["beheer"]
    info = org.update_counter(backend, admin, seeded.counters["Balie 1"], display_name="Balie 1 (paspoort)",
                              service_ids=[seeded.services["A"]])
    assert info.display_name == "Balie 1 (paspoort)" and info.service_ids == (seeded.services["A"],)
    with pytest.raises(ValidationError) as err:
        org.update_counter(backend, admin, seeded.counters["Balie 1"], name="Balie 2")
    assert err.value.code == "taken"
    other = org.add_location(backend, admin, "Servicepunt Appingedam")
    moved = org.update_counter(backend, admin, seeded.counters["Balie 1"], location_id=other.id)
    assert moved.location_id == other.id and moved.service_ids == ()
    with pytest.raises(ValidationError):
        org.update_counter(backend, admin, seeded.counters["Balie 1"], service_ids=[seeded.services["B"]])


def test_public_reads_need_no_user(seeded, backend):
    assert org.location_details(backend, seeded.location_id).municipality == ""
    with pytest.raises(NotFound):
        org.location_details(backend, 999)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(st.text(max_size=40), st.integers(), st.floats(), st.none(), st.booleans(),
                       st.lists(st.integers(), max_size=2), st.binary(max_size=10)))
def test_field_checks_raise_only_typed_errors(value):
    for check in (lambda v: clean_postcode(v), lambda v: one_line(v, field="f", max_length=20),
                  lambda v: org.location_fields(name=v, phone=v, website=v, postcode=v),
                  lambda v: org.service_fields(prefix=v, color=v, expected_minutes=v, walk_in=v, weight=v),
                  lambda v: org.counter_fields(name=v)):
        try:
            check(value)
        except (ValidationError, ColorContrastTooLow):
            pass


def test_branding_is_what_a_slip_prints(seeded, backend, now):
    admin = seeded.users["beheer"]
    plain = org.branding(backend, seeded.location_id)
    assert (plain.municipality, plain.color, plain.logo, plain.address) == ("Gemeente Loppersum", "#0B4F8A", None, "")
    org.update_municipality(backend, admin, now, name="Gemeente Eemsdelta", color="#1B6B3A", logo=PNG)
    org.update_location(backend, admin, seeded.location_id, street="Stationsweg", house_number="1", place="Loppersum",
                        phone="0596 123 456", tracking_base_url="https://volg.eemsdelta.nl/?code={code}")
    b = org.branding(backend, seeded.location_id)
    assert (b.municipality, b.color, b.logo_type, b.logo) == ("Gemeente Eemsdelta", "#1B6B3A", "image/png", PNG)
    assert (b.address, b.phone, b.tracking_link("AB12")) == (
        "Stationsweg 1, Loppersum", "0596 123 456", "https://volg.eemsdelta.nl/?code=AB12")


details = st.fixed_dictionaries({
    "street": st.text(st.characters(categories=["L", "N", "Zs", "P"]), max_size=130),
    "house_number": st.text(st.characters(categories=["L", "N"]), max_size=20),
    "postcode": st.one_of(st.from_regex(r"[1-9][0-9]{3} ?[A-Za-z]{2}", fullmatch=True), st.text(max_size=9)),
    "phone": st.one_of(st.from_regex(r"\+?[0-9][0-9 \-]{4,20}", fullmatch=True), st.text(max_size=10)),
    "website": st.one_of(st.just("https://www.example.nl/a?b=1"), st.text(max_size=30)),
    "no_show_after_recalls": st.one_of(st.integers(-3, 14), st.floats(), st.text(max_size=2)),
})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=details)
def test_update_location_stores_valid_values_and_refuses_the_rest_typed(seeded, backend, values):
    try:
        saved = org.update_location(backend, seeded.users["beheer"], seeded.location_id, **values)
    except ValidationError:
        return
    again = org.location_details(backend, seeded.location_id)
    assert again == saved
    assert saved.street == values["street"].strip() and saved.no_show_after_recalls == values["no_show_after_recalls"]


def test_a_reference_from_another_table_refuses_the_delete_and_keeps_the_rest(seeded, backend):
    """A table added later that names a service (no history count knows it): the delete is undone in
    its savepoint and refused as HasHistory; the transaction and the service stay intact."""
    from sqlalchemy import text

    admin = seeded.users["beheer"]
    new = setup.create_service(backend, admin, seeded.location_id, "X", "Proef")
    with backend.engine.begin() as conn:
        conn.execute(text("CREATE TABLE later_table (id INTEGER PRIMARY KEY, "
                          "service_id INTEGER NOT NULL REFERENCES services(id))"))
        conn.execute(text("INSERT INTO later_table (id, service_id) VALUES (1, :s)"), {"s": new.id})
    with pytest.raises(HasHistory):
        org.delete_service(backend, admin, new.id)
    assert any(s.id == new.id for s in setup.list_services(backend, seeded.location_id))
    with backend.engine.begin() as conn:
        conn.execute(text("DELETE FROM later_table"))
    org.delete_service(backend, admin, new.id)
    assert all(s.id != new.id for s in setup.list_services(backend, seeded.location_id))

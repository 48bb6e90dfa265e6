"""setup export / setup import: the whole configuration as one TOML file, all or nothing."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baliedesk.domain.errors import PermissionDenied, ValidationError
from baliedesk.domain.organisation import SetupFileInvalid
from baliedesk.services import demo, meldingen, queue, schedules, setup, setupfile
from baliedesk.services import organisation as org
from baliedesk.storage.database import Database

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))


def full_municipality(backend, now) -> demo.DemoIds:
    """The demo with everything a file can hold: hours, exceptions, service hours, appointments,
    categories, the municipality's details."""
    ids = demo.seed(backend, now, history=False, hours=True)
    admin = ids.users["beheer"]
    org.update_municipality(backend, admin, now, name="Gemeente Eemsdelta", color="#0B4F8A", logo=PNG)
    org.update_location(backend, admin, ids.location_id, street="Stationsweg", house_number="1",
                        postcode="9919 AH", place="Loppersum", phone="0596 123 456",
                        website="https://www.eemsdelta.nl", tracking_base_url="https://volg.eemsdelta.nl/{code}",
                        ordering_mode="fair_share", no_show_after_recalls=3)
    schedules.set_exception(backend, admin, ids.location_id, dt.date(2026, 12, 24), [("09:00", "12:00")],
                            "Kerstavond")
    schedules.set_exception(backend, admin, ids.location_id, dt.date(2026, 12, 28), [], "Onderhoud",
                            service_id=ids.services["C"])
    meldingen.list_categories(backend, ids.users["fatima"])  # installs the shipped list
    return ids


def test_round_trip_into_an_empty_database(backend, now, tmp_path):
    ids = full_municipality(backend, now)
    text = setupfile.export_setup(backend, ids.users["beheer"])
    data = tomllib.loads(text)
    assert data["gemeente"]["naam"] == "Gemeente Eemsdelta"
    assert data["locatie"][0]["openingstijden"]["donderdag"] == "09:00-12:30, 13:30-16:30, 17:00-19:30"
    assert {p["gebruikersnaam"] for p in data["persoon"]} >= {"beheer", "anne", "kiosk-ingang"}
    assert "wachtwoord" not in text and "password" not in text

    schema = None
    if backend.backend == "postgresql":  # a second, empty database of the same kind
        from tests.conftest import create_pg_schema

        schema, url = create_pg_schema()
    else:
        url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    other = Database(url)
    other.upgrade()
    try:
        _import_and_use(other, text, data, now)
    finally:
        other.dispose()
        if schema is not None:
            from tests.conftest import drop_pg_schema

            drop_pg_schema(schema)


def _import_and_use(other, text, data, now):
    report = setupfile.import_setup(other, None, text, now)
    assert report.first_admin == "beheer" and not report.dry_run
    assert dict(report.created) == {"category": len(data["categorie"]), "counter": 3, "location": 1,
                                    "municipality": 1, "person": len(data["persoon"]), "service": 4}
    admin = next(u.id for u in setup.sign_in_choices(other) if u.username == "beheer")
    assert setupfile.export_setup(other, admin) == text
    assert org.municipality_logo(other) == ("image/png", PNG)
    # and the imported municipality works: a ticket, called at a counter
    loc = setup.list_locations(other)[0]
    kiosk = next(u.id for u in setup.sign_in_choices(other) if u.username == "kiosk-ingang")
    clerk = next(u.id for u in setup.sign_in_choices(other) if u.username == "anne")
    service = next(s.id for s in setup.list_services(other, loc.id) if s.prefix == "A")
    counter = next(c for c in org.organisation_view(other, admin).counters if c.name == "Balie 3")
    issued = queue.issue_ticket(other, kiosk, service, now)
    queue.sign_in(other, clerk, counter.id, now)
    assert queue.call_next(other, clerk, counter.id, now).id == issued.ticket.id


def test_import_into_the_same_database_changes_nothing(backend, now):
    ids = full_municipality(backend, now)
    admin = ids.users["beheer"]
    text = setupfile.export_setup(backend, admin)
    report = setupfile.import_setup(backend, admin, text, now)
    assert dict(report.created) == {}
    assert setupfile.export_setup(backend, admin) == text


def test_import_updates_and_adds(backend, now):
    ids = demo.seed(backend, now, history=False)
    admin = ids.users["beheer"]
    text = setupfile.export_setup(backend, admin)
    text = text.replace('naam = "Rijbewijs"', 'naam = "Rijbewijzen"')
    text += ('\n[[locatie]]\nnaam = "Servicepunt Appingedam"\npostcode = "9901ab"\n'
             '\n[locatie.openingstijden]\nmaandag = "09:00-12:00"\n'
             '\n[[locatie.dienst]]\nletter = "A"\nnaam = "Paspoort"\nkleur = "#1F4E8C"\n'
             '\n[[locatie.balie]]\nnaam = "Balie 1"\ndiensten = ["A"]\n')
    dry = setupfile.import_setup(backend, admin, text, now, dry_run=True)
    assert dry.dry_run and ("location", 1) in dry.created
    assert [x.name for x in setup.list_locations(backend)] == ["Gemeente Loppersum"]
    report = setupfile.import_setup(backend, admin, text, now)
    assert ("location", 1) in report.created and ("service", 1) in report.created
    assert [x.name for x in setup.list_locations(backend)] == ["Gemeente Loppersum", "Servicepunt Appingedam"]
    assert any(s.name == "Rijbewijzen" for s in setup.list_services(backend, ids.location_id))
    new = setup.list_locations(backend)[1]
    assert org.location_details(backend, new.id).postcode == "9901 AB"


BROKEN = '''
formaat = 1
onbekend = 3

[gemeente]
naam = ""
kleur = "#797979"

[[locatie]]
naam = "Gemeente Loppersum"
postcode = "99191"
volgorde = "random"

[locatie.openingstijden]
maandag = "12:00-09:00"
zondag = 5

[[locatie.dienst]]
letter = "A"
naam = "Paspoort"
minuten = "tien"

[[locatie.dienst]]
letter = "A"
naam = "Nog een A"

[[locatie.balie]]
diensten = "A"

[[persoon]]
gebruikersnaam = "X Y"
naam = "Iemand"
rol = "koning"
'''


def test_a_broken_file_is_refused_whole_naming_every_place(backend, now):
    ids = demo.seed(backend, now, history=False)
    admin = ids.users["beheer"]
    before = setupfile.export_setup(backend, admin)
    with pytest.raises(SetupFileInvalid) as err:
        setupfile.import_setup(backend, admin, BROKEN, now)
    places = {(p.place, p.code) for p in err.value.problems}
    assert {("onbekend", "unknown_key"), ("gemeente.naam", "required"), ("gemeente.kleur", "contrast"),
            ("locatie[1].postcode", "invalid"), ("locatie[1].volgorde", "invalid"),
            ("locatie[1].openingstijden.maandag", "period_inside_out"),
            ("locatie[1].openingstijden.zondag", "invalid"), ("locatie[1].dienst[1].minuten", "invalid"),
            ("locatie[1].dienst[2].letter", "taken"), ("locatie[1].balie[1].naam", "required"),
            ("locatie[1].balie[1].diensten", "invalid"), ("persoon[1].gebruikersnaam", "invalid")} <= places
    assert setupfile.export_setup(backend, admin) == before


def test_problems_found_against_the_database_also_refuse_all(backend, now):
    ids = demo.seed(backend, now, history=False)
    admin = ids.users["beheer"]
    before = setupfile.export_setup(backend, admin)
    text = ('[[locatie]]\nnaam = "Nieuw"\n\n[[locatie.balie]]\nnaam = "Balie 1"\ndiensten = ["Z"]\n'
            '\n[[locatie.uitzondering]]\ndatum = 2026-12-24\ndienst = "Q"\n')
    with pytest.raises(SetupFileInvalid) as err:
        setupfile.import_setup(backend, admin, text, now)
    assert {(p.place, p.code) for p in err.value.problems} == {
        ("locatie[1].balie[1].diensten", "unknown_service"), ("locatie[1].uitzondering[1].dienst", "unknown_service")}
    assert setupfile.export_setup(backend, admin) == before


def test_empty_database_needs_a_beheerder_in_the_file(backend, now):
    text = '[[persoon]]\ngebruikersnaam = "anne"\nnaam = "Anne"\nrol = "baliemedewerker"\n'
    with pytest.raises(SetupFileInvalid) as err:
        setupfile.import_setup(backend, None, text, now)
    assert err.value.problems[0].code == "first_admin_required"
    assert setup.sign_in_choices(backend) == ()


def test_import_needs_the_right_role(backend, now):
    ids = demo.seed(backend, now, history=False)
    with pytest.raises(PermissionDenied):
        setupfile.import_setup(backend, ids.users["anne"], "formaat = 1\n", now)
    with pytest.raises(ValidationError):
        setupfile.import_setup(backend, None, "formaat = 1\n", now)  # not empty any more


def test_the_last_beheerder_cannot_be_switched_off(backend, now):
    ids = demo.seed(backend, now, history=False)
    text = '[[persoon]]\ngebruikersnaam = "beheer"\nnaam = "Beheerder"\nrol = "beheerder"\nactief = false\n'
    with pytest.raises(SetupFileInvalid) as err:
        setupfile.import_setup(backend, ids.users["fatima"], text, now)
    assert err.value.problems[0].code == "no_active_admin"


def test_writer_output_reads_back():
    data = {"a": "x\"y\\z\n\x7f\u00e9", "b": [1, 2.5, float("inf")], "c": dt.date(2026, 1, 2), "t": {"k k": True},
            "arr": [{"x": 1, "sub": {"y": [[1, 2]]}}, {"x": 2}], "empty": []}
    back = tomllib.loads(setupfile.dumps(data))
    assert back == data


values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20), st.dates()),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.text(max_size=8), children, max_size=3)),
    max_leaves=12).filter(lambda v: v is not None)
keys = st.sampled_from(["formaat", "gemeente", "locatie", "categorie", "persoon", "naam", "kleur", "dienst",
                        "balie", "letter", "openingstijden", "maandag", "datum", "uitzondering", "x"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(doc=st.dictionaries(keys, st.one_of(values, st.lists(st.dictionaries(keys, values, max_size=5), max_size=3)),
                           max_size=5))
def test_hostile_structures_give_typed_errors_only(doc):
    try:
        text = setupfile.dumps(doc)
    except TypeError:
        return  # None inside a list: not expressible in TOML
    try:
        setupfile.check_file(text)
    except SetupFileInvalid as err:
        assert err.problems and all(isinstance(p.place, str) and p.code for p in err.problems)


@settings(max_examples=100, deadline=None)
@given(text=st.one_of(st.text(max_size=200), st.builds(lambda n: "a = " + "[" * n + "]" * n,
                                                       st.integers(100, 20000)),
                      st.builds(lambda n: "x = " + "{a = " * n + "1" + "}" * n, st.integers(100, 5000))))
def test_hostile_text_gives_typed_errors_only(text):
    try:
        setupfile.check_file(text)
    except SetupFileInvalid as err:
        assert err.problems

"""The municipality's address list in the database (services/addresses.py, migration 0011): look one
up, how big it is, replace it whole; permissions; through a BalieDesk server (both backends)."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import inspect

from baliedesk.domain.addresses import Address
from baliedesk.domain.errors import PermissionDenied, ValidationError
from baliedesk.services import addresses as service
from baliedesk.services.addresses import AddressListInfo
from baliedesk.storage.database import Database
from baliedesk.storage.migrations_runner import alembic_config, current_revision, head_revision, upgrade

LIST = [
    Address("Hoofdstraat", 12, "9919 AB", "Loppersum", 53.3331, 6.746),
    Address("Stationsweg", 1, "9919 AH", "Loppersum"),
    Address("Molenweg", 3, "9919AC", "Loppersum"),  # any spelling of the postcode is kept as "9919 AC"
]


@pytest.fixture
def loaded(backend, seeded, now):
    assert service.replace_addresses(backend, seeded.users["beheer"], LIST, now) == 3
    return seeded


def test_find_address(backend, loaded):
    anne = loaded.users["anne"]
    assert service.find_address(backend, anne, "9919ab", 12) == LIST[0]
    assert service.find_address(backend, anne, " 9919 AH ", 1) == LIST[1]
    assert service.find_address(backend, anne, "9919 AC", 3) == Address("Molenweg", 3, "9919 AC", "Loppersum")
    assert service.find_address(backend, loaded.users["fatima"], "9919AB", 12) == LIST[0]  # a team lead too
    # not in the list, or no postcode or house number at all: None
    for postcode, number in (("9919AB", 13), ("9919AD", 12), ("9919", 12), ("0919AB", 12), ("", 12),
                             ("9919AB", 0), ("9919AB", -12), ("9919AB", 123456)):
        assert service.find_address(backend, anne, postcode, number) is None, (postcode, number)
    # a wrong type is a typed refusal, as in every service
    for postcode, number in (("9919AB", "12"), (None, 12), ("9919AB", True), ("99\x0019AB", 12)):
        with pytest.raises(ValidationError):
            service.find_address(backend, anne, postcode, number)


def test_devices_and_people_without_meldingen_are_refused(backend, loaded):
    for name in ("kiosk-ingang", "scherm-hal"):
        with pytest.raises(PermissionDenied) as err:
            service.find_address(backend, loaded.users[name], "9919AB", 12)
        assert err.value.permission == "take_melding"
        with pytest.raises(PermissionDenied):
            service.address_list_info(backend, loaded.users[name])
    with pytest.raises(PermissionDenied):  # the beheerder loads the list but takes no meldingen
        service.find_address(backend, loaded.users["beheer"], "9919AB", 12)


def test_list_info(backend, seeded, now):
    beheer, anne = seeded.users["beheer"], seeded.users["anne"]
    assert service.address_list_info(backend, beheer) == AddressListInfo(0, None)
    assert service.address_list_info(backend, anne) == AddressListInfo(0, None)
    later = now + dt.timedelta(hours=2)
    service.replace_addresses(backend, beheer, LIST, later)
    assert service.address_list_info(backend, anne) == AddressListInfo(3, later)
    assert service.address_list_info(backend, beheer).loaded_at.tzinfo is not None


def test_only_the_beheerder_replaces_the_list(backend, loaded, now):
    for name in ("anne", "fatima", "kiosk-ingang", "scherm-hal"):
        with pytest.raises(PermissionDenied) as err:
            service.replace_addresses(backend, loaded.users[name], LIST[:1], now)
        assert err.value.permission == "manage_addresses"
    assert service.address_list_info(backend, loaded.users["beheer"]).count == 3


def test_replacing_is_whole_and_keeps_the_last_of_a_number_given_twice(backend, loaded, now):
    beheer, anne = loaded.users["beheer"], loaded.users["anne"]
    new = [Address("Kerkstraat", 5, "9919 AB", "Loppersum"), Address("Kerkstraat", 5, "9919 AB", "Garrelsweer"),
           Address("Kerkstraat", 7, "9919 AB", "Loppersum")]  # 5A and 5B: one postcode + number
    assert service.replace_addresses(backend, beheer, iter(new), now) == 2  # a generator is read once
    assert service.find_address(backend, anne, "9919AB", 12) is None  # the old list is gone
    assert service.find_address(backend, anne, "9919AB", 5).place == "Garrelsweer"
    assert service.address_list_info(backend, beheer).count == 2


@pytest.mark.parametrize("bad", [
    Address("", 1, "9919 AB", "Loppersum"), Address("Straat", 1, "9919 AB", " "), Address("S" * 81, 1, "9919 AB", "P"),
    Address("Straat", 0, "9919 AB", "P"), Address("Straat", 1, "99 AB", "P"), Address("Straat", True, "9919 AB", "P"),
    Address("Straat", 1, "9919 AB", "P", 91.0, 6.0), Address("Straat", 1, "9919 AB", "P", 53.0, None),
    Address("Straat", 1, "9919 AB", "P", float("nan"), 6.0), Address("Stra\x00t", 1, "9919 AB", "P"),
    Address("Straat", 1, None, "P"), ("Straat", 1, "9919 AB", "P"), None,
])
def test_one_wrong_address_changes_nothing(backend, loaded, now, bad):
    with pytest.raises(ValidationError) as err:
        service.replace_addresses(backend, loaded.users["beheer"], [Address("Goed", 2, "9919 AB", "P"), bad], now)
    assert err.value.field == "addresses"
    assert service.address_list_info(backend, loaded.users["anne"]).count == 3
    assert service.find_address(backend, loaded.users["anne"], "9919AB", 12) == LIST[0]


def test_wrong_arguments_are_typed_refusals(backend, loaded, now):
    beheer = loaded.users["beheer"]
    for addresses in ("9919AB", 12, None, b"x"):
        with pytest.raises(ValidationError):
            service.replace_addresses(backend, beheer, addresses, now)
    with pytest.raises(ValidationError):
        service.replace_addresses(backend, beheer, LIST, dt.datetime(2026, 11, 19, 9, 0))  # naive


def test_a_failure_while_inserting_rolls_the_whole_replacement_back(backend, loaded, now, monkeypatch):
    """The repository inserts in batches in one transaction: a failure in a later batch leaves the old list."""
    import baliedesk.storage.addresses as storage

    monkeypatch.setattr(storage, "CHUNK", 2)
    rows = [{"postcode": f"1234 A{chr(65 + i)}", "house_number": 1, "street": "S", "place": "P",
             "latitude": None, "longitude": None} for i in range(5)]
    rows.append({**rows[0], "house_number": 2, "street": None})  # NOT NULL: the last batch fails
    with pytest.raises(Exception):
        with backend.unit_of_work(write=True) as uow:
            uow.addresses.replace_all(rows, now)
            uow.commit()
    with backend.unit_of_work() as uow:
        assert uow.addresses.summary()[0] == 3
        assert uow.addresses.find("1234 AA", 1) is None
        assert uow.addresses.find("9919 AB", 12).street == "Hoofdstraat"
    # and with good rows, in batches of two, all arrive
    with backend.unit_of_work(write=True) as uow:
        assert uow.addresses.replace_all(rows[:5], now) == 5
        uow.commit()
    assert service.address_list_info(backend, loaded.users["beheer"]).count == 5


def test_through_a_server(backend, loaded, now):
    from tests.server_support import TestServer

    server = TestServer(backend, clock=lambda: now).start()
    try:
        anne = server.client(loaded.users["anne"])
        assert anne.addresses.find_address("9919ab", 12) == LIST[0]  # the same Address, over the wire
        assert anne.addresses.find_address("9919AB", 99) is None
        assert anne.addresses.address_list_info() == AddressListInfo(3, now)
        kiosk = server.client(loaded.users["kiosk-ingang"])
        with pytest.raises(PermissionDenied):
            kiosk.addresses.find_address("9919AB", 12)
        with pytest.raises(PermissionDenied):
            kiosk.addresses.address_list_info()
        assert not hasattr(anne.addresses, "replace_addresses")  # loading stays on the command line
        with pytest.raises(ValidationError):
            anne.addresses.find_address("9919AB", "12")
    finally:
        server.stop()


def test_migration_0011_down_and_up(database_url, now):
    db = Database(database_url)
    try:
        assert db.upgrade() == head_revision()
        from baliedesk.services import demo

        ids = demo.seed(db, now, history=False)
        service.replace_addresses(db, ids.users["beheer"], LIST, now)
        command.downgrade(alembic_config(db.engine), "0008")
        assert current_revision(db.engine) == "0008"
        assert "bag_addresses" not in inspect(db.engine).get_table_names()
        assert "users" in inspect(db.engine).get_table_names()
        assert upgrade(db.engine) == head_revision()
        assert {c["name"] for c in inspect(db.engine).get_columns("bag_addresses")} == {
            "postcode", "house_number", "street", "place", "latitude", "longitude", "loaded_at"}
        pk = inspect(db.engine).get_pk_constraint("bag_addresses")["constrained_columns"]
        assert pk == ["postcode", "house_number"]
        assert service.address_list_info(db, ids.users["beheer"]) == AddressListInfo(0, None)  # empty again
    finally:
        db.dispose()

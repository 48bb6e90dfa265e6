"""Issue 15: postcode + house number -> street and place, behind one interface (baliedesk.addresses):
PDOK's Locatieserver (against a local fake server on 127.0.0.1, never the internet), the
municipality's own list loaded into the database with ``python -m baliedesk addresses import``
(both backends) and asked through the client, and the older per-PC CSV copy."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baliedesk import addresses
from baliedesk.addresses import (
    Address,
    AddressLookupFailed,
    AutoLookup,
    CsvLookup,
    DatabaseLookup,
    NoAddressList,
    PdokLookup,
)


class FakePdok(BaseHTTPRequestHandler):
    seen: list[dict] = []
    broken = False

    def do_GET(self):  # noqa: N802
        url = urlparse(self.path)
        q = parse_qs(url.query)
        FakePdok.seen.append({"path": url.path, **{k: v[0] for k, v in q.items()}})
        if FakePdok.broken:
            self.send_response(500)
            self.end_headers()
            return
        docs = []
        if q.get("q", [""])[0] == "postcode:9919AH and huisnummer:1":
            docs = [{"straatnaam": "Stationsweg", "huisnummer": 1, "postcode": "9919AH",
                     "woonplaatsnaam": "Loppersum", "centroide_ll": "POINT(6.74812 53.33291)"}]
        body = json.dumps({"response": {"numFound": len(docs), "docs": docs}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def pdok():
    server = HTTPServer(("127.0.0.1", 0), FakePdok)
    FakePdok.seen, FakePdok.broken = [], False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/bzk/locatieserver/search/v3_1"
    server.shutdown()
    server.server_close()


def test_pdok_fills_street_place_and_coordinates(pdok):
    found = PdokLookup(pdok).find("9919ah", "1")
    assert found == Address("Stationsweg", 1, "9919 AH", "Loppersum", 53.33291, 6.74812)
    assert FakePdok.seen[-1]["path"].endswith("/free") and FakePdok.seen[-1]["fq"] == "type:adres"
    assert PdokLookup(pdok).find("9919 AH", 2) is None
    assert PdokLookup(pdok).find("99", 1) is None and len(FakePdok.seen) == 2  # half a postcode: no request


def test_pdok_failure_is_typed(pdok):
    FakePdok.broken = True
    with pytest.raises(AddressLookupFailed):
        PdokLookup(pdok).find("9919AH", 1)
    with pytest.raises(AddressLookupFailed):  # nobody listening
        PdokLookup("http://127.0.0.1:9", timeout_s=0.5).find("9919AH", 1)


CSV = "postcode;huisnummer;straat;woonplaats;lat;lon\n9919 AH;1;Stationsweg;Loppersum;53,33291;6,74812\n" \
      "9919AB;12;Hoofdstraat;Loppersum;;\n"


def test_the_older_per_pc_csv_still_works(tmp_path, monkeypatch):
    """Existing installations keep their imported copy (the fallback of ``auto`` without a database list)."""
    monkeypatch.setenv("BALIEDESK_CONFIG_DIR", str(tmp_path / "cfg"))
    source = tmp_path / "bag.csv"
    source.write_text(CSV, encoding="utf-8")
    assert addresses.import_csv(source) == 2
    lookup = addresses.lookup_from({})  # auto, no client: the imported file
    assert isinstance(lookup, CsvLookup)
    assert lookup.find("9919ab", "12") == Address("Hoofdstraat", 12, "9919 AB", "Loppersum")
    assert lookup.find("9919AH", 1).latitude == pytest.approx(53.33291)
    assert lookup.find("9919AH", 3) is None


def test_import_command_loads_the_database(backend, seeded, database_url, tmp_path, monkeypatch, capsys):
    from baliedesk.cli import main
    from baliedesk.services import addresses as service

    monkeypatch.setenv("BALIEDESK_CONFIG_DIR", str(tmp_path / "cfg"))
    source = tmp_path / "bag.csv"
    source.write_text(CSV, encoding="utf-8")
    assert main(["addresses", "import", str(source), "--database-url", database_url]) == 0
    assert "2 adressen geladen" in capsys.readouterr().out
    assert not addresses.imported_path().exists()  # no per-PC copy any more: the database holds the list
    anne = seeded.users["anne"]
    assert service.find_address(backend, anne, "9919ab", 12) == Address("Hoofdstraat", 12, "9919 AB", "Loppersum")
    found = service.find_address(backend, anne, "9919 AH", 1)
    assert (found.latitude, found.longitude) == (pytest.approx(53.33291), pytest.approx(6.74812))
    info = service.address_list_info(backend, seeded.users["beheer"])
    assert info.count == 2 and info.loaded_at is not None
    # a second file replaces the list whole
    source.write_text("postcode,huisnummer,straat,woonplaats\n9919AB,14,Hoofdstraat,Loppersum\n", encoding="utf-8")
    assert main(["addresses", "import", str(source), "--database-url", database_url, "--user", "beheer"]) == 0
    assert "1 adres geladen" in capsys.readouterr().out
    assert service.find_address(backend, anne, "9919AB", 12) is None
    assert service.find_address(backend, anne, "9919AB", 14).street == "Hoofdstraat"


def test_a_wrong_csv_is_refused_whole_and_the_database_keeps_its_list(backend, seeded, database_url, tmp_path,
                                                                      capsys):
    from baliedesk.cli import main
    from baliedesk.services import addresses as service

    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(CSV, encoding="utf-8")
    bad.write_text("postcode,huisnummer,straat,woonplaats\n9919AH,1,Stationsweg,Loppersum\n12,2,X,Y\n")
    assert main(["addresses", "import", str(good), "--database-url", database_url]) == 0
    assert main(["addresses", "import", str(bad), "--database-url", database_url]) == 1
    assert "Regel 3" in capsys.readouterr().err
    missing = tmp_path / "nocol.csv"
    missing.write_text("postcode,nummer\n")
    assert main(["addresses", "import", str(missing), "--database-url", database_url]) == 1
    assert "huisnummer" in capsys.readouterr().err
    empty = tmp_path / "empty.csv"
    empty.write_text("postcode,huisnummer,straat,woonplaats\n")
    assert main(["addresses", "import", str(empty), "--database-url", database_url]) == 1
    assert "geen adressen" in capsys.readouterr().err
    assert main(["addresses", "import", str(tmp_path / "nowhere.csv"), "--database-url", database_url]) == 1
    assert main(["addresses", "import", str(good), "--database-url", database_url, "--user", "anne"]) == 1
    assert "beheerder" in capsys.readouterr().err  # a clerk is no beheerder
    assert service.address_list_info(backend, seeded.users["beheer"]).count == 2  # the earlier list is kept
    assert service.find_address(backend, seeded.users["anne"], "9919AB", 12) is not None


def test_import_into_a_database_without_a_beheerder_is_refused(backend, database_url, tmp_path, capsys):
    from baliedesk.cli import main

    source = tmp_path / "bag.csv"
    source.write_text(CSV, encoding="utf-8")
    assert main(["addresses", "import", str(source), "--database-url", database_url]) == 1
    assert "geen beheerder" in capsys.readouterr().err
    with backend.unit_of_work() as uow:
        assert uow.addresses.summary() == (0, None)


def test_configured_lookup(tmp_path, monkeypatch):
    monkeypatch.setenv("BALIEDESK_CONFIG_DIR", str(tmp_path))
    assert addresses.lookup_from({}) is None  # auto without a client or a file: none
    assert isinstance(addresses.lookup_from({"address_lookup": "pdok"}), PdokLookup)
    assert addresses.lookup_from({"address_lookup": "none"}) is None
    assert addresses.lookup_from({"address_lookup": "database"}) is None  # no client: nothing to ask
    client = FakeClient(count=3)
    assert isinstance(addresses.lookup_from({"address_lookup": "database"}, client), DatabaseLookup)
    assert isinstance(addresses.lookup_from({"address_lookup": "auto"}, client), AutoLookup)
    assert isinstance(addresses.lookup_from({"address_lookup": "pdok"}, client), PdokLookup)
    assert addresses.lookup_from({"address_lookup": "none"}, client) is None
    assert client.calls == []  # choosing asks nothing (it runs on the window's thread)
    with pytest.raises(AddressLookupFailed):  # csv chosen but never imported
        addresses.lookup_from({"address_lookup": "csv"}).find("9919AH", 1)


class FakeClient:
    """``client.addresses`` as the windows see it, counting the calls."""

    def __init__(self, count: int = 0, fail: Exception | None = None) -> None:
        self.count, self.fail, self.calls = count, fail, []
        self.addresses = self

    def address_list_info(self):
        from baliedesk.services.addresses import AddressListInfo

        self.calls.append("info")
        if self.fail is not None:
            raise self.fail
        return AddressListInfo(self.count, None)

    def find_address(self, postcode, house_number):
        self.calls.append(("find", postcode, house_number))
        if self.fail is not None:
            raise self.fail
        return Address("Hoofdstraat", house_number, postcode, "Loppersum") if house_number == 12 else None


def test_database_lookup_asks_the_client_and_types_its_failure():
    from baliedesk.domain.errors import DatabaseUnavailable, StorageUnavailable

    client = FakeClient()
    lookup = DatabaseLookup(client)
    assert lookup.find("9919ab", " 12") == Address("Hoofdstraat", 12, "9919 AB", "Loppersum")
    assert client.calls == [("find", "9919 AB", 12)]  # normalised before it crosses
    assert lookup.find("9919", 12) is None and lookup.find("9919AB", "12a") is None
    assert len(client.calls) == 1  # half a postcode: nothing asked
    for fault in (StorageUnavailable("server unreachable"), DatabaseUnavailable("down")):
        client.fail = fault
        with pytest.raises(AddressLookupFailed):
            lookup.find("9919AB", 12)


def test_auto_asks_once_then_uses_the_database_else_the_csv_else_nothing(tmp_path, monkeypatch):
    from baliedesk.domain.errors import StorageUnavailable

    monkeypatch.setenv("BALIEDESK_CONFIG_DIR", str(tmp_path / "cfg"))
    client = FakeClient(count=2)
    lookup = addresses.lookup_from({}, client)
    assert lookup.find("9919AB", 12).street == "Hoofdstraat"
    assert lookup.find("9919AB", 13) is None
    assert client.calls.count("info") == 1  # asked once, on the first look-up

    empty = FakeClient(count=0)
    lookup = addresses.lookup_from({}, empty)
    with pytest.raises(NoAddressList):  # no list anywhere: the intake says nothing
        lookup.find("9919AB", 12)
    assert issubclass(NoAddressList, AddressLookupFailed)

    source = tmp_path / "bag.csv"
    source.write_text(CSV, encoding="utf-8")
    addresses.import_csv(source)  # an older installation's own copy
    lookup = addresses.lookup_from({}, FakeClient(count=0))
    assert lookup.find("9919AB", 12) == Address("Hoofdstraat", 12, "9919 AB", "Loppersum")
    assert isinstance(lookup.chosen, CsvLookup)

    down = FakeClient(count=5, fail=StorageUnavailable("server unreachable"))
    lookup = addresses.lookup_from({}, down)
    with pytest.raises(AddressLookupFailed):
        lookup.find("9919AB", 12)
    down.fail = None  # undecided until the database answers: asked again
    assert lookup.find("9919AB", 12).street == "Hoofdstraat"
    assert isinstance(lookup.chosen, DatabaseLookup) and down.calls.count("info") == 2


@given(st.text(max_size=300))
def test_whatever_read_csv_accepts_the_database_accepts(text):
    """Hostile files: read_csv refuses with a CsvProblem or gives addresses that replace_addresses
    takes as they are (the command line never fails halfway with another error)."""
    from baliedesk.services.addresses import _checked_rows

    try:
        found = addresses.read_csv("postcode,huisnummer,straat,woonplaats,lat,lon\n" + text)
    except addresses.CsvProblem:
        return
    rows = _checked_rows(found)
    assert len(rows) == len({(a.postcode, a.house_number) for a in found})


@given(st.text(max_size=12))
def test_postcode_normalising_never_crashes(text):
    result = addresses.normal_postcode(text)
    assert result is None or (len(result) == 7 and result[4] == " " and result[5:].isupper())

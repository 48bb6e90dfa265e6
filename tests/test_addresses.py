"""Issue 15: postcode + house number -> street and place, behind one interface (baliedesk.addresses):
PDOK's Locatieserver (against a local fake server on 127.0.0.1, never the internet) and the
municipality's own CSV, loaded with ``python -m baliedesk addresses import``."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baliedesk import addresses
from baliedesk.addresses import Address, AddressLookupFailed, CsvLookup, PdokLookup


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


def test_csv_import_command_and_lookup(tmp_path, monkeypatch, capsys):
    from baliedesk.cli import main

    monkeypatch.setenv("BALIEDESK_CONFIG_DIR", str(tmp_path / "cfg"))
    source = tmp_path / "bag.csv"
    source.write_text(CSV, encoding="utf-8")
    assert main(["addresses", "import", str(source)]) == 0
    assert "2 adressen geladen" in capsys.readouterr().out
    lookup = addresses.lookup_from({})  # auto: the imported file
    assert isinstance(lookup, CsvLookup)
    assert lookup.find("9919ab", "12") == Address("Hoofdstraat", 12, "9919 AB", "Loppersum")
    assert lookup.find("9919AH", 1).latitude == pytest.approx(53.33291)
    assert lookup.find("9919AH", 3) is None


def test_a_wrong_csv_is_refused_whole_and_the_old_one_stays(tmp_path, monkeypatch, capsys):
    from baliedesk.cli import main

    monkeypatch.setenv("BALIEDESK_CONFIG_DIR", str(tmp_path / "cfg"))
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(CSV, encoding="utf-8")
    bad.write_text("postcode,huisnummer,straat,woonplaats\n9919AH,1,Stationsweg,Loppersum\n12,2,X,Y\n")
    assert main(["addresses", "import", str(good)]) == 0
    assert main(["addresses", "import", str(bad)]) == 1
    assert "Regel 3" in capsys.readouterr().err
    assert CsvLookup().find("9919AB", 12) is not None  # the earlier file is kept
    missing = tmp_path / "nocol.csv"
    missing.write_text("postcode,nummer\n")
    assert main(["addresses", "import", str(missing)]) == 1
    assert "huisnummer" in capsys.readouterr().err


def test_configured_lookup(tmp_path, monkeypatch):
    monkeypatch.setenv("BALIEDESK_CONFIG_DIR", str(tmp_path))
    assert addresses.lookup_from({}) is None  # auto without a file: none
    assert isinstance(addresses.lookup_from({"address_lookup": "pdok"}), PdokLookup)
    assert addresses.lookup_from({"address_lookup": "none"}) is None
    with pytest.raises(AddressLookupFailed):  # csv chosen but never imported
        addresses.lookup_from({"address_lookup": "csv"}).find("9919AH", 1)


@given(st.text(max_size=12))
def test_postcode_normalising_never_crashes(text):
    result = addresses.normal_postcode(text)
    assert result is None or (len(result) == 7 and result[4] == " " and result[5:].isupper())

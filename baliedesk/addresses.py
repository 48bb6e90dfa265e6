"""Postcode + house number -> street and place: one small interface, three implementations.

* :class:`DatabaseLookup`: the municipality's own BAG addresses in the database, loaded once
  by the beheerder with ``python -m baliedesk addresses import FILE.csv`` and asked through
  the window's client (``client.addresses.find_address``: in-process on one PC, over the
  BalieDesk server in central mode);
* :class:`PdokLookup`: the national PDOK Locatieserver (``/free``, type ``adres``), over HTTP
  with httpx and a short timeout;
* :class:`CsvLookup`: the older way, kept for existing installations: a checked copy of the CSV
  next to this PC's settings (:func:`imported_path`, written by :func:`import_csv`).

:func:`lookup_from` picks the one configured in the settings (``address_lookup``: ``auto`` —
the database's list when it holds addresses, else this PC's imported CSV when there is one,
else none —, ``database``, ``csv``, ``pdok`` or ``none``). A look-up that fails raises
:class:`AddressLookupFailed`; the intake then simply lets the clerk type on. No Qt and no
database driver here: the intake calls :meth:`AddressLookup.find` on a worker thread.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from pathlib import Path
from typing import Any, Protocol

from baliedesk.domain.addresses import NAME_MAX, Address, normal_number, normal_postcode
from baliedesk.domain.errors import StorageUnavailable, ValidationError
from baliedesk.domain.validation import check_text_argument

__all__ = ["Address", "AddressLookup", "AddressLookupFailed", "AutoLookup", "CsvLookup", "CsvProblem",
           "DatabaseLookup", "NoAddressList", "PdokLookup", "import_csv", "imported_path", "lookup_from",
           "normal_number", "normal_postcode", "read_csv", "read_file", "write_csv"]

PDOK_URL = "https://api.pdok.nl/bzk/locatieserver/search/v3_1"
_POINT = re.compile(r"POINT\(\s*([-0-9.]+)\s+([-0-9.]+)\s*\)")


class AddressLookupFailed(Exception):
    """The look-up could not answer (no network, a bad answer, an unreadable file)."""


class NoAddressList(AddressLookupFailed):
    """``auto`` found no list to look in (the database's is empty, this PC has no CSV): say nothing."""


class AddressLookup(Protocol):
    def find(self, postcode: str, house_number: str | int) -> Address | None:
        """The address, None when it does not exist; AddressLookupFailed when the look-up cannot answer."""


class PdokLookup:
    """PDOK Locatieserver: ``GET {base}/free?q=postcode:9919AH and huisnummer:1&fq=type:adres``."""

    def __init__(self, base_url: str = PDOK_URL, *, timeout_s: float = 3.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s

    def find(self, postcode: str, house_number: str | int) -> Address | None:
        import httpx

        pc, number = normal_postcode(postcode), normal_number(house_number)
        if pc is None or number is None:
            return None
        params = {"q": f"postcode:{pc.replace(' ', '')} and huisnummer:{number}", "fq": "type:adres", "rows": "5",
                  "fl": "straatnaam,huisnummer,postcode,woonplaatsnaam,centroide_ll,huisletter,toevoeging"}
        try:
            answer = httpx.get(f"{self.base_url}/free", params=params, timeout=self.timeout_s)
            answer.raise_for_status()
            docs = answer.json()["response"]["docs"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise AddressLookupFailed(str(exc)) from exc
        for doc in docs if isinstance(docs, list) else ():
            if not isinstance(doc, dict) or normal_postcode(str(doc.get("postcode", ""))) != pc:
                continue
            if normal_number(doc.get("huisnummer", "")) != number:
                continue
            lat = lon = None
            point = _POINT.search(str(doc.get("centroide_ll", "")))
            if point:
                lon, lat = float(point.group(1)), float(point.group(2))
            street, place = str(doc.get("straatnaam", "")).strip(), str(doc.get("woonplaatsnaam", "")).strip()
            if street and place:
                return Address(street, number, pc, place, lat, lon)
        return None


#: The columns of the beheerder's CSV (Dutch names as in a BAG export; separator , or ;).
CSV_COLUMNS = ("postcode", "huisnummer", "straat", "woonplaats")
CSV_OPTIONAL = ("lat", "lon")


class CsvProblem(ValueError):
    """What is wrong with an address file: ``line`` (1 = the header) and a Dutch sentence."""

    def __init__(self, line: int, text: str) -> None:
        super().__init__(f"regel {line}: {text}")
        self.line, self.text = line, text


def _rows(reader: Any) -> Any:
    """The reader's rows; what the csv module cannot read at all is a CsvProblem naming its line."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise CsvProblem(max(reader.line_num, 1), "deze regel is geen geldige CSV.") from None
        yield row


def read_csv(text: str) -> list[Address]:
    """Every address of a CSV (header ``postcode,huisnummer,straat,woonplaats[,lat,lon]``).
    Raises CsvProblem naming the first wrong line; nothing half-read is ever used."""
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    rows = _rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header = [h.strip().lower().lstrip("\ufeff") for h in next(rows, [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise CsvProblem(1, "de kolom {col} ontbreekt. Nodig: {cols}.".format(
            col=missing[0], cols=", ".join(CSV_COLUMNS)))
    at = {name: header.index(name) for name in (*CSV_COLUMNS, *CSV_OPTIONAL) if name in header}
    out: list[Address] = []
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise CsvProblem(line, "er ontbreken waarden.")
        pc, number = normal_postcode(row[at["postcode"]]), normal_number(row[at["huisnummer"]])
        street, place = row[at["straat"]].strip(), row[at["woonplaats"]].strip()
        if pc is None:
            raise CsvProblem(line, f"{row[at['postcode']]!r} is geen postcode.")
        if number is None:
            raise CsvProblem(line, f"{row[at['huisnummer']]!r} is geen huisnummer.")
        if not street or not place or len(street) > NAME_MAX or len(place) > NAME_MAX:
            raise CsvProblem(line, "straat of woonplaats is leeg of te lang.")
        try:
            check_text_argument(street, "street")
            check_text_argument(place, "place")
        except ValidationError:
            raise CsvProblem(line, "straat of woonplaats bevat een teken dat niet kan.") from None
        lat = lon = None
        if "lat" in at and "lon" in at and row[at["lat"]].strip() and row[at["lon"]].strip():
            try:
                lat, lon = float(row[at["lat"]].replace(",", ".")), float(row[at["lon"]].replace(",", "."))
            except ValueError:
                raise CsvProblem(line, "lat of lon is geen getal.") from None
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise CsvProblem(line, "lat of lon ligt buiten de aarde.")
        out.append(Address(street, number, pc, place, lat, lon))
    return out


def write_csv(addresses: list[Address]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*CSV_COLUMNS, *CSV_OPTIONAL])
    for a in addresses:
        w.writerow([a.postcode, a.house_number, a.street, a.place,
                    "" if a.latitude is None else a.latitude, "" if a.longitude is None else a.longitude])
    return buf.getvalue()


def imported_path() -> Path:
    """Where ``addresses import`` keeps the checked copy: beside this PC's settings.json."""
    from baliedesk.settings import config_path

    return config_path().parent / "adressen.csv"


def read_file(source: Path) -> list[Address]:
    """Every address of the CSV file ``source`` (UTF-8, else Latin-1), checked completely
    (:func:`read_csv`: CsvProblem for the first wrong line); OSError when it cannot be read."""
    try:
        text = Path(source).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = Path(source).read_text(encoding="latin-1")
    return read_csv(text)


def import_csv(source: Path, target: Path | None = None) -> int:
    """The older per-PC way: check ``source`` completely, then replace this PC's kept copy at once
    (never half). How many addresses. ``addresses import`` now loads the database instead."""
    addresses = read_file(source)
    target = target or imported_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(write_csv(addresses), encoding="utf-8")
    tmp.replace(target)
    return len(addresses)


class CsvLookup:
    """The municipality's own addresses, read once (on the first look-up) from the imported CSV."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or imported_path()
        self._index: dict[tuple[str, int], Address] | None = None
        self._lock = threading.Lock()

    def find(self, postcode: str, house_number: str | int) -> Address | None:
        pc, number = normal_postcode(postcode), normal_number(house_number)
        if pc is None or number is None:
            return None
        with self._lock:
            if self._index is None:
                try:
                    found = read_csv(self.path.read_text(encoding="utf-8"))
                except (OSError, CsvProblem) as exc:
                    raise AddressLookupFailed(str(exc)) from exc
                self._index = {(a.postcode, a.house_number): a for a in found}
        return self._index.get((pc, number))


class DatabaseLookup:
    """The municipality's list in the database, through the window's client (``client.addresses``):
    in-process on one PC, over the BalieDesk server in central mode. Call it on a worker thread."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def find(self, postcode: str, house_number: str | int) -> Address | None:
        pc, number = normal_postcode(postcode), normal_number(house_number)
        if pc is None or number is None:
            return None
        try:
            return self.client.addresses.find_address(pc, number)
        except StorageUnavailable as exc:  # the database or the server does not answer now
            raise AddressLookupFailed(str(exc)) from exc


class AutoLookup:
    """``address_lookup = auto`` with a client: on the first :meth:`find` (a worker thread, never
    the window's constructor) it asks once whether the database holds addresses; then it looks
    there, else in this PC's imported CSV, else nowhere (:class:`NoAddressList`)."""

    _UNDECIDED = object()

    def __init__(self, client: Any, csv_path: Path | None = None) -> None:
        self.client = client
        self.csv_path = csv_path
        self._chosen: Any = self._UNDECIDED
        self._lock = threading.Lock()

    @property
    def chosen(self) -> AddressLookup | None:
        """The look-up decided on (None: none); AddressLookupFailed while the database cannot say."""
        with self._lock:
            if self._chosen is self._UNDECIDED:
                try:
                    count = self.client.addresses.address_list_info().count
                except StorageUnavailable as exc:  # undecided: ask again at the next look-up
                    raise AddressLookupFailed(str(exc)) from exc
                if count > 0:
                    self._chosen = DatabaseLookup(self.client)
                else:
                    path = self.csv_path or imported_path()
                    self._chosen = CsvLookup(path) if path.is_file() else None
            return self._chosen

    def find(self, postcode: str, house_number: str | int) -> Address | None:
        chosen = self.chosen
        if chosen is None:
            raise NoAddressList("no address list in the database nor on this PC")
        return chosen.find(postcode, house_number)


def lookup_from(settings: Any, client: Any = None) -> AddressLookup | None:
    """The look-up configured in the settings (``address_lookup``, ``address_pdok_url``); None: none.

    ``client``: the window's door (``client.addresses``), for the database's list. Nothing is
    asked here (this runs on the window's thread): ``auto`` decides on its first look-up."""
    from baliedesk.settings import OPTIONS

    def setting(key: str) -> Any:
        try:
            return settings[key] if settings is not None else OPTIONS[key].default
        except KeyError:
            return OPTIONS[key].default

    kind = (setting("address_lookup") or "auto").strip().lower()
    if kind == "pdok":
        return PdokLookup(setting("address_pdok_url") or PDOK_URL)
    if kind == "database":
        return DatabaseLookup(client) if client is not None else None
    if kind == "auto" and client is not None:
        return AutoLookup(client)
    if kind == "csv" or (kind == "auto" and imported_path().is_file()):
        return CsvLookup()
    return None

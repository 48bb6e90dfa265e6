"""Postcode + house number -> street and place: one small interface, two implementations.

* :class:`PdokLookup`: the national PDOK Locatieserver (``/free``, type ``adres``), over HTTP
  with httpx and a short timeout;
* :class:`CsvLookup`: the municipality's own BAG addresses, a CSV the beheerder loads once with
  ``python -m baliedesk addresses import FILE.csv`` (checked, then kept as a normalised copy
  next to this PC's settings: :func:`imported_path`).

:func:`lookup_from` picks the one configured in the settings (``address_lookup``: ``auto`` —
the imported CSV when there is one, else none —, ``csv``, ``pdok`` or ``none``). A look-up that
fails raises :class:`AddressLookupFailed`; the intake then simply lets the clerk type on.
No Qt, no database: the intake calls :meth:`AddressLookup.find` on a worker thread.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

PDOK_URL = "https://api.pdok.nl/bzk/locatieserver/search/v3_1"
_POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s*([A-Za-z]{2})\s*$")
_NUMBER = re.compile(r"^\s*([0-9]{1,5})\s*$")
_POINT = re.compile(r"POINT\(\s*([-0-9.]+)\s+([-0-9.]+)\s*\)")


@dataclass(frozen=True)
class Address:
    street: str
    house_number: int
    postcode: str  # "1234 AB"
    place: str
    latitude: float | None = None
    longitude: float | None = None


class AddressLookupFailed(Exception):
    """The look-up could not answer (no network, a bad answer, an unreadable file)."""


class AddressLookup(Protocol):
    def find(self, postcode: str, house_number: str | int) -> Address | None:
        """The address, None when it does not exist; AddressLookupFailed when the look-up cannot answer."""


def normal_postcode(text: str) -> str | None:
    """``"9919ah"`` -> ``"9919 AH"``; None when it is no (complete) Dutch postcode."""
    m = _POSTCODE.match(text or "")
    return f"{m.group(1)} {m.group(2).upper()}" if m else None


def normal_number(value: str | int) -> int | None:
    m = _NUMBER.match(str(value))
    return int(m.group(1)) if m and int(m.group(1)) > 0 else None


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


def read_csv(text: str) -> list[Address]:
    """Every address of a CSV (header ``postcode,huisnummer,straat,woonplaats[,lat,lon]``).
    Raises CsvProblem naming the first wrong line; nothing half-read is ever used."""
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
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
        if not street or not place or len(street) > 80 or len(place) > 80:
            raise CsvProblem(line, "straat of woonplaats is leeg of te lang.")
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


def import_csv(source: Path, target: Path | None = None) -> int:
    """Check ``source`` completely, then replace the kept copy at once (never half). How many addresses."""
    try:
        text = Path(source).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = Path(source).read_text(encoding="latin-1")
    addresses = read_csv(text)
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


def lookup_from(settings: Any) -> AddressLookup | None:
    """The look-up configured in the settings (``address_lookup``, ``address_pdok_url``); None: none."""
    from baliedesk.settings import OPTIONS

    def setting(key: str) -> Any:
        try:
            return settings[key] if settings is not None else OPTIONS[key].default
        except KeyError:
            return OPTIONS[key].default

    kind = (setting("address_lookup") or "auto").strip().lower()
    if kind == "pdok":
        return PdokLookup(setting("address_pdok_url") or PDOK_URL)
    if kind == "csv" or (kind == "auto" and imported_path().is_file()):
        return CsvLookup()
    return None

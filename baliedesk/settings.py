"""Workstation options: every option declared once, with its type and default.

Stored as JSON in the user's config folder. What a municipality configures for
everyone (services, counters, norms) lives in the database, not here; this is
what one PC remembers: which database, which counter, which screen.

IT can give every user of a PC the same defaults (the server's address, set by
``msiexec ... SERVER=https://...``): values under the registry key
``HKEY_LOCAL_MACHINE\\SOFTWARE\\BalieDesk`` on Windows, ``/etc/baliedesk/settings.json``
elsewhere (``BALIEDESK_MACHINE_CONFIG`` names another file). A user's own
setting wins over such a machine default; the user's file never copies them.
"""

from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Option:
    key: str
    type: type
    default: Any
    help: str


OPTIONS: dict[str, Option] = {
    o.key: o
    for o in [
        Option("database_url", str, "", "Database URL; empty: the SQLite file in the data folder"),
        Option("server_url", str, "", "The BalieDesk server's address (central mode), e.g. https://baliedesk.example.nl;"
               " empty: none. The Windows installer sets it for every user (SERVER=...)"),
        Option("location_id", int, 0, "The location this workstation stands in (0: the first)"),
        Option("counter_id", int, 0, "The counter this PC is, remembered between starts"),
        Option("user_id", int, 0, "The person last signed in here"),
        Option("kiosk_user", str, "kiosk-ingang", "The device account the kiosk issues tickets as"),
        Option("display_user", str, "scherm-hal", "The device account the hall screen reads as"),
        Option("heartbeat_s", int, 30, "How often a counter tells it is still alive"),
        Option("lock_after_min", int, 10, "Counter: lock after this many minutes without key or mouse (0: never)"),
        Option("counter_compact", bool, False, "Counter: the small always-on-top bar instead of the window (Ctrl+M)"),
        Option("server_ca_file", str, "", "Central mode: the municipality's own CA certificate file; empty: system CAs"),
        Option("language", str, "", "Language of the screens; empty: Dutch"),
        # The hall screen (wachtrijscherm); the location name comes from the database.
        Option("display_screen", int, 0, "Hall screen: the monitor it fills (0: the first); --screen overrides"),
        Option("display_color", str, "#0B4F8A", "Hall screen: the municipality's colour (#RRGGBB) for the top bar"),
        Option("display_logo", str, "", "Hall screen: path to the municipality's logo (PNG or SVG); empty: none"),
        Option("display_message", str, "", "Hall screen: the message line at the bottom; empty: a standard welcome"),
        Option("display_recent_calls", int, 6, "Hall screen: how many earlier calls are listed (0 to 10)"),
        Option("display_highlight_s", int, 8, "Hall screen: how long a new call stays highlighted, in seconds"),
        Option("display_together_s", int, 20,
               "Hall screen: every call of the last N seconds stays large, side by side (1 to 600)"),
        Option("display_chime", bool, True, "Hall screen: play a chime on every call (where there is audio)"),
        Option("display_speech", bool, False, "Hall screen: also say the number aloud in Dutch (where a voice exists)"),
        # Printed slips (baliedesk.printing): this workstation's printer and paper ...
        Option("printer_type", str, "none", "Slips: none | system (CUPS/Windows spooler) | escpos_network | escpos_usb"
               " | escpos_serial | escpos_file | pdf_folder"),
        Option("printer_name", str, "", "Slips: the system printer's name; empty: the system's default printer"),
        Option("printer_paper", str, "80mm", "Slips: 80mm (receipt roll) | A5 | A4"),
        Option("printer_escpos_target", str, "", "Slips, ESC/POS: host[:port], usb vendor:product (0x04b8:0x0e15),"
               " serial device or file path"),
        Option("printer_pdf_folder", str, "", "Slips: folder that pdf_folder printing saves into; empty: Documents"),
        # ... and the municipality's branding on every slip.
        Option("address_lookup", str, "auto", "Meldingen: postcode + house number fill in street and place: auto (the "
               "database's address list when it holds addresses, else this PC's older imported CSV when there is "
               "one, else none) | database (the list loaded with python -m baliedesk addresses import) | csv (this "
               "PC's older imported copy) | pdok | none"),
        Option("address_pdok_url", str, "https://api.pdok.nl/bzk/locatieserver/search/v3_1",
               "Meldingen: the PDOK Locatieserver's address (address_lookup = pdok)"),
        Option("slip_municipality", str, "", "Slips: the municipality's name at the top; empty: the location's name"),
        Option("slip_logo", str, "", "Slips: path to a PNG or JPEG logo; empty: display_logo when that is one, else none"),
        Option("slip_color", str, "#0B4F8A", "Slips: the municipality's colour (#RRGGBB) for lines and headings"),
        Option("slip_address", str, "", "Slips: the visiting address, one line"),
        Option("slip_phone", str, "", "Slips: the phone number for questions and cancelling"),
        Option("slip_website", str, "", "Slips: the website for appointments (cancel or move)"),
        Option("slip_tracking_url", str, "", "Slips: web address to follow a melding; {code} is the tracking code"),
    ]
}


#: A settings file is a few kilobytes; anything much larger is not ours.
MAX_FILE_BYTES = 1_000_000
_INVALID = object()


def _read(path: Path) -> dict[str, Any] | None:
    """The file's options, or None when it is missing, unreadable, damaged or hostile (logged).

    Never raises: deeply nested JSON (RecursionError), numbers beyond a float
    (``1e400`` parses as infinity and is refused per option), bytes that are no
    UTF-8, a file too big to be settings: the workstation starts with defaults.
    """
    try:
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("ignoring unreadable settings %s: %s", path, exc)
        return None
    if len(data) > MAX_FILE_BYTES:
        log.warning("ignoring settings %s: larger than %d bytes", path, MAX_FILE_BYTES)
        return None
    try:
        raw = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # a damaged file must not stop the counter
        log.warning("ignoring damaged settings %s: %s", path, str(exc)[:200])
        return None
    if not isinstance(raw, dict):
        log.warning("ignoring settings %s: not a JSON object", path)
        return None
    return raw


def _coerce(option: Option, value: Any) -> Any:
    """``value`` as the option's type, or ``_INVALID``. Only lossless conversions: "30" and 30.0
    are 30, but 1e400, 30.5, true (for a number), [1] or {} are not a number of seconds."""
    if option.type is bool:
        return value if isinstance(value, bool) else _INVALID
    if option.type is int:
        if isinstance(value, bool):
            return _INVALID
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            return int(value) if math.isfinite(value) and value.is_integer() else _INVALID
        digits = value.strip().lstrip("+-") if isinstance(value, str) else ""
        if digits.isascii() and digits.isdigit() and len(digits) < 19:
            return int(value.strip())
        return _INVALID
    if option.type is str:
        return value if isinstance(value, str) else _INVALID
    return _INVALID


def config_path() -> Path:
    override = os.environ.get("BALIEDESK_CONFIG_DIR")
    base = Path(override) if override else Path(platformdirs.user_config_dir("BalieDesk", appauthor=False))
    return base / "settings.json"


#: The registry key (under HKEY_LOCAL_MACHINE) the Windows installer writes machine-wide defaults to.
MACHINE_REGISTRY_KEY = r"SOFTWARE\BalieDesk"


def machine_config_path() -> Path:
    override = os.environ.get("BALIEDESK_MACHINE_CONFIG")
    return Path(override) if override else Path("/etc/baliedesk/settings.json")


def machine_defaults(*, windows: bool | None = None) -> dict[str, Any]:
    """Defaults IT set for every user of this computer; only known options, never an error."""
    values: dict[str, Any] = {}
    if windows is None:
        windows = os.name == "nt" and not os.environ.get("BALIEDESK_MACHINE_CONFIG")
    if windows:
        values = _registry_values()
    else:
        try:
            raw = json.loads(machine_config_path().read_text(encoding="utf-8"))
            values = raw if isinstance(raw, dict) else {}
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable machine settings %s: %s", machine_config_path(), exc)
    return {key: value for key, value in values.items() if key in OPTIONS and value not in ("", None)}


def _registry_values() -> dict[str, Any]:
    import winreg

    values: dict[str, Any] = {}
    try:
        key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, MACHINE_REGISTRY_KEY, 0,
                             winreg.KEY_READ | winreg.KEY_WOW64_64KEY)
    except OSError:  # not set: nothing configured machine-wide
        return values
    with key:
        index = 0
        while True:
            try:
                name, value, _kind = winreg.EnumValue(key, index)
            except OSError:  # no more values
                return values
            values[name] = value
            index += 1


class Settings:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_path()
        self._values: dict[str, Any] = {}
        self._machine = machine_defaults()
        self._warned: set[str] = set()
        self._stamp = self._file_stamp()
        raw = _read(self.path)
        if raw is not None:
            self._values = raw

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def refresh(self) -> bool:
        """Read the file again when another program (the settings window of this PC) saved
        it since; True when it did. For windows that never write settings themselves (the
        kiosk): anything set here and not saved would be replaced."""
        stamp = self._file_stamp()
        if stamp is None or stamp == self._stamp:
            return False
        raw = _read(self.path)
        if raw is None:  # half written, or damaged: keep what we have
            return False
        self._values = raw
        self._stamp = stamp
        return True

    def __getitem__(self, key: str) -> Any:
        option = OPTIONS[key]
        if key in self._values:
            raw = self._values[key]
        elif key in self._machine:  # IT's default for every user of this PC
            raw = self._machine[key]
        else:
            return option.default
        value = _coerce(option, raw)
        if value is _INVALID:
            if key not in self._warned:
                self._warned.add(key)
                log.warning("settings %s: %s=%r is not a valid %s; using the default %r",
                            self.path, key, raw, option.type.__name__, option.default)
            return option.default
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        option = OPTIONS[key]
        self._values[key] = option.type(value)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._values, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(self.path)
        self._stamp = self._file_stamp()


# ---------------------------------------------------------------------------
# a kiosk's or hall screen's own token (central mode)
# ---------------------------------------------------------------------------
def device_credentials_path() -> Path:
    """Beside settings.json; readable by this account only (the token acts as the device)."""
    return config_path().with_name("device.json")


def read_device_credentials() -> dict[str, Any] | None:
    """{"server", "token", "user_id", "location_id", "role"} after ``device redeem``; None otherwise or when damaged."""
    try:
        raw = json.loads(device_credentials_path().read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("token"), str) or not isinstance(raw.get("user_id"), int):
        return None
    return raw


def write_device_credentials(values: dict[str, Any]) -> Path:
    """Write the device's token so that only this account can read it (mode 0600 where the OS has modes)."""
    path = device_credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(path.name + ".tmp")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(values, f)
    os.replace(scratch, path)
    return path

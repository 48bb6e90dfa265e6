"""Workstation options: every option declared once, with its type and default.

Stored as JSON in the user's config folder. What a municipality configures for
everyone (services, counters, norms) lives in the database, not here; this is
what one PC remembers: which database, which counter, which screen.
"""

from __future__ import annotations

import json
import logging
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
        Option("location_id", int, 0, "The location this workstation stands in (0: the first)"),
        Option("counter_id", int, 0, "The counter this PC is, remembered between starts"),
        Option("user_id", int, 0, "The person last signed in here"),
        Option("kiosk_user", str, "kiosk-ingang", "The device account the kiosk issues tickets as"),
        Option("display_user", str, "scherm-hal", "The device account the hall screen reads as"),
        Option("heartbeat_s", int, 30, "How often a counter tells it is still alive"),
        Option("lock_after_min", int, 10, "Counter: lock after this many minutes without key or mouse (0: never)"),
        Option("counter_compact", bool, False, "Counter: the small always-on-top bar instead of the window (Ctrl+M)"),
        Option("server_url", str, "", "Central mode: the BalieDesk server (https://...); empty: this PC's database"),
        Option("server_ca_file", str, "", "Central mode: the municipality's own CA certificate file; empty: system CAs"),
        Option("language", str, "", "Language of the screens; empty: Dutch"),
        # The hall screen (wachtrijscherm); the location name comes from the database.
        Option("display_screen", int, 0, "Hall screen: the monitor it fills (0: the first); --screen overrides"),
        Option("display_color", str, "#0B4F8A", "Hall screen: the municipality's colour (#RRGGBB) for the top bar"),
        Option("display_logo", str, "", "Hall screen: path to the municipality's logo (PNG or SVG); empty: none"),
        Option("display_message", str, "", "Hall screen: the message line at the bottom; empty: a standard welcome"),
        Option("display_recent_calls", int, 6, "Hall screen: how many earlier calls are listed (0 to 10)"),
        Option("display_highlight_s", int, 8, "Hall screen: how long a new call stays highlighted, in seconds"),
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
        Option("slip_municipality", str, "", "Slips: the municipality's name at the top; empty: the location's name"),
        Option("slip_logo", str, "", "Slips: path to a PNG or JPEG logo; empty: display_logo when that is one, else none"),
        Option("slip_color", str, "#0B4F8A", "Slips: the municipality's colour (#RRGGBB) for lines and headings"),
        Option("slip_address", str, "", "Slips: the visiting address, one line"),
        Option("slip_phone", str, "", "Slips: the phone number for questions and cancelling"),
        Option("slip_website", str, "", "Slips: the website for appointments (cancel or move)"),
        Option("slip_tracking_url", str, "", "Slips: web address to follow a melding; {code} is the tracking code"),
    ]
}


def config_path() -> Path:
    override = os.environ.get("BALIEDESK_CONFIG_DIR")
    base = Path(override) if override else Path(platformdirs.user_config_dir("BalieDesk", appauthor=False))
    return base / "settings.json"


class Settings:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_path()
        self._values: dict[str, Any] = {}
        self._stamp = self._file_stamp()
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(raw, dict):
                self._values = raw
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as exc:  # a damaged file must not stop the counter
            log.warning("ignoring unreadable settings %s: %s", self.path, exc)

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
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:  # half written, or damaged: keep what we have
            log.warning("settings %s not read again: %s", self.path, exc)
            return False
        if not isinstance(raw, dict):
            return False
        self._values = raw
        self._stamp = stamp
        return True

    def __getitem__(self, key: str) -> Any:
        option = OPTIONS[key]
        value = self._values.get(key, option.default)
        try:
            return option.type(value)
        except (TypeError, ValueError):
            return option.default

    def __setitem__(self, key: str, value: Any) -> None:
        option = OPTIONS[key]
        self._values[key] = option.type(value)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._values, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(self.path)
        self._stamp = self._file_stamp()

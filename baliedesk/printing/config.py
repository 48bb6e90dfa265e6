"""This workstation's printer and the municipality's branding, read from the
settings (declared in :mod:`baliedesk.settings`, keys ``printer_*`` and
``slip_*``). Plain frozen objects: safe to hand to a worker thread.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baliedesk.settings import OPTIONS

PRINTER_TYPES = ("none", "system", "escpos_network", "escpos_usb", "escpos_serial", "escpos_file", "pdf_folder")
PAPERS = ("80mm", "A5", "A4")
RASTER_LOGO = (".png", ".jpg", ".jpeg", ".gif", ".bmp")


def setting(settings: Any, key: str) -> Any:
    """``settings[key]``, or the declared default when ``settings`` is None or
    does not know the key (tests pass plain dicts)."""
    if settings is not None:
        try:
            return settings[key]
        except KeyError:
            pass
    return OPTIONS[key].default


@dataclass(frozen=True)
class Branding:
    municipality: str = ""  # empty: the location's name
    logo: str = ""  # path to a PNG/JPEG; empty: none
    color: str = "#0B4F8A"
    address: str = ""
    phone: str = ""
    website: str = ""
    tracking_url: str = ""  # "{code}" replaced by the melding's tracking code
    logo_data: bytes | None = None  # the logo from the database (PNG/JPEG); wins over ``logo``

    def name(self, location_name: str) -> str:
        return self.municipality or location_name

    def tracking_link(self, code: str) -> str:
        if not self.tracking_url:
            return ""
        return self.tracking_url.replace("{code}", code) if "{code}" in self.tracking_url else self.tracking_url


@dataclass(frozen=True)
class PrinterConfig:
    type: str = "none"
    name: str = ""  # system printer; empty: the default one
    paper: str = "80mm"
    target: str = ""  # ESC/POS: host[:port], vendor:product, device or file
    pdf_folder: str = ""

    @property
    def configured(self) -> bool:
        return self.type != "none"

    @property
    def label(self) -> str:
        """How the printer is named in messages."""
        if self.type == "system":
            return self.name
        if self.type == "pdf_folder":
            return self.pdf_folder
        return self.target


def branding_from(settings: Any, details: Any = None) -> Branding:
    """What the slips print: the location's details from the database (``details``: the
    ``services.organisation_dto.Branding`` a window read once through
    ``client.organisation.branding(location_id)``). This PC's ``slip_*`` settings are only a
    fallback: for the contact details (address, phone, website, tracking page) when the database
    has none of them, for the logo when the database has no printable one. Without ``details``:
    the settings alone."""
    fallback = _branding_from_settings(settings)
    if details is None:
        return fallback
    logo_data = details.logo if details.logo and details.logo_type in PRINTABLE_LOGO_TYPES else None
    contact = (details.address, details.phone, details.website, tracking_template(details))
    if not any(contact):  # a database without the location's details: this PC's settings
        contact = (fallback.address, fallback.phone, fallback.website, fallback.tracking_url)
    address, phone, website, tracking_url = contact
    return Branding(
        municipality=details.municipality or fallback.municipality,
        logo="" if logo_data else fallback.logo,
        color=details.color or fallback.color,
        address=address, phone=phone, website=website, tracking_url=tracking_url,
        logo_data=logo_data,
    )


#: Logo types reportlab and a receipt printer can print (an SVG logo is for the screens only).
PRINTABLE_LOGO_TYPES = ("image/png", "image/jpeg")


def tracking_template(details: Any) -> str:
    """The tracking page's address with "{code}" where the melding's code goes. A base address
    without "{code}" gets the server's own path ``/volg/{code}`` (``https://x.nl`` ->
    ``https://x.nl/volg/{code}``; ``https://x.nl/volg/`` -> ``https://x.nl/volg/{code}``)."""
    template = details.tracking_link("{code}")
    if not template or "{code}" in template:
        return template
    base = template.rstrip("/")
    return f"{base}/{{code}}" if base.endswith("/volg") else f"{base}/volg/{{code}}"


class BrandingOnce:
    """The branding for one location, read once (``read``: ``client.organisation.branding``)
    and merged with the settings. Call it on a worker thread (a print bar's source does): when
    the database cannot be read, the slip is made with the settings alone and the next call tries again."""

    def __init__(self, read: Any, location_id: int, settings: Any) -> None:
        self._read, self._location_id, self._settings = read, location_id, settings
        self._branding: Branding | None = None

    def __call__(self) -> Branding:
        if self._branding is None:
            try:
                details = self._read(self._location_id)
            except Exception:  # noqa: BLE001 - a slip without the database's details beats no slip
                import logging

                logging.getLogger(__name__).warning("slip branding from the settings only", exc_info=True)
                return branding_from(self._settings)
            self._branding = branding_from(self._settings, details)
        return self._branding


def _branding_from_settings(settings: Any) -> Branding:
    logo = setting(settings, "slip_logo") or ""
    if not logo:
        display_logo = setting(settings, "display_logo") or ""
        if Path(display_logo).suffix.lower() in RASTER_LOGO:
            logo = display_logo
    return Branding(
        municipality=setting(settings, "slip_municipality"),
        logo=logo,
        color=setting(settings, "slip_color") or "#0B4F8A",
        address=setting(settings, "slip_address"),
        phone=setting(settings, "slip_phone"),
        website=setting(settings, "slip_website"),
        tracking_url=setting(settings, "slip_tracking_url"),
    )


def printer_from(settings: Any) -> PrinterConfig:
    kind = (setting(settings, "printer_type") or "none").strip().lower()
    paper = (setting(settings, "printer_paper") or "80mm").strip()
    paper = next((p for p in PAPERS if p.lower() == paper.lower()), "80mm")
    return PrinterConfig(
        type=kind if kind in PRINTER_TYPES else "none",
        name=setting(settings, "printer_name").strip(),
        paper=paper,
        target=setting(settings, "printer_escpos_target").strip(),
        pdf_folder=setting(settings, "printer_pdf_folder").strip(),
    )


# ---------------------------------------------------------------------------
# checking what a person typed in the workstation settings (pure; worded in ui/messages)
# ---------------------------------------------------------------------------
_HOSTNAME = re.compile(r"^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$")
_IPV4 = re.compile(r"^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$")
_USB_ID = re.compile(r"^(0[xX])?[0-9A-Fa-f]{1,4}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class SettingProblem(ValueError):
    """What is wrong with a printer setting. ``code``: empty, control_character,
    bad_host, bad_port, bad_usb, folder_missing, not_a_folder, folder_not_writable."""

    def __init__(self, field: str, code: str, value: str = "") -> None:
        super().__init__(f"{field}: {code}")
        self.field, self.code, self.value = field, code, value


def parse_network_target(text: str) -> tuple[str, int]:
    """``"host"`` or ``"host:port"`` (IPv6 as ``[::1]:9100``) -> (host, port); port 9100 by default."""
    value = text.strip()
    if not value:
        raise SettingProblem("printer_escpos_target", "empty")
    if _CONTROL.search(value):
        raise SettingProblem("printer_escpos_target", "control_character", value)
    if value.startswith("["):
        host, sep, rest = value[1:].partition("]")
        if not sep or not host or not re.fullmatch(r"[0-9A-Fa-f:.]+", host) or ":" not in host:
            raise SettingProblem("printer_escpos_target", "bad_host", value)
        port_text = rest[1:] if rest.startswith(":") else rest
        if rest and not rest.startswith(":"):
            raise SettingProblem("printer_escpos_target", "bad_port", value)
    else:
        host, _sep, port_text = value.partition(":")
        ipv4 = _IPV4.match(host)
        if ipv4 and not all(0 <= int(part) <= 255 for part in ipv4.groups()):
            raise SettingProblem("printer_escpos_target", "bad_host", value)
        if not ipv4 and (not _HOSTNAME.match(host) or host.replace(".", "").isdigit()):
            raise SettingProblem("printer_escpos_target", "bad_host", value)
    if port_text == "" and not value.endswith(":"):
        return host, 9100
    if not port_text.isascii() or not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise SettingProblem("printer_escpos_target", "bad_port", value)
    return host, int(port_text)


def parse_usb_target(text: str) -> tuple[int, int]:
    """``"04b8:0e15"`` or ``"0x04b8:0x0e15"`` -> (vendor, product)."""
    value = text.strip()
    if not value:
        raise SettingProblem("printer_escpos_target", "empty")
    vendor, sep, product = value.partition(":")
    if not sep or not _USB_ID.match(vendor.strip()) or not _USB_ID.match(product.strip()):
        raise SettingProblem("printer_escpos_target", "bad_usb", value)
    v, p = int(vendor.strip(), 16), int(product.strip(), 16)
    if v == 0 or p == 0:
        raise SettingProblem("printer_escpos_target", "bad_usb", value)
    return v, p


def check_escpos_target(kind: str, text: str) -> str:
    """The target in its normal form (``host:port``, ``0x04b8:0x0e15``, a device path); SettingProblem when wrong."""
    if kind == "escpos_network":
        host, port = parse_network_target(text)
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if kind == "escpos_usb":
        vendor, product = parse_usb_target(text)
        return f"0x{vendor:04x}:0x{product:04x}"
    value = text.strip()
    if not value:
        raise SettingProblem("printer_escpos_target", "empty")
    if _CONTROL.search(value):
        raise SettingProblem("printer_escpos_target", "control_character", value)
    return value


def check_pdf_folder(text: str) -> str:
    """An existing folder we may write in (empty: the default, made when first used)."""
    value = text.strip()
    if not value:
        return ""
    if _CONTROL.search(value):
        raise SettingProblem("printer_pdf_folder", "control_character", value)
    path = Path(os.path.expanduser(value))
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except (OSError, ValueError):
        raise SettingProblem("printer_pdf_folder", "folder_missing", value) from None
    if not exists:
        raise SettingProblem("printer_pdf_folder", "folder_missing", value)
    if not is_dir:
        raise SettingProblem("printer_pdf_folder", "not_a_folder", value)
    if not os.access(path, os.W_OK | os.X_OK):
        raise SettingProblem("printer_pdf_folder", "folder_not_writable", value)
    return str(path)

"""This workstation's printer and the municipality's branding, read from the
settings (declared in :mod:`baliedesk.settings`, keys ``printer_*`` and
``slip_*``). Plain frozen objects: safe to hand to a worker thread.
"""

from __future__ import annotations

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


def branding_from(settings: Any) -> Branding:
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

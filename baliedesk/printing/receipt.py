"""Receipt printers that speak ESC/POS directly (many kiosk printers), through
python-escpos. No PDF and no driver: the slip's blocks become printer commands
(text in the printer's own fonts, the number at 5x size, a native QR code, a
cut at the end), first into python-escpos's ``Dummy`` buffer, then sent to
the device in one write.

Targets (setting ``printer_escpos_target``): ``escpos_network`` ``host[:port]``
(port 9100 by default); ``escpos_usb`` ``vendor:product`` in hex
(``0x04b8:0x0e15``); ``escpos_serial`` a device (``/dev/ttyUSB0``, ``COM3``);
``escpos_file`` a device file or plain file (``/dev/usb/lp0``).
"""

from __future__ import annotations

import logging
import textwrap

from escpos import exceptions as escpos_errors
from escpos.printer import Dummy

from baliedesk.printing.config import SettingProblem, parse_network_target, parse_usb_target
from baliedesk.printing.errors import PrinterUnavailable
from baliedesk.printing.slips import BigNumber, Items, Notice, Qr, Rule, Slip, Space, Text, footer_lines

log = logging.getLogger(__name__)

COLUMNS = 48  # font A on 80 mm paper (576 dots / 12)
NETWORK_TIMEOUT_S = 5.0
STATUS_TIMEOUT_S = 1.0


def _lines(text: str, columns: int) -> list[str]:
    return textwrap.wrap(text, columns, break_long_words=True) or [""]


def _write(p: Dummy, text: str, *, columns: int = COLUMNS) -> None:
    for line in _lines(text, columns):
        p.textln(line)


def escpos_bytes(slip: Slip) -> bytes:
    """The slip as ESC/POS commands (deterministic; no device needed)."""
    p = Dummy()
    p.hw("INIT")
    p.set_with_default(align="center", bold=True, double_height=True, double_width=True)
    _write(p, slip.branding.name(slip.location_name), columns=COLUMNS // 2)
    p.set_with_default(align="center")
    p.textln("=" * COLUMNS)
    for b in slip.blocks:
        if isinstance(b, Text):
            big = b.size in ("large", "huge")
            p.set_with_default(align="center" if b.center else "left", bold=b.bold,
                               double_height=big, double_width=b.size == "huge")
            _write(p, b.text, columns=COLUMNS // 2 if b.size == "huge" else COLUMNS)
        elif isinstance(b, BigNumber):
            scale = max(2, min(6, COLUMNS // max(1, len(b.text))))
            p.set_with_default(align="center", bold=True, custom_size=True, width=scale, height=scale)
            p.textln(b.text)
        elif isinstance(b, Notice):
            p.set_with_default(align="center", bold=True)
            p.textln("-" * COLUMNS)
            _write(p, b.text)
            p.textln("-" * COLUMNS)
        elif isinstance(b, Items):
            p.set_with_default(align="left", bold=True)
            _write(p, b.title)
            p.set_with_default(align="left")
            for item in b.items:
                for i, line in enumerate(_lines(item, COLUMNS - 2)):
                    p.textln(("- " if i == 0 else "  ") + line)
        elif isinstance(b, Qr):
            p.set_with_default(align="center")
            p.qr(b.data, size=7, native=True)
            if b.caption:
                _write(p, b.caption)
        elif isinstance(b, Rule):
            p.set_with_default(align="center")
            p.textln("-" * COLUMNS)
        elif isinstance(b, Space):
            p.ln(1 if b.mm < 4 else 2)
    footer = footer_lines(slip.branding)
    if footer:
        p.set_with_default(align="center")
        p.ln()
        for line in footer:
            _write(p, line)
    p.set_with_default()
    p.cut()
    return p.output


def _device(kind: str, target: str):
    from escpos import printer as devices

    if not target and kind != "escpos_usb":
        raise PrinterUnavailable(target, "missing", "no ESC/POS target set")
    if kind == "escpos_network":
        try:
            host, port = parse_network_target(target)
        except SettingProblem as exc:
            raise PrinterUnavailable(target, "missing", f"network target must be host[:port] ({exc.code})") from exc
        return devices.Network(host, port, timeout=NETWORK_TIMEOUT_S)
    if kind == "escpos_usb":
        try:
            vendor, product = parse_usb_target(target)
        except SettingProblem as exc:
            raise PrinterUnavailable(target, "missing", "USB target must be vendor:product in hex") from exc
        return devices.Usb(vendor, product, timeout=int(NETWORK_TIMEOUT_S * 1000))
    if kind == "escpos_serial":
        return devices.Serial(target)
    if kind == "escpos_file":
        return devices.File(target)
    raise PrinterUnavailable(target, "missing", f"not an ESC/POS printer type: {kind}")


def _paper_out(dev) -> bool:
    """True when the printer says its paper is out; False when fine or it cannot tell."""
    try:
        sock = getattr(dev, "device", None)
        if hasattr(sock, "settimeout"):
            sock.settimeout(STATUS_TIMEOUT_S)
        return dev.paper_status() == 0
    except Exception:  # noqa: BLE001 - many printers cannot report; then just print
        return False
    finally:
        if hasattr(getattr(dev, "device", None), "settimeout"):
            dev.device.settimeout(NETWORK_TIMEOUT_S)


def send(data: bytes, kind: str, target: str) -> None:
    """Send ESC/POS ``data`` to the configured device; PrinterUnavailable when it cannot take it."""
    dev = _device(kind, target)
    try:
        dev.open(raise_not_found=True)
    except escpos_errors.USBNotFoundError as exc:
        raise PrinterUnavailable(target, "missing", str(exc)) from exc
    except escpos_errors.DeviceNotFoundError as exc:
        reason = "offline" if kind == "escpos_network" else "missing"
        raise PrinterUnavailable(target, reason, str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - pyusb/pyserial errors vary per platform
        raise PrinterUnavailable(target, "offline", f"{type(exc).__name__}: {exc}") from exc
    try:
        if kind in ("escpos_network", "escpos_usb", "escpos_serial") and _paper_out(dev):
            raise PrinterUnavailable(target, "out_of_paper", "the printer reports no paper")
        dev._raw(data)
        if hasattr(dev, "flush"):
            dev.flush()
    except PrinterUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken connection mid-job
        raise PrinterUnavailable(target, "offline", f"{type(exc).__name__}: {exc}") from exc
    finally:
        try:
            dev.close()
        except Exception:  # noqa: BLE001
            log.debug("closing ESC/POS device failed", exc_info=True)

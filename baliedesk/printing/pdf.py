"""Slips as PDF, drawn with reportlab (no Qt): 80 mm receipt rolls, A5 and A4.

An 80 mm slip is one page exactly as long as its content (receipt printers cut
where the page ends); A5 and A4 are ordinary pages with wider margins that
break onto a next page if ever needed. Output is deterministic (reportlab's
invariant mode: no creation date, no random document id), so the same data
gives the same bytes and the golden tests can compare pictures.
"""

from __future__ import annotations

import functools
import io
import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reportlab import rl_config
from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from baliedesk.printing import fonts
from baliedesk.printing.config import PAPERS, RASTER_LOGO
from baliedesk.printing.slips import BigNumber, Items, Notice, Qr, Rule, Slip, Space, Text, footer_lines

log = logging.getLogger(__name__)

# Binary (zlib only) streams instead of zlib + ASCII85: a quarter smaller and no
# pure-Python ASCII85 pass over every font subset and page (about 1 ms a slip).
# Process-wide reportlab setting; BalieDesk is its only user and PDFs may be binary.
rl_config.useA85 = 0

INK = colors.HexColor("#111111")
GREY = colors.HexColor("#444444")


@dataclass(frozen=True)
class Paper:
    name: str
    width: float  # points
    height: float | None  # None: as long as the content (receipt roll)
    margin: float
    sizes: dict[str, float]
    big_max: float
    qr: float
    logo_h: float


PAPER_SPECS = {
    "80mm": Paper("80mm", 80 * mm, None, 4 * mm, {"small": 8.5, "normal": 10, "large": 13, "huge": 20}, 72, 30 * mm,
                  12 * mm),
    "A5": Paper("A5", 148 * mm, 210 * mm, 12 * mm, {"small": 9.5, "normal": 11, "large": 14, "huge": 22}, 96,
                30 * mm, 13 * mm),
    "A4": Paper("A4", 210 * mm, 297 * mm, 20 * mm, {"small": 10, "normal": 12, "large": 17, "huge": 28}, 120,
                40 * mm, 18 * mm),
}
assert set(PAPER_SPECS) == set(PAPERS)

LEADING = 1.25


@dataclass
class _Op:
    height: float
    draw: Callable[[Canvas, float, float, float], None]  # canvas, x, y_top, width


def _color(value: str) -> colors.Color:
    try:
        return colors.HexColor(value)
    except (ValueError, TypeError):
        return colors.HexColor("#0B4F8A")


_logo_lock = threading.Lock()
_logos: dict[tuple[str, float], ImageReader | None] = {}


def _logo_of(branding) -> ImageReader | None:
    """The database's logo (bytes) when there is one, else the settings' file."""
    if branding.logo_data:
        return _logo_bytes(branding.logo_data)
    return _logo(branding.logo)


_logo_blobs: dict[bytes, ImageReader | None] = {}


def _logo_bytes(data: bytes) -> ImageReader | None:
    import hashlib

    key = hashlib.sha256(data).digest()
    with _logo_lock:
        if key not in _logo_blobs:
            try:
                reader = ImageReader(io.BytesIO(data))
                reader.getSize()
            except Exception as exc:  # noqa: BLE001 - a bad logo must not stop a ticket
                log.warning("slip logo from the database unreadable: %s", exc)
                reader = None
            _logo_blobs[key] = reader
        return _logo_blobs[key]


def _logo(path: str) -> ImageReader | None:
    """The logo, read once per file version; None (and a log line) when unusable."""
    if not path:
        return None
    p = Path(path)
    try:
        key = (str(p), p.stat().st_mtime)
    except OSError:
        log.warning("slip logo %s not found", path)
        return None
    with _logo_lock:
        if key not in _logos:
            reader = None
            if p.suffix.lower() in RASTER_LOGO:
                try:
                    reader = ImageReader(str(p))
                    reader.getSize()
                except Exception as exc:  # noqa: BLE001 - a bad logo must not stop a ticket
                    log.warning("slip logo %s unreadable: %s", path, exc)
                    reader = None
            else:
                log.warning("slip logo %s: only PNG or JPEG can be printed", path)
            _logos[key] = reader
        return _logos[key]


QR_LEVEL = "M"
QR_BORDER = 4  # modules of quiet zone on every side (the QR standard's minimum)


@functools.lru_cache(maxsize=512)
def qr_runs(data: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """The QR code of ``data`` as (module count, dark runs (row, first column, length)).

    Encoding (and choosing the best mask of eight) is the slow part of a QR code;
    a code's picture never changes, so it is made once per text per process."""
    qr = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, QR_LEVEL))
    qr.addData(data)
    qr.make()
    runs = []
    for r, row in enumerate(qr.modules):
        col = 0
        for dark, group in itertools.groupby(bool(m) for m in row):
            n = sum(1 for _ in group)
            if dark:
                runs.append((r, col, n))
            col += n
    return qr.getModuleCount(), tuple(runs)


def _draw_qr(c: Canvas, data: str, x: float, y: float, side: float) -> None:
    """The QR code, ``side`` points square with its quiet zone, lower-left corner at
    (x, y): the same geometry as reportlab's QrCodeWidget, written straight into the
    page as one ``re f`` per dark run in module units under one scaling (a few
    hundred runs; reportlab's shape objects cost more than the QR itself).
    Separate ``re f``, not one path: PDF viewers draw lone rectangles crisp and a
    compound path with soft edges."""
    count, runs = qr_runs(data)
    total = count + 2 * QR_BORDER
    box = side / total
    c.saveState()
    c.setFillColor(colors.black)
    c.transform(box, 0, 0, box, x, y)  # from here on one unit is one module, (0, 0) bottom left
    top = total - QR_BORDER - 1
    c.addLiteral(" ".join(f"{col + QR_BORDER} {top - r} {n} 1 re f" for r, col, n in runs))
    c.restoreState()


def _split_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """``simpleSplit``, and then every line still wider than ``width`` (a word longer than the
    paper: a 2000-character name, a long web address) cut into pieces that fit."""
    out: list[str] = []
    for line in simpleSplit(text, font, size, width):
        while stringWidth(line, font, size) > width and len(line) > 1:
            # The longest head that fits (at least one character, so this always ends).
            lo, hi = 1, len(line) - 1
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if stringWidth(line[:mid], font, size) <= width:
                    lo = mid
                else:
                    hi = mid - 1
            out.append(line[:lo])
            line = line[lo:]
        out.append(line)
    return out


def _text_ops(text: str, size: float, bold: bool, center: bool, width: float, color=INK) -> list[_Op]:
    font = fonts.BOLD if bold else fonts.REGULAR
    lines = _split_lines(text, font, size, width) or [""]
    lead = size * LEADING
    ops = []
    for line in lines:
        def draw(c: Canvas, x: float, y: float, w: float, line=line) -> None:
            c.setFont(font, size)
            c.setFillColor(color)
            base = y - size * 0.95
            if center:
                c.drawCentredString(x + w / 2, base, line)
            else:
                c.drawString(x, base, line)
        ops.append(_Op(lead, draw))
    return ops


def _layout(slip: Slip, paper: Paper) -> list[_Op]:
    width = paper.width - 2 * paper.margin
    s = paper.sizes
    accent = _color(slip.branding.color)
    ops: list[_Op] = []

    # header: logo and the municipality's name
    logo = _logo_of(slip.branding)
    if logo is not None:
        iw, ih = logo.getSize()
        h = paper.logo_h
        w = min(width, h * iw / ih)
        h = w * ih / iw

        def draw_logo(c: Canvas, x: float, y: float, wd: float, logo=logo, w=w, h=h) -> None:
            c.drawImage(logo, x + (wd - w) / 2, y - h, w, h, mask="auto")
        ops.append(_Op(h + 2 * mm, draw_logo))
    ops += _text_ops(slip.branding.name(slip.location_name), s["large"], True, True, width, accent)

    def draw_bar(c: Canvas, x: float, y: float, w: float) -> None:
        c.setStrokeColor(accent)
        c.setLineWidth(1.6)
        c.line(x, y - 1.5 * mm, x + w, y - 1.5 * mm)
    ops.append(_Op(4 * mm, draw_bar))

    for b in slip.blocks:
        if isinstance(b, Text):
            ops += _text_ops(b.text, s[b.size], b.bold, b.center, width)
        elif isinstance(b, BigNumber):
            size = min(paper.big_max, width * 0.92 / max(1.0, stringWidth(b.text, fonts.BOLD, 1)))

            def draw_big(c: Canvas, x: float, y: float, w: float, text=b.text, size=size) -> None:
                c.setFont(fonts.BOLD, size)
                c.setFillColor(INK)
                c.drawCentredString(x + w / 2, y - size * 0.78, text)
            ops.append(_Op(size * 0.78 + 3 * mm, draw_big))
        elif isinstance(b, Notice):
            pad = 2.2 * mm
            size = s["normal"]
            lines = _split_lines(b.text, fonts.BOLD, size, width - 2 * pad)
            h = len(lines) * size * LEADING + 2 * pad

            def draw_notice(c: Canvas, x: float, y: float, w: float, lines=lines, h=h, size=size, pad=pad) -> None:
                c.setStrokeColor(accent)
                c.setLineWidth(1.2)
                c.roundRect(x, y - h, w, h, 1.5 * mm, stroke=1, fill=0)
                c.setFont(fonts.BOLD, size)
                c.setFillColor(INK)
                yy = y - pad
                for line in lines:
                    if slip.centered:
                        c.drawCentredString(x + w / 2, yy - size * 0.95, line)
                    else:
                        c.drawString(x + pad, yy - size * 0.95, line)
                    yy -= size * LEADING
            ops.append(_Op(h + 1 * mm, draw_notice))
        elif isinstance(b, Items):
            ops += _text_ops(b.title, s["normal"], True, False, width)
            indent = 4 * mm
            for item in b.items:
                lines = _split_lines(item, fonts.REGULAR, s["normal"], width - indent) or [""]
                for i, line in enumerate(lines):
                    def draw_item(c: Canvas, x: float, y: float, w: float, line=line, first=(i == 0)) -> None:
                        size = s["normal"]
                        c.setFont(fonts.REGULAR, size)
                        c.setFillColor(INK)
                        if first:
                            c.drawString(x + 0.8 * mm, y - size * 0.95, "•")
                        c.drawString(x + indent, y - size * 0.95, line)
                    ops.append(_Op(s["normal"] * LEADING, draw_item))
        elif isinstance(b, Qr):
            side = paper.qr

            def draw_qr(c: Canvas, x: float, y: float, w: float, data=b.data, side=side) -> None:
                _draw_qr(c, data, x + (w - side) / 2, y - side, side)
            ops.append(_Op(side + 1 * mm, draw_qr))
            if b.caption:
                ops += _text_ops(b.caption, s["small"], False, True, width)
        elif isinstance(b, Rule):
            def draw_rule(c: Canvas, x: float, y: float, w: float) -> None:
                c.setStrokeColor(GREY)
                c.setLineWidth(0.5)
                c.setDash(2, 2)
                c.line(x, y - 2 * mm, x + w, y - 2 * mm)
                c.setDash()
            ops.append(_Op(4 * mm, draw_rule))
        elif isinstance(b, Space):
            ops.append(_Op(b.mm * mm, lambda c, x, y, w: None))

    footer = footer_lines(slip.branding)
    if footer:
        ops.append(_Op(3 * mm, lambda c, x, y, w: None))
        for line in footer:
            ops += _text_ops(line, s["small"], False, True, width, GREY)
    return ops


def render(slip: Slip, paper: str = "80mm") -> bytes:
    """The slip as PDF bytes on ``paper`` (80mm, A5 or A4)."""
    fonts.register()
    spec = PAPER_SPECS[paper]
    ops = _layout(slip, spec)
    total = sum(op.height for op in ops)
    page_h = spec.height if spec.height is not None else total + 2 * spec.margin
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(spec.width, page_h), invariant=1, pageCompression=1)
    c.setTitle(slip.title)
    c.setAuthor(slip.branding.name(slip.location_name))
    c.setCreator("BalieDesk")
    x, width = spec.margin, spec.width - 2 * spec.margin
    y = page_h - spec.margin
    for op in ops:
        if y - op.height < spec.margin and spec.height is not None and y < page_h - spec.margin:
            c.showPage()
            y = page_h - spec.margin
        op.draw(c, x, y, width)
        y -= op.height
    c.showPage()
    c.save()
    return buf.getvalue()

"""The bundled slip font: DejaVu Sans (Bitstream Vera licence, see
``resources/fonts/LICENSE-DejaVu.txt``). It covers Dutch diacritics (é, ë, ï,
ĳ) and the euro sign, so slips look the same on every PC whatever fonts
Windows or Linux happen to have. Registered with reportlab once per process.
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent.parent.parent / "resources" / "fonts"
REGULAR = "BalieDeskSans"
BOLD = "BalieDeskSans-Bold"
FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}

_lock = threading.Lock()
_registered = False


def register() -> None:
    """Register the fonts with reportlab (idempotent, thread-safe)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name, file in FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
        pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
        _registered = True


def font_path(bold: bool = False) -> Path:
    return FONT_DIR / FILES[BOLD if bold else REGULAR]

"""Colours of the hall screen, chosen for a TV seen from ten metres.

Light text on a dark blue hall (less glare on a big screen than white), the
newest call on a white card that turns amber for a few seconds when it is new.
Every text colour here reads at 4.5:1 or better (WCAG AA) on the background it
is drawn on; the municipality's own colour (a setting) and the services'
colours (from the database) are darkened or lightened until they do too.
``tests/display/test_hall_screen.py`` measures the colours the widgets really use.

The hall screen runs in its own process and does not import the desktop
windows' ``baliedesk.ui.theme``; the arithmetic below is the WCAG formula.
"""

from __future__ import annotations

BACKGROUND = "#0E1A2B"      # the hall
PANEL = "#18293F"           # panels: earlier calls, services
TEXT = "#FFFFFF"            # 17.5:1 on BACKGROUND, 14.7:1 on PANEL
TEXT_MUTED = "#C9D4E3"      # captions: 11.7:1 on BACKGROUND, 9.8:1 on PANEL
CARD = "#FFFFFF"            # the newest call
CARD_TEXT = "#0E1A2B"       # 17.5:1 on CARD
HIGHLIGHT = "#FFC83D"       # the newest call while it is new (amber)
HIGHLIGHT_TEXT = "#111111"  # 12.2:1 on HIGHLIGHT
NOTICE = "#FFF1CC"          # "Verbinding wordt hersteld"
NOTICE_TEXT = "#5C3A00"     # 9.1:1 on NOTICE
DEFAULT_BRAND = "#0B4F8A"   # the municipality's colour when none is set

LIGHT = "#FFFFFF"
DARK = "#111111"
FONT_FAMILIES = ("Segoe UI", "Noto Sans", "DejaVu Sans", "Liberation Sans", "Arial")


def parse_hex(color: str | None, fallback: str = DEFAULT_BRAND) -> tuple[int, int, int]:
    value = (color or "").strip().lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    try:
        if len(value) != 6:
            raise ValueError(color)
        return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
    except ValueError:
        return parse_hex(fallback) if fallback != color else (11, 79, 138)


def to_hex(rgb: tuple[float, float, float]) -> str:
    return "#{:02X}{:02X}{:02X}".format(*(max(0, min(255, round(c))) for c in rgb))


def normalise(color: str | None, fallback: str = DEFAULT_BRAND) -> str:
    return to_hex(parse_hex(color, fallback))


def luminance(color: str) -> float:
    def channel(c: int) -> float:
        s = c / 255.0
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = parse_hex(color)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def mix(color: str, other: str, amount: float) -> str:
    a, b = parse_hex(color), parse_hex(other)
    return to_hex(tuple(x + (y - x) * amount for x, y in zip(a, b, strict=True)))


def text_on(fill: str) -> str:
    """White or near-black, whichever reads best on ``fill``."""
    return LIGHT if contrast(LIGHT, fill) >= contrast(DARK, fill) else DARK


def readable(fill: str, minimum: float = 4.5) -> tuple[str, str]:
    """(fill, text): ``fill`` itself when its best text colour reads at ``minimum``,
    else the nearest darker (white text) or lighter (dark text) shade that does."""
    fill = normalise(fill)
    text = text_on(fill)
    toward = "#000000" if text == LIGHT else "#FFFFFF"
    current, step = fill, 0.0
    while contrast(text, current) < minimum and step < 1.0:
        step += 0.05
        current = mix(fill, toward, step)
    return current, text

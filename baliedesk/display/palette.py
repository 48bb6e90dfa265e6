"""Colours of the hall screen, chosen for a TV seen from ten metres.

Light text on a dark blue hall (less glare on a big screen than white), the
newest call on a white card that turns amber for a few seconds when it is new.
Every text colour here reads at 4.5:1 or better (WCAG AA) on the background it
is drawn on; the municipality's own colour (a setting) and the services'
colours (from the database) are darkened or lightened until they do too.
``tests/display/test_hall_screen.py`` measures the colours the widgets really use.

The hall screen runs in its own process and does not import the desktop
windows' ``baliedesk.ui.common.theme``; both use the WCAG arithmetic of
:mod:`baliedesk.colors`.
"""

from __future__ import annotations

from baliedesk import colors

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


# The arithmetic (WCAG formula) is baliedesk.colors, shared with the desktop windows.
to_hex, luminance, contrast, mix = colors.to_hex, colors.luminance, colors.contrast, colors.mix


def parse_hex(color: str | None, fallback: str = DEFAULT_BRAND) -> tuple[int, int, int]:
    return colors.parse_hex(color, fallback)


def normalise(color: str | None, fallback: str = DEFAULT_BRAND) -> str:
    return colors.normalise(color, fallback)


def text_on(fill: str) -> str:
    """White or near-black, whichever reads best on ``fill``."""
    return colors.best_text(fill, LIGHT, DARK)


def readable(fill: str, minimum: float = 4.5) -> tuple[str, str]:
    """(fill, text): ``fill`` itself when its best text colour reads at ``minimum``,
    else the nearest darker (white text) or lighter (dark text) shade that does."""
    fill = normalise(fill)
    text = text_on(fill)
    return colors.shade_until_readable(fill, text, minimum), text

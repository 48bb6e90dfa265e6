"""The municipality's look in one place: colours, fonts, sizes and a base stylesheet.

Every text colour here has a contrast of at least 4.5:1 (WCAG AA) against the
background it is meant for; ``tests/ui/test_theme.py`` checks that. Service
colours come from the database (chosen by the teamleider); ``text_on`` picks
white or near-black text for them, whichever reads best, and ``readable_fill``
darkens a colour that is too light for white text.

Use:
    from baliedesk.ui.common import theme
    theme.apply(app)                     # once, in launch.py
    widget.setStyleSheet(theme.service_button_css("#1F4E8C"))
    label.setFont(theme.font(theme.SIZE_LARGE, bold=True))
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from baliedesk import colors

# -- colours ---------------------------------------------------------------
# Calm, institutional: dark blue text on white and very light grey panels.
BACKGROUND = "#FFFFFF"     # windows
PANEL = "#F3F5F8"          # side panels, cards
PANEL_BORDER = "#C9D1DC"   # borders of cards (decoration only; not for inputs, not for text)
INPUT_BORDER = "#737D8C"   # borders of inputs and buttons (4.2:1 on white, 3.8:1 on PANEL: WCAG 1.4.11)
TEXT = "#1A1F2B"           # body text           (16.4:1 on white, 15.1:1 on PANEL)
TEXT_MUTED = "#4A5565"     # secondary text       (7.5:1 on white, 6.9:1 on PANEL)
PRIMARY = "#0B4F8A"        # header bar, primary buttons (8.4:1 white text on it)
PRIMARY_DARK = "#083A66"   # pressed primary
ON_PRIMARY = "#FFFFFF"
FOCUS = "#B35C00"          # focus ring, dark amber (4.7:1 on white, 4.3:1 on PANEL: WCAG 1.4.11)
SUCCESS = "#1B6B3A"        # "gelukt" text / bars  (6.6:1 on white)
SUCCESS_BG = "#E6F2EA"
WARNING = "#8A5300"        # "let op" text         (5.8:1 on white)
WARNING_BG = "#FFF4DC"
ERROR = "#A3161A"          # error text            (7.6:1 on white)
ERROR_BG = "#FCE8E8"
DISABLED_TEXT = "#525D6B"  # disabled controls     (6.7:1 on white, 5.4:1 on DISABLED_BG)
DISABLED_BG = "#E4E8EE"

DARK_TEXT = "#111111"      # text on light service colours
LIGHT_TEXT = "#FFFFFF"     # text on dark service colours

# -- fonts -----------------------------------------------------------------
# A list: the first font that exists wins (Qt falls back per glyph as well).
FONT_FAMILIES = ["Segoe UI", "Noto Sans", "DejaVu Sans", "Liberation Sans", "Arial", "sans-serif"]
SIZE_SMALL = 11       # pt; nothing user-facing smaller than this
SIZE_BODY = 12
SIZE_LARGE = 16
SIZE_TITLE = 22
SIZE_HUGE = 40        # kiosk headings
SIZE_TICKET = 120     # the ticket number on the kiosk confirmation

RADIUS = 8            # px, rounded corners of cards and buttons
TOUCH_MIN = 64        # px, the smallest touch target on the kiosk

#: The arrows of drop-downs and spin boxes (a style sheet that styles the box must draw them itself).
ICONS = Path(__file__).resolve().parent / "icons"


def _icon(name: str) -> str:
    return (ICONS / name).as_posix()


# -- contrast (the arithmetic is baliedesk.colors, shared with the hall screen) ---
luminance, contrast, mix, to_hex = colors.luminance, colors.contrast, colors.mix, colors.to_hex


def parse_hex(color: str) -> tuple[int, int, int]:
    """'#1F4E8C' or '1F4E8C' or '#fff' -> (r, g, b). Anything else: PRIMARY."""
    return colors.parse_hex(color, PRIMARY)


def text_on(background: str) -> str:
    """White or near-black, whichever contrasts most with ``background``."""
    return colors.best_text(background, LIGHT_TEXT, DARK_TEXT)


def darker(color: str, amount: float = 0.2) -> str:
    return mix(color, "#000000", amount)


def lighter(color: str, amount: float = 0.85) -> str:
    return mix(color, "#FFFFFF", amount)


def readable_fill(color: str, text: str = LIGHT_TEXT, minimum: float = 4.5) -> str:
    """``color`` itself if ``text`` reads on it with ``minimum`` contrast, else the nearest darker
    (for light text) or lighter (for dark text) shade that does."""
    return colors.shade_until_readable(to_hex(parse_hex(color)), text, minimum)


@dataclass(frozen=True)
class ServiceColors:
    """Colours for one service: its fill, the text on it, a pressed shade and a light tint
    (for list rows) with text that reads on the tint."""

    fill: str
    text: str
    pressed: str
    tint: str
    tint_text: str


@functools.lru_cache(maxsize=256)  # a list's data() asks for it on every paint
def service_colors(color: str | None) -> ServiceColors:
    base = to_hex(parse_hex(color or PRIMARY))
    text = text_on(base)
    fill = readable_fill(base, text)
    pressed = darker(fill, 0.18) if text == LIGHT_TEXT else darker(fill, 0.08)
    if contrast(text, pressed) < 4.5:
        pressed = fill
    tint = lighter(fill, 0.86)
    return ServiceColors(fill=fill, text=text, pressed=pressed, tint=tint, tint_text=TEXT)


# -- fonts -----------------------------------------------------------------
def font(point_size: float = SIZE_BODY, *, bold: bool = False):
    """A QFont in the house family. Imported lazily so this module stays cheap to import."""
    from PySide6.QtGui import QFont

    f = QFont()
    f.setFamilies(FONT_FAMILIES)
    f.setPointSizeF(float(point_size))
    if bold:
        f.setWeight(QFont.Weight.Bold)
    return f


# -- stylesheets -----------------------------------------------------------
def base_stylesheet() -> str:
    """The application-wide stylesheet: readable sizes, clear focus, calm colours."""
    # No rule for QWidget or "*": colours and the font come from the palette and
    # app.setFont (see apply), so widget.setFont() keeps working and custom
    # children (labels inside buttons) are not repainted in the wrong colour.
    return f"""
QToolTip {{ color: {TEXT}; background: {PANEL}; border: 1px solid {PANEL_BORDER}; }}
QLabel {{ background: transparent; }}
QLabel[role="muted"] {{ color: {TEXT_MUTED}; }}
QLabel[role="title"] {{ font-size: {SIZE_TITLE}pt; font-weight: bold; }}
QLabel[role="error"] {{ color: {ERROR}; background: {ERROR_BG}; border: 1px solid {ERROR};
    border-radius: {RADIUS}px; padding: 8px 12px; }}
QLabel[role="warning"] {{ color: {WARNING}; background: {WARNING_BG}; border: 1px solid {WARNING};
    border-radius: {RADIUS}px; padding: 8px 12px; }}
QLabel[role="success"] {{ color: {SUCCESS}; background: {SUCCESS_BG}; border: 1px solid {SUCCESS};
    border-radius: {RADIUS}px; padding: 8px 12px; }}
QFrame[role="panel"] {{ background: {PANEL}; border: 1px solid {PANEL_BORDER}; border-radius: {RADIUS}px; }}
QFrame[role="header"] {{ background: {PRIMARY}; }}
QFrame[role="header"] QLabel {{ color: {ON_PRIMARY}; }}
QPushButton {{ color: {TEXT}; background: {PANEL}; border: 1px solid {INPUT_BORDER};
    border-radius: {RADIUS}px; padding: 8px 16px; min-height: 24px; }}
QPushButton:hover {{ background: {lighter(PRIMARY, 0.9)}; }}
QPushButton:pressed {{ background: {lighter(PRIMARY, 0.75)}; }}
QPushButton:focus {{ border: 2px solid {FOCUS}; }}
QPushButton:disabled {{ color: {DISABLED_TEXT}; background: {DISABLED_BG}; }}
QPushButton[role="primary"] {{ color: {ON_PRIMARY}; background: {PRIMARY}; border: 1px solid {PRIMARY_DARK};
    font-weight: bold; }}
QPushButton[role="primary"]:hover {{ background: {PRIMARY_DARK}; }}
QPushButton[role="primary"]:pressed {{ background: {PRIMARY_DARK}; }}
QPushButton[role="primary"]:disabled {{ color: {DISABLED_TEXT}; background: {DISABLED_BG};
    border: 1px solid {PANEL_BORDER}; }}
QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QAbstractSpinBox {{ background: {BACKGROUND};
    color: {TEXT}; border: 1px solid {INPUT_BORDER}; border-radius: 4px; padding: 4px 6px; }}
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QComboBox:focus, QAbstractSpinBox:focus {{
    border: 2px solid {FOCUS}; }}
QComboBox {{ padding-right: 28px; selection-background-color: {PRIMARY}; selection-color: {ON_PRIMARY}; }}
QComboBox::drop-down {{ subcontrol-origin: padding; subcontrol-position: center right; width: 24px;
    border: none; border-left: 1px solid {INPUT_BORDER}; }}
QComboBox::down-arrow {{ image: url("{_icon('arrow-down.svg')}"); width: 12px; height: 8px; }}
QComboBox::down-arrow:disabled {{ image: url("{_icon('arrow-down-disabled.svg')}"); }}
QComboBox QAbstractItemView {{ background: {BACKGROUND}; color: {TEXT}; border: 1px solid {INPUT_BORDER};
    outline: 0; selection-background-color: {PRIMARY}; selection-color: {ON_PRIMARY}; }}
QComboBox QAbstractItemView::item {{ min-height: 24px; padding: 2px 6px; color: {TEXT};
    background: {BACKGROUND}; }}
QComboBox QAbstractItemView::item:selected {{ background: {PRIMARY}; color: {ON_PRIMARY}; }}
QAbstractSpinBox {{ padding-right: 26px; }}
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {{ subcontrol-origin: border; width: 24px;
    background: {PANEL}; border: none; border-left: 1px solid {INPUT_BORDER}; }}
QAbstractSpinBox::up-button {{ subcontrol-position: top right; border-top-right-radius: 4px; }}
QAbstractSpinBox::down-button {{ subcontrol-position: bottom right; border-bottom-right-radius: 4px; }}
QAbstractSpinBox::up-button:hover, QAbstractSpinBox::down-button:hover {{ background: {lighter(PRIMARY, 0.85)}; }}
QAbstractSpinBox::up-arrow {{ image: url("{_icon('arrow-up.svg')}"); width: 12px; height: 8px; }}
QAbstractSpinBox::down-arrow {{ image: url("{_icon('arrow-down.svg')}"); width: 12px; height: 8px; }}
QAbstractSpinBox::up-arrow:disabled, QAbstractSpinBox::up-arrow:off {{
    image: url("{_icon('arrow-up-disabled.svg')}"); }}
QAbstractSpinBox::down-arrow:disabled, QAbstractSpinBox::down-arrow:off {{
    image: url("{_icon('arrow-down-disabled.svg')}"); }}
QListView, QTreeView, QTableView {{ background: {BACKGROUND}; border: 1px solid {PANEL_BORDER};
    alternate-background-color: {PANEL}; selection-background-color: {PRIMARY};
    selection-color: {ON_PRIMARY}; }}
QHeaderView::section {{ background: {PANEL}; color: {TEXT}; border: none;
    border-bottom: 1px solid {PANEL_BORDER}; padding: 4px 6px; font-weight: bold; }}
QStatusBar {{ background: {PANEL}; color: {TEXT_MUTED}; }}
"""


def service_button_css(color: str | None, selector: str = "QPushButton") -> str:
    """A stylesheet for one big button in a service's colour (kiosk, counter).

    Labels inside the button get the button's text colour. (A rule like
    ``QPushButton:disabled QLabel`` would not work: Qt ignores pseudo-states on
    the ancestor part of a selector and would apply it always.)"""
    c = service_colors(color)
    return f"""
{selector} {{ color: {c.text}; background: {c.fill}; border: 2px solid {darker(c.fill, 0.25)};
    border-radius: {RADIUS * 2}px; padding: 12px 20px; text-align: left; }}
{selector} QLabel {{ color: {c.text}; background: transparent; }}
{selector}:pressed {{ background: {c.pressed}; }}
{selector}:focus {{ border: 4px solid {FOCUS}; }}
{selector}:disabled {{ color: {DISABLED_TEXT}; background: {DISABLED_BG}; border: 2px solid {PANEL_BORDER}; }}
"""


def apply(app) -> None:
    """Install the house font, palette and stylesheet on a QApplication."""
    from PySide6.QtGui import QColor, QPalette

    app.setStyle("Fusion")  # the same look on every platform, and stylesheets behave
    app.setFont(font(SIZE_BODY))
    pal = app.palette()
    for role, value in (
        (QPalette.ColorRole.Window, BACKGROUND), (QPalette.ColorRole.WindowText, TEXT),
        (QPalette.ColorRole.Base, BACKGROUND), (QPalette.ColorRole.AlternateBase, PANEL),
        (QPalette.ColorRole.Text, TEXT), (QPalette.ColorRole.Button, PANEL),
        (QPalette.ColorRole.ButtonText, TEXT), (QPalette.ColorRole.Highlight, PRIMARY),
        (QPalette.ColorRole.HighlightedText, ON_PRIMARY), (QPalette.ColorRole.ToolTipBase, PANEL),
        (QPalette.ColorRole.ToolTipText, TEXT), (QPalette.ColorRole.PlaceholderText, TEXT_MUTED),
    ):
        pal.setColor(role, QColor(value))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(DISABLED_TEXT))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(DISABLED_TEXT))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor(DISABLED_TEXT))
    app.setPalette(pal)
    app.setStyleSheet(base_stylesheet())

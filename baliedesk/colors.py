"""Colour arithmetic shared by the desktop windows (:mod:`baliedesk.ui.common.theme`) and
the hall screen (:mod:`baliedesk.display.palette`): hex colours, the WCAG
contrast ratio, blending, and shading a colour until text on it is readable.

Plain Python (no Qt), so the two user interfaces, which do not import each
other, share one copy of the formula.
"""

from __future__ import annotations

#: What a colour falls back to when neither it nor the given fallback is a hex colour.
DEFAULT = "#0B4F8A"


def _parse(color: str | None) -> tuple[int, int, int]:
    value = (color or "").strip().lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    if len(value) != 6:
        raise ValueError(color)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def parse_hex(color: str | None, fallback: str = DEFAULT) -> tuple[int, int, int]:
    """``'#1F4E8C'``, ``'1F4E8C'`` or ``'#fff'`` -> (r, g, b); anything else: ``fallback``'s."""
    for candidate in (color, fallback, DEFAULT):
        try:
            return _parse(candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable: DEFAULT is a hex colour")


def to_hex(rgb: tuple[float, float, float]) -> str:
    return "#{:02X}{:02X}{:02X}".format(*(max(0, min(255, round(c))) for c in rgb))


def normalise(color: str | None, fallback: str = DEFAULT) -> str:
    """``'#fff'`` -> ``'#FFFFFF'``; not a colour -> ``fallback``."""
    return to_hex(parse_hex(color, fallback))


def _channel(c: int) -> float:
    s = c / 255.0
    return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4


def luminance(color: str) -> float:
    """WCAG relative luminance, 0.0 (black) .. 1.0 (white)."""
    r, g, b = parse_hex(color)
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio between two colours, 1.0 .. 21.0."""
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def mix(color: str, other: str, amount: float) -> str:
    """``amount`` (0..1) of ``other`` blended into ``color``."""
    a, b = parse_hex(color), parse_hex(other)
    return to_hex(tuple(x + (y - x) * amount for x, y in zip(a, b, strict=True)))


def best_text(fill: str, light: str, dark: str) -> str:
    """``light`` or ``dark``, whichever contrasts most with ``fill``."""
    return light if contrast(light, fill) >= contrast(dark, fill) else dark


def shade_until_readable(fill: str, text: str, minimum: float = 4.5) -> str:
    """``fill`` itself when ``text`` reads on it at ``minimum``, else the nearest darker
    (for light text) or lighter (for dark text) shade, in steps of 5%, that does."""
    base = normalise(fill)
    toward = "#000000" if luminance(text) > 0.5 else "#FFFFFF"
    current, step = base, 0.0
    while contrast(text, current) < minimum and step < 1.0:
        step += 0.05
        current = mix(base, toward, step)
    return current
